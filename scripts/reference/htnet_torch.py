"""The official HTNet Model.py (a NesT) in PyTorch, for the reference scripts of this folder:
patch embedding, per-level Transformers on blocks, Aggregate (conv 3x3, channel LayerNorm, max-pool
3/2/1), head LayerNorm + mean + Linear (docs/DESIGN.md section 3). The construction order is the
reference's, so `torch.manual_seed(s); HTNet(...)` draws exactly the reference's initial weights
(make_torch_init_fixture.py --check asserts it against ../shared/fixtures/htnet-torch-init.safetensors).

Reference values only: the product never runs Python.
"""
import torch
from torch import nn


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
