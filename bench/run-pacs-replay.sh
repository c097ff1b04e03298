#!/usr/bin/env bash
# Retrospective replay throughput (series/min) straight from a PACS versus today's two-step way: copy the series out
# of the PACS with dcmtk getscu into folders, then replay each folder. SERIES (6) MR series of SLICES (64) x SIZE
# (128)² 16-bit slices (pydicom, make_mr_series.py) are stored into a real Orthanc; then, PASSES (3) times, alternating:
#   A  zsad replay --pacs ORTHANC@... --get           (C-FIND + C-GET into the live pipeline, one process)
#   B  getscu per series into its folder, then zsad replay --input FOLDER per series (the folder replay takes one
#      DICOM series per run); B's copy time alone is printed too.
# Same detector (DETECTOR, default intensity-baseline, phantom references) on both sides; each pass starts from
# empty output folders. Orthanc binds every interface: run privately,
#   unshare --net -- bash -c 'ip link set lo up && bench/run-pacs-replay.sh'
set -euo pipefail
cd "$(dirname "$0")/.."
series=${SERIES:-6}; slices=${SLICES:-64}; size=${SIZE:-128}; passes=${PASSES:-3}
detector=${DETECTOR:-intensity-baseline}
work=$(mktemp -d /tmp/zsad-bench-pacs.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 600); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }
now() { date +%s.%N; }
export TCP_NODELAY=1 # Debian's dcmtk stalls on delayed ACKs without it

command -v Orthanc storescu getscu >/dev/null || { echo "needs Orthanc (apt-get install orthanc) and storescu/getscu (dcmtk)" >&2; exit 1; }
dotnet build -c Release src/Zsad -v q --nologo >/dev/null
zsad="dotnet src/Zsad/bin/Release/net10.0/zsad.dll"

orthanc_dicom=$(free_port); orthanc_http=$(free_port)
mkdir -p "$work/orthanc"
cat >"$work/orthanc/orthanc.json" <<JSON
{"Name": "zsad-bench", "StorageDirectory": "$work/orthanc/storage", "IndexDirectory": "$work/orthanc/index",
 "DicomAet": "ORTHANC", "DicomPort": $orthanc_dicom, "HttpPort": $orthanc_http, "RemoteAccessAllowed": false,
 "AuthenticationEnabled": false, "Plugins": [], "DicomModalities": {"zsad": ["ZSADBENCH", "127.0.0.1", 104]}}
JSON
Orthanc "$work/orthanc/orthanc.json" >"$work/orthanc.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$orthanc_http/system"

for i in $(seq "$series"); do /usr/bin/python3 bench/make_mr_series.py "$work/source/s$i" "$slices" "$size" >/dev/null; done
storescu -aet LOADER -aec ORTHANC +sd +r 127.0.0.1 "$orthanc_dicom" "$work/source" >/dev/null
mapfile -t uids < <(for d in "$work"/source/s*; do /usr/bin/python3 -c 'import sys,pydicom,os; f=sorted(os.listdir(sys.argv[1]))[0]; d=pydicom.dcmread(os.path.join(sys.argv[1],f),stop_before_pixels=True); print(d.StudyInstanceUID, d.SeriesInstanceUID)' "$d"; done)
echo "Orthanc 1.10 on loopback: $series series x $slices slices ${size}², detector $detector; $passes passes, A and B alternating"

a_times=(); b_times=(); copy_times=()
for pass in $(seq "$passes"); do
  out="$work/a$pass"; t0=$(now)
  $zsad replay --pacs "ORTHANC@127.0.0.1:$orthanc_dicom" --aet ZSADBENCH --get --out "$out" --detector "$detector" --normals phantom \
    >"$work/a$pass.log" 2>&1 || { tail -20 "$work/a$pass.log" >&2; exit 1; }
  t1=$(now); a_times+=("$(echo "$t1 - $t0" | bc)")
  grep -q "replay: $series series, $series processed" "$work/a$pass.log" || { echo "pass $pass A did not process $series series" >&2; tail -5 "$work/a$pass.log" >&2; exit 1; }

  out="$work/b$pass"; t0=$(now)
  n=0
  for pair in "${uids[@]}"; do
    read -r study ser <<<"$pair"; n=$((n + 1))
    getscu -aet ZSADBENCH -aec ORTHANC -S -k QueryRetrieveLevel=SERIES -k "StudyInstanceUID=$study" -k "SeriesInstanceUID=$ser" \
      -od "$(mkdir -p "$out/copy/s$n" && echo "$out/copy/s$n")" 127.0.0.1 "$orthanc_dicom" >/dev/null 2>&1
  done
  t1=$(now); copy_times+=("$(echo "$t1 - $t0" | bc)")
  for d in "$out"/copy/s*; do
    $zsad replay --input "$d" --out "$out/report" --detector "$detector" --normals phantom >>"$work/b$pass.log" 2>&1 \
      || { tail -20 "$work/b$pass.log" >&2; exit 1; }
  done
  t2=$(now); b_times+=("$(echo "$t2 - $t0" | bc)")
  [[ $(ls "$out/report/maps" | wc -l) -eq $series ]] || { echo "pass $pass B did not map $series series" >&2; exit 1; }
  echo "pass $pass: A ${a_times[-1]} s, B ${b_times[-1]} s (copy ${copy_times[-1]} s)"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ma=$(median "${a_times[@]}"); mb=$(median "${b_times[@]}"); mc=$(median "${copy_times[@]}")
echo
echo "| way | median s | series/min |"
echo "|---|---|---|"
echo "| A: zsad replay --pacs --get | $ma | $(echo "scale=1; 60 * $series / $ma" | bc) |"
echo "| B: getscu per series + zsad replay --input per series | $mb | $(echo "scale=1; 60 * $series / $mb" | bc) |"
echo "| B's copy alone (getscu) | $mc | $(echo "scale=1; 60 * $series / $mc" | bc) |"
echo "ratio B/A: $(echo "scale=2; $mb / $ma" | bc)"
