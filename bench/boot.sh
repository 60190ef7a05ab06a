#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: the same busybox root filesystem booted two ways
# with the same kernel, under the same QEMU (TCG, direct kernel boot, one
# virtio disk, a TPM (swtpm behind tpm-tis), the same memory, a qemu64 CPU
# with RDRAND as real machines have):
#   - Debian's initramfs-tools (mkinitramfs with the system's own
#     configuration, MODULES=most, squashfs added), `root=/dev/vda` holding
#     the tree as a plain squashfs: no signature, no verity;
#   - ociboot: the tree as a signed product (one squashfs+verity layer, an
#     OCI image, a signed system manifest) on an erofs store disk (made by
#     mkfs.erofs, found by its UUID), the init verifying the signature
#     chain and setting up dm-verity. erofs, not ext4: the store is
#     read-only at boot, erofs is the kernel's read-only image format, and
#     its driver (erofs.ko with libcrc32c and crc32c_generic, 256 KB) costs
#     far less to load than ext4's (ext4.ko, jbd2, mbcache, crc16 and
#     crc32c_generic, 2.5 MB);
#     the init loads only the store's filesystem modules, once it has found
#     the store (docs/store.md). `STORE=ext4` boots an ext4 store instead.
#     The TPM is provisioned for the product (bench/lib/tpm.sh) and the
#     boot says ociboot.tpm=required: the init reads the product and the
#     anti-rollback floor, releases the sealed secrets over a salted
#     session, read-locks them, raises and write-locks the floor, and
#     measures the system into PCR 13, as a product's machine boots.
#     Debian's boots get a blank TPM of the same kind: the kernel's
#     tpm_tis probe is the same for both.
# Each boots RUNS times, alternately. The time is the kernel's uptime when
# the root filesystem's own init starts (it prints /proc/uptime, then powers
# off). Prints median, min and max of each, the initrd sizes, and the
# ratios ociboot / Debian.
# It asserts no time; it fails only when a boot does.
#
# The guests have SMP=2 CPUs, as any machine this boots has several: TCG
# runs each on a host thread of its own, so the init's stages that overlap
# (the layers' modules load beside the drivers, the store and the TPM) do
# run at once. With one CPU TCG runs everything on one thread and nothing
# overlaps, so ociboot also boots RUNS more times with -smp 1, and the
# init's own time is printed for both.
#
# usage: bench/boot.sh   (run from the repository root; RUNS=3, MEM=512,
#        STORE=erofs or ext4, SMP=2)
set -eu
. scripts/testlib.sh
. bench/lib/product.sh
. bench/lib/tpm.sh
RUNS=${RUNS:-3}
MEM=${MEM:-512}
SMP=${SMP:-2}
STORE=${STORE:-erofs}
KVER=${KVER:-$(scripts/kver)}
KERNEL=/boot/vmlinuz-$KVER
tool=$BUILD/ociboot

need_driver "$tool"
need_driver "$BUILD/init"
need_commands qemu-system-x86_64 mkinitramfs gensquashfs mke2fs mkfs.erofs \
	swtpm swtpm_ioctl tpm2_shutdown
need_file "$KERNEL"
testlib_tmpdir

# --- the root filesystem both boot --------------------------------------
rootfs() {
	r=$tmp/rootfs
	mkdir -p "$r/bin" "$r/sbin" "$r/etc" "$r/proc" "$r/sys" "$r/dev" \
		"$r/run" "$r/tmp" "$r/root"
	cp /bin/busybox "$r/bin/busybox"
	for a in sh cat echo poweroff mount; do
		ln -s busybox "$r/bin/$a"
	done
	cat > "$r/sbin/init" <<-'EOF'
	#!/bin/sh
	read up idle < /proc/uptime
	echo "bench: real init at $up"
	if [ -r /run/ociboot/boot ]; then
		sed -n "s/^TIME_INIT_MS=/bench: init time ms /p" /run/ociboot/boot
	fi
	poweroff -f
	EOF
	chmod 0755 "$r/sbin/init"
}

# --- Debian's initramfs-tools ---------------------------------------------
debian_build() {
	cp -a /etc/initramfs-tools "$tmp/conf"
	echo squashfs >> "$tmp/conf/modules"
	mkinitramfs -d "$tmp/conf" -o "$tmp/debian.img" "$KVER" 2> "$tmp/mkinitramfs.log" ||
		fatal "mkinitramfs: $(tail -n 3 "$tmp/mkinitramfs.log")"
	gensquashfs -q -f -D "$tmp/rootfs" -c zstd "$tmp/debian-root.img" > /dev/null
}

# --- ociboot ------------------------------------------------------------
ociboot_build() {
	bench_keys
	bench_product "$tmp/rootfs" store "$STORE"
	bench_initrd "$tmp/ociboot.img"
}

# boot NAME INITRD DISK CMDLINE TPMSTATE: one boot, with a TPM on a copy of
# TPMSTATE (empty: blank); appends the uptime at which the root
# filesystem's init started (seconds) to $tmp/t.NAME, or stops the
# benchmark with the console's tail.
boot() {
	log=$tmp/console.$1.$i
	bench_tpm_start "$5"
	# shellcheck disable=SC2086 # tpm_args is a list of words
	timeout 300 qemu-system-x86_64 -machine q35 -m "$MEM" -nographic \
		-smp "${smp:-$SMP}" -cpu qemu64,+rdrand \
		-no-reboot -net none -kernel "$KERNEL" -initrd "$2" \
		-drive "if=virtio,format=raw,readonly=on,file=$3" $tpm_args \
		-append "$4" < /dev/null > "$log" 2>&1 || true
	bench_tpm_stop
	t=$(tr -d '\r' < "$log" | grep -o 'bench: real init at [0-9.]*' |
		sed 's/.* //')
	[ -n "$t" ] || fatal "$1 boot $i did not reach the real init:" \
		"$(tr -d '\r' < "$log" | tail -n 5)"
	echo "$t" >> "$tmp/t.$1"
	ok "$1 boot $i reached the real init at ${t}s"
}

# provision: boot the product once on a blank TPM to learn the PCR 7 this
# machine measures (the init reports it), then provision a TPM for the
# product sealed to it, in $tmp/tpm.provisioned.
provision() {
	i=probe
	boot probe "$tmp/ociboot.img" "$tmp/store.img" \
		"$cmd_common $store_oci ociboot.on_failure=poweroff" ""
	pcr7=$(tr -d '\r' < "$tmp/console.probe.probe" |
		sed -n 's/.*ociboot: tpm: pcr7 sha256:\([0-9a-f]\{64\}\).*/\1/p')
	[ -n "$pcr7" ] || fatal "the probe boot reported no PCR 7:" \
		"$(tr -d '\r' < "$tmp/console.probe.probe" | grep tpm)"
	bench_tpm_provision "$pcr7" "$tmp/tpm.provisioned"
	ok "TPM provisioned for product $product, sealed to pcr7 $pcr7"
}

# ociboot_boot NAME: one boot of the product on the provisioned TPM, which
# must release its secrets; the init's own time (seconds) appended to
# $tmp/i.NAME, its stages printed.
ociboot_boot() {
	boot "$1" "$tmp/ociboot.img" "$tmp/store.img" \
		"$cmd_common $store_oci ociboot.on_failure=poweroff ociboot.tpm=required" \
		"$tmp/tpm.provisioned"
	c=$(tr -d '\r' < "$tmp/console.$1.$i")
	echo "$c" | grep -q 'ociboot: tpm: secrets released' ||
		fatal "$1 boot $i did not release the TPM's secrets:" \
			"$(echo "$c" | grep 'tpm:')"
	echo "$c" | sed -n 's/^ociboot: init: /  init: /p'
	echo "$c" | grep -o 'bench: init time ms [0-9]*' |
		awk '{ printf "%.3f\n", $NF / 1000 }' >> "$tmp/i.$1"
}

# stats FILE: "median min max" of the numbers in FILE, one a line.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

rootfs
debian_build
ociboot_build
cmd_common='console=ttyS0 quiet panic=-1'
provision
: > "$tmp/t.debian"
: > "$tmp/t.ociboot"
: > "$tmp/i.ociboot"
i=0
while [ "$i" -lt "$RUNS" ]; do
	boot debian "$tmp/debian.img" "$tmp/debian-root.img" \
		"$cmd_common root=/dev/vda rootfstype=squashfs ro" ""
	ociboot_boot ociboot
	i=$((i + 1))
done
: > "$tmp/i.ociboot-smp1"
if [ "$SMP" != 1 ]; then
	echo "ociboot with -smp 1:"
	smp=1
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		ociboot_boot ociboot-smp1
		i=$((i + 1))
	done
	smp=
fi

set -- $(stats "$tmp/t.debian")
d_med=$1 d_min=$2 d_max=$3
set -- $(stats "$tmp/t.ociboot")
o_med=$1 o_min=$2 o_max=$3
d_size=$(stat -c %s "$tmp/debian.img")
o_size=$(stat -c %s "$tmp/ociboot.img")

table() {
	echo "kernel start -> the root filesystem's init, $KVER, QEMU TCG," \
		"direct kernel boot, swtpm, -m $MEM, -smp $SMP, $RUNS runs each:"
	printf '  %-28s %8s %8s %8s %12s\n' initrd median min max "initrd bytes"
	printf '  %-28s %7ss %7ss %7ss %12s\n' "Debian initramfs-tools" \
		"$d_med" "$d_min" "$d_max" "$d_size"
	printf '  %-28s %7ss %7ss %7ss %12s\n' "ociboot ($STORE, verity, TPM)" \
		"$o_med" "$o_min" "$o_max" "$o_size"
	bench_ratio "time ratio ociboot / Debian" "$o_med" "$d_med"
	bench_ratio "size ratio ociboot / Debian" "$o_size" "$d_size"
	for f in ociboot ociboot-smp1; do
		[ -s "$tmp/i.$f" ] || continue
		set -- $(stats "$tmp/i.$f")
		n=$SMP
		[ "$f" = ociboot ] || n=1
		printf '  %-34s %7ss (min %s, max %s)\n' \
			"the init's own time (/init to switch_root), -smp $n, median:" \
			"$1" "$2" "$3"
	done
}
table
testlib_finish
