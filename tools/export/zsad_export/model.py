"""A CLIP-shaped vision transformer written for export: the same block structure as OpenAI/open_clip ViTs
(conv patch embedding without bias, CLS token, ln_pre, pre-norm blocks, ln_post, proj), with the outputs the
detector heads read (DETECTORS.md). Attention is written with plain matmuls so the ONNX graph needs no fused ops.

Used two ways: with random weights for the parity tests (tests/Zsad.Inference.Tests/Heads), and with real open_clip
weights copied in by export_openclip.py on a machine with internet.
"""
import inspect
import math

import torch
from torch import nn
import torch.nn.functional as F


class QuickGELU(nn.Module):
    # OpenAI's activation: x * sigmoid(1.702 x). AnomalyCLIP and MediCLIP run it; VAND/AdaCLIP/MVFA run exact GELU.
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ExactGELU(nn.Module):
    # erf GELU; nn.GELU exports to Erf as well, spelt out so the variant is explicit in the graph.
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


class Block(nn.Module):
    def __init__(self, width, heads, act, ln_eps=1e-5):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width, eps=ln_eps)
        self.in_proj = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width, eps=ln_eps)
        self.c_fc = nn.Linear(width, 4 * width)
        self.act = QuickGELU() if act == "quickgelu" else ExactGELU()
        self.c_proj = nn.Linear(4 * width, width)

    def _split(self, t):
        n, l, w = t.shape
        return t.reshape(n, l, self.heads, w // self.heads).permute(0, 2, 1, 3)

    def _merge(self, t):
        n, h, l, d = t.shape
        return t.permute(0, 2, 1, 3).reshape(n, l, h * d)

    def attention(self, x):
        q, k, v = self.in_proj(x).chunk(3, dim=-1)
        q, k, v = self._split(q), self._split(k), self._split(v)
        scale = 1.0 / math.sqrt(q.shape[-1])
        a = torch.softmax((q * scale) @ k.transpose(-1, -2), dim=-1)
        return self.out_proj(self._merge(a @ v))

    def value_value_attention(self, x):
        # CLIP-Surgery style: the value projection attends to itself, softmax(v v^T / sqrt(d_h)) v, same weights.
        _, _, v = self.in_proj(x).chunk(3, dim=-1)
        v = self._split(v)
        scale = 1.0 / math.sqrt(v.shape[-1])
        a = torch.softmax((v * scale) @ v.transpose(-1, -2), dim=-1)
        return self.out_proj(self._merge(a @ v))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.c_proj(self.act(self.c_fc(self.ln_2(x))))


class MvfaAdapter(nn.Module):
    # MVFA's bottleneck adapter: h = LeakyReLU(fc1 x) is the segmentation feature; LeakyReLU(fc2 h) feeds back.
    def __init__(self, width, bottleneck):
        super().__init__()
        self.fc1 = nn.Linear(width, bottleneck, bias=False)
        self.fc2 = nn.Linear(bottleneck, width, bias=False)

    def forward(self, x):
        h = F.leaky_relu(self.fc1(x))
        return h, F.leaky_relu(self.fc2(h))


class ClipVisual(nn.Module):
    """mode selects what each exported layer output holds:
    - "raw":  residual stream after block k, CLS dropped (VAND, MediCLIP, AdaCLIP);
    - "vv":   ln_post(value-value stream after block k) @ proj, CLS dropped (AnomalyCLIP, AnoVL); the side path
              starts at block vv_start (1-based), seeded from the residual stream entering it, and each of its blocks
              adds value-value attention of ln_1(original stream) without the FFN (CLIP Surgery's dual path);
    - "mvfa": the segmentation adapter's bottleneck features at block k, CLS dropped; the adapters feed back into
              the residual stream as x <- 0.8 x + 0.1 y_seg + 0.1 y_det.
    global_ln_post: AnomalyCLIP's global feature skips ln_post (CLS @ proj); the others apply it.
    ln_eps, patch_bias, use_ln_pre: timm ViTs (BiomedCLIP) use LayerNorm eps 1e-6, a biased patch convolution and no
    ln_pre; CLIP's defaults are 1e-5, no bias, ln_pre."""

    def __init__(self, size=96, patch=16, width=64, layers=4, heads=4, embed=32, act="gelu", mode="raw",
                 out_layers=(1, 2, 3, 4), vv_start=2, global_ln_post=True, ln_eps=1e-5, patch_bias=False,
                 use_ln_pre=True):
        super().__init__()
        self.size, self.patch, self.grid = size, patch, size // patch
        self.mode, self.out_layers, self.vv_start, self.global_ln_post = mode, tuple(out_layers), vv_start, global_ln_post
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=patch_bias)
        self.class_embedding = nn.Parameter(torch.randn(width) * width ** -0.5)
        # Already on the input grid: a real export bakes the resized table in (export_openclip.py).
        self.positional_embedding = nn.Parameter(torch.randn(self.grid * self.grid + 1, width) * width ** -0.5)
        self.ln_pre = nn.LayerNorm(width, eps=ln_eps) if use_ln_pre else nn.Identity()
        self.blocks = nn.ModuleList([Block(width, heads, act, ln_eps) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width, eps=ln_eps)
        self.proj = nn.Parameter(torch.randn(width, embed) * width ** -0.5)
        if mode == "mvfa":
            self.seg_adapters = nn.ModuleDict({str(k): MvfaAdapter(width, embed) for k in out_layers})
            self.det_adapters = nn.ModuleDict({str(k): MvfaAdapter(width, embed) for k in out_layers})

    def output_names(self):
        return [f"tokens_{k}" for k in self.out_layers] + ["global"]

    def embed(self, pixels):
        """[N, 1 + G*G, width]: CLS and patch embeddings plus positional embeddings, before ln_pre (WinCLIP picks
        its windows from this sequence)."""
        x = self.conv1(pixels)
        n, w = x.shape[0], x.shape[1]
        x = x.reshape(n, w, -1).permute(0, 2, 1)
        cls = self.class_embedding.reshape(1, 1, w).expand(n, 1, w)
        return torch.cat([cls, x], dim=1) + self.positional_embedding

    def forward(self, pixels):
        x = self.ln_pre(self.embed(pixels))
        outs = {}
        vv = None
        for k, block in enumerate(self.blocks, start=1):
            if self.mode == "vv" and k >= self.vv_start:
                vv = (x if vv is None else vv) + block.value_value_attention(block.ln_1(x))
            x = block(x)
            if self.mode == "mvfa" and str(k) in self.seg_adapters:
                h_seg, y_seg = self.seg_adapters[str(k)](x)
                _, y_det = self.det_adapters[str(k)](x)
                x = 0.8 * x + 0.1 * y_seg + 0.1 * y_det
                outs[k] = h_seg[:, 1:, :]
            elif k in self.out_layers:
                outs[k] = (self.ln_post(vv) @ self.proj)[:, 1:, :] if self.mode == "vv" else x[:, 1:, :]
        cls_out = self.ln_post(x[:, 0, :]) if self.global_ln_post else x[:, 0, :]
        return tuple(outs[k] for k in self.out_layers) + (cls_out @ self.proj,)


def export_onnx(model, path, batch=2, opset=14):
    """opset 17 exports LayerNorm as one LayerNormalization node (fp32 statistics even on fp16 input, which fp16.py
    needs); 14 spells it out in ReduceMean/Pow/Sqrt, which the existing bundles were written with."""
    model.eval()
    dummy = torch.zeros(batch, 3, model.size, model.size)
    names = model.output_names()
    # torch >= 2.9 defaults to the dynamo exporter (opset >= 18, other node names); this graph is the TorchScript one.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, (dummy,), path, input_names=["pixels"], output_names=names,
                      dynamic_axes={"pixels": {0: "n"}, **{o: {0: "n"} for o in names}}, opset_version=opset,
                      do_constant_folding=True, **legacy)
