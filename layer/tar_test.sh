#!/bin/sh
# SPDX-License-Identifier: MIT
# Compare layer/tar.c with GNU tar. Build trees holding every entry type
# (nested directories, long names and link targets, hard links, a fifo,
# devices, setuid/setgid/sticky modes, big ids, negative and sub-second
# times, xattrs, OCI whiteouts), archive them with GNU tar in the ustar, gnu
# and pax formats, and require that our listing (`tar list`) equals
# `tar --numeric-owner --full-time -tv` line by line (whiteouts shown as
# what they remove), that it agrees with stat(1) on the trees, and that the
# data we read hashes like the files (sha256sum). Then check what must be
# refused: "../evil", "/abs", a hard link out of the tree, sparse files,
# and an archive cut short; and the sizes over 8 GiB GNU tar writes in
# base-256 and pax.
#
# Needs $BUILD/tests/tar (built by `make check-shell`) and GNU tar; device
# nodes are tested when mknod works (root).
set -u
. scripts/testlib.sh
need_commands tar sha256sum
tar --version 2> /dev/null | grep -q 'GNU tar' ||
	fatal "tar is not GNU tar: cannot compare"
driver=$BUILD/tests/tar
need_driver "$driver"
driver=$(cd "$(dirname "$driver")" && pwd)/$(basename "$driver")

testlib_tmpdir
export TZ=UTC LC_ALL=C

repeat() {	# repeat CHAR COUNT
	printf "%$2s" '' | tr ' ' "$1"
}

# --- the trees ---------------------------------------------------------------

# src: what every format can hold. long: what only gnu and pax can.
make_trees() {
	cd "$tmp" || exit 1
	mkdir -p src/dir/sub/deeper src/sticky src/opaque/inner long
	echo hello > src/dir/file
	head -c 100000 /dev/urandom > src/dir/random
	: > src/empty
	printf x > "src/with space"
	ln src/dir/file src/dir/hard
	ln -s file src/dir/link
	ln -s /absolute/target src/dir/abslink
	ln -s ../dir/./file src/dir/sub/uplink
	mkfifo src/fifo
	chown 1234:5678 src/dir/random
	chmod 4755 src/dir/file
	chmod 2710 src/dir/random
	chmod 1777 src/sticky
	chmod 0 src/empty
	: > src/dir/.wh.gone
	: > src/opaque/.wh..wh..opq
	echo inner > src/opaque/inner/kept
	# A path over 100 bytes: ustar splits it into prefix and name.
	mid=src/$(repeat m 60)/$(repeat n 60)
	mkdir -p "$(dirname "$mid")"
	echo mid > "$mid"
	touch -h -d @1234567890 src/dir/link
	touch -d @1000000000 src/dir/sub/deeper
	devices=no
	if mknod src/null c 1 3 2> /dev/null &&
	   mknod src/disk b 259 1048575 2> /dev/null; then
		devices=yes
	fi

	# Names over 100 and over 155 + 100 bytes, a long link target.
	deep=long/$(repeat a 120)/$(repeat b 150)
	mkdir -p "$deep"
	echo deep > "$deep/$(repeat c 200)"
	ln -s "$deep/$(repeat c 200)" long/longlink
	ln "$deep/$(repeat c 200)" long/longhard
	# Ids over 7 octal digits, a time before 1970.
	echo big > long/bigids
	chown 3000000:4000000 long/bigids
	echo old > long/old
	touch -d @-100000 long/old
	echo ns > long/ns
	touch -d @1234567890.123456789 long/ns

	xattrs=no
	if "$driver" setxattr src/dir/file user.test 78 2> /dev/null &&
	   "$driver" setxattr src/dir/file user.bin 610a623d00ff &&
	   "$driver" setxattr src/sticky user.dir "" ; then
		xattrs=yes
	fi
	cd - > /dev/null || exit 1
}

# --- listings ----------------------------------------------------------------

# GNU tar's -tv lines, spaces squeezed, names normalised as ours are:
# no "./", no trailing "/", the root as ".", whiteouts as 'w' or 'o'.
canon_gnu() {
	tr -s ' ' | awk '
	function norm(p) {
		while (substr(p, 1, 2) == "./")
			p = substr(p, 3)
		sub(/\/+$/, "", p)
		return p == "" ? "." : p
	}
	$1 == "x:" { print; next }
	{
		perms = $1; rest = $0
		for (i = 0; i < 5; i++)
			sub(/^[^ ]+ /, "", rest)
		kind = ""; target = ""; name = rest
		t = substr(perms, 1, 1)
		if (t == "l") {
			at = index(rest, " -> ")
			name = substr(rest, 1, at - 1)
			kind = " -> "; target = substr(rest, at + 4)
		} else if (t == "h") {
			at = index(rest, " link to ")
			name = substr(rest, 1, at - 1)
			kind = " link to "; target = norm(substr(rest, at + 9))
		}
		name = norm(name)
		n = split(name, part, "/"); base = part[n]
		dir = ""
		if (n > 1)
			dir = substr(name, 1, length(name) - length(base) - 1)
		if (base == ".wh..wh..opq") {
			perms = "o" substr(perms, 2)
			name = dir == "" ? "." : dir
		} else if (substr(base, 1, 4) == ".wh.") {
			perms = "w" substr(perms, 2)
			name = (dir == "" ? "" : dir "/") substr(base, 5)
		}
		print perms, $2, $3, $4, $5, name kind target
	}'
}

# compare_listing ARCHIVE LABEL [TAR_LIST_OPTIONS...]
compare_listing() {
	archive=$1 label=$2
	shift 2
	tar --numeric-owner --full-time "$@" -tvf "$archive" |
		canon_gnu > "$tmp/want" ||
		{ fail "$label: tar -t failed"; return; }
	if ! "$driver" list "$archive" > "$tmp/got.raw"; then
		fail "$label: refused: $(tail -1 "$tmp/got.raw")"
		return
	fi
	tr -s ' ' < "$tmp/got.raw" > "$tmp/got"
	if cmp -s "$tmp/want" "$tmp/got"; then
		ok "$label: $(wc -l < "$tmp/got") lines equal tar -tv"
	else
		fail "$label: listing differs from tar -tv"
		diff "$tmp/want" "$tmp/got" | head -20
	fi
}

# Our listing against stat(1) on the tree, for every entry that is not a
# whiteout or one of a set of hard links (which of those GNU tar stores as
# the link depends on its walk). Sizes of directories and links are 0.
compare_tree() {
	archive=$1 label=$2
	shift 2
	(cd "$tmp" && find "$@" -type f -links +1) > "$tmp/linked"
	"$driver" list "$archive" | tr -s ' ' | awk '
		FILENAME != "-" { linked[$0] = 1; next }
		$1 == "x:" || $1 ~ /^[hwo]/ { next }
		{
			sub(/\*$/, "", $1)
			line = $0
			for (i = 0; i < 5; i++)
				sub(/^[^ ]+ /, "", line)
			name = line
			sub(/ -> .*/, "", name)
			if (!(name in linked))
				print $1, $2, $3, line
		}' "$tmp/linked" - | sort > "$tmp/ours"
	(cd "$tmp" && find "$@" ! -name '.wh.*' ! \( -type f -links +1 \) |
	while IFS= read -r p; do
		set -- $(stat -c '%A %u %g %s %t %T' "$p")
		size=$4
		case $1 in
		d*|l*) size=0 ;;
		c*|b*) size=$(printf '%d,%d' "0x$5" "0x$6") ;;
		esac
		line="$1 $2/$3 $size $p"
		[ -L "$p" ] && line="$line -> $(readlink "$p")"
		echo "$line"
	done) | sort > "$tmp/tree"
	if cmp -s "$tmp/ours" "$tmp/tree"; then
		ok "$label: $(wc -l < "$tmp/tree") entries agree with stat"
	else
		fail "$label: listing differs from the tree"
		diff "$tmp/tree" "$tmp/ours" | head -20
	fi
}

# Data: our sha256 of every regular file GNU tar lists, and the xattrs.
compare_data() {
	archive=$1 label=$2 with_xattrs=$3
	tar -tvf "$archive" | grep '^-' | canon_gnu |
		awk '$1 !~ /^[wo]/' | cut -d' ' -f6- |
		(cd "$tmp" && while IFS= read -r p; do sha256sum "$p"; done) |
		sort > "$tmp/want"
	if [ "$with_xattrs" = yes ]; then
		{
			echo "xattr src/dir/file user.test=78"
			echo "xattr src/dir/file user.bin=610a623d00ff"
			echo "xattr src/sticky user.dir="
		} >> "$tmp/want"
		sort -o "$tmp/want" "$tmp/want"
	fi
	"$driver" dump "$archive" | sort > "$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		ok "$label: data of $(grep -c -v '^xattr' "$tmp/got") files" \
		   "and $(grep -c '^xattr' "$tmp/got") xattrs match"
	else
		fail "$label: data or xattrs differ"
		diff "$tmp/want" "$tmp/got" | head -20
	fi
}

# expect_refused ARCHIVE LABEL REASON [--lenient]
expect_refused() {
	if "$driver" list ${4:-} "$1" > "$tmp/out" 2>&1; then
		fail "$2: accepted"
	elif grep -q "$3" "$tmp/out"; then
		ok "$2: refused ($(tail -1 "$tmp/out"))"
	else
		fail "$2: refused for another reason: $(tail -1 "$tmp/out")"
	fi
}

# --- the checks --------------------------------------------------------------

make_trees
a=$tmp/archives
mkdir -p "$a"
echo "devices: $devices, xattrs: $xattrs"

for format in ustar gnu pax; do
	tar --format=$format -C "$tmp" -cf "$a/$format.tar" src ||
		fail "tar --format=$format failed"
	compare_listing "$a/$format.tar" "$format"
	compare_tree "$a/$format.tar" "$format" src
	compare_data "$a/$format.tar" "$format" no
done
# The root as "./", as OCI layers often start.
tar --format=pax -C "$tmp/src" -cf "$a/root.tar" .
compare_listing "$a/root.tar" "pax of ."
"$driver" list "$a/root.tar" | head -1 | grep -q '^drwx.* \.$' ||
	fail "pax of .: the root is not listed first as ."
for format in gnu pax; do
	tar --format=$format -C "$tmp" -cf "$a/long-$format.tar" src long ||
		fail "tar --format=$format (long names) failed"
	compare_listing "$a/long-$format.tar" "$format, long names"
	compare_tree "$a/long-$format.tar" "$format, long names" src long
	compare_data "$a/long-$format.tar" "$format, long names" no
done
if [ "$xattrs" = yes ]; then
	tar --format=pax --xattrs -C "$tmp" -cf "$a/xattrs.tar" src long
	compare_listing "$a/xattrs.tar" "pax --xattrs" --xattrs -v
	compare_data "$a/xattrs.tar" "pax --xattrs" yes
	"$driver" list "$a/xattrs.tar" |
		grep -q '^-rwsr-xr-x\* .* src/dir/file$' ||
		fail "pax --xattrs: src/dir/file not listed with its xattrs"
else
	echo "skipped: xattrs (setxattr failed on this filesystem)"
fi
if [ "$devices" = yes ]; then
	"$driver" list "$a/gnu.tar" |
		grep -q '^brw.* 259,1048575 .* src/disk$' ||
		fail "gnu: block device 259,1048575 not listed"
fi

# Refused: names and a hard link target that leave the tree.
mkdir -p "$tmp/evil/in"
echo evil > "$tmp/evil/x"
(cd "$tmp/evil/in" && tar -P -cf "$a/dotdot.tar" ../x 2> /dev/null)
expect_refused "$a/dotdot.tar" "../x" "'..' component"
tar -P -cf "$a/abs.tar" "$tmp/evil/x" 2> /dev/null
expect_refused "$a/abs.tar" "/abs" "absolute path"
# (GNU tar strips the "../" from hard link targets even with -P, but
# writes what --transform makes of them.)
(cd "$tmp/evil" && ln x y &&
 tar -P --transform='s,^x$,../x,R' -cf "$a/hardout.tar" x y 2> /dev/null)
tar -P -tvf "$a/hardout.tar" | grep -q 'link to \.\./x$' ||
	fail "hardout.tar: no hard link to ../x was made"
expect_refused "$a/hardout.tar" "hard link to ../x" "'..' component"
for format in gnu pax; do
	tar --format=$format -P -C "$tmp/evil/in" \
		--transform='s,^,a/../../,' -cf "$a/mid-$format.tar" . \
		2> /dev/null
	expect_refused "$a/mid-$format.tar" "$format a/../../" "'..' component"
done

# Refused: sparse files, both GNU forms.
truncate -s 1M "$tmp/sparse"
echo data >> "$tmp/sparse"
for format in gnu pax; do
	tar --format=$format --sparse -C "$tmp" -cf "$a/sparse-$format.tar" \
		sparse
	expect_refused "$a/sparse-$format.tar" "$format --sparse" \
		"sparse files are not supported"
done

# The end of the archive: GNU tar accepts one cut where a header would
# start; we do only when lenient.
echo abc > "$tmp/small"
tar --format=gnu -C "$tmp" -cf "$a/small.tar" small
head -c 1024 "$a/small.tar" > "$a/nomarker.tar"
if tar -tf "$a/nomarker.tar" > /dev/null 2>&1; then
	expect_refused "$a/nomarker.tar" "no end marker" \
		"without the end-of-archive marker"
	if "$driver" list --lenient "$a/nomarker.tar" > /dev/null; then
		ok "no end marker: accepted with --lenient, as GNU tar does"
	else
		fail "no end marker: refused with --lenient"
	fi
else
	fail "GNU tar refuses an archive without its end marker"
fi
head -c 1000 "$a/small.tar" > "$a/cut.tar"
expect_refused "$a/cut.tar" "cut in the data" "truncated inside file data"
expect_refused "$a/cut.tar" "cut in the data, lenient" \
	"truncated inside file data" --lenient
{ cat "$a/small.tar"; cat "$a/small.tar"; } > "$a/twice.tar"
expect_refused "$a/twice.tar" "a second archive after the end" \
	"data after the end-of-archive marker"

# Over 8 GiB: base-256 (gnu) and a pax size record. Only the first blocks
# are kept; the entry must be listed with its size before the data ends.
truncate -s 9G "$tmp/huge"
for format in gnu pax; do
	tar --format=$format -C "$tmp" -cf - huge 2> /dev/null |
		head -c 8192 > "$a/huge-$format.tar"
	"$driver" list "$a/huge-$format.tar" > "$tmp/out"
	if grep -q '^-.* 9663676416 .* huge$' "$tmp/out" &&
	   grep -q 'truncated inside file data' "$tmp/out"; then
		ok "$format: 9 GiB size read, then the cut refused"
	else
		fail "$format: 9 GiB file: $(cat "$tmp/out")"
	fi
done

testlib_finish 30
