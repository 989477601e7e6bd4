#!/usr/bin/env bash
# Where a run's new edges are: replays TARGET's corpus as it was at SINCE, and as it is
# now, and prints, for every function that gained covered edges, how many, largest
# first, with the edge count (`cov`) of both replays.
#
#   fuzz/edges.sh TARGET SINCE        (SINCE: a time `date -d` reads, e.g. "01:40")
#
# "As it was" is the inputs of fuzz/corpus/TARGET last modified at or before SINCE
# (libFuzzer never rewrites an input, it adds new files and may delete reduced ones; a
# deleted one is missing from both sets). Both replays run in one fixed order
# (`-runs=0 -shuffle=0`) under fuzz/deterministic.sh, so that what differs is the
# inputs; fuzz/noise.sh measures what differs even so. libFuzzer's `-print_coverage=1`
# gives the per-function counts, with fuzz/edges-shim.c preloaded (see there), and
# llvm-symbolizer the names. Safe beside a running fuzzer of the same target.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/edges.sh TARGET SINCE}
since=$(date -d "${2:?usage: fuzz/edges.sh TARGET SINCE}" '+%Y-%m-%d %H:%M:%S')
command -v llvm-symbolizer >/dev/null || {
  echo "edges: needs llvm-symbolizer (Debian: apt-get install llvm)" >&2
  exit 2
}
[ -d "fuzz/corpus/$target" ] || {
  echo "edges: no fuzz/corpus/$target to replay" >&2
  exit 2
}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none "$target" >/dev/null 2>&1 || {
  echo "edges: cannot build $target (RUSTC_BOOTSTRAP=1 cargo fuzz build -s none $target says why)" >&2
  exit 2
}
bin=$PWD/fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release/$target
# Beside fuzz/corpus, on the same file system, so that the snapshots can be hard links.
mkdir -p fuzz/target
work=$(mktemp -d fuzz/target/edges.XXXXXX)
work=$PWD/$work
trap 'rm -rf "$work"' EXIT
cc -shared -fPIC -O2 -o "$work/shim.so" fuzz/edges-shim.c -ldl
# shellcheck disable=SC2034 # read by fuzz/deterministic.sh
extra_preload=$work/shim.so
# shellcheck source=fuzz/deterministic.sh
source fuzz/deterministic.sh

# A snapshot, so that the running fuzzer's deletions do not pull inputs from under us.
# shellcheck source=fuzz/snapshot.sh
source fuzz/snapshot.sh
snapshot "fuzz/corpus/$target" "$work/now" || {
  echo "edges: cannot snapshot fuzz/corpus/$target (above)" >&2
  exit 2
}
mkdir "$work/before"
find "$work/now" -type f ! -newermt "$since" -exec ln -t "$work/before" {} +
declare -A cov
for set in before now; do
  "${wrap[@]}" "$bin" "$work/$set" -runs=0 -shuffle=0 -max_len=1048576 -print_coverage=1 \
    >"$work/$set.log" 2>&1 || true
  cov[$set]=$(sed -n 's/^#[0-9]*[[:space:]]*INITED cov: \([0-9]*\) .*/\1/p' "$work/$set.log")
  if ! grep -q '^COVERED_FUNC' "$work/$set.log"; then
    echo "edges: the replay printed no per-function coverage; the end of its output:" >&2
    tail -n 5 "$work/$set.log" >&2
    exit 1
  fi
  # "COVERED_FUNC: hits: H edges: COVERED/ALL OFF_0x… …" → "OFF_0x… COVERED"
  grep -E '^(UN)?COVERED_FUNC' "$work/$set.log" |
    awk '{ split($5, e, "/"); print $6, e[1] }' | sort >"$work/$set.edges"
done
echo "$target: $(ls "$work/before" | wc -l) inputs of $since reach ${cov[before]} edges;" \
  "the $(ls "$work/now" | wc -l) of now reach ${cov[now]}"
join "$work/before.edges" "$work/now.edges" | awk '$3 > $2 { print $1, $3 - $2 }' |
  sort -k2,2nr >"$work/gained"
[ -s "$work/gained" ] || exit 0
sed 's/^OFF_//; s/ .*//' "$work/gained" |
  llvm-symbolizer --obj="$bin" --no-inlines --demangle 2>/dev/null |
  awk 'NF == 0 { next } !(n++ % 2)' >"$work/names"
paste -d ' ' <(awk '{ print $2 }' "$work/gained") "$work/names" | cut -c 1-160
