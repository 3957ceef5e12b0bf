/*
 * ipc_right.h -- rights in name spaces: lookup, lazy dead-name conversion,
 * copyin and copyout of each disposition, deallocation, destruction, user
 * reference arithmetic and dead-name requests (spec 3.4, 4.3, 5.2-5.5).
 *
 * Reference rule: every entry that names a port or set holds one reference
 * on it; every right carried in a kmsg or held by the kernel holds one.
 * Entry bits and port counters change together, in one routine, so that
 * ip_srights / ip_sorights are exact at every return.
 * Who may call: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_RIGHT_H
#define MACHD_IPC_RIGHT_H

#include "ipc_space.h"
#include "ipc_port.h"

/* ipc_right_copyin flags */
#define IPC_COPYIN_DEADOK              0x1u  /* dead rights copy in as IP_DEAD */
#define IPC_COPYIN_ALLOW_DEAD_SONCE    0x2u  /* dest: dead send-once w/o request ok */

/* Convert an entry whose port died into a dead name (spec 5.4).  Returns
 * true if it did (the entry then holds DEAD_NAME, no object). */
bool ipc_right_check(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry);

/* Look up `name` and convert it if its port died; KERN_INVALID_NAME. */
kern_return_t ipc_right_lookup(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t *entryp);

/* mach_port_type / get_refs. */
kern_return_t ipc_right_info(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry, mach_port_type_t *typep, mach_port_urefs_t *urefsp);

kern_return_t ipc_right_dealloc(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry);
kern_return_t ipc_right_destroy(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry);
kern_return_t ipc_right_delta(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry, mach_port_right_t right, mach_port_delta_t delta);
kern_return_t ipc_right_destruct(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry, mach_port_delta_t srdelta, uint64_t guard);
/* Space death: destroy the right under `name` without touching the table. */
void ipc_right_terminate(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry);

/* Would ipc_right_copyin succeed?  (header reply validation, spec 3.3) */
bool ipc_right_copyin_check_reply(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry, mach_msg_type_name_t msgt_name);

/*
 * Take a right out of `space` as disposition `msgt_name` (16..21).
 * On success *portp holds the right (IP_DEAD for a dead right when
 * IPC_COPYIN_DEADOK), with one reference.  KERN_INVALID_RIGHT if the entry
 * does not allow it (nothing changed, except that a dead port may have been
 * converted to a dead name), KERN_INVALID_CAPABILITY for a dead port
 * without DEADOK.
 */
kern_return_t ipc_right_copyin(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry, mach_msg_type_name_t msgt_name, uint32_t flags,
    ipc_port_t *portp);

/* Look up and copy in; KERN_INVALID_NAME for an unknown name. */
kern_return_t ipc_object_copyin(struct ipc_space *space, mach_port_name_t name,
    mach_msg_type_name_t msgt_name, uint32_t flags, ipc_port_t *portp);

/*
 * Give the right `port` of type `msgt_name` (16, 17, 18; as held in a
 * kmsg) to `space`, coalescing send and receive rights onto an existing
 * name (spec 5.2).  IP_NULL / IP_DEAD copy out as MACH_PORT_NULL / DEAD; a
 * dead port's right is released and copies out as MACH_PORT_DEAD.
 * KERN_NO_SPACE / KERN_RESOURCE_SHORTAGE / KERN_INVALID_TASK: the right is
 * still the caller's.
 */
kern_return_t ipc_object_copyout(struct ipc_space *space, ipc_port_t port,
    mach_msg_type_name_t msgt_name, mach_port_name_t *namep);
/* As ipc_object_copyout, under a caller-chosen name (insert_right). */
kern_return_t ipc_object_copyout_name(struct ipc_space *space, ipc_port_t port,
    mach_msg_type_name_t msgt_name, mach_port_name_t name);

/* Release a right held in a kmsg or by the kernel, as message destruction
 * does (spec 5.5): send released, send-once notified, receive destroyed. */
void ipc_object_destroy(ipc_port_t port, mach_msg_type_name_t msgt_name);

/* Dead-name / send-possible requests on `name` (mach_port_request_notification). */
kern_return_t ipc_right_request_alloc(struct ipc_space *space, mach_port_name_t name,
    bool send_possible, bool armed, ipc_port_t notify, ipc_port_t *previousp);

/* Saturating uref arithmetic (spec 5.3). */
static inline uint32_t
ipc_urefs_inc(uint32_t bits)
{
	return ie_bits_urefs(bits) == MACH_PORT_UREFS_MAX ? bits : bits + 1;
}

#endif /* MACHD_IPC_RIGHT_H */
