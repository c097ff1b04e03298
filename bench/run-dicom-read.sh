#!/usr/bin/env bash
# Side by side: Zsad's reader vs pydicom dcmread on the same 155-file MR series (headers + pixels).
# Prints a markdown row with medians and the ratio; never part of the tests.
set -euo pipefail
cd "$(dirname "$0")"
series=${1:-/tmp/zsad-bench-series}
runs=${RUNS:-7}
[[ -d $series ]] || /usr/bin/python3 make_mr_series.py "$series" 155
dotnet build -c Release DicomRead -v q --nologo >/dev/null
read -r zsad n zsum < <(dotnet DicomRead/bin/Release/net10.0/DicomRead.dll "$series" "$runs")
read -r pyd _ psum < <(/usr/bin/python3 pydicom_read.py "$series" "$runs")
[[ $zsum == "$psum" ]] || { echo "checksums differ: zsad $zsum pydicom $psum" >&2; exit 1; }
ratio=$(awk -v a="$pyd" -v b="$zsad" 'BEGIN {printf "%.1f", a / b}')
echo "| read $n-file MR series (256², 16-bit, headers + pixels) | Zsad ${zsad}s | pydicom $(/usr/bin/python3 -c 'import pydicom; print(pydicom.__version__)') ${pyd}s | Zsad is ${ratio}x faster |"
