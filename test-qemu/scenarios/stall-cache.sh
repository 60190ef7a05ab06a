# The cache device stalls once the network stage mounted it: QEMU
# throttles it (qmp.sh) as soon as the init says it is mounted, so the
# pull's next write-back to it (a blob's fsync) never completes. The
# network stage runs in a child of PID 1 bounded by quiet time: PID 1
# fails the boot once the child made no progress for the longer of
# ociboot.io_timeout= and ociboot.net_timeout=, naming what it was doing
# on the cache device, then powers off. The pull as a whole is not bounded
# by that time: net-cache's boot, with the same deadlines' defaults, shows
# a pull that talks as it goes.
. "$here/net.sh"
. "$here/qmp.sh"
STALL_QUIET=10
STALL_CMDLINE="$NET_CACHE_CMDLINE ociboot.on_failure=poweroff ociboot.io_timeout=5 ociboot.net_timeout=$STALL_QUIET"

expect=(
	'ociboot: network: cache LABEL=ocicache is /dev/vda, mounted read-write'
	"ociboot: FATAL: network: .*cache /dev/vda.* made no progress for $STALL_QUIET s; a disk whose reads never return \\(stalled, or a dead path\\) holds it: the process doing it is left behind \\(ociboot.net_timeout= sets the deadline\\)\$"
	'ociboot: failure policy: poweroff$'
	'reboot: Power down'
)
reject=("${NET_REFUSE_REJECT[@]}" 'cache remounted read-only')

prepare() {
	product_prepare && net_registry && net_push store/oci &&
		net_cache_disk cache.img && net_cache_attach cache.img &&
		qmp_monitor && net_uki "$STALL_CMDLINE" &&
		throttle_when 'ociboot: network: cache LABEL=ocicache is /dev/vda' \
			cache &&
		net_pids+=("$qmp_pid")
}

# QEMU took the throttle, and the boot failed at the quiet time after the
# cache was mounted, or a little later (the pull talks for a moment
# before its first write-back stalls): not at once, not much later.
check() {
	qmp_took && line_gap 'ociboot: network: cache LABEL=ocicache is' \
		'ociboot: FATAL: network' $((STALL_QUIET - 1)) $((STALL_QUIET + 20))
}
