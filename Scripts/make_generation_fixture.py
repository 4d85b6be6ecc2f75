#!/usr/bin/env python3
"""Greedy generation reference for the Models generation tests (never run by CI).

    /work/venv/bin/python Scripts/make_generation_fixture.py

For a few fixture checkpoints in Tests/ModelsTests/Fixtures, writes
Fixtures/generation.json with, per case: the prompt (the first 8 ids of reference.json),
`cached`: 40 tokens from transformers' `generate` (greedy, KV cache, no EOS stop), and
`recomputed`: 40 tokens where each step is the arg-max of the last logits of a full
forward over the whole sequence (no cache). The two agree except for dynamic NTK past
max_position_embeddings, where cached keys keep the rotation of the step that computed them.
"""
import json
import os

import torch
from transformers import LlamaForCausalLM, MistralForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ModelsTests", "Fixtures")
CASES = ["llama_default", "llama_gqa_tied", "mistral_sliding", "llama_dynamic"]
PROMPT_LENGTH = 8
NEW_TOKENS = 40


def load(name):
    directory = os.path.join(FIXTURES, name)
    config = json.load(open(os.path.join(directory, "config.json")))
    model_class = MistralForCausalLM if config.get("model_type") == "mistral" else LlamaForCausalLM
    model = model_class.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager").eval()
    prompt = json.load(open(os.path.join(directory, "reference.json")))["input_ids"][:PROMPT_LENGTH]
    return model, prompt


def main():
    torch.set_num_threads(1)
    cases = {}
    for name in CASES:
        model, prompt = load(name)
        model.generation_config.eos_token_id = None
        model.generation_config.pad_token_id = 0
        with torch.no_grad():
            output = model.generate(
                torch.tensor([prompt]), max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                do_sample=False, use_cache=True)
            cached = output[0, len(prompt):].tolist()
            sequence = list(prompt)
            for _ in range(NEW_TOKENS):
                logits = model(torch.tensor([sequence]), use_cache=False).logits[0, -1]
                sequence.append(int(torch.argmax(logits)))
            recomputed = sequence[len(prompt):]
        print(name, "cached == recomputed:", cached == recomputed)
        cases[name] = dict(prompt=prompt, cached=cached, recomputed=recomputed)
    with open(os.path.join(FIXTURES, "generation.json"), "w") as f:
        json.dump(dict(cases=cases), f)


if __name__ == "__main__":
    main()
