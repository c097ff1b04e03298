#!/usr/bin/env python3
"""Parity fixtures for tests/Zsad.Inference.Tests/Heads: for every implemented head, a tiny random-weight
CLIP-shaped model exported to a bundle, a few synthetic input slices, and the PyTorch reference map and image score
(zsad_export/reference.py) computed from the PyTorch model itself, not from the ONNX file: so a test that matches
also proves the export.

  python3 tools/export/parity.py OUT_DIR [--methods vand,anomalyclip,...]

Writes OUT_DIR/<case>/bundle/ (a valid bundle) and OUT_DIR/<case>/parity/{inputs,expected_map,expected_score}.f32
with parity/info.json. Random weights: these maps mean nothing as detection."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from zsad_export import reference as R  # noqa: E402
from zsad_export.bundle import CLIP_MEAN, CLIP_STD, write_bundle, write_f32  # noqa: E402
from zsad_export.adaclip import AdaClip  # noqa: E402
from zsad_export.model import ClipVisual  # noqa: E402
from zsad_export import winclip as W  # noqa: E402
from zsad_export.winclip import WinClipVisual  # noqa: E402

SIZE, PATCH, WIDTH, LAYERS, HEADS, EMBED, N = 96, 16, 64, 4, 4, 32, 3


def text_near(dim, spread=0.05):
    # Two unit vectors close to each other, so 100x logits differ by O(1) and the softmax is not saturated.
    base = torch.randn(dim)
    return R.l2(torch.stack([base + spread * torch.randn(dim), base + spread * torch.randn(dim)]))


def slices(n, size):
    # Smooth blobs plus noise, normalised like CLIP input: stands in for standardised MR slices.
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    out = []
    for i in range(n):
        cx, cy = 0.6 * torch.rand(2) - 0.3
        img = torch.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (0.1 + 0.2 * torch.rand(1))) + 0.1 * torch.randn(size, size)
        out.append(torch.stack([(img - m) / s for m, s in zip(CLIP_MEAN, CLIP_STD)]))
    return torch.stack(out)


def adapters_for(model, dims, embed):
    return {f"layer{k}": (torch.randn(embed, d) * d ** -0.5, 0.1 * torch.randn(embed))
            for k, d in zip(model.out_layers, dims)}


def build(case, out):
    torch.manual_seed(sum(map(ord, case)))  # stable across runs, unlike hash()
    x = slices(N, SIZE)
    kw = dict(size=SIZE, patch=PATCH, width=WIDTH, layers=LAYERS, heads=HEADS, embed=EMBED)
    adapters = memory = None
    image_score = None
    extra = {}
    if case in ("vand", "vand-fewshot"):
        model = ClipVisual(act="gelu", mode="raw", out_layers=(1, 2, 3, 4), **kw).eval()
        dims = [WIDTH] * 4
        adapters = adapters_for(model, dims, EMBED)
        text = text_near(EMBED)
        with torch.no_grad():
            *tok, g = model(x)
            m, s = R.vand_zero_shot(tok, list(adapters.values()), text, g, SIZE)
            if case == "vand-fewshot":
                normals = slices(2, SIZE)
                *mem_tok, _ = model(normals)
                mem = [t.reshape(-1, t.shape[-1]) for t in mem_tok]
                memory = torch.cat(mem, dim=1)              # [k*G*G, sum of layer dims], one row per patch
                few = R.vand_few_shot_map(tok, mem, SIZE)
                m = m + few
                # Per-image form of 0.5*(p_img + minmax(max map)): the map's fixed range [0, 3L] replaces the
                # test-set min-max (see docs/detectors.md).
                s = 0.5 * (s + m.flatten(1).max(dim=1).values / (3 * len(tok)))
                image_score = "vand-few-shot"
        method = "vand"
    elif case == "anomalyclip":
        model = ClipVisual(act="quickgelu", mode="vv", out_layers=(2, 3, 4), vv_start=2, global_ln_post=False, **kw).eval()
        dims = [EMBED] * 3
        text = text_near(EMBED, 0.2)
        with torch.no_grad():
            *tok, g = model(x)
            m, s = R.anomalyclip(tok, text, g, SIZE, sigma=4.0)
        method = "anomalyclip"
    elif case == "anovl":
        model = ClipVisual(act="gelu", mode="vv", out_layers=(4,), vv_start=1, **kw).eval()
        dims = [EMBED]
        text = text_near(EMBED, 0.5)
        with torch.no_grad():
            *tok, g = model(x)
            m, s = R.anovl(tok, text, g, SIZE)
        method = "anovl"
    elif case == "anovl-augmented":
        model = ClipVisual(act="gelu", mode="vv", out_layers=(4,), vv_start=1, **kw).eval()
        dims = [EMBED]
        with torch.no_grad():
            *tok, g = model(x)
            # The random model's globals of the 22 views agree to cos ~0.999: text near each other would score every
            # view alike, and a single-view score would pass for the mean. Normal and abnormal point both ways along
            # the direction from the original view's global to the views' mean instead, so the two scores differ.
            views = torch.stack([R.l2(model(v)[-1]) for v in R.anovl_views(x)])    # [22, N, D]
            u = R.l2((views.mean(dim=0) - views[0]).sum(dim=0))
            text = torch.stack([-u, u])
            m, _ = R.anovl(tok, text, g, SIZE)
            s = R.anovl_augmented_score(lambda v: model(v)[-1], x, text)
            # The views themselves, for the C# augmentation's own test (grid_sample, flips, grey, rot90).
            os.makedirs(os.path.join(out, case, "parity"), exist_ok=True)
            write_f32(os.path.join(out, case, "parity", "views.f32"), R.anovl_views(x))
        image_score = "augmented-mean"
        method = "anovl"
    elif case == "mediclip":
        model = ClipVisual(act="quickgelu", mode="raw", out_layers=(2, 3, 4), **kw).eval()
        dims = [WIDTH] * 3
        adapters = adapters_for(model, dims, EMBED)
        text = text_near(EMBED, 0.5)
        with torch.no_grad():
            *tok, g = model(x)
            m, s = R.mediclip(tok, list(adapters.values()), text, SIZE)
        method = "mediclip"
    elif case in ("mvfa", "mvfa-fewshot"):
        model = ClipVisual(act="gelu", mode="mvfa", out_layers=(1, 2, 3, 4), **kw).eval()
        dims = [EMBED] * 4
        text = text_near(EMBED)
        with torch.no_grad():
            *tok, g = model(x)
            if case == "mvfa-fewshot":
                *mem_tok, _ = model(slices(2, SIZE))
                mem = [t.reshape(-1, t.shape[-1]) for t in mem_tok]
                memory = torch.cat(mem, dim=1)              # [k*G*G, sum of layer dims]: seg-adapter features
                m, s = R.mvfa_few_shot(tok, mem, text, SIZE)
            else:
                m, s = R.mvfa_zero_shot(tok, text, SIZE)
        method = "mvfa"
    elif case == "adaclip":
        # Patch 8 at 96: a 12 x 12 grid, so hybrid semantic fusion really picks its top 100 of 144 patches.
        model = AdaClip(**{**kw, "patch": 8}).eval()
        dims = [EMBED] * 4
        text = None
        with torch.no_grad():
            *tok, g, per_image_text = model(x)
            m, s = R.adaclip(tok, g, per_image_text, SIZE)
        extra = dict(text_output="text", embed_dim=EMBED)
        method = "adaclip"
    elif case == "anovl-tta":
        model, dims, text, m, s, extra = anovl_tta(x, kw, os.path.join(out, case, "parity"))
        method = "anovl"
    elif case in ("winclip", "winclip-fewshot"):
        model = WinClipVisual(act="gelu", out_layers=(4,), **kw).eval()
        dims = [WIDTH]
        text = text_near(EMBED)
        with torch.no_grad():
            *tok, g, w2, w3 = model(x)
            window_memory = token_memory = None
            if case == "winclip-fewshot":
                *mem_tok, _, m2, m3 = model(slices(2, SIZE))
                window_memory = [m2.reshape(-1, EMBED), m3.reshape(-1, EMBED)]   # every window of k normal slices
                token_memory = [t.reshape(-1, t.shape[-1]) for t in mem_tok]    # raw patch tokens, one row per patch
            m, s = W.reference([w2, w3], tok, g, text, model.grid, SIZE, model.scales, model.stride,
                               window_memory=window_memory, token_memory=token_memory)
        write_case(out, case, x, m, s)
        W.write_winclip_bundle(os.path.join(out, case, "bundle"), model, f"tiny-{case}", "tiny-random-vit", "custom",
                               text, dims, window_memory=window_memory,
                               token_memory=None if token_memory is None else torch.cat(token_memory, dim=1))
        return
    else:
        raise SystemExit(f"unknown case {case}")
    folder = os.path.join(out, case)
    # MVFA feeds un-normalised [0, 1] images (DETECTORS.md): its manifest says mean 0, std 1.
    norm = dict(mean=[0.0] * 3, std=[1.0] * 3) if method == "mvfa" else {}
    write_bundle(os.path.join(folder, "bundle"), model, method, f"tiny-{case}", "tiny-random-vit", "custom", text, dims,
                 adapters=adapters, memory=memory, image_score=image_score, **norm, **extra)
    write_case(out, case, x, m, s)


def write_case(out, case, x, m, s):
    p = os.path.join(out, case, "parity")
    os.makedirs(p, exist_ok=True)
    write_f32(os.path.join(p, "inputs.f32"), x)
    write_f32(os.path.join(p, "expected_map.f32"), m)
    write_f32(os.path.join(p, "expected_score.f32"), s)
    with open(os.path.join(p, "info.json"), "w") as f:
        json.dump({"n": N, "size": SIZE}, f)


TTA = dict(steps=5, lr=1e-3, noiseStd=0.055, weightDecay=0.01)   # AnoVL's settings


def anovl_tta(x, kw, parity_dir):
    """AnoVL with its test-time adapter. The adapter's random draws (W, b as nn.Linear.reset_parameters makes them,
    then one noise tensor per step) are written to parity/draws.f32 in the order the C# adapter consumes them
    (per image, per layer: W [P, D], b [P], noise [steps, patches, D]); the C# test replays them."""
    model = ClipVisual(act="gelu", mode="vv", out_layers=(4,), vv_start=1, **kw).eval()
    prompts_per_side = 6
    base = torch.randn(EMBED)
    # Prompts spread widely, so that the two class vectors differ enough for p_a (no temperature) to have a range
    # in which the adaptation shows.
    raw = torch.stack([base + 3 * torch.randn(EMBED) for _ in range(2 * prompts_per_side)])
    # As AnoVL's prompt_ensemble.py: E holds the unit per-prompt rows (normal, then abnormal); each class vector
    # is L2(mean of the raw rows).
    E = R.l2(raw)
    text = torch.stack([R.l2(raw[:prompts_per_side].mean(0)), R.l2(raw[prompts_per_side:].mean(0))])
    bound = EMBED ** -0.5
    draws, maps, scores = [], 0, None
    with torch.no_grad():
        *tok, g = model(x)
    adapted = []
    for t in tok:
        rows = []
        for b in range(t.shape[0]):
            w0 = (torch.rand(2 * prompts_per_side, EMBED) * 2 - 1) * bound
            b0 = (torch.rand(2 * prompts_per_side) * 2 - 1) * bound
            noises = torch.randn(TTA["steps"], *t[b].shape) * TTA["noiseStd"]
            draws += [w0.flatten(), b0, noises.flatten()]
            rows.append(R.anovl_tta_tokens(t[b], E, text, w0, b0, noises, TTA["lr"], TTA["weightDecay"]))
        adapted.append(torch.stack(rows))
    with torch.no_grad():
        maps, scores = R.anovl(adapted, text, g, SIZE)
    os.makedirs(parity_dir, exist_ok=True)
    write_f32(os.path.join(parity_dir, "draws.f32"), torch.cat(draws))
    extra = dict(prompt_embeddings=E, test_time_adapter=TTA)
    return model, [EMBED], text, maps, scores, extra


CASES = ["vand", "vand-fewshot", "anomalyclip", "anovl", "mediclip", "mvfa", "mvfa-fewshot", "winclip", "winclip-fewshot",
         "adaclip", "anovl-tta", "anovl-augmented"]

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--methods", default=",".join(CASES))
    a = ap.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    for c in a.methods.split(","):
        build(c, a.out)
    print("ok", a.methods)
