#ifndef C_FUZZ_DRIVER_H
#define C_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry for programs that have a `main` of their own (SwiftPM renames an executable's
/// entry point, so libFuzzer's `main` is never the one linked): runs the fuzzer on `callback` with
/// the command line's options and corpus folders, and returns its exit status.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// The target's test function: each fuzz target defines it (`@_cdecl("LLVMFuzzerTestOneInput")`).
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
