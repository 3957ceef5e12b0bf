/*
 * rpc.c -- one request to launchd and its reply (launch_proto.h), on a
 * reply port of our own, waiting as long as launchd takes (bootout and
 * kickstart answer only when the job is gone or started).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "lctl.h"

union rpc_msg {
	struct lp_request req;
	mig_reply_error_t err;
	struct {
		struct lp_reply rep;
		mach_msg_max_trailer_t trailer;
	} r;
};

/* The reply must be LP_REP_FIXED + len (rounded) bytes for request `id`. */
static int
reply_check(const struct lp_reply *r, int id)
{
	const mig_reply_error_t *e = (const void *)r;

	if (r->head.msgh_id == MACH_NOTIFY_SEND_ONCE) {
		fprintf(stderr, "launchctl: launchd died before answering\n");
		return -1;
	}
	if (r->head.msgh_id != id + 100 || (r->head.msgh_bits & MACH_MSGH_BITS_COMPLEX)) {
		fprintf(stderr, "launchctl: unexpected reply %d from launchd\n", r->head.msgh_id);
		return -1;
	}
	if (r->head.msgh_size == sizeof(mig_reply_error_t) && e->RetCode != KERN_SUCCESS) {
		fprintf(stderr, "launchctl: launchd refused the request: %s\n",
		    mach_error_string(e->RetCode));
		return -1;
	}
	if (r->head.msgh_size < LP_REP_FIXED || r->len > LP_REPLY_MAX ||
	    r->head.msgh_size != LP_REP_FIXED + LP_ROUND4(r->len) ||
	    (r->len > 0 && r->data[r->len - 1] != '\0')) {
		fprintf(stderr, "launchctl: malformed reply from launchd\n");
		return -1;
	}
	return 0;
}

int
lctl_call(int id, uint32_t flags, int32_t arg, const char *data, struct lp_reply **out)
{
	union rpc_msg *m;
	mach_port_t reply = MACH_PORT_NULL;
	size_t len = strlen(data) + 1;
	mach_msg_size_t size;
	mach_msg_return_t mr;

	if (!MACH_PORT_VALID(bootstrap_port)) {
		fprintf(stderr, "launchctl: no bootstrap port: is launchd running "
		    "(machd --launchd launchd)?\n");
		return -1;
	}
	if (len > LP_DATA_MAX) {
		fprintf(stderr, "launchctl: argument too long: %.40s...\n", data);
		return -1;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL || mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply) !=
	    KERN_SUCCESS) {
		fprintf(stderr, "launchctl: out of memory\n");
		free(m);
		return -1;
	}
	size = LP_REQ_FIXED + LP_ROUND4((mach_msg_size_t)len);
	m->req.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->req.head.msgh_size = size;
	m->req.head.msgh_remote_port = bootstrap_port;
	m->req.head.msgh_local_port = reply;
	m->req.head.msgh_id = id;
	m->req.ndr = NDR_record;
	m->req.flags = flags;
	m->req.arg = arg;
	m->req.len = (uint32_t)len;
	memcpy(m->req.data, data, len);
	mr = mach_msg(&m->req.head, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof(*m), reply,
	    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	(void)mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1);
	if (mr != MACH_MSG_SUCCESS) {
		fprintf(stderr, "launchctl: cannot talk to launchd: %s\n", mach_error_string(mr));
		free(m);
		return -1;
	}
	if (reply_check(&m->r.rep, id) < 0) {
		mach_msg_destroy(&m->r.rep.head);
		free(m);
		return -1;
	}
	*out = &m->r.rep;       /* first member: free(*out) frees m */
	return 0;
}
