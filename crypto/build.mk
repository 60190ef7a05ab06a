init_SRCS += $(SHA256_SRCS)
tool_SRCS += $(SHA256_SRCS)
