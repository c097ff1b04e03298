#!/usr/bin/env python3
"""Random-weight ViT-L/14@240 shape (width 1024, 24 blocks, 16 heads, patch 14 -> 17x17 grid, the conv dropping
the last 2 px; embed 768; exact GELU; layers 6/12/18/24, as DETECTORS.md's VAND), or with --small the same
structure shrunk for a CPU dry run. Writes the bench's VAND bundle pair twice, OUT/fp32 (opset 17 export) and
OUT/fp16 (the same encoder through zsad_export.fp16), then times PyTorch eager on the same weights: fp32 and fp16 on
CUDA when this torch has CUDA; else fp32 on the CPU, for scale only. Random weights: speed only.

  clip_encoder_gpu.py OUT_DIR BATCH RUNS [--small]
prints one line: DEVICE TORCH_VERSION FP32_SLICES_PER_S FP16_SLICES_PER_S ("-" where not measured)"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx  # noqa: E402
from clip_bundles import with_encoder, write_vand_pair  # noqa: E402
from zsad_export import fp16  # noqa: E402
from zsad_export.model import ClipVisual  # noqa: E402

out, batch, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
small = "--small" in sys.argv[4:]
torch.manual_seed(0)
if small:
    shape = dict(width=128, layers=4, heads=4, embed=96, out_layers=(1, 2, 3, 4))
else:
    shape = dict(width=1024, layers=24, heads=16, embed=768, out_layers=(6, 12, 18, 24))
model = ClipVisual(size=240, patch=14, act="gelu", mode="raw", **shape).eval()
assert model.grid == 17, model.grid
full, half = os.path.join(out, "fp32"), os.path.join(out, "fp16")
write_vand_pair(full, model, shape["width"], shape["embed"], "ViT-L-14-240" + (" (small dry run)" if small else ""),
                opset=17)
if not os.path.exists(os.path.join(half, "zero-shot", "manifest.json")):
    converted = os.path.join(out, "encoder-fp16.onnx")
    onnx.save(fp16.convert(onnx.load(os.path.join(full, "few-shot", "encoder.onnx"))), converted)
    with_encoder(full, half, converted)


def slices_per_s(m, x, sync):
    times = []
    with torch.no_grad():
        m(x)
        sync()
        for _ in range(runs):
            t = time.perf_counter()
            m(x)
            sync()
            times.append(time.perf_counter() - t)
    return f"{batch / statistics.median(times):.3f}"


x = torch.randn(batch, 3, 240, 240)
if torch.cuda.is_available():
    gpu = model.cuda()
    sync = torch.cuda.synchronize
    f32 = slices_per_s(gpu, x.cuda(), sync)
    f16 = slices_per_s(gpu.half(), x.cuda().half(), sync)
    print(f"cuda:{torch.cuda.get_device_name(0).replace(' ', '_')} {torch.__version__} {f32} {f16}")
elif small:
    # For scale only; CPU torch cannot run LayerNorm in half, so fp16 is not measured.
    print(f"cpu {torch.__version__} {slices_per_s(model, x, lambda: None)} -")
else:
    # ViT-L/14 on a CPU would cost minutes for a number nobody compares against a GPU.
    print(f"no-cuda {torch.__version__} - -")
