/*
 * ipc_notify.c -- building and sending the kernel's notifications
 * (spec 2.8, 5.7, Appendix B).  Each is a kmsg whose destination is the
 * send-once right the requester supplied, sent with kernel privileges.
 */
#include <string.h>

#include <mach/ndr.h>
#include <mach/notify.h>

#include "ipc_notify.h"
#include "ipc_kmsg.h"
#include "ipc_port.h"
#include "ipc_mqueue.h"
#include "ipc_trace.h"

const security_token_t KERNEL_SECURITY_TOKEN_K = { { 0, 1 } };
const audit_token_t KERNEL_AUDIT_TOKEN_K = { { 0, 0, 0, 0, 0, 0, 0, 0 } };

ipc_kmsg_t
ipc_kmsg_kernel_alloc(ipc_port_t dest, mach_msg_type_name_t dest_type,
    mach_msg_id_t id, const void *body, uint32_t body_size)
{
	ipc_kmsg_t kmsg = ipc_kmsg_alloc(0, body_size);

	if (kmsg == IKM_NULL)
		return IKM_NULL;
	kmsg->ikm_bits = MACH_MSGH_BITS(dest_type, 0);
	kmsg->ikm_remote = dest;
	kmsg->ikm_id = id;
	kmsg->ikm_kernel = true;
	kmsg->ikm_sender = KERNEL_SECURITY_TOKEN_K;
	kmsg->ikm_audit = KERNEL_AUDIT_TOKEN_K;
	if (body_size)
		memcpy(kmsg->ikm_body, body, body_size);
	return kmsg;
}

/* Send a notification with an NDR record and one 32-bit argument. */
static void
notify_simple(ipc_port_t soright, mach_msg_id_t id, uint32_t arg)
{
	struct { NDR_record_t ndr; uint32_t arg; } body;
	ipc_kmsg_t kmsg;

	body.ndr = NDR_record;
	body.arg = arg;
	kmsg = ipc_kmsg_kernel_alloc(soright, MACH_MSG_TYPE_PORT_SEND_ONCE, id,
	    &body, (uint32_t)sizeof(body));
	if (kmsg == IKM_NULL) {
		/* No memory: the right is released without a message. */
		ipc_port_release_sonce(soright);
		return;
	}
	ipc_trace_notify(id, soright, arg);
	ipc_mqueue_send_always(kmsg);
}

void
ipc_notify_port_deleted(ipc_port_t soright, mach_port_name_t name)
{
	notify_simple(soright, MACH_NOTIFY_PORT_DELETED, name);
}

void
ipc_notify_dead_name(ipc_port_t soright, mach_port_name_t name)
{
	notify_simple(soright, MACH_NOTIFY_DEAD_NAME, name);
}

void
ipc_notify_no_senders(ipc_port_t soright, mach_port_mscount_t mscount)
{
	notify_simple(soright, MACH_NOTIFY_NO_SENDERS, mscount);
}

void
ipc_notify_send_once_and_release(ipc_port_t port)
{
	ipc_kmsg_t kmsg;

	if (!ip_active(port) || ip_is_kobject(port) ||
	    port->ip_messages.imq_msgcount >= MACH_PORT_QLIMIT_KERNEL) {
		ipc_port_release_sonce(port);
		return;
	}
	kmsg = ipc_kmsg_kernel_alloc(port, MACH_MSG_TYPE_PORT_SEND_ONCE,
	    MACH_NOTIFY_SEND_ONCE, NULL, 0);
	if (kmsg == IKM_NULL) {
		ipc_port_release_sonce(port);
		return;
	}
	ipc_trace_notify(MACH_NOTIFY_SEND_ONCE, port, 0);
	ipc_mqueue_send_always(kmsg);
}

void
ipc_notify_port_destroyed(ipc_port_t soright, ipc_port_t port)
{
	ipc_kmsg_t kmsg = ipc_kmsg_alloc(1, 0);

	if (kmsg == IKM_NULL) {
		/* Cannot carry the right anywhere: the port dies instead. */
		ipc_port_release_sonce(soright);
		ipc_port_destroy(port);
		return;
	}
	kmsg->ikm_bits = MACH_MSGH_BITS_COMPLEX |
	    MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	kmsg->ikm_remote = soright;
	kmsg->ikm_id = MACH_NOTIFY_PORT_DESTROYED;
	kmsg->ikm_kernel = true;
	kmsg->ikm_sender = KERNEL_SECURITY_TOKEN_K;
	kmsg->ikm_audit = KERNEL_AUDIT_TOKEN_K;
	kmsg->ikm_dsc[0].type = MACH_MSG_PORT_DESCRIPTOR;
	kmsg->ikm_dsc[0].disposition = MACH_MSG_TYPE_PORT_RECEIVE;
	kmsg->ikm_dsc[0].port = port;
	/* A port destroyed "into itself" (or into a chain that leads back to
	 * it) would never be freed: the message is circular (spec 4.5). */
	if (ip_active(soright) && ipc_port_check_circularity(port, soright))
		kmsg->ikm_circular = true;
	ipc_trace_notify(MACH_NOTIFY_PORT_DESTROYED, soright, 0);
	if (kmsg->ikm_circular) {
		ipc_kmsg_destroy(kmsg);
		return;
	}
	ipc_mqueue_send_always(kmsg);
}

bool
ipc_notify_send_possible(ipc_port_t port, mach_port_name_t name, uint32_t index, bool sonce)
{
	ipc_port_t soright;

	if (!ipc_port_request_armed(port, index))
		return false;
	if (!sonce && !ip_is_kobject(port) &&
	    port->ip_messages.imq_msgcount >= port->ip_messages.imq_qlimit)
		return false;             /* waits for the next dequeue */
	soright = ipc_port_request_cancel(port, name, index);
	if (soright != IP_NULL)
		ipc_notify_send_possible_fire(soright, name);
	return true;
}

void
ipc_notify_send_possible_fire(ipc_port_t soright, mach_port_name_t name)
{
	notify_simple(soright, MACH_NOTIFY_SEND_POSSIBLE, name);
}
