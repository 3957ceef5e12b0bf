/*
 * cmd_service.c -- subcommands that act on one loaded service: enable,
 * disable, kickstart, kill (modern, service targets) and start, stop,
 * remove (legacy, bare labels).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lctl.h"
#include "lp_errors.h"

static int
not_found(const struct target *t)
{
	fprintf(stderr, "Could not find service \"%s\" in domain for %s\n", t->label, t->desc);
	return LP_ENOSERVICE;
}

int
cmd_enable(const struct lctl_cmd *cmd, int argc, char **argv)
{
	bool enable = strcmp(cmd->name, "enable") == 0;
	struct lp_reply *r;
	struct target t;
	int rc;

	if (argc != 2)
		return lctl_usage(cmd);
	if ((rc = target_get(cmd, argv[1], 1, &t)) != 0)
		return rc;
	if (lctl_call(enable ? LP_ENABLE : LP_DISABLE, 0, 0, t.label, &r) < 0)
		return 1;
	rc = r->code;
	if (rc != 0)
		fprintf(stderr, "Could not %s service: %d: %s\n", cmd->name, rc, lp_strerror(rc));
	free(r);
	return rc;
}

int
cmd_kickstart(const struct lctl_cmd *cmd, int argc, char **argv)
{
	uint32_t flags = LP_F_KICK;
	bool print_pid = false;
	struct lp_reply *r;
	struct target t;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-k") == 0)
			flags |= LP_F_KILL;
		else if (strcmp(argv[i], "-p") == 0)
			print_pid = true;
		else
			return lctl_usage(cmd);
	}
	if (i != argc - 1)
		return lctl_usage(cmd);
	if ((rc = target_get(cmd, argv[i], 1, &t)) != 0)
		return rc;
	if (lctl_call(LP_START, flags, 0, t.label, &r) < 0)
		return 1;
	rc = r->code;
	if (rc == 0 && print_pid) {
		if (isatty(STDOUT_FILENO))
			printf("service spawned with pid: %d\n", r->pid);
		else
			printf("%d\n", r->pid);
	} else if (rc == LP_ENOSERVICE) {
		not_found(&t);
	} else if (rc != 0) {
		fprintf(stderr, "Could not kickstart service \"%s\": %d: %s\n", t.label, rc,
		    lp_strerror(rc));
	}
	free(r);
	return rc;
}

/* "TERM", "SIGTERM", "15", with an optional leading '-'; 0 if invalid. */
static int
parse_signal(const char *s)
{
	char *end;
	long n;
	int sig;

	if (*s == '-')
		s++;
	n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0')
		return n > 0 && n < NSIG ? (int)n : 0;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name != NULL && strcasecmp(name, s) == 0)
			return sig;
	}
	return 0;
}

int
cmd_kill(const struct lctl_cmd *cmd, int argc, char **argv)
{
	struct lp_reply *r;
	struct target t;
	int sig, rc;

	if (argc != 3)
		return lctl_usage(cmd);
	if ((sig = parse_signal(argv[1])) == 0) {
		fprintf(stderr, "Invalid signal.\n");
		return lctl_usage(cmd);
	}
	if ((rc = target_get(cmd, argv[2], 1, &t)) != 0)
		return rc;
	if (lctl_call(LP_KILL, 0, sig, t.label, &r) < 0)
		return 1;
	rc = r->code;
	if (rc == LP_ENOSERVICE)
		not_found(&t);
	else if (rc == LP_ESRCH)
		fprintf(stderr, "No process to signal.\n");
	else if (rc != 0)
		fprintf(stderr, "Could not signal service \"%s\": %d: %s\n", t.label, rc,
		    lp_strerror(rc));
	free(r);
	return rc;
}

/* Legacy: an unknown label is "launchctl CMD error: No such process", 1. */
static int
legacy_label(const struct lctl_cmd *cmd, int argc, char **argv, int id)
{
	struct lp_reply *r;
	int rc;

	if (argc != 2)
		return lctl_usage(cmd);
	if (lctl_call(id, 0, 0, argv[1], &r) < 0)
		return 1;
	rc = r->code;
	free(r);
	if (rc == 0)
		return 0;
	fprintf(stderr, "launchctl %s error: %s\n", cmd->name, lp_strerror(rc));
	return 1;
}

int
cmd_start_stop(const struct lctl_cmd *cmd, int argc, char **argv)
{
	return legacy_label(cmd, argc, argv, strcmp(cmd->name, "start") == 0 ? LP_START : LP_STOP);
}

int
cmd_remove(const struct lctl_cmd *cmd, int argc, char **argv)
{
	return legacy_label(cmd, argc, argv, LP_REMOVE);
}
