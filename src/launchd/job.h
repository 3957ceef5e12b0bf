/*
 * job.h -- a loaded launchd job and its life (launchd.md section 5):
 * waiting -> (spawn scheduled) -> running -> (stopping) -> exited ->
 * waiting again, or removed.
 *
 * Invariants:
 * - pid > 0 exactly while the process launchd spawned has not been
 *   reaped; pidfd is then open and watched by the runloop.
 * - A job is "active" while its process runs or any of its declared
 *   services is still checked out (active): it is never started again
 *   before every receive right has come back, so no message is lost and
 *   the next instance's check-in cannot hit BOOTSTRAP_SERVICE_ACTIVE.
 * - throttle_timer is armed only while the job is not active and a
 *   start is due ("spawn scheduled"); its ports are then not watched.
 * - Deferred replies (bootout waits for removal, kickstart for the
 *   pid) live on `waiters` and are answered exactly once.
 */
#ifndef LAUNCHD_JOB_H
#define LAUNCHD_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <mach/mach.h>

#include "job_spec.h"
#include "runloop.h"

enum job_wait { JOB_WAIT_REMOVED, JOB_WAIT_STARTED };

struct job_waiter {
	struct job_waiter  *next;
	enum job_wait       what;
	mach_port_t         reply;
	mach_msg_type_name_t disp;
	mach_msg_id_t       id;         /* request id */
};

struct job {
	struct job         *next;       /* ld->jobs */
	struct launchd     *ld;
	struct job_spec    *spec;       /* owned */
	/* the process */
	pid_t               pid;
	int                 pidfd;
	uint64_t            last_start; /* now_ms() of the last spawn */
	unsigned            runs;
	/* decisions */
	bool                start_pending;  /* RunAtLoad, demand, kickstart ... */
	bool                no_throttle;    /* the pending start is a kickstart */
	bool                removal_pending;
	bool                stopping;       /* launchd sent SIGTERM */
	bool                sent_kill;
	bool                checked_in;
	/* the last exit */
	bool                has_exited;
	int                 last_status;    /* raw wait status */
	bool                last_crashed;
	unsigned            successive_crashes;
	const char         *reason;         /* why it was last started */
	struct timer        throttle_timer;
	struct timer        exit_timer;     /* ExitTimeOut after SIGTERM */
	struct job_waiter  *waiters;
};

/* Load a checked spec (ownership passes to launchd on success).  0 or an
 * LP_E* code: LP_EEXIST if the label is loaded. */
int job_load(struct launchd *ld, struct job_spec *spec, struct job **out);

struct job *job_find(struct launchd *ld, const char *label);
struct job *job_find_pid(struct launchd *ld, pid_t pid);

/* Running, or receive rights still out. */
bool job_active(const struct job *j);

/* The decision of launchd.md 5.2: start now, later, or watch. */
void job_dispatch(struct job *j);

/* A message arrived on a watched port of j. */
void job_demand(struct job *j);

/* launchctl start/kickstart: start_pending (+ no throttle for kick). */
void job_kickstart(struct job *j, bool no_throttle);

/* SIGTERM, then SIGKILL after ExitTimeOut.  No-op if not running. */
void job_stop(struct job *j);

/* Unload: stop, then delete once inactive (answering REMOVED waiters). */
void job_remove(struct job *j);

/* The process behind pidfd has exited: reap and decide. */
void job_reap(struct job *j);

/* A declared service of j came back. */
void job_service_returned(struct job *j);

/* Check-in by the job's own process. */
void job_checked_in(struct job *j);

/* Queue a deferred reply; -1 if out of memory. */
int job_wait(struct job *j, enum job_wait what, mach_msg_header_t *req);

/* "running", "spawn scheduled", "not running", ... */
const char *job_state_name(const struct job *j);

/* Log a line that starts with "label[pid]: " (or "label: "). */
void job_log(const struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Spawn the process (job_spawn.c): 0 with *pid and *pidfd, or -1. */
int job_spawn(struct job *j, pid_t *pid, int *pidfd);

#endif /* LAUNCHD_JOB_H */
