/*
 * ipc_notify.h -- kernel-originated notifications (spec 2.8, 5.7).
 *
 * Each one is a simple routine sent to a send-once right the requester
 * gave, consuming that right; it bypasses the queue limit and is dropped
 * only when the target queue holds MACH_PORT_QLIMIT_KERNEL messages or
 * the target port is dead or a kernel port.  The sender tokens are the
 * kernel's ({0,1}, all-zero audit token), which is how receivers
 * authenticate notifications.
 */
#ifndef MACHD_IPC_NOTIFY_H
#define MACHD_IPC_NOTIFY_H

#include "ipc_types.h"

void ipc_notify_port_deleted(ipc_port_t soright, mach_port_name_t name);
void ipc_notify_dead_name(ipc_port_t soright, mach_port_name_t name);
void ipc_notify_no_senders(ipc_port_t soright, mach_port_mscount_t mscount);
/* Carries the receive right of `port` (held nakedly, one reference). */
void ipc_notify_port_destroyed(ipc_port_t soright, ipc_port_t port);
/* The send-once right `port` is destroyed unused. */
void ipc_notify_send_once_and_release(ipc_port_t port);
/* A send-possible request was just registered on `port` for `name`:
 * fire it now if it is armed and a send could not block (a send-once
 * name, a kernel port, room in the queue).  true: fired, request gone. */
bool ipc_notify_send_possible(ipc_port_t port, mach_port_name_t name, uint32_t index,
    bool sonce);
/* Send the MACH_NOTIFY_SEND_POSSIBLE message itself. */
void ipc_notify_send_possible_fire(ipc_port_t soright, mach_port_name_t name);

/* A kernel-built simple message: header fields as held plus body bytes. */
ipc_kmsg_t ipc_kmsg_kernel_alloc(ipc_port_t dest, mach_msg_type_name_t dest_type,
    mach_msg_id_t id, const void *body, uint32_t body_size);

extern const security_token_t KERNEL_SECURITY_TOKEN_K;
extern const audit_token_t KERNEL_AUDIT_TOKEN_K;

#endif /* MACHD_IPC_NOTIFY_H */
