#!/usr/bin/env python3
"""Random-weight ViT-B-16-plus-240 shape (width 896, 12 blocks, 14 heads, embed 640, patch 16, input 240) through
the exporter's ClipVisual. Writes two VAND bundles around one exported encoder (OUT/zero-shot, OUT/few-shot with a
memory bank of one normal image's tokens; the encoder file is hard-linked) for the ONNX Runtime side, and times
PyTorch eager fp32 on the same model: prints slices/s (median of RUNS timed batches after one warm-up).
Random weights: speed only.

  clip_encoder_torch.py OUT_DIR BATCH RUNS THREADS"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_bundles import write_vand_pair  # noqa: E402
from zsad_export.model import ClipVisual  # noqa: E402

out, batch, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = ClipVisual(size=240, patch=16, width=896, layers=12, heads=14, embed=640, act="gelu", mode="raw",
                   out_layers=(3, 6, 9, 12)).eval()
write_vand_pair(out, model, 896, 640, "ViT-B-16-plus-240")
x = torch.randn(batch, 3, 240, 240)
times = []
with torch.no_grad():
    model(x)
    for _ in range(runs):
        t = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - t)
print(f"{batch / statistics.median(times):.3f}")
