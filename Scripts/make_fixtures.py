#!/usr/bin/env python3
"""Reference fixtures for the Models module, produced with Hugging Face transformers.

Usage (never run by CI; the outputs are committed):

    python Scripts/make_fixtures.py                  # writes Tests/ModelsTests/Fixtures/
    python Scripts/make_fixtures.py --check-saved DIR [--ids 1,2,3]

The first form writes, for each case, a tiny random-weight Llama / Mistral checkpoint
directory `Fixtures/<case>/` (config.json, model.safetensors, reference.json) and the
rotary-embedding fixture `Fixtures/rope.json`.

reference.json holds:
  input_ids            48 token ids (longer than max_position_embeddings = 32)
  next_token_logprobs  47 values: log p(input_ids[t] | input_ids[:t]) for t = 1..47
  last_logits          97 values: the full logits at the last position
  hidden_state_norms   (num_hidden_layers + 1) x 48 per-position L2 norms of HF's
                       `hidden_states`: entry 0 is the embedding output, entry l
                       (1 <= l < num_hidden_layers) the output of decoder layer l-1
                       (0-based), and the last entry is the final RMSNorm applied to the
                       last layer's output (logits = lm_head(last entry))
  weight_checksums     float64 sum and sum of squares of a few stored tensors
All computations are float32, eager attention (so Mistral's sliding window is applied).

The second form loads a checkpoint directory written by this project with transformers
and prints its next-token log-probabilities as JSON, to show that HF reads our output.
"""
import argparse
import json
import math
import os
import shutil
import sys

import torch
from safetensors.torch import load_file
from transformers import LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ModelsTests", "Fixtures")
SEQUENCE_LENGTH = 48

TINY = dict(
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    vocab_size=97,
    max_position_embeddings=32,
    rms_norm_eps=1e-5,
    bos_token_id=1,
    eos_token_id=2,
)

# (case name, config class, model class, config overrides, store as bf16)
CASES = [
    ("llama_default", LlamaConfig, LlamaForCausalLM, dict(), False),
    ("llama_gqa_tied", LlamaConfig, LlamaForCausalLM, dict(num_key_value_heads=2, tie_word_embeddings=True), False),
    ("llama_linear", LlamaConfig, LlamaForCausalLM, dict(rope_scaling={"rope_type": "linear", "factor": 2.0}), False),
    ("llama_dynamic", LlamaConfig, LlamaForCausalLM, dict(rope_scaling={"rope_type": "dynamic", "factor": 2.0}), False),
    ("llama_yarn", LlamaConfig, LlamaForCausalLM,
     dict(rope_scaling={"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 16}), False),
    ("llama_llama3", LlamaConfig, LlamaForCausalLM,
     dict(rope_theta=500000.0, rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                             "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
     False),
    ("llama_abf", LlamaConfig, LlamaForCausalLM, dict(rope_theta=5000000.0), False),
    ("llama_bias", LlamaConfig, LlamaForCausalLM, dict(attention_bias=True, mlp_bias=True), False),
    ("mistral", MistralConfig, MistralForCausalLM, dict(num_key_value_heads=2, sliding_window=None), False),
    ("mistral_sliding", MistralConfig, MistralForCausalLM, dict(num_key_value_heads=2, sliding_window=16), False),
    ("llama_bf16", LlamaConfig, LlamaForCausalLM, dict(num_key_value_heads=2), True),
]


def f32(values):
    """A list of Python floats that are exactly the float32 values (JSON round-trips them)."""
    return [float(v) for v in torch.as_tensor(values, dtype=torch.float32).reshape(-1).tolist()]


def randomize(model, seed):
    """Weights large enough that the outputs depend visibly on every part of the model
    (HF's std-0.02 init gives nearly uniform logits, which would test little)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            shape = parameter.shape
            noise = torch.randn(shape, generator=generator, dtype=torch.float32)
            if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
                parameter.copy_(1.0 + 0.1 * noise)
            elif name.endswith(".bias"):
                parameter.copy_(0.1 * noise)
            elif "embed_tokens" in name:
                parameter.copy_(0.25 * noise)
            else:
                parameter.copy_(noise / math.sqrt(shape[-1]))


def reference(model, input_ids):
    with torch.no_grad():
        out = model(torch.tensor([input_ids]), output_hidden_states=True)
    logits = out.logits[0].float()
    logprobs = torch.log_softmax(logits, dim=-1)
    next_token = logprobs[:-1].gather(1, torch.tensor(input_ids[1:]).unsqueeze(1)).squeeze(1)
    norms = [f32(h[0].float().norm(dim=-1)) for h in out.hidden_states]
    return dict(
        input_ids=input_ids,
        next_token_logprobs=f32(next_token),
        last_logits=f32(logits[-1]),
        hidden_state_norms=norms,
    )


def checksums(path, names):
    tensors = load_file(path)
    result = {}
    for name in names:
        t = tensors[name].double()
        result[name] = dict(sum=float(t.sum()), sum_of_squares=float((t * t).sum()),
                            dtype=str(tensors[name].dtype).replace("torch.", ""), shape=list(t.shape))
    return result


def make_case(index, name, config_class, model_class, overrides, bf16):
    settings = dict(TINY)
    settings.update(overrides)
    config = config_class(**settings)
    config.architectures = [model_class.__name__]
    config._attn_implementation = "eager"
    torch.manual_seed(1000 + index)
    model = model_class(config).eval()
    randomize(model, seed=2000 + index)
    if bf16:
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.copy_(parameter.to(torch.bfloat16).float())
    generator = torch.Generator().manual_seed(3000 + index)
    input_ids = torch.randint(0, TINY["vocab_size"], (SEQUENCE_LENGTH,), generator=generator).tolist()
    ref = reference(model, input_ids)

    directory = os.path.join(FIXTURES, name)
    shutil.rmtree(directory, ignore_errors=True)
    saved = model_class(config).eval()
    saved.load_state_dict(model.state_dict())
    if bf16:
        saved = saved.to(torch.bfloat16)
    saved.save_pretrained(directory, safe_serialization=True)
    for extra in os.listdir(directory):
        if extra not in ("config.json", "model.safetensors"):
            os.remove(os.path.join(directory, extra))
    ref["weight_checksums"] = checksums(
        os.path.join(directory, "model.safetensors"),
        ["model.embed_tokens.weight", "model.layers.1.self_attn.k_proj.weight", "model.norm.weight"])

    # The stored checkpoint must reproduce the reference when HF loads it back.
    reloaded = model_class.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager").eval()
    again = reference(reloaded, input_ids)
    assert again["next_token_logprobs"] == ref["next_token_logprobs"], name
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump(ref, f)
    return model, input_ids, ref


def rope_case(name, config_fields, positions_list):
    """HF's LlamaRotaryEmbedding: inv_freq and attention scaling at construction, and
    for each position list the inv_freq after the (dynamic) update and cos / sin.
    A fresh module per evaluation, since dynamic NTK caches the longest length seen."""
    settings = dict(hidden_size=config_fields.pop("hidden_size"), num_attention_heads=config_fields.pop("num_attention_heads"),
                    num_hidden_layers=1, intermediate_size=64, vocab_size=32)
    settings.update(config_fields)
    config = LlamaConfig(**settings)
    module = LlamaRotaryEmbedding(config)
    half = module.inv_freq.shape[0]
    case = dict(name=name, config=config.to_dict(), inv_freq=f32(module.inv_freq),
                attention_scaling=float(module.attention_scaling), evaluations=[])
    case["config"].pop("transformers_version", None)
    for positions in positions_list:
        module = LlamaRotaryEmbedding(config)
        ids = torch.tensor([positions], dtype=torch.int64)
        x = torch.zeros(1, dtype=torch.float32)
        cos, sin = module(x, ids)
        case["evaluations"].append(dict(
            positions=positions,
            inv_freq=f32(module.inv_freq),
            attention_scaling=float(module.attention_scaling),
            cos=[f32(row[:half]) for row in cos[0]],
            sin=[f32(row[:half]) for row in sin[0]],
        ))
    return case


def make_rope_fixture():
    short = [0, 1, 2, 7, 31]
    skipped = [0, 5, 100, 2047, 2048, 4095, 9000]
    far = [3, 8191, 8192, 65535, 131071]
    cases = [
        rope_case("default", dict(hidden_size=256, num_attention_heads=4, max_position_embeddings=2048), [short, skipped]),
        rope_case("abf", dict(hidden_size=512, num_attention_heads=4, max_position_embeddings=8192,
                              rope_theta=5e6), [far]),
        rope_case("linear", dict(hidden_size=256, num_attention_heads=4, max_position_embeddings=2048,
                                 rope_scaling={"rope_type": "linear", "factor": 4.0}), [skipped]),
        rope_case("dynamic", dict(hidden_size=256, num_attention_heads=4, max_position_embeddings=2048,
                                  rope_scaling={"rope_type": "dynamic", "factor": 2.0}),
                  [short, [0, 1, 2047], [0, 1, 2048], [5, 3000, 100], skipped]),
        rope_case("dynamic_head_dim", dict(hidden_size=96, num_attention_heads=4, head_dim=16, max_position_embeddings=64,
                                           rope_theta=500000.0, rope_scaling={"rope_type": "dynamic", "factor": 3.0}),
                  [[0, 77, 130], [1, 63]]),
        rope_case("yarn", dict(hidden_size=512, num_attention_heads=4, max_position_embeddings=16384,
                               rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}),
                  [skipped]),
        rope_case("yarn_mscale", dict(hidden_size=256, num_attention_heads=4, max_position_embeddings=16384,
                                      rope_scaling={"rope_type": "yarn", "factor": 40.0, "mscale": 1.0,
                                                    "mscale_all_dim": 0.5, "beta_fast": 16, "beta_slow": 2,
                                                    "original_max_position_embeddings": 4096}), [skipped]),
        rope_case("yarn_attention_factor_no_truncate",
                  dict(hidden_size=256, num_attention_heads=4, max_position_embeddings=8192,
                       rope_scaling={"rope_type": "yarn", "factor": 2.0, "attention_factor": 1.25, "truncate": False,
                                     "original_max_position_embeddings": 4096}), [skipped]),
        rope_case("llama3", dict(hidden_size=512, num_attention_heads=4, max_position_embeddings=131072, rope_theta=500000.0,
                                 rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                               "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}),
                  [far]),
    ]
    with open(os.path.join(FIXTURES, "rope.json"), "w") as f:
        json.dump(dict(cases=cases), f)


def check_saved(directory, ids):
    config = json.load(open(os.path.join(directory, "config.json")))
    model_class = MistralForCausalLM if config.get("model_type") == "mistral" else LlamaForCausalLM
    model = model_class.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager").eval()
    if ids is None:
        reference_path = os.path.join(directory, "reference.json")
        ids = json.load(open(reference_path))["input_ids"] if os.path.exists(reference_path) else [1, 2, 3, 4]
    result = reference(model, ids)
    print(json.dumps(dict(input_ids=ids, next_token_logprobs=result["next_token_logprobs"])))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-saved", metavar="DIR")
    parser.add_argument("--ids", help="comma-separated token ids for --check-saved (default: reference.json's)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.check_saved:
        ids = [int(t) for t in args.ids.split(",")] if args.ids else None
        check_saved(args.check_saved, ids)
        return
    os.makedirs(FIXTURES, exist_ok=True)
    models = {}
    for index, (name, config_class, model_class, overrides, bf16) in enumerate(CASES):
        models[name] = make_case(index, name, config_class, model_class, overrides, bf16)
        print(f"{name}: mean next-token log-prob {sum(models[name][2]['next_token_logprobs']) / 47:.4f}")
    # The sliding-window case must actually differ from full attention past the window.
    model, ids, ref = models["mistral_sliding"]
    model.config.sliding_window = None
    full = reference(model, ids)["next_token_logprobs"]
    assert full[:15] == ref["next_token_logprobs"][:15] and full[-1] != ref["next_token_logprobs"][-1]
    make_rope_fixture()
    print("fixtures written to", FIXTURES)


if __name__ == "__main__":
    sys.exit(main())
