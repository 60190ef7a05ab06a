tool_SRCS += tool/main.c tool/cli.c
