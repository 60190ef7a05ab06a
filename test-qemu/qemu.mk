# Boots under QEMU, in this order (secureboot-off compares with secureboot).
qemu_scenarios += secureboot unsigned secureboot-off bad-cmdline failure-reboot
