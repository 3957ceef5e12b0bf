/*
 * mig_support.c -- what MIG-generated client code needs from the system
 * library (XNU libsyscall mig_reply_port.c, mig_strncpy.c, mig_allocate),
 * plus mig_rpc(), the one send-and-check path every libmach stub uses.
 *
 * mig_rpc() follows what MIG's user stubs do after mach_msg (spec 7.3):
 * reply id must be request id + 100 (71 = the server destroyed the reply
 * right: MIG_SERVER_DIED), then either the expected success shape or a
 * 36-byte mig_reply_error_t with a non-zero RetCode; anything else is
 * MIG_TYPE_ERROR.  A reply that fails the check is destroyed.
 */
#include <string.h>

#include <mach/mach.h>
#include <mach/notify.h>

#include "libmach_internal.h"

/* NDR_record itself is in src/common/ndr.c, shared with machd. */

/* --- the per-thread reply port ------------------------------------------- */

/* gen: mxp_generation() when allocated; an older one is forgotten. */
static __thread struct {
	mach_port_t     port;
	unsigned        gen;
} tls_reply;

static mach_port_t
reply_port_cached(void)
{
	if (tls_reply.gen != mxp_generation())
		tls_reply.port = MACH_PORT_NULL;
	return tls_reply.port;
}

mach_port_t
mig_get_reply_port(void)
{
	mach_port_t port = reply_port_cached();

	if (port == MACH_PORT_NULL) {
		port = mach_reply_port();
		tls_reply.port = port;
		tls_reply.gen = mxp_generation();
	}
	return port;
}

/*
 * Destroy a reply port's receive right with mach_port_mod_refs(RECEIVE,
 * -1) sent without a reply port of its own: a normal MIG call would have
 * to allocate a fresh reply port (libsyscall uses a trap here instead).
 * The kernel discards the reply of a request that has none.
 */
static void
reply_port_destroy(mach_port_t port)
{
	mig_msg_t m;

	m.sreq.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.sreq.Head.msgh_size = MIG_SIMPLE_REQ_SIZE(3);
	m.sreq.Head.msgh_remote_port = mach_task_self_;
	m.sreq.Head.msgh_local_port = MACH_PORT_NULL;
	m.sreq.Head.msgh_voucher_port = MACH_PORT_NULL;
	m.sreq.Head.msgh_id = 3208;     /* mach_port_mod_refs */
	m.sreq.NDR = NDR_record;
	m.sreq.arg[0] = port;
	m.sreq.arg[1] = MACH_PORT_RIGHT_RECEIVE;
	m.sreq.arg[2] = (uint32_t)-1;
	(void)mach_msg(&m.sreq.Head, MACH_SEND_MSG, MIG_SIMPLE_REQ_SIZE(3), 0,
	    MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

/* After a failed RPC the reply port may hold a stray reply: replace it. */
void
mig_dealloc_reply_port(mach_port_t migport)
{
	mach_port_t port = reply_port_cached();

	if (port == MACH_PORT_NULL)
		return;
	tls_reply.port = MACH_PORT_NULL;
	reply_port_destroy(port);
	if (migport != port)
		(void)mach_port_deallocate(mach_task_self_, migport);
}

void
mig_put_reply_port(mach_port_t reply_port)
{
	(void)reply_port;
}

/* Called by mach_init.c while the exiting thread's channel still works. */
void
mig_reply_port_thread_exit(void)
{
	mach_port_t port = reply_port_cached();

	tls_reply.port = MACH_PORT_NULL;
	if (port != MACH_PORT_NULL)
		reply_port_destroy(port);
}

/* --- strings and memory ----------------------------------------------------- */

/*
 * Copy at most len - 1 characters and always terminate; returns the
 * number of bytes written including the NUL (len if truncated).
 */
int
mig_strncpy(char *dest, const char *src, int len)
{
	int i;

	if (len <= 0)
		return 0;
	for (i = 1; i < len; i++) {
		if ((*dest++ = *src++) == '\0')
			return i;
	}
	*dest = '\0';
	return i;
}

/* mig_strncpy that also zeroes the rest of dest (no stack bytes leak). */
int
mig_strncpy_zerofill(char *dest, const char *src, int len)
{
	int i, retval = 0;
	int done = src == NULL;

	if (len <= 0 || dest == NULL)
		return 0;
	for (i = 1; i < len; i++) {
		if (done) {
			*dest++ = '\0';
		} else if ((*dest++ = *src++) == '\0') {
			retval = i;
			done = 1;
		}
	}
	*dest = '\0';
	return done ? retval : i;
}

void
mig_allocate(vm_address_t *addr, vm_size_t size)
{
	if (vm_allocate(mach_task_self_, addr, size, VM_FLAGS_ANYWHERE) !=
	    KERN_SUCCESS)
		*addr = 0;
}

void
mig_deallocate(vm_address_t addr, vm_size_t size)
{
	(void)vm_deallocate(mach_task_self_, addr, size);
}

/* --- argument helpers ------------------------------------------------------- */

void
mig_put64(uint32_t *slot, uint64_t v)
{
	memcpy(slot, &v, sizeof(v));
}

uint64_t
mig_get64(const uint32_t *slot)
{
	uint64_t v;

	memcpy(&v, slot, sizeof(v));
	return v;
}

void
mig_set_port(mig_port_req_t *req, mach_port_t name, mach_msg_type_name_t disp)
{
	req->Head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	req->body.msgh_descriptor_count = 1;
	req->port.name = name;
	req->port.pad1 = 0;
	req->port.pad2 = 0;
	req->port.disposition = disp;
	req->port.type = MACH_MSG_PORT_DESCRIPTOR;
	req->NDR = NDR_record;
}

/* --- the RPC ------------------------------------------------------------------ */

/*
 * A send error: MIG's rule (__MachMsgErrorWithoutTimeout) keeps the reply
 * port after errors that happen before the message is taken
 * (INVALID_DATA / DEST / HEADER) and replaces it after any other error,
 * since a reply may still arrive on it.  As current MIG does, a request
 * refused for its destination (or timed out) is destroyed as if sent, so
 * rights the caller moved into it are not leaked.
 */
static void
mig_send_failed(mach_msg_header_t *h, mach_port_t reply, mach_msg_return_t mr)
{
	if (mr == MACH_SEND_INVALID_DEST || mr == MACH_SEND_TIMED_OUT)
		mach_msg_destroy(h);
	switch (mr) {
	case MACH_SEND_INVALID_DATA:
	case MACH_SEND_INVALID_DEST:
	case MACH_SEND_INVALID_HEADER:
		mig_put_reply_port(reply);
		break;
	default:
		mig_dealloc_reply_port(reply);
		break;
	}
}

static kern_return_t
mig_check_simple(const mig_msg_t *m, const struct mig_shape *s)
{
	mach_msg_size_t size = m->Head.msgh_size;

	if (m->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX)
		return MIG_TYPE_ERROR;
	if ((size < s->min_size || size > s->max_size) &&
	    (size != sizeof(mig_reply_error_t) || m->err.RetCode == KERN_SUCCESS))
		return MIG_TYPE_ERROR;
	return m->err.RetCode;
}

static kern_return_t
mig_check_port(const mig_msg_t *m, const struct mig_shape *s)
{
	const mig_port_rep_t *r = &m->prep;

	if (!(m->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX)) {
		/* Failure replies of such routines are simple, 36 bytes. */
		if (m->Head.msgh_size == sizeof(mig_reply_error_t) &&
		    m->err.RetCode != KERN_SUCCESS)
			return m->err.RetCode;
		return MIG_TYPE_ERROR;
	}
	if (m->Head.msgh_size != s->min_size || r->body.msgh_descriptor_count != 1)
		return MIG_TYPE_ERROR;
	if (r->port.type != MACH_MSG_PORT_DESCRIPTOR ||
	    (s->disp != 0 && r->port.disposition != s->disp))
		return MIG_TYPE_ERROR;
	return KERN_SUCCESS;
}

/* Out-of-line arrays: complex, exact size, the descriptors all OOL. */
static kern_return_t
mig_check_ool(const mig_msg_t *m, const struct mig_shape *s)
{
	const uint8_t *d = (const uint8_t *)m + sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t);
	unsigned i;

	if (!(m->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return (m->Head.msgh_size == sizeof(mig_reply_error_t) &&
		    m->err.RetCode != KERN_SUCCESS) ? m->err.RetCode : MIG_TYPE_ERROR;
	if (m->Head.msgh_size != s->min_size || m->prep.body.msgh_descriptor_count != s->ools)
		return MIG_TYPE_ERROR;
	for (i = 0; i < s->ools; i++)
		if (d[16 * i + 11] != MACH_MSG_OOL_DESCRIPTOR)
			return MIG_TYPE_ERROR;
	return KERN_SUCCESS;
}

static kern_return_t
mig_check_reply(const mig_msg_t *m, mach_msg_id_t id, const struct mig_shape *s)
{
	if (m->Head.msgh_id != id + 100)
		return m->Head.msgh_id == MACH_NOTIFY_SEND_ONCE ?
		    MIG_SERVER_DIED : MIG_REPLY_MISMATCH;
	if (s->ools > 0)
		return mig_check_ool(m, s);
	return s->ports == 0 ? mig_check_simple(m, s) : mig_check_port(m, s);
}

kern_return_t
mig_rpc(mach_port_t dest, void *msg, mach_msg_size_t send_size,
    mach_msg_size_t rcv_max, mach_msg_id_t id, const struct mig_shape *shape)
{
	mach_msg_header_t *h = msg;
	mach_port_t reply = mig_get_reply_port();
	mach_msg_return_t mr;

	h->msgh_bits = (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) |
	    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	h->msgh_size = send_size;
	h->msgh_remote_port = dest;
	h->msgh_local_port = reply;
	h->msgh_voucher_port = MACH_PORT_NULL;
	h->msgh_id = id;
	mr = mach_msg(h, MACH_SEND_MSG | MACH_RCV_MSG, send_size, rcv_max, reply,
	    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS) {
		mig_send_failed(h, reply, mr);
		return mr;
	}
	mr = mig_check_reply(msg, id, shape);
	if (mr != KERN_SUCCESS)
		mach_msg_destroy(h);
	return mr;
}

kern_return_t
mig_call(mach_port_t dest, mig_msg_t *m, mach_msg_size_t send_size,
    mach_msg_id_t id, const struct mig_shape *shape)
{
	return mig_rpc(dest, m, send_size, (mach_msg_size_t)sizeof(*m), id, shape);
}
