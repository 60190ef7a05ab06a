shell_tests += scripts/reproducible_test.sh
