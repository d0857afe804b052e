"""Side-by-side reference timing for `coordinator bench --arch ddamfn` (BENCHMARKS.md), not part of the
product: the reference DDAMNet (a checkout of ArnabKumarRoy02/fer_dual_attention at a9d8ddc, whose
networks/ folder holds DDAM.py and MixFeatureNet.py) trained as its train.py does (CE + 0.1 x
AttentionLoss, SGD lr 0.01 momentum 0.9 wd 1e-4), train mode, random 112x112 inputs; plus torch.mm's
rate on a 2048^3 product in the same process. FLOPs per training sample: the Swift engine's count.

    python scripts/reference/ddamfn-reference-bench.py REFERENCE_CHECKOUT THREADS BATCH STEPS ROUNDS [FLOP_PER_SAMPLE]
"""
import sys, time, statistics, torch, torch.nn.functional as F
sys.path.insert(0, sys.argv[1])
from networks.DDAM import DDAMNet

threads, batch, steps, rounds = (int(v) for v in sys.argv[2:6])
flops_per_sample = float(sys.argv[6]) if len(sys.argv) > 6 else 2.655e9
torch.set_num_threads(threads)
torch.manual_seed(1)
model = DDAMNet(num_classes=7, num_heads=2, pretrained=False).train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
x = torch.randn(batch, 3, 112, 112); y = torch.arange(batch) % 7
eps = sys.float_info.epsilon
def att_loss(heads):
    loss = 0; count = 0
    for i in range(len(heads) - 1):
        for j in range(i + 1, len(heads)):
            loss = loss + F.mse_loss(heads[i], heads[j]); count += 1
    return count / (loss + eps)
def step():
    opt.zero_grad()
    out, feat, heads = model(x)
    loss = F.cross_entropy(out, y) + 0.1 * att_loss(heads)
    loss.backward(); opt.step()
def mm_rate(n=2048):
    a = torch.rand(n, n); b = torch.rand(n, n); best = 1e9
    for _ in range(3):
        t = time.perf_counter(); torch.mm(a, b); best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9
step()
rates, times = [], []
for r in range(rounds):
    mm = mm_rate()
    t = time.perf_counter()
    for _ in range(steps): step()
    s = (time.perf_counter() - t) / steps
    rates.append(mm); times.append(s)
    eff = batch / s * flops_per_sample / 1e9
    print(f"round {r+1}: torch.mm 2048^3 {mm:.1f} GFLOP/s; training {s:.3f} s/step = {batch/s:.1f} samples/s = {eff:.1f} GFLOP/s ({100*eff/mm:.1f}%)")
s = statistics.median(times); mm = statistics.median(rates); eff = batch / s * flops_per_sample / 1e9
print(f"torch {torch.__version__}, {threads} threads, batch {batch}: {batch/s:.1f} samples/s, {eff:.1f} GFLOP/s effective, {100*eff/mm:.1f}% of torch.mm ({mm:.1f} GFLOP/s); medians over {rounds} rounds")
