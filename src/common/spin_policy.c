/*
 * spin_policy.c -- see spin_policy.h.
 */
#include <sched.h>

#include "spin_policy.h"

bool
spin_policy_allows(struct spin_policy *p, uint64_t now)
{
	cpu_set_t set;

	if (p->checked_ns == 0 || now - p->checked_ns > SPIN_RECHECK_NS) {
		p->multi_cpu = sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 1;
		p->checked_ns = now;
	}
	return p->multi_cpu;
}
