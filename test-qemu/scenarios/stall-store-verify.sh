# The store disk stalls after the store stage mounted it and opened the
# layout (64 KiB of reads get through, QEMU's throttle burst): the verify
# stage's reads of the signed system never return. The stage runs in a
# child of PID 1, which fails the boot at ociboot.io_timeout= naming the
# device, then powers off.
. "$here/stall.sh"
stall_after_found 65536 'verify: /dev/vda: reading the signed system from the OCI layout'

