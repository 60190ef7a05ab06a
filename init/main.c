/* SPDX-License-Identifier: MIT */
/*
 * ociboot-init: PID 1 of the initrd.
 *
 * The boot is a fixed list of stages run in order (see stages[] below);
 * each returns 0 or fails with a reason, and a failure ends the boot
 * through the failure policy (init/fail.h). After a stage that
 * ociboot.break names, the machine powers off on purpose. Later stages --
 * find the store, verify the system manifest, TPM checks, verity, overlay,
 * switch_root -- slot in before "boot".
 *
 * Not PID 1, the binary answers `--version`,
 * `--test-mode --cmdline STRING` (print the configuration a command line
 * gives) and `--tpm-check [CONF]` (init/tpm_boot.h) and otherwise refuses
 * to run. Called as `ociboot-service` (the copy the boot leaves in
 * /run/ociboot/bin) or with `service` as its first argument, it is the
 * service starter (service/cli.h), at any PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci_ref.h"
#include "init/boot.h"
#include "init/buildid.h"
#include "init/cmdline.h"
#include "init/fail.h"
#include "init/firmware.h"
#include "init/lockdown.h"
#include "init/log.h"
#include "init/modload.h"
#include "init/modules.h"
#include "init/network.h"
#include "init/pid1.h"
#include "init/timing.h"
#include "init/tpm_boot.h"
#include "init/services.h"
#include "init/stage_bounded.h"
#include "init/verified.h"
#include "fs/bounded.h"
#include "lib/constants.h"
#include "lib/clock.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "service/cli.h"
#include "tpm/tpm.h"
#include "version.h"	/* generated: OCIBOOT_VERSION */

#define CMDLINE_PATH "/proc/cmdline"
#define PRINTK_DEVKMSG_PATH "/proc/sys/kernel/printk_devkmsg"
#define EFI_DIR "/sys/firmware/efi"
#define EFIVARS_DIR EFI_DIR "/efivars"
#define EFIVARFS_MODULES MODULES_FS_LIST_DIR "/efivarfs"
#define TPM_WAIT_MS 3000	/* for a late TPM driver to create its node */
#define TPM_POLL_MS 50
/* The PCR the firmware measures the Secure Boot policy into (TCG PC Client
 * Platform Firmware Profile). */
#define TPM_PCR_SECURE_BOOT 7
#define DEVKMSG_ON "on\n"

/* Where a stage runs (init/stage_bounded.h). */
enum stage_where {
	IN_PID1,	/* reads no disk */
	BOUNDED,	/* in a child, under ociboot.io_timeout + extra_ms */
	QUIET,		/* in a child, failed when quiet for the longer of
			 * ociboot.io_timeout and ociboot.net_timeout */
};

struct stage {
	const char *name;
	int (*run)(struct boot *b);
	enum boot_break break_after;	/* ociboot.break value naming it */
	enum stage_where where;
	/* BOUNDED: the stage's own waits, added to ociboot.io_timeout. */
	unsigned int extra_ms;
	/* NULL, or whether this boot has anything for the stage to do
	 * (no child is started for nothing). */
	bool (*needed)(const struct boot *b);
};

/* --- early: what every later step needs ------------------------------ */

static const struct pid1_mount early_mounts[] = {
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755 },
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  0555 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	  0555 },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755 },
};

static int stage_early(struct boot *b)
{
	int signals = pid1_take_signals(&b->pid1), console, devkmsg;
	const struct pid1_mount *failed = NULL;
	char id[BUILDID_HEX_MAX];
	int mount_err = 0;

	umask(022);
	if (chdir("/") < 0)
		return boot_failed(b, "chdir /: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(early_mounts) && !failed; i++) {
		mount_err = pid1_mount(&early_mounts[i], true);
		if (mount_err < 0)
			failed = &early_mounts[i];
	}
	console = pid1_open_console();
	devkmsg = fileio_write_attr(AT_FDCWD, PRINTK_DEVKMSG_PATH, DEVKMSG_ON,
				    strlen(DEVKMSG_ON));
	log_init();
	if (buildid_self_hex(id) < 0)
		snprintf(id, sizeof(id), "unknown");
	log_info("init", "ociboot-init %s build-id %s", OCIBOOT_VERSION, id);

	if (failed)
		return boot_failed(b, "mounting %s on %s: %s", failed->fstype,
				    failed->target, strerror(-mount_err));
	if (signals < 0)
		log_warning("init", "signals: %s", strerror(-signals));
	if (console < 0)
		log_warning("init", "no console: %s", strerror(-console));
	if (devkmsg < 0)
		log_warning("init", "%s: %s", PRINTK_DEVKMSG_PATH,
			    strerror(-devkmsg));
	return 0;
}

/* --- the command line ------------------------------------------------- */

static int stage_cmdline(struct boot *b)
{
	char *line = b->cmdline;
	struct error err;
	ssize_t n;

	n = fileio_read_text(AT_FDCWD, CMDLINE_PATH, line, sizeof(b->cmdline),
			     0);
	if (n < 0)
		return boot_failed(b, "reading %s: %s", CMDLINE_PATH,
				    ociboot_strerror((int)n));
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (cmdline_parse(line, (size_t)n, &b->config, &err) < 0) {
		cmdline_failure_policy(line, (size_t)n, &b->policy);
		return boot_failed(b, "bad kernel command line: %s%s%s",
				   err.what, err.what[0] ? ": " : "", err.why);
	}
	b->policy = b->config.on_failure;
	log_set_debug(b->config.debug);
	log_info("cmdline", "%s", line);
	return 0;
}

/* --- kernel modules --------------------------------------------------- */

/* A network boot's location: a registry, or one DHCP will name. */
static bool boot_is_network(const struct ociboot_config *c)
{
	return c->has_oci && c->oci.kind != OCI_LOCATION_DEVICE;
}

/*
 * The boot's list. A store filesystem's modules are not in it: the store
 * stage loads the list of the filesystem it finds (init/modload.h); nor
 * are the layers' (stage_layer_modules()).
 */
static int stage_modules(struct boot *b)
{
	char line[ERROR_LINE_MAX];
	struct modload_result res;
	struct modload_options opt = { boot_is_network(&b->config),
				       boot_doing_module, b };
	struct error err;

	if (modload_list(MODULES_LIST_PATH, b->modules_list,
			 sizeof(b->modules_list), &opt, &res, &err) < 0)
		return boot_failed(b, "%s", error_format(&err, line,
							 sizeof(line)));
	if (res.no_list)
		log_info("modules", "no %s: none to load", MODULES_LIST_PATH);
	if (res.skipped)
		log_info("modules", "%u network driver(s) not loaded: "
			 "the store is local", res.skipped);
	return 0;
}

/*
 * The layers' modules (loop, squashfs, dm-verity, overlay; ukify gives
 * them a list of their own), loaded beside the drivers, store, TPM and
 * verify stages, which do not need them; the layers stage joins first.
 * In a child: its list buffer is its own, on its stack.
 */
static int load_layer_modules(struct boot *b, struct boot_side *side)
{
	struct modload_options opt = { false, boot_side_doing_module, side };
	char list[MODULES_LIST_MAX + 1], line[ERROR_LINE_MAX];
	int64_t start = clock_now_ms();
	struct modload_result res;
	struct error err;

	if (modload_list(MODULES_LAYERS_LIST, list, sizeof(list), &opt, &res,
			 &err) < 0)
		return boot_side_failed(side, "%s", error_format(&err, line,
								 sizeof(line)));
	if (!res.no_list)
		log_info("modules", "%u module(s) of %s loaded in %lld ms, "
			 "beside the stages in front", res.loaded,
			 MODULES_LAYERS_LIST,
			 (long long)(clock_now_ms() - start));
	return 0;
}

static int stage_layer_modules(struct boot *b)
{
	return stage_side_start(b, "layer modules", load_layer_modules);
}

static int stage_layer_modules_join(struct boot *b)
{
	return stage_side_join(b, b->config.io_timeout_s * MS_PER_SECOND);
}

static int stage_tpm_release_join(struct boot *b)
{
	return stage_tpm_release_wait(b, b->config.io_timeout_s *
				      MS_PER_SECOND);
}

/* --- filesystems that need modules ------------------------------------ */

/* Mounted when their mount point exists (the kernel makes those). */
static const struct pid1_mount firmware_mounts[] = {
	{ "securityfs", "/sys/kernel/security", "securityfs",
	  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0 },
};

/* Only for a boot the kernel does not call Secure (report_secure_boot). */
static const struct pid1_mount efivarfs_mount = {
	"efivarfs", EFIVARS_DIR, "efivarfs",
	MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0
};

static int stage_firmware_mounts(struct boot *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(firmware_mounts); i++) {
		const struct pid1_mount *m = &firmware_mounts[i];
		int r = pid1_mount(m, false);

		if (r == -ENOENT)
			log_debug("mount", "no %s: %s not mounted", m->target,
				  m->fstype);
		else if (r < 0)
			log_warning("mount", "%s on %s: %s", m->fstype,
				    m->target, strerror(-r));
	}
	return 0;
}

/* --- report: what booted, on what ------------------------------------- */

/*
 * efivarfs, its module loaded now (ukify gives it a list of its own): a
 * boot under Secure Boot never needs it, and never pays for it.
 */
static void mount_efivarfs(struct boot *b)
{
	struct modload_options opt = { false, NULL, NULL };
	char line[ERROR_LINE_MAX];
	struct modload_result res;
	struct error err;
	int r;

	r = modload_list(EFIVARFS_MODULES, b->modules_list,
			 sizeof(b->modules_list), &opt, &res, &err);
	if (r < 0)
		log_warning("firmware", "%s", error_format(&err, line,
							   sizeof(line)));
	r = pid1_mount(&efivarfs_mount, false);
	if (r < 0 && r != -ENOENT)
		log_warning("mount", "efivarfs on %s: %s", EFIVARS_DIR,
			    strerror(-r));
}

static bool booted_by_uefi(void)
{
	return access(EFI_DIR, F_OK) == 0;
}

/*
 * The kernel's view first (boot_params: what its EFI stub found, and what
 * lockdown follows). When that is not "enabled", the variables say why
 * (setup mode, or SecureBoot off); a kernel that says disabled where the
 * variables say enabled (a shim told not to validate) is disabled. A
 * kernel not started through UEFI (no EFI_DIR: a BIOS, or QEMU's -kernel)
 * has no variables and no Secure Boot: efivarfs is not even loaded.
 */
static int secure_boot_state(struct boot *b, enum secure_boot_state *state)
{
	enum secure_boot_state kernel = SECURE_BOOT_UNKNOWN, vars;
	int r = firmware_secure_boot_kernel(BOOT_PARAMS_PATH, &kernel);

	if (r == 0 && kernel == SECURE_BOOT_ENABLED) {
		*state = kernel;
		return 0;
	}
	if (!booted_by_uefi()) {
		*state = SECURE_BOOT_DISABLED;
		return 0;
	}
	mount_efivarfs(b);
	if (firmware_secure_boot(EFIVARS_DIR, &vars) < 0 ||
	    (vars == SECURE_BOOT_ENABLED && kernel == SECURE_BOOT_DISABLED) ||
	    vars == SECURE_BOOT_UNKNOWN) {
		*state = kernel;
		return r;
	}
	*state = vars;
	return 0;
}

static void report_secure_boot(struct boot *b)
{
	enum secure_boot_state state;
	char mode[LOCKDOWN_MODE_MAX];
	int r;

	r = secure_boot_state(b, &state);
	if (r < 0)
		log_warning("firmware", "secure boot state unreadable: %s",
			    ociboot_strerror(r));
	else if (state == SECURE_BOOT_DISABLED && !booted_by_uefi())
		log_info("firmware", "secure boot %s: not booted through UEFI "
			 "(no %s)", firmware_secure_boot_name(state), EFI_DIR);
	else
		log_info("firmware", "secure boot %s",
			 firmware_secure_boot_name(state));

	r = lockdown_read(LOCKDOWN_PATH, mode);
	if (r < 0)
		log_info("firmware", "lockdown unknown (%s: %s)", LOCKDOWN_PATH,
			 ociboot_strerror(r));
	else
		log_info("firmware", "lockdown %s", mode);
}

static bool tpm_node_exists(void)
{
	return access(TPM_BOOT_RAW_DEVICE, F_OK) == 0 ||
	       access(TPM_BOOT_RM_DEVICE, F_OK) == 0;
}

/*
 * Open the TPM the firmware announces, giving a late driver TPM_WAIT_MS to
 * create the node; none announced, none waited for.
 */
static int open_tpm(struct boot *b)
{
	int64_t deadline = clock_deadline_ms(TPM_WAIT_MS);
	int r;

	b->tpm_boot.announced = tpm_boot_announced();
	if (!b->tpm_boot.announced && !tpm_node_exists())
		return -ENODEV;
	while (!tpm_node_exists() && !clock_deadline_passed(deadline))
		pid1_sleep_until(&b->pid1, clock_deadline_ms(TPM_POLL_MS));
	r = tpm_open(&b->tpm, "device:" TPM_BOOT_RAW_DEVICE);
	b->tpm_boot.raw = r == 0;
	if (r < 0)
		r = tpm_open(&b->tpm, "device:" TPM_BOOT_RM_DEVICE);
	b->has_tpm = r == 0;
	return r;
}

static void report_tpm(struct boot *b)
{
	uint8_t pcr[TPM_SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	int r = open_tpm(b);

	if (r < 0) {
		if (!b->tpm_boot.announced && r == -ENODEV)
			log_info("tpm", "no TPM: the firmware announces none "
				 "(%s, %s)", TPM_BOOT_ACPI_TABLE,
				 TPM_BOOT_CLASS_DIR);
		else
			log_info("tpm", "no TPM (%s, %s: %s)",
				 TPM_BOOT_RAW_DEVICE, TPM_BOOT_RM_DEVICE,
				 ociboot_strerror(r));
		return;
	}
	r = tpm_pcr_read_sha256(&b->tpm, TPM_PCR_SECURE_BOOT, pcr);
	if (r < 0) {
		log_warning("tpm", "reading pcr%u: %s (TPM rc 0x%x)",
			    TPM_PCR_SECURE_BOOT, ociboot_strerror(r),
			    (unsigned)b->tpm.last_rc);
		return;
	}
	sha256_hex(pcr, hex);
	log_info("tpm", "pcr%u sha256:%s", TPM_PCR_SECURE_BOOT, hex);
}

static int stage_report(struct boot *b)
{
	report_secure_boot(b);
	report_tpm(b);
	return 0;
}

static const struct stage stages[] = {
	{ "early", stage_early, BOOT_BREAK_NONE, IN_PID1, 0, NULL },
	{ "cmdline", stage_cmdline, BOOT_BREAK_NONE, IN_PID1, 0, NULL },
	/* Beside the stages up to "layer modules wait", the drivers' too. */
	{ "layer modules start", stage_layer_modules, BOOT_BREAK_NONE,
	  IN_PID1, 0, NULL },
	{ "modules", stage_modules, BOOT_BREAK_NONE, BOUNDED, 0, NULL },
	{ "firmware mounts", stage_firmware_mounts, BOOT_BREAK_NONE, IN_PID1,
	  0, NULL },
	{ "report", stage_report, BOOT_BREAK_REPORT, IN_PID1, 0, NULL },
	{ "store", stage_store, BOOT_BREAK_STORE, BOUNDED,
	  STORE_TIMEOUT_DEFAULT_MS, NULL },
	{ "tpm", stage_tpm, BOOT_BREAK_NONE, IN_PID1, 0, NULL },
	/* A pull of any size, whose every step has a deadline: the network's
	 * (ociboot.net_timeout) or a disk's (ociboot.io_timeout, the cache). */
	{ "network", stage_network, BOOT_BREAK_NONE, QUIET, 0,
	  network_needed },
	{ "verify", stage_verify, BOOT_BREAK_NONE, BOUNDED, 0, NULL },
	{ "services verify", stage_services_verify, BOOT_BREAK_VERIFY,
	  BOUNDED, 0, services_needed },
	/* Bounded by ociboot.io_timeout, from here. */
	{ "layer modules wait", stage_layer_modules_join, BOOT_BREAK_NONE,
	  IN_PID1, 0, NULL },
	/* Beside the layers, rootfs and services, which need nothing from
	 * it; joined before the booted system can run. */
	{ "tpm release start", stage_tpm_release_start, BOOT_BREAK_NONE,
	  IN_PID1, 0, NULL },
	{ "layers", stage_layers, BOOT_BREAK_LAYERS, BOUNDED, 0, NULL },
	{ "rootfs", stage_rootfs, BOOT_BREAK_ROOTFS, BOUNDED, 0, NULL },
	{ "services", stage_services, BOOT_BREAK_NONE, BOUNDED, 0, NULL },
	{ "tpm release wait", stage_tpm_release_join, BOOT_BREAK_NONE,
	  IN_PID1, 0, NULL },
	{ "switch_root", stage_switch_root, BOOT_BREAK_NONE, IN_PID1, 0,
	  NULL },
};

/* Run one stage: in PID 1, or in a child under its deadline. */
static int run_stage(struct boot *b, const struct stage *s)
{
	unsigned int io_s = b->config.io_timeout_s;
	unsigned int net_s = b->config.net.timeout_s;
	unsigned int quiet_s = io_s > net_s ? io_s : net_s;

	if (s->needed && !s->needed(b))
		return 0;
	switch (s->where) {
	case BOUNDED:
		return stage_bounded_run(b, s->name, s->run,
					 io_s * MS_PER_SECOND + s->extra_ms);
	case QUIET:
		return stage_bounded_run_quiet(b, s->name, s->run,
					       quiet_s * MS_PER_SECOND,
					       io_s >= net_s ?
					       "ociboot.io_timeout=" :
					       "ociboot.net_timeout=");
	case IN_PID1:
		break;
	}
	return s->run(b);
}

/*
 * Where the init's time went, before the last stage (switch_root, which
 * does not return): one line in the boot log, and TIME lines appended to
 * the hand-over file for the booted system. Not being able to append is
 * worth a warning, not a failed boot.
 */
static void report_time(struct boot *b)
{
	char buf[TIMING_FORMAT_MAX];
	int64_t now = clock_now_ms();
	struct strbuf sb;
	int fd, r = -ENOENT;

	strbuf_init(&sb, buf, sizeof(buf));
	timing_summary(&b->timing, now, &sb);
	log_info("init", "%s", strbuf_str(&sb));
	strbuf_init(&sb, buf, sizeof(buf));
	timing_format(&b->timing, now, &sb);
	fd = open(VERIFIED_BOOT_FILE, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		r = strbuf_truncated(&sb) ? -ENOSPC :
		    fileio_write_all(fd, buf, strbuf_len(&sb));
		close(fd);
	}
	if (r < 0)
		log_warning("init", "%s: times not written: %s",
			 VERIFIED_BOOT_FILE, strerror(-r));
}

/*
 * The boot's state, mapped MAP_SHARED so that a stage run in a child
 * (init/stage_bounded.h) fills it for PID 1; without the mapping, the
 * static copy and every stage in PID 1.
 */
static struct boot *boot_state(void)
{
	static struct boot fallback;
	struct boot *b = bounded_shared_map(sizeof(*b));

	if (!b)
		return &fallback;
	b->shared = true;
	return b;
}

static _Noreturn void boot(void)
{
	struct boot *b = boot_state();

	boot_init(b);
	for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
		const struct stage *s = &stages[i];
		int64_t start = clock_now_ms();
		char at[48];

		if (i == ARRAY_SIZE(stages) - 1)
			report_time(b);
		log_debug("init", "stage %s", s->name);
		if (run_stage(b, s) < 0)
			fail_boot(&b->pid1, &b->policy, "%s", b->reason);
		pid1_poll(&b->pid1);
		timing_add(&b->timing, s->name, start, clock_now_ms());
		if (s->break_after == BOOT_BREAK_NONE ||
		    s->break_after != b->config.break_at)
			continue;
		snprintf(at, sizeof(at), "break at %s",
			 boot_break_name(s->break_after));
		/* A stage beside (the TPM's release) ends first, as it would
		 * before the booted system ran. */
		if (stage_side_join(b, b->config.io_timeout_s *
				    MS_PER_SECOND) < 0)
			log_warning(at, "%s", b->reason);
		log_info(at, "powering off");
		pid1_power(&b->pid1, PID1_POWER_POWEROFF);
	}
	fail_boot(&b->pid1, &b->policy, "the boot sequence ended");
}

/* --- not PID 1 -------------------------------------------------------- */

static int print_version(void)
{
	char id[BUILDID_HEX_MAX];
	int r = buildid_self_hex(id);

	if (r < 0) {
		fprintf(stderr, "ociboot-init: no build-id: %s\n",
			ociboot_strerror(r));
		return 1;
	}
	printf("ociboot-init %s build-id %s\n", OCIBOOT_VERSION, id);
	return 0;
}

static int print_config(const char *line)
{
	char out[CMDLINE_FORMAT_MAX];
	struct ociboot_config config;
	struct error err;

	if (cmdline_parse(line, strlen(line), &config, &err) < 0) {
		fprintf(stderr, "ociboot-init: bad command line: %s%s%s\n",
			err.what, err.what[0] ? ": " : "", err.why);
		return 1;
	}
	if (cmdline_format(&config, out, sizeof(out)) < 0)
		return 1;
	fputs(out, stdout);
	return 0;
}

static int not_pid1(int argc, char **argv)
{
	if (argc == 2 && streq(argv[1], "--version"))
		return print_version();
	if ((argc == 2 || argc == 3) && streq(argv[1], "--tpm-check"))
		return tpm_boot_check(argc == 3 ? argv[2] :
				      "device:" TPM_BOOT_RM_DEVICE);
	if (argc == 4 && streq(argv[1], "--test-mode") &&
	    streq(argv[2], "--cmdline"))
		return print_config(argv[3]);
	fprintf(stderr, "ociboot-init: must run as PID 1\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (service_called(argc, argv))
		return service_main(argc, argv);
	if (getpid() == 1)
		boot();
	return not_pid1(argc, argv);
}
