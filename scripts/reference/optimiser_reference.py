"""Reference values for AdamW (decoupled weight decay) and the learning-rate schedules, for
Tests/HTNetTests/OptimiserSettingsTests.swift, from torch (CPU):

    /work/venv-fidelity/bin/python scripts/reference/optimiser_reference.py

AdamW: 4 parameters, lr 0.01, weight_decay 0.1, default betas/eps, 3 steps with gradients
g_t = [0.1, -0.2, 0.3, 0.05] * (t + 1). Schedules: the learning rate of each of 8 epochs, the
scheduler stepped once per epoch: CosineAnnealingLR(T_max=8, eta_min=0.0001); StepLR(step_size=3,
gamma=0.5); LinearLR(start_factor=1/3, total_iters=2) for the 3 warm-up epochs of an 8-epoch run
followed by CosineAnnealingLR(T_max=5) (computed per phase, as our schedule defines it).
"""
import math

import torch

p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=torch.float32))
opt = torch.optim.AdamW([p], lr=0.01, weight_decay=0.1)
for t in range(3):
    opt.zero_grad()
    p.grad = torch.tensor([0.1, -0.2, 0.3, 0.05], dtype=torch.float32) * (t + 1)
    opt.step()
print("adamw", [f"{v:.9g}" for v in p.detach().tolist()])


def lrs(make, epochs, base=0.001):
    q = torch.nn.Parameter(torch.zeros(1))
    o = torch.optim.SGD([q], lr=base)
    s = make(o)
    out = []
    for _ in range(epochs):
        out.append(o.param_groups[0]["lr"])
        o.step()
        s.step()
    return out


print("cosine", [f"{v:.9g}" for v in lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.0001), 8)])
print("step", [f"{v:.9g}" for v in lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 8)])
warm = lrs(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 3, total_iters=2), 3)
after = lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5), 5)
print("warmup+cosine", [f"{v:.9g}" for v in warm + after])

# Mixup's soft-target cross-entropy, worked by hand with math only (no torch):
z = [[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
t = [[0.7, 0.0, 0.3], [0.0, 1.0, 0.0]]
loss, grads = 0.0, []
for zb, tb in zip(z, t):
    lse = math.log(sum(math.exp(v) for v in zb))
    loss -= sum(tc * (zc - lse) for zc, tc in zip(zb, tb))
    grads.append([(math.exp(zc - lse) - tc) / 2 for zc, tc in zip(zb, tb)])
print("mixup loss", f"{loss / 2:.12f}", "grad", [[f"{g:.9f}" for g in row] for row in grads])
print("torch CrossEntropyLoss with probability targets:",
      f"{torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(t)).item():.9f}")
