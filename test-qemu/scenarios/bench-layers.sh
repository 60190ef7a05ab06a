# Not a test (not in qemu.mk): one boot of the N-layer product for
# bench/layers.sh, N from $LAYERS, its system naming $SERVICES services
# (none when unset). The kernel prints the init's lines with
# its own time stamps (printk.time=1, no `quiet`), which the benchmark reads;
# the guest is stopped once the product's init runs.
. "$here/layers.sh"
layers_scenario "${LAYERS:?LAYERS=N}" \
	'console=ttyS0 printk.time=1 oci=LABEL=ocistore:/oci:system ociboot.on_failure=poweroff'
[ "${SERVICES:-0}" = 0 ] || services_scenario "$SERVICES"
expect=("${expect[@]:0:6}")	# up to the product init's first line
expect_exit=0
stop_on_expect=1
