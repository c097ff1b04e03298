#!/usr/bin/env bash
# Issue #5 on a lent GPU: encoder slices/s of a random-weight ViT-L/14@240 (width 1024, 24 blocks, 16 heads, patch
# 14 -> 17x17, embed 768, exact GELU, layers 6/12/18/24) through Zsad's OnnxEngine on ONNX Runtime's CUDA provider,
# fp32 and fp16 (tools/export/zsad_export/fp16.py), against PyTorch eager on CUDA on the same weights when this
# machine's torch has CUDA; plus the C# VAND head's time per slice (CPU) as a share of encoder + head. Prints one
# markdown table. Random weights: speed only, no detection meaning.
#   bench/run-clip-encoder-gpu.sh [--cpu-dry-run]     env BATCH (8), RUNS (10), THREADS (nproc), WORK, ZSAD_BENCH_BIN
# --cpu-dry-run: the same pipeline on the CPU provider with the same structure shrunk (width 128, 4 blocks), every
# line labelled DRY RUN: it proves the script, never a GPU number.
# Without --cpu-dry-run the bench refuses (exit 3) to time anything if the CUDA provider did not load.
# The bench binary: $ZSAD_BENCH_BIN (a self-contained publish, for a machine without dotnet), else a carried or fresh
# `dotnet build -c Release` of bench/ClipEncoderBench.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")"
dry=0
case "${1:-}" in
  --cpu-dry-run) dry=1 ;;
  "") ;;
  *) echo "usage: $0 [--cpu-dry-run]" >&2; exit 2 ;;
esac
batch=${BATCH:-8}; runs=${RUNS:-10}; threads=${THREADS:-$(nproc)}
work=${WORK:-/tmp/zsad-bench-clip-gpu$([[ $dry == 1 ]] && echo -dry)}; mkdir -p "$work"

# Python with torch and onnx: $ZSAD_PYTHON, else python3 on PATH, else Debian's (where apt puts torch).
py=${ZSAD_PYTHON:-python3}
"$py" -c 'import torch, onnx' 2>/dev/null || py=/usr/bin/python3
"$py" -c 'import torch, onnx' || { echo "need a python3 with torch and onnx (Debian: python3-torch python3-onnx)" >&2; exit 1; }

if [[ -n ${ZSAD_BENCH_BIN:-} ]]; then
  bench=("$ZSAD_BENCH_BIN")
elif command -v dotnet >/dev/null; then
  dll=ClipEncoderBench/bin/Release/net10.0/ClipEncoderBench.dll
  [[ -f $dll ]] || dotnet build -c Release ClipEncoderBench -v q --nologo >/dev/null
  bench=(dotnet "$dll")
else
  echo "dotnet is not installed and ZSAD_BENCH_BIN is not set: publish ClipEncoderBench self-contained (bench/CLIP-ENCODER.md)" >&2
  exit 1
fi

if [[ $dry == 1 ]]; then
  provider=cpu; label="DRY RUN on CPU, small model (width 128, 4 blocks): not GPU results"; small=--small
else
  provider=cuda; label="ViT-L/14@240"; small=
  # ONNX Runtime 1.31's CUDA provider links libcublas(Lt).so.13, libcudart.so.13, libcurand.so.10 and loads
  # libcudnn.so.9: on a machine whose CUDA comes from pip wheels (nvidia-*), those live in site-packages.
  site=$("$py" -c 'import site; print(site.getsitepackages()[0])')
  if [[ -d $site/nvidia ]]; then
    libs=$(find "$site/nvidia" -name 'lib*.so*' -printf '%h\n' | sort -u | paste -sd:)
    export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
fi

# Export + conversion + PyTorch timing; its tracer warnings go to a log shown only on failure.
torch_line=$("$py" clip_encoder_gpu.py "$work" "$batch" "$runs" $small 2>"$work/python.log") \
  || { cat "$work/python.log" >&2; echo "clip_encoder_gpu.py failed" >&2; exit 1; }
read -r tdev tver t32 t16 <<<"$torch_line"
# $(...) under set -e: a bench that exits non-zero (3: CUDA did not load) ends the script with its own message.
ort32=$("${bench[@]}" "$work/fp32" "$batch" "$runs" "$threads" "$provider")
ort16=$("${bench[@]}" "$work/fp16" "$batch" "$runs" "$threads" "$provider")
read -r o32 z32 f32 <<<"$ort32"
read -r o16 z16 f16 <<<"$ort16"

share() { awk -v h="$1" -v s="$2" 'BEGIN {e = 1000 / s; printf "%.2f ms = %.1f %%", h, 100 * h / (e + h)}'; }
case $tdev in
  cuda:*) tnote="PyTorch $tver eager on ${tdev#cuda:}" ;;
  cpu) tnote="PyTorch $tver eager on CPU, $threads threads (for scale only; CPU torch has no half LayerNorm)" ;;
  *) tnote="PyTorch $tver has no CUDA here: not measured" ;;
esac
echo
echo "| $label, random weights, batch $batch, median of $runs | fp32 | fp16 |"
echo "|---|---|---|"
echo "| ONNX Runtime $provider provider (Zsad OnnxEngine), encoder slices/s | $o32 | $o16 |"
echo "| $tnote, encoder slices/s | $t32 | $t16 |"
echo "| C# VAND head zero-shot (CPU, $threads threads), ms/slice and share of encoder + head | $(share "$z32" "$o32") | $(share "$z16" "$o16") |"
echo "| C# VAND head few-shot (memory: one image's 289 tokens), ms/slice and share | $(share "$f32" "$o32") | $(share "$f16" "$o16") |"
