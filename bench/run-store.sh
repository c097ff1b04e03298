#!/usr/bin/env bash
# Side by side: C-STORE receive rate of Zsad's SCP vs dcmtk storescp, both writing Part 10 files to disk.
# 1,000 MR instances (256x256, 16-bit) sent by dcmtk storescu over loopback, 1 and 4 parallel senders;
# Zsad with and without fsync-before-ack (storescp has no fsync option: it never syncs). TCP_NODELAY=1 for dcmtk,
# without which Debian's dcmtk stalls ~50 ms per instance on delayed ACKs (see ARCHITECTURE.md).
# Runs are interleaved (run 1 of every configuration, then run 2, ...) so load from other work on the machine
# spreads over all of them. Prints markdown rows: median instances/s over RUNS runs, the ratio to storescp, and the
# server's median peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
warm=${WARM:-200} # instances sent before the timed run: a service is long-running, its JIT has settled
work=${WORK:-/tmp/zsad-bench-store}
count=1000
export TCP_NODELAY=1

mkdir -p "$work"
if [[ ! -d $work/in ]]; then
  /usr/bin/python3 bench/make_mr_series.py "$work/in" "$count"
fi
rm -rf "$work/warm"; mkdir -p "$work/warm"
inputs=("$work/in"/*.dcm)
for f in "${inputs[@]:0:$warm}"; do ln -sf "$f" "$work/warm/"; done
for k in 0 1 2 3; do # four disjoint quarters for the parallel senders
  mkdir -p "$work/in4/$k"
  for i in "${!inputs[@]}"; do ((i % 4 == k)) && ln -sf "${inputs[$i]}" "$work/in4/$k/"; done
done
dotnet build -c Release src/Zsad -v q --nologo >/dev/null
zsad="dotnet src/Zsad/bin/Release/net10.0/zsad.dll"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }

run_once() { # server senders -> "seconds peak-RSS-KiB"
  local server=$1 senders=$2 port out pid start end rss
  port=$(free_port); out="$work/out"; rm -rf "$out"; mkdir -p "$out"
  case $server in
    zsad-fsync) $zsad scp --bind 127.0.0.1 --port "$port" --aet BENCH --out "$out" 2>/dev/null & pid=$! ;;
    zsad-nofsync) $zsad scp --bind 127.0.0.1 --port "$port" --aet BENCH --out "$out" --no-fsync 2>/dev/null & pid=$! ;;
    storescp) storescp -aet BENCH -od "$out" +xa "$port" & pid=$! ;;
  esac
  wait_port "$port"
  storescu -aec BENCH +sd +r 127.0.0.1 "$port" "$work/warm"
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
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local stored; stored=$(find "$out" -name '*.dcm' -o -name 'MR.*' | wc -l)
  [[ $stored == "$count" ]] || { echo "$server stored $stored of $count" >&2; exit 1; }
  awk -v s="$start" -v e="$end" -v r="$rss" 'BEGIN {printf "%.4f %d\n", e - s, r}'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A secs rss
for _ in $(seq "$runs"); do
  for senders in 1 4; do
    for server in storescp zsad-nofsync zsad-fsync; do
      read -r t r < <(run_once "$server" "$senders")
      [[ -n ${t:-} ]] || exit 1
      secs[$server,$senders]+="$t "; rss[$server,$senders]+="$r "
    done
  done
done
declare -A rate
for senders in 1 4; do
  for server in storescp zsad-nofsync zsad-fsync; do
    t=$(tr ' ' '\n' <<<"${secs[$server,$senders]}" | grep . | median)
    rate[$server,$senders]=$(awk -v s="$t" -v n="$count" 'BEGIN {printf "%.0f", n / s}')
    echo "$server, $senders sender(s): seconds ${secs[$server,$senders]}; peak RSS KiB ${rss[$server,$senders]}" >&2
  done
  base=${rate[storescp,$senders]}
  for server in zsad-nofsync zsad-fsync; do
    mib=$(tr ' ' '\n' <<<"${rss[$server,$senders]}" | grep . | median | awk '{printf "%.0f", $1 / 1024}')
    echo "| C-STORE receive, $senders sender(s), $server | ${rate[$server,$senders]}/s | storescp ${base}/s | $(awk -v a="${rate[$server,$senders]}" -v b="$base" 'BEGIN {printf "%.2f", a / b}')x | RSS ${mib} MiB |"
  done
done
