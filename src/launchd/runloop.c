/*
 * runloop.c -- launchd's event loop: peek at the port set, receive from
 * launchd's own ports, dispatch, run timers (invariants in runloop.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <mach/notify.h>
#include <servers/bootstrap.h>

#include "events.h"
#include "job.h"
#include "launch_proto.h"
#include "log.h"
#include "machservice.h"
#include "runloop.h"
#include "servers.h"

union ld_msg {
	mach_msg_header_t h;
	uint8_t bytes[sizeof(struct lp_request) + sizeof(mach_msg_max_trailer_t) + 64];
};

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- timers --------------------------------------------------------------- */

void
timer_init(struct timer *t, void (*fn)(struct launchd *, void *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

void
timer_cancel(struct launchd *ld, struct timer *t)
{
	struct timer **pp;

	if (!t->armed)
		return;
	for (pp = &ld->timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

/* The list is kept sorted by deadline. */
void
timer_arm(struct launchd *ld, struct timer *t, uint64_t delay_ms)
{
	struct timer **pp;

	timer_cancel(ld, t);
	t->deadline = now_ms() + delay_ms;
	for (pp = &ld->timers; *pp != NULL && (*pp)->deadline <= t->deadline; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

static void
timers_run(struct launchd *ld)
{
	uint64_t now = now_ms();
	struct timer *t;

	while ((t = ld->timers) != NULL && t->deadline <= now) {
		ld->timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->fn(ld, t->arg);
	}
}

/* ms until the next timer, or MACH_MSG_TIMEOUT_NONE with none armed. */
static mach_msg_timeout_t
timers_next(struct launchd *ld, bool *any)
{
	uint64_t now = now_ms();

	*any = ld->timers != NULL;
	if (!*any)
		return MACH_MSG_TIMEOUT_NONE;
	if (ld->timers->deadline <= now)
		return 0;
	return (mach_msg_timeout_t)(ld->timers->deadline - now);
}

/* --- ports ---------------------------------------------------------------- */

static mach_port_t
port_alloc(mach_port_right_t right, bool make_send)
{
	mach_port_t p = MACH_PORT_NULL;
	kern_return_t kr = mach_port_allocate(mach_task_self(), right, &p);

	if (kr != KERN_SUCCESS)
		fatalx("cannot allocate a port: %s", mach_error_string(kr));
	if (make_send) {
		kr = mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND);
		if (kr != KERN_SUCCESS)
			fatalx("cannot make a send right: %s", mach_error_string(kr));
	}
	return p;
}

void
runloop_watch_port(struct launchd *ld, mach_port_t port)
{
	kern_return_t kr = mach_port_insert_member(mach_task_self(), port, ld->pset);

	if (kr != KERN_SUCCESS)
		fatalx("cannot add port 0x%x to the port set: %s", port, mach_error_string(kr));
}

void
runloop_unwatch_port(struct launchd *ld, mach_port_t port)
{
	kern_return_t kr = mach_port_extract_member(mach_task_self(), port, ld->pset);

	if (kr != KERN_SUCCESS && kr != KERN_NOT_IN_SET)
		fatalx("cannot remove port 0x%x from the port set: %s", port, mach_error_string(kr));
}

void
runloop_init(struct launchd *ld)
{
	kern_return_t kr;

	ld->buf = calloc(1, sizeof(*ld->buf));
	if (ld->buf == NULL)
		fatalx("out of memory");
	ld->bs_port = port_alloc(MACH_PORT_RIGHT_RECEIVE, true);
	ld->notify_port = port_alloc(MACH_PORT_RIGHT_RECEIVE, false);
	ld->wake_port = port_alloc(MACH_PORT_RIGHT_RECEIVE, true);
	ld->pset = port_alloc(MACH_PORT_RIGHT_PORT_SET, false);
	runloop_watch_port(ld, ld->bs_port);
	runloop_watch_port(ld, ld->notify_port);
	runloop_watch_port(ld, ld->wake_port);
	/* Become the bootstrap server: machd gives this port to every task
	 * that starts after us (we are its init task). */
	kr = task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, ld->bs_port);
	if (kr != KERN_SUCCESS)
		fatalx("task_set_special_port(TASK_BOOTSTRAP_PORT): %s (is launchd "
		    "machd's init task? start it with machd --launchd)", mach_error_string(kr));
	bootstrap_port = ld->bs_port;
	events_start(ld);
}

int
runloop_watch_pid(struct launchd *ld, pid_t pid, int pidfd)
{
	return events_watch_pid(ld, pid, pidfd);
}

void
runloop_unwatch_pid(struct launchd *ld, int pidfd)
{
	events_unwatch_pid(ld, pidfd);
}

/* --- replies ---------------------------------------------------------------- */

mach_msg_return_t
runloop_reply_to(mach_port_t reply, mach_msg_type_name_t disp, mach_msg_id_t id,
    mach_msg_header_t *msg, mach_msg_size_t size)
{
	mach_msg_return_t mr;

	if (!MACH_PORT_VALID(reply))
		return MACH_SEND_INVALID_DEST;
	msg->msgh_bits = (msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(disp, 0);
	msg->msgh_size = size;
	msg->msgh_remote_port = reply;
	msg->msgh_local_port = MACH_PORT_NULL;
	msg->msgh_voucher_port = MACH_PORT_NULL;
	msg->msgh_id = id + 100;
	mr = mach_msg(msg, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS) {
		/* The client is gone or its queue is full: drop the reply and
		 * whatever it carried (a receive right comes back to us through
		 * its port-destroyed request). */
		mach_msg_destroy(msg);
	}
	return mr;
}

mach_msg_return_t
runloop_reply(mach_msg_header_t *req, mach_msg_header_t *msg, mach_msg_size_t size)
{
	mach_port_t reply = req->msgh_remote_port;

	req->msgh_remote_port = MACH_PORT_NULL;
	if (!MACH_PORT_VALID(reply)) {
		mach_msg_destroy(msg);
		return MACH_SEND_INVALID_DEST;
	}
	return runloop_reply_to(reply, MACH_MSGH_BITS_REMOTE(req->msgh_bits), req->msgh_id,
	    msg, size);
}

void
runloop_reply_error(mach_msg_header_t *req, kern_return_t code)
{
	mig_reply_error_t r;

	memset(&r, 0, sizeof(r));
	r.NDR = NDR_record;
	r.RetCode = code;
	(void)runloop_reply(req, &r.Head, sizeof(r));
}

/* --- dispatch ---------------------------------------------------------------- */

static pid_t
sender_pid(const mach_msg_header_t *h)
{
	mach_msg_audit_trailer_t t;

	memcpy(&t, (const uint8_t *)h + h->msgh_size, sizeof(t));
	return (pid_t)t.msgh_audit.val[5];
}

static void
handle_wake(struct launchd *ld, mach_msg_header_t *h)
{
	const struct ev_msg *m = (const struct ev_msg *)h;
	struct job *j;

	if (h->msgh_id != EV_MSG_ID || h->msgh_size != sizeof(*m))
		return;
	if (m->kind == EV_SIGNAL) {
		log_info("got signal %d: stopping every job", m->value);
		runloop_shutdown(ld);
	} else if (m->kind == EV_EXIT && (j = job_find_pid(ld, m->value)) != NULL) {
		job_reap(j);
	}
}

static void
handle_notification(struct launchd *ld, mach_msg_header_t *h)
{
	const mach_port_destroyed_notification_t *pd = (const void *)h;
	const mach_dead_name_notification_t *dn = (const void *)h;
	struct machservice *ms;
	mach_port_t port;

	switch (h->msgh_id) {
	case MACH_NOTIFY_PORT_DESTROYED:
		if (!(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) || h->msgh_size < sizeof(*pd) - sizeof(pd->trailer))
			break;
		port = pd->not_port.name;
		ms = machservice_find_port(ld, port);
		if (ms == NULL || ms->kind != MS_DECLARED || !ms->active) {
			/* Nobody waits for it (its service was deleted): destroy. */
			(void)mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
			return;
		}
		machservice_returned(ld, ms);
		return;
	case MACH_NOTIFY_DEAD_NAME:
		if (h->msgh_size < sizeof(*dn) - sizeof(dn->trailer))
			break;
		machservice_dead_name(ld, dn->not_port);
		return;
	default:
		break;
	}
	mach_msg_destroy(h);
}

static void
handle_request(struct launchd *ld, mach_msg_header_t *h)
{
	pid_t pid = sender_pid(h);

	if (h->msgh_id >= 400 && h->msgh_id < 500)
		bootstrap_server(ld, h, pid);
	else if (h->msgh_id >= LP_BASE && h->msgh_id < LP_END)
		launch_server(ld, h, pid);
	else {
		runloop_reply_error(h, MIG_BAD_ID);
		mach_msg_destroy(h);
	}
}

/* Receive the message the peek found on one of launchd's own ports. */
static void
receive_own(struct launchd *ld, mach_port_t port)
{
	mach_msg_header_t *h = &ld->buf->h;
	mach_msg_return_t mr;

	memset(h, 0, sizeof(*h));
	mr = mach_msg(h, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
	    MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
	    MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT),
	    0, (mach_msg_size_t)sizeof(*ld->buf), port, 0, MACH_PORT_NULL);
	if (mr == MACH_RCV_TIMED_OUT)
		return;
	if (mr != MACH_MSG_SUCCESS) {
		log_warnx("dropped a message on port 0x%x: %s", port, mach_error_string(mr));
		return;
	}
	if (port == ld->wake_port)
		handle_wake(ld, h);
	else if (port == ld->notify_port)
		handle_notification(ld, h);
	else
		handle_request(ld, h);
}

/* A message waits on a demand port: launch its job, keep the message. */
static void
demand(struct launchd *ld, mach_port_t port)
{
	struct machservice *ms = machservice_find_port(ld, port);

	if (ms == NULL || ms->job == NULL) {
		/* Cannot happen (only declared ports are watched); stop
		 * watching so the loop does not spin on it. */
		runloop_unwatch_port(ld, port);
		return;
	}
	job_demand(ms->job);
}

static void
write_ready_file(struct launchd *ld)
{
	char buf[32];
	int fd, n;

	if (ld->ready_file == NULL)
		return;
	fd = open(ld->ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("cannot write %s", ld->ready_file);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n)
		log_warn("cannot write %s", ld->ready_file);
	close(fd);
}

void
runloop_shutdown(struct launchd *ld)
{
	struct job *j, *next;

	ld->shutting_down = true;
	for (j = ld->jobs; j != NULL; j = next) {
		next = j->next;
		job_remove(j);          /* may free j */
	}
}

/* machd is gone: nothing can be served; do not leave jobs behind. */
static void
orphaned(struct launchd *ld, mach_msg_return_t mr)
{
	struct job *j;

	log_warnx("lost the Mach kernel (%s): terminating every job", mach_error_string(mr));
	for (j = ld->jobs; j != NULL; j = j->next)
		if (j->pid > 0)
			(void)kill(j->pid, SIGTERM);
}

int
runloop_run(struct launchd *ld)
{
	struct { mach_msg_header_t h; uint8_t pad[16]; } peek;
	mach_msg_timeout_t timeout;
	mach_msg_return_t mr;
	bool any;

	write_ready_file(ld);
	while (!(ld->shutting_down && ld->jobs == NULL)) {
		timeout = timers_next(ld, &any);
		memset(&peek, 0, sizeof(peek));
		mr = mach_msg(&peek.h, MACH_RCV_MSG | MACH_RCV_LARGE | MACH_RCV_LARGE_IDENTITY |
		    (any ? MACH_RCV_TIMEOUT : 0), 0, 16, ld->pset, timeout, MACH_PORT_NULL);
		if (mr == MACH_RCV_TOO_LARGE) {
			mach_port_t port = peek.h.msgh_local_port;
			if (port == ld->bs_port || port == ld->notify_port || port == ld->wake_port)
				receive_own(ld, port);
			else
				demand(ld, port);
		} else if (mr != MACH_RCV_TIMED_OUT) {
			orphaned(ld, mr);
			return 1;
		}
		timers_run(ld);
	}
	log_info("every job is gone: exiting");
	servers_cleanup(ld);
	return 0;
}
