/*
 * ipc_pset.h -- port sets.
 *
 * A set has a name (urefs 0) in one space, a receiver wait queue and a list
 * of links, one per member port.  A port may belong to several sets; each
 * membership is one struct ipc_pset_link, on the port's list and on the
 * set's list.  A link is "preposted" (on the set's prepost list) while its
 * port has messages: a receive on the set takes the first message of the
 * first preposted member and moves that member to the back (spec 6.2).
 *
 * Invariants:
 *  - link on ips_prepost  <=>  its port's queue is not empty.
 *  - every link holds one reference on its port and its set.
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_PSET_H
#define MACHD_IPC_PSET_H

#include "ipc_object.h"
#include "thread.h"

struct ipc_pset_link {
	ipc_port_t            ipl_port;
	ipc_pset_t            ipl_pset;
	struct ipc_pset_link *ipl_port_next;   /* port's list */
	struct ipc_pset_link *ipl_set_next;    /* set's member list */
	struct ipc_pset_link *ipl_set_prev;
	struct ipc_pset_link *ipl_pp_next;     /* set's prepost list */
	struct ipc_pset_link *ipl_pp_prev;
	bool                  ipl_preposted;
};

struct ipc_pset {
	struct ipc_object     ips_object;
	struct ipc_space     *ips_space;
	mach_port_name_t      ips_name;
	struct ipc_pset_link *ips_members;
	struct ipc_pset_link *ips_pp_first;
	struct ipc_pset_link *ips_pp_last;
	struct waitq          ips_receivers;
};

kern_return_t ipc_pset_alloc_object(ipc_pset_t *psetp);
void ipc_pset_destroy(ipc_pset_t pset);          /* members stay; waiters get PORT_CHANGED */
bool ipc_pset_member(ipc_pset_t pset, ipc_port_t port);
kern_return_t ipc_pset_add(ipc_pset_t pset, ipc_port_t port);   /* KERN_ALREADY_IN_SET */
kern_return_t ipc_pset_remove(ipc_pset_t pset, ipc_port_t port);/* KERN_NOT_IN_SET */
kern_return_t ipc_pset_remove_from_all(ipc_port_t port);       /* KERN_NOT_IN_SET if none */
/* The port's queue became non-empty / empty. */
void ipc_pset_prepost(ipc_port_t port);
void ipc_pset_unprepost(ipc_port_t port);
/* The member port to receive from next, or IP_NULL. Rotates the list. */
ipc_port_t ipc_pset_select(ipc_pset_t pset);
/* First thread waiting on any set `port` belongs to, or NULL. */
struct thread *ipc_pset_first_receiver(ipc_port_t port);
/* Names of members in `space` (mach_port_get_set_status). */
uint32_t ipc_pset_member_count(ipc_pset_t pset);

#endif /* MACHD_IPC_PSET_H */
