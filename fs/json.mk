# fs/json: strict RFC 8259 parser shared by the init and the host tool.
init_SRCS += fs/json.c
tool_SRCS += fs/json.c

tests += json
test_json_SRCS := fs/json_test.c fs/json.c

fuzzers += json
fuzz_json_SRCS := fs/json_fuzz.c fs/json.c
