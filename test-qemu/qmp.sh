# Sourced by scenarios that act on the guest's hardware while it boots,
# through QEMU's monitor (QMP, over a socket in the work directory): plug a
# disk in late, or throttle one so that its I/O never completes.
qmp_pid=

# qmp_monitor: give QEMU its QMP socket (qmp.sock).
qmp_monitor() {
	qemu_args+=(-qmp unix:qmp.sock,server=on,wait=off)
}

# qmp_when REGEX COMMAND: in the background, once the console shows REGEX,
# send the QMP COMMAND (JSON); QMP's answers go to qmp.log.
qmp_when() {
	(
		until tr -d '\r' < console.log 2> /dev/null |
			grep -q -E -- "$1"; do
			sleep 0.05
		done
		printf '%s\n' '{"execute":"qmp_capabilities"}' "$2" |
			socat -t 2 - UNIX-CONNECT:qmp.sock > qmp.log 2>&1
	) &
	qmp_pid=$!
}

# throttle_when REGEX [DRIVE]: once the console shows REGEX, throttle the
# drive (default disk0, the one the harness attached for disks=) to 1 byte
# a second: every request after the one in flight waits for more than an
# hour.
throttle_when() {
	qmp_when "$1" '{"execute":"block_set_io_throttle","arguments":{"device":"'"${2:-disk0}"'","bps":1,"bps_rd":0,"bps_wr":0,"iops":0,"iops_rd":0,"iops_wr":0}}'
}

# qmp_took: QMP took the command (two empty returns: the handshake and the
# command); says what it answered when not.
qmp_took() {
	[ "$(grep -c '"return": {}' qmp.log 2> /dev/null)" = 2 ] || {
		echo "QMP did not take the command:"
		cat qmp.log 2> /dev/null
		return 1
	}
}

# qmp_stop: for stop(): the watcher, if it still waits.
qmp_stop() {
	[ -n "$qmp_pid" ] && kill "$qmp_pid" 2> /dev/null
	return 0
}
