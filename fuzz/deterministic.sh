# Sourced (from the repository root) by fuzz/run.sh, fuzz/pack-corpus.sh and
# fuzz/edges.sh: sets the array `wrap`, the command prefix under which a fuzz target runs
# deterministically. It preloads fuzz/fixed-random.c (getrandom gives fixed bytes, so
# std's hash keys are the same in every process) and turns off address randomisation
# (`setarch -R`); libFuzzer's fork-mode children inherit both. FUZZ_DETERMINISTIC=0
# leaves both out. A sourcing script that needs libraries of its own preloaded names
# them, space-separated, in `extra_preload` before sourcing; they are preloaded either
# way. Only the target runs under `wrap`: cargo and rustc keep their own randomness.
wrap=()
preload=${extra_preload:-}
if [ "${FUZZ_DETERMINISTIC:-1}" != 0 ]; then
  mkdir -p fuzz/target
  # Built under a name of its own and renamed, so that lanes starting at the same
  # moment never load a half-written library.
  cc -shared -fPIC -O2 -o "fuzz/target/fixed-random.so.$$" fuzz/fixed-random.c
  mv "fuzz/target/fixed-random.so.$$" fuzz/target/fixed-random.so
  preload="$PWD/fuzz/target/fixed-random.so${preload:+ $preload}"
  wrap=(setarch "$(uname -m)" -R)
fi
if [ -n "$preload" ]; then
  # shellcheck disable=SC2034 # read by the script that sources this file
  wrap+=(env "LD_PRELOAD=$preload")
fi
