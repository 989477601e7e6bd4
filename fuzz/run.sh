#!/usr/bin/env bash
# Runs one fuzz target for a while with its seeds and dictionary, on the stable toolchain.
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags…]
#   FUZZ_CARGO_ARGS="-s none" fuzz/run.sh TARGET …   (no AddressSanitizer: faster)
# The growing corpus is kept in fuzz/corpus/TARGET (not committed; a minimised copy is
# packed into fuzz/corpus.tar.xz by fuzz/pack-corpus.sh); crashes go to
# fuzz/artifacts/TARGET. Run from the repository root or from fuzz/. The target runs
# with fixed random bytes and no address randomisation (see below; FUZZ_DETERMINISTIC=0
# for neither).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags…]}
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
# Seed folders: the target's own, and for the targets that read raw bytes and detect the
# format as `pipeline` does, `pipeline`'s too (its export samples; without them
# `compressed` and `pipeline_pdf` stopped ~2 000 edges short: see fuzz/cross-seed.sh).
seeds=("fuzz/seeds/$target")
case $target in
  compressed|pipeline_pdf) seeds+=(fuzz/seeds/pipeline) ;;
esac
case $target in
  config) dict=fuzz/dict/config.dict; max_len=8192 ;;
  timestamp|period) dict=""; max_len=256 ;;
  ids) dict=""; max_len=4096 ;;
  compressed) dict=""; max_len=16384 ;;
  pipeline|pipeline_pdf) dict=fuzz/dict/records.dict; max_len=8192 ;;
  *) dict=fuzz/dict/records.dict; max_len=16384 ;;
esac
# The corpus packed by fuzz/pack-corpus.sh carries on the runs of other machines.
if [ ! -d "fuzz/corpus/$target" ] && [ -f fuzz/corpus.tar.xz ]; then
  mkdir -p fuzz/corpus
  tar -xJf fuzz/corpus.tar.xz -C fuzz "corpus/$target" 2>/dev/null || true
fi
mkdir -p "fuzz/corpus/$target"
flags=(-max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1)
[ -n "$dict" ] && flags+=(-dict="$dict")
# cargo-fuzz needs nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets stable accept them.
# FUZZ_CARGO_ARGS adds cargo-fuzz options, e.g. "-s none" to build without AddressSanitizer.
export RUSTC_BOOTSTRAP=1
# shellcheck disable=SC2086
cargo fuzz build ${FUZZ_CARGO_ARGS:-} "$target"
# Deterministic processes (fuzz/deterministic.sh; FUZZ_DETERMINISTIC=0 turns this off):
# the target was built above without it, and `cargo fuzz run` below finds it built.
# shellcheck source=fuzz/deterministic.sh
source fuzz/deterministic.sh
# shellcheck disable=SC2086
exec "${wrap[@]}" cargo fuzz run ${FUZZ_CARGO_ARGS:-} "$target" "fuzz/corpus/$target" "${seeds[@]}" -- "${flags[@]}" "$@"
