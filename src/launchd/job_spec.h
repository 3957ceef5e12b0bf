/*
 * job_spec.h -- a launchd job as its plist describes it
 * (../shared/spec/launchd.md sections 1.1-1.4): the checked, typed form
 * launchd keeps and acts on.  job_spec_from_plist validates everything up
 * front, so that a job either loads whole or not at all.
 *
 * Ownership: a job_spec owns every string and array in it;
 * job_spec_free releases them all.
 */
#ifndef LAUNCHD_JOB_SPEC_H
#define LAUNCHD_JOB_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "plist.h"

#define JOB_NAME_MAX 127                 /* name_t without its NUL (spec 4.2) */

struct job_machservice {
	char *name;                      /* at most JOB_NAME_MAX bytes */
	bool  reset_at_close;
	bool  hide_until_checkin;
};

/* KeepAlive (spec 1.3): `always`, or the dict conditions, ORed. */
struct job_keepalive {
	bool always;                     /* KeepAlive = true (or OnDemand = false) */
	bool has_successful_exit;        /* SuccessfulExit present ... */
	bool successful_exit;            /* ... and its value */
	bool has_crashed;
	bool crashed;
};

struct job_spec {
	char   *label;
	char   *program;                 /* NULL: argv[0] is looked up in PATH */
	char  **argv;                    /* NULL-terminated, at least one element */
	size_t  argc;
	char  **env;                     /* NULL-terminated "KEY=VALUE", may be empty */
	size_t  envc;
	struct job_machservice *services;
	size_t  nservices;
	bool    run_at_load;
	struct job_keepalive keepalive;
	/* Start once when loaded: RunAtLoad, KeepAlive = true, or a KeepAlive
	 * SuccessfulExit or Crashed condition (842 sets "start pending" for
	 * those two: they imply a first run). */
	bool    start_on_load;
	uint32_t throttle_interval;      /* seconds; default 10 */
	uint32_t exit_timeout;           /* seconds; default 20; 0 = never SIGKILL */
	char   *working_directory;       /* NULL: "/" */
	char   *stdin_path, *stdout_path, *stderr_path;   /* NULL: /dev/null */
	int     umask;                   /* -1: inherited */
	bool    disabled;
	bool    abandon_process_group;
	char   *file;                    /* the plist's path, for messages */
};

/*
 * Check a parsed plist and build its job_spec.  Fatal problems (spec 1.1:
 * not a dictionary, Label missing or invalid, no Program and no
 * ProgramArguments, a known key whose value cannot be used) return -1
 * with *err naming the file, line, key and what was expected.  Unknown
 * keys and keys launchd accepts but does not support are warnings: each
 * is passed to `warn` (may be NULL) as one line such as
 *   "agent.plist:9: key StartInterval: not supported, ignored"
 * and the job still loads.  `file` names the plist in messages.
 */
int job_spec_from_plist(const struct plist *plist, const char *file,
    struct job_spec **out, struct plist_error *err,
    void (*warn)(void *ctx, const char *line), void *ctx);

void job_spec_free(struct job_spec *spec);

#endif /* LAUNCHD_JOB_SPEC_H */
