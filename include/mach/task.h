/*
 * <mach/task.h> -- routines of the task (MIG subsystem "task", 3400).
 *
 * Prototypes follow the MIG client interface XNU generates from
 * osfmk/mach/task.defs; only the routines machxfer serves are declared
 * (msgh_id 3409, 3410, 3418, 3419; spec/mach-ipc.md 7.4 and 7.5).
 */
#ifndef _task_user_
#define _task_user_

#include <mach/ndr.h>
#include <mach/kern_return.h>
#include <mach/notify.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/port.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

/* which_port is one of the TASK_*_PORT numbers of <mach/task_special_ports.h>. */
extern kern_return_t task_get_special_port(task_inspect_t task,
    int which_port, mach_port_t *special_port);
extern kern_return_t task_set_special_port(task_t task,
    int which_port, mach_port_t special_port);

/* policy: SYNC_POLICY_FIFO or SYNC_POLICY_LIFO; value >= 0. */
extern kern_return_t semaphore_create(task_t task, semaphore_t *semaphore,
    int policy, int value);
/* Consumes the caller's send right to the semaphore. */
extern kern_return_t semaphore_destroy(task_t task, semaphore_t semaphore);

__END_DECLS

#endif /* _task_user_ */
