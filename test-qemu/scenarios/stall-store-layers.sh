# The store disk stalls after the signed system was verified (128 KiB of
# reads get through, QEMU's throttle burst): the kernel's own read of the
# first layer's squashfs superblock, inside mount(2), through dm-verity,
# the loop device and the store's ext4, never returns. The layers stage
# runs in a child of PID 1, which fails the boot at ociboot.io_timeout=
# naming the layer, the dm device and the store, then powers off.
. "$here/stall.sh"
stall_after_found 131072 'layers: layer 0 \(sha256:[0-9a-f]{64}\): mounting squashfs from /dev/dm-0 \(blob on /dev/vda\)'

