#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/initrd-size: its member list agrees with cpio's own, it flags a
# part over a budget, and the build's initrd is within docs/size.md.
set -eu
. scripts/testlib.sh
need_file "$BUILD/initrd.img"
need_commands cpio zstd
testlib_tmpdir
initrd=$BUILD/initrd.img

# Every regular file cpio lists, with its size, is a member, and no more.
zstd -dc "$initrd" > "$tmp/initrd.cpio"
(cd "$tmp" && cpio -itv --quiet < initrd.cpio) 2> /dev/null |
	awk '$1 ~ /^-/ { print $5, $NF }' | sort > "$tmp/cpio.list"
scripts/initrd-size --members "$initrd" | awk '{ print $1, $3 }' |
	sort > "$tmp/ours.list"
check "members and sizes match cpio -itv" cmp -s "$tmp/cpio.list" "$tmp/ours.list"
check "the init is a member" grep -q ' init$' "$tmp/ours.list"

# The uncompressed archive reads the same.
scripts/initrd-size --members "$tmp/initrd.cpio" | awk '{ print $1, $3 }' |
	sort > "$tmp/plain.list"
check "an uncompressed archive lists the same" \
	cmp -s "$tmp/ours.list" "$tmp/plain.list"

# A budget the init does not fit in: exit 1 and the part named.
sed 's/^| init | [0-9]* |$/| init | 1000 |/' docs/size.md > "$tmp/tight.md"
expect_exit 1 "a part over budget fails, saying so on stderr" \
	scripts/initrd-size "$initrd" "$tmp/tight.md"
scripts/initrd-size "$initrd" "$tmp/tight.md" > "$tmp/tight.out" 2>/dev/null || true
check "the part over budget is named" \
	grep -q '^init .*OVER BUDGET$' "$tmp/tight.out"
check "the others are not" \
	test "$(grep -c 'OVER BUDGET' "$tmp/tight.out")" = 1
expect_exit 2 "not an archive" scripts/initrd-size docs/size.md

# The build's initrd fits its budget.
if scripts/initrd-size "$initrd" > "$tmp/report"; then
	ok "the initrd is within docs/size.md: $(tr '\n' ';' < "$tmp/report" |
		tr -s ' ')"
else
	fail "over budget: $(grep 'OVER' "$tmp/report" | tr '\n' ';')"
fi
testlib_finish
