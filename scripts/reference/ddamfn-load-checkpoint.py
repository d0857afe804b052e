"""Loads a DDAMFN checkpoint kept by `coordinator run` (keep: checkpoints) into the reference PyTorch
DDAMNet (a checkout of ArnabKumarRoy02/fer_dual_attention at a9d8ddc, whose networks/ folder holds
DDAM.py and MixFeatureNet.py) with strict=True, and prints the header metadata, every BatchNorm's
num_batches_tracked, and the eval-mode logits of a fixed input. The reference builds its 14x14 stage
with 9 blocks, so the checkpoint must come from `conv4_blocks: 9` (the default).
Also writes the model's own state_dict (no metadata) to OUT, the file `predict --config` takes.
With FER_CSV and PREDICTIONS (a FER2013-format CSV and `coordinator predict`'s output for it with the
same checkpoint), runs the reference in eval mode on the same images, preprocessed as DDAMFNInput
does (grey to 3 channels, bilinear resize 48 -> 112 with half-pixel centres, /255, ImageNet mean and
std), and prints the largest |torch - swift| over the logits.

    python scripts/reference/ddamfn-load-checkpoint.py REFERENCE_CHECKOUT CHECKPOINT NUM_CLASSES NUM_HEADS [OUT [FER_CSV PREDICTIONS]]
"""
import csv
import sys, json, torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
sys.path.insert(0, sys.argv[1])
from networks.DDAM import DDAMNet

path, classes, heads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with safe_open(path, framework="pt") as f:
    meta = f.metadata() or {}
print("metadata:", {k: meta[k] for k in sorted(meta) if k in ("format", "arch", "config", "variant", "seed", "fold", "epoch", "epoch_selection")})
model = DDAMNet(num_classes=classes, num_heads=heads, pretrained=False)
result = model.load_state_dict(load_file(path), strict=True)
print("load_state_dict(strict=True):", result)
tracked = sorted({int(v) for k, v in model.state_dict().items() if k.endswith("num_batches_tracked")})
print("num_batches_tracked values:", tracked)
model.eval()
torch.manual_seed(0)
x = torch.randn(2, 3, 112, 112)
with torch.no_grad():
    out, _, _ = model(x)
print("eval logits:", out.numpy().round(5).tolist())
if len(sys.argv) > 5:
    save_file(model.state_dict(), sys.argv[5])
    print("state_dict written to", sys.argv[5])
if len(sys.argv) > 7:
    import torch.nn.functional as F
    rows = list(csv.DictReader(open(sys.argv[6])))
    grey = torch.tensor([[float(v) for v in r["pixels"].split()] for r in rows]).view(-1, 1, 48, 48)
    images = F.interpolate(grey.expand(-1, 3, -1, -1), size=(112, 112), mode="bilinear", align_corners=False) / 255
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1); std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        torch_logits, _, _ = model((images - mean) / std)
    predicted = list(csv.DictReader(open(sys.argv[7])))
    names = [k for k in predicted[0] if k.startswith("logit_")]
    swift_logits = torch.tensor([[float(r[k]) for k in names] for r in predicted])
    print("samples:", len(rows), "max |torch - swift| over the logits:", float((torch_logits - swift_logits).abs().max()))
