#!/usr/bin/env bash
# Every benchmark, one after the other on the same machine, and one markdown file of the results (OUT, default
# bench/results-<UTC date>.md): the side-by-side table (Zsad | peer | ratio) that run-dicom-read.sh, run-store.sh,
# run-imaging.sh and run-clip-encoder.sh print, then the Zsad-only tables of run-load.sh (listener, and serve while
# inference runs) and run-pipeline.sh (per-stage timing). A script that fails is named in the file and in the exit
# code; the others still run. Needs the peers of each script and a private network namespace:
#   unshare --net -- bash -c 'ip link set lo up && bench/run-all.sh'
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-bench/results-$(date -u +%Y-%m-%d).md}
failed=()
rows=()
sections=()
text=

# Runs one script (its progress to stderr); its stdout lands in $text; a failure is recorded, the rest still run.
run() {
  local name=$1; shift
  echo "== $name" >&2
  text=$("$@") && return 0
  failed+=("$name")
  return 1
}

for script in run-dicom-read.sh run-store.sh run-imaging.sh run-clip-encoder.sh; do
  if run "$script" "bench/$script"; then
    # The side-by-side rows: "| benchmark | Zsad | peer | ratio |" (4 columns; other lines are notes).
    while IFS= read -r line; do rows+=("$line"); done < <(grep -E '^\|([^|]*\|){4}$' <<<"$text" | grep -vE '^\|[- |]+\|$')
  fi
done
if run "run-load.sh listener" bench/run-load.sh listener; then sections+=("### Load into the listener (8 associations)" "" "$text" ""); fi
if run "run-load.sh serve" bench/run-load.sh serve; then sections+=("### Load into zsad serve while inference runs (8 associations)" "" "$text" ""); fi
if run "run-pipeline.sh" bench/run-pipeline.sh; then sections+=("### End to end, per stage" "" "$text" ""); fi

{
  echo "# Zsad benchmarks, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); dotnet $(dotnet --version)."
  echo
  echo "## Side by side with the peers"
  echo
  echo "| benchmark | Zsad | peer | ratio |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "## Zsad alone"
  echo
  printf '%s\n' "${sections[@]}"
  if ((${#failed[@]})); then
    echo "## Failed"
    echo
    printf -- '- %s\n' "${failed[@]}"
  fi
} >"$out"
echo "results in $out" >&2
((${#failed[@]} == 0))
