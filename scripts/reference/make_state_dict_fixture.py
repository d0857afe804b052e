"""Makes Tests/Fixtures/htnet-torch-state-dict.safetensors (a reference HTNet's state_dict saved with
safetensors, nothing else in it) and Tests/Fixtures/htnet-torch-state-dict-io.safetensors (inputs and
the logits that model gives them), so a test can check that a checkpoint written by PyTorch loads into
`coordinator predict` and gives the same logits. With --load CHECKPOINT it instead loads a checkpoint
written by `coordinator run` (keep: checkpoints) strictly into the reference model and prints logits.

Reference values only (the product never runs Python). torch 2.13.0+cpu and safetensors:
    /work/venv-fidelity/bin/python scripts/reference/make_state_dict_fixture.py Tests/Fixtures
    /work/venv-fidelity/bin/python scripts/reference/make_state_dict_fixture.py --load runs/x/checkpoints/base/1/a01.safetensors

The model is the official HTNet Model.py (a NesT): patch embedding, per-level Transformers on blocks,
Aggregate (conv 3x3, channel LayerNorm, max-pool 3/2/1), head LayerNorm + mean + Linear
(docs/DESIGN.md section 3). Weights: torch.manual_seed(7), PyTorch's default initialisation, then the
LayerNorm g and b and pos_emb redrawn so that a swapped or ignored parameter shows in the logits.
"""
import json, sys
import torch
from safetensors.torch import save_file, load_file

from htnet_torch import HTNet


CONFIG = {"image_size": 28, "patch_size": 7, "dim": 8, "heads": 2, "num_hierarchies": 3,
          "block_repeats": [1, 1, 2], "mlp_mult": 4, "channels": 3, "num_classes": 3}


def build(cfg):
    return HTNet(cfg["image_size"], cfg["patch_size"], cfg["dim"], cfg["heads"], cfg["num_hierarchies"],
                 cfg["block_repeats"], cfg["num_classes"], cfg["mlp_mult"], cfg["channels"])


def make(folder):
    torch.manual_seed(7)
    model = build(CONFIG)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".g"):
                p.uniform_(0.5, 1.5)
            elif name.endswith(".b") or name.endswith("pos_emb"):
                p.uniform_(-0.3, 0.3)
    model.eval()
    inputs = torch.rand(5, 3, 28, 28) * 255  # composed inputs are BGR flow values 0...255
    with torch.no_grad():
        logits = model(inputs)
        logits64 = model.double()(inputs.double())
    state = {k: v.contiguous() for k, v in model.float().state_dict().items()}
    save_file(state, f"{folder}/htnet-torch-state-dict.safetensors")
    err = (logits.double() - logits64).abs().max().item()
    save_file({"inputs": inputs, "logits": logits},
              f"{folder}/htnet-torch-state-dict-io.safetensors",
              metadata={"config": json.dumps(CONFIG), "torch_version": torch.__version__,
                        "f32_vs_f64_logits_max_abs": repr(err), "seed": "7"})
    print("logits", logits, "f32 vs f64", err)


def load(path):
    from safetensors import safe_open
    with safe_open(path, "pt") as f:
        meta = f.metadata()
    cfg = json.loads(meta["config"])
    model = build(cfg)
    model.load_state_dict(load_file(path), strict=True)  # raises on a missing or unexpected name or shape
    model.eval()
    torch.manual_seed(0)
    with torch.no_grad():
        print("loaded strictly:", path, "epoch", meta.get("epoch"), "fold", meta.get("fold"))
        print("logits of 2 random inputs:", model(torch.rand(2, cfg["channels"], cfg["image_size"], cfg["image_size"]) * 255))


if __name__ == "__main__":
    if sys.argv[1] == "--load":
        for p in sys.argv[2:]:
            load(p)
    else:
        make(sys.argv[1])
