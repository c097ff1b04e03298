#!/usr/bin/env bash
# Encoder slices/s of a random-weight ViT-L/14@240 (width 1024, 24 blocks, 16 heads, patch 14 -> 17x17, embed 768,
# exact GELU, layers 6/12/18/24) through Zsad's OnnxEngine on ONNX Runtime's CUDA provider, fp32 and fp16
# (tools/export/zsad_export/fp16.py), against PyTorch eager (and torch.compile fp16, where it runs) on CUDA on the same
# weights, at each batch size; GPU memory peaks; the C# VAND head's time per slice (CPU) as a share of encoder + head.
# Prints one markdown table. Random weights: speed only, no detection meaning.
#   bench/run-clip-encoder-gpu.sh [--cpu-dry-run]   env BATCHES (1,8,32,155), RUNS (10), THREADS (nproc), WORK,
#                                                   ZSAD_BENCH_BIN, COMPILE (1: also torch.compile)
# --cpu-dry-run: the same pipeline on the CPU provider with the same structure shrunk (width 128, 4 blocks), every
# line labelled DRY RUN: it proves the script, never a GPU number.
# Without --cpu-dry-run the bench refuses (exit 3) to time anything if the CUDA provider did not load.
# The bench binary: $ZSAD_BENCH_BIN (a self-contained publish, for a machine without dotnet: bench/gpu/pack.sh), else
# a `dotnet build -c Release` of bench/ClipEncoderBench.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")"
dry=0
case "${1:-}" in
  --cpu-dry-run) dry=1 ;;
  "") ;;
  *) echo "usage: $0 [--cpu-dry-run]" >&2; exit 2 ;;
esac
batches=${BATCHES:-1,8,32,155}; runs=${RUNS:-10}; threads=${THREADS:-$(nproc)}
work=${WORK:-/tmp/zsad-bench-clip-gpu$([[ $dry == 1 ]] && echo -dry)}; mkdir -p "$work"

# Python with torch and onnx: $ZSAD_PYTHON, else python3 on PATH, else Debian's (where apt puts torch).
py=${ZSAD_PYTHON:-python3}
"$py" -c 'import torch, onnx' 2>/dev/null || py=/usr/bin/python3
"$py" -c 'import torch, onnx' || { echo "need a python3 with torch and onnx (Debian: python3-torch python3-onnx)" >&2; exit 1; }

if [[ -n ${ZSAD_BENCH_BIN:-} ]]; then
  bench=("$ZSAD_BENCH_BIN")
elif command -v dotnet >/dev/null; then
  dll=ClipEncoderBench/bin/Release/net10.0/ClipEncoderBench.dll
  dotnet build -c Release ClipEncoderBench -v q --nologo >/dev/null
  bench=(dotnet "$dll")
else
  echo "dotnet is not installed and ZSAD_BENCH_BIN is not set: bench/gpu/pack.sh makes a self-contained payload" >&2
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

# Peak GPU memory of one command, sampled by nvidia-smi every 50 ms (ONNX Runtime's arena has no peak counter):
# MiB over the level before the command started; "-" without nvidia-smi.
gpu_peak_file=$work/gpu-peak
with_gpu_peak() {
  if ! command -v nvidia-smi >/dev/null; then echo - >"$gpu_peak_file"; "$@"; return; fi
  local base log=$work/gpu-mem.log
  base=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 50 >"$log" & local sampler=$!
  local rc=0; "$@" || rc=$?
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  awk -v b="$base" 'BEGIN {m = b} $1 > m {m = $1} END {print m - b}' "$log" >"$gpu_peak_file"
  return $rc
}

# Export + conversion + PyTorch timing; its tracer warnings go to a log shown only on failure.
compile=$([[ ${COMPILE:-1} == 1 && $dry == 0 ]] && echo --compile || true)
torch_out=$("$py" clip_encoder_gpu.py "$work" "$batches" "$runs" $small $compile 2>"$work/python.log") \
  || { cat "$work/python.log" >&2; echo "clip_encoder_gpu.py failed" >&2; exit 1; }
# $(...) under set -e: a bench that exits non-zero (3: CUDA did not load) ends the script with its own message.
with_gpu_peak "${bench[@]}" "$work/fp32" "$batches" "$runs" "$threads" "$provider" >"$work/ort32.txt"; peak32=$(cat "$gpu_peak_file")
with_gpu_peak "${bench[@]}" "$work/fp16" "$batches" "$runs" "$threads" "$provider" >"$work/ort16.txt"; peak16=$(cat "$gpu_peak_file")

read -r _ tdev tver <<<"$(grep '^device ' <<<"$torch_out")"
ort() { awk -v b="$2" '$1 == "batch" && $2 == b {print $3}' "$work/$1.txt"; }
# torch MODE PRECISION COLUMN BATCH: column 4 = slices/s, 5 = peak MiB of clip_encoder_gpu.py's lines
torch() { awk -v m="$1" -v p="$2" -v c="$3" -v b="$4" '$1 == m && $2 == p && $3 == b {print $c}' <<<"$torch_out"; }
row() { local name=$1; shift; printf '| %s |' "$name"; for b in ${batches//,/ }; do printf ' %s |' "$("$@" "$b")"; done; echo; }
or_dash() { local v; v=$("$@"); echo "${v:--}"; }
ratio() { local a b; a=$(ort ort16 "$1"); b=$(torch eager fp16 4 "$1"); [[ -n $a && -n $b ]] && awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2fx", a / b}' || echo -; }
case $tdev in
  cuda:*) tnote="PyTorch $tver ${tdev#cuda:}" ;;
  cpu) tnote="PyTorch $tver on CPU, $threads threads (for scale only; CPU torch has no half LayerNorm)" ;;
  *) tnote="PyTorch $tver has no CUDA here: not measured" ;;
esac
read -r _ z32 f32 < <(grep '^head ' "$work/ort32.txt")
read -r _ z16 f16 < <(grep '^head ' "$work/ort16.txt")
share() { awk -v h="$1" -v s="$2" 'BEGIN {e = 1000 / s; printf "%.2f ms = %.1f %%", h, 100 * h / (e + h)}'; }
big=${batches##*,}
header="| $label, random weights, median of $runs, slices/s |"; rule="|---|"
for b in ${batches//,/ }; do header+=" batch $b |"; rule+="---|"; done
echo
echo "$header"
echo "$rule"
row "ONNX Runtime $provider (Zsad OnnxEngine) fp32" or_dash ort ort32
row "ONNX Runtime $provider (Zsad OnnxEngine) fp16" or_dash ort ort16
row "$tnote eager fp32" or_dash torch eager fp32 4
row "$tnote eager fp16" or_dash torch eager fp16 4
row "$tnote torch.compile fp16" or_dash torch compile fp16 4
row "ORT fp16 / PyTorch eager fp16" ratio
row "PyTorch eager fp32, peak allocated MiB" or_dash torch eager fp32 5
row "PyTorch eager fp16, peak allocated MiB" or_dash torch eager fp16 5
echo
echo "| GPU memory, ONNX Runtime process (nvidia-smi peak over idle, all batches up to $big) | fp32 $peak32 MiB | fp16 $peak16 MiB |"
echo "| C# VAND head zero-shot (CPU, $threads threads), ms/slice and share of encoder + head at batch $big | $(share "$z32" "$(ort ort32 "$big")") | $(share "$z16" "$(ort ort16 "$big")") |"
echo "| C# VAND head few-shot (memory: one image's 289 tokens), ms/slice and share | $(share "$f32" "$(ort ort32 "$big")") | $(share "$f16" "$(ort ort16 "$big")") |"
grep '^#' <<<"$torch_out" || true
