#!/usr/bin/env bash
# Side by side: C-STORE receive rate of Zsad's SCP vs dcmtk storescp, both writing Part 10 files to disk.
# 1,000 MR instances (256x256, 16-bit) sent by dcmtk storescu over loopback, 1 and 4 parallel senders;
# Zsad with and without fsync-before-ack (storescp has no fsync option: it never syncs). TCP_NODELAY=1 for dcmtk,
# without which Debian's dcmtk stalls ~50 ms per instance on delayed ACKs (see ARCHITECTURE.md).
# Prints markdown rows: median instances/s over RUNS runs, and the ratio to storescp.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
work=${WORK:-/tmp/zsad-bench-store}
count=1000
export TCP_NODELAY=1

mkdir -p "$work"
if [[ ! -d $work/in ]]; then
  /usr/bin/python3 bench/make_mr_series.py "$work/in" "$count"
fi
mkdir -p "$work/warm"
inputs=("$work/in"/*.dcm)
for f in "${inputs[@]:0:20}"; do ln -sf "$f" "$work/warm/"; done
for k in 0 1 2 3; do # four disjoint quarters for the parallel senders
  mkdir -p "$work/in4/$k"
  for i in "${!inputs[@]}"; do ((i % 4 == k)) && ln -sf "${inputs[$i]}" "$work/in4/$k/"; done
done
dotnet build -c Release src/Zsad -v q --nologo >/dev/null
zsad="dotnet src/Zsad/bin/Release/net10.0/zsad.dll"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }

run_once() { # server senders -> seconds
  local server=$1 senders=$2 port out pid start end
  port=$(free_port); out="$work/out"; rm -rf "$out"; mkdir -p "$out"
  case $server in
    zsad-fsync) $zsad scp --bind 127.0.0.1 --port "$port" --aet BENCH --out "$out" 2>/dev/null & pid=$! ;;
    zsad-nofsync) $zsad scp --bind 127.0.0.1 --port "$port" --aet BENCH --out "$out" --no-fsync 2>/dev/null & pid=$! ;;
    storescp) storescp -aet BENCH -od "$out" +xa "$port" & pid=$! ;;
  esac
  wait_port "$port"
  storescu -aec BENCH +sd +r 127.0.0.1 "$port" "$work/warm" # a service is long-running: warm it up first
  rm -f "$out"/*
  start=$(date +%s.%N)
  if [[ $senders == 1 ]]; then
    storescu -aec BENCH +sd +r 127.0.0.1 "$port" "$work/in"
  else
    local senders_pids=()
    for k in 0 1 2 3; do storescu -aec BENCH +sd +r 127.0.0.1 "$port" "$work/in4/$k" & senders_pids+=($!); done
    wait "${senders_pids[@]}"
  fi
  end=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local stored; stored=$(find "$out" -name '*.dcm' -o -name 'MR.*' | wc -l)
  [[ $stored == "$count" ]] || { echo "$server stored $stored of $count" >&2; exit 1; }
  awk -v s="$start" -v e="$end" 'BEGIN {printf "%.4f\n", e - s}'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A rate
for senders in 1 4; do
  for server in storescp zsad-nofsync zsad-fsync; do
    secs=$(for _ in $(seq "$runs"); do run_once "$server" "$senders"; done | median)
    rate[$server,$senders]=$(awk -v s="$secs" -v n="$count" 'BEGIN {printf "%.0f", n / s}')
  done
  base=${rate[storescp,$senders]}
  for server in zsad-nofsync zsad-fsync; do
    echo "| C-STORE receive, $senders sender(s), $server | ${rate[$server,$senders]}/s | storescp ${base}/s | $(awk -v a="${rate[$server,$senders]}" -v b="$base" 'BEGIN {printf "%.2f", a / b}')x |"
  done
done
