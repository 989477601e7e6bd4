#!/usr/bin/env bash
# Gives a target the inputs other targets found that reach code it has not reached:
# merges the corpora of SOURCE targets into fuzz/corpus/TARGET with libFuzzer's
# -merge=1, which adds only the inputs that bring TARGET new coverage.
#
#   fuzz/cross-seed.sh TARGET SOURCE...     e.g. fuzz/cross-seed.sh pipeline_pdf pipeline
#
# Worth it where the inputs mean the same to both: `pipeline`, `pipeline_pdf` and
# `compressed` all read raw bytes and detect the format (pipeline_pdf also takes its
# paper and audience from the first byte), and the `ingest_*` targets read raw bytes in
# one format. The slow whole-pipeline targets find again, at a few dozen executions a
# second, parser branches the fast targets found long ago; a merge hands them over.
# The sources are merged from hard-linked snapshots (fuzz/snapshot.sh), so their
# fuzzers may go on running; TARGET's may not, since libFuzzer reloads its corpus
# directory during a run and would take the merged inputs in mid-run.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: fuzz/cross-seed.sh TARGET SOURCE..."
target=${1:?$usage}
shift
[ $# -gt 0 ] || {
  echo "cross-seed: $usage" >&2
  exit 2
}
[ -d "fuzz/corpus/$target" ] || {
  echo "cross-seed: no fuzz/corpus/$target (fuzz/run.sh $target unpacks or starts one)" >&2
  exit 2
}
if pgrep -f "/release/$target( |$)" >/dev/null; then
  echo "cross-seed: a fuzzer of $target is running; stop it first (it would reload the merged inputs mid-run)" >&2
  exit 2
fi
host=$(rustc -vV | sed -n 's/^host: //p')
cargo_args=${FUZZ_CARGO_ARGS-"-s none"}
# shellcheck disable=SC2086
RUSTC_BOOTSTRAP=1 cargo fuzz build $cargo_args "$target" >&2
# shellcheck source=fuzz/deterministic.sh
source fuzz/deterministic.sh
# shellcheck source=fuzz/snapshot.sh
source fuzz/snapshot.sh
mkdir -p fuzz/target
scratch=$(mktemp -d fuzz/target/cross.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
dirs=()
for source_target in "$@"; do
  snapshot "fuzz/corpus/$source_target" "$scratch/$source_target" || {
    echo "cross-seed: cannot snapshot fuzz/corpus/$source_target (above); nothing merged" >&2
    exit 2
  }
  dirs+=("$scratch/$source_target")
done
before=$(find "fuzz/corpus/$target" -type f | wc -l)
"${wrap[@]}" "fuzz/target/$host/release/$target" -merge=1 -max_len=16384 -timeout=20 \
  -rss_limit_mb=2048 "fuzz/corpus/$target" "${dirs[@]}" >"$scratch/merge.log" 2>&1 || {
  cat "$scratch/merge.log" >&2
  exit 1
}
after=$(find "fuzz/corpus/$target" -type f | wc -l)
offered=$(find "${dirs[@]}" -type f | wc -l)
# libFuzzer's own count of what the added inputs bring ("N new files with F new
# features added; E new coverage edges").
added=$(sed -n 's/^MERGE-OUTER: //p' "$scratch/merge.log" | grep 'new files' | tail -n 1)
echo "$target <- $*: $offered inputs offered, $before -> $after in fuzz/corpus/$target; ${added:-libFuzzer printed no count}"
