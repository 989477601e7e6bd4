#!/usr/bin/env bash
# Replays one target's corpus several times, without mutating it, and prints the edge
# count (`cov`) libFuzzer reports after each replay, then the spread.
#
#   fuzz/noise.sh TARGET [REPLAYS]        (default 3)
#
# The same inputs need not reach the same edges: hash maps (serde_json's objects, with
# `preserve_order`) take random keys in every process, and where a buffer lands in
# memory (address randomisation, and the inputs run before it in the same process)
# can change the edges reached. libFuzzer's fork mode counts the union of every
# child's edges, so such edges would keep turning up one by one in a long run.
# fuzz/run.sh makes both the same in every process (fuzz/fixed-random.c, `setarch -R`);
# what still differs depends on the inputs run before (std steps the hash keys on by
# one with every new map), so the replays here run in one fixed order (`-shuffle=0`).
# The spread printed is what is left, to set beside the edges a run of fuzz/plateau.sh
# found in its last QUIET_SECONDS. Built and run as fuzz/plateau.sh runs it (through
# fuzz/run.sh); FUZZ_DETERMINISTIC=0 measures the noise without those two fixes.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/noise.sh TARGET [REPLAYS]}
replays=${2:-3}
export FUZZ_CARGO_ARGS=${FUZZ_CARGO_ARGS-"-s none"}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
covs=()
for _ in $(seq "$replays"); do
  fuzz/run.sh "$target" 0 -runs=0 -shuffle=0 >"$log" 2>&1 || true
  cov=$(sed -n 's/^#[0-9]*[[:space:]]*INITED cov: \([0-9]*\) .*/\1/p' "$log")
  if [ -z "$cov" ]; then
    # A failed build or an unknown target: show how the run ended.
    echo "noise: $target printed no INITED line; the end of its output:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  covs+=("$cov")
done
sorted=$(printf '%s\n' "${covs[@]}" | sort -n)
low=$(head -n 1 <<<"$sorted")
high=$(tail -n 1 <<<"$sorted")
echo "$target: cov after each replay: ${covs[*]}; spread $((high - low))"
