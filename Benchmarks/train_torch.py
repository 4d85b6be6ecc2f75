"""PyTorch side of train-bench: the same Llama (Hugging Face LlamaForCausalLM, 4 layers,
4 heads, width 128, intermediate 352, vocab 65) trained with AdamW in float32 on the CPU.

    /work/venv/bin/python Benchmarks/train_torch.py --threads 2 --steps 10 [--json]

Prints median step time and tokens/s per case, and the process's peak RSS. Run each case in
a fresh process (--case NAME) when comparing peak memory, since RSS only grows.
"""
import argparse, json, resource, time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

CASES = {"nanogpt": (12, 64), "ctx1024": (1, 1024), "ctx4096": (1, 4096)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--attention", default="sdpa", choices=["sdpa", "eager"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = []
    for name in args.case or ["nanogpt", "ctx1024", "ctx4096"]:
        batch, context = CASES[name]
        config = LlamaConfig(hidden_size=128, intermediate_size=352, num_hidden_layers=4,
                             num_attention_heads=4, num_key_value_heads=4, vocab_size=65,
                             max_position_embeddings=max(64, context), tie_word_embeddings=False,
                             attn_implementation=args.attention)
        model = LlamaForCausalLM(config).float()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
        times = []
        for step in range(args.steps + 2):
            ids = torch.randint(0, 65, (batch, context + 1))
            start = time.perf_counter()
            out = model(input_ids=ids[:, :-1])
            loss = torch.nn.functional.cross_entropy(out.logits.reshape(-1, 65), ids[:, 1:].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if step >= 2:
                times.append(time.perf_counter() - start)
        times.sort()
        median = times[len(times) // 2]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row = {"case": name, "batch": batch, "context": context, "threads": args.threads,
               "median_s": median, "tokens_per_s": batch * context / median, "peak_rss_mb": peak}
        rows.append(row)
        if not args.json:
            print(f"{name:8s} batch {batch:3d}  context {context:5d}  threads {args.threads}  "
                  f"median {median:8.4f} s  {row['tokens_per_s']:9.0f} tokens/s  peak RSS {peak:7.1f} MB")
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
