#!/usr/bin/env bash
# Side by side: CLIP image encoder slices/s, ONNX Runtime (Zsad's OnnxEngine, CPU) vs PyTorch eager fp32, on the same
# random-weight ViT-B-16-plus-240 (exported by tools/export's ClipVisual), same batch and thread count; plus the C#
# VAND head (zero-shot, and few-shot with a 225-patch memory) time per slice as a share of encoder + head.
# Fairness (ARCHITECTURE.md): Debian's torch needs libopenblas0-pthread, else it is ~50x slower; both sides get
# THREADS intra-op threads. OpenBLAS does not recognise this KVM CPU ("Intel Xeon Processor") and falls back to its
# Prescott (SSE3) kernels, ~20 GFLOP/s on 2 threads; OPENBLAS_CORETYPE=SkylakeX (AVX-512) gives ~200, so the script
# sets it from /proc/cpuinfo unless already set. Each side runs twice, alternating, best kept (shared machine).
# Few iterations by design (RUNS, default 3): read the ratio, not the absolute numbers.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")"
batch=${BATCH:-4}; runs=${RUNS:-3}; threads=${THREADS:-$(nproc)}
work=${WORK:-/tmp/zsad-bench-clip}; mkdir -p "$work"
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || { echo "install libopenblas0-pthread first (fair PyTorch baseline)" >&2; exit 1; }
if [[ -z ${OPENBLAS_CORETYPE:-} ]]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
dotnet build -c Release ClipEncoderBench -v q --nologo >/dev/null
best() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }
torch=0; ort=0; zero=1e9; few=1e9
for _ in 1 2; do
  torch=$(best "$torch" "$(/usr/bin/python3 clip_encoder_torch.py "$work" "$batch" "$runs" "$threads" 2>/dev/null)")
  lines=$(dotnet ClipEncoderBench/bin/Release/net10.0/ClipEncoderBench.dll "$work" "$batch" "$runs" "$threads")
  o=$(awk '$1 == "batch" {print $3}' <<<"$lines"); read -r z f < <(awk '$1 == "head" {print $2, $3}' <<<"$lines")
  ort=$(best "$ort" "$o"); zero=$(awk -v a="$zero" -v b="$z" 'BEGIN {print (a < b ? a : b)}'); few=$(awk -v a="$few" -v b="$f" 'BEGIN {print (a < b ? a : b)}')
done
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}"
echo "| ViT-B-16-plus-240 random weights, batch $batch, $threads threads | ONNX Runtime $ort slices/s | PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') eager $torch slices/s | ORT/PyTorch $(awk -v a="$ort" -v b="$torch" 'BEGIN {printf "%.2f", a / b}')x |"
share() { awk -v h="$1" -v s="$ort" 'BEGIN {e = 1000 / s; printf "%.2f ms/slice = %.1f %% of encoder + head", h, 100 * h / (e + h)}'; }
echo "| C# VAND head (4 layers, 240² map) | zero-shot $(share "$zero") | few-shot $(share "$few") | |"
