# The registry answers every blob with redirects that come back to where
# they started: refused as a loop, before anything is mounted; the reason
# ends with its class (protocol violation), not with a libc errno text
# such as "Symbolic link loop".
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	product_prepare && net_fault store/oci --redirect-loop &&
		net_uki "$NET_REFUSE_CMDLINE" || return 1
	net_refuse_expect "pull: system artifact: $(ere "http://$NET_HOST:$NET_PORT/loop/b: redirect loop: /loop/a was visited already: protocol violation")"
}
