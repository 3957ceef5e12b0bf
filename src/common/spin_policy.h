/*
 * spin_policy.h -- whether polling before a sleep can help, one rule for
 * machd's event loop and libmach's wait for a reply (docs/architecture.md,
 * "How a calling thread waits"): only when the calling thread may run on
 * more than one CPU.  With one CPU a spinner only holds off the task it
 * waits for.  The affinity mask is read again every SPIN_RECHECK_NS, since
 * a process may be pinned (taskset, sched_setaffinity) while it runs.
 */
#ifndef MACHXFER_SPIN_POLICY_H
#define MACHXFER_SPIN_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define SPIN_RECHECK_NS  10000000ull      /* 10 ms */

/* What one thread (or machd's loop) last learnt of its affinity. */
struct spin_policy {
	uint64_t checked_ns;                 /* 0: never */
	bool     multi_cpu;
};

/* May a thread with this policy spin at `now` (mono_now_ns)? */
bool spin_policy_allows(struct spin_policy *p, uint64_t now);

#endif /* MACHXFER_SPIN_POLICY_H */
