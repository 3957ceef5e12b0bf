/*
 * mach_msg.c -- mach_msg() and its relatives: the message trap over the
 * machd channel, the library wrappers with XNU libsyscall's interrupt
 * handling, mach_msg_destroy() and the generic MIG server loops
 * (mach_msg_server_once / mach_msg_server), all with libsyscall's
 * semantics (spec 1.6, 6.5-6.7).
 *
 * The message travels as the request payload straight from the caller's
 * buffer, and a received message lands straight in the receive buffer
 * (machd_proto.h, MXP_OP_MACH_MSG): no intermediate copy in the common
 * cases.
 */
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mach/mach.h>

#include "libmach_internal.h"
#include "mach_msg_ool.h"
#include "memfd_sealed.h"

/* Options the library implements itself; the kernel never sees them. */
#define LIBMACH_OPTIONS (MACH_SEND_INTERRUPT | MACH_RCV_INTERRUPT)

/* --- the trap --------------------------------------------------------------- */

/* One mach_msg trap: what goes out, and where the reply payload lands. */
struct msg_call {
	mach_msg_header_t   *msg;       /* send buffer */
	mach_msg_header_t   *rbuf;      /* receive buffer */
	mach_msg_size_t     send_size;  /* 0 unless sending */
	mach_msg_size_t     rcv_size;   /* 0 unless receiving */
	void                *land;      /* where recvmsg writes the payload */
	uint32_t            land_len;
	void                *scratch;   /* malloc'd landing area, if any */
};

/*
 * Pick the landing area.  A received message belongs in the receive
 * buffer, a pseudo-received one (failed send, spec 6.7) in the send
 * buffer, and which one comes back is only known after recvmsg; so land
 * in a buffer valid for both sizes.  Only distinct buffers with a send
 * larger than the receive limit need a bounce buffer.
 */
static mach_msg_return_t
msg_landing(struct msg_call *c)
{
	if (c->send_size == 0) {
		c->land = c->rbuf;
		c->land_len = c->rcv_size;
	} else if (c->rbuf == c->msg) {
		c->land = c->msg;
		c->land_len = c->send_size > c->rcv_size ? c->send_size : c->rcv_size;
	} else if (c->send_size <= c->rcv_size) {
		c->land = c->rbuf;
		c->land_len = c->rcv_size;
	} else {
		c->scratch = malloc(c->send_size);
		if (c->scratch == NULL)
			return MACH_SEND_NO_BUFFER;
		c->land = c->scratch;
		c->land_len = c->send_size;
	}
	return MACH_MSG_SUCCESS;
}

static void
store32(void *base, size_t off, uint64_t v)
{
	uint32_t w = (uint32_t)v;

	memcpy((char *)base + off, &w, sizeof(w));
}

/* Put the reply where its flags say; nothing else is written. */
static void
msg_deliver(const struct msg_call *c, const struct mxp_rep *rep)
{
	uint32_t len = rep->len;

	if ((rep->flags & MXP_REP_TO_RCVBUF) && c->land != c->rbuf)
		memmove(c->rbuf, c->land, len < c->rcv_size ? len : c->rcv_size);
	if ((rep->flags & MXP_REP_TO_SENDBUF) && c->land != c->msg)
		memmove(c->msg, c->land, len < c->send_size ? len : c->send_size);
	if ((rep->flags & MXP_REP_LARGE_SIZE) && c->rcv_size >= 8)
		store32(c->rbuf, offsetof(mach_msg_header_t, msgh_size), rep->v[0]);
	if ((rep->flags & MXP_REP_LARGE_NAME) && c->rcv_size >= 16)
		store32(c->rbuf, offsetof(mach_msg_header_t, msgh_local_port), rep->v[1]);
}

#define IPC_KMSG_MAX_BODY_SPACE_USER 50331580u   /* 64 MiB * 3/4 - 68 */

/* The message bytes as they go out: the rewritten head of a message with
 * out-of-line regions (mach_msg_ool.c), then the rest from the caller. */
static void
msg_payload(struct mxp_out *out, const mach_msg_header_t *msg, uint32_t size,
    const struct ool_send *ool)
{
	uint32_t head = ool != NULL ? ool->head_len : 0;

	out->niov = 0;
	if (head > 0) {
		out->iov[out->niov].iov_base = ool->head;
		out->iov[out->niov++].iov_len = head;
	}
	if (size > head) {
		out->iov[out->niov].iov_base = (char *)(uintptr_t)msg + head;
		out->iov[out->niov++].iov_len = size - head;
	}
}

/* Seal the message in a memfd for the request (machd_proto.h); this is
 * the one copy Mach's copyin would make.  The memfd replaces the payload
 * and goes first among the fds. */
static mach_msg_return_t
msg_big_prepare(struct mxp_out *out, int *fds)
{
	int fd = memfd_create_sealed_iov(out->iov, out->niov);

	if (fd < 0)        /* a fault reading the message, or no memory */
		return errno == EFAULT ? MACH_SEND_INVALID_DATA : MACH_SEND_NO_BUFFER;
	fds[0] = fd;
	out->niov = 0;
	return MACH_MSG_SUCCESS;
}

/* A reply too large for a datagram came as the first memfd: read it
 * where the payload would have landed.  Without it (we were out of fds)
 * the message is lost, as on a fault writing the receive buffer. */
static mach_msg_return_t
msg_big_land(struct msg_call *c, struct mxp_rep *rep, mach_msg_return_t mr)
{
	uint64_t len = rep->v[5];
	size_t done = 0;
	int i;

	if (libmach_rcv_nfds == 0) {
		rep->flags = 0;
		return MACH_RCV_INVALID_DATA;
	}
	if (len > c->land_len)
		len = c->land_len;
	while (done < len) {
		ssize_t n = pread(libmach_rcv_fds[0], (char *)c->land + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(libmach_rcv_fds[0]);
	for (i = 1; i < libmach_rcv_nfds; i++)
		libmach_rcv_fds[i - 1] = libmach_rcv_fds[i];
	libmach_rcv_nfds--;
	rep->len = (uint32_t)done;
	return mr;
}

/* Out-of-line memory of the message just delivered (spec 6.6). */
static mach_msg_return_t
msg_deliver_ool(const struct msg_call *c, const struct mxp_rep *rep, mach_msg_return_t mr)
{
	mach_msg_header_t *m;
	uint32_t limit;

	if (!(rep->flags & MXP_REP_OOL)) {
		libmach_rcv_fds_close();
		return mr;
	}
	m = (rep->flags & MXP_REP_TO_SENDBUF) ? c->msg : c->rbuf;
	limit = (rep->flags & MXP_REP_TO_SENDBUF) ? c->send_size : c->rcv_size;
	mr |= ool_receive_map(m, rep->len < limit ? rep->len : limit);
	return mr;
}

/*
 * The trap.  `interruptible`: a signal makes machd end the wait early with
 * MACH_SEND_INTERRUPTED / MACH_RCV_INTERRUPTED; otherwise signals are
 * ignored here (the macOS wrapper would just retry).
 */
static mach_msg_return_t
msg_trap(mach_msg_header_t *msg, mach_msg_option_t option,
    mach_msg_size_t send_size, mach_msg_size_t rcv_size,
    mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
    mach_msg_priority_t priority, mach_msg_header_t *rcv_msg, int interruptible)
{
	struct msg_call c = { .msg = msg, .rbuf = msg };
	struct ool_send *ool = NULL;
	struct mxp_out out = { .niov = 0 };
	int fds[MXP_FDS_MAX], nfds = 0;
	struct mxp_req req;
	struct mxp_rep rep = { .op = 0 };
	mach_msg_return_t mr;

	if (option & MACH_SEND_MSG) {
		/* XNU's first check (spec 3.1 step 1), before reading a byte. */
		if (send_size > IPC_KMSG_MAX_BODY_SPACE_USER)
			return MACH_SEND_TOO_LARGE;
		c.send_size = send_size;
	}
	if (option & MACH_RCV_MSG) {
		c.rcv_size = rcv_size;
		if (rcv_msg != NULL)
			c.rbuf = rcv_msg;
	}
	mr = msg_landing(&c);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_MACH_MSG;
	req.a[0] = (uint32_t)option;
	req.a[1] = send_size;
	req.a[2] = rcv_size;
	req.a[3] = rcv_name;
	req.a[4] = timeout;
	req.a[5] = priority;
	req.a[6] = (uintptr_t)c.rbuf;
	if (c.send_size > 0) {
		ool = ool_send_prepare(msg, c.send_size);
		msg_payload(&out, msg, c.send_size, ool);
	}
	if (c.send_size > MXP_PAYLOAD_MAX) {
		/* Larger than a datagram: the bytes go sealed in a memfd. */
		mr = msg_big_prepare(&out, fds);
		if (mr != MACH_MSG_SUCCESS) {
			ool_send_finish(ool, mr, &rep);
			free(c.scratch);
			return mr;
		}
		nfds = 1;
	}
	if (ool != NULL) {
		memcpy(fds + nfds, ool->fds, sizeof(int) * (size_t)ool->nfds);
		nfds += ool->nfds;
	}
	out.fds = fds;
	out.nfds = nfds;
	mr = mxp_call_out(&req, &out, &rep, c.land, c.land_len, interruptible);
	if (c.send_size > MXP_PAYLOAD_MAX)
		close(fds[0]);
	if (mr != MXP_KR_UNREACHABLE && (rep.flags & MXP_REP_BIG))
		mr = msg_big_land(&c, &rep, mr);
	if (mr == MXP_KR_UNREACHABLE)
		mr = (option & MACH_SEND_MSG) ? MACH_SEND_INVALID_DEST : MACH_RCV_INVALID_NAME;
	else {
		msg_deliver(&c, &rep);
		mr = msg_deliver_ool(&c, &rep, mr);
	}
	ool_send_finish(ool, mr, &rep);
	free(c.scratch);
	return mr;
}

/* The raw traps: every signal interrupts them, as the kernel's do. */
mach_msg_return_t
mach_msg_trap(mach_msg_header_t *msg, mach_msg_option_t option,
    mach_msg_size_t send_size, mach_msg_size_t rcv_size,
    mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
    mach_port_name_t notify)
{
	return msg_trap(msg, option, send_size, rcv_size, rcv_name, timeout,
	    notify, NULL, 1);
}

mach_msg_return_t
mach_msg_overwrite_trap(mach_msg_header_t *msg, mach_msg_option_t option,
    mach_msg_size_t send_size, mach_msg_size_t rcv_size,
    mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
    mach_msg_priority_t priority, mach_msg_header_t *rcv_msg,
    mach_msg_size_t rcv_limit)
{
	(void)rcv_limit;        /* the old scatter size: unused, as on macOS */
	return msg_trap(msg, option, send_size, rcv_size, rcv_name, timeout,
	    priority, rcv_msg, 1);
}

/* --- the library wrappers -------------------------------------------------- */

/* After an interrupted receive, libsyscall retries the receive alone. */
static mach_msg_option_t
options_after_interruption(mach_msg_option_t option)
{
	if ((option & MACH_SEND_MSG) && (option & MACH_RCV_MSG))
		option &= ~MACH_RCV_SYNC_WAIT;
	return option & ~(LIBMACH_OPTIONS | MACH_SEND_MSG);
}

/*
 * libsyscall's loop: retry an interrupted half unless the caller asked to
 * see interruptions.  We only make the wait interruptible when one of the
 * INTERRUPT options is set, so without them the loops never spin.
 */
mach_msg_return_t
mach_msg_overwrite(mach_msg_header_t *msg, mach_msg_option_t option,
    mach_msg_size_t send_size, mach_msg_size_t rcv_size,
    mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
    mach_port_name_t notify, mach_msg_header_t *rcv_msg,
    mach_msg_size_t rcv_limit)
{
	int intr = (option & LIBMACH_OPTIONS) != 0;
	mach_msg_return_t mr;

	(void)rcv_limit;
	mr = msg_trap(msg, option & ~LIBMACH_OPTIONS, send_size, rcv_size,
	    rcv_name, timeout, notify, rcv_msg, intr);
	if (mr == MACH_MSG_SUCCESS)
		return mr;
	if (!(option & MACH_SEND_INTERRUPT)) {
		while (mr == MACH_SEND_INTERRUPTED)
			mr = msg_trap(msg, option & ~LIBMACH_OPTIONS, send_size,
			    rcv_size, rcv_name, timeout, notify, rcv_msg, intr);
	}
	if (!(option & MACH_RCV_INTERRUPT)) {
		while (mr == MACH_RCV_INTERRUPTED)
			mr = msg_trap(msg, options_after_interruption(option), 0,
			    rcv_size, rcv_name, timeout, notify, rcv_msg, intr);
	}
	return mr;
}

mach_msg_return_t
mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
    mach_msg_size_t send_size, mach_msg_size_t rcv_size,
    mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
    mach_port_name_t notify)
{
	return mach_msg_overwrite(msg, option, send_size, rcv_size, rcv_name,
	    timeout, notify, NULL, 0);
}

/* msgh_size is the size to send. */
mach_msg_return_t
mach_msg_send(mach_msg_header_t *msg)
{
	return mach_msg(msg, MACH_SEND_MSG, msg->msgh_size, 0, MACH_PORT_NULL,
	    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

/* msgh_size is the buffer size, msgh_local_port where to receive. */
mach_msg_return_t
mach_msg_receive(mach_msg_header_t *msg)
{
	return mach_msg(msg, MACH_RCV_MSG, 0, msg->msgh_size,
	    msg->msgh_local_port, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

/* --- mach_msg_destroy -------------------------------------------------------- */

/* Release one right of a message, by the disposition it carries. */
void
libmach_destroy_right(mach_port_t port, mach_msg_type_name_t type)
{
	mach_port_t self = mach_task_self_;

	if (!MACH_PORT_VALID(port))
		return;
	switch (type) {
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		(void)mach_port_deallocate(self, port);
		break;
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		(void)mach_port_mod_refs(self, port, MACH_PORT_RIGHT_RECEIVE, -1);
		break;
	case MACH_MSG_TYPE_MAKE_SEND:
		/* As if sent: make the send right, then drop it. */
		(void)mach_port_insert_right(self, port, port, MACH_MSG_TYPE_MAKE_SEND);
		(void)mach_port_deallocate(self, port);
		break;
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		(void)mach_port_extract_right(self, port,
		    MACH_MSG_TYPE_MAKE_SEND_ONCE, &port, &type);
		(void)mach_port_deallocate(self, port);
		break;
	default:
		break;  /* COPY_SEND and the rest hold nothing of the message's */
	}
}

static void
destroy_ool_ports(const mach_msg_ool_ports_descriptor_t *d)
{
	const mach_port_t *ports = d->address;
	mach_msg_type_number_t i;

	for (i = 0; ports != NULL && i < d->count; i++)
		libmach_destroy_right(ports[i], d->disposition);
	if (d->deallocate && d->count != 0)
		(void)vm_deallocate(mach_task_self_, (vm_address_t)d->address,
		    d->count * sizeof(mach_port_t));
}

/* Release one descriptor's contents; returns its size, 0 if unknown. */
static size_t
destroy_descriptor(const mach_msg_descriptor_t *d)
{
	switch (d->type.type) {
	case MACH_MSG_PORT_DESCRIPTOR:
		libmach_destroy_right(d->port.name, d->port.disposition);
		return sizeof(mach_msg_port_descriptor_t);
	case MACH_MSG_OOL_DESCRIPTOR:
		if (d->out_of_line.deallocate && d->out_of_line.size != 0)
			(void)vm_deallocate(mach_task_self_,
			    (vm_address_t)d->out_of_line.address, d->out_of_line.size);
		return sizeof(mach_msg_ool_descriptor_t);
	case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
		return sizeof(mach_msg_ool_descriptor_t);
	case MACH_MSG_OOL_PORTS_DESCRIPTOR:
		destroy_ool_ports(&d->ool_ports);
		return sizeof(mach_msg_ool_ports_descriptor_t);
	case MACH_MSG_GUARDED_PORT_DESCRIPTOR:
		if (!(d->guarded_port.flags & MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND))
			(void)mach_port_unguard(mach_task_self_, d->guarded_port.name,
			    d->guarded_port.context);
		libmach_destroy_right(d->guarded_port.name, d->guarded_port.disposition);
		return sizeof(mach_msg_guarded_port_descriptor_t);
	default:
		return 0;
	}
}

/*
 * Release every right and out-of-line region a message holds, as if it
 * had been received and thrown away.  msgh_local_port holds no right (the
 * receive consumed it).  Unlike libsyscall, descriptors are not read past
 * msgh_size when it is set: a message destroyed for being too large
 * arrives as a bare 24-byte header that may still claim to be complex
 * (spec 6.5), and whatever follows it in the buffer is stale.
 */
void
mach_msg_destroy(mach_msg_header_t *msg)
{
	mach_msg_bits_t bits = msg->msgh_bits;
	const mach_msg_base_t *base = (const mach_msg_base_t *)msg;
	const char *p, *end = NULL;
	mach_msg_size_t i, count;
	size_t n;

	libmach_destroy_right(msg->msgh_remote_port, MACH_MSGH_BITS_REMOTE(bits));
	libmach_destroy_right(msg->msgh_voucher_port, MACH_MSGH_BITS_VOUCHER(bits));
	if (!(bits & MACH_MSGH_BITS_COMPLEX))
		return;
	if (msg->msgh_size >= sizeof(mach_msg_header_t)) {
		if (msg->msgh_size < sizeof(mach_msg_base_t))
			return;
		end = (const char *)msg + msg->msgh_size;
	}
	count = base->body.msgh_descriptor_count;
	p = (const char *)(base + 1);
	for (i = 0; i < count; i++) {
		if (end != NULL && p + sizeof(mach_msg_port_descriptor_t) > end)
			break;
		n = destroy_descriptor((const mach_msg_descriptor_t *)(const void *)p);
		if (n == 0)
			break;  /* unknown type: the rest cannot be parsed */
		p += n;
	}
}

/* --- MIG servers ------------------------------------------------------------- */

static vm_size_t
page_round(vm_size_t size)
{
	vm_size_t mask = mxp_page_size() - 1;

	return (size + mask) & ~mask;
}

/* MIG replies: complex means success (there is no RetCode to read). */
static kern_return_t
server_reply_code(const mig_reply_error_t *reply)
{
	if (reply->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX)
		return KERN_SUCCESS;
	return reply->RetCode;
}

/* After the demux: drop the reply or destroy the refused request. */
static void
server_after_demux(mig_reply_error_t *request, mig_reply_error_t *reply)
{
	switch (server_reply_code(reply)) {
	case KERN_SUCCESS:
		break;
	case MIG_NO_REPLY:
		reply->Head.msgh_remote_port = MACH_PORT_NULL;
		break;
	default:
		/* The reply right now belongs to the reply: keep it. */
		request->Head.msgh_remote_port = MACH_PORT_NULL;
		mach_msg_destroy(&request->Head);
		break;
	}
}

/* Errors after which the unsent reply still holds its rights. */
static int
server_send_recoverable(mach_msg_return_t mr)
{
	return mr == MACH_SEND_INVALID_DEST || mr == MACH_SEND_TIMED_OUT ||
	       mr == MACH_SEND_INTERRUPTED;
}

/* Destroy a reply that could not be sent, its reply right included. */
static void
server_consume_unsent(mach_msg_header_t *hdr)
{
	mach_port_t port = hdr->msgh_local_port;

	if (MACH_PORT_VALID(port)) {
		switch (MACH_MSGH_BITS_LOCAL(hdr->msgh_bits)) {
		case MACH_MSG_TYPE_MOVE_SEND:
		case MACH_MSG_TYPE_MOVE_SEND_ONCE:
			(void)mach_port_deallocate(mach_task_self_, port);
			hdr->msgh_local_port = MACH_PORT_NULL;
			break;
		default:
			break;
		}
	}
	mach_msg_destroy(hdr);
}

/*
 * A send-once reply right never blocks; a send right might, so then the
 * send gets a zero timeout (the client may not be receiving).
 */
static mach_msg_option_t
server_send_options(const mig_reply_error_t *reply, mach_msg_option_t options)
{
	if (MACH_MSGH_BITS_REMOTE(reply->Head.msgh_bits) == MACH_MSG_TYPE_MOVE_SEND_ONCE)
		return MACH_SEND_MSG | options;
	return MACH_SEND_MSG | MACH_SEND_TIMEOUT | options;
}

static mach_msg_size_t
server_reply_alloc(mach_msg_size_t max_size, mach_msg_options_t options)
{
	return (mach_msg_size_t)page_round((options & MACH_SEND_TRAILER) ?
	    max_size + MAX_TRAILER_SIZE : max_size);
}

static kern_return_t
server_alloc(mig_reply_error_t **bufp, mach_msg_size_t size)
{
	vm_address_t addr = 0;
	kern_return_t kr;

	kr = vm_allocate(mach_task_self_, &addr, size,
	    VM_MAKE_TAG(VM_MEMORY_MACH_MSG) | VM_FLAGS_ANYWHERE);
	*bufp = (mig_reply_error_t *)addr;
	return kr;
}

static void
server_free(mig_reply_error_t *buf, mach_msg_size_t size)
{
	(void)vm_deallocate(mach_task_self_, (vm_address_t)buf, size);
}

/*
 * Receive one request, growing the buffer with MACH_RCV_LARGE.  *reqp is
 * NULL if a buffer could not be allocated (the result is then vm's).
 */
static mach_msg_return_t
server_receive_once(mig_reply_error_t **reqp, mach_msg_size_t *allocp,
    mach_msg_size_t max_size, mach_port_t rcv_name, mach_msg_options_t options)
{
	mach_msg_size_t trailer = REQUESTED_TRAILER_SIZE(options);
	mach_msg_size_t size = (options & MACH_RCV_LARGE) ? *allocp : max_size + trailer;
	mach_msg_return_t mr;

	for (;;) {
		mr = server_alloc(reqp, *allocp);
		if (mr != KERN_SUCCESS) {
			*reqp = NULL;
			return mr;
		}
		mr = mach_msg(&(*reqp)->Head, MACH_RCV_MSG | MACH_RCV_VOUCHER | options,
		    0, size, rcv_name, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		if (!(mr == MACH_RCV_TOO_LARGE && (options & MACH_RCV_LARGE)))
			return mr;
		size = (mach_msg_size_t)page_round((*reqp)->Head.msgh_size + trailer);
		server_free(*reqp, *allocp);
		*allocp = size;
	}
}

mach_msg_return_t
mach_msg_server_once(boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
    mach_msg_size_t max_size, mach_port_t rcv_name, mach_msg_options_t options)
{
	mig_reply_error_t *req = NULL, *rep;
	mach_msg_size_t req_alloc, rep_alloc;
	mach_msg_return_t mr;

	options &= ~(MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_VOUCHER);
	req_alloc = (mach_msg_size_t)page_round(max_size + REQUESTED_TRAILER_SIZE(options));
	rep_alloc = server_reply_alloc(max_size, options);
	mr = server_alloc(&rep, rep_alloc);
	if (mr != KERN_SUCCESS)
		return mr;
	mr = server_receive_once(&req, &req_alloc, max_size, rcv_name, options);
	if (req == NULL) {
		server_free(rep, rep_alloc);
		return mr;
	}
	if (mr == MACH_MSG_SUCCESS) {
		(void)(*demux)(&req->Head, &rep->Head);
		server_after_demux(req, rep);
		if (rep->Head.msgh_remote_port != MACH_PORT_NULL) {
			mr = mach_msg(&rep->Head, server_send_options(rep, options),
			    rep->Head.msgh_size, 0, MACH_PORT_NULL,
			    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
			if (server_send_recoverable(mr)) {
				server_consume_unsent(&rep->Head);
				mr = MACH_MSG_SUCCESS;
			}
		}
	}
	server_free(req, req_alloc);
	server_free(rep, rep_alloc);
	return mr;
}

/* The server loop's state: request and reply buffers, swapped in place. */
struct server {
	mig_reply_error_t   *req, *rep;
	mach_msg_size_t     req_alloc, rep_alloc, req_size;
	mach_port_t         rcv_name;
	mach_msg_options_t  options;
};

/*
 * Send the reply and receive the next request in one call (RCV_TIMEOUT 0:
 * if nothing is queued yet the loop falls back to a blocking receive).
 * Same-size buffers are swapped instead of copied, as in libsyscall.
 * Returns the call's result; *swapped says which buffer holds the reply.
 */
static mach_msg_return_t
server_reply_and_receive(struct server *s, int *swapped)
{
	mach_msg_option_t opt = server_send_options(s->rep, s->options) |
	    MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_VOUCHER;
	mig_reply_error_t *tmp;
	mach_msg_return_t mr;

	*swapped = 0;
	if (s->req_alloc == s->rep_alloc) {
		mr = mach_msg(&s->rep->Head, opt, s->rep->Head.msgh_size,
		    s->req_size, s->rcv_name, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		tmp = s->req;
		s->req = s->rep;
		s->rep = tmp;
		*swapped = 1;
	} else {
		mr = mach_msg_overwrite(&s->rep->Head, opt, s->rep->Head.msgh_size,
		    s->req_size, s->rcv_name, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL,
		    &s->req->Head, 0);
	}
	return mr;
}

/*
 * Handle the request in s->req.  Returns the result of the combined
 * reply-and-receive if a new request is already in s->req (or an error
 * ends the loop), else the result of a fresh blocking receive.
 */
static mach_msg_return_t
server_handle(struct server *s,
    boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *))
{
	mach_msg_return_t mr;
	int swapped;

	memset(&s->rep->Head, 0, sizeof(s->rep->Head));
	(void)(*demux)(&s->req->Head, &s->rep->Head);
	server_after_demux(s->req, s->rep);
	if (s->rep->Head.msgh_remote_port != MACH_PORT_NULL) {
		mr = server_reply_and_receive(s, &swapped);
		if (server_send_recoverable(mr))
			server_consume_unsent(swapped ? &s->req->Head : &s->rep->Head);
		else if (mr != MACH_RCV_TIMED_OUT)
			return mr;
	}
	return mach_msg(&s->req->Head, MACH_RCV_MSG | MACH_RCV_VOUCHER | s->options,
	    0, s->req_size, s->rcv_name, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

mach_msg_return_t
mach_msg_server(boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
    mach_msg_size_t max_size, mach_port_t rcv_name, mach_msg_options_t options)
{
	struct server s = { .rcv_name = rcv_name };
	mach_msg_size_t trailer, want;
	mach_msg_return_t mr;

	s.options = options & ~(MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_VOUCHER);
	s.rep_alloc = server_reply_alloc(max_size, s.options);
	if ((mr = server_alloc(&s.rep, s.rep_alloc)) != KERN_SUCCESS)
		return mr;
	trailer = REQUESTED_TRAILER_SIZE(s.options);
	want = (mach_msg_size_t)page_round(max_size + trailer);
	s.req_size = (s.options & MACH_RCV_LARGE) ? want : max_size + trailer;
	for (;;) {
		if (s.req_alloc < want) {
			s.req_alloc = want;
			if ((mr = server_alloc(&s.req, s.req_alloc)) != KERN_SUCCESS) {
				server_free(s.rep, s.rep_alloc);
				return mr;
			}
		}
		mr = mach_msg(&s.req->Head, MACH_RCV_MSG | MACH_RCV_VOUCHER | s.options,
		    0, s.req_size, rcv_name, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		while (mr == MACH_MSG_SUCCESS)
			mr = server_handle(&s, demux);
		if (mr != MACH_RCV_TOO_LARGE || !(s.options & MACH_RCV_LARGE))
			break;
		/* Grow the request buffer to the announced size and retry. */
		want = s.req_size = (mach_msg_size_t)page_round(s.req->Head.msgh_size + trailer);
		server_free(s.req, s.req_alloc);
		s.req_alloc = 0;
	}
	server_free(s.req, s.req_alloc);
	server_free(s.rep, s.rep_alloc);
	return mr;
}
