"""Makes Tests/Fixtures/htnet-torch-init-heldout.safetensors: PyTorch's initial HTNet weights for
seeds and shapes not in ../shared/fixtures/htnet-torch-init.safetensors (same format).

Reference values only (the product never runs Python). Needs torch (CPU) and safetensors:
    python3 -m venv venv && . venv/bin/activate && pip install torch safetensors numpy
    python3 scripts/reference/make_torch_init_fixture.py OUT.safetensors [--check SHARED_FIXTURE] [--reference-d64]
The model below follows the construction order of the official HTNet Model.py (only what draws
from the generator matters: Conv2d/Linear weight then bias, Transformer pos_emb = randn(seq_len)
before its layers); --check rebuilds the shared fixture's models and asserts equality first.
"""
import json, math, sys
import torch
from torch import nn
from safetensors.torch import save_file, load_file


class LayerNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))
        self.b = nn.Parameter(torch.zeros(1, dim, 1, 1))


class PreNorm(nn.Module):
    def __init__(self, dim, fn):
        super().__init__()
        self.norm = LayerNorm(dim)
        self.fn = fn


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(dim, dim * mult, 1), nn.GELU(), nn.Dropout(0.),
                                 nn.Conv2d(dim * mult, dim, 1), nn.Dropout(0.))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        dim_head = dim // heads
        inner = dim_head * heads
        self.to_qkv = nn.Conv2d(dim, inner * 3, 1, bias=False)
        self.to_out = nn.Sequential(nn.Conv2d(inner, dim, 1), nn.Dropout(0.))


class Transformer(nn.Module):
    def __init__(self, dim, seq_len, depth, heads, mlp_mult):
        super().__init__()
        self.layers = nn.ModuleList([])
        self.pos_emb = nn.Parameter(torch.randn(seq_len))
        for _ in range(depth):
            self.layers.append(nn.ModuleList([PreNorm(dim, Attention(dim, heads)),
                                              PreNorm(dim, FeedForward(dim, mlp_mult))]))


def Aggregate(dim, dim_out):
    return nn.Sequential(nn.Conv2d(dim, dim_out, 3, padding=1), LayerNorm(dim_out),
                         nn.MaxPool2d(3, stride=2, padding=1))


class HTNet(nn.Module):
    def __init__(self, image_size, patch_size, num_classes, dim, heads, num_hierarchies, block_repeats,
                 mlp_mult=4, channels=3):
        super().__init__()
        fmap = image_size // patch_size
        blocks = 2 ** (num_hierarchies - 1)
        seq_len = (fmap // blocks) ** 2
        hierarchies = list(reversed(range(num_hierarchies)))
        mults = [2 ** i for i in reversed(hierarchies)]
        layer_heads = [heads * m for m in mults]
        layer_dims = [dim * m for m in mults]
        last_dim = layer_dims[-1]
        layer_dims = [*layer_dims, layer_dims[-1]]
        dim_pairs = zip(layer_dims[:-1], layer_dims[1:])
        self.to_patch_embedding = nn.Sequential(nn.Identity(), nn.Conv2d(channels * patch_size ** 2, layer_dims[0], 1))
        self.layers = nn.ModuleList([])
        for level, h, (din, dout), rep in zip(hierarchies, layer_heads, dim_pairs, block_repeats):
            is_last = level == 0
            self.layers.append(nn.ModuleList([Transformer(din, seq_len, rep, h, mlp_mult),
                                              Aggregate(din, dout) if not is_last else nn.Identity()]))
        self.mlp_head = nn.Sequential(LayerNorm(last_dim), nn.Identity(), nn.Linear(last_dim, num_classes))


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
