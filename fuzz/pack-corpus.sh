#!/usr/bin/env bash
# Packs the grown corpora into fuzz/corpus.tar.xz, so that fuzzing on another machine
# goes on from where it stopped instead of starting from the seeds again.
#
#   fuzz/pack-corpus.sh        (every target with a corpus in fuzz/corpus/; the archive
#                              is replaced as a whole)
#
# Each corpus is first minimised with libFuzzer's -merge=1 (the smallest set of inputs
# with the same coverage; -max_len as large as fuzz/run.sh allows any target) into a
# scratch directory. The merge reads a snapshot of hard links, not fuzz/corpus itself:
# a run going on meanwhile deletes the inputs it reduces, and libFuzzer's merge exits
# on an input it cannot open.
# fuzz/run.sh unpacks a target's corpus from the archive when fuzz/corpus/TARGET does
# not exist yet.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
for dir in fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
host=$(rustc -vV | sed -n 's/^host: //p')
# Built as fuzz/plateau.sh builds them: without AddressSanitizer unless told otherwise.
cargo_args=${FUZZ_CARGO_ARGS-"-s none"}
# Minimised under the same fixed hash keys and addresses as the runs
# (fuzz/deterministic.sh), so that the coverage kept is the coverage the runs counted.
# shellcheck source=fuzz/deterministic.sh
source fuzz/deterministic.sh
# Beside fuzz/corpus, on the same file system, so that the snapshot can be
# hard links (it is copied when they cannot be made).
mkdir -p fuzz/target
scratch=$(mktemp -d fuzz/target/pack.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/corpus"
# shellcheck source=fuzz/snapshot.sh
source fuzz/snapshot.sh
for target in "${targets[@]}"; do
  # shellcheck disable=SC2086
  RUSTC_BOOTSTRAP=1 cargo fuzz build $cargo_args "$target" >&2
  mkdir -p "$scratch/corpus/$target"
  snapshot "fuzz/corpus/$target" "$scratch/snapshot/$target" || {
    echo "pack: cannot snapshot fuzz/corpus/$target (above); nothing packed" >&2
    exit 1
  }
  "${wrap[@]}" "fuzz/target/$host/release/$target" -merge=1 -max_len=16384 -timeout=20 \
    -rss_limit_mb=2048 "$scratch/corpus/$target" "$scratch/snapshot/$target" \
    >"$scratch/$target.log" 2>&1 || {
    cat "$scratch/$target.log" >&2
    exit 1
  }
  echo "$target: $(find "$scratch/snapshot/$target" -type f | wc -l) inputs -> $(find "$scratch/corpus/$target" -type f | wc -l)" >&2
  rm -rf "$scratch/snapshot/$target"
done
# Sorted names and no owners or times, so the same corpus packs to the same bytes.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$scratch" -cf - corpus |
  xz -9 >fuzz/corpus.tar.xz.new
mv fuzz/corpus.tar.xz.new fuzz/corpus.tar.xz
ls -l fuzz/corpus.tar.xz >&2
