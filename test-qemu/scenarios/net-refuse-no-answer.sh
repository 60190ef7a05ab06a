# A registry that accepts the connection and never answers: the boot ends
# at ociboot.net_timeout (10 s here) with the reason, not later.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	product_prepare || return 1
	net_nic "sleep 3600"
	net_uki "$NET_REFUSE_CMDLINE ociboot.net_timeout=10" || return 1
	net_refuse_expect "pull: system artifact: gave up after 1 attempt: $(ere "http://$NET_HOST:$NET_PORT/v2/$NET_REPO/manifests/system"): no answer within [0-9]+ ms: timed out"
}

# The refusal came 10 s (and not much more) after the pull began.
check() {
	local from to

	from=$(line_time 'ociboot: network: pulling') &&
		to=$(line_time 'ociboot: FATAL') &&
		seconds_between "$from" "$to" 9 16
}
