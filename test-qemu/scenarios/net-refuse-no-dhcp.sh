# The NIC's network is a UDP socket nobody listens on: no DHCP server
# answers, and the boot ends at ociboot.net_timeout (8 s here) with the
# interface and the number of messages sent.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	local a b

	product_prepare || return 1
	a=$(net_free_port) && b=$(net_free_port) || return 1
	qemu_args=(-netdev "socket,id=n0,udp=127.0.0.1:$a,localaddr=127.0.0.1:$b"
		-device virtio-net-pci,netdev=n0,romfile=)
	net_uki "$NET_REFUSE_CMDLINE ociboot.net_timeout=8" || return 1
	net_refuse_expect "eth0: DHCP: no answer after [0-9]+ ms: [0-9]+ messages sent: timed out"
}

# The refusal came at the deadline, not before or much after.
check() {
	local from to

	from=$(line_time 'ociboot: (tpm|firmware):') &&
		to=$(line_time 'ociboot: FATAL') &&
		seconds_between "$from" "$to" 7 14
}
