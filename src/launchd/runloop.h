/*
 * runloop.h -- launchd's one event loop and the state it hangs off.
 *
 * Everything launchd does happens on its main thread, in runloop_run():
 * it receives on one port set that holds launchd's own ports (the
 * bootstrap port, the kernel notification port, the wake port) and the
 * "demand" ports: service ports whose receive right launchd holds while
 * their job is not running.  A demand port is only peeked at
 * (MACH_RCV_LARGE with a 16-byte buffer leaves the message queued and
 * names the port), never received from; the job gets the message at
 * check-in.  Linux events (signals, job exits seen through pidfds) are
 * turned into messages on the wake port by the event thread
 * (events_linux.c); timers are the receive timeout.
 *
 * Invariants:
 * - A demand port is in `pset` exactly while its service is
 *   machservice_watched() (ms_watched); see machservice.h.
 * - Only the main thread touches struct launchd, jobs and services.  The
 *   event thread only reads the signalfd, waits on the epoll set and
 *   sends to wake_port.
 * - Replies never block launchd: they go to send-once rights (no queue
 *   limit) or are sent with a zero timeout.
 */
#ifndef LAUNCHD_RUNLOOP_H
#define LAUNCHD_RUNLOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <mach/mach.h>

struct launchd;
struct job;
struct machservice;
struct overrides;

/* A one-shot timer, embedded in its owner. */
struct timer {
	uint64_t        deadline;       /* CLOCK_MONOTONIC, ms; when armed */
	bool            armed;
	void          (*fn)(struct launchd *ld, void *arg);
	void           *arg;
	struct timer   *next;           /* on ld->timers while armed */
};

struct launchd {
	mach_port_t     bs_port;        /* receive + send: bootstrap and launch_proto */
	mach_port_t     notify_port;    /* receive: kernel notifications */
	mach_port_t     wake_port;      /* receive + send: event thread messages */
	mach_port_t     pset;           /* own ports + demand ports */
	int             epfd;           /* event thread: signalfd + pidfds */
	int             sigfd;
	struct timer   *timers;
	struct job     *jobs;           /* every loaded job */
	struct machservice *services;   /* every name in the namespace */
	struct overrides *overrides;
	const char     *ready_file;     /* written once serving (tests) */
	bool            shutting_down;
	union ld_msg   *buf;            /* receive buffer of the main thread */
};

/* ms since an arbitrary point (CLOCK_MONOTONIC). */
uint64_t now_ms(void);

void timer_init(struct timer *t, void (*fn)(struct launchd *, void *), void *arg);
void timer_arm(struct launchd *ld, struct timer *t, uint64_t delay_ms);
void timer_cancel(struct launchd *ld, struct timer *t);

/* Set up ports and the event thread; fatal on failure. */
void runloop_init(struct launchd *ld);
/* Serve until shutdown is complete; returns the exit status. */
int runloop_run(struct launchd *ld);

/* Put a receive right into / take it out of the port set. */
void runloop_watch_port(struct launchd *ld, mach_port_t port);
void runloop_unwatch_port(struct launchd *ld, mach_port_t port);

/* The exit of `pid` (pidfd) will arrive as a wake message.  0 or -1. */
int runloop_watch_pid(struct launchd *ld, pid_t pid, int pidfd);
void runloop_unwatch_pid(struct launchd *ld, int pidfd);

/* Begin an orderly shutdown: stop every job, exit once all are gone. */
void runloop_shutdown(struct launchd *ld);

/*
 * Send a reply of `size` bytes in `msg` to the reply right of `req`
 * (header filled here: remote = req's reply port with its disposition,
 * id = req id + 100), never blocking.  The reply right is consumed either
 * way; rights in `msg` are destroyed if it could not be sent.  Requests
 * without a reply port get nothing.  Returns the mach_msg code.
 */
mach_msg_return_t runloop_reply(mach_msg_header_t *req, mach_msg_header_t *msg,
    mach_msg_size_t size);
/* A mig_reply_error_t with `code` (MIG_BAD_ID, BOOTSTRAP_*, ...). */
void runloop_reply_error(mach_msg_header_t *req, kern_return_t code);
/* Same, to a saved reply right (deferred replies). */
mach_msg_return_t runloop_reply_to(mach_port_t reply, mach_msg_type_name_t disp,
    mach_msg_id_t id, mach_msg_header_t *msg, mach_msg_size_t size);

#endif /* LAUNCHD_RUNLOOP_H */
