/*
 * job.c -- the job state machine (invariants in job.h): load, dispatch
 * (launchd.md 5.2), throttling (5.4), exit classification (5.5),
 * stopping (5.6) and removal (4.11).  Spawning is job_spawn.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "job.h"
#include "launch_proto.h"
#include "log.h"
#include "machservice.h"
#include "runloop.h"

static void job_start(struct job *j);

void
job_log(const struct job *j, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j == NULL)
		log_info("%s", msg);
	else if (j->pid > 0)
		log_info("%s[%d]: %s", j->spec->label, (int)j->pid, msg);
	else
		log_info("%s: %s", j->spec->label, msg);
}

struct job *
job_find(struct launchd *ld, const char *label)
{
	struct job *j;

	for (j = ld->jobs; j != NULL; j = j->next)
		if (strcmp(j->spec->label, label) == 0)
			return j;
	return NULL;
}

struct job *
job_find_pid(struct launchd *ld, pid_t pid)
{
	struct job *j;

	if (pid <= 0)
		return NULL;
	for (j = ld->jobs; j != NULL; j = j->next)
		if (j->pid == pid)
			return j;
	return NULL;
}

/* Apply fn to every declared service of j. */
static void
job_services_each(struct job *j, void (*fn)(struct launchd *, struct machservice *))
{
	struct machservice *ms, *next;

	for (ms = j->ld->services; ms != NULL; ms = next) {
		next = ms->next;
		if (ms->job == j && ms->kind == MS_DECLARED)
			fn(j->ld, ms);
	}
}

bool
job_active(const struct job *j)
{
	const struct machservice *ms;

	if (j->pid > 0)
		return true;
	for (ms = j->ld->services; ms != NULL; ms = ms->next)
		if (ms->job == j && ms->kind == MS_DECLARED && ms->active)
			return true;
	return false;
}

static bool
job_has_messages(const struct job *j)
{
	const struct machservice *ms;

	for (ms = j->ld->services; ms != NULL; ms = ms->next)
		if (ms->job == j && machservice_msgcount(ms) > 0)
			return true;
	return false;
}

/* launchd.md 5.2, keepalive() in 842's order. */
static bool
job_keepalive(const struct job *j)
{
	const struct job_keepalive *ka = &j->spec->keepalive;
	bool clean;

	if (j->ld->shutting_down)
		return false;
	if (j->start_pending || ka->always || job_has_messages(j))
		return true;
	if (!j->has_exited)
		return false;
	clean = WIFEXITED(j->last_status) && WEXITSTATUS(j->last_status) == 0;
	if (ka->has_successful_exit && ka->successful_exit == clean)
		return true;
	if (ka->has_crashed && ka->crashed == j->last_crashed)
		return true;
	return false;
}

/* --- deferred replies --------------------------------------------------------- */

int
job_wait(struct job *j, enum job_wait what, mach_msg_header_t *req)
{
	struct job_waiter *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -1;
	w->what = what;
	w->reply = req->msgh_remote_port;
	w->disp = MACH_MSGH_BITS_REMOTE(req->msgh_bits);
	w->id = req->msgh_id;
	req->msgh_remote_port = MACH_PORT_NULL;
	w->next = j->waiters;
	j->waiters = w;
	return 0;
}

static void
job_answer(struct job *j, enum job_wait what, int code)
{
	struct job_waiter **pp = &j->waiters, *w;
	struct lp_reply r;

	while ((w = *pp) != NULL) {
		if (w->what != what) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		memset(&r, 0, LP_REP_FIXED);
		r.ndr = NDR_record;
		r.code = code;
		r.pid = j->pid;
		(void)runloop_reply_to(w->reply, w->disp, w->id, &r.head, LP_REP_FIXED);
		free(w);
	}
}

/* --- load and delete ------------------------------------------------------------ */

int
job_load(struct launchd *ld, struct job_spec *spec, struct job **out)
{
	struct job *j, **tail;
	size_t i;

	if (job_find(ld, spec->label) != NULL)
		return LP_EEXIST;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return LP_ENOMEM;
	j->ld = ld;
	j->spec = spec;
	j->pidfd = -1;
	timer_init(&j->throttle_timer, NULL, j);
	timer_init(&j->exit_timer, NULL, j);
	for (i = 0; i < spec->nservices; i++)
		(void)machservice_declare(ld, j, spec->services[i].name,
		    spec->services[i].hide_until_checkin, spec->services[i].reset_at_close);
	for (tail = &ld->jobs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = j;
	/* RunAtLoad; SuccessfulExit and Crashed imply a first run (842). */
	j->start_pending = spec->run_at_load || spec->keepalive.has_successful_exit ||
	    spec->keepalive.has_crashed;
	if (j->start_pending)
		j->reason = "speculative (RunAtLoad)";
	if (out != NULL)
		*out = j;
	job_dispatch(j);
	return 0;
}

static void
job_delete(struct job *j)
{
	struct launchd *ld = j->ld;
	struct machservice *ms, *next;
	struct job **pp;

	for (ms = ld->services; ms != NULL; ms = next) {
		next = ms->next;
		if (ms->job == j)
			machservice_delete(ld, ms);
	}
	timer_cancel(ld, &j->throttle_timer);
	timer_cancel(ld, &j->exit_timer);
	job_answer(j, JOB_WAIT_STARTED, LP_ESRCH);
	job_answer(j, JOB_WAIT_REMOVED, 0);
	for (pp = &ld->jobs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	job_log(j, "Removed");
	job_spec_free(j->spec);
	free(j);
}

/* --- dispatch ----------------------------------------------------------------- */

static void
job_watch_one(struct launchd *ld, struct machservice *ms)
{
	machservice_watch(ld, ms);
}

static void
job_unwatch_one(struct launchd *ld, struct machservice *ms)
{
	machservice_unwatch(ld, ms);
}

void
job_dispatch(struct job *j)
{
	if (job_active(j) || j->throttle_timer.armed)
		return;
	if (j->removal_pending) {
		job_delete(j);
		return;
	}
	if (job_keepalive(j)) {
		if (j->reason == NULL || !j->start_pending)
			j->reason = j->spec->keepalive.always ? "inefficient (KeepAlive)" :
			    job_has_messages(j) ? "ipc (mach message)" : "keepalive condition";
		job_start(j);
		return;
	}
	job_services_each(j, job_watch_one);
}

static void
job_throttle_fired(struct launchd *ld, void *arg)
{
	struct job *j = arg;

	(void)ld;
	j->start_pending = true;
	job_dispatch(j);
}

static void
job_start(struct job *j)
{
	uint64_t now = now_ms(), min = (uint64_t)j->spec->throttle_interval * 1000u;
	pid_t pid;
	int pidfd;

	job_services_each(j, job_unwatch_one);
	if (!j->no_throttle && j->runs > 0 && now - j->last_start < min) {
		uint64_t delay = min - (now - j->last_start);
		job_log(j, "Throttling respawn: Will start in %u seconds",
		    (unsigned)((delay + 999) / 1000));
		j->throttle_timer.fn = job_throttle_fired;
		timer_arm(j->ld, &j->throttle_timer, delay);
		return;
	}
	if (job_spawn(j, &pid, &pidfd) < 0) {
		/* fork() or pidfd_open() failed: retry in a second (842). */
		j->throttle_timer.fn = job_throttle_fired;
		timer_arm(j->ld, &j->throttle_timer, 1000);
		return;
	}
	j->pid = pid;
	j->pidfd = pidfd;
	j->runs++;
	j->last_start = now;
	j->start_pending = false;
	j->no_throttle = false;
	j->checked_in = false;
	j->stopping = false;
	j->sent_kill = false;
	if (runloop_watch_pid(j->ld, pid, pidfd) < 0)
		fatal("cannot watch the pidfd of %s[%d]", j->spec->label, (int)pid);
	job_log(j, "Started (%s)", j->reason != NULL ? j->reason : "demand");
	job_answer(j, JOB_WAIT_STARTED, 0);
}

void
job_demand(struct job *j)
{
	job_services_each(j, job_unwatch_one);
	if (job_active(j))
		return;
	j->start_pending = true;
	j->reason = "ipc (mach message)";
	job_dispatch(j);
}

void
job_kickstart(struct job *j, bool no_throttle)
{
	if (j->pid > 0)
		return;
	j->start_pending = true;
	j->reason = "kickstart";
	if (no_throttle) {
		j->no_throttle = true;
		timer_cancel(j->ld, &j->throttle_timer);
	}
	job_dispatch(j);
}

void
job_service_returned(struct job *j)
{
	job_dispatch(j);
}

void
job_checked_in(struct job *j)
{
	if (j != NULL)
		j->checked_in = true;
}

/* --- stopping ----------------------------------------------------------------- */

static void
job_exit_timeout(struct launchd *ld, void *arg)
{
	struct job *j = arg;

	(void)ld;
	if (j->pid <= 0)
		return;
	job_log(j, "Exit timeout elapsed (%u seconds). Killing", j->spec->exit_timeout);
	if (kill(j->pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("%s: kill(%d, SIGKILL)", j->spec->label, (int)j->pid);
	j->sent_kill = true;
}

void
job_stop(struct job *j)
{
	if (j->pid <= 0 || j->stopping)
		return;
	job_log(j, "Stopping job...");
	if (kill(j->pid, SIGTERM) < 0 && errno != ESRCH)
		log_warn("%s: kill(%d, SIGTERM)", j->spec->label, (int)j->pid);
	j->stopping = true;
	if (j->spec->exit_timeout > 0) {
		j->exit_timer.fn = job_exit_timeout;
		timer_arm(j->ld, &j->exit_timer, (uint64_t)j->spec->exit_timeout * 1000u);
	} else {
		job_log(j, "This job has an infinite exit timeout");
	}
}

void
job_remove(struct job *j)
{
	j->removal_pending = true;
	j->start_pending = false;
	timer_cancel(j->ld, &j->throttle_timer);
	if (j->pid > 0)
		job_stop(j);
	else
		job_dispatch(j);
}

/* --- exit --------------------------------------------------------------------- */

static bool
crash_signal(int sig)
{
	switch (sig) {
	case SIGILL: case SIGABRT: case SIGFPE: case SIGBUS: case SIGSEGV: case SIGSYS: case SIGTRAP:
		return true;
	default:
		return false;
	}
}

/* Log the exit (launchd.md 5.5); true if it was a crash. */
static bool
job_classify(struct job *j, int status)
{
	int sig;

	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) != 0)
			job_log(j, "Exited with code: %d", WEXITSTATUS(status));
		else
			job_log(j, "Exited");
		return false;
	}
	sig = WTERMSIG(status);
	if (j->stopping) {
		job_log(j, "Exited: %s: %d (stopped by launchd)", strsignal(sig), sig);
		return false;
	}
	if (sig == SIGKILL || sig == SIGTERM) {
		job_log(j, "Exited: %s: %d", strsignal(sig), sig);
		return false;
	}
	if (crash_signal(sig)) {
		job_log(j, "Job appears to have crashed: %s: %d", strsignal(sig), sig);
		return true;
	}
	job_log(j, "Exited abnormally: %s: %d", strsignal(sig), sig);
	return false;
}

void
job_reap(struct job *j)
{
	siginfo_t si;
	pid_t pid = j->pid;
	int status;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)j->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0) {
		/* Not over after all: watch again. */
		runloop_unwatch_pid(j->ld, j->pidfd);
		if (runloop_watch_pid(j->ld, pid, j->pidfd) < 0)
			fatal("cannot watch the pidfd of %s[%d]", j->spec->label, (int)pid);
		return;
	}
	if (si.si_code == CLD_EXITED)
		status = (si.si_status & 0xff) << 8;
	else
		status = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
	j->last_crashed = job_classify(j, status);
	runloop_unwatch_pid(j->ld, j->pidfd);
	close(j->pidfd);
	j->pidfd = -1;
	j->pid = 0;
	timer_cancel(j->ld, &j->exit_timer);
	/* Stray processes of the job's group go too (AbandonProcessGroup). */
	if (!j->spec->abandon_process_group && killpg(pid, SIGTERM) < 0 && errno != ESRCH)
		log_warn("%s: killpg(%d)", j->spec->label, (int)pid);
	j->successive_crashes = j->last_crashed ? j->successive_crashes + 1 : 0;
	j->has_exited = true;
	j->last_status = status;
	j->stopping = false;
	j->sent_kill = false;
	j->checked_in = false;
	j->reason = NULL;
	job_dispatch(j);
}

const char *
job_state_name(const struct job *j)
{
	if (j->pid > 0)
		return j->stopping ? "stopping" : "running";
	if (j->throttle_timer.armed)
		return "spawn scheduled";
	if (job_active(j))
		return "exited, endpoints still checked out";
	return "not running";
}
