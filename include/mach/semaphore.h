/*
 * <mach/semaphore.h> -- Mach semaphore operations.
 *
 * Prototypes follow the user-space part of XNU osfmk/mach/semaphore.h.
 * Semaphores are created and destroyed through the task port
 * (semaphore_create / semaphore_destroy in <mach/task.h>); the operations
 * below are traps (spec/mach-ipc.md 7.4).
 */
#ifndef _MACH_SEMAPHORE_H_
#define _MACH_SEMAPHORE_H_

#include <mach/port.h>
#include <mach/mach_types.h>
#include <mach/kern_return.h>
#include <mach/sync_policy.h>
#include <mach/clock_types.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

extern kern_return_t semaphore_signal(semaphore_t semaphore);
extern kern_return_t semaphore_signal_all(semaphore_t semaphore);
extern kern_return_t semaphore_signal_thread(semaphore_t semaphore,
    thread_t thread);

extern kern_return_t semaphore_wait(semaphore_t semaphore);
extern kern_return_t semaphore_timedwait(semaphore_t semaphore,
    mach_timespec_t wait_time);

extern kern_return_t semaphore_wait_signal(semaphore_t wait_semaphore,
    semaphore_t signal_semaphore);
extern kern_return_t semaphore_timedwait_signal(semaphore_t wait_semaphore,
    semaphore_t signal_semaphore, mach_timespec_t wait_time);

__END_DECLS

#endif /* _MACH_SEMAPHORE_H_ */
