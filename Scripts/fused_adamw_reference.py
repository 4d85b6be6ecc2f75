"""Prints the torch.optim.AdamW values pasted into Tests/KernelsTests/AdamWTests.swift.

Run: /work/venv/bin/python Scripts/fused_adamw_reference.py
Two steps, float32, lr 0.01, betas (0.9, 0.999), eps 1e-8, weight_decay 0.1, foreach=False.
"""
import torch

p = torch.nn.Parameter(torch.tensor([0.5, -1.25, 2.0, 0.0, -0.75, 3.5, 1e-3, -4.0, 0.25], dtype=torch.float32))
grads = [
    torch.tensor([0.1, -0.2, 0.3, 0.0, 1.5, -2.5, 1e-4, 0.05, -0.6], dtype=torch.float32),
    torch.tensor([-0.3, 0.25, 0.1, 0.7, -1.0, -2.0, 2e-4, 0.0, 0.4], dtype=torch.float32),
]
opt = torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, foreach=False)
for g in grads:
    p.grad = g.clone()
    opt.step()
    state = opt.state[p]
    fmt = lambda t: ", ".join(repr(float(v)) for v in t.detach())
    print("parameter:", fmt(p))
    print("m:", fmt(state["exp_avg"]))
    print("v:", fmt(state["exp_avg_sq"]))
