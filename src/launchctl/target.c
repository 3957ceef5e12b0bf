/*
 * target.c -- domain and service targets.  One launchd serves one
 * domain per machd: the caller's user, reachable as gui/<uid> or
 * user/<uid>.  Other domains (system, another uid, login/, session/,
 * pid/) do not exist here: ENODOMAIN (112).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lctl.h"
#include "lp_errors.h"

static int
parse_uid(const char *s, size_t n, unsigned long *uid)
{
	char buf[24], *end;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*uid = strtoul(buf, &end, 10);
	return *end == '\0' ? 0 : -1;
}

int
target_parse(const char *spec, struct target *t)
{
	static const struct { const char *prefix, *desc; } kinds[] = {
		{ "gui/", "user gui: " }, { "user/", "uid: " }, { "login/", "login: " },
		{ "session/", "asid: " }, { "pid/", "pid: " },
	};
	const char *rest, *slash;
	unsigned long uid;
	size_t i, n;

	memset(t, 0, sizeof(*t));
	if (strcmp(spec, "system") == 0 || strncmp(spec, "system/", 7) == 0) {
		snprintf(t->desc, sizeof(t->desc), "system");
		return LP_ENODOMAIN;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(spec, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -1;
	rest = spec + strlen(kinds[i].prefix);
	slash = strchr(rest, '/');
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (parse_uid(rest, n, &uid) < 0)
		return -1;
	snprintf(t->domain, sizeof(t->domain), "%.*s%lu", (int)strlen(kinds[i].prefix),
	    kinds[i].prefix, uid);
	snprintf(t->desc, sizeof(t->desc), "%s%lu", kinds[i].desc, uid);
	if (slash != NULL) {
		if (slash[1] == '\0')
			return -1;
		t->label = slash + 1;
	}
	if (i >= 2 || uid != (unsigned long)getuid())
		return LP_ENODOMAIN;
	return 0;
}

void
target_default(struct target *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->domain, sizeof(t->domain), "gui/%u", (unsigned)getuid());
	snprintf(t->desc, sizeof(t->desc), "user gui: %u", (unsigned)getuid());
}

int
target_get(const struct lctl_cmd *cmd, const char *spec, int want_service, struct target *t)
{
	int rc = target_parse(spec, t);

	if (rc == LP_ENODOMAIN) {
		fprintf(stderr, "Could not find domain for %s\n", t->desc);
		return LP_ENODOMAIN;
	}
	if (rc < 0 || (want_service == 1 && t->label == NULL) ||
	    (want_service == 0 && t->label != NULL)) {
		fprintf(stderr, "Unrecognized target specifier. <service-target> takes a form of "
		    "<domain-target>/<service-id>.\n");
		return lctl_usage(cmd);
	}
	return 0;
}
