# lib/fileio: read(), pread() and write() loops over whole buffers, shared
# by the init and the host tool. Every test or fuzzer that links a file
# using it lists lib/fileio.c too.
init_SRCS += lib/fileio.c
tool_SRCS += lib/fileio.c

# Files, sockets and pipes; stdio as the reference for what was written.
tests += fileio
test_fileio_SRCS := lib/fileio_test.c lib/fileio.c
