/*
 * libmach_private.h -- libmach entry points that are not macOS API, for
 * machxfer's own tests and tools (not installed).
 */
#ifndef LIBMACH_PRIVATE_H
#define LIBMACH_PRIVATE_H

#include <stdint.h>

#include <mach/kern_return.h>

/*
 * Forget every channel, the task token, mach_task_self_, bootstrap_port
 * and the cached MIG reply ports, then connect again as a brand-new image
 * to the machd named by the current environment (MACHD_SOCKET ...).
 * Also re-arms the one-time "cannot reach machd" message.  Returns 0, or
 * -1 (silently) if machd cannot be reached; later calls retry.
 */
int libmach_reinit(void);

/*
 * MXP_OP_STATS: machd's object counts, out[0] ports, [1] queued kmsgs,
 * [2] tasks, [3] port sets, [4] semaphores, [5] names in the caller's space.
 */
kern_return_t libmach_stats(uint64_t out[6]);

/*
 * Out-of-line memory sent by this process so far: bytes the library
 * copied into new memfds, and regions sent with no copy at all
 * (vm_region.h).  For tests and benchmarks.
 */
void libmach_ool_counters(uint64_t *bytes_copied, uint64_t *zero_copy_sends);

/*
 * Waits of this process that spun before sleeping (mach_init.c,
 * "Adaptive spinning").  For tests.
 */
uint64_t libmach_spin_tries(void);

#endif /* LIBMACH_PRIVATE_H */
