/*
 * xfer_server.c -- xferd's routines: check each request against its
 * struct (<xfer/xfer.h>), run it, reply without ever waiting on the
 * client.  See xfer_server.h.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mach/mach.h>
#include <mach/notify.h>
#include <xfer/xfer.h>

#include "libmach_private.h"
#include "xfer_events.h"
#include "xfer_server.h"
#include "xfer_store.h"

#define DRAIN_MAX  65536u        /* messages one handoff drains at most */

static _Atomic uint64_t nrequests, nbad, ndropped;


/* --- replies ------------------------------------------------------------------ */

static void
reply_header(mach_msg_header_t *h, const mach_msg_header_t *req, mach_msg_bits_t complex,
    mach_msg_size_t size)
{
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(req->msgh_bits), 0) | complex;
	h->msgh_size = size;
	h->msgh_remote_port = req->msgh_remote_port;
	h->msgh_local_port = MACH_PORT_NULL;
	h->msgh_voucher_port = MACH_PORT_NULL;
	h->msgh_id = XFER_REPLY(req->msgh_id);
}

/*
 * Send a reply without waiting: a send-once reply right never blocks; a
 * send right to a full queue times out at once.  A reply that cannot go
 * is destroyed (whatever came back by pseudo-receive with it).
 */
static void
reply_send(mach_msg_header_t *h)
{
	mach_msg_return_t mr;

	if (!MACH_PORT_VALID(h->msgh_remote_port)) {
		mach_msg_destroy(h);
		return;
	}
	mr = mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, h->msgh_size, 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL);
	if (mr == MACH_MSG_SUCCESS)
		return;
	atomic_fetch_add(&ndropped, 1);
	fprintf(stderr, "xferd: reply %d to 0x%x dropped: %s\n", h->msgh_id, h->msgh_remote_port,
	    mach_error_string(mr));
	/* Pseudo-received (timed out, interrupted) or refused before any
	 * right was taken (a dead reply port): everything the reply holds,
	 * its reply right included, is still ours to destroy.  Other errors
	 * destroyed the message in the kernel. */
	if (mr == MACH_SEND_TIMED_OUT || mr == MACH_SEND_INTERRUPTED ||
	    mr == MACH_SEND_INVALID_DEST)
		mach_msg_destroy(h);
}

static void
reply_error(const mach_msg_header_t *req, kern_return_t code)
{
	mig_reply_error_t r;

	memset(&r, 0, sizeof(r));
	reply_header(&r.Head, req, 0, sizeof(r));
	r.NDR = NDR_record;
	r.RetCode = code;
	reply_send(&r.Head);
}

static void
reply_simple(const mach_msg_header_t *req, kern_return_t ret, uint64_t value)
{
	xfer_simple_reply_t r;

	memset(&r, 0, sizeof(r));
	reply_header(&r.head, req, 0, sizeof(r));
	r.ndr = NDR_record;
	r.ret = ret;
	r.value = value;
	reply_send(&r.head);
}

/*
 * A data reply: `len` bytes inline if they fit, else out of line from
 * `bytes` (moved if `move`, else a virtual copy: xferd keeps its region).
 */
static void
reply_data(const mach_msg_header_t *req, kern_return_t ret, const void *bytes, uint64_t len,
    uint64_t total, bool move)
{
	xfer_data_msg_t *r = calloc(1, sizeof(*r));
	uint32_t inl = len <= XFER_INLINE_MAX ? (uint32_t)len : 0;

	if (r == NULL) {
		reply_error(req, KERN_RESOURCE_SHORTAGE);
		return;
	}
	reply_header(&r->head, req, MACH_MSGH_BITS_COMPLEX, xfer_data_msg_size(inl));
	r->body.msgh_descriptor_count = 1;
	r->data.type = MACH_MSG_OOL_DESCRIPTOR;
	r->data.copy = MACH_MSG_VIRTUAL_COPY;
	if (len > XFER_INLINE_MAX) {
		r->data.address = (void *)(uintptr_t)bytes;
		r->data.size = (mach_msg_size_t)len;
		r->data.deallocate = move;
	} else if (len > 0) {
		memcpy(r->inline_data, bytes, len);
	}
	r->ndr = NDR_record;
	r->ret = ret;
	r->total = total;
	r->inline_len = inl;
	reply_send(&r->head);
	free(r);
}

/* --- checking requests ---------------------------------------------------------- */

/* The key of a request: 1..XFER_KEY_MAX-1 bytes, no NUL inside. */
static bool
key_copy(char *out, const char *key, uint32_t key_len)
{
	if (key_len == 0 || key_len >= XFER_KEY_MAX || memchr(key, '\0', key_len) != NULL)
		return false;
	memcpy(out, key, key_len);
	out[key_len] = '\0';
	return true;
}

static bool
data_msg_valid(const xfer_data_msg_t *m)
{
	mach_msg_size_t size = m->head.msgh_size;

	if (!(m->head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
	    size < offsetof(xfer_data_msg_t, inline_data) || m->body.msgh_descriptor_count != 1 ||
	    (m->data.type != MACH_MSG_OOL_DESCRIPTOR &&
	     m->data.type != MACH_MSG_OOL_VOLATILE_DESCRIPTOR))
		return false;
	if (m->inline_len > XFER_INLINE_MAX || size < xfer_data_msg_size(m->inline_len))
		return false;
	if (m->inline_len > 0 && m->data.size > 0)
		return false;
	return m->total == (m->inline_len > 0 ? m->inline_len : m->data.size);
}

static bool
key_msg_valid(const mach_msg_header_t *h)
{
	return !(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) && h->msgh_size == sizeof(xfer_key_request_t);
}

static bool
port_msg_valid(const xfer_port_request_t *m, mach_msg_type_name_t type)
{
	return (m->head.msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
	    m->head.msgh_size == sizeof(*m) && m->body.msgh_descriptor_count == 1 &&
	    m->port.type == MACH_MSG_PORT_DESCRIPTOR && m->port.disposition == type &&
	    MACH_PORT_VALID(m->port.name);
}

static struct xfer_client_id
client_of(const mach_msg_header_t *h)
{
	const mach_msg_audit_trailer_t *t = (const void *)((const char *)h +
	    ((h->msgh_size + 3u) & ~3u));
	struct xfer_client_id c = { t->msgh_audit.val[5], t->msgh_audit.val[7] };

	return c;
}

/* The bytes of a data message, wherever they travelled. */
static const void *
data_bytes(const xfer_data_msg_t *m, uint64_t *lenp)
{
	*lenp = m->inline_len > 0 ? m->inline_len : m->data.size;
	return m->inline_len > 0 ? (const void *)m->inline_data : m->data.address;
}

/* --- the routines --------------------------------------------------------------- */

static void
do_echo(xfer_data_msg_t *m)
{
	uint64_t len;
	const void *bytes = data_bytes(m, &len);

	/* Out of line, the region goes back as it came: moved, not copied. */
	reply_data(&m->head, KERN_SUCCESS, bytes, len, len, true);
	if (len > XFER_INLINE_MAX)
		m->data.address = NULL;         /* it went with the reply */
}

static void
do_store(xfer_data_msg_t *m)
{
	char key[XFER_KEY_MAX];
	uint64_t len;
	void *bytes = (void *)(uintptr_t)data_bytes(m, &len);
	bool region = m->inline_len == 0 && len > 0;
	kern_return_t kr;

	if (!key_copy(key, m->key, m->key_len)) {
		reply_simple(&m->head, XFER_E_BAD_KEY, 0);
		return;
	}
	kr = xfer_store_put(key, bytes, len, region, client_of(&m->head));
	if (kr == KERN_SUCCESS && region)
		m->data.address = NULL;         /* the store keeps the region */
	/* Events before the reply: the client's next request, served by
	 * another thread, cannot overtake this event. */
	if (kr == KERN_SUCCESS)
		xfer_events_publish(XFER_EVENT_STORE, key, len);
	reply_simple(&m->head, kr, len);
}

static void
do_fetch(xfer_key_request_t *m)
{
	char key[XFER_KEY_MAX];
	struct xfer_value *v;

	if (!key_copy(key, m->key, m->key_len)) {
		reply_data(&m->head, XFER_E_BAD_KEY, NULL, 0, 0, false);
		return;
	}
	if ((v = xfer_store_get(key)) == NULL) {
		reply_data(&m->head, XFER_E_NO_KEY, NULL, 0, 0, false);
		return;
	}
	/* A virtual copy of the stored region: no byte copied here. */
	reply_data(&m->head, KERN_SUCCESS, v->bytes, v->size, v->size, false);
	xfer_value_release(v);
}

static void
do_list(xfer_key_request_t *m)
{
	size_t len;
	char *text = xfer_store_list(&len);

	if (text == NULL) {
		reply_data(&m->head, KERN_RESOURCE_SHORTAGE, NULL, 0, 0, false);
		return;
	}
	reply_data(&m->head, KERN_SUCCESS, text, len, len, false);
	free(text);
}

static void
do_remove(xfer_key_request_t *m)
{
	char key[XFER_KEY_MAX];
	uint64_t size = 0;
	kern_return_t kr;

	if (!key_copy(key, m->key, m->key_len)) {
		reply_simple(&m->head, XFER_E_BAD_KEY, 0);
		return;
	}
	kr = xfer_store_remove(key, &size);
	if (kr == KERN_SUCCESS)
		xfer_events_publish(XFER_EVENT_REMOVE, key, size);
	reply_simple(&m->head, kr, size);
}

/* Receive one message from `port` without waiting, growing *bufp. */
static mach_msg_return_t
drain_one(mach_port_t port, mach_msg_header_t **bufp, mach_msg_size_t *sizep)
{
	mach_msg_return_t mr;

	for (;;) {
		mr = mach_msg(*bufp, MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0, *sizep,
		    port, 0, MACH_PORT_NULL);
		if (mr != MACH_RCV_TOO_LARGE)
			return mr;
		{
			mach_msg_size_t want = (*bufp)->msgh_size + MAX_TRAILER_SIZE;
			mach_msg_header_t *b = realloc(*bufp, want);
			if (b == NULL)
				return MACH_RCV_TOO_LARGE;
			*bufp = b;
			*sizep = want;
		}
	}
}

/* Take the receive right, drain its queue, report each message. */
static void
do_handoff(xfer_port_request_t *m)
{
	mach_port_t port = m->port.name;
	mach_msg_size_t size = 4096;
	mach_msg_header_t *buf = malloc(size);
	xfer_drained_t *recs = NULL;
	uint32_t n = 0, cap = 0;

	m->port.name = MACH_PORT_NULL;          /* ours now, whatever happens */
	while (buf != NULL && n < DRAIN_MAX && drain_one(port, &buf, &size) == MACH_MSG_SUCCESS) {
		if (n == cap) {
			xfer_drained_t *r = realloc(recs, (cap = cap ? 2 * cap : 64) * sizeof(*r));
			if (r == NULL)
				break;
			recs = r;
		}
		recs[n].id = buf->msgh_id;
		recs[n].size = buf->msgh_size;
		recs[n].checksum = xfer_checksum((const char *)buf + sizeof(*buf),
		    buf->msgh_size - sizeof(*buf));
		n++;
		mach_msg_destroy(buf);
	}
	(void)mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
	reply_data(&m->head, buf != NULL ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE, recs,
	    (uint64_t)n * sizeof(*recs), n, false);
	free(recs);
	free(buf);
}

/* Make a port, keep a send right for events, hand the receive right over. */
static void
do_subscribe(xfer_key_request_t *m)
{
	xfer_port_reply_t r;
	mach_port_t port = MACH_PORT_NULL;
	kern_return_t kr;

	mach_port_delta_t sends = 0;

	kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port);
	if (kr == KERN_SUCCESS &&
	    (kr = mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND)) ==
	    KERN_SUCCESS)
		sends = -1;
	if (kr == KERN_SUCCESS)
		kr = xfer_events_add(port);     /* its first event waits in the queue */
	memset(&r, 0, sizeof(r));
	reply_header(&r.head, &m->head, MACH_MSGH_BITS_COMPLEX, sizeof(r));
	r.body.msgh_descriptor_count = 1;
	r.port.name = kr == KERN_SUCCESS ? port : MACH_PORT_NULL;
	r.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	r.port.type = MACH_MSG_PORT_DESCRIPTOR;
	r.ndr = NDR_record;
	r.ret = kr;
	if (kr != KERN_SUCCESS && MACH_PORT_VALID(port))
		(void)mach_port_destruct(mach_task_self(), port, sends, 0);
	reply_send(&r.head);
}

static void
do_stats(xfer_key_request_t *m)
{
	xfer_stats_reply_t r;
	uint64_t copied, zero_copy;

	memset(&r, 0, sizeof(r));
	reply_header(&r.head, &m->head, 0, sizeof(r));
	r.ndr = NDR_record;
	r.keys = xfer_store_count();
	r.subscribers = xfer_events_count();
	r.requests = atomic_load(&nrequests);
	r.bad_requests = atomic_load(&nbad);
	r.replies_dropped = atomic_load(&ndropped);
	libmach_ool_counters(&copied, &zero_copy);  /* not into r: packed(4) */
	r.ool_bytes_copied = copied;
	r.ool_zero_copy = zero_copy;
	reply_send(&r.head);
}

static void
do_watch(xfer_port_request_t *m)
{
	kern_return_t kr = xfer_events_add(m->port.name);

	if (kr == KERN_SUCCESS)
		m->port.name = MACH_PORT_NULL;  /* the events list owns it */
	reply_simple(&m->head, kr, xfer_events_count());
}

/* --- dispatch ------------------------------------------------------------------ */

/* Run the routine if the request has its shape; false: malformed. */
static bool
dispatch(mach_msg_header_t *h)
{
	switch (h->msgh_id) {
	case XFER_ID_ECHO:
	case XFER_ID_STORE:
		if (!data_msg_valid((xfer_data_msg_t *)h))
			return false;
		if (h->msgh_id == XFER_ID_ECHO)
			do_echo((xfer_data_msg_t *)h);
		else
			do_store((xfer_data_msg_t *)h);
		return true;
	case XFER_ID_FETCH:
	case XFER_ID_LIST:
	case XFER_ID_REMOVE:
	case XFER_ID_SUBSCRIBE:
	case XFER_ID_STATS:
		if (!key_msg_valid(h))
			return false;
		if (h->msgh_id == XFER_ID_FETCH)
			do_fetch((xfer_key_request_t *)h);
		else if (h->msgh_id == XFER_ID_LIST)
			do_list((xfer_key_request_t *)h);
		else if (h->msgh_id == XFER_ID_REMOVE)
			do_remove((xfer_key_request_t *)h);
		else if (h->msgh_id == XFER_ID_STATS)
			do_stats((xfer_key_request_t *)h);
		else
			do_subscribe((xfer_key_request_t *)h);
		return true;
	case XFER_ID_HANDOFF:
		if (!port_msg_valid((xfer_port_request_t *)h, MACH_MSG_TYPE_PORT_RECEIVE))
			return false;
		do_handoff((xfer_port_request_t *)h);
		return true;
	case XFER_ID_WATCH:
		if (!port_msg_valid((xfer_port_request_t *)h, MACH_MSG_TYPE_PORT_SEND))
			return false;
		do_watch((xfer_port_request_t *)h);
		return true;
	default:
		return false;
	}
}

/* What a request still holds once handled: its reply right went with
 * the reply, so only the body is left to destroy. */
static void
request_done(mach_msg_header_t *h)
{
	h->msgh_remote_port = MACH_PORT_NULL;
	mach_msg_destroy(h);
}

static mach_port_t notify_port;

void
xfer_server_init(mach_port_t notify)
{
	notify_port = notify;
	xfer_events_init(notify);
}

/* Only the kernel holds rights to the notify port (send-once rights from
 * mach_port_request_notification), so what arrives there is trusted. */
static void
notification(mach_msg_header_t *h)
{
	if (h->msgh_id == MACH_NOTIFY_DEAD_NAME &&
	    h->msgh_size == offsetof(mach_dead_name_notification_t, trailer))
		xfer_events_dead_name(((mach_dead_name_notification_t *)h)->not_port);
	else
		mach_msg_destroy(h);
}

void
xfer_server_handle(mach_msg_header_t *h)
{
	if (h->msgh_local_port == notify_port) {
		notification(h);
		return;
	}
	atomic_fetch_add(&nrequests, 1);
	if (h->msgh_id >= XFER_ID_BASE && h->msgh_id <= XFER_ID_LAST && dispatch(h)) {
		request_done(h);
		return;
	}
	atomic_fetch_add(&nbad, 1);
	fprintf(stderr, "xferd: request id %d, %u bytes: %s\n", h->msgh_id, h->msgh_size,
	    h->msgh_id >= XFER_ID_BASE && h->msgh_id <= XFER_ID_LAST ? "malformed" : "unknown id");
	reply_error(h, h->msgh_id >= XFER_ID_BASE && h->msgh_id <= XFER_ID_LAST
	    ? MIG_BAD_ARGUMENTS : MIG_BAD_ID);
	request_done(h);
}

void
xfer_server_stats(struct xfer_server_stats *out)
{
	out->requests = atomic_load(&nrequests);
	out->bad_requests = atomic_load(&nbad);
	out->replies_dropped = atomic_load(&ndropped);
}
