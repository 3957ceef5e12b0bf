/*
 * bootstrap_server.c -- the bootstrap subsystem (400) launchd serves on
 * its bootstrap port: check_in (402), register (403), look_up (404), in
 * the wire format of libmach's client stubs (src/libmach/bootstrap.c):
 *
 *   402/404 request, 160 bytes: header, NDR, name_t (128)
 *   403 request, 176 bytes: header, body (1), port descriptor (COPY_SEND
 *       from the client), NDR, name_t
 *   402/404 success reply, 40 bytes, complex: body (1), port descriptor
 *       (MOVE_RECEIVE for check_in, COPY_SEND for look_up)
 *   errors and 403's reply: mig_reply_error_t, 36 bytes
 *
 * The caller is the sender pid of the kernel's audit trailer: the job
 * whose current process has that pid, or else an anonymous process.
 * Rules and their order are launchd-842's (launchd.md 4.5, 4.7, 4.9); a
 * name in use is BOOTSTRAP_SERVICE_ACTIVE (1103) as 842 answers, never
 * BOOTSTRAP_NAME_IN_USE.
 */
#include <string.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "job.h"
#include "log.h"
#include "machservice.h"
#include "runloop.h"
#include "servers.h"

#define BS_CHECK_IN     402
#define BS_REGISTER     403
#define BS_LOOK_UP      404

#pragma pack(push, 4)
struct bs_name_req {
	mach_msg_header_t           head;
	NDR_record_t                ndr;
	char                        name[BOOTSTRAP_MAX_NAME_LEN];
};

struct bs_register_req {
	mach_msg_header_t           head;
	mach_msg_body_t             body;
	mach_msg_port_descriptor_t  port;
	NDR_record_t                ndr;
	char                        name[BOOTSTRAP_MAX_NAME_LEN];
};

struct bs_port_rep {
	mach_msg_header_t           head;
	mach_msg_body_t             body;
	mach_msg_port_descriptor_t  port;
};
#pragma pack(pop)

_Static_assert(sizeof(struct bs_name_req) == 160, "402/404 request layout");
_Static_assert(sizeof(struct bs_register_req) == 176, "403 request layout");
_Static_assert(sizeof(struct bs_port_rep) == 40, "402/404 reply layout");

/* Reply with one port right; MACH_MSG_SUCCESS if it reached the client. */
static mach_msg_return_t
reply_port(mach_msg_header_t *req, mach_port_t port, mach_msg_type_name_t disp)
{
	struct bs_port_rep r;

	memset(&r, 0, sizeof(r));
	r.head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	r.body.msgh_descriptor_count = 1;
	r.port.name = port;
	r.port.disposition = disp;
	r.port.type = MACH_MSG_PORT_DESCRIPTOR;
	return runloop_reply(req, &r.head, sizeof(r));
}

static const char *
caller_name(const struct job *j)
{
	return j != NULL ? j->spec->label : "(anonymous)";
}

static void
check_in(struct launchd *ld, struct bs_name_req *req, pid_t pid)
{
	struct job *j = job_find_pid(ld, pid);
	struct machservice *ms = machservice_lookup(ld, req->name);
	kern_return_t kr;

	if (ms == NULL) {
		/* 842's non-strict check-in: a name nobody declared is created
		 * for the caller and dies with its port. */
		kr = machservice_new_dynamic(ld, j, pid, req->name, &ms);
		if (kr != BOOTSTRAP_SUCCESS) {
			runloop_reply_error(&req->head, kr);
			return;
		}
		if (j != NULL)
			job_log(j, "Please add the following service to the configuration "
			    "file for this job: %s", req->name);
		(void)reply_port(&req->head, ms->port, MACH_MSG_TYPE_MOVE_RECEIVE);
		machservice_dynamic_handed_out(ld, ms);
		return;
	}
	if (!machservice_owned_by(ms, j, pid)) {
		if (ms->job != NULL)
			job_log(ms->job, "The following job tried to hijack the service \"%s\" "
			    "from this job: %s[%d]", ms->name, caller_name(j), (int)pid);
		runloop_reply_error(&req->head, BOOTSTRAP_NOT_PRIVILEGED);
		return;
	}
	if (ms->active) {
		if (j != NULL)
			job_log(j, "Check-in of Mach service failed. Already active: %s", ms->name);
		runloop_reply_error(&req->head, BOOTSTRAP_SERVICE_ACTIVE);
		return;
	}
	kr = machservice_checkin(ld, ms);
	if (kr != BOOTSTRAP_SUCCESS) {
		runloop_reply_error(&req->head, kr);
		return;
	}
	job_checked_in(j);
	/* If the reply cannot be delivered its receive right is destroyed,
	 * which sends it back to us through the port-destroyed request. */
	(void)reply_port(&req->head, ms->port, MACH_MSG_TYPE_MOVE_RECEIVE);
}

static void
look_up(struct launchd *ld, struct bs_name_req *req)
{
	struct machservice *ms = machservice_lookup(ld, req->name);

	if (ms == NULL || (ms->hide && !ms->active)) {
		runloop_reply_error(&req->head, BOOTSTRAP_UNKNOWN_SERVICE);
		return;
	}
	(void)reply_port(&req->head, ms->port, MACH_MSG_TYPE_COPY_SEND);
}

/* 842's job_mig_register2; `port` is a send right we now own (or null). */
static kern_return_t
do_register(struct launchd *ld, const char *name, mach_port_t port, pid_t pid)
{
	struct job *j = job_find_pid(ld, pid);
	struct machservice *ms = machservice_lookup(ld, name);

	if (ms != NULL) {
		if (!machservice_owned_by(ms, j, pid))
			return BOOTSTRAP_NOT_PRIVILEGED;
		if (ms->active)
			return BOOTSTRAP_SERVICE_ACTIVE;
		if (ms->kind == MS_DECLARED && MACH_PORT_VALID(port)) {
			job_log(j, "bootstrap_register() erroneously called instead of "
			    "bootstrap_check_in(). Mach service: %s", name);
			return BOOTSTRAP_NOT_PRIVILEGED;
		}
		/* An inactive declared name of this job registered with
		 * MACH_PORT_NULL: 842 deletes it. */
		machservice_delete(ld, ms);
	}
	if (!MACH_PORT_VALID(port))
		return BOOTSTRAP_SUCCESS;
	return machservice_new_registered(ld, j, pid, name, port);
}

static void
do_register_req(struct launchd *ld, struct bs_register_req *req, pid_t pid)
{
	mach_port_t port = req->port.name;
	kern_return_t kr;

	if (port == MACH_PORT_DEAD)
		port = MACH_PORT_NULL;
	req->port.name = MACH_PORT_NULL;        /* ours now, or released below */
	kr = do_register(ld, req->name, port, pid);
	if (kr != BOOTSTRAP_SUCCESS && MACH_PORT_VALID(port))
		(void)mach_port_deallocate(mach_task_self(), port);
	runloop_reply_error(&req->head, kr);
}

static bool
shape_ok(const mach_msg_header_t *h)
{
	const struct bs_register_req *r = (const void *)h;

	if (h->msgh_id == BS_REGISTER)
		return (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) && h->msgh_size == sizeof(*r) &&
		    r->body.msgh_descriptor_count == 1 && r->port.type == MACH_MSG_PORT_DESCRIPTOR &&
		    (r->port.disposition == MACH_MSG_TYPE_PORT_SEND || r->port.name == MACH_PORT_NULL ||
		     r->port.name == MACH_PORT_DEAD);
	return !(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
	    h->msgh_size == sizeof(struct bs_name_req);
}

void
bootstrap_server(struct launchd *ld, mach_msg_header_t *h, pid_t pid)
{
	if (h->msgh_id != BS_CHECK_IN && h->msgh_id != BS_REGISTER && h->msgh_id != BS_LOOK_UP) {
		runloop_reply_error(h, MIG_BAD_ID);
		mach_msg_destroy(h);
		return;
	}
	if (!shape_ok(h)) {
		runloop_reply_error(h, MIG_BAD_ARGUMENTS);
		mach_msg_destroy(h);
		return;
	}
	/* name_t: at most 127 bytes, whatever the client sent. */
	if (h->msgh_id == BS_REGISTER) {
		struct bs_register_req *r = (struct bs_register_req *)h;
		r->name[BOOTSTRAP_MAX_NAME_LEN - 1] = '\0';
		do_register_req(ld, r, pid);
		return;
	}
	((struct bs_name_req *)h)->name[BOOTSTRAP_MAX_NAME_LEN - 1] = '\0';
	if (h->msgh_id == BS_CHECK_IN)
		check_in(ld, (struct bs_name_req *)h, pid);
	else
		look_up(ld, (struct bs_name_req *)h);
}
