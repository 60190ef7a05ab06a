/* SPDX-License-Identifier: MIT */
/*
 * The verified boot from a local store, as stages of init/main.c. Each
 * returns 0, or boot_failed()'s -1 with the reason in b->reason.
 *
 *   store        find the block device oci= names (LABEL=, PARTLABEL=,
 *                UUID=, PARTUUID=), mount its ext4 read-only on
 *                /run/ociboot/store, open the OCI layout beneath it
 *   verify       system_verify() against the CAs in /etc/ociboot/ca, and
 *                log every step it checked
 *   layers       each layer, bottom first: read-only loop device,
 *                dm-verity target by raw ioctl, squashfs mounted from the
 *                dm device on /run/ociboot/layers/N
 *   rootfs       overlay of the layers with a fresh tmpfs upper on
 *                /sysroot; /run/ociboot/system.json and /run/ociboot/boot
 *                tell the booted system what it runs from
 *   switch_root  exec the image config's Entrypoint + Cmd (or /sbin/init)
 *                as the new PID 1's program
 */
#ifndef OCIBOOT_INIT_VERIFIED_H
#define OCIBOOT_INIT_VERIFIED_H

#include "init/boot.h"

#define VERIFIED_CA_DIR "/etc/ociboot/ca"
#define VERIFIED_RUN_DIR "/run/ociboot"
#define VERIFIED_STORE_DIR VERIFIED_RUN_DIR "/store"
#define VERIFIED_NEWROOT "/sysroot"

int stage_store(struct boot *b);
int stage_verify(struct boot *b);
int stage_layers(struct boot *b);
int stage_rootfs(struct boot *b);
int stage_switch_root(struct boot *b);

#endif
