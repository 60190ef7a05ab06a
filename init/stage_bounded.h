/* SPDX-License-Identifier: MIT */
/*
 * A boot stage that reads disks, run where a disk whose reads never return
 * cannot hold PID 1. A read that never returns leaves its reader in
 * uninterruptible sleep, where not even SIGKILL reaches it; were PID 1 the
 * reader, nothing would run the failure policy. So such a stage runs in a
 * child of PID 1 (fs/bounded.h's bounded_run()), and PID 1 waits for it on
 * its signalfd (still serving Ctrl-Alt-Del and power-off requests) until
 * a deadline:
 *
 *   - struct boot is mapped MAP_SHARED (b->shared), so what the child
 *     writes there -- the plan, the reason of a failure, b->doing -- PID 1
 *     reads at the same addresses afterwards; the mounts it makes are in
 *     the one mount namespace;
 *   - an OCI layout the child opened (the store stage's) reaches PID 1 as
 *     fds of its own (SCM_RIGHTS), so PID 1 never walks the store's
 *     directories itself;
 *   - at the deadline the child is killed and left behind (it dies when
 *     its I/O ends, if ever; PID 1 reaps it then), and the stage fails
 *     with what the child last said it was doing (boot_doing()):
 *     "store: /dev/vda: mounting it read-only (ext4) did not finish within
 *     30 s; ...".
 *
 * A stage whose length nobody knows in advance (the network stage pulls
 * images of any size) is bounded by quiet time instead: it fails once it
 * gave no sign of life (boot_doing()) for the deadline, however long it
 * has run (stage_bounded_run_quiet()).
 *
 * A stage whose work the next stages do not need yet runs beside them
 * (stage_side_start()): the layers' modules load while the store is found
 * and the system verified, and the layers stage joins it first
 * (stage_side_join()). It has words of its own (struct boot_side), so the
 * stage in front never reports what the one beside is doing, nor the
 * other way round.
 *
 * When b->shared is false (tests, or a boot whose shared mapping failed)
 * the stage runs in PID 1 itself, as before.
 */
#ifndef OCIBOOT_INIT_STAGE_BOUNDED_H
#define OCIBOOT_INIT_STAGE_BOUNDED_H

struct boot;
struct boot_side;

/*
 * Run run(b), the stage called name, in a child under timeout_ms. Returns
 * run's result (0, or -1 with b->reason), or -1 with b->reason saying why
 * the stage did not finish (deadline passed, child died, no child).
 */
int stage_bounded_run(struct boot *b, const char *name,
		      int (*run)(struct boot *b), unsigned int timeout_ms);

/*
 * stage_bounded_run(), but the deadline is quiet_ms without a boot_doing()
 * from the stage; the reason of a timeout names set_by as what sets it
 * ("ociboot.io_timeout="). Each step of such a stage must have a bound of
 * its own shorter than quiet_ms, and say what it does before it begins.
 */
int stage_bounded_run_quiet(struct boot *b, const char *name,
			    int (*run)(struct boot *b), unsigned int quiet_ms,
			    const char *set_by);

/*
 * Start run(b, &b->side), the stage called name, in a child that runs
 * beside the next stages; one at a time. run returns 0, or -1 with
 * side->reason, and says what it does in side->doing. Returns 0, or -1
 * with b->reason when no child could be started. Without b->shared, run
 * runs now, and its result waits for the join.
 */
int stage_side_start(struct boot *b, const char *name,
		     int (*run)(struct boot *b, struct boot_side *side));

/*
 * Wait for the stage started beside, at most timeout_ms from now (the
 * deadline ociboot.io_timeout= sets): 0 when it succeeded (or none was
 * started), its run then added to b->timing under its name, with the
 * times the child saw; or -1 with b->reason -- its own reason, or that it
 * did not finish in time naming what it was doing, or that it died.
 */
int stage_side_join(struct boot *b, unsigned int timeout_ms);

#endif
