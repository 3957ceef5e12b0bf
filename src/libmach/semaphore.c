/*
 * semaphore.c -- the Mach semaphore traps (spec 7.4) over machd ops
 * 33-39, and their semaphore_* names.
 *
 * Waits are interruptible as on macOS: a signal makes machd end the wait
 * with KERN_ABORTED.  Signals never block, so they are not.
 */
#include <string.h>

#include <mach/mach.h>
#include <mach/semaphore.h>

#include "libmach_internal.h"


/* nsec travels as its 32-bit pattern; machd checks the range (KERN_INVALID_VALUE). */
static uint64_t
nsec_arg(clock_res_t nsec)
{
	return (uint32_t)nsec;
}

kern_return_t
semaphore_signal_trap(mach_port_name_t signal_name)
{
	return mxp_trap4(MXP_OP_SEMA_SIGNAL, signal_name, 0, 0, 0, 0);
}

kern_return_t
semaphore_signal_all_trap(mach_port_name_t signal_name)
{
	return mxp_trap4(MXP_OP_SEMA_SIGNAL_ALL, signal_name, 0, 0, 0, 0);
}

kern_return_t
semaphore_signal_thread_trap(mach_port_name_t signal_name,
    mach_port_name_t thread_name)
{
	return mxp_trap4(MXP_OP_SEMA_SIGNAL_THREAD, signal_name, thread_name,
	    0, 0, 0);
}

kern_return_t
semaphore_wait_trap(mach_port_name_t wait_name)
{
	return mxp_trap4(MXP_OP_SEMA_WAIT, wait_name, 0, 0, 0, 1);
}

kern_return_t
semaphore_wait_signal_trap(mach_port_name_t wait_name,
    mach_port_name_t signal_name)
{
	return mxp_trap4(MXP_OP_SEMA_WAIT_SIGNAL, wait_name, signal_name, 0, 0, 1);
}

kern_return_t
semaphore_timedwait_trap(mach_port_name_t wait_name, unsigned int sec,
    clock_res_t nsec)
{
	return mxp_trap4(MXP_OP_SEMA_TIMEDWAIT, wait_name, sec, nsec_arg(nsec),
	    0, 1);
}

kern_return_t
semaphore_timedwait_signal_trap(mach_port_name_t wait_name,
    mach_port_name_t signal_name, unsigned int sec, clock_res_t nsec)
{
	return mxp_trap4(MXP_OP_SEMA_TIMEDWAIT_SIGNAL, wait_name, signal_name,
	    sec, nsec_arg(nsec), 1);
}

kern_return_t
semaphore_signal(semaphore_t semaphore)
{
	return semaphore_signal_trap(semaphore);
}

kern_return_t
semaphore_signal_all(semaphore_t semaphore)
{
	return semaphore_signal_all_trap(semaphore);
}

kern_return_t
semaphore_signal_thread(semaphore_t semaphore, thread_t thread)
{
	return semaphore_signal_thread_trap(semaphore, thread);
}

kern_return_t
semaphore_wait(semaphore_t semaphore)
{
	return semaphore_wait_trap(semaphore);
}

kern_return_t
semaphore_timedwait(semaphore_t semaphore, mach_timespec_t wait_time)
{
	return semaphore_timedwait_trap(semaphore, wait_time.tv_sec,
	    wait_time.tv_nsec);
}

kern_return_t
semaphore_wait_signal(semaphore_t wait_semaphore, semaphore_t signal_semaphore)
{
	return semaphore_wait_signal_trap(wait_semaphore, signal_semaphore);
}

kern_return_t
semaphore_timedwait_signal(semaphore_t wait_semaphore,
    semaphore_t signal_semaphore, mach_timespec_t wait_time)
{
	return semaphore_timedwait_signal_trap(wait_semaphore, signal_semaphore,
	    wait_time.tv_sec, wait_time.tv_nsec);
}
