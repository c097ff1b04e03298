#!/usr/bin/env python3
"""Random-weight ViT-L/14@240 shape (width 1024, 24 blocks, 16 heads, patch 14 -> 17x17 grid, the conv dropping
the last 2 px; embed 768; exact GELU; layers 6/12/18/24, as DETECTORS.md's VAND), or with --small the same
structure shrunk for a CPU dry run. Writes the bench's VAND bundle pair twice, OUT/fp32 (opset 17 export) and
OUT/fp16 (the same encoder through zsad_export.fp16), then times PyTorch on the same weights at each batch size:
eager fp32 and fp16 on CUDA when this torch has CUDA (plus torch.compile fp16 at the largest batch with --compile,
where it runs); else
eager fp32 on the CPU, for scale only. Random weights: speed only.

  clip_encoder_gpu.py OUT_DIR BATCHES RUNS [--small] [--compile]     BATCHES: comma list, e.g. 1,8,32,155
prints "device DEVICE TORCH_VERSION", then one line per measurement:
  MODE PRECISION BATCH SLICES_PER_S PEAK_MIB     (MODE eager|compile; PEAK_MIB torch's peak allocation, "-" on CPU)"""
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

out, batches, runs = sys.argv[1], [int(b) for b in sys.argv[2].split(",")], int(sys.argv[3])
small = "--small" in sys.argv[4:]
compile_too = "--compile" in sys.argv[4:]
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


def measure(mode, precision, m, dtype, device, sizes=None):
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for batch in sizes or batches:
        x = torch.randn(batch, 3, 240, 240, device=device, dtype=dtype)
        if device == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        times = []
        with torch.no_grad():
            for _ in range(2):  # warm-up (torch.compile compiles here, once per shape)
                m(x)
            sync()
            for _ in range(runs):
                t = time.perf_counter()
                m(x)
                sync()
                times.append(time.perf_counter() - t)
        peak = f"{torch.cuda.max_memory_allocated() / 2**20:.0f}" if device == "cuda" else "-"
        print(f"{mode} {precision} {batch} {batch / statistics.median(times):.3f} {peak}", flush=True)


if torch.cuda.is_available():
    print(f"device cuda:{torch.cuda.get_device_name(0).replace(' ', '_')} {torch.__version__}", flush=True)
    gpu = model.cuda()
    measure("eager", "fp32", gpu, torch.float32, "cuda")
    gpu = gpu.half()
    measure("eager", "fp16", gpu, torch.float16, "cuda")
    if compile_too:
        try:
            # One size only: each new shape recompiles (tens of seconds), and the device lease is short.
            measure("compile", "fp16", torch.compile(gpu), torch.float16, "cuda", sizes=[max(batches)])
        except Exception as e:  # report, never fake: the table then says it did not run
            print(f"# torch.compile failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}", flush=True)
elif small:
    # For scale only; CPU torch cannot run LayerNorm in half, so fp16 is not measured.
    print(f"device cpu {torch.__version__}", flush=True)
    measure("eager", "fp32", model, torch.float32, "cpu")
else:
    # ViT-L/14 on a CPU would cost minutes for a number nobody compares against a GPU.
    print(f"device no-cuda {torch.__version__}", flush=True)
