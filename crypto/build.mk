init_SRCS += crypto/sha256.c
tool_SRCS += crypto/sha256.c
