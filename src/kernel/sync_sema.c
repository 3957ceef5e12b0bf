/*
 * sync_sema.c -- semaphores: creation and destruction (MIG routines on the
 * task port, task.c), and the traps signal / wait, which park a thread
 * until a signal hands the semaphore to it.  Rules: spec 7.4.
 */
#include <mach/sync_policy.h>

#include "sync_sema.h"
#include "ipc_kobject.h"
#include "ipc_port.h"
#include "ipc_right.h"
#include "machd_server.h"
#include "kalloc.h"
#include "task.h"

kern_return_t
semaphore_create_internal(struct task *task, int policy, int value, struct semaphore **semp)
{
	struct semaphore *sem;
	kern_return_t kr;

	if (value < 0 || (policy & ~SYNC_POLICY_USER_MASK))
		return KERN_INVALID_ARGUMENT;
	sem = kalloc(KA_SEMAPHORE, sizeof(*sem));
	if (sem == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = ipc_kobject_alloc_port(sem, IKOT_SEMAPHORE, &sem->sema_port);
	if (kr != KERN_SUCCESS) {
		kfree(KA_SEMAPHORE, sem);
		return kr;
	}
	sem->sema_count = value;
	sem->sema_policy = policy;
	sem->sema_active = true;
	waitq_init(&sem->sema_waiters);
	sem->sema_owner = task;
	sem->sema_task_next = task->t_semaphores;
	if (task->t_semaphores)
		task->t_semaphores->sema_task_prev = sem;
	task->t_semaphores = sem;
	*semp = sem;
	return KERN_SUCCESS;
}

static void
semaphore_unlink(struct semaphore *sem)
{
	struct task *task = sem->sema_owner;

	if (task == NULL)
		return;
	if (sem->sema_task_prev)
		sem->sema_task_prev->sema_task_next = sem->sema_task_next;
	else
		task->t_semaphores = sem->sema_task_next;
	if (sem->sema_task_next)
		sem->sema_task_next->sema_task_prev = sem->sema_task_prev;
	sem->sema_owner = NULL;
}

/* Free the memory once it is both destroyed and unreachable. */
static void
semaphore_free_if_done(struct semaphore *sem)
{
	if (sem->sema_active || sem->sema_port != IP_NULL)
		return;
	kfree(KA_SEMAPHORE, sem);
}

static void semaphore_release_port(struct semaphore *sem);

void
semaphore_destroy_internal(struct semaphore *sem)
{
	if (!sem->sema_active)
		return;
	sem->sema_active = false;
	semaphore_unlink(sem);
	waitq_wakeup_all(&sem->sema_waiters, THREAD_RESTART);
	if (sem->sema_port != IP_NULL && sem->sema_port->ip_srights == 0)
		semaphore_release_port(sem);   /* nobody can name it any more */
	semaphore_free_if_done(sem);
}

static void
semaphore_release_port(struct semaphore *sem)
{
	ipc_port_t port = sem->sema_port;

	sem->sema_port = IP_NULL;
	ipc_kobject_dealloc_port(port);
}

void
semaphore_destroy_all(struct task *task)
{
	while (task->t_semaphores != NULL)
		semaphore_destroy_internal(task->t_semaphores);
}

/*
 * The last send right is gone.  As in XNU, the owner's list holds no
 * reference: nobody can name the semaphore any more, so it is destroyed
 * (waiters, if any, see KERN_TERMINATED) and freed with its port.
 */
void
semaphore_no_senders(ipc_port_t port)
{
	struct semaphore *sem = port->ip_kobject;

	if (sem->sema_active) {
		semaphore_destroy_internal(sem);   /* releases the port and frees */
		return;
	}
	semaphore_release_port(sem);
	semaphore_free_if_done(sem);
}

uint64_t
semaphore_count(void)
{
	return kalloc_live(KA_SEMAPHORE);
}

/* Name -> semaphore for the traps (spec 7.4 "name translation"). */
static kern_return_t
semaphore_translate(struct thread *thread, uint64_t raw, struct semaphore **semp)
{
	struct ipc_space *space = thread->th_task->itk_space;
	mach_port_name_t name = (mach_port_name_t)raw;
	ipc_entry_t entry;
	ipc_port_t port;
	kern_return_t kr;

	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_NAME;
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	if (!(entry->ie_bits & MACH_PORT_TYPE_SEND))
		return KERN_INVALID_RIGHT;
	port = (ipc_port_t)entry->ie_object;
	if (port->ip_kotype != IKOT_SEMAPHORE)
		return KERN_INVALID_CAPABILITY;
	*semp = port->ip_kobject;
	return KERN_SUCCESS;
}

/* Signal: hand the semaphore to the first waiter, else count it. */
static kern_return_t
semaphore_signal_internal(struct semaphore *sem, bool all, bool thread_only)
{
	if (!sem->sema_active)
		return KERN_TERMINATED;
	if (waitq_empty(&sem->sema_waiters)) {
		if (thread_only)
			return KERN_NOT_WAITING;
		if (!all)
			sem->sema_count++;
		return KERN_SUCCESS;
	}
	if (all) {
		waitq_wakeup_all(&sem->sema_waiters, THREAD_AWAKENED);
		sem->sema_count = 0;
	} else {
		thread_wakeup(waitq_first(&sem->sema_waiters), THREAD_AWAKENED);
	}
	return KERN_SUCCESS;
}

static void
semaphore_wait_continue(struct thread *thread, enum wait_result wr)
{
	kern_return_t kr;

	switch (wr) {
	case THREAD_AWAKENED:    kr = KERN_SUCCESS; break;
	case THREAD_TIMED_OUT:   kr = KERN_OPERATION_TIMED_OUT; break;
	case THREAD_INTERRUPTED: kr = KERN_ABORTED; break;
	default:                 kr = KERN_TERMINATED; break;
	}
	thread_reply(thread, kr, 0, NULL, NULL, 0);
}

/* Wait with timeout_ms (-1: forever, 0: poll). Replies or parks. */
static void
semaphore_wait_internal(struct thread *thread, struct semaphore *sem, int64_t timeout_ms)
{
	if (!sem->sema_active) {
		thread_reply(thread, KERN_TERMINATED, 0, NULL, NULL, 0);
		return;
	}
	if (sem->sema_count > 0) {
		sem->sema_count--;
		thread_reply(thread, KERN_SUCCESS, 0, NULL, NULL, 0);
		return;
	}
	if (timeout_ms == 0) {
		thread_reply(thread, KERN_OPERATION_TIMED_OUT, 0, NULL, NULL, 0);
		return;
	}
	thread->th_wait_object = sem;
	thread_block(thread, &sem->sema_waiters, timeout_ms, semaphore_wait_continue);
}

void
semaphore_trap(struct thread *thread, const struct mxp_req *req)
{
	struct semaphore *wait_sem = NULL, *signal_sem = NULL;
	int64_t timeout = -1;
	uint64_t sec = 0, nsec = 0;
	kern_return_t kr = KERN_SUCCESS;

	/* A bad timespec is refused before the names are looked at (XNU). */
	if ((req->op == MXP_OP_SEMA_TIMEDWAIT && (uint32_t)req->a[2] >= 1000000000u) ||
	    (req->op == MXP_OP_SEMA_TIMEDWAIT_SIGNAL && (uint32_t)req->a[3] >= 1000000000u)) {
		thread_reply(thread, KERN_INVALID_VALUE, 0, NULL, NULL, 0);
		return;
	}
	switch (req->op) {
	case MXP_OP_SEMA_SIGNAL:
	case MXP_OP_SEMA_SIGNAL_ALL:
		kr = semaphore_translate(thread, req->a[0], &signal_sem);
		if (kr == KERN_SUCCESS)
			kr = semaphore_signal_internal(signal_sem, req->op == MXP_OP_SEMA_SIGNAL_ALL, false);
		break;
	case MXP_OP_SEMA_SIGNAL_THREAD:
		kr = semaphore_translate(thread, req->a[0], &signal_sem);
		/* No thread ports yet: only THREAD_NULL ("any waiter") is known. */
		if (kr == KERN_SUCCESS && (mach_port_name_t)req->a[1] != MACH_PORT_NULL)
			kr = KERN_INVALID_ARGUMENT;
		if (kr == KERN_SUCCESS)
			kr = semaphore_signal_internal(signal_sem, false, true);
		break;
	case MXP_OP_SEMA_WAIT:
	case MXP_OP_SEMA_TIMEDWAIT:
		kr = semaphore_translate(thread, req->a[0], &wait_sem);
		sec = req->a[1];
		nsec = req->a[2];
		break;
	case MXP_OP_SEMA_WAIT_SIGNAL:
	case MXP_OP_SEMA_TIMEDWAIT_SIGNAL:
		kr = semaphore_translate(thread, req->a[0], &wait_sem);
		if (kr == KERN_SUCCESS)
			kr = semaphore_translate(thread, req->a[1], &signal_sem);
		sec = req->a[2];
		nsec = req->a[3];
		break;
	default:
		kr = KERN_INVALID_ARGUMENT;
		break;
	}
	if (kr != KERN_SUCCESS || wait_sem == NULL) {
		thread_reply(thread, kr, 0, NULL, NULL, 0);
		return;
	}
	if (req->op == MXP_OP_SEMA_TIMEDWAIT || req->op == MXP_OP_SEMA_TIMEDWAIT_SIGNAL) {
		timeout = (int64_t)((uint32_t)sec) * 1000 + (int64_t)(((uint32_t)nsec + 999999u) / 1000000u);
	}
	if (signal_sem != NULL) {
		kr = semaphore_signal_internal(signal_sem, false, false);
		if (kr != KERN_SUCCESS) {
			thread_reply(thread, kr, 0, NULL, NULL, 0);
			return;
		}
	}
	semaphore_wait_internal(thread, wait_sem, timeout);
}
