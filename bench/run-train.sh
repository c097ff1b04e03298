#!/usr/bin/env bash
# Side by side: `zsad train` (tokens extracted once by ONNX Runtime, C# adapter gradients) against the authors'-style
# PyTorch loop (VAND train.py: the frozen encoder re-run on every batch) on the same tiny random-weight VAND model
# (tools/export/train_reference.py --tiny-bundle) and the same synthetic BraTS-style folder (bench/make_train_data.py).
# Reports feature extraction time and median epoch time; PyTorch's epoch also measured on cached tokens (the same
# work as `zsad train` per epoch). Fairness as in run-clip-encoder.sh: libopenblas0-pthread required, OPENBLAS_CORETYPE
# set from /proc/cpuinfo, THREADS intra-op threads on both sides. Shared machine: read the ratios.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/.."
subjects=${SUBJECTS:-8}; epochs=${EPOCHS:-3}; batch=${BATCH:-8}; threads=${THREADS:-$(nproc)}
work=${WORK:-/tmp/zsad-bench-train}
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || { echo "install libopenblas0-pthread first (fair PyTorch baseline)" >&2; exit 1; }
if [[ -z ${OPENBLAS_CORETYPE:-} ]]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
export OMP_NUM_THREADS=$threads
rm -rf "$work"; mkdir -p "$work"
/usr/bin/python3 bench/make_train_data.py "$work/data" "$subjects"
/usr/bin/python3 tools/export/train_reference.py --tiny-bundle "$work/bundle" >/dev/null 2>&1
dotnet build -c Release src/Zsad -v q --nologo >/dev/null
dotnet src/Zsad/bin/Release/net10.0/zsad.dll train --bundle "$work/bundle" --data "$work/data" --out "$work/trained" \
  --from-scratch --epochs "$epochs" --patience "$epochs" --batch "$batch" --seed 1 | tr '\r' '\n' > "$work/zsad.log"
cs_extract=$(sed -n 's/^features of [0-9]* slices ready in \([0-9.]*\) s$/\1/p' "$work/zsad.log")
cs_epoch=$(sed -n 's/.*(\([0-9.]*\) s training)$/\1/p' "$work/zsad.log" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
read -r slices py_extract py_authors py_cached < <(/usr/bin/python3 bench/train_torch.py "$work/data" "$epochs" "$batch" "$threads" 2>/dev/null)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}; $slices slices, batch $batch, $threads threads, $epochs epochs"
echo "| feature extraction (all slices once) | zsad $cs_extract s | PyTorch $py_extract s | PyTorch/zsad $(ratio "$py_extract" "$cs_extract")x |"
echo "| epoch, authors' loop (encoder every batch) | zsad $cs_epoch s | PyTorch $py_authors s | PyTorch/zsad $(ratio "$py_authors" "$cs_epoch")x |"
echo "| epoch on cached tokens (same work) | zsad $cs_epoch s | PyTorch $py_cached s | PyTorch/zsad $(ratio "$py_cached" "$cs_epoch")x |"
