/*
 * task.h -- a Mach task: one Linux process, its name space, its special
 * ports and its threads (channels).
 *
 * Identity comes from the kernel only: t_pid from SO_PEERCRED at connect,
 * t_pidfd from SO_PEERPIDFD (or pidfd_open), t_uid/t_gid likewise; the audit
 * token stamped into every message this task sends is built from these
 * and from t_pidversion, a machd counter that defeats pid reuse.
 *
 * Invariants:
 *  - t_active: the process lives and the task accepts calls; cleared
 *    once, by task_terminate (pidfd readable, or exec replaced it).
 *  - itk_self is the task's kobject port (kernel holds its receive right
 *    and one reference); itk_special[] are send rights held by the kernel.
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_TASK_H
#define MACHD_TASK_H

#include <sys/types.h>

#include <mach/task_special_ports.h>

#include "ipc_types.h"
#include "ipc_kobject.h"

struct task {
	pid_t              t_pid;
	int                t_pidfd;
	uid_t              t_uid;
	gid_t              t_gid;
	uint64_t           t_pidversion;
	uint64_t           t_token;          /* threads of the same image present it */
	bool               t_active;
	bool               t_privileged;     /* the init task machd spawned (launchd) */
	audit_token_t      t_audit;
	security_token_t   t_sec;
	struct ipc_space  *itk_space;
	ipc_port_t         itk_self;
	mach_port_name_t   t_self_name;      /* name of the send right in itk_space */
	ipc_port_t         itk_special[TASK_MAX_SPECIAL_PORT + 1];
	struct thread     *t_threads;
	struct semaphore  *t_semaphores;
	struct ipc_ledger *t_ledger;         /* bytes of its messages the kernel holds */
	struct task       *t_hash_next;
	uint64_t           t_serial;
};

/* Default special ports for tasks whose parent is not a task (the host's).
 * Only the privileged init task can change the bootstrap one. */
extern ipc_port_t host_special_bootstrap;

/*
 * Create the task of process `pid` with its space, task port and a send
 * right named t_self_name; special ports are copied from `parent` (a fork
 * or exec'd image), else from the host defaults.
 */
kern_return_t task_create(pid_t pid, int pidfd, uid_t uid, gid_t gid,
    struct task *parent, struct task **taskp);
/* The process died (or exec'd into a new task): XNU's task death.  The
 * memory stays until task_free, so events already read can still look. */
void task_terminate(struct task *task);
void task_free(struct task *task);
struct task *task_lookup_pid(pid_t pid);
/* Some live task, or NULL (shutdown). */
struct task *task_any(void);
uint64_t task_count(void);

void task_thread_attach(struct task *task, struct thread *thread);
void task_thread_detach(struct thread *thread);

/* The MIG subsystem `task` (3400): special ports and semaphores. */
extern const struct mig_subsystem task_subsystem;

#endif /* MACHD_TASK_H */
