#!/usr/bin/env bash
# Side by side on one 155-slice 240x240 16-bit MR series (written by pydicom):
#   series -> .nii.gz: Zsad vs dcm2niix -z y, both as a process (wall time, median of RUNS), and Zsad in-process;
#   .nii.gz read to float voxels: Zsad vs nibabel, both in-process (median of RUNS warm passes).
set -euo pipefail
cd "$(dirname "$0")"
runs=${RUNS:-5}
work=${WORK:-/tmp/zsad-bench-imaging}
mkdir -p "$work"
[[ -d $work/series ]] || /usr/bin/python3 make_mr_series.py "$work/series" 155 240
dotnet build -c Release ImagingBench -v q --nologo >/dev/null
bench="dotnet ImagingBench/bin/Release/net10.0/ImagingBench.dll"

wall() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f\n", e - s}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rm -rf "$work/d2n"; mkdir -p "$work/d2n"
d2n=$(for _ in $(seq "$runs"); do wall dcm2niix -z y -o "$work/d2n" -f bench "$work/series"; rm -f "$work/d2n"/*; done | median)
zproc=$(for _ in $(seq "$runs"); do wall $bench series "$work/series" "$work/zsad.nii.gz" 0; done | median)
zin=$($bench series "$work/series" "$work/zsad.nii.gz" "$runs")
zread=$($bench read "$work/zsad.nii.gz" "$runs")
nread=$(/usr/bin/python3 nibabel_read.py "$work/zsad.nii.gz" "$runs")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "| series -> .nii.gz, 155 slices 240², as a process | Zsad ${zproc}s | dcm2niix $(dcm2niix --version 2>/dev/null | grep -oE 'v[0-9.]+' | head -1) ${d2n}s | Zsad is $(ratio "$d2n" "$zproc")x as fast |"
echo "| series -> .nii.gz, in-process (warm) | Zsad ${zin}s | dcm2niix ${d2n}s (process) | $(ratio "$d2n" "$zin")x |"
echo "| .nii.gz read to float voxels, in-process (warm) | Zsad ${zread}s | nibabel $(/usr/bin/python3 -c 'import nibabel; print(nibabel.__version__)') ${nread}s | Zsad is $(ratio "$nread" "$zread")x as fast |"
