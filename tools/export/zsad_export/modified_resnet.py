"""PMC-CLIP's image tower written for export: CLIP's ModifiedResNet (a stem of three 3x3 convolutions and an average
pool, Bottleneck blocks whose stride is an average pool before the last 1x1 convolution, attention pooling), with
open_clip's parameter names so a checkpoint's state dict loads by name. The exported outputs are the four stage
feature maps flattened to tokens (`tokens_<k>` [N, grid_k^2, C_k], no CLS: a ResNet has none) and the attention-pool
embedding (`global`). Attention pooling is written with plain matmuls so the ONNX graph needs no fused ops."""
import math
from collections import OrderedDict

import torch
from torch import nn


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        # Anti-aliased stride: the 3x3 convolution keeps stride 1, an average pool downsamples (CLIP's change).
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.downsample = None
        if stride > 1 or inplanes != planes * self.expansion:
            # Named "-1", "0", "1" as in CLIP so the checkpoint's downsample.0 / downsample.1 keys land here.
            self.downsample = nn.Sequential(OrderedDict([
                ("-1", nn.AvgPool2d(stride) if stride > 1 else nn.Identity()),
                ("0", nn.Conv2d(inplanes, planes * self.expansion, 1, bias=False)),
                ("1", nn.BatchNorm2d(planes * self.expansion))]))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(self.avgpool(out)))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class AttentionPool2d(nn.Module):
    """The mean token is prepended to the spatial tokens, positional embeddings are added, and multi-head attention
    with the mean token as the only query gives the embedding (CLIP returns row 0 of full self-attention: the same)."""

    def __init__(self, tokens, embed_dim, heads, output_dim):
        super().__init__()
        self.heads = heads
        self.positional_embedding = nn.Parameter(torch.randn(tokens + 1, embed_dim) / embed_dim ** 0.5)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.c_proj = nn.Linear(embed_dim, output_dim)

    def forward(self, x):
        n, c = x.shape[0], x.shape[1]
        x = x.reshape(n, c, -1).permute(0, 2, 1)
        x = torch.cat([x.mean(dim=1, keepdim=True), x], dim=1) + self.positional_embedding
        d = c // self.heads
        q = self.q_proj(x[:, :1]).reshape(n, 1, self.heads, d).permute(0, 2, 1, 3)
        k = self.k_proj(x).reshape(n, -1, self.heads, d).permute(0, 2, 1, 3)
        v = self.v_proj(x).reshape(n, -1, self.heads, d).permute(0, 2, 1, 3)
        a = torch.softmax((q / math.sqrt(d)) @ k.transpose(-1, -2), dim=-1)
        return self.c_proj((a @ v).permute(0, 2, 1, 3).reshape(n, c))


class ModifiedResNetVisual(nn.Module):
    """stage_blocks [3, 4, 6, 3] and width 64 are ResNet-50 (PMC-CLIP); stage k has 4 * width * 2^(k-1) channels on
    a size / 2^(k+1) grid (56/28/14/7 at 224). heads: CLIP's width * 32 // 64."""

    def __init__(self, size=224, stage_blocks=(3, 4, 6, 3), width=64, output_dim=768, heads=None,
                 out_layers=(1, 2, 3, 4)):
        super().__init__()
        if size % 32:
            raise ValueError(f"ModifiedResNet input size must be a multiple of 32 (five halvings), not {size}")
        self.size, self.out_layers = size, tuple(out_layers)
        self.grids = [size // 2 ** (k + 1) for k in range(1, 5)]
        self.dims = [width * 4 * 2 ** (k - 1) for k in range(1, 5)]
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self.avgpool = nn.AvgPool2d(2)
        inplanes = width
        for k, blocks in enumerate(stage_blocks, start=1):
            planes, stride = width * 2 ** (k - 1), 1 if k == 1 else 2
            layer = [Bottleneck(inplanes, planes, stride)]
            inplanes = planes * Bottleneck.expansion
            layer += [Bottleneck(inplanes, planes) for _ in range(blocks - 1)]
            setattr(self, f"layer{k}", nn.Sequential(*layer))
        self.attnpool = AttentionPool2d(self.grids[-1] ** 2, width * 32, heads or width * 32 // 64, output_dim)

    def output_names(self):
        return [f"tokens_{k}" for k in self.out_layers] + ["global"]

    def layer_grids(self):
        return [self.grids[k - 1] for k in self.out_layers]

    def layer_dims(self):
        return [self.dims[k - 1] for k in self.out_layers]

    def forward(self, pixels):
        x = torch.relu(self.bn1(self.conv1(pixels)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = self.avgpool(torch.relu(self.bn3(self.conv3(x))))
        outs = []
        for k in range(1, 5):
            x = getattr(self, f"layer{k}")(x)
            if k in self.out_layers:
                outs.append(x.flatten(2).transpose(1, 2))
        return tuple(outs) + (self.attnpool(x),)
