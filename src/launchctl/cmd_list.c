/*
 * cmd_list.c -- `list`: the PID/Status/Label table, or one job as the
 * NeXTSTEP-style dictionary of launchctl 1 (LastExitStatus is the raw
 * wait status there, as on macOS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lctl.h"

/* The Status column: last exit code, -signal, or 0 before any exit. */
static void
print_row(const struct lp_reply *r)
{
	long status = rec_num(r, "last_exit_status", -1);
	char pid[16], st[16];

	if (r->pid > 0)
		snprintf(pid, sizeof(pid), "%d", r->pid);
	else
		snprintf(pid, sizeof(pid), "-");
	if (status < 0)
		snprintf(st, sizeof(st), "0");
	else if (WIFSIGNALED((int)status))
		snprintf(st, sizeof(st), "-%d", WTERMSIG((int)status));
	else
		snprintf(st, sizeof(st), "%d", WEXITSTATUS((int)status));
	printf("%s\t%s\t%s\n", pid, st, rec_get(r, "label"));
}

static int
list_all(void)
{
	struct lp_reply *r;
	int32_t i;

	printf("PID\tStatus\tLabel\n");
	for (i = 0;; i++) {
		if (lctl_call(LP_INFO, LP_F_INDEX, i, "", &r) < 0)
			return 1;
		if (r->code != 0) {
			free(r);
			return 0;
		}
		print_row(r);
		free(r);
	}
}

static void
print_job_dict(const struct lp_reply *r)
{
	const char *v, *ep;

	printf("{\n");
	if ((ep = rec_get(r, "endpoint")) != NULL) {
		printf("\t\"MachServices\" = {\n");
		for (v = ep; v != NULL; v = rec_next(r, "endpoint", v))
			printf("\t\t\"%.*s\" = mach-port-object;\n", (int)strcspn(v, "\x1f"), v);
		printf("\t};\n");
	}
	printf("\t\"Label\" = \"%s\";\n", rec_get(r, "label"));
	printf("\t\"OnDemand\" = %s;\n",
	    strcmp(rec_get(r, "keepalive") ? rec_get(r, "keepalive") : "", "always") == 0 ? "false" : "true");
	printf("\t\"LastExitStatus\" = %ld;\n", rec_num(r, "last_exit_status", 0));
	if (r->pid > 0)
		printf("\t\"PID\" = %d;\n", r->pid);
	printf("\t\"Program\" = \"%s\";\n", rec_get(r, "program"));
	printf("\t\"ProgramArguments\" = (\n");
	for (v = rec_get(r, "argument"); v != NULL; v = rec_next(r, "argument", v))
		printf("\t\t\"%s\";\n", v);
	printf("\t);\n");
	if ((v = rec_get(r, "stdout_path")) != NULL)
		printf("\t\"StandardOutPath\" = \"%s\";\n", v);
	if ((v = rec_get(r, "stderr_path")) != NULL)
		printf("\t\"StandardErrorPath\" = \"%s\";\n", v);
	printf("};\n");
}

int
cmd_list(const struct lctl_cmd *cmd, int argc, char **argv)
{
	struct lp_reply *r;
	int rc;

	if (argc == 1)
		return list_all();
	if (argc != 2)
		return lctl_usage(cmd);
	if (lctl_call(LP_INFO, 0, 0, argv[1], &r) < 0)
		return 1;
	rc = r->code;
	if (rc == 0)
		print_job_dict(r);
	else
		fprintf(stderr, "Could not find service \"%s\" in domain for port\n", argv[1]);
	free(r);
	return rc;
}
