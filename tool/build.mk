tool_SRCS += tool/main.c
