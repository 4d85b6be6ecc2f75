# Produces the AdamW reference values used by Tests/NNTests/OptimizerTests.swift.
# Two torch.optim.AdamW steps (float32) on a weight (decay group, weight_decay 0.1) and a bias
# (no-decay group), betas (0.9, 0.95), eps 1e-8, lr 0.01 for step 1 and 0.02 for step 2,
# with fixed gradients per step. Run: /work/venv/bin/python Scripts/nn_adamw_reference.py
import torch

w = torch.tensor([[0.5, -1.0, 0.25], [2.0, 0.0, -0.75]], dtype=torch.float32, requires_grad=True)
b = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float32, requires_grad=True)
grads = [
    (torch.tensor([[0.1, -0.2, 0.3], [0.0, 1.5, -0.05]]), torch.tensor([0.01, -0.3, 2.0])),
    (torch.tensor([[-0.4, 0.2, 0.1], [0.3, -1.0, 0.02]]), torch.tensor([0.5, 0.0, -1.0])),
]
opt = torch.optim.AdamW(
    [{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
    lr=0.01, betas=(0.9, 0.95), eps=1e-8)
for lr, (gw, gb) in zip([0.01, 0.02], grads):
    for group in opt.param_groups:
        group["lr"] = lr
    w.grad = gw.clone()
    b.grad = gb.clone()
    opt.step()
    fmt = lambda t: "[" + ", ".join(f"{v:.9g}" for v in t.detach().flatten().tolist()) + "]"
    print(f"lr {lr}: weight {fmt(w)}")
    print(f"lr {lr}: bias {fmt(b)}")
    print(f"lr {lr}: weight exp_avg_sq {fmt(opt.state[w]['exp_avg_sq'])}")
