#!/usr/bin/env bash
# Load on the listener: ASSOCIATIONS concurrent associations x INSTANCES MR instances (64x64, 16-bit, one series
# per association) into ListenerService on loopback, fsync before ack (and, with NO_FSYNC=1, without). Runs the
# reliability suite's load test at bench size (it asserts: all stored, every series processed exactly once, RSS
# bounded) and prints one markdown row per run plus the median: instances/s and per-instance C-STORE round-trip
# percentiles (time between consecutive C-STORE-RSPs on an association). Never a timed test: numbers are printed.
# Run it privately: unshare --net -- bash -c 'ip link set lo up && bench/run-load.sh'
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
associations=${ASSOCIATIONS:-8}
instances=${INSTANCES:-1000}
dotnet build -c Release tests/Zsad.Reliability.Tests -v q --nologo >/dev/null
reports=()
for i in $(seq "$runs"); do
  report=$(mktemp)
  ZSAD_LOAD_ASSOCIATIONS=$associations ZSAD_LOAD_INSTANCES=$instances ZSAD_LOAD_REPORT=$report ZSAD_LOAD_NO_FSYNC=${NO_FSYNC:-0} \
    dotnet test tests/Zsad.Reliability.Tests -c Release --no-build --nologo \
    --filter "FullyQualifiedName~LoadTests" >/dev/null || { echo "load run $i failed" >&2; exit 1; }
  reports+=("$(cat "$report")")
  rm -f "$report"
done
echo "| run | total | s | inst/s | p50 ms | p95 ms | p99 ms | max ms | RSS before -> peak MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
n=0
for r in "${reports[@]}"; do
  n=$((n + 1))
  declare -A kv=()
  for pair in $r; do kv[${pair%%=*}]=${pair#*=}; done
  echo "| $n (fsync ${kv[fsync]}) | ${kv[total]} | ${kv[seconds]} | ${kv[instances_per_s]} | ${kv[p50_ms]} | ${kv[p95_ms]} | ${kv[p99_ms]} | ${kv[max_ms]} | ${kv[rss_before_mib]} -> ${kv[rss_peak_mib]} |"
done
median=$(printf '%s\n' "${reports[@]}" | grep -oE 'instances_per_s=[0-9]+' | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo
echo "median instances/s over $runs runs: $median"
