/*
 * cmd_load.c -- putting plists into launchd and taking them out:
 * bootstrap / bootout (modern) and load / unload (legacy).  launchd
 * reads the files; a plist it cannot use comes back with the reader's
 * message (file, line, key, what was expected), printed as is.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lctl.h"
#include "lp_errors.h"

enum load_style { STYLE_BOOTSTRAP, STYLE_BOOTOUT, STYLE_LOAD, STYLE_UNLOAD };

/* Print what happened to one path; returns launchd's code. */
static int
report(enum load_style style, const char *path, const struct lp_reply *r)
{
	const char *text = r->len > 0 ? r->data : lp_strerror(r->code);

	switch (r->code) {
	case 0:
		return 0;
	case LP_EALREADY:
		fprintf(stderr, "%s: service already %s\n", path,
		    style == STYLE_BOOTSTRAP ? "bootstrapped" : "loaded");
		break;
	case LP_EBADPLIST:
		fprintf(stderr, "%s: Invalid property list\n%s\n", path, text);
		break;
	case LP_EDISABLED:
	case LP_ENOSERVICE:
		fprintf(stderr, "%s: %s\n", path, lp_strerror(r->code));
		break;
	default:
		fprintf(stderr, "%s: %s\n", path, text);
		break;
	}
	return r->code;
}

/* One plist to launchd (absolute path); the code, or -1 if unreachable. */
static int
one_path(enum load_style style, uint32_t flags, const char *path)
{
	char abs[PATH_MAX];
	struct lp_reply *r;
	int id = (style == STYLE_BOOTSTRAP || style == STYLE_LOAD) ? LP_LOAD : LP_UNLOAD_PATH;
	int rc;

	if (realpath(path, abs) == NULL) {
		fprintf(stderr, "%s: %s\n", path, lp_strerror(lp_errno_from_linux(errno)));
		return lp_errno_from_linux(errno);
	}
	if (lctl_call(id, flags, 0, abs, &r) < 0)
		return -1;
	rc = report(style, path, r);
	free(r);
	return rc;
}

static bool
is_plist_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 6 && strcasecmp(name + n - 6, ".plist") == 0;
}

/* Each path, or each *.plist inside a directory.  *last: last failure;
 * *count: files tried.  -1 if launchd could not be reached. */
static int
each_path(enum load_style style, uint32_t flags, int argc, char **argv, int *last, int *count)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int i, rc;
	DIR *d;

	for (i = 0; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(argv[i])) != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (!is_plist_name(de->d_name))
					continue;
				snprintf(sub, sizeof(sub), "%s/%s", argv[i], de->d_name);
				(*count)++;
				if ((rc = one_path(style, flags, sub)) < 0) {
					closedir(d);
					return -1;
				}
				if (rc != 0)
					*last = rc;
			}
			closedir(d);
			continue;
		}
		(*count)++;
		if ((rc = one_path(style, flags, argv[i])) < 0)
			return -1;
		if (rc != 0)
			*last = rc;
	}
	return 0;
}

int
cmd_bootstrap(const struct lctl_cmd *cmd, int argc, char **argv)
{
	struct target t;
	int rc, last = 0, count = 0;

	if (argc < 3)
		return lctl_usage(cmd);
	if ((rc = target_get(cmd, argv[1], 0, &t)) != 0)
		return rc;
	if (each_path(STYLE_BOOTSTRAP, 0, argc - 2, argv + 2, &last, &count) < 0)
		return 1;
	if (last != 0)
		fprintf(stderr, "Bootstrap failed: %d: %s\n", last, lp_strerror(last));
	return last;
}

int
cmd_bootout(const struct lctl_cmd *cmd, int argc, char **argv)
{
	struct lp_reply *r;
	struct target t;
	int rc, last = 0, count = 0;

	if (argc < 2)
		return lctl_usage(cmd);
	if ((rc = target_get(cmd, argv[1], -1, &t)) != 0)
		return rc;
	if (t.label != NULL) {
		if (argc != 2)
			return lctl_usage(cmd);
		if (lctl_call(LP_REMOVE, 0, 0, t.label, &r) < 0)
			return 1;
		last = r->code;
		free(r);
	} else if (argc == 2) {
		last = LP_ENOTSUP;      /* the one domain cannot be torn down */
	} else if (each_path(STYLE_BOOTOUT, 0, argc - 2, argv + 2, &last, &count) < 0) {
		return 1;
	}
	if (last != 0)
		fprintf(stderr, "Boot-out failed: %d: %s\n", last, lp_strerror(last));
	return last;
}

/* load/unload [-w] [-F]: exit 0 unless the usage is wrong (launchctl(1)). */
static int
legacy(const struct lctl_cmd *cmd, int argc, char **argv, bool load)
{
	uint32_t flags = 0;
	int i, last = 0, count = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *o;
		for (o = argv[i] + 1; *o != '\0'; o++) {
			if (*o == 'w')
				flags |= load ? LP_F_ENABLE : LP_F_DISABLE;
			else if (*o == 'F' && load)
				flags |= LP_F_FORCE;
			else
				return lctl_usage(cmd);
		}
	}
	if (i == argc)
		return lctl_usage(cmd);
	if (each_path(load ? STYLE_LOAD : STYLE_UNLOAD, flags, argc - i, argv + i, &last, &count) < 0)
		return 1;
	if (count == 0) {
		fprintf(stderr, "launchctl: nothing found to %s\n", load ? "load" : "unload");
		return 1;
	}
	return 0;
}

int
cmd_load(const struct lctl_cmd *cmd, int argc, char **argv)
{
	return legacy(cmd, argc, argv, true);
}

int
cmd_unload(const struct lctl_cmd *cmd, int argc, char **argv)
{
	return legacy(cmd, argc, argv, false);
}
