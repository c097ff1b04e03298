#!/usr/bin/env bash
# Load: ASSOCIATIONS concurrent associations x INSTANCES MR instances (64x64, 16-bit, one series per association)
# on loopback, fsync before ack (and, with NO_FSYNC=1, without). Target (first argument):
#   listener (default): into the listener alone (ListenerService in its own process): the reliability suite's
#            LoadTests at bench size;
#   serve:   into `zsad serve` with every role (in-memory bus), while its inference is held busy on an earlier
#            series until the load is in: the host suite's LoadWhileInferenceTests at bench size.
# Both assert all stored, every series processed exactly once and RSS bounded, and print one markdown row per run plus
# the median: instances/s and per-instance C-STORE round-trip percentiles (time between consecutive C-STORE-RSPs on
# an association). Never a timed test: numbers are printed.
# Run it privately: unshare --net -- bash -c 'ip link set lo up && bench/run-load.sh [listener|serve]'
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
associations=${ASSOCIATIONS:-8}
instances=${INSTANCES:-1000}
case ${1:-listener} in
  listener) project=tests/Zsad.Reliability.Tests; filter="FullyQualifiedName~Load.LoadTests" ;;
  serve) project=tests/Zsad.Host.Tests; filter="FullyQualifiedName~LoadWhileInferenceTests" ;;
  *) echo "usage: bench/run-load.sh [listener|serve]" >&2; exit 2 ;;
esac
dotnet build -c Release "$project" -v q --nologo >/dev/null
reports=()
for i in $(seq "$runs"); do
  report=$(mktemp)
  ZSAD_LOAD_ASSOCIATIONS=$associations ZSAD_LOAD_INSTANCES=$instances ZSAD_LOAD_REPORT=$report ZSAD_LOAD_NO_FSYNC=${NO_FSYNC:-0} \
    dotnet test "$project" -c Release --no-build --nologo --filter "$filter" >/dev/null || { echo "load run $i failed" >&2; exit 1; }
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
