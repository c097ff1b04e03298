#!/usr/bin/env bash
# Checks every part of a bench/gpu/pack.sh payload against its manifest, then unpacks it:
#   bench/gpu/unpack.sh PARTS_DIR DEST
# Uses zstd from PATH, else the zstd binary carried with the parts (checked against the manifest too).
set -euo pipefail
parts=${1:?usage: bench/gpu/unpack.sh PARTS_DIR DEST}; dest=${2:?usage: bench/gpu/unpack.sh PARTS_DIR DEST}
(cd "$parts" && sha256sum --check --strict --quiet MANIFEST.sha256) || { echo "payload parts do not match MANIFEST.sha256" >&2; exit 1; }
expected=$(grep -c 'payload.tar.zst.part-' "$parts/MANIFEST.sha256")
present=$(find "$parts" -maxdepth 1 -name 'payload.tar.zst.part-*' | wc -l)
[[ $present == "$expected" ]] || { echo "payload: $present part(s) here, the manifest lists $expected" >&2; exit 1; }
zstd=$(command -v zstd || true)
if [[ -z $zstd ]]; then chmod +x "$parts/zstd"; zstd=$parts/zstd; fi
mkdir -p "$dest"
cat "$parts"/payload.tar.zst.part-* | "$zstd" -q -d --long=27 | tar -x -C "$dest"
echo "unpacked $(du -sb "$dest" | cut -f1) bytes into $dest"
