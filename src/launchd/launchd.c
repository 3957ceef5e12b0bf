/*
 * launchd.c -- main: arguments, the log, the overrides database, the
 * bootstrap port, the plists named on the command line, then the event
 * loop (runloop.c) until every job is gone.
 *
 *   machd --launchd launchd [--log FILE] [--ready FILE] [--overrides FILE]
 *                           [PLIST...]
 *   launchd -n PLIST...     check plists and exit (no machd needed)
 *
 * launchd must be machd's init task: it makes itself the default
 * bootstrap port with task_set_special_port, which machd allows that
 * task alone.
 */
#include <errno.h>
#include <limits.h>
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
#include "overrides.h"
#include "plist.h"
#include "runloop.h"
#include "servers.h"

struct options {
	const char     *log_file;
	const char     *ready_file;
	const char     *overrides_file;
	bool            check_only;
	char          **plists;
	int             nplists;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: machd --launchd launchd [--log FILE] [--ready FILE] [--overrides FILE] [PLIST...]\n"
	    "       launchd -n PLIST...\n"
	    "  --log FILE        also append log lines to FILE\n"
	    "  --ready FILE      write launchd's pid to FILE once it serves the bootstrap port\n"
	    "  --overrides FILE  the enabled/disabled database (default:\n"
	    "                    $XDG_STATE_HOME/machxfer/launchd.overrides)\n"
	    "  -n                check the plists, print \"configuration OK\" or the errors\n");
	exit(2);
}

static void
parse_args(int argc, char **argv, struct options *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--log") == 0 && i + 1 < argc)
			o->log_file = argv[++i];
		else if (strcmp(a, "--ready") == 0 && i + 1 < argc)
			o->ready_file = argv[++i];
		else if (strcmp(a, "--overrides") == 0 && i + 1 < argc)
			o->overrides_file = argv[++i];
		else if (strcmp(a, "-n") == 0)
			o->check_only = true;
		else if (a[0] == '-')
			usage();
		else
			break;
	}
	o->plists = argv + i;
	o->nplists = argc - i;
}

/* $XDG_STATE_HOME/machxfer/launchd.overrides (~/.local/state by default),
 * creating the directory; NULL (memory only) if there is no home. */
static const char *
default_overrides(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX - 64];

	if (xdg != NULL && *xdg != '\0')
		snprintf(dir, sizeof(dir), "%s/machxfer", xdg);
	else if (home != NULL && *home != '\0')
		snprintf(dir, sizeof(dir), "%s/.local/state/machxfer", home);
	else
		return NULL;
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(dir, 0700);
			*p = '/';
		}
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return NULL;
	snprintf(buf, size, "%s/launchd.overrides", dir);
	return buf;
}

static void
warn_line(void *ctx, const char *line)
{
	(void)ctx;
	log_warnx("%s", line);
}

/* Read and check one plist; the spec, or NULL after logging why. */
static struct job_spec *
read_spec(const char *path)
{
	struct plist_error err;
	struct plist *pl = NULL;
	struct job_spec *spec = NULL;

	memset(&err, 0, sizeof(err));
	if (plist_read_file(path, &pl, &err) != 0 ||
	    job_spec_from_plist(pl, path, &spec, &err, warn_line, NULL) != 0) {
		log_warnx("%s: Invalid property list: %s", path, err.message);
		spec = NULL;
	}
	plist_free(pl);
	return spec;
}

static int
check_plists(const struct options *o)
{
	int i, bad = 0;

	for (i = 0; i < o->nplists; i++) {
		struct job_spec *spec = read_spec(o->plists[i]);
		if (spec == NULL)
			bad++;
		job_spec_free(spec);
	}
	if (bad == 0)
		log_info("configuration OK");
	return bad == 0 ? 0 : 1;
}

static void
load_plists(struct launchd *ld, const struct options *o)
{
	int i, rc;

	for (i = 0; i < o->nplists; i++) {
		struct job_spec *spec = read_spec(o->plists[i]);
		if (spec == NULL)
			continue;
		if (overrides_get(ld->overrides, spec->label) == 1) {
			log_info("%s: disabled, not loaded", spec->label);
			job_spec_free(spec);
			continue;
		}
		rc = job_load(ld, spec, NULL);
		if (rc != 0) {
			log_warnx("%s: %s", o->plists[i], lp_strerror(rc));
			job_spec_free(spec);
		}
	}
}

int
main(int argc, char **argv)
{
	struct launchd ld;
	struct options o;
	char ovbuf[PATH_MAX];
	const char *ovpath;
	int rc;

	parse_args(argc, argv, &o);
	if (log_open("launchd", o.log_file) < 0)
		fatal("cannot open the log %s", o.log_file);
	if (o.check_only)
		return check_plists(&o);
	memset(&ld, 0, sizeof(ld));
	ld.ready_file = o.ready_file;
	ovpath = o.overrides_file != NULL ? o.overrides_file :
	    default_overrides(ovbuf, sizeof(ovbuf));
	ld.overrides = overrides_open(ovpath);
	if (ld.overrides == NULL)
		fatalx("cannot use the overrides database %s", ovpath != NULL ? ovpath : "(memory)");
	runloop_init(&ld);
	log_info("serving the bootstrap namespace (pid %d)", (int)getpid());
	load_plists(&ld, &o);
	rc = runloop_run(&ld);
	overrides_free(ld.overrides);
	free(ld.buf);
	log_close();
	return rc;
}
