# At the limit, it boots: a product whose rootfs image has the most layers
# the host tool allows (`ociboot limits`), built, signed and verified with
# our tool, boots under Secure Boot with every layer under dm-verity and
# overlay, and the product sees every layer, the top one winning.
. "$here/layers.sh"
layers_scenario "$(layers_limit)"
