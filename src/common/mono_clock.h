/*
 * mono_clock.h -- CLOCK_MONOTONIC in nanoseconds: the one clock of
 * machd's deadlines, of the spin before a sleep, and of the benchmarks.
 */
#ifndef MACHXFER_MONO_CLOCK_H
#define MACHXFER_MONO_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* MACHXFER_MONO_CLOCK_H */
