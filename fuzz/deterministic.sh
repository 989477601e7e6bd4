# Sourced (from the repository root) by fuzz/run.sh and fuzz/pack-corpus.sh: sets the
# array `wrap`, the command prefix under which a fuzz target runs deterministically.
# It preloads fuzz/fixed-random.c (getrandom gives fixed bytes, so std's hash keys are
# the same in every process) and turns off address randomisation (`setarch -R`);
# libFuzzer's fork-mode children inherit both. FUZZ_DETERMINISTIC=0 leaves `wrap`
# empty. Only the target runs under it: cargo and rustc keep their own randomness.
wrap=()
if [ "${FUZZ_DETERMINISTIC:-1}" != 0 ]; then
  mkdir -p fuzz/target
  # Built under a name of its own and renamed, so that lanes starting at the same
  # moment never load a half-written library.
  cc -shared -fPIC -O2 -o "fuzz/target/fixed-random.so.$$" fuzz/fixed-random.c
  mv "fuzz/target/fixed-random.so.$$" fuzz/target/fixed-random.so
  # shellcheck disable=SC2034 # read by the script that sources this file
  wrap=(setarch "$(uname -m)" -R env LD_PRELOAD="$PWD/fuzz/target/fixed-random.so")
fi
