/*
 * task.c -- task creation and death, special ports and their inheritance,
 * and the `task` MIG subsystem (3400): task_get_special_port,
 * task_set_special_port, semaphore_create, semaphore_destroy.
 */
#include <string.h>
#include <unistd.h>

#include <mach/mig_errors.h>
#include <mach/sync_policy.h>

#include "task.h"
#include "ipc_space.h"
#include "ipc_right.h"
#include "ipc_port.h"
#include "ipc_kmsg.h"
#include "sync_sema.h"
#include "kalloc.h"
#include "thread.h"

#define TASK_HASH_SIZE 1024u

ipc_port_t host_special_bootstrap = IP_NULL;

static struct task *task_hash[TASK_HASH_SIZE];
static uint64_t task_serial, task_pidversion;

static uint32_t
task_hash_index(pid_t pid)
{
	return (uint32_t)pid % TASK_HASH_SIZE;
}

struct task *
task_lookup_pid(pid_t pid)
{
	struct task *t;

	for (t = task_hash[task_hash_index(pid)]; t != NULL; t = t->t_hash_next)
		if (t->t_pid == pid && t->t_active)
			return t;
	return NULL;
}

struct task *
task_any(void)
{
	uint32_t i;

	for (i = 0; i < TASK_HASH_SIZE; i++)
		if (task_hash[i] != NULL)
			return task_hash[i];
	return NULL;
}

uint64_t
task_count(void)
{
	return kalloc_live(KA_TASK);
}

static void
task_hash_remove(struct task *task)
{
	struct task **pp = &task_hash[task_hash_index(task->t_pid)];

	while (*pp != NULL && *pp != task)
		pp = &(*pp)->t_hash_next;
	if (*pp)
		*pp = task->t_hash_next;
}

/* Audit token layout (spec 5.2 of peers-and-perf): auid, euid, egid,
 * ruid, rgid, pid, asid, pidversion. */
static void
task_set_identity(struct task *task)
{
	pid_t sid = getsid(task->t_pid);

	task->t_audit.val[0] = task->t_uid;
	task->t_audit.val[1] = task->t_uid;
	task->t_audit.val[2] = task->t_gid;
	task->t_audit.val[3] = task->t_uid;
	task->t_audit.val[4] = task->t_gid;
	task->t_audit.val[5] = (unsigned int)task->t_pid;
	task->t_audit.val[6] = sid < 0 ? 0 : (unsigned int)sid;
	task->t_audit.val[7] = (unsigned int)task->t_pidversion;
	task->t_sec.val[0] = task->t_uid;
	task->t_sec.val[1] = task->t_gid;
}

kern_return_t
task_create(pid_t pid, int pidfd, uid_t uid, gid_t gid, struct task *parent,
    struct task **taskp)
{
	struct task *task;
	ipc_port_t self_send;
	kern_return_t kr;
	uint32_t i;

	*taskp = NULL;
	task = kalloc(KA_TASK, sizeof(*task));
	if (task == NULL)
		return KERN_RESOURCE_SHORTAGE;
	task->t_pid = pid;
	task->t_pidfd = pidfd;
	task->t_uid = uid;
	task->t_gid = gid;
	task->t_pidversion = ++task_pidversion;
	task->t_serial = ++task_serial;
	task->t_active = true;
	task_set_identity(task);
	task->t_ledger = ipc_ledger_create();
	if (task->t_ledger == NULL) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto fail_free;
	}
	kr = ipc_space_create(task, &task->itk_space);
	if (kr != KERN_SUCCESS)
		goto fail_ledger;
	kr = ipc_kobject_alloc_port(task, IKOT_TASK, &task->itk_self);
	if (kr != KERN_SUCCESS)
		goto fail_space;
	self_send = ipc_port_make_send(task->itk_self);
	kr = ipc_object_copyout(task->itk_space, self_send, MACH_MSG_TYPE_PORT_SEND,
	    &task->t_self_name);
	if (kr != KERN_SUCCESS) {
		ipc_port_release_send(self_send);
		goto fail_port;
	}
	if (parent != NULL) {
		for (i = 0; i <= TASK_MAX_SPECIAL_PORT; i++)
			if (IP_VALID(parent->itk_special[i]))
				task->itk_special[i] = ipc_port_copy_send(parent->itk_special[i]);
	} else if (IP_VALID(host_special_bootstrap)) {
		task->itk_special[TASK_BOOTSTRAP_PORT] = ipc_port_copy_send(host_special_bootstrap);
	}
	task->t_token = ((uint64_t)task->t_pidversion << 32) ^ ((uint64_t)(uintptr_t)task >> 4)
	    ^ 0x6d61636878666572ull;
	task->t_hash_next = task_hash[task_hash_index(pid)];
	task_hash[task_hash_index(pid)] = task;
	*taskp = task;
	return KERN_SUCCESS;

fail_port:
	ipc_kobject_dealloc_port(task->itk_self);
fail_space:
	ipc_space_terminate(task->itk_space);
fail_ledger:
	ipc_ledger_release(task->t_ledger);
fail_free:
	kfree(KA_TASK, task);
	return kr;
}

void
task_thread_attach(struct task *task, struct thread *thread)
{
	thread->th_task = task;
	thread->th_task_prev = NULL;
	thread->th_task_next = task->t_threads;
	if (task->t_threads)
		task->t_threads->th_task_prev = thread;
	task->t_threads = thread;
}

void
task_thread_detach(struct thread *thread)
{
	struct task *task = thread->th_task;

	if (task == NULL)
		return;
	if (thread->th_task_prev)
		thread->th_task_prev->th_task_next = thread->th_task_next;
	else
		task->t_threads = thread->th_task_next;
	if (thread->th_task_next)
		thread->th_task_next->th_task_prev = thread->th_task_prev;
	thread->th_task = NULL;
}

void
task_terminate(struct task *task)
{
	uint32_t i;

	if (!task->t_active)
		return;
	task->t_active = false;
	task_hash_remove(task);
	/* Threads of a dead task are already gone or about to be: their
	 * channels are closed by the server; detach what is left. */
	while (task->t_threads != NULL)
		task_thread_detach(task->t_threads);
	ipc_space_terminate(task->itk_space);
	task->itk_space = NULL;
	for (i = 0; i <= TASK_MAX_SPECIAL_PORT; i++) {
		if (IP_VALID(task->itk_special[i]))
			ipc_port_release_send(task->itk_special[i]);
		task->itk_special[i] = IP_NULL;
	}
	semaphore_destroy_all(task);
	ipc_kobject_dealloc_port(task->itk_self);
	task->itk_self = IP_NULL;
	if (task->t_pidfd >= 0)
		close(task->t_pidfd);
	task->t_pidfd = -1;
	ipc_ledger_release(task->t_ledger);
	task->t_ledger = NULL;
}

void
task_free(struct task *task)
{
	kfree(KA_TASK, task);
}

/* --- the task subsystem ---------------------------------------------------- */

static kern_return_t
task_get_special_port_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	struct task *task = ipc_kobject_task(target);
	int32_t which = (int32_t)mig_arg32(args, 0);
	ipc_port_t port;

	(void)req;
	if (task == NULL || !task->t_active)
		return KERN_INVALID_ARGUMENT;
	if (which < 1 || which > TASK_MAX_SPECIAL_PORT)
		return KERN_INVALID_ARGUMENT;
	if (which == TASK_KERNEL_PORT)
		port = ipc_port_make_send(task->itk_self);
	else if (IP_VALID(task->itk_special[which]))
		port = ipc_port_copy_send(task->itk_special[which]);
	else
		port = IP_NULL;
	rep->desc_count = 1;
	rep->port[0] = port;
	rep->port_type[0] = MACH_MSG_TYPE_PORT_SEND;
	return KERN_SUCCESS;
}

static kern_return_t
task_set_special_port_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	struct task *task = ipc_kobject_task(target);
	int32_t which = (int32_t)mig_arg32(args, 0);
	struct ipc_kmsg_desc *d = &req->ikm_dsc[0];
	ipc_port_t old;

	(void)rep;
	if (task == NULL || !task->t_active)
		return KERN_INVALID_ARGUMENT;
	/* XNU: the control and host ports only with SIP off (never here);
	 * the access port only once; name/inspect/read are not settable. */
	if (which == TASK_KERNEL_PORT || which == TASK_HOST_PORT)
		return KERN_NO_ACCESS;
	if (which != TASK_BOOTSTRAP_PORT && which != TASK_ACCESS_PORT &&
	    which != TASK_DEBUG_CONTROL_PORT && which != TASK_RESOURCE_NOTIFY_PORT)
		return KERN_INVALID_ARGUMENT;
	if (which == TASK_ACCESS_PORT && IP_VALID(task->itk_special[which]))
		return KERN_NO_ACCESS;
	if (d->disposition != MACH_MSG_TYPE_PORT_SEND && d->port != IP_NULL && d->port != IP_DEAD)
		return KERN_INVALID_ARGUMENT;
	old = task->itk_special[which];
	task->itk_special[which] = IP_VALID(d->port) ? d->port : IP_NULL;
	d->port = IP_NULL;                       /* the task owns it now */
	if (which == TASK_BOOTSTRAP_PORT && task->t_privileged) {
		/* The init task (launchd) sets every later orphan's bootstrap. */
		if (IP_VALID(host_special_bootstrap))
			ipc_port_release_send(host_special_bootstrap);
		host_special_bootstrap = IP_VALID(task->itk_special[which])
		    ? ipc_port_copy_send(task->itk_special[which]) : IP_NULL;
	}
	if (IP_VALID(old))
		ipc_port_release_send(old);
	return KERN_SUCCESS;
}

static kern_return_t
semaphore_create_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	struct task *task = ipc_kobject_task(target);
	struct semaphore *sem;
	kern_return_t kr;

	(void)req;
	if (task == NULL || !task->t_active)
		return KERN_INVALID_TASK;
	kr = semaphore_create_internal(task, (int32_t)mig_arg32(args, 0), (int32_t)mig_arg32(args, 1), &sem);
	if (kr != KERN_SUCCESS)
		return kr;
	rep->desc_count = 1;
	rep->port[0] = ipc_port_make_send(sem->sema_port);
	rep->port_type[0] = MACH_MSG_TYPE_PORT_SEND;
	return KERN_SUCCESS;
}

static kern_return_t
semaphore_destroy_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	struct task *task = ipc_kobject_task(target);
	ipc_port_t port = req->ikm_dsc[0].port;
	struct semaphore *sem;

	(void)args;
	(void)rep;
	if (task == NULL || !task->t_active)
		return KERN_INVALID_TASK;
	if (!IP_VALID(port) || port->ip_kotype != IKOT_SEMAPHORE || port->ip_kobject == NULL)
		return KERN_INVALID_ARGUMENT;
	sem = port->ip_kobject;
	/* Another task's semaphore: only the right is consumed (spec 7.4);
	 * the server releases it with the rest of the body. */
	if (sem->sema_owner == task)
		semaphore_destroy_internal(sem);
	return KERN_SUCCESS;
}

static const struct mig_routine task_routines[] = {
	{ 3409, "task_get_special_port", task_get_special_port_impl, 4, 4, 0 },
	{ 3410, "task_set_special_port", task_set_special_port_impl, 4, 4, 1 },
	{ 3418, "semaphore_create",      semaphore_create_impl,      8, 8, 0 },
	{ 3419, "semaphore_destroy",     semaphore_destroy_impl,     0, 0, 1 },
};

const struct mig_subsystem task_subsystem = {
	"task", 3400, 3464, task_routines, sizeof(task_routines) / sizeof(task_routines[0]),
};
