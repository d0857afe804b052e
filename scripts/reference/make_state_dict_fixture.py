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
from torch import nn
from safetensors.torch import save_file, load_file


class LayerNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))
        self.b = nn.Parameter(torch.zeros(1, dim, 1, 1))

    def forward(self, x):
        var = torch.var(x, dim=1, unbiased=False, keepdim=True)
        mean = torch.mean(x, dim=1, keepdim=True)
        return (x - mean) / (var + self.eps).sqrt() * self.g + self.b


class PreNorm(nn.Module):
    def __init__(self, dim, fn):
        super().__init__()
        self.norm = LayerNorm(dim)
        self.fn = fn

    def forward(self, x):
        return self.fn(self.norm(x))


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(dim, dim * mult, 1), nn.GELU(), nn.Dropout(0.),
                                 nn.Conv2d(dim * mult, dim, 1), nn.Dropout(0.))

    def forward(self, x):
        return self.net(x)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        dim_head = dim // heads
        inner = dim_head * heads
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.to_qkv = nn.Conv2d(dim, inner * 3, 1, bias=False)
        self.to_out = nn.Sequential(nn.Conv2d(inner, dim, 1), nn.Dropout(0.))

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.to_qkv(x).chunk(3, dim=1)
        # 'b (h d) x y -> b h (x y) d'
        q, k, v = [t.reshape(b, self.heads, -1, h * w).transpose(2, 3) for t in (q, k, v)]
        attn = (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)
        out = attn @ v                                   # b h (x y) d
        out = out.transpose(2, 3).reshape(b, -1, h, w)   # 'b h (x y) d -> b (h d) x y'
        return self.to_out(out)


class Transformer(nn.Module):
    def __init__(self, dim, seq_len, depth, heads, mlp_mult):
        super().__init__()
        self.layers = nn.ModuleList([])
        self.pos_emb = nn.Parameter(torch.randn(seq_len))
        for _ in range(depth):
            self.layers.append(nn.ModuleList([PreNorm(dim, Attention(dim, heads)),
                                              PreNorm(dim, FeedForward(dim, mlp_mult))]))

    def forward(self, x):
        *_, h, w = x.shape
        x = x + self.pos_emb[:h * w].reshape(1, 1, h, w)
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return x


def Aggregate(dim, dim_out):
    return nn.Sequential(nn.Conv2d(dim, dim_out, 3, padding=1), LayerNorm(dim_out),
                         nn.MaxPool2d(3, stride=2, padding=1))


class HTNet(nn.Module):
    def __init__(self, image_size, patch_size, dim, heads, num_hierarchies, block_repeats, num_classes,
                 mlp_mult=4, channels=3):
        super().__init__()
        fmap = image_size // patch_size
        blocks = 2 ** (num_hierarchies - 1)
        seq_len = (fmap // blocks) ** 2
        hierarchies = list(reversed(range(num_hierarchies)))
        mults = [2 ** i for i in reversed(hierarchies)]
        layer_heads = [m * heads for m in mults]
        layer_dims = [m * dim for m in mults]
        last_dim = layer_dims[-1]
        layer_dims = [*layer_dims, layer_dims[-1]]
        self.patch_size = patch_size
        self.to_patch_embedding = nn.Sequential(nn.Identity(), nn.Conv2d(channels * patch_size ** 2, layer_dims[0], 1))
        self.layers = nn.ModuleList([])
        for level, h, din, dout, rep in zip(hierarchies, layer_heads, layer_dims[:-1], layer_dims[1:], block_repeats):
            self.layers.append(nn.ModuleList([Transformer(din, seq_len, rep, h, mlp_mult),
                                              Aggregate(din, dout) if level != 0 else nn.Identity()]))
        self.mlp_head = nn.Sequential(LayerNorm(last_dim), nn.Identity(), nn.Linear(last_dim, num_classes))

    def forward(self, img):
        b, c, H, W = img.shape
        p = self.patch_size
        # 'b c (h p1) (w p2) -> b (p1 p2 c) h w'
        x = img.reshape(b, c, H // p, p, W // p, p).permute(0, 3, 5, 1, 2, 4).reshape(b, p * p * c, H // p, W // p)
        x = self.to_patch_embedding(x)
        n = len(self.layers)
        for level, (transformer, aggregate) in zip(reversed(range(n)), self.layers):
            bs = 2 ** level
            _, ch, h, w = x.shape
            # 'b c (b1 h) (b2 w) -> (b b1 b2) c h w'
            x = x.reshape(b, ch, bs, h // bs, bs, w // bs).permute(0, 2, 4, 1, 3, 5).reshape(b * bs * bs, ch, h // bs, w // bs)
            x = transformer(x)
            x = x.reshape(b, bs, bs, ch, h // bs, w // bs).permute(0, 3, 1, 4, 2, 5).reshape(b, ch, h, w)
            x = aggregate(x)
        x = self.mlp_head[0](x).mean(dim=(2, 3))
        return self.mlp_head[2](x)


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
