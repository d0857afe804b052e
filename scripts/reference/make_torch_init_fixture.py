"""Makes Tests/Fixtures/htnet-torch-init-heldout.safetensors: PyTorch's initial HTNet weights for
seeds and shapes not in ../shared/fixtures/htnet-torch-init.safetensors (same format).

Reference values only (the product never runs Python). Needs torch (CPU) and safetensors:
    python3 -m venv venv && . venv/bin/activate && pip install torch safetensors numpy
    python3 scripts/reference/make_torch_init_fixture.py OUT.safetensors [--check SHARED_FIXTURE] [--reference-d64]
The model (htnet_torch.py) follows the construction order of the official HTNet Model.py (what draws
from the generator: Conv2d/Linear weight then bias, Transformer pos_emb = randn(seq_len) before its
layers); --check rebuilds the shared fixture's models and asserts equality first.
"""
import json, sys
import torch
from safetensors.torch import save_file, load_file

from htnet_torch import HTNet


def build(m):
    torch.manual_seed(m["seed"])
    net = HTNet(image_size=m.get("image_size", 28), patch_size=m.get("patch_size", 7), num_classes=m.get("num_classes", 3),
                dim=m["dim"], heads=m.get("heads", 3), num_hierarchies=m.get("num_hierarchies", 3),
                block_repeats=m["block_repeats"])
    return net.state_dict()


def main():
    out = sys.argv[1]
    if "--check" in sys.argv:
        shared = sys.argv[sys.argv.index("--check") + 1]
        from safetensors import safe_open
        with safe_open(shared, "pt") as f:
            models = json.loads(f.metadata()["models"])
        ref = load_file(shared)
        for m in models:
            sd = build(m)
            assert list(sd.keys()) == m["order"], m["tag"]
            for k, v in sd.items():
                assert torch.equal(v, ref[m["tag"] + "." + k]), (m["tag"], k)
        print("shared fixture reproduced:", [m["tag"] for m in models])
    models = [
        dict(dim=16, block_repeats=[1, 1, 2], seed=7),
        dict(dim=8, block_repeats=[1, 2, 1], seed=12345),
        dict(dim=20, block_repeats=[1, 1], num_hierarchies=2, seed=5),            # seq_len 4: cached normals
        dict(dim=12, block_repeats=[1], num_hierarchies=1, seed=9),               # seq_len 16: vectorised normal_
        dict(dim=12, block_repeats=[1, 2], num_hierarchies=2, image_size=70, seed=11),  # seq_len 25: tail of 16
        dict(dim=8, heads=4, num_classes=5, block_repeats=[1, 1, 1], seed=2 ** 32 + 4),  # seed above 32 bits
    ]
    if "--reference-d64" in sys.argv:   # too large for Tests/Fixtures (34 MB): checked by hand
        models = [dict(dim=64, block_repeats=[2, 2, 10], seed=s) for s in (1, 2, 3)]
    tensors, meta = {}, []
    for m in models:
        tag = "d{}_r{}_h{}_s{}".format(m["dim"], "-".join(map(str, m["block_repeats"])), m.get("num_hierarchies", 3), m["seed"])
        sd = build(m)
        for k, v in sd.items():
            tensors[tag + "." + k] = v.contiguous()
        meta.append(dict(m, tag=tag, heads=m.get("heads", 3), num_classes=m.get("num_classes", 3), order=list(sd.keys())))
    # Plain torch.randn draws: the vectorised normal_ path over many blocks and a ragged tail,
    # a uniform_ of odd bounds, and randn(1) twice (the second one is the cached sin value).
    for seed, n in ((42, 1000), (7, 40), (3, 17)):
        torch.manual_seed(seed)
        tensors["randn.s{}.n{}".format(seed, n)] = torch.randn(n)
    torch.manual_seed(5)
    tensors["randn1x3.s5"] = torch.cat([torch.randn(1), torch.randn(1), torch.randn(1)])
    save_file(tensors, out, metadata={"models": json.dumps(meta), "torch": torch.__version__,
                                      "how": "scripts/reference/make_torch_init_fixture.py"})
    print("wrote", out, len(tensors), "tensors")


if __name__ == "__main__":
    main()
