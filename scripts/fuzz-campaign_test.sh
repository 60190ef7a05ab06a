#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/fuzz-campaign on tiny libFuzzer targets built here: a clean one
# passes with its statistics in the table and its corpus kept; one with a
# heap overflow fails the campaign with a minimised input whose reproducing
# command crashes the same way; a target that does not start, a missing
# one and an empty build fail too; bad options are usage errors.
set -u
. scripts/testlib.sh
need_commands clang base64 timeout xargs
testlib_tmpdir

cat > "$tmp/clean.c" <<-'EOF'
	#include <stddef.h>
	#include <stdint.h>
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
	{
		volatile unsigned sum = 0;

		for (size_t i = 0; i < size; i++)
			if (data[i] == 'a' + (int)i)
				sum += data[i];
		return 0;
	}
EOF
# Reads one byte past a heap copy of any input starting "bug".
cat > "$tmp/crashy.c" <<-'EOF'
	#include <stdint.h>
	#include <stdlib.h>
	#include <string.h>
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
	{
		char *p = malloc(size ? size : 1);
		volatile char c = 0;

		memcpy(p, data, size);
		if (size >= 3 && p[0] == 'b' && p[1] == 'u' && p[2] == 'g')
			c = p[size];
		free(p);
		return c;
	}
EOF
mkdir -p "$tmp/build/fuzz/corpus" "$tmp/seeds/crashy" "$tmp/empty/fuzz"
for t in clean crashy; do
	clang -g -O1 -fsanitize=fuzzer,address -o "$tmp/build/fuzz/$t" \
		"$tmp/$t.c" || fatal "clang -fsanitize=fuzzer $t.c"
done
printf 'bua' > "$tmp/seeds/crashy/near"
# Not a fuzzer: exits 1 at once, as a target that cannot start does.
printf '#!/bin/sh\necho cannot start >&2\nexit 1\n' > "$tmp/broken"
chmod +x "$tmp/broken"

# campaign NAME ARGS...: run the campaign into $tmp/NAME; status in $status,
# report in $tmp/NAME/report.md.
campaign() {
	c_name=$1
	shift
	BUILD=$tmp/build scripts/fuzz-campaign --seconds 2 \
		--minimize-seconds 2 --timeout 5 --corpus "$tmp/corpus" \
		--seeds "$tmp/seeds" --report-dir "$tmp/$c_name" "$@" \
		> "$tmp/$c_name.out" 2> "$tmp/$c_name.err"
	status=$?
	report=$tmp/$c_name/report.md
}

# row REPORT TARGET COLUMN: a column (1 target, 2 verdict, 3 CPU s,
# 4 executions, 5 exec/s, 6 cov, 7 ft, 8 corpus, 9 new units, 10 crashes,
# 11 commit) of a table row.
row() {
	awk -F' *[|] *' -v t="$2" -v c="$3" '$2 == t { print $(c + 1) }' "$1"
}

# --- a clean target ---------------------------------------------------------
campaign clean "$tmp/build/fuzz/clean"
check_equal "clean: exit status" "$status" 0
check_equal "clean: last line" "$(tail -n 1 "$report")" \
	"PASS: 1 targets, 2 s of CPU each, no crash"
check_equal "clean: verdict" "$(row "$report" clean 2)" ok
check_equal "clean: no crash" "$(row "$report" clean 10)" 0
execs=$(row "$report" clean 4)
check "clean: executions counted ($execs)" [ "${execs:-0}" -gt 1000 ]
check "clean: exec/s counted" [ "$(row "$report" clean 5)" -gt 0 ]
check "clean: coverage counted" [ "$(row "$report" clean 6)" -gt 0 ]
check "clean: features counted" [ "$(row "$report" clean 7)" -gt 0 ]
new=$(row "$report" clean 9)
kept=$(find "$tmp/corpus/clean" -type f | wc -l)
check "clean: new units added ($new)" [ "$new" -gt 0 ]
check "clean: the corpus kept outside the report ($kept)" [ "$kept" -gt 0 ]
check_equal "clean: the report is what it printed" \
	"$(cat "$tmp/clean.out")" "$(cat "$report")"
cpu=$(row "$report" clean 3)
check "clean: it had its 2 s of CPU ($cpu)" [ "${cpu:-0}" -ge 2 ]
check_equal "clean: the commit it ran at" "$(row "$report" clean 11)" \
	"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

# --- CPU time, not wall-clock time: a target held to half a core ------------
# A wrapper that stops the fuzzer every other 50 ms gives it about half the
# CPU its wall-clock time says: the campaign runs it again for the rest.
{
	echo '#!/bin/sh'
	echo "\"$tmp/build/fuzz/clean\" \"\$@\" &"
	echo 'pid=$!'
	echo 'while kill -STOP $pid 2>/dev/null; do'
	echo '	sleep 0.05; kill -CONT $pid 2>/dev/null; sleep 0.05'
	echo 'done'
	echo 'wait $pid'
} > "$tmp/halfcore"
chmod +x "$tmp/halfcore"
BUILD=$tmp/build scripts/fuzz-campaign --seconds 4 --timeout 5 \
	--corpus "$tmp/corpus" --report-dir "$tmp/half" "$tmp/halfcore" \
	> /dev/null 2> "$tmp/half.err"
check_equal "half a core: exit status" "$?" 0
cpu=$(row "$tmp/half/report.md" halfcore 3)
check "half a core: 4 s of CPU all the same ($cpu)" [ "${cpu:-0}" -ge 3 ]
check "half a core: in more than one run" \
	grep -q '^runs=[2-8]$' "$tmp/half/results/halfcore"

# --- --resume: a target that ran its time is not run again ------------------
touch -d '2000-01-01' "$tmp/clean/logs/clean.log"
campaign clean --resume "$tmp/build/fuzz/clean"
check_equal "resume: exit status" "$status" 0
check "resume: says it ran already" grep -q 'clean already ran' \
	"$tmp/clean.err"
check "resume: not run again" \
	[ "$(stat -c %Y "$tmp/clean/logs/clean.log")" -lt 1000000000 ]
check_equal "resume: its row kept" "$(row "$report" clean 2)" ok
longer=$(($(row "$report" clean 3) + 1))
campaign clean --resume --seconds "$longer" "$tmp/build/fuzz/clean"
check "resume: a longer campaign runs it again" \
	[ "$(stat -c %Y "$tmp/clean/logs/clean.log")" -gt 1000000000 ]

# --- every executable of BUILD/fuzz, two at once: one crashes ---------------
campaign crash --jobs 2
check_equal "crash: exit status" "$status" 1
last=$(tail -n 1 "$report")
case $last in
"FAIL: 1 crash(es) in: crashy (1 of 2 targets clean)") ok "crash: last line" ;;
*) fail "crash: last line '$last'" ;;
esac
check_equal "crash: the clean one still passes" "$(row "$report" clean 2)" ok
check_equal "crash: verdict" "$(row "$report" crashy 2)" crash
check_equal "crash: one crash" "$(row "$report" crashy 10)" 1
check "crash: the corpus folder is not a target" \
	[ -z "$(row "$report" corpus 2)" ]
check "crash: the sanitizer's summary" \
	grep -q '^SUMMARY: AddressSanitizer: heap-buffer-overflow' "$report"
repro=$(sed -n '/^Reproduce:/,/^    /s/^    //p' "$report")
case $repro in
"$tmp/build/fuzz/crashy $tmp/crash/crashes/crashy/crash-"*.min)
	ok "crash: reproducing command ($repro)" ;;
*) fail "crash: reproducing command '$repro'" ;;
esac
min=${repro#* }
check "crash: minimised to the 3 bytes that matter ($(wc -c < "$min"))" \
	[ "$(cat "$min")" = bug ]
check_equal "crash: the input in base64" \
	"$(grep -A 2 '^Input, base64:' "$report" | tail -n 1 | tr -d ' ')" \
	"$(printf bug | base64)"
$repro > "$tmp/repro.log" 2>&1
check "crash: the command reproduces it (exit $?)" \
	grep -q 'heap-buffer-overflow' "$tmp/repro.log"

# --- a target that does not start, and one that is missing ------------------
campaign notrun "$tmp/broken" "$tmp/build/fuzz/clean" "$tmp/missing"
check_equal "broken: exit status" "$status" 1
check "broken: named as not run" \
	grep -q "^- broken: exited 1 without a crash input" "$report"
check "broken: missing named as not run" \
	grep -q "^- missing: .* is not an executable file" "$report"
check_equal "broken: the clean one still passes" \
	"$(row "$report" clean 2)" ok
case $(tail -n 1 "$report") in
"FAIL: did not run: broken missing (1 of 3 targets clean)")
	ok "broken: last line" ;;
*) fail "broken: last line '$(tail -n 1 "$report")'" ;;
esac

# --- nothing to run, and usage errors ---------------------------------------
BUILD=$tmp/empty scripts/fuzz-campaign --seconds 1 --corpus "$tmp/corpus" \
	--report-dir "$tmp/none" > "$tmp/none.out" 2>&1
check_equal "no targets: exit status" "$?" 1
check_equal "no targets: last line" "$(tail -n 1 "$tmp/none/report.md")" \
	"FAIL: no fuzz targets (make fuzz builds them into $tmp/empty/fuzz)"
expect_error 2 "seconds wants a positive number" \
	scripts/fuzz-campaign --seconds 0
expect_error 2 "unknown option --bogus" scripts/fuzz-campaign --bogus

testlib_finish 33
