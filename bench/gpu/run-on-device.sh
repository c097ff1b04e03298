#!/usr/bin/env bash
# Every GPU check of issue 14 in one run on the lent machine, from an unpacked bench/gpu/pack.sh payload:
#   bench/gpu/run-on-device.sh PAYLOAD_DIR [--cpu-dry-run]        results (markdown + logs) under $OUT (or ./gpu-out)
# 1. `zsad infer` with the default detector (resnet18-memory, bank built from the payload's two references) on a
#    240x240x155 volume, CUDA then CPU, per stage; the two maps compared voxel for voxel.
# 2. bench/run-clip-encoder-gpu.sh: random ViT-L/14@240 through OnnxEngine on CUDA fp32/fp16 vs PyTorch eager
#    (and torch.compile) at batch 1, 8, 32, 155, with memory peaks and the C# head's share.
# --cpu-dry-run proves the script on a machine without a GPU (CPU provider, small encoder, labelled as such).
# Budget: under 8 minutes on an H200 machine; each step is time-boxed so a hang cannot eat the device lease.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
payload=$(cd "${1:?usage: bench/gpu/run-on-device.sh PAYLOAD_DIR [--cpu-dry-run]}" && pwd)
dry=0; [[ ${2:-} == --cpu-dry-run ]] && dry=1
out=${OUT:-$PWD/gpu-out}; mkdir -p "$out"
results=$out/gpu-results.md
zsad=$payload/app/zsad/zsad
bench=$payload/app/bench/ClipEncoderBench
work=${WORK:-/tmp/zsad-gpu-run}; mkdir -p "$work"
: >"$results"
say() { echo "$*" | tee -a "$results"; }
started=$SECONDS

py=${ZSAD_PYTHON:-python3}
if [[ $dry == 0 ]]; then
  site=$("$py" -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)
  if [[ -n $site && -d $site/nvidia ]]; then
    libs=$(find "$site/nvidia" -name 'lib*.so*' -printf '%h\n' | sort -u | paste -sd:)
    export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  say "## GPU run $(date -u +%FT%TZ)"
  say "$(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1)"
  # The provider's unresolved libraries, if any, say why CUDA would not load before anything is timed.
  missing=$(ldd "$payload/native/libonnxruntime_providers_cuda.so" | grep 'not found' || true)
  [[ -n $missing ]] && say "CUDA provider libraries not found: $missing"
  provider=cuda
else
  say "## DRY RUN on CPU $(date -u +%FT%TZ): proves the script, no GPU numbers"
  provider=cpu
fi
say "cores: $(nproc), payload: $payload"

# 1. zsad infer, default detector, full volume.
say ""
say "### zsad infer (resnet18-memory) on a 240x240x155 volume"
bank=$work/bank
timeout 240 "$zsad" models build-memory --detector resnet18-memory --normals "$payload/data/normals" --out "$bank" \
  >"$out/build-memory.log" 2>&1 || say "build-memory failed: $(tail -3 "$out/build-memory.log")"
tail -5 "$out/build-memory.log" | sed 's/^/    /' | tee -a "$results"
providers=("$provider"); [[ $dry == 0 ]] && providers+=(cpu)
for p in "${providers[@]}"; do
  for run in 1 2; do  # the first run pays start-up (CUDA context, kernel loads); both are shown
    say "#### $p, run $run"
    s=$SECONDS
    timeout 180 "$zsad" infer --detector "$bank" --input "$payload/data/volume.nii.gz" --out "$work/map-$p.nii.gz" \
      --provider "$p" >"$out/infer-$p-$run.log" 2>&1 || say "infer ($p) failed"
    sed 's/^/    /' "$out/infer-$p-$run.log" | tail -25 | tee -a "$results"
    say "    process wall time: $((SECONDS - s)) s"
  done
done
if [[ $dry == 0 && -f $work/map-cuda.nii.gz && -f $work/map-cpu.nii.gz ]]; then
  say "map CUDA vs CPU: $("$py" "$here/compare_maps.py" "$work/map-cuda.nii.gz" "$work/map-cpu.nii.gz" 2>&1)"
fi

# 2. The encoder bench (time-boxed to what is left of ~7.5 minutes).
left=$((450 - (SECONDS - started))); ((left < 60)) && left=60
say ""
say "### CLIP encoder ViT-L/14@240 (random weights: speed only), time box ${left} s"
args=(); [[ $dry == 1 ]] && args=(--cpu-dry-run)
ZSAD_BENCH_BIN=$bench WORK=$work/clip BATCHES=${BATCHES:-$([[ $dry == 1 ]] && echo 1,2 || echo 1,8,32,155)} RUNS=${RUNS:-10} \
  timeout "$left" bash "$here/../run-clip-encoder-gpu.sh" "${args[@]}" >"$out/clip-encoder.log" 2>&1 || say "encoder bench failed or ran out of time (see clip-encoder.log)"
grep -E '^\||^#' "$out/clip-encoder.log" | tee -a "$results"
cp "$work"/clip/python.log "$out/" 2>/dev/null || true
say ""
say "total: $((SECONDS - started)) s"
