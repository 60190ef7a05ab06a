# The provisioned machine with Secure Boot off, under the default
# ociboot.tpm=optional: the secrets stay sealed (0x99d), the floor is not
# raised, but the product binding still holds, and the product boots
# without them: no disk key on /run. Without Secure Boot the kernel's IMA
# measures no module (verified-boot sees every one measured with it).
. "$here/tpm.sh"
secure_boot=off
expect=(
	"ociboot: tpm: provisioned for product $PRODUCT_UUID, anti-rollback floor 0"
	'ociboot: verify: signed system verified'
	'ociboot: tpm: PCR 7 sha256:[0-9a-f]{64} does not satisfy the secrets. policy \(TPM rc 0x99d\): no secrets this boot, floor not raised'
	'ociboot: tpm: machine identity: certificate'
	'ociboot: switch_root: exec /sbin/init'
	'product: ima: 0 modules measured'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'product: disk key' 'floor raised')

prepare() {
	product_prepare &&
		product_disk "$PRODUCT_CMDLINE ociboot.on_failure=poweroff" &&
		tpm_provision "$PRODUCT_UUID"
}
