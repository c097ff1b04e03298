#!/usr/bin/env python3
"""PyTorch reference for `zsad train` (tests/Zsad.Training.Tests): one VAND / APRIL-GAN training step on frozen
raw tokens, written after the authors' train.py and loss.py (ByChelsea/VAND-APRIL-GAN f13b8a6): per layer
Linear(dim -> D) on the tokens (CLS already dropped), L2, 100 * f @ T (here 1/temperature), bilinear upsampling of
both logit planes (align_corners=True) to S x S, softmax over [normal, abnormal]; loss = sum over layers of
FocalLoss(gamma 2, smooth 1e-5) + BinaryDiceLoss(p_a, g); torch.optim.Adam(lr, betas=(0.5, 0.999)).

  python3 tools/export/train_reference.py DIR
  python3 tools/export/train_reference.py --tiny-bundle OUT [--patch P]

--tiny-bundle writes a tiny random-weight VAND bundle (ViT 96 px, patch 8 -> 12x12 grid, width 64, 4 layers, embed
32, raw tokens of layers 1 and 2, random adapters, weights "custom") for the learning and end-to-end tests: parity.py's
patch-16 model has a 6x6 grid, coarser than the synthetic lesions, and the deeper blocks of a random ViT mix tokens
across the image (random attention), which leaves a linear adapter little local signal to learn from. Random weights: nothing it maps means detection.

DIR/info.json: {"batch", "size", "embed", "temperature", "lr", "layers": [[grid, dim], ...]}
DIR/tokens.f32 (per image, per layer [grid*grid, dim]), targets.f32 [B, S, S], text.f32 [2, D],
params.f32 (w0 [D, dim0], b0 [D], w1, b1, ...). Writes DIR/updated.f32 (same layout as params.f32 after one step),
DIR/grads.f32 and DIR/loss.json ({"focal", "dice"})."""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def focal_loss(prob, target, gamma=2.0, smooth=1e-5):
    # loss.py FocalLoss with apply_nonlin=None, alpha=None, balance_index=0, size_average=True, on [B, 2, H, W].
    c = prob.shape[1]
    p = prob.permute(0, 2, 3, 1).reshape(-1, c)
    idx = target.reshape(-1, 1).long()
    one_hot = torch.zeros(idx.shape[0], c).scatter_(1, idx, 1)
    one_hot = torch.clamp(one_hot, smooth / (c - 1), 1.0 - smooth)
    pt = (one_hot * p).sum(1) + smooth
    return (-1 * torch.pow(1 - pt, gamma) * pt.log()).mean()


def dice_loss(p, target):
    # loss.py BinaryDiceLoss: per image (2 sum(pg) + 1) / (sum p + sum g + 1), mean over the batch.
    n = target.shape[0]
    pf, tf = p.reshape(n, -1), target.reshape(n, -1)
    eff = (2 * (pf * tf).sum(1) + 1) / (pf.sum(1) + tf.sum(1) + 1)
    return 1 - eff.sum() / n


def load(d):
    with open(os.path.join(d, "info.json")) as f:
        info = json.load(f)
    f32 = lambda name: torch.from_numpy(np.fromfile(os.path.join(d, name), dtype="<f4"))
    return info, f32("tokens.f32"), f32("targets.f32"), f32("text.f32"), f32("params.f32")


def build(info, tokens, params):
    b, e = info["batch"], info["embed"]
    layers = [tuple(l) for l in info["layers"]]
    linears = torch.nn.ModuleList([torch.nn.Linear(dim, e) for _, dim in layers])
    off = 0
    with torch.no_grad():
        for lin, (_, dim) in zip(linears, layers):
            lin.weight.copy_(params[off:off + e * dim].view(e, dim)); off += e * dim
            lin.bias.copy_(params[off:off + e]); off += e
    per_image = sum(g * g * dim for g, dim in layers)
    tok = tokens.view(b, per_image)
    out, off = [], 0
    for g, dim in layers:
        out.append(tok[:, off:off + g * g * dim].reshape(b, g * g, dim)); off += g * g * dim
    return linears, out, layers


def step_loss(info, linears, patch_tokens, layers, targets, text):
    b, s = info["batch"], info["size"]
    gt = targets.view(b, s, s)
    focal = dice = 0
    for lin, tok, (g, _) in zip(linears, patch_tokens, layers):
        f = lin(tok)
        f = f / f.norm(dim=-1, keepdim=True)
        logits = (f @ text.view(2, -1).t()) / info["temperature"]          # [B, L, 2]
        logits = logits.permute(0, 2, 1).reshape(b, 2, g, g)
        logits = F.interpolate(logits, size=s, mode="bilinear", align_corners=True)
        prob = torch.softmax(logits, dim=1)
        focal = focal + focal_loss(prob, gt)
        dice = dice + dice_loss(prob[:, 1, :, :], gt)
    return focal, dice


def main(d):
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    info, tokens, targets, text, params = load(d)
    linears, patch_tokens, layers = build(info, tokens, params)
    opt = torch.optim.Adam(linears.parameters(), lr=info["lr"], betas=(0.5, 0.999))
    focal, dice = step_loss(info, linears, patch_tokens, layers, targets, text)
    opt.zero_grad()
    (focal + dice).backward()
    grads = torch.cat([torch.cat([l.weight.grad.flatten(), l.bias.grad]) for l in linears])
    opt.step()
    updated = torch.cat([torch.cat([l.weight.detach().flatten(), l.bias.detach()]) for l in linears])
    updated.numpy().astype("<f4").tofile(os.path.join(d, "updated.f32"))
    grads.numpy().astype("<f4").tofile(os.path.join(d, "grads.f32"))
    with open(os.path.join(d, "loss.json"), "w") as f:
        json.dump({"focal": float(focal), "dice": float(dice)}, f)
    print("ok")


def tiny_model(patch=8):
    """The tiny random-weight VAND model of --tiny-bundle (fixed seed): (model, adapters, text)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from parity import adapters_for, text_near
    from zsad_export.model import ClipVisual
    torch.manual_seed(1234)
    size, width, embed = 96, 64, 32
    model = ClipVisual(act="gelu", mode="raw", out_layers=(1, 2), size=size, patch=patch, width=width,
                       layers=4, heads=4, embed=embed).eval()
    return model, adapters_for(model, [width] * 2, embed), text_near(embed)


def tiny_bundle(out, patch=8):
    from zsad_export.bundle import write_bundle
    model, adapters, text = tiny_model(patch)
    write_bundle(out, model, "vand", "tiny-vand-train", "tiny-random-vit", "custom", text, [64] * 2, adapters=adapters)
    print("ok")


if __name__ == "__main__":
    if sys.argv[1] == "--tiny-bundle":
        torch.set_num_threads(min(2, os.cpu_count() or 1))
        tiny_bundle(sys.argv[2], int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--patch" else 8)
    else:
        main(sys.argv[1])
