/*
 * <mach/clock_types.h> -- mach_timespec_t and clock constants.
 *
 * Follows XNU osfmk/mach/clock_types.h.  The NSEC_PER_* / USEC_PER_SEC
 * constants are only defined if the includer has not defined them.
 */
#ifndef _MACH_CLOCK_TYPES_H_
#define _MACH_CLOCK_TYPES_H_

#include <stdint.h>

typedef int     alarm_type_t;
typedef int     sleep_type_t;
typedef int     clock_id_t;
typedef int     clock_flavor_t;
typedef int     *clock_attr_t;
typedef int     clock_res_t;

/* Used by semaphore_timedwait(): seconds plus nanoseconds. */
struct mach_timespec {
	unsigned int    tv_sec;
	clock_res_t     tv_nsec;
};
typedef struct mach_timespec mach_timespec_t;

#define SYSTEM_CLOCK            0
#define CALENDAR_CLOCK          1
#define REALTIME_CLOCK          0

#define CLOCK_GET_TIME_RES      1
#define CLOCK_ALARM_CURRES      3
#define CLOCK_ALARM_MINRES      4
#define CLOCK_ALARM_MAXRES      5

#ifndef NSEC_PER_USEC
#define NSEC_PER_USEC   1000ull
#endif
#ifndef USEC_PER_SEC
#define USEC_PER_SEC    1000000ull
#endif
#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC    1000000000ull
#endif
#ifndef NSEC_PER_MSEC
#define NSEC_PER_MSEC   1000000ull
#endif

#define BAD_MACH_TIMESPEC(t) \
	((t)->tv_nsec < 0 || (t)->tv_nsec >= (long)NSEC_PER_SEC)

#define ALRMTYPE                0xff
#define TIME_ABSOLUTE           0x00
#define TIME_RELATIVE           0x01
#define BAD_ALRMTYPE(t)         (((t) & ~TIME_RELATIVE) != 0)

#endif /* _MACH_CLOCK_TYPES_H_ */
