/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line, split the way the kernel splits it, and the
 * typed configuration ociboot takes from it:
 *
 *   oci=LOCATION                 where the system manifest lives (oci/oci_ref.h)
 *   ociboot.on_failure=ACTION    halt (default), reboot or poweroff
 *   ociboot.reboot_delay=SECONDS 0..3600, default 10: wait before a reboot
 *   ociboot.break=STAGE          stop on purpose after STAGE and power off
 *                                (only "report" so far)
 *   ociboot.debug[=0|1]          also log debug lines
 *   ociboot.tpm=MODE             optional (default) or required: what a
 *                                missing, unprovisioned or unusable TPM
 *                                means (docs/tpm.md "Outcomes")
 *   ociboot.verity=POLICY        a corrupted layer block after boot: eio
 *                                (default: the read fails), restart or
 *                                panic (docs/verity.md)
 *   ociboot.io_timeout=SECONDS   1..3600, default 30: the longest a stage
 *                                that reads a disk may run (modules, store
 *                                -- on top of its wait for the device --,
 *                                verify, layers, rootfs, services) before
 *                                the boot fails naming what it was doing
 *                                (docs/store.md "Devices that stall")
 *   ip=, ociboot.net_timeout=, ociboot.mirror=, ociboot.hosts=
 *                                the network boot's (init/netcmdline.h)
 *
 * Any other ociboot.* key, a malformed value or a key given twice is an
 * error; everything else belongs to the kernel and is ignored. Parsing
 * stops at "--" (what follows is for init's argv).
 *
 * The caller owns every structure; nothing here allocates or logs.
 */
#ifndef OCIBOOT_INIT_CMDLINE_H
#define OCIBOOT_INIT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "init/netcmdline.h"
#include "lib/error.h"
#include "oci/oci_ref.h"

#define CMDLINE_MAX 4096		/* bytes; x86 kernels take 2048 */
#define CMDLINE_PARAMS_MAX 512		/* parameters looked at */
#define CMDLINE_KEY_SHOWN_MAX 64	/* key bytes quoted in an error */
#define CMDLINE_VALUE_SHOWN_MAX 80	/* value bytes quoted in an error */
#define CMDLINE_CUT "..."		/* marks a quoted key or value cut */
/* An error's what: "KEY=VALUE", both cut, with the NUL. */
#define CMDLINE_WHAT_MAX (CMDLINE_KEY_SHOWN_MAX + CMDLINE_VALUE_SHOWN_MAX + \
			  2 * (sizeof(CMDLINE_CUT) - 1) + 2)
#define CMDLINE_REBOOT_DELAY_MAX 3600
#define CMDLINE_REBOOT_DELAY_DEFAULT 10
#define CMDLINE_IO_TIMEOUT_MAX 3600
#define CMDLINE_IO_TIMEOUT_DEFAULT 30
/* Size that always holds cmdline_format()'s output and its NUL. */
#define CMDLINE_FORMAT_MAX 4096

_Static_assert(CMDLINE_WHAT_MAX <= ERROR_WHAT_MAX, "a quoted parameter fits");

enum failure_action {
	FAILURE_HALT,
	FAILURE_REBOOT,
	FAILURE_POWEROFF,
};

struct failure_policy {
	enum failure_action action;
	unsigned reboot_delay_s;	/* used by FAILURE_REBOOT */
};

/*
 * Where the boot stops on purpose (ociboot.break=NAME), in boot order. New
 * stages add a value here and a name in cmdline.c's table.
 */
enum boot_break {
	BOOT_BREAK_NONE,
	BOOT_BREAK_REPORT,	/* after logging versions, firmware, PCR 7 */
	BOOT_BREAK_STORE,	/* after finding and mounting the store */
	BOOT_BREAK_VERIFY,	/* after verifying the signed system */
	BOOT_BREAK_LAYERS,	/* after setting up every verity layer */
	BOOT_BREAK_ROOTFS,	/* after mounting the overlay root */
};

/* What a missing or unusable TPM means (ociboot.tpm=). */
enum tpm_mode {
	TPM_MODE_OPTIONAL,	/* boot without its binding, with a warning */
	TPM_MODE_REQUIRED,	/* refuse to boot */
};

/* What dm-verity does on a corrupted block (the layers' table flags). */
enum verity_policy {
	VERITY_POLICY_EIO,	/* no flag: the read fails with EIO */
	VERITY_POLICY_RESTART,	/* restart_on_corruption */
	VERITY_POLICY_PANIC,	/* panic_on_corruption */
};

struct ociboot_config {
	bool has_oci;
	struct oci_location oci;		/* valid when has_oci */
	struct failure_policy on_failure;
	enum boot_break break_at;
	bool debug;
	enum tpm_mode tpm;
	enum verity_policy verity;
	unsigned io_timeout_s;			/* ociboot.io_timeout= */
	struct netcmdline net;			/* init/netcmdline.h */
};

/* One parameter: key[key_len] and, when has_value, value[value_len]. Both
 * point into the command line buffer, quotes already dropped. */
struct cmdline_param {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
	bool has_value;
};

struct cmdline_cursor {
	const char *buf;
	size_t len;
	size_t pos;
	bool done;
};

/* Start splitting buf[len]; a NUL byte ends the line, as for the kernel. */
void cmdline_cursor_init(struct cmdline_cursor *c, const char *buf,
			 size_t len);

/*
 * The next parameter, with the kernel's rules (lib/cmdline.c next_arg):
 * whitespace separates parameters unless inside double quotes; a leading
 * quote around a whole parameter and a quote opening a value are dropped
 * together with the final quote. Returns 1 and fills *p, or 0 at the end
 * of the line or at "--".
 */
int cmdline_next(struct cmdline_cursor *c, struct cmdline_param *p);

/*
 * p's value as a whole number of seconds from min to max (decimal digits
 * only, at most 4 of them: max <= 9999). Returns 0 with *seconds set, or
 * -OCIBOOT_EMALFORMED (no value included).
 */
int cmdline_parse_seconds(const struct cmdline_param *p, unsigned min,
			  unsigned max, unsigned *seconds);

/* The defaults: no oci=, halt, 10 s, no break, no debug. */
void cmdline_defaults(struct ociboot_config *config);

/*
 * Parse a whole command line (e.g. /proc/cmdline's contents). Returns 0
 * with *config set, or -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG with *err
 * filled (config untouched): what is the parameter as "KEY=VALUE" (KEY
 * and VALUE quoted as written, cut to the _SHOWN_MAX sizes above with
 * "..." marking a cut, bytes outside printable ASCII as \xHH) and why the
 * reason ("unknown ociboot option"); a line too long or with too many
 * parameters has no what. why alone says what was wrong, so a caller
 * prints "WHAT: WHY" (the code is only its class).
 */
int cmdline_parse(const char *buf, size_t len, struct ociboot_config *config,
		  struct error *err);

/*
 * The failure policy a line that did not parse asks for: the defaults,
 * with ociboot.on_failure and ociboot.reboot_delay taken when each appears
 * once and parses, wherever it is on the line.
 */
void cmdline_failure_policy(const char *buf, size_t len,
			    struct failure_policy *policy);

/*
 * The typed configuration as "key=value\n" lines (ociboot.on_failure=halt,
 * oci.host=..., ...) into buf[size], NUL-terminated. Returns the length,
 * or -ENOSPC (size >= CMDLINE_FORMAT_MAX always suffices).
 */
int cmdline_format(const struct ociboot_config *config, char *buf,
		   size_t size);

/* "halt", "reboot", "poweroff"; NULL for other values. */
const char *failure_action_name(enum failure_action action);

/* "optional", "required"; NULL for other values. */
const char *tpm_mode_name(enum tpm_mode mode);

/* "none", "report", ...; NULL for other values. */
const char *boot_break_name(enum boot_break at);

#endif
