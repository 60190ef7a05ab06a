# lib: the primitives every folder may use: endian loads and stores, hex,
# a bounded read cursor, a fixed-buffer text builder, monotonic deadlines,
# whole-buffer and whole-file I/O, named constants (docs/design.md).
lib_USES :=
lib_INIT := fileio.c hex.c strbuf.c clock.c error.c
# Reads whole files into a growing heap buffer: the host tool only.
lib_HOST := fileio_alloc.c

lib_TESTS := error fileio fileio_alloc hex strbuf clock endian cursor
lib_FUZZERS := hex cursor
