# PXE with oci=dhcp: the firmware boots the signed kernel.efi over TFTP,
# and its command line says only oci=dhcp. Everything runs in a network
# namespace of the scenario's own: a tap device for the guest's NIC,
# dnsmasq as DHCP and TFTP server sending the registry location as option
# 43 sub-option 1 to clients of vendor class "ociboot" (docs/network.md),
# and docker-registry holding the test product; sub-option 2 names a
# registry mirror nobody serves, which the init takes from DHCP (the
# command line names none), tries first and passes over for the origin.
# The disk's ESP holds no bootable image, so only the network boot can
# reach the product.
. "$here/net.sh"

NET_NS_ADDR=10.77.0.1
NET_DHCP_URL=http://$NET_NS_ADDR:5000/$NET_REPO:system
NET_DHCP_MIRROR=http://$NET_NS_ADDR:5001
expect=(
	'>>Start PXE over IPv4'
	'ociboot: cmdline: console=ttyS0 quiet oci=dhcp'
	'ociboot: network: eth0 up: 10\.77\.0\.50/24 gateway 10\.77\.0\.1 dns none \(DHCP\)'
	"ociboot: network: oci= from DHCP: $NET_DHCP_URL"
	"ociboot: network: 1 mirror\\(s\\) from DHCP: $NET_DHCP_MIRROR\$"
	'ociboot: network: system manifest signed by .*: verified before fetching its images'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error')

in_ns() { nsenter -t "$ns_pid" -n "$@"; }

# The namespace, held by a sleeping process of its own.
net_namespace() {
	unshare -n sleep 3600 &
	ns_pid=$!
	net_pids+=($ns_pid)
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$ns_pid/ns/net")" != \
			"$(readlink /proc/self/ns/net)" ] && break
		sleep 0.1
	done
	[ "$(readlink "/proc/$ns_pid/ns/net")" != \
		"$(readlink /proc/self/ns/net)" ] || return 1
	in_ns ip link set lo up &&
		in_ns ip tuntap add dev tap0 mode tap &&
		in_ns ip addr add "$NET_NS_ADDR/24" dev tap0 &&
		in_ns ip link set tap0 up
}

net_ns_registry() {
	mkdir -p registry
	printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 0.0.0.0:5000\n' \
		"$PWD/registry" > registry.yml
	# nsenter itself in the background (not the in_ns function, whose
	# subshell would be the pid stop() kills, leaving the server and the
	# run's lock file descriptor alive).
	nsenter -t "$ns_pid" -n docker-registry serve registry.yml \
		> registry.log 2>&1 &
	net_pids+=($!)
	for _ in $(seq 100); do
		in_ns curl -s -o /dev/null http://127.0.0.1:5000/v2/ && break
		sleep 0.1
	done
	for tag in system rootfs; do
		in_ns skopeo copy -q --dest-tls-verify=false \
			"oci:store/oci:$tag" \
			"docker://127.0.0.1:5000/$NET_REPO:$tag" || return 1
	done
}

net_ns_dnsmasq() {
	mkdir -p tftp
	cp kernel.efi tftp/
	nsenter -t "$ns_pid" -n dnsmasq --keep-in-foreground \
		--conf-file=/dev/null \
		--user=root --group=root --pid-file="$PWD/dnsmasq.pid" \
		--interface=tap0 --bind-interfaces --no-resolv --no-hosts \
		--port=0 --dhcp-leasefile="$PWD/leases" --log-dhcp \
		--log-facility="$PWD/dnsmasq.log" --no-ping \
		--dhcp-range=10.77.0.50,10.77.0.50,255.255.255.0,1h \
		--dhcp-option="vendor:ociboot,1,$NET_DHCP_URL" \
		--dhcp-option="vendor:ociboot,2,$NET_DHCP_MIRROR" \
		--enable-tftp --tftp-root="$PWD/tftp" --dhcp-boot=kernel.efi &
	net_pids+=($!)
	for _ in $(seq 50); do
		grep -q "started" dnsmasq.log 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}

prepare() {
	product_prepare && make_uki kernel.efi "console=ttyS0 quiet oci=dhcp" &&
		net_namespace && net_ns_registry && net_ns_dnsmasq || return 1
	mkdir -p esp/EFI/BOOT
	echo "not an EFI image: only the network boot works" \
		> esp/EFI/BOOT/BOOTX64.EFI
	qemu_prefix=(nsenter -t "$ns_pid" -n)
	qemu_args=(-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
		-device virtio-net-pci,netdev=n0,romfile=,bootindex=1)
}

# dnsmasq sent kernel.efi over TFTP.
check() {
	grep -q 'sent .*kernel.efi' dnsmasq.log
}
