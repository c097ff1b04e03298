#!/usr/bin/env python3
"""Random-weight ViT-B-16-plus-240 shape (width 896, 12 blocks, 14 heads, embed 640, patch 16, input 240) through
the exporter's ClipVisual. Writes two VAND bundles around one exported encoder (OUT/zero-shot, OUT/few-shot with a
memory bank of one normal image's tokens; the encoder file is hard-linked) for the ONNX Runtime side, and times
PyTorch eager fp32 on the same model: prints slices/s (median of RUNS timed batches after one warm-up).
Random weights: speed only.

  clip_encoder_torch.py OUT_DIR BATCH RUNS THREADS"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "export"))
import torch  # noqa: E402

from zsad_export.bundle import write_bundle  # noqa: E402
from zsad_export.model import ClipVisual  # noqa: E402
from zsad_export.reference import l2  # noqa: E402

out, batch, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
layers = (3, 6, 9, 12)
model = ClipVisual(size=240, patch=16, width=896, layers=12, heads=14, embed=640, act="gelu", mode="raw",
                   out_layers=layers).eval()
few, zero = os.path.join(out, "few-shot"), os.path.join(out, "zero-shot")
if not os.path.exists(os.path.join(zero, "manifest.json")):
    with torch.no_grad():
        memory = torch.cat([t.reshape(-1, 896) for t in model(torch.randn(1, 3, 240, 240))[:-1]], dim=1)
    adapters = {f"layer{k}": (torch.randn(640, 896) * 896 ** -0.5, torch.zeros(640)) for k in layers}
    write_bundle(few, model, "vand", "bench-vand-few", "ViT-B-16-plus-240", "custom", l2(torch.randn(2, 640)),
                 [896] * 4, adapters=adapters, memory=memory, image_score="vand-few-shot")
    os.makedirs(zero, exist_ok=True)
    manifest = json.load(open(os.path.join(few, "manifest.json")))
    del manifest["memoryBank"], manifest["files"]["memory_bank.f32"]
    manifest["imageScore"] = "global-softmax"
    for f in manifest["files"]:
        if not os.path.exists(os.path.join(zero, f)):
            os.link(os.path.join(few, f), os.path.join(zero, f))
    json.dump(manifest, open(os.path.join(zero, "manifest.json"), "w"), indent=2)
x = torch.randn(batch, 3, 240, 240)
times = []
with torch.no_grad():
    model(x)
    for _ in range(runs):
        t = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - t)
print(f"{batch / statistics.median(times):.3f}")
