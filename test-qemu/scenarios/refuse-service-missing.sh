# The signed system manifest names a service (web) whose image manifest
# is not in the store: the boot stops at verify, before anything of the
# system is mounted, naming the service and the missing digest.
. "$here/refuse.sh"
. "$here/services.sh"

prepare() {
	local blob d

	product_prepare || return 1
	blob=$(service_image web)
	d=$(digest_of "$blob")
	rm "$blob" && product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: service web: image $d: blob $d is missing: No such file or directory")"
	reject+=('ociboot: layers: ')
	host_refuses
}
