/*
 * launch_server.c -- the launchctl protocol (launch_proto.h): loading and
 * unloading plists, enable/disable, start/stop/kill, and the records
 * `list` and `print` are made from.  launchd reads the plists itself, so
 * a plist error reaches launchctl as the reader's message: file, line,
 * key and what was expected.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mach/mach.h>

#include "job.h"
#include "job_spec.h"
#include "launch_proto.h"
#include "log.h"
#include "lp_errors.h"
#include "machservice.h"
#include "overrides.h"
#include "plist.h"
#include "runloop.h"
#include "servers.h"

/* serve()'s results besides LP codes (which are >= 0). */
#define LP_DEFERRED     (-2)    /* a waiter will answer */
#define LP_NO_ROUTINE   (-1)

/* --- replies and records ------------------------------------------------------ */

static struct lp_reply *
reply_new(void)
{
	struct lp_reply *r = malloc(sizeof(*r));

	if (r != NULL) {
		memset(r, 0, LP_REP_FIXED);
		r->ndr = NDR_record;
	}
	return r;
}

/* Append "key\0value\0"; a record that would not fit is cut (len kept). */
static void
rec_put(struct lp_reply *r, const char *key, const char *fmt, ...)
{
	char value[LP_DATA_MAX];
	size_t klen = strlen(key) + 1, vlen;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	vlen = strlen(value) + 1;
	if (r->len + klen + vlen > LP_REPLY_MAX)
		return;
	memcpy(r->data + r->len, key, klen);
	memcpy(r->data + r->len + klen, value, vlen);
	r->len += (uint32_t)(klen + vlen);
}

static void
reply_text(struct lp_reply *r, const char *text)
{
	size_t n = strlen(text) + 1;

	if (n > LP_REPLY_MAX)
		n = LP_REPLY_MAX;
	memcpy(r->data, text, n);
	r->data[n - 1] = '\0';
	r->len = (uint32_t)n;
}

static void
reply_send(mach_msg_header_t *req, struct lp_reply *r)
{
	(void)runloop_reply(req, &r->head, LP_REP_FIXED + LP_ROUND4(r->len));
}

/* --- plists --------------------------------------------------------------------- */

static void
spec_warning(void *ctx, const char *line)
{
	(void)ctx;
	log_warnx("%s", line);
}

/*
 * Owned by us (or root), not writable by others, a regular file
 * (launchd.md 1.1); then read and check it.  0, or an LP_E* code with
 * the reason in r.
 */
static int
load_spec(const char *path, bool force, struct job_spec **out, struct lp_reply *r)
{
	struct plist_error err;
	struct plist *pl = NULL;
	struct stat st;
	int rc;

	if (stat(path, &st) < 0) {
		reply_text(r, strerror(errno));
		return lp_errno_from_linux(errno);
	}
	if (!S_ISREG(st.st_mode)) {
		reply_text(r, "Dubious path. Not a regular file");
		return LP_EINVAL;
	}
	if (!force && ((st.st_uid != 0 && st.st_uid != getuid()) || (st.st_mode & 022))) {
		reply_text(r, "Path had bad ownership/permissions");
		return LP_EPERM;
	}
	memset(&err, 0, sizeof(err));
	rc = plist_read_file(path, &pl, &err);
	if (rc == 0)
		rc = job_spec_from_plist(pl, path, out, &err, spec_warning, NULL);
	plist_free(pl);
	if (rc != 0) {
		reply_text(r, err.message);
		return LP_EBADPLIST;
	}
	return 0;
}

static bool
effectively_disabled(struct launchd *ld, const struct job_spec *spec)
{
	int ov = overrides_get(ld->overrides, spec->label);

	return ov >= 0 ? ov == 1 : spec->disabled;
}

static int
set_override(struct launchd *ld, const char *label, bool disabled, struct lp_reply *r)
{
	if (overrides_set(ld->overrides, label, disabled) == 0)
		return 0;
	log_warn("cannot save the override of %s", label);
	reply_text(r, strerror(errno));
	return lp_errno_from_linux(errno);
}

static int
do_load(struct launchd *ld, const struct lp_request *q, struct lp_reply *r)
{
	struct job_spec *spec = NULL;
	int rc = load_spec(q->data, (q->flags & LP_F_FORCE) != 0, &spec, r);

	if (rc != 0)
		return rc;
	if ((q->flags & LP_F_ENABLE) && (rc = set_override(ld, spec->label, false, r)) != 0)
		goto fail;
	if (!(q->flags & LP_F_FORCE) && effectively_disabled(ld, spec)) {
		reply_text(r, spec->label);
		rc = LP_EDISABLED;
		goto fail;
	}
	if (ld->shutting_down) {
		rc = LP_EIO;
		goto fail;
	}
	reply_text(r, spec->label);
	rc = job_load(ld, spec, NULL);
	if (rc == LP_EEXIST)
		rc = LP_EALREADY;
	if (rc != 0)
		goto fail;
	log_info("%s: Loaded from %s", r->data, q->data);
	return 0;
fail:
	job_spec_free(spec);
	return rc;
}

/* Unload a job: the reply waits until it is gone (LP_DEFERRED). */
static int
do_unload(struct launchd *ld, mach_msg_header_t *req, const char *label, bool disable,
    int unknown, struct lp_reply *r)
{
	struct job *j;
	int rc;

	if (disable && (rc = set_override(ld, label, true, r)) != 0)
		return rc;
	j = job_find(ld, label);
	if (j == NULL)
		return unknown;
	if (job_wait(j, JOB_WAIT_REMOVED, req) < 0)
		return LP_ENOMEM;
	job_remove(j);
	return LP_DEFERRED;
}

static int
do_unload_path(struct launchd *ld, mach_msg_header_t *req, const struct lp_request *q,
    struct lp_reply *r)
{
	struct job_spec *spec = NULL;
	char label[LP_DATA_MAX];
	int rc = load_spec(q->data, true, &spec, r);

	if (rc != 0)
		return rc;
	snprintf(label, sizeof(label), "%s", spec->label);
	job_spec_free(spec);
	return do_unload(ld, req, label, (q->flags & LP_F_DISABLE) != 0, LP_ENOSERVICE, r);
}

static int
do_start(struct launchd *ld, mach_msg_header_t *req, const struct lp_request *q,
    struct lp_reply *r)
{
	struct job *j = job_find(ld, q->data);

	if (j == NULL)
		return (q->flags & LP_F_KICK) ? LP_ENOSERVICE : LP_ESRCH;
	if (!(q->flags & LP_F_KICK)) {
		job_kickstart(j, false);
		r->pid = j->pid;
		return 0;
	}
	if (j->pid > 0 && !(q->flags & LP_F_KILL)) {
		r->pid = j->pid;
		return 0;
	}
	if (job_wait(j, JOB_WAIT_STARTED, req) < 0)
		return LP_ENOMEM;
	if (j->pid > 0) {
		/* -k: the next instance starts once this one is gone. */
		j->start_pending = true;
		j->no_throttle = true;
		j->reason = "kickstart";
		job_stop(j);
	} else {
		job_kickstart(j, true);
	}
	return LP_DEFERRED;
}

static int
do_kill(struct launchd *ld, const struct lp_request *q)
{
	struct job *j = job_find(ld, q->data);

	if (j == NULL)
		return LP_ENOSERVICE;
	if (q->arg <= 0 || q->arg >= NSIG)
		return LP_EINVAL;
	if (j->pid <= 0)
		return LP_ESRCH;
	if (kill(j->pid, q->arg) < 0)
		return lp_errno_from_linux(errno);
	return 0;
}

/* --- records ---------------------------------------------------------------------- */

static void
rec_endpoint(struct lp_reply *r, const struct machservice *ms)
{
	char owner[160];

	if (ms->job != NULL)
		snprintf(owner, sizeof(owner), "%s", ms->job->spec->label);
	else
		snprintf(owner, sizeof(owner), "pid %d", (int)ms->owner_pid);
	rec_put(r, "endpoint", "%s%c%s%s%s%s%c0x%x%c%s", ms->name, LP_EP_SEP,
	    ms->active ? "a" : "", ms->hide ? "h" : "", ms->reset ? "r" : "",
	    ms->kind == MS_DECLARED ? "d" : ms->kind == MS_DYNAMIC ? "y" : "g",
	    LP_EP_SEP, ms->port, LP_EP_SEP, owner);
}

static const char *
keepalive_text(const struct job_keepalive *ka, char *buf, size_t size)
{
	if (ka->always)
		return "always";
	if (!ka->has_successful_exit && !ka->has_crashed)
		return "false";
	snprintf(buf, size, "%s%s%s",
	    !ka->has_successful_exit ? "" : ka->successful_exit ? "SuccessfulExit" : "!SuccessfulExit",
	    ka->has_successful_exit && ka->has_crashed ? " " : "",
	    !ka->has_crashed ? "" : ka->crashed ? "Crashed" : "!Crashed");
	return buf;
}

static void
rec_job(struct launchd *ld, struct lp_reply *r, const struct job *j)
{
	const struct job_spec *s = j->spec;
	const struct machservice *ms;
	char ka[64];
	size_t i;

	rec_put(r, "label", "%s", s->label);
	rec_put(r, "path", "%s", s->file != NULL ? s->file : "");
	rec_put(r, "state", "%s", job_state_name(j));
	rec_put(r, "program", "%s", s->program != NULL ? s->program : s->argv[0]);
	for (i = 0; i < s->argc; i++)
		rec_put(r, "argument", "%s", s->argv[i]);
	for (i = 0; i < s->envc; i++)
		rec_put(r, "env", "%s", s->env[i]);
	if (s->working_directory != NULL)
		rec_put(r, "working_directory", "%s", s->working_directory);
	if (s->stdin_path != NULL)
		rec_put(r, "stdin_path", "%s", s->stdin_path);
	if (s->stdout_path != NULL)
		rec_put(r, "stdout_path", "%s", s->stdout_path);
	if (s->stderr_path != NULL)
		rec_put(r, "stderr_path", "%s", s->stderr_path);
	if (s->umask >= 0)
		rec_put(r, "umask", "%d", s->umask);
	rec_put(r, "throttle_interval", "%u", s->throttle_interval);
	rec_put(r, "exit_timeout", "%u", s->exit_timeout);
	rec_put(r, "run_at_load", "%d", s->run_at_load);
	rec_put(r, "keepalive", "%s", keepalive_text(&s->keepalive, ka, sizeof(ka)));
	rec_put(r, "disabled", "%d", effectively_disabled(ld, s));
	rec_put(r, "runs", "%u", j->runs);
	rec_put(r, "successive_crashes", "%u", j->successive_crashes);
	if (j->pid > 0)
		rec_put(r, "pid", "%d", (int)j->pid);
	if (j->has_exited)
		rec_put(r, "last_exit_status", "%d", j->last_status);
	if (j->reason != NULL)
		rec_put(r, "reason", "%s", j->reason);
	rec_put(r, "checked_in", "%d", j->checked_in);
	for (ms = ld->services; ms != NULL; ms = ms->next)
		if (ms->job == j)
			rec_endpoint(r, ms);
	r->pid = j->pid;
}

static int
do_info(struct launchd *ld, const struct lp_request *q, struct lp_reply *r)
{
	struct job *j;
	int32_t i = 0;

	if (q->flags & LP_F_INDEX) {
		for (j = ld->jobs; j != NULL && i < q->arg; j = j->next)
			i++;
		if (j == NULL || q->arg < 0)
			return LP_ENOENT;
	} else if ((j = job_find(ld, q->data)) == NULL) {
		return LP_ENOSERVICE;
	}
	rec_job(ld, r, j);
	return 0;
}

static int
do_domain(struct launchd *ld, struct lp_reply *r)
{
	const struct machservice *ms;
	const struct job *j;
	unsigned n = 0;
	size_t i;
	bool dis;

	for (j = ld->jobs; j != NULL; j = j->next)
		n++;
	rec_put(r, "jobs", "%u", n);
	for (ms = ld->services; ms != NULL; ms = ms->next)
		rec_endpoint(r, ms);
	for (i = 0; i < overrides_count(ld->overrides); i++) {
		const char *label = overrides_at(ld->overrides, i, &dis);
		rec_put(r, "override", "%s%c%s", label, LP_EP_SEP, dis ? "disabled" : "enabled");
	}
	r->pid = (int32_t)getpid();
	return 0;
}

/* --- dispatch ------------------------------------------------------------------------ */

static bool
request_ok(const mach_msg_header_t *h)
{
	const struct lp_request *q = (const void *)h;

	if ((h->msgh_bits & MACH_MSGH_BITS_COMPLEX) || h->msgh_size < LP_REQ_FIXED)
		return false;
	if (q->len == 0 || q->len > LP_DATA_MAX || h->msgh_size != LP_REQ_FIXED + LP_ROUND4(q->len))
		return false;
	return q->data[q->len - 1] == '\0';
}

/* Returns an LP code, LP_DEFERRED or LP_NO_ROUTINE. */
static int
serve(struct launchd *ld, mach_msg_header_t *h, struct lp_request *q, struct lp_reply *r)
{
	switch (h->msgh_id) {
	case LP_LOAD:           return do_load(ld, q, r);
	case LP_UNLOAD_PATH:    return do_unload_path(ld, h, q, r);
	case LP_REMOVE:         return do_unload(ld, h, q->data, (q->flags & LP_F_DISABLE) != 0,
	                            LP_ESRCH, r);
	case LP_ENABLE:         return set_override(ld, q->data, false, r);
	case LP_DISABLE:        return set_override(ld, q->data, true, r);
	case LP_START:          return do_start(ld, h, q, r);
	case LP_STOP: {
		struct job *j = job_find(ld, q->data);
		if (j == NULL)
			return LP_ESRCH;
		job_stop(j);
		return 0;
	}
	case LP_KILL:           return do_kill(ld, q);
	case LP_INFO:           return do_info(ld, q, r);
	case LP_DOMAIN:         return do_domain(ld, r);
	default:                return LP_NO_ROUTINE;
	}
}

void
launch_server(struct launchd *ld, mach_msg_header_t *h, pid_t pid)
{
	struct lp_request *q = (struct lp_request *)h;
	struct lp_reply *r;
	int rc;

	(void)pid;      /* same uid only: machd refuses other users' tasks */
	if (!request_ok(h)) {
		runloop_reply_error(h, MIG_BAD_ARGUMENTS);
		mach_msg_destroy(h);
		return;
	}
	r = reply_new();
	if (r == NULL) {
		runloop_reply_error(h, KERN_RESOURCE_SHORTAGE);
		return;
	}
	rc = serve(ld, h, q, r);
	if (rc == LP_NO_ROUTINE) {
		runloop_reply_error(h, MIG_BAD_ID);
	} else if (rc != LP_DEFERRED) {
		r->code = rc;
		reply_send(h, r);
	}
	free(r);
}

void
servers_cleanup(struct launchd *ld)
{
	while (ld->services != NULL)
		machservice_delete(ld, ld->services);
	overrides_free(ld->overrides);
	ld->overrides = NULL;
}
