/*
 * ipc_kobject.h -- kernel objects behind ports, and MIG dispatch.
 *
 * A kobject port's receive right belongs to the kernel: ip_kotype says
 * what ip_kobject points to (a task, a semaphore).  A message sent to such
 * a port is not queued; after full copyin it is handed to
 * ipc_kobject_server inside the sender's mach_msg (spec 7.1), which finds
 * the MIG routine by msgh_id alone in one hash built at start-up from
 * every subsystem table (spec 7.2), type-checks the request, runs the
 * routine and sends the reply (id + 100) to the request's reply right.
 *
 * Ownership (spec 7.3): a routine returning KERN_SUCCESS owns the rights in
 * the request's descriptors (it sets each one it keeps to IP_NULL; the
 * server releases what is left); on any other code the server destroys
 * the request body exactly once and replies with mig_reply_error_t.
 */
#ifndef MACHD_IPC_KOBJECT_H
#define MACHD_IPC_KOBJECT_H

#include "ipc_types.h"

enum ipc_kobject_type {
	IKOT_NONE = 0,
	IKOT_TASK = 1,
	IKOT_SEMAPHORE = 2,
	IKOT_HOST = 3,
	IKOT_HOST_PRIV = 4,
};

/* The reply a routine builds: scalar outputs after NDR (and RetCode for
 * simple replies), or, for a complex reply, up to two descriptors: port
 * rights (desc_type 0) or out-of-line arrays (MACH_MSG_OOL_DESCRIPTOR,
 * a sealed memfd of ool_size bytes). */
#define MIG_REPLY_BODY_MAX 128
struct mig_reply {
	uint32_t             size;                  /* bytes of out[] */
	uint8_t              out[MIG_REPLY_BODY_MAX];
	uint32_t             desc_count;            /* > 0: complex reply */
	uint8_t              desc_type[2];
	ipc_port_t           port[2];
	mach_msg_type_name_t port_type[2];          /* as held: 16/17/18 */
	int                  ool_fd[2];
	uint32_t             ool_size[2];
};

/* Add an out-of-line array to a reply; false if it could not be made. */
bool mig_reply_add_ool(struct mig_reply *rep, const void *data, uint32_t size);
/* Release what a reply holds (error paths). */
void mig_reply_discard(struct mig_reply *rep);

struct ipc_kmsg;
typedef kern_return_t (*mig_impl_t)(ipc_port_t target, struct ipc_kmsg *request,
    const uint8_t *args, struct mig_reply *reply);

struct mig_routine {
	mach_msg_id_t  id;
	const char    *name;
	mig_impl_t     impl;
	uint32_t       args_min;     /* bytes after NDR (simple) or descriptors + NDR */
	uint32_t       args_max;
	uint8_t        ports_in;     /* port descriptors the request must carry */
};

struct mig_subsystem {
	const char               *name;
	mach_msg_id_t             start;
	mach_msg_id_t             end;      /* exclusive */
	const struct mig_routine *routines;
	uint32_t                  count;
};

/* Build the dispatch hash from the subsystems; false (after printing
 * why) on a duplicate id, an id outside its subsystem or a full table. */
bool mig_init(const struct mig_subsystem *const *subsystems, size_t count);
const struct mig_routine *mig_lookup(mach_msg_id_t id);

/* Run the request (consumed) and queue the reply. */
void ipc_kobject_server(struct ipc_kmsg *request);

/* A kobject port lost its last send right / died. */
void ipc_kobject_no_senders(ipc_port_t port);
void ipc_kobject_port_died(ipc_port_t port);

/* A new kernel-owned port for `object`, with one reference for the caller. */
kern_return_t ipc_kobject_alloc_port(void *object, enum ipc_kobject_type type,
    ipc_port_t *portp);
/* The kernel gives up the object: the port dies (holders see dead names). */
void ipc_kobject_dealloc_port(ipc_port_t port);

/* The task of a task port (NULL for anything else). */
struct task *ipc_kobject_task(ipc_port_t port);

/* Routine arguments (after the NDR record) and scalar outputs; the
 * request's size was checked against the routine's bounds already. */
static inline uint32_t
mig_arg32(const uint8_t *args, uint32_t i)
{
	uint32_t v;
	__builtin_memcpy(&v, args + 4 * i, 4);
	return v;
}

static inline uint64_t
mig_arg64(const uint8_t *args, uint32_t byte_off)
{
	uint64_t v;
	__builtin_memcpy(&v, args + byte_off, 8);
	return v;
}

static inline void
mig_out32(struct mig_reply *rep, uint32_t v)
{
	__builtin_memcpy(rep->out + rep->size, &v, 4);
	rep->size += 4;
}

static inline void
mig_out64(struct mig_reply *rep, uint64_t v)
{
	__builtin_memcpy(rep->out + rep->size, &v, 8);
	rep->size += 8;
}

#endif /* MACHD_IPC_KOBJECT_H */
