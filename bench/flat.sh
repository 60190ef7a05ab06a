#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: is the init's time flat in the size of the
# image? Two signed products of one squashfs+verity layer each, the same
# busybox root filesystem, one of them with BIG_MB more (incompressible
# files under /big, so the layer is that much bigger), each on its own
# ext4 store disk of the same size, booted alternately RUNS times under
# the same QEMU (TCG, direct kernel boot, one virtio disk). A local boot
# never hashes a layer whole: dm-verity checks the blocks that are read,
# and the boot reads only the squashfs superblock and the directories it
# walks. Prints the init's own time (/init to switch_root, TIME_INIT_MS
# in /run/ociboot/boot) and its modules, store, verify, layers and rootfs
# stages for each, median, min and max, and the ratio big / tiny (target:
# at most 1.10).
# It asserts no time; it fails only when a boot does.
#
# usage: bench/flat.sh   (run from the repository root; RUNS=3, MEM=512,
#        BIG_MB=1024)
set -eu
. scripts/testlib.sh
. bench/lib/product.sh
RUNS=${RUNS:-3}
MEM=${MEM:-512}
BIG_MB=${BIG_MB:-1024}
KVER=${KVER:-$(scripts/kver)}
KERNEL=/boot/vmlinuz-$KVER
tool=$BUILD/ociboot

need_driver "$tool"
need_driver "$BUILD/init"
need_commands qemu-system-x86_64 mke2fs
need_file "$KERNEL"
testlib_tmpdir

# rootfs DIR: busybox and an init that prints the init's times and powers
# off.
rootfs() {
	mkdir -p "$1/bin" "$1/sbin" "$1/etc" "$1/proc" "$1/sys" "$1/dev" \
		"$1/run" "$1/tmp"
	cp /bin/busybox "$1/bin/busybox"
	for a in sh sed poweroff; do
		ln -s busybox "$1/bin/$a"
	done
	cat > "$1/sbin/init" <<-'EOF'
	#!/bin/sh
	sed -n -e 's/^TIME_INIT_MS=/bench: init ms /p' \
		-e 's/^TIME_STAGE=[0-9]* \([0-9]*\) \(modules\|store\|verify\|layers\|rootfs\)$/bench: \2 ms \1/p' \
		/run/ociboot/boot
	echo "bench: done"
	poweroff -f
	EOF
	chmod 0755 "$1/sbin/init"
}

# product NAME: the signed product of $tmp/NAME on the store disk
# $tmp/NAME.img (ext4, as a store that is also updated in place).
product() {
	bench_product "$tmp/$1" "$1" ext4
	ok "$1: store disk $(du -m "$tmp/$1.img" | cut -f1) MB"
}

# The stages reported besides the init's whole time.
STAGES="modules store verify layers rootfs"

# boot NAME: one boot of $tmp/NAME.img; appends the init's time and each
# of STAGES (ms) to $tmp/t.NAME, or stops with the console's tail.
boot() {
	log=$tmp/console.$1.$i
	timeout 300 qemu-system-x86_64 -machine q35 -m "$MEM" -nographic \
		-cpu qemu64,+rdrand \
		-no-reboot -net none -kernel "$KERNEL" -initrd "$tmp/initrd.img" \
		-drive "if=virtio,format=raw,readonly=on,file=$tmp/$1.img" \
		-append "console=ttyS0 quiet panic=-1 ociboot.on_failure=poweroff oci=LABEL=ocistore:/oci:system" \
		< /dev/null > "$log" 2>&1 || true
	tr -d '\r' < "$log" > "$log.txt"
	grep -q '^bench: done' "$log.txt" ||
		fatal "$1 boot $i did not reach the real init:" \
			"$(tail -n 5 "$log.txt")"
	line=$(sed -n 's/^bench: init ms //p' "$log.txt")
	for s in $STAGES; do
		line="$line $(sed -n "s/^bench: $s ms //p" "$log.txt")"
	done
	echo "$line" >> "$tmp/t.$1"
	ok "$1 boot $i: $line (init, $(echo "$STAGES" | tr ' ' ,) ms)"
}

# stats FILE COLUMN: "median min max" of a column of FILE.
stats() {
	cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %d %d\n", m, v[1], v[NR] }'
}

bench_keys
rootfs "$tmp/tiny"
rootfs "$tmp/big"
mkdir -p "$tmp/big/big"
n=0
while [ "$n" -lt "$BIG_MB" ]; do	# 64 MB files
	head -c 67108864 /dev/urandom > "$tmp/big/big/$n"
	n=$((n + 64))
done
product tiny
product big
# Disks of one size (tiny's ext4 stays small, at the start of a sparse
# disk as big as big's): only the image's size differs between the two.
truncate -s "$(stat -c %s "$tmp/big.img")" "$tmp/tiny.img"
rm -rf "$tmp/big/big"
bench_initrd "$tmp/initrd.img"
: > "$tmp/t.tiny"
: > "$tmp/t.big"
i=0
while [ "$i" -lt "$RUNS" ]; do
	boot tiny
	boot big
	i=$((i + 1))
done

echo "the init's own time (ms), $KVER, QEMU TCG, direct kernel boot," \
	"-m $MEM, $RUNS runs each:"
printf '  %-20s %15s' rootfs "init med/min/max"
for s in $STAGES; do
	printf ' %15s' "$s"
done
echo
for p in tiny big; do
	label=$p
	[ "$p" = tiny ] && label="tiny (busybox)"
	[ "$p" = big ] && label="busybox + $BIG_MB MB"
	printf '  %-20s %15s' "$label" "$(stats "$tmp/t.$p" 1 | tr ' ' /)"
	col=2
	for s in $STAGES; do
		printf ' %15s' "$(stats "$tmp/t.$p" $col | tr ' ' /)"
		col=$((col + 1))
	done
	echo
done
bench_ratio "init time ratio big / tiny" "$(stats "$tmp/t.big" 1 |
	cut -d' ' -f1)" "$(stats "$tmp/t.tiny" 1 | cut -d' ' -f1)"
testlib_finish
