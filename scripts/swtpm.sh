# SPDX-License-Identifier: MIT
# swtpm on a TPM state directory DIR, two ways. The host's, the way a
# factory talks to a machine's TPM before it ships: the command socket
# DIR/tpm.sock, and the control socket where the tss2 swtpm TCTI
# ("swtpm:path=DIR/tpm.sock") looks for it, DIR/tpm.sock.ctrl. A QEMU
# guest's: one socket, DIR/sock, for QEMU's tpm-emulator backend.
# Sourced by test-qemu/run, test-qemu/tpm.sh, tpm/tpm_test.sh and
# bench/lib/tpm.sh; POSIX sh.

# host_swtpm_start DIR: start it, powered on and past TPM2_Startup(CLEAR),
# and wait up to 1 s for its socket.
host_swtpm_start() {
	swtpm socket --tpm2 --tpmstate dir="$1" \
		--server type=unixio,path="$1/tpm.sock" \
		--ctrl type=unixio,path="$1/tpm.sock.ctrl" \
		--flags not-need-init,startup-clear --pid file="$1/host.pid" \
		-d || return 1
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -S "$1/tpm.sock" ] && return 0
		sleep 0.1
	done
	return 1
}

# host_swtpm_stop DIR: stop it as a TPM powers down: an orderly
# TPM2_Shutdown, then swtpm saves its state and exits (removing its pid
# file). Leaves DIR holding the state alone; never fails, so that it can
# clean up after a failure under `set -e`.
host_swtpm_stop() {
	host_swtpm_pid=$(cat "$1/host.pid" 2>/dev/null) || host_swtpm_pid=
	TPM2TOOLS_TCTI="swtpm:path=$1/tpm.sock" tpm2_shutdown \
		> /dev/null 2>&1 || true
	swtpm_ioctl --unix "$1/tpm.sock.ctrl" -s > /dev/null 2>&1 || true
	if [ -n "$host_swtpm_pid" ]; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$host_swtpm_pid" 2>/dev/null || break
			sleep 0.2
		done
		kill "$host_swtpm_pid" 2>/dev/null || true
	fi
	rm -f "$1/host.pid" "$1/tpm.sock" "$1/tpm.sock.ctrl"
}

# guest_swtpm_start DIR: a swtpm for a QEMU guest on DIR/sock (QEMU's
# `-chardev socket,path=DIR/sock -tpmdev emulator`), its pid in DIR/pid,
# its log in DIR/log. It exits when QEMU does.
guest_swtpm_start() {
	swtpm socket --tpm2 --tpmstate dir="$1" \
		--ctrl type=unixio,path="$1/sock" \
		--pid file="$1/pid" --log file="$1/log" -d
}
