# lib: the primitives every folder may use (lib/util.h, lib/fileio.h).
lib_USES :=
lib_INIT := fileio.c
lib_TESTS := fileio
