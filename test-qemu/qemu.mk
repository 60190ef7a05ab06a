# Boots under QEMU (secureboot-off boots secureboot itself when no passing
# run of it is there to compare PCR 7 with).
qemu_scenarios += secureboot unsigned secureboot-off bad-cmdline failure-reboot
# The verified local boot and everything that must stop it.
qemu_scenarios += verified-boot interop-gensquashfs interop-stacker-opaque \
	limits-max-layers limits-over-layers limits-max-services \
	refuse-other-ca refuse-uncertified-key refuse-edited-manifest \
	refuse-missing-blob refuse-layer-size refuse-verity-superblock \
	refuse-wrong-product refuse-ambiguous-store corrupt-store-panic \
	corrupt-metadata corrupt-init corrupt-unread-file corrupt-unread-file-panic \
	corrupt-tree refuse-no-storage-driver
# A layers' module the kernel refuses, loaded beside the store and verify
# stages.
qemu_scenarios += refuse-module-tampered
# The same boot from an erofs store, found by its UUID; a compressed one
# refused.
qemu_scenarios += verified-boot-erofs refuse-store-erofs-compressed
# A store disk whose reads never return (QEMU's throttle, plugged in late).
qemu_scenarios += stall-store-start stall-store-mount stall-store-driver \
	stall-store-verify stall-store-layers
# The README's own-rootfs recipe, as written.
qemu_scenarios += readme-recipe
# The TPM: a machine provisioned from the host, and what its TPM refuses
# (tpm-floor-5 is tpm-below-floor's first boot, run by it).
qemu_scenarios += tpm-provisioned tpm-secureboot-off \
	tpm-secureboot-off-optional tpm-wrong-product tpm-unprovisioned \
	tpm-below-floor tpm-absent
# Services as containers, and what must stop them.
qemu_scenarios += services refuse-service-missing \
	refuse-service-verity-superblock refuse-service-twice corrupt-service-file
# The network boot: the product from a registry on loopback, through
# QEMU's user network with restrict=on.
qemu_scenarios += net-http
qemu_scenarios += net-refuse-other-ca net-refuse-edited-manifest \
	net-refuse-wrong-blob net-refuse-no-answer net-refuse-redirect-loop \
	net-refuse-no-dhcp
qemu_scenarios += net-https net-refuse-tls-other-ca net-refuse-tls-other-name
qemu_scenarios += net-mirror-down net-resume
# The cache device: filled, booted from again, a tampered blob fetched again.
qemu_scenarios += net-cache net-cache-warm net-cache-tampered net-cache-full \
	net-cache-small net-cache-unformatted
# A cache device whose I/O never completes, from the moment it is mounted.
qemu_scenarios += stall-cache
# PXE from dnsmasq's TFTP in a namespace of the scenario's, oci=dhcp.
qemu_scenarios += net-pxe-dhcp
