/*
 * <mach/mach_traps.h> -- the Mach traps libmach provides.
 *
 * Prototypes follow the user-space part of XNU osfmk/mach/mach_traps.h;
 * only the traps machxfer implements are declared (trap numbers in
 * spec/mach-constants.tsv, semantics in spec/mach-ipc.md 7.4).
 */
#ifndef _MACH_MACH_TRAPS_H_
#define _MACH_MACH_TRAPS_H_

#include <stdint.h>
#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/kern_return.h>
#include <mach/port.h>
#include <mach/message.h>
#include <mach/clock_types.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

extern mach_port_name_t mach_reply_port(void);
extern mach_port_name_t thread_self_trap(void);
extern mach_port_name_t task_self_trap(void);
extern mach_port_name_t host_self_trap(void);

extern mach_msg_return_t mach_msg_trap(
	mach_msg_header_t *msg,
	mach_msg_option_t option,
	mach_msg_size_t send_size,
	mach_msg_size_t rcv_size,
	mach_port_name_t rcv_name,
	mach_msg_timeout_t timeout,
	mach_port_name_t notify);

extern mach_msg_return_t mach_msg_overwrite_trap(
	mach_msg_header_t *msg,
	mach_msg_option_t option,
	mach_msg_size_t send_size,
	mach_msg_size_t rcv_size,
	mach_port_name_t rcv_name,
	mach_msg_timeout_t timeout,
	mach_msg_priority_t priority,
	mach_msg_header_t *rcv_msg,
	mach_msg_size_t rcv_limit);

extern kern_return_t semaphore_signal_trap(mach_port_name_t signal_name);
extern kern_return_t semaphore_signal_all_trap(mach_port_name_t signal_name);
extern kern_return_t semaphore_signal_thread_trap(mach_port_name_t signal_name,
    mach_port_name_t thread_name);
extern kern_return_t semaphore_wait_trap(mach_port_name_t wait_name);
extern kern_return_t semaphore_wait_signal_trap(mach_port_name_t wait_name,
    mach_port_name_t signal_name);
extern kern_return_t semaphore_timedwait_trap(mach_port_name_t wait_name,
    unsigned int sec, clock_res_t nsec);
extern kern_return_t semaphore_timedwait_signal_trap(mach_port_name_t wait_name,
    mach_port_name_t signal_name, unsigned int sec, clock_res_t nsec);

__END_DECLS

#endif /* _MACH_MACH_TRAPS_H_ */
