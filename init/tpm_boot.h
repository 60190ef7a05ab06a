/* SPDX-License-Identifier: MIT */
/*
 * The boot's TPM stages (docs/tpm.md "What the init does at boot"):
 *
 *   tpm          after store: read the provisioned product and floor; the
 *                product becomes system_verify()'s expected product
 *                (tpm_boot_expected_product());
 *   tpm release  after verify (beside the layers: stage_tpm_release_start()):
 *                refuse a version below the floor; read the
 *                sealed admin and disk-key indices through PolicyPCR(7)
 *                sessions and read-lock them; raise the floor to the
 *                verified version and write-lock it; extend PCR 13 with
 *                the artifact and system manifest and write the event log;
 *                hand the disk key to the booted system on /run's tmpfs,
 *                with the machine's certificate (its key stays in the
 *                TPM at 0x81000100).
 *
 * What a missing, unprovisioned or unusable TPM means is ociboot.tpm=
 * (init/cmdline.h). Every refusal names what it found; no secret is ever
 * logged, and each leaves memory as soon as it is used.
 */
#ifndef OCIBOOT_INIT_TPM_BOOT_H
#define OCIBOOT_INIT_TPM_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "tpm/layout.h"

#define TPM_BOOT_SECRETS_DIR "/run/ociboot/secrets"
#define TPM_BOOT_DISK_KEY_FILE TPM_BOOT_SECRETS_DIR "/disk-key"
#define TPM_BOOT_DISK_KEY_MODE 0400
#define TPM_BOOT_IDENTITY_DIR "/run/ociboot/identity"
#define TPM_BOOT_IDENTITY_FILE TPM_BOOT_IDENTITY_DIR "/machine.der"
#define TPM_BOOT_IDENTITY_MODE 0444
#define TPM_BOOT_EVENT_LOG "/run/ociboot/tpm2-measure.log"
#define TPM_BOOT_EVENT_LOG_MODE 0444
/* The log's two records at their longest. */
#define TPM_BOOT_EVENT_LOG_MAX 1024
/* Firmware tables that announce a TPM (ACPI; sysfs's TPM class). */
#define TPM_BOOT_ACPI_TABLE "/sys/firmware/acpi/tables/TPM2"
#define TPM_BOOT_CLASS_DIR "/sys/class/tpm"
/*
 * The TPM's devices, in the order the init tries them: the raw one first.
 * The init is the TPM's only user, and the kernel's resource manager
 * (tpmrm0) would save, reload and flush every session around each of its
 * commands; on the raw device it flushes what it loaded itself before it
 * hands over (tpm_boot_close()).
 */
#define TPM_BOOT_RAW_DEVICE "/dev/tpm0"
#define TPM_BOOT_RM_DEVICE "/dev/tpmrm0"

struct boot;

struct tpm_boot {
	bool announced;		/* by the firmware (see tpm_boot_announced) */
	bool raw;		/* open on TPM_BOOT_RAW_DEVICE */
	bool provisioned;	/* product and floor read */
	char product[TPM_LAYOUT_PRODUCT_LEN + 1];
	uint64_t floor;
	bool has_secrets;	/* admin and disk_key read this boot */
	uint8_t admin[TPM_LAYOUT_ADMIN_LEN];
	uint8_t disk_key[TPM_LAYOUT_DISK_KEY_LEN];
	char event_log[TPM_BOOT_EVENT_LOG_MAX];
	uint8_t identity[TPM_LAYOUT_IDENTITY_MAX];	/* its certificate */
};

/*
 * Whether the firmware announces a TPM: an ACPI TPM2 table, or a device
 * the kernel's TPM class already has. Answers at once; the init waits
 * for the TPM's device only when this says yes.
 */
bool tpm_boot_announced(void);

/*
 * Close the boot's TPM: before a child of PID 1 opens it again for tpm
 * release, when that child is done, and before the real init runs if it
 * is still open. On the raw device, flush every transient object and
 * session the TPM still lists first: the resource manager the booted
 * system uses would have no room for its own otherwise. Flushing anything
 * means the init left it loaded, a bug: it says so, as it says a failure
 * to flush, and goes on.
 */
void tpm_boot_close(struct boot *b);

/* The provisioned product UUID, or NULL when there is none to check. */
const char *tpm_boot_expected_product(const struct boot *b);

/*
 * Not PID 1 (`ociboot-init --tpm-check [CONF]`, default
 * device:/dev/tpmrm0): how many transient objects and sessions the TPM
 * holds as the check starts (through the raw device, device:/dev/tpm0,
 * what the init left loaded), then what the booted system can still do
 * with ociboot's indices, one line each on stdout: the product and floor,
 * then each
 * attempt a booted system must not get through (read the sealed indices
 * again, rewrite the product, lower or undefine the floor, undefine the
 * product) as "refused (TPM rc 0x...)" or "DONE", whether the floor is
 * write-locked, whether the identity key signs under its policy (the
 * signature checked with its public key), and PCR 13. Returns the exit
 * status: 0, or 1 when the TPM does not open.
 */
int tpm_boot_check(const char *conf);

int stage_tpm(struct boot *b);
int stage_tpm_release(struct boot *b);

/*
 * tpm release beside the layers, rootfs and services stages (which need
 * nothing from it; the wait comes just before switch_root): the
 * floor is checked in front, so a rolled-back system is refused before
 * anything is set up; then PID 1 closes the TPM (tpm_boot_close()) and a
 * child opens it again, does the rest of stage_tpm_release() with words
 * of its own (boot_speak_as_side()), and closes it. Its TPM round trips
 * wait on the TPM, not on the CPU, so they overlap even on one. The wait
 * joins it under timeout_ms (ociboot.io_timeout=): its failure is the
 * boot's, with its own reason. Without a TPM both do nothing.
 */
int stage_tpm_release_start(struct boot *b);
int stage_tpm_release_wait(struct boot *b, unsigned int timeout_ms);

#endif
