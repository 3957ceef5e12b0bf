/*
 * sync_sema.h -- Mach semaphores (spec 7.4).
 *
 * A semaphore is owned by the task that created it and is destroyed with
 * it (or by semaphore_destroy from the owner).  Its kobject port lives
 * while send rights exist; a destroyed semaphore keeps its port, and every
 * trap on it returns KERN_TERMINATED.  sema_count < 0 never happens here:
 * waiters are the threads parked on sema_waiters.
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_SYNC_SEMA_H
#define MACHD_SYNC_SEMA_H

#include "ipc_types.h"
#include "thread.h"

struct semaphore {
	int32_t            sema_count;
	int32_t            sema_policy;
	bool               sema_active;
	struct waitq       sema_waiters;
	struct task       *sema_owner;
	struct semaphore  *sema_task_next;
	struct semaphore  *sema_task_prev;
	ipc_port_t         sema_port;
};

kern_return_t semaphore_create_internal(struct task *task, int policy, int value,
    struct semaphore **semp);
/* Destroy (owner) or just drop the caller's right (others). */
void semaphore_destroy_internal(struct semaphore *sem);
/* Task death: destroy everything it owns. */
void semaphore_destroy_all(struct task *task);
/* The semaphore port lost its last send right. */
void semaphore_no_senders(ipc_port_t port);

/* Traps (MXP_OP_SEMA_*): either reply now or park the thread. */
void semaphore_trap(struct thread *thread, const struct mxp_req *req);

uint64_t semaphore_count(void);

#endif /* MACHD_SYNC_SEMA_H */
