/* Preloaded by fuzz/edges.sh. libFuzzer's -print_coverage=1 prints each function's
 * covered edges only when the sanitizer runtime gives it two functions, which a build
 * without a sanitizer (`cargo fuzz build -s none`) lacks; the fuzz binaries reference
 * them as weak dynamic symbols, so these stand in. A PC is described by its offset in
 * its object file ("OFF_0x…"), which fuzz/edges.sh names with llvm-symbolizer. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int __sanitizer_get_module_and_offset_for_pc(void *pc, char *module, size_t module_len,
                                              void **offset) {
  Dl_info info;
  if (!dladdr(pc, &info) || !info.dli_fname || !info.dli_fbase) return 0;
  snprintf(module, module_len, "%s", info.dli_fname);
  *offset = (void *)((uintptr_t)pc - (uintptr_t)info.dli_fbase);
  return 1;
}

void __sanitizer_symbolize_pc(void *pc, const char *format, char *out, size_t out_len) {
  Dl_info info;
  uintptr_t offset = 0;
  (void)format;
  if (dladdr(pc, &info) && info.dli_fbase) offset = (uintptr_t)pc - (uintptr_t)info.dli_fbase;
  snprintf(out, out_len, "OFF_0x%lx", (unsigned long)offset);
}
