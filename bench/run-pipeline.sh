#!/usr/bin/env bash
# End to end, per stage: RUNS (5) fresh MR series (SLICES 155 x SIZE 240², 16-bit, written by pydicom) sent one at a
# time by dcmtk storescu into `zsad serve` (every role in one process, in-memory bus, fsync before ack) whose reporter
# sends the SEG and summary SR to a real Orthanc. Reads each stage's duration from the service's /metrics and prints
# the median per stage (last instance received -> series closed -> volume published -> inference done -> SEG built ->
# SEG stored in Orthanc). DETECTOR (intensity-baseline) picks the detector; QUIET_S (1) the series quiet time, which
# the series_close stage includes by design.
# Orthanc binds every interface: run privately, unshare --net -- bash -c 'ip link set lo up && bench/run-pipeline.sh'
set -euo pipefail
cd "$(dirname "$0")/.."
detector=${DETECTOR:-intensity-baseline}
quiet=${QUIET_S:-1}
work=$(mktemp -d /tmp/zsad-bench-pipeline.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 600); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

command -v Orthanc storescu >/dev/null || { echo "needs Orthanc (apt-get install orthanc) and storescu (dcmtk)" >&2; exit 1; }
dotnet build -c Release src/Zsad -v q --nologo >/dev/null

orthanc_dicom=$(free_port); orthanc_http=$(free_port)
mkdir -p "$work/orthanc"
cat >"$work/orthanc/orthanc.json" <<JSON
{"Name": "zsad-bench", "StorageDirectory": "$work/orthanc/storage", "IndexDirectory": "$work/orthanc/index",
 "DicomAet": "ORTHANC", "DicomPort": $orthanc_dicom, "HttpPort": $orthanc_http, "RemoteAccessAllowed": false,
 "AuthenticationEnabled": false, "Plugins": []}
JSON
Orthanc "$work/orthanc/orthanc.json" >"$work/orthanc.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$orthanc_http/system"

port=$(free_port); http=$(free_port)
dotnet src/Zsad/bin/Release/net10.0/zsad.dll serve --data "$work/data" --rabbitmq "" --port "$port" --http-port "$http" \
  --quiet-s "$quiet" --detector "$detector" --normals phantom --dest "ORTHANC@127.0.0.1:$orthanc_dicom" >"$work/zsad.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$http/health" || { tail -20 "$work/zsad.log" >&2; exit 1; }

echo "detector $detector, quiet time ${quiet} s, fsync before ack"
/usr/bin/python3 bench/pipeline_stages.py "http://127.0.0.1:$http/metrics" "http://127.0.0.1:$orthanc_http" "$port" "$work" \
  || { tail -30 "$work/zsad.log" >&2; exit 1; }
