init_SRCS += crypto/sha256.c crypto/sha256_ni.c
tool_SRCS += crypto/sha256.c crypto/sha256_ni.c
