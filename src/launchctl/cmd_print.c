/*
 * cmd_print.c -- `print DOMAIN` and `print DOMAIN/LABEL`: launchctl 2's
 * human-readable dump (explicitly not an API on macOS either).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lctl.h"
#include "lp_errors.h"

/* Split an endpoint value "name\x1fflags\x1fport\x1fowner". */
struct endpoint {
	char name[160], flags[8], port[16], owner[160];
};

static void
endpoint_parse(const char *v, struct endpoint *e)
{
	const char *f[4] = { v, "", "", "" };
	int i;

	for (i = 1; i < 4 && f[i - 1] != NULL; i++) {
		const char *sep = strchr(f[i - 1], LP_EP_SEP);
		f[i] = sep != NULL ? sep + 1 : "";
	}
	snprintf(e->name, sizeof(e->name), "%.*s", (int)strcspn(f[0], "\x1f"), f[0]);
	snprintf(e->flags, sizeof(e->flags), "%.*s", (int)strcspn(f[1], "\x1f"), f[1]);
	snprintf(e->port, sizeof(e->port), "%.*s", (int)strcspn(f[2], "\x1f"), f[2]);
	snprintf(e->owner, sizeof(e->owner), "%s", f[3]);
}

static int
has_flag(const struct endpoint *e, char c)
{
	return strchr(e->flags, c) != NULL;
}

static void
print_list(const struct lp_reply *r, const char *title, const char *key)
{
	const char *v;

	printf("\t%s = {\n", title);
	for (v = rec_get(r, key); v != NULL; v = rec_next(r, key, v))
		printf("\t\t%s\n", v);
	printf("\t}\n");
}

static void
print_opt(const struct lp_reply *r, const char *title, const char *key)
{
	const char *v = rec_get(r, key);

	if (v != NULL)
		printf("\t%s = %s\n", title, v);
}

static void
print_last_exit(const struct lp_reply *r)
{
	long st = rec_num(r, "last_exit_status", -1);

	if (st < 0)
		printf("\tlast exit code = (never exited)\n");
	else if (WIFSIGNALED((int)st))
		printf("\tlast terminating signal = %s: %d\n", strsignal(WTERMSIG((int)st)),
		    WTERMSIG((int)st));
	else
		printf("\tlast exit code = %d\n", WEXITSTATUS((int)st));
}

static void
print_service(const struct target *t, const struct lp_reply *r)
{
	const char *v;
	struct endpoint e;
	int active = 0;

	for (v = rec_get(r, "endpoint"); v != NULL; v = rec_next(r, "endpoint", v)) {
		endpoint_parse(v, &e);
		active += has_flag(&e, 'a');
	}
	printf("%s/%s = {\n", t->domain, t->label);
	printf("\tactive count = %d\n", active + (r->pid > 0));
	print_opt(r, "path", "path");
	print_opt(r, "state", "state");
	printf("\n");
	print_opt(r, "program", "program");
	print_list(r, "arguments", "argument");
	printf("\n");
	printf("\tworking directory = %s\n", rec_get(r, "working_directory") ? rec_get(r,
	    "working_directory") : "/");
	print_opt(r, "stdin path", "stdin_path");
	print_opt(r, "stdout path", "stdout_path");
	print_opt(r, "stderr path", "stderr_path");
	printf("\tenvironment = {\n\t\tXPC_SERVICE_NAME => %s\n", rec_get(r, "label"));
	for (v = rec_get(r, "env"); v != NULL; v = rec_next(r, "env", v))
		printf("\t\t%.*s => %s\n", (int)strcspn(v, "="), v, strchr(v, '=') ? strchr(v, '=') + 1 : "");
	printf("\t}\n\n");
	printf("\tdomain = %s\n", t->domain);
	print_opt(r, "minimum runtime", "throttle_interval");
	print_opt(r, "exit timeout", "exit_timeout");
	print_opt(r, "umask", "umask");
	print_opt(r, "runs", "runs");
	print_opt(r, "successive crashes", "successive_crashes");
	if (r->pid > 0)
		printf("\tpid = %d\n", r->pid);
	print_opt(r, "immediate reason", "reason");
	print_last_exit(r);
	print_opt(r, "keepalive", "keepalive");
	printf("\tdisabled = %s\n", rec_num(r, "disabled", 0) ? "true" : "false");
	printf("\n\tendpoints = {\n");
	for (v = rec_get(r, "endpoint"); v != NULL; v = rec_next(r, "endpoint", v)) {
		endpoint_parse(v, &e);
		printf("\t\t\"%s\" = {\n\t\t\tport = %s\n\t\t\tactive = %d\n\t\t\tmanaged = %d\n"
		    "\t\t\treset = %d\n\t\t\thide = %d\n\t\t}\n", e.name, e.port, has_flag(&e, 'a'),
		    has_flag(&e, 'd'), has_flag(&e, 'r'), has_flag(&e, 'h'));
	}
	printf("\t}\n}\n");
}

static int
print_domain(const struct target *t)
{
	struct lp_reply *d, *r;
	struct endpoint e;
	const char *v;
	int32_t i;
	long st;

	if (lctl_call(LP_DOMAIN, 0, 0, "", &d) < 0)
		return 1;
	printf("%s = {\n", t->domain);
	printf("\ttype = %s\n", strncmp(t->domain, "gui/", 4) == 0 ? "user gui" : "user");
	printf("\thandle = %s\n", strchr(t->domain, '/') + 1);
	printf("\tlaunchd pid = %d\n", d->pid);
	printf("\tservice count = %ld\n\n", rec_num(d, "jobs", 0));
	printf("\tservices = {\n");
	for (i = 0; lctl_call(LP_INFO, LP_F_INDEX, i, "", &r) == 0; i++) {
		if (r->code != 0) {
			free(r);
			break;
		}
		st = rec_num(r, "last_exit_status", -1);
		printf("\t\t%8d %6s\t%s\n", r->pid, st < 0 ? "-" : WIFSIGNALED((int)st) ?
		    "(sig)" : "", rec_get(r, "label"));
		free(r);
	}
	printf("\t}\n\n\tendpoints = {\n");
	for (v = rec_get(d, "endpoint"); v != NULL; v = rec_next(d, "endpoint", v)) {
		endpoint_parse(v, &e);
		printf("\t\t%10s  %c  %c\t%s\t(%s)\n", e.port, has_flag(&e, 'd') ? 'M' : ' ',
		    has_flag(&e, 'a') ? 'A' : 'D', e.name, e.owner);
	}
	printf("\t}\n\n\tdisabled services = {\n");
	for (v = rec_get(d, "override"); v != NULL; v = rec_next(d, "override", v))
		printf("\t\t\"%.*s\" => %s\n", (int)strcspn(v, "\x1f"), v,
		    strchr(v, LP_EP_SEP) ? strchr(v, LP_EP_SEP) + 1 : "");
	printf("\t}\n}\n");
	free(d);
	return 0;
}

int
cmd_print(const struct lctl_cmd *cmd, int argc, char **argv)
{
	struct lp_reply *r;
	struct target t;
	int rc;

	if (argc != 2)
		return lctl_usage(cmd);
	if ((rc = target_get(cmd, argv[1], -1, &t)) != 0)
		return rc;
	if (t.label == NULL)
		return print_domain(&t);
	if (lctl_call(LP_INFO, 0, 0, t.label, &r) < 0)
		return 1;
	rc = r->code;
	if (rc == 0)
		print_service(&t, r);
	else
		fprintf(stderr, "Could not find service \"%s\" in domain for %s\n", t.label, t.desc);
	free(r);
	return rc;
}
