/* Loaded with LD_PRELOAD by fuzz/run.sh (unless FUZZ_DETERMINISTIC=0) so that the hash
 * keys are the same in every fuzzing process.
 *
 * The standard library seeds its HashMap hashers from getrandom(2), and serde_json's
 * objects are IndexMaps with such a hasher (the crate enables `preserve_order`). With
 * random keys, where an entry lands in the table, and so which probing code runs,
 * changes from one process to the next; libFuzzer's fork mode counts the union of its
 * children's edges, and those edges then keep turning up one at a time. Here every
 * call gets the same bytes. (std still steps the keys on by one for every new map in a
 * thread, so they also depend on what ran before in the same process.) Only the fuzz
 * targets run with it: the product's output never depends on hash order. */
#include <string.h>
#include <sys/types.h>

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
  (void)flags;
  memset(buf, 0x5a, len);
  return (ssize_t)len;
}
