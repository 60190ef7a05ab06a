#!/bin/sh
# SPDX-License-Identifier: MIT
# Compare fs/verity.c and the tree builder layer/verity_tree.c with
# veritysetup: for each size, format copies of the same random data with
# both (same salt, same uuid) and require identical files (data,
# superblock, tree) and the root hash veritysetup prints. Then check that
# veritysetup verifies our output, that it rejects our output once a tree
# or data byte is flipped, and that our superblock parser and dm table
# agree with `veritysetup dump` on veritysetup's output.
#
# Needs $BUILD/tests/verity and $BUILD/tests/verity_tree (built by `make
# check-shell`) and veritysetup.
set -u
. scripts/testlib.sh
need_commands veritysetup
driver=$BUILD/tests/verity
tree=$BUILD/tests/verity_tree
need_driver "$driver"
need_driver "$tree"
testlib_tmpdir
compared=0	# formats compared, whatever the outcome

# dump_field FILE OFFSET NAME: a field of `veritysetup dump`.
dump_field() {
	veritysetup dump --hash-offset="$2" "$1" |
		sed -n "s/^$3:[[:space:]]*//p"
}

veritysetup_format() {	# veritysetup_format FILE OFFSET SALT UUID
	veritysetup format --data-block-size=4096 --hash-block-size=4096 \
		--hash-offset="$2" --salt="$3" --uuid="$4" "$1" "$1" |
		sed -n 's/^Root hash:[[:space:]]*//p'
}

# check_case BLOCKS SALT_BYTES: SALT_BYTES 0 means the empty salt ("-").
check_case() {
	blocks=$1 salt_bytes=$2
	offset=$((blocks * 4096))
	if [ "$salt_bytes" = 0 ]; then
		salt=-
	else
		salt=$(random_hex "$salt_bytes")
	fi
	uuid=$(random_uuid)
	label="$blocks blocks, salt $salt_bytes bytes"

	head -c "$offset" /dev/urandom > "$tmp/data"
	cp "$tmp/data" "$tmp/ref"
	cp "$tmp/data" "$tmp/ours"
	ref_root=$(veritysetup_format "$tmp/ref" "$offset" "$salt" "$uuid")
	if [ -z "$ref_root" ]; then
		fail "$label: veritysetup format failed"
		return
	fi
	if ! our_root=$("$tree" format "$tmp/ours" "$salt" "$uuid"); then
		fail "$label: our format failed"
		return
	fi
	compared=$((compared + 1))
	before=$testlib_failed

	[ "$our_root" = "$ref_root" ] ||
		fail "$label: root $our_root, veritysetup $ref_root"
	cmp -s "$tmp/ours" "$tmp/ref" ||
		fail "$label: files differ: $(cmp "$tmp/ours" "$tmp/ref" 2>&1)"
	veritysetup verify --hash-offset="$offset" "$tmp/ours" "$tmp/ours" \
		"$our_root" > /dev/null 2>&1 ||
		fail "$label: veritysetup verify rejects our output"

	# Our parser on veritysetup's superblock, against veritysetup dump.
	want_salt=$(dump_field "$tmp/ref" "$offset" Salt)
	want="data_blocks=$(dump_field "$tmp/ref" "$offset" 'Data blocks')"
	want="$want salt=$want_salt uuid=$uuid"
	got=$("$driver" parse "$tmp/ref" "$offset") ||
		fail "$label: our parser rejects veritysetup's superblock"
	[ "$got" = "$want" ] || fail "$label: parsed '$got', want '$want'"

	want="0 $((blocks * 8)) verity 1 7:0 7:0 4096 4096 $blocks"
	want="$want $((blocks + 1)) sha256 $ref_root $want_salt"
	got=$("$driver" table "$tmp/ref" "$offset" "$ref_root")
	[ "$got" = "$want" ] || fail "$label: table '$got', want '$want'"

	[ "$testlib_failed" = "$before" ] &&
		ok "$label: identical files, root $our_root"
}

# The checks above must be able to fail: corrupt our output and see
# veritysetup verify and our parser reject it.
check_corruption() {
	blocks=300 offset=$((300 * 4096))
	head -c "$offset" /dev/urandom > "$tmp/c"
	root=$("$tree" format "$tmp/c" "$(random_hex 32)" "$(random_uuid)")
	# Tree bytes, data bytes, and a salt byte (only the root hash can
	# catch that one).
	for at in $((offset + 4096 + 5)) $((offset + 3 * 4096 + 100)) \
		  $((offset + 4 * 4096 - 1)) 0 $((offset - 1)) \
		  $((offset + 88 + 12)); do
		cp "$tmp/c" "$tmp/bad"
		flip_byte "$tmp/bad" "$at"
		if veritysetup verify --hash-offset="$offset" "$tmp/bad" \
			"$tmp/bad" "$root" > /dev/null 2>&1; then
			fail "veritysetup verify accepts a flipped byte at $at"
		else
			ok "byte $at flipped: veritysetup verify fails"
		fi
	done
	# Signature, version, hash type, algorithm, block size, data blocks,
	# salt size high byte, padding, salt past its size, padding.
	for at in 0 8 12 40 65 72 81 82 300 511; do
		cp "$tmp/c" "$tmp/bad"
		flip_byte "$tmp/bad" $((offset + at))
		if "$driver" parse "$tmp/bad" "$offset" > /dev/null 2>&1; then
			fail "our parser accepts superblock byte $at flipped"
		else
			ok "superblock byte $at flipped is rejected"
		fi
	done
	# The same superblock copied to another 4096-aligned offset: it no
	# longer sits right after the data it describes.
	for at in $((offset - 4096)) $((offset + 4096)); do
		rm -f "$tmp/moved"
		dd if="$tmp/c" of="$tmp/moved" bs=512 count=1 \
			skip=$((offset / 512)) seek=$((at / 512)) 2> /dev/null
		if "$driver" parse "$tmp/moved" "$at" > /dev/null 2>&1; then
			fail "our parser accepts the superblock at $at"
		else
			ok "superblock moved to $at is rejected"
		fi
	done
}

# Level boundaries: 1 block has no tree, up to 128 one level, then two,
# three past 128 * 128.
check_case 1 32
check_case 1 0
check_case 2 $(($(random_u16) % 256 + 1))
check_case 127 0
check_case 128 256
check_case 129 $(($(random_u16) % 256 + 1))
check_case 16384 32
check_case 16385 $(($(random_u16) % 256 + 1))
for i in 1 2 3; do
	check_case $(($(random_u16) % 4000 + 1)) $(($(random_u16) % 257))
done
check_corruption

check_equal "formats compared with veritysetup" "$compared" 11
testlib_finish
