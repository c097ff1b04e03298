#!/usr/bin/env bash
# Makes the smallest payload that runs Zsad's GPU checks on a machine without dotnet (the lent H200), split into
# parts that each fit one `device` call (64 MiB with the working tree), with a sha256 manifest:
#   bench/gpu/pack.sh OUT_DIR       env ARCHS (90: the cubins kept), PART_MIB (56), LEVEL (zstd level, 12)
# Contents: trimmed self-contained publishes of `zsad` and bench/ClipEncoderBench (linux-x64), ONNX Runtime's native
# libraries once (both publishes link to them), its CUDA provider with every other architecture's cubins zeroed in
# place (tools/fatbin), make_infer_input.py's volumes, and a zstd binary for machines without one.
# bench/gpu/unpack.sh checks and unpacks it there; bench/gpu/run-on-device.sh runs the checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: bench/gpu/pack.sh OUT_DIR}
archs=${ARCHS:-90}; part_mib=${PART_MIB:-56}; level=${LEVEL:-12}
command -v zstd >/dev/null || { echo "zstd is missing (apt-get install zstd)" >&2; exit 1; }
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
publish() {
  # Partial trimming: the framework and Zsad's own (IsTrimmable) assemblies are trimmed; ONNX Runtime's managed
  # binding and MassTransit, which are not trim-annotated, stay whole (full trimming breaks OrtEnv's start-up).
  dotnet publish "$1" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -p:TrimMode=partial -v q --nologo -o "$stage/app/$2" >"$stage/publish-$2.log" 2>&1 \
    || { cat "$stage/publish-$2.log" >&2; echo "publish of $1 failed" >&2; exit 1; }
}
publish src/Zsad zsad
publish bench/ClipEncoderBench bench

# ONNX Runtime's native libraries once (zsad's publish keeps relative links to them: OnnxEngine loads them from the
# app's folder); the CUDA provider keeps only the GPU's own architecture.
mkdir -p "$stage/native"
for lib in "$stage"/app/zsad/libonnxruntime*.so; do
  mv "$lib" "$stage/native/"; ln -s "../../native/$(basename "$lib")" "$lib"
done
dotnet run --project tools/fatbin -c Release -v q -- keep --arch "$archs" \
  "$stage/native/libonnxruntime_providers_cuda.so" "$stage/native/libonnxruntime_providers_cuda.so.blanked"
mv "$stage/native/libonnxruntime_providers_cuda.so.blanked" "$stage/native/libonnxruntime_providers_cuda.so"
# The bench publish's ONNX Runtime libraries, and its managed assemblies identical to zsad's, become relative links.
# The runtime's own native files (libcoreclr.so, libhostfxr.so, libhostpolicy.so, ...) must stay real files: the host
# and the runtime resolve their own real path and load System.Private.CoreLib and the framework from that folder, so a
# link into zsad's publish would mix zsad's trimmed CoreLib with the bench's trimmed assemblies (TypeLoadException:
# "Method 'get_Item' in type ConcurrentDictionary`2 ... does not have an implementation"). zstd --long dedupes them.
for f in "$stage"/app/bench/*; do
  name=$(basename "$f")
  if [[ -f $stage/native/$name ]]; then rm -f "$f"; ln -s "../../native/$name" "$f"
  elif [[ $name == *.dll && -f $stage/app/zsad/$name ]] && cmp -s "$f" "$stage/app/zsad/$name"; then rm -f "$f"; ln -s "../zsad/$name" "$f"
  fi
done
[[ -f $stage/app/bench/models/ResNet18.onnx ]] && rm -rf "$stage/app/bench/models"
/usr/bin/python3 bench/gpu/make_infer_input.py "$stage/data"

mkdir -p "$out"
rm -f "$out"/payload.tar.zst.part-* "$out/MANIFEST.sha256"
tar -C "$stage" --exclude='publish-*.log' -cf - app native data | zstd -q -T0 -"$level" --long=27 \
  | split -b "${part_mib}M" -d -a 2 - "$out/payload.tar.zst.part-"
cp "$(command -v zstd)" "$out/zstd"
(cd "$out" && sha256sum payload.tar.zst.part-* zstd >MANIFEST.sha256)
echo "payload: $(du -cb "$out"/payload.tar.zst.part-* | tail -1 | cut -f1) bytes in $(ls "$out"/payload.tar.zst.part-* | wc -l) part(s) of <= ${part_mib} MiB; unpacked $(du -sb --exclude='publish-*.log' "$stage" | cut -f1) bytes"
ls -l "$out"
