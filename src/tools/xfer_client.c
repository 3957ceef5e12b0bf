/*
 * xfer_client.c -- the client side of xferd's routines; see
 * xfer_client.h.  One request buffer and one reply buffer per call, so a
 * call can be sent again unchanged after xferd restarted.
 */
#include <stdlib.h>
#include <string.h>

#include <mach/mach.h>
#include <mach/notify.h>
#include <servers/bootstrap.h>

#include "xfer_client.h"

#define RETRIES_MAX 10


void
xfer_data_free(struct xfer_data *d)
{
	if (d->region)
		(void)vm_deallocate(mach_task_self(), (vm_address_t)d->bytes, (vm_size_t)d->len);
	else
		free(d->bytes);
	memset(d, 0, sizeof(*d));
}

kern_return_t
xfer_connect(struct xfer_conn *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	return bootstrap_look_up(bootstrap_port, name != NULL ? name : XFER_SERVICE_NAME,
	    &c->service);
}

void
xfer_disconnect(struct xfer_conn *c)
{
	if (MACH_PORT_VALID(c->service))
		(void)mach_port_deallocate(mach_task_self(), c->service);
	c->service = MACH_PORT_NULL;
}

/*
 * Send `req` (`size` bytes) and wait for its reply in *rep.  A send-once
 * notification instead of the reply means xferd died holding the request:
 * send it again if `retry` (a request that moved a right or a region away
 * cannot be sent twice).  Returns the mach_msg result, or
 * MIG_REPLY_MISMATCH.
 */
static kern_return_t
rpc(struct xfer_conn *c, mach_msg_header_t *req, mach_msg_size_t size, xfer_reply_t *rep,
    bool retry)
{
	mach_port_t reply = mig_get_reply_port();
	mach_msg_id_t id = req->msgh_id;
	mach_msg_return_t mr;
	unsigned tries;

	for (tries = 0; tries < RETRIES_MAX; tries++) {
		req->msgh_bits = (req->msgh_bits & MACH_MSGH_BITS_COMPLEX) |
		    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		req->msgh_size = size;
		req->msgh_remote_port = c->service;
		req->msgh_local_port = reply;
		req->msgh_id = id;
		memset(&rep->head, 0, sizeof(rep->head));
		mr = mach_msg_overwrite(req, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof(*rep), reply,
		    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL, &rep->head, 0);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
		if (rep->head.msgh_id == XFER_REPLY(id))
			return KERN_SUCCESS;
		mach_msg_destroy(&rep->head);
		if (rep->head.msgh_id != MACH_NOTIFY_SEND_ONCE)
			return MIG_REPLY_MISMATCH;
		if (!retry)
			return MIG_SERVER_DIED;     /* it may or may not have been done */
		c->retries++;           /* xferd died with our request: again */
	}
	return MIG_REPLY_MISMATCH;
}

/* A simple error reply (MIG_BAD_ID, ...) in place of the expected one. */
static bool
is_error_reply(const xfer_reply_t *r)
{
	return !(r->head.msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
	    r->head.msgh_size == sizeof(mig_reply_error_t) && r->error.RetCode != KERN_SUCCESS;
}

/* Check a data reply and take its bytes. */
static kern_return_t
data_reply(xfer_reply_t *r, struct xfer_data *out, uint64_t *total)
{
	xfer_data_msg_t *m = &r->data;

	memset(out, 0, sizeof(*out));
	if (is_error_reply(r))
		return r->error.RetCode;
	if (!(m->head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
	    m->head.msgh_size < offsetof(xfer_data_msg_t, inline_data) ||
	    m->body.msgh_descriptor_count != 1 || m->inline_len > XFER_INLINE_MAX ||
	    m->head.msgh_size < xfer_data_msg_size(m->inline_len)) {
		mach_msg_destroy(&m->head);
		return MIG_TYPE_ERROR;
	}
	if (total != NULL)
		*total = m->total;
	if (m->ret != KERN_SUCCESS) {
		mach_msg_destroy(&m->head);
		return m->ret;
	}
	if (m->data.size > 0) {
		out->bytes = m->data.address;
		out->len = m->data.size;
		out->region = true;
		return KERN_SUCCESS;
	}
	out->bytes = malloc(m->inline_len ? m->inline_len : 1);
	if (out->bytes == NULL)
		return KERN_RESOURCE_SHORTAGE;
	memcpy(out->bytes, m->inline_data, m->inline_len);
	out->len = m->inline_len;
	return KERN_SUCCESS;
}

static kern_return_t
simple_reply(xfer_reply_t *r, uint64_t *value)
{
	if (is_error_reply(r))
		return r->error.RetCode;
	if ((r->head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
	    r->head.msgh_size != sizeof(xfer_simple_reply_t)) {
		mach_msg_destroy(&r->head);
		return MIG_TYPE_ERROR;
	}
	if (value != NULL)
		*value = r->simple.value;
	return r->simple.ret;
}

static bool
key_set(char *dst, uint32_t *lenp, const char *key)
{
	size_t len = key != NULL ? strlen(key) : 0;

	if (len >= XFER_KEY_MAX)
		return false;
	memcpy(dst, key != NULL ? key : "", len);
	*lenp = (uint32_t)len;
	return true;
}

/* A data request: inline or out of line. */
static xfer_data_msg_t *
data_request(mach_msg_id_t id, const char *key, const void *data, uint64_t len, bool move,
    mach_msg_size_t *sizep)
{
	xfer_data_msg_t *m;

	if (len > UINT32_MAX || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (!key_set(m->key, &m->key_len, key)) {
		free(m);
		return NULL;
	}
	m->head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	m->head.msgh_id = id;
	m->body.msgh_descriptor_count = 1;
	m->data.type = MACH_MSG_OOL_DESCRIPTOR;
	m->data.copy = MACH_MSG_VIRTUAL_COPY;
	m->ndr = NDR_record;
	m->total = len;
	if (len > XFER_INLINE_MAX) {
		m->data.address = (void *)(uintptr_t)data;
		m->data.size = (mach_msg_size_t)len;
		m->data.deallocate = move;
	} else {
		memcpy(m->inline_data, data, len);
		m->inline_len = (uint32_t)len;
	}
	*sizep = xfer_data_msg_size(m->inline_len);
	return m;
}

/* Send a data request and wait for its reply; a moved region cannot be
 * sent twice, so such a call is not resent. */
static kern_return_t
data_call(struct xfer_conn *c, mach_msg_id_t id, const char *key, const void *data,
    uint64_t len, bool move, xfer_reply_t *r)
{
	mach_msg_size_t size;
	xfer_data_msg_t *m = data_request(id, key, data, len, move, &size);
	kern_return_t kr;

	if (m == NULL)
		return XFER_E_BAD_KEY;
	kr = rpc(c, &m->head, size, r, !move);
	free(m);
	return kr;
}

kern_return_t
xfer_echo(struct xfer_conn *c, const void *data, uint64_t len, struct xfer_data *out)
{
	xfer_reply_t r;
	kern_return_t kr = data_call(c, XFER_ID_ECHO, NULL, data, len, false, &r);

	return kr != KERN_SUCCESS ? kr : data_reply(&r, out, NULL);
}

kern_return_t
xfer_store(struct xfer_conn *c, const char *key, const void *data, uint64_t len, bool move,
    uint64_t *stored)
{
	xfer_reply_t r;
	kern_return_t kr = data_call(c, XFER_ID_STORE, key, data, len, move, &r);

	return kr != KERN_SUCCESS ? kr : simple_reply(&r, stored);
}

/* Every key routine but remove can be sent twice with the same effect. */
static kern_return_t
key_call(struct xfer_conn *c, mach_msg_id_t id, const char *key, xfer_reply_t *r)
{
	xfer_key_request_t m;

	memset(&m, 0, sizeof(m));
	m.head.msgh_id = id;
	m.ndr = NDR_record;
	if (!key_set(m.key, &m.key_len, key))
		return XFER_E_BAD_KEY;
	return rpc(c, &m.head, sizeof(m), r, id != XFER_ID_REMOVE);
}

kern_return_t
xfer_fetch(struct xfer_conn *c, const char *key, struct xfer_data *out)
{
	xfer_reply_t r;
	kern_return_t kr = key_call(c, XFER_ID_FETCH, key, &r);

	return kr != KERN_SUCCESS ? kr : data_reply(&r, out, NULL);
}

kern_return_t
xfer_list(struct xfer_conn *c, struct xfer_data *out)
{
	xfer_reply_t r;
	kern_return_t kr = key_call(c, XFER_ID_LIST, NULL, &r);

	return kr != KERN_SUCCESS ? kr : data_reply(&r, out, NULL);
}

kern_return_t
xfer_remove(struct xfer_conn *c, const char *key, uint64_t *size)
{
	xfer_reply_t r;
	kern_return_t kr = key_call(c, XFER_ID_REMOVE, key, &r);

	return kr != KERN_SUCCESS ? kr : simple_reply(&r, size);
}

static kern_return_t
port_call(struct xfer_conn *c, mach_msg_id_t id, mach_port_t port,
    mach_msg_type_name_t disp, xfer_reply_t *r)
{
	xfer_port_request_t m;

	memset(&m, 0, sizeof(m));
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_id = id;
	m.body.msgh_descriptor_count = 1;
	m.port.name = port;
	m.port.disposition = disp;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	m.ndr = NDR_record;
	/* A moved receive right cannot be sent twice. */
	return rpc(c, &m.head, sizeof(m), r, disp != MACH_MSG_TYPE_MOVE_RECEIVE);
}

kern_return_t
xfer_handoff(struct xfer_conn *c, mach_port_t receive_right, uint64_t *count,
    struct xfer_data *recs)
{
	xfer_reply_t r;
	kern_return_t kr = port_call(c, XFER_ID_HANDOFF, receive_right, MACH_MSG_TYPE_MOVE_RECEIVE, &r);

	return kr != KERN_SUCCESS ? kr : data_reply(&r, recs, count);
}

kern_return_t
xfer_subscribe(struct xfer_conn *c, mach_port_t *port)
{
	xfer_reply_t r;
	kern_return_t kr = key_call(c, XFER_ID_SUBSCRIBE, NULL, &r);

	if (kr != KERN_SUCCESS)
		return kr;
	if (is_error_reply(&r))
		return r.error.RetCode;
	if (!(r.head.msgh_bits & MACH_MSGH_BITS_COMPLEX) || r.head.msgh_size != sizeof(r.port) ||
	    r.port.body.msgh_descriptor_count != 1) {
		mach_msg_destroy(&r.head);
		return MIG_TYPE_ERROR;
	}
	if (r.port.ret != KERN_SUCCESS) {
		mach_msg_destroy(&r.head);
		return r.port.ret;
	}
	*port = r.port.port.name;
	return KERN_SUCCESS;
}

kern_return_t
xfer_watch(struct xfer_conn *c, mach_port_t port, uint64_t *subscribers)
{
	xfer_reply_t r;
	kern_return_t kr = port_call(c, XFER_ID_WATCH, port, MACH_MSG_TYPE_MAKE_SEND, &r);

	return kr != KERN_SUCCESS ? kr : simple_reply(&r, subscribers);
}

kern_return_t
xfer_stats(struct xfer_conn *c, struct xfer_stats *out)
{
	xfer_reply_t r;
	kern_return_t kr = key_call(c, XFER_ID_STATS, NULL, &r);

	if (kr != KERN_SUCCESS)
		return kr;
	if (is_error_reply(&r))
		return r.error.RetCode;
	if ((r.head.msgh_bits & MACH_MSGH_BITS_COMPLEX) || r.head.msgh_size != sizeof(r.stats)) {
		mach_msg_destroy(&r.head);
		return MIG_TYPE_ERROR;
	}
	out->keys = r.stats.keys;
	out->subscribers = r.stats.subscribers;
	out->requests = r.stats.requests;
	out->bad_requests = r.stats.bad_requests;
	out->replies_dropped = r.stats.replies_dropped;
	out->ool_bytes_copied = r.stats.ool_bytes_copied;
	out->ool_zero_copy = r.stats.ool_zero_copy;
	return r.stats.ret;
}
