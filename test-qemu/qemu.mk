# Boots under QEMU (secureboot-off boots secureboot itself when no passing
# run of it is there to compare PCR 7 with).
qemu_scenarios += secureboot unsigned secureboot-off bad-cmdline failure-reboot
# The verified local boot and everything that must stop it.
qemu_scenarios += verified-boot interop-gensquashfs \
	limits-max-layers limits-over-layers limits-max-services \
	refuse-other-ca refuse-uncertified-key refuse-edited-manifest \
	refuse-missing-blob refuse-layer-size refuse-verity-superblock \
	refuse-wrong-product refuse-ambiguous-store \
	corrupt-metadata corrupt-init corrupt-unread-file corrupt-tree
# The network boot: the product from a registry on loopback, through
# QEMU's user network with restrict=on.
qemu_scenarios += net-http
qemu_scenarios += net-refuse-other-ca net-refuse-edited-manifest \
	net-refuse-wrong-blob net-refuse-no-answer net-refuse-redirect-loop \
	net-refuse-no-dhcp
qemu_scenarios += net-https net-refuse-tls-other-ca
qemu_scenarios += net-mirror-down net-resume
# PXE from dnsmasq's TFTP in a namespace of the scenario's, oci=dhcp.
qemu_scenarios += net-pxe-dhcp
