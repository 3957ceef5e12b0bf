/*
 * ipc_types.h -- forward declarations of machd's kernel objects.
 *
 * As in XNU's osfmk/ipc/ipc_types.h, every object is known by a pointer
 * typedef and a *_NULL constant, so headers can name each other's objects
 * without include cycles.  Spaces, tasks, threads and semaphores are named
 * as `struct ipc_space *`, `struct task *` ...: the user headers already
 * define ipc_space_t, task_t and semaphore_t as port names, and machd
 * includes them.
 *
 * Concurrency: machd runs its whole kernel on one thread, the event loop
 * (machd_server.c).  "The kernel lock" in the comments of the object headers
 * means exactly that: every field of every object is read and written only
 * from the event loop, so no routine here blocks and none takes a lock.  A
 * Mach thread that must wait (receive, full queue, semaphore) is a record
 * (struct thread) parked on a wait queue, never a blocked OS thread.
 */
#ifndef MACHD_IPC_TYPES_H
#define MACHD_IPC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mach/message.h>
#include <mach/port.h>
#include <mach/kern_return.h>

typedef struct ipc_object  *ipc_object_t;
typedef struct ipc_port    *ipc_port_t;
typedef struct ipc_pset    *ipc_pset_t;
typedef struct ipc_entry   *ipc_entry_t;
typedef struct ipc_kmsg    *ipc_kmsg_t;
typedef struct ipc_mqueue  *ipc_mqueue_t;

struct ipc_space;
struct task;
struct thread;
struct semaphore;

#define IO_NULL     ((ipc_object_t)0)
#define IP_NULL     ((ipc_port_t)0)
#define IP_DEAD     ((ipc_port_t)~(uintptr_t)0)
#define IP_VALID(p) ((p) != IP_NULL && (p) != IP_DEAD)
#define IPS_NULL    ((ipc_pset_t)0)
#define IE_NULL     ((ipc_entry_t)0)
#define IKM_NULL    ((ipc_kmsg_t)0)

#endif /* MACHD_IPC_TYPES_H */
