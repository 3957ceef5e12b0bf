/*
 * job_spec.c -- a launchd.plist checked and turned into a job_spec
 * (job_spec.h; spec launchd.md 1.1-1.4 and 1.6; docs/plist.md has the
 * whole schema).
 *
 * Keys are dispatched through tables of {name, handler}: the job's keys,
 * KeepAlive's conditions and the options of a Mach service.  Keys match
 * exactly.  A key found in a table with a NULL handler is one launchd
 * knows but this one does not implement: a warning.  A key in no table
 * is unknown: a warning too, naming the right spelling when only the
 * case differs.  A known key whose value has the wrong type, or a value
 * launchd could not use, is fatal: the job does not load at all.
 *
 * Messages: "FILE[:LINE]: key KEY: TEXT", KEY being a path such as
 * "KeepAlive.Crashed" or "ProgramArguments[2]", LINE the line of the
 * value (XML plists) or absent (binary plists).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job_spec.h"

#define DEFAULT_THROTTLE_INTERVAL 10
#define DEFAULT_EXIT_TIMEOUT      20
#define PATH_KEY_MAX              128

struct job_build {
	struct job_spec    *spec;
	const char         *file;
	struct plist_error *err;
	void              (*warn)(void *, const char *);
	void               *ctx;
	bool                have_label;
	bool                have_args;
};

/* `target` is what the table's keys fill: the job_spec, its keepalive,
 * or one job_machservice. */
typedef int key_fn(struct job_build *, const char *, const struct plist *, void *);

struct known_key {
	const char *name;
	key_fn     *apply;          /* NULL: known, not supported, ignored */
};

/* --- messages ------------------------------------------------------------- */

static int
fail(struct job_build *b, unsigned line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct job_build *b, unsigned line, const char *key, const char *fmt, ...)
{
	char text[sizeof(b->err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return plist_error_set(b->err, b->file, line, key, "%s", text);
}

static void
warn(struct job_build *b, unsigned line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
warn(struct job_build *b, unsigned line, const char *key, const char *fmt, ...)
{
	char msg[sizeof(b->err->message)];
	va_list ap;

	if (b->warn == NULL)
		return;
	va_start(ap, fmt);
	plist_vformat(msg, sizeof(msg), b->file, line, key, fmt, ap);
	va_end(ap);
	b->warn(b->ctx, msg);
}

/* A value as its XML element: "<string>", "<true/>", ... */
static const char *
found(const struct plist *v)
{
	switch (v->type) {
	case PLIST_DICT:    return "<dict>";
	case PLIST_ARRAY:   return "<array>";
	case PLIST_STRING:  return "<string>";
	case PLIST_INTEGER: return "<integer>";
	case PLIST_REAL:    return "<real>";
	case PLIST_BOOL:    return v->v.boolean ? "<true/>" : "<false/>";
	case PLIST_DATA:    return "<data>";
	case PLIST_DATE:    return "<date>";
	}
	return "<?>";
}

static int
wrong_type(struct job_build *b, const char *key, const struct plist *v, const char *expected)
{
	return fail(b, v->line, key, "expected %s, found %s", expected, found(v));
}

static int
no_memory(struct job_build *b, const char *key)
{
	return fail(b, 0, key, "out of memory");
}

/* "PARENT.CHILD" into buf (truncated). */
static const char *
subkey(char *buf, size_t size, const char *parent, const char *child)
{
	snprintf(buf, size, "%s.%s", parent, child);
	return buf;
}

/* --- typed values --------------------------------------------------------- */

static int
get_bool(struct job_build *b, const char *key, const struct plist *v, bool *out)
{
	if (v->type != PLIST_BOOL)
		return wrong_type(b, key, v, "a boolean");
	*out = v->v.boolean;
	return 0;
}

/* A string without NUL characters, not empty unless `empty_ok`. */
static int
check_string(struct job_build *b, const char *key, const struct plist *v, bool empty_ok)
{
	if (v->type != PLIST_STRING)
		return wrong_type(b, key, v, "a string");
	if (strlen(v->v.string.str) != v->v.string.len)
		return fail(b, v->line, key, "the string contains a NUL character");
	if (!empty_ok && v->v.string.len == 0)
		return fail(b, v->line, key, "expected a non-empty string");
	return 0;
}

static int
dup_string(struct job_build *b, const char *key, const struct plist *v, bool empty_ok,
    char **out)
{
	char *copy;

	if (check_string(b, key, v, empty_ok) < 0)
		return -1;
	if ((copy = strdup(v->v.string.str)) == NULL)
		return no_memory(b, key);
	free(*out);
	*out = copy;
	return 0;
}

/* Seconds for ThrottleInterval and ExitTimeOut: out-of-range values are
 * ignored with a warning, as 842 does. */
static int
get_seconds(struct job_build *b, const char *key, const struct plist *v, uint32_t *out)
{
	if (v->type != PLIST_INTEGER)
		return wrong_type(b, key, v, "an integer");
	if (!v->v.integer.is_unsigned && v->v.integer.i < 0)
		warn(b, v->line, key, "less than zero, ignored");
	else if (v->v.integer.is_unsigned || v->v.integer.i > (int64_t)UINT32_MAX)
		warn(b, v->line, key, "too large (more than %u), ignored", UINT32_MAX);
	else
		*out = (uint32_t)v->v.integer.i;
	return 0;
}

/* Look `name` up in a table; *near is set to an entry equal but for case. */
static const struct known_key *
find_key(const struct known_key *table, size_t n, const char *name,
    const struct known_key **near)
{
	size_t i;

	*near = NULL;
	for (i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
		if (*near == NULL && strcasecmp(table[i].name, name) == 0)
			*near = &table[i];
	}
	return NULL;
}

/* Apply every entry of `dict` through `table`, in file order. */
static int
apply_dict(struct job_build *b, const struct known_key *table, size_t n,
    const struct plist *dict, const char *parent, void *target)
{
	const struct known_key *k, *near;
	char path[PATH_KEY_MAX];
	size_t i;

	for (i = 0; i < dict->v.dict.count; i++) {
		const struct plist_dict_entry *e = &dict->v.dict.entries[i];
		const char *key = parent != NULL ?
		    subkey(path, sizeof(path), parent, e->key) : e->key;
		if ((k = find_key(table, n, e->key, &near)) == NULL) {
			if (near != NULL)
				warn(b, e->value->line, key, "unknown key, ignored "
				    "(keys are case-sensitive: did you mean %s?)", near->name);
			else
				warn(b, e->value->line, key, "unknown key, ignored");
		} else if (k->apply == NULL)
			warn(b, e->value->line, key, "not supported, ignored");
		else if (k->apply(b, key, e->value, target) < 0)
			return -1;
	}
	return 0;
}

/* --- Label, Program, ProgramArguments ------------------------------------- */

/* 842's jobmgr_label_test. */
static int
key_label(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;
	const char *s;
	size_t i;

	if (v->type != PLIST_STRING)
		return wrong_type(b, key, v, "a string");
	s = v->v.string.str;
	if (v->v.string.len == 0)
		return fail(b, v->line, key, "Empty job labels are not allowed");
	for (i = 0; i < v->v.string.len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(b, v->line, key, "ASCII control characters are not allowed "
			    "in job labels. Index: %zu Value: 0x%x", i, (unsigned char)s[i]);
	if (strncasecmp(s, "com.apple.launchd", 17) == 0 ||
	    strncasecmp(s, "com.apple.launchctl", 19) == 0)
		return fail(b, v->line, key, "Job labels are not allowed to use a reserved "
		    "prefix: %s", s);
	b->have_label = true;
	return dup_string(b, key, v, false, &spec->label);
}

static int
key_program(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;

	return dup_string(b, key, v, false, &spec->program);
}

static int
key_program_arguments(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	struct job_spec *spec = target;
	char item[PATH_KEY_MAX];
	size_t i, n;

	if (v->type != PLIST_ARRAY)
		return wrong_type(b, key, v, "an array of strings");
	n = v->v.array.count;
	for (i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "%s[%zu]", key, i);
		if (check_string(b, item, v->v.array.items[i], true) < 0)
			return -1;
	}
	if ((spec->argv = calloc(n + 1, sizeof(char *))) == NULL)
		return no_memory(b, key);
	for (spec->argc = 0; spec->argc < n; spec->argc++) {
		const struct plist *s = v->v.array.items[spec->argc];
		if ((spec->argv[spec->argc] = strdup(s->v.string.str)) == NULL)
			return no_memory(b, key);
	}
	b->have_args = true;
	return 0;
}

/* --- MachServices --------------------------------------------------------- */

static int
ms_reset_at_close(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_machservice *ms = target;

	return get_bool(b, key, v, &ms->reset_at_close);
}

static int
ms_hide_until_check_in(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	struct job_machservice *ms = target;

	return get_bool(b, key, v, &ms->hide_until_checkin);
}

static const struct known_key machservice_keys[] = {
	{ "ResetAtClose", ms_reset_at_close },
	{ "HideUntilCheckIn", ms_hide_until_check_in },
	{ "DrainMessagesOnCrash", NULL },
	{ "TaskSpecialPort", NULL },
	{ "HostSpecialPort", NULL },
	{ "ExceptionServer", NULL },
	{ "kUNCServer", NULL },
	{ "EnterKernelDebuggerOnClose", NULL },
};

/* One service: a name_t, valued true or a dictionary of options; false
 * advertises nothing (modern launchd), so it is skipped with a warning. */
static int
machservice(struct job_build *b, const char *key, const char *name,
    const struct plist *v)
{
	struct job_spec *spec = b->spec;
	struct job_machservice *ms = &spec->services[spec->nservices];
	size_t len = strlen(name);

	if (len == 0)
		return fail(b, v->line, key, "empty service name");
	if (len > JOB_NAME_MAX)
		return fail(b, v->line, key, "service name is %zu bytes, at most %d are allowed",
		    len, JOB_NAME_MAX);
	if (v->type == PLIST_BOOL && !v->v.boolean) {
		warn(b, v->line, key, "false: the service is not advertised, ignored");
		return 0;
	}
	if (v->type != PLIST_BOOL && v->type != PLIST_DICT)
		return wrong_type(b, key, v, "true or a dictionary");
	memset(ms, 0, sizeof(*ms));
	if ((ms->name = strdup(name)) == NULL)
		return no_memory(b, key);
	spec->nservices++;
	if (v->type == PLIST_DICT)
		return apply_dict(b, machservice_keys,
		    sizeof(machservice_keys) / sizeof(machservice_keys[0]), v, key, ms);
	return 0;
}

static int
key_mach_services(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	struct job_spec *spec = target;
	char name[PATH_KEY_MAX];
	size_t i;

	if (v->type != PLIST_DICT)
		return wrong_type(b, key, v, "a dictionary");
	if (v->v.dict.count == 0)
		return 0;
	if ((spec->services = calloc(v->v.dict.count, sizeof(*spec->services))) == NULL)
		return no_memory(b, key);
	for (i = 0; i < v->v.dict.count; i++) {
		const struct plist_dict_entry *e = &v->v.dict.entries[i];
		if (machservice(b, subkey(name, sizeof(name), key, e->key), e->key, e->value) < 0)
			return -1;
	}
	return 0;
}

/* --- KeepAlive, OnDemand, RunAtLoad --------------------------------------- */

static int
ka_successful_exit(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	struct job_keepalive *ka = target;

	ka->has_successful_exit = true;
	return get_bool(b, key, v, &ka->successful_exit);
}

static int
ka_crashed(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_keepalive *ka = target;

	ka->has_crashed = true;
	return get_bool(b, key, v, &ka->crashed);
}

static const struct known_key keepalive_keys[] = {
	{ "SuccessfulExit", ka_successful_exit },
	{ "Crashed", ka_crashed },
	{ "NetworkState", NULL },
	{ "PathState", NULL },
	{ "OtherJobEnabled", NULL },
	{ "OtherJobActive", NULL },
	{ "AfterInitialDemand", NULL },
};

/* KeepAlive = b sets "always"; the dictionary form leaves it alone (842):
 * with OnDemand, the last of the two in the file wins. */
static int
key_keep_alive(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;

	if (v->type == PLIST_BOOL) {
		spec->keepalive.always = v->v.boolean;
		return 0;
	}
	if (v->type != PLIST_DICT)
		return wrong_type(b, key, v, "a boolean or a dictionary");
	return apply_dict(b, keepalive_keys, sizeof(keepalive_keys) / sizeof(keepalive_keys[0]),
	    v, key, &spec->keepalive);
}

static int
key_on_demand(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;
	bool on_demand = true;

	if (get_bool(b, key, v, &on_demand) < 0)
		return -1;
	spec->keepalive.always = !on_demand;
	warn(b, v->line, key, "deprecated, use KeepAlive (applied as KeepAlive = %s)",
	    on_demand ? "false" : "true");
	return 0;
}

static int
key_run_at_load(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;

	return get_bool(b, key, v, &spec->run_at_load);
}

/* --- the process's environment -------------------------------------------- */

static int
key_throttle_interval(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	struct job_spec *spec = target;

	if (get_seconds(b, key, v, &spec->throttle_interval) < 0)
		return -1;
	if (v->v.integer.i == 0 && !v->v.integer.is_unsigned)
		warn(b, v->line, key, "set to zero: restarts are not throttled");
	return 0;
}

static int
key_exit_timeout(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;

	if (get_seconds(b, key, v, &spec->exit_timeout) < 0)
		return -1;
	if (v->v.integer.i == 0 && !v->v.integer.is_unsigned)
		warn(b, v->line, key, "set to zero: the job is never sent SIGKILL");
	return 0;
}

/* One "NAME=VALUE"; NAME non-empty and without '='. */
static int
environment_variable(struct job_build *b, const char *key, const char *name,
    const struct plist *v, char **out)
{
	if (name[0] == '\0' || strchr(name, '=') != NULL)
		return fail(b, v->line, key, "environment variable names must be non-empty "
		    "and without '='");
	if (check_string(b, key, v, true) < 0)
		return -1;
	if (asprintf(out, "%s=%s", name, v->v.string.str) < 0) {
		*out = NULL;
		return no_memory(b, key);
	}
	return 0;
}

static int
key_environment_variables(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	struct job_spec *spec = target;
	char path[PATH_KEY_MAX];
	size_t i;

	if (v->type != PLIST_DICT)
		return wrong_type(b, key, v, "a dictionary of strings");
	for (i = 0; i < spec->envc; i++)
		free(spec->env[i]);
	free(spec->env);
	spec->envc = 0;
	if ((spec->env = calloc(v->v.dict.count + 1, sizeof(char *))) == NULL)
		return no_memory(b, key);
	for (i = 0; i < v->v.dict.count; i++) {
		const struct plist_dict_entry *e = &v->v.dict.entries[i];
		if (environment_variable(b, subkey(path, sizeof(path), key, e->key), e->key,
		    e->value, &spec->env[spec->envc]) < 0)
			return -1;
		spec->envc++;
	}
	return 0;
}

static int
key_working_directory(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	return dup_string(b, key, v, false, &((struct job_spec *)target)->working_directory);
}

static int
key_stdin_path(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	return dup_string(b, key, v, false, &((struct job_spec *)target)->stdin_path);
}

static int
key_stdout_path(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	return dup_string(b, key, v, false, &((struct job_spec *)target)->stdout_path);
}

static int
key_stderr_path(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	return dup_string(b, key, v, false, &((struct job_spec *)target)->stderr_path);
}

/* An integer, or (modern launchd) a string read with strtoul base 0, so
 * "022" is octal; either way 0 to 0777. */
static int
key_umask(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;
	unsigned long long mask;
	char *end;

	if (v->type == PLIST_INTEGER) {
		if (v->v.integer.is_unsigned || v->v.integer.i < 0 || v->v.integer.i > 0777)
			return fail(b, v->line, key, "out of range: a umask is 0 to 0777 (511)");
		spec->umask = (int)v->v.integer.i;
		return 0;
	}
	if (v->type != PLIST_STRING)
		return wrong_type(b, key, v, "an integer or a string");
	if (check_string(b, key, v, false) < 0)
		return -1;
	mask = strtoull(v->v.string.str, &end, 0);
	if (*end != '\0' || !isdigit((unsigned char)v->v.string.str[0]))
		return fail(b, v->line, key, "expected a number such as \"022\", found \"%s\"",
		    v->v.string.str);
	if (mask > 0777)
		return fail(b, v->line, key, "out of range: a umask is 0 to 0777 (511)");
	spec->umask = (int)mask;
	return 0;
}

static int
key_disabled(struct job_build *b, const char *key, const struct plist *v, void *target)
{
	struct job_spec *spec = target;

	if (v->type == PLIST_DICT) {
		warn(b, v->line, key, "the dictionary form (by machine type) is not "
		    "supported, ignored");
		return 0;
	}
	return get_bool(b, key, v, &spec->disabled);
}

static int
key_abandon_process_group(struct job_build *b, const char *key, const struct plist *v,
    void *target)
{
	return get_bool(b, key, v, &((struct job_spec *)target)->abandon_process_group);
}

/* --- the table ------------------------------------------------------------ */

static const struct known_key job_keys[] = {
	{ "Label", key_label },
	{ "Program", key_program },
	{ "ProgramArguments", key_program_arguments },
	{ "MachServices", key_mach_services },
	{ "RunAtLoad", key_run_at_load },
	{ "KeepAlive", key_keep_alive },
	{ "OnDemand", key_on_demand },
	{ "ThrottleInterval", key_throttle_interval },
	{ "ExitTimeOut", key_exit_timeout },
	{ "EnvironmentVariables", key_environment_variables },
	{ "WorkingDirectory", key_working_directory },
	{ "StandardInPath", key_stdin_path },
	{ "StandardOutPath", key_stdout_path },
	{ "StandardErrorPath", key_stderr_path },
	{ "Umask", key_umask },
	{ "Disabled", key_disabled },
	{ "AbandonProcessGroup", key_abandon_process_group },
	/* launchd.plist(5) keys this launchd does not implement */
	{ "RootDirectory", NULL },
	{ "TimeOut", NULL },
	{ "UserEnvironmentVariables", NULL },
	{ "UserName", NULL },
	{ "GroupName", NULL },
	{ "InitGroups", NULL },
	{ "Nice", NULL },
	{ "ProcessType", NULL },
	{ "LowPriorityIO", NULL },
	{ "LowPriorityBackgroundIO", NULL },
	{ "EnableTransactions", NULL },
	{ "EnablePressuredExit", NULL },
	{ "LaunchOnlyOnce", NULL },
	{ "LimitLoadToSessionType", NULL },
	{ "LimitLoadToHosts", NULL },
	{ "LimitLoadFromHosts", NULL },
	{ "LimitLoadToHardware", NULL },
	{ "LimitLoadFromHardware", NULL },
	{ "StartInterval", NULL },
	{ "StartCalendarInterval", NULL },
	{ "WatchPaths", NULL },
	{ "QueueDirectories", NULL },
	{ "StartOnMount", NULL },
	{ "Sockets", NULL },
	{ "inetdCompatibility", NULL },
	{ "SoftResourceLimits", NULL },
	{ "HardResourceLimits", NULL },
	{ "Debug", NULL },
	{ "WaitForDebugger", NULL },
	{ "SessionCreate", NULL },
	{ "EnableGlobbing", NULL },
	{ "LaunchEvents", NULL },
	{ "HopefullyExitsFirst", NULL },
	{ "HopefullyExitsLast", NULL },
	{ "ServiceIPC", NULL },
};

/* What needs the whole dictionary: required keys, argv, defaults. */
static int
finish(struct job_build *b, const struct plist *dict)
{
	struct job_spec *spec = b->spec;

	if (!b->have_label)
		return fail(b, dict->line, "Label", "required key missing (expected a string)");
	if (spec->program == NULL && !b->have_args)
		return fail(b, dict->line, NULL, "neither a Program nor a ProgramArguments key "
		    "was specified");
	if (spec->program == NULL && spec->argc == 0)
		return fail(b, dict->line, "ProgramArguments", "empty, and there is no Program key");
	if (spec->program == NULL && spec->argv[0][0] == '\0')
		return fail(b, dict->line, "ProgramArguments[0]", "empty program name, and there "
		    "is no Program key");
	if (spec->argc == 0) {
		free(spec->argv);
		if ((spec->argv = calloc(2, sizeof(char *))) == NULL ||
		    (spec->argv[0] = strdup(spec->program)) == NULL)
			return no_memory(b, "Program");
		spec->argc = 1;
	}
	if (spec->env == NULL && (spec->env = calloc(1, sizeof(char *))) == NULL)
		return no_memory(b, "EnvironmentVariables");
	spec->start_on_load = spec->run_at_load || spec->keepalive.always ||
	    spec->keepalive.has_successful_exit || spec->keepalive.has_crashed;
	return 0;
}

int
job_spec_from_plist(const struct plist *plist, const char *file,
    struct job_spec **out, struct plist_error *err,
    void (*warn_fn)(void *ctx, const char *line), void *ctx)
{
	struct job_build b;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.file = file != NULL ? file : "plist";
	b.err = err;
	b.warn = warn_fn;
	b.ctx = ctx;
	if (plist == NULL)
		return fail(&b, 0, NULL, "no property list");
	if (plist->type != PLIST_DICT)
		return fail(&b, plist->line, NULL, "expected a dictionary at the top level, "
		    "found %s", found(plist));
	if ((b.spec = calloc(1, sizeof(*b.spec))) == NULL)
		return no_memory(&b, NULL);
	b.spec->throttle_interval = DEFAULT_THROTTLE_INTERVAL;
	b.spec->exit_timeout = DEFAULT_EXIT_TIMEOUT;
	b.spec->umask = -1;
	if ((b.spec->file = strdup(b.file)) == NULL) {
		no_memory(&b, NULL);
		goto fail;
	}
	if (apply_dict(&b, job_keys, sizeof(job_keys) / sizeof(job_keys[0]), plist, NULL,
	    b.spec) < 0 || finish(&b, plist) < 0)
		goto fail;
	*out = b.spec;
	return 0;
fail:
	job_spec_free(b.spec);
	return -1;
}

static void
free_strv(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
job_spec_free(struct job_spec *spec)
{
	size_t i;

	if (spec == NULL)
		return;
	free(spec->label);
	free(spec->program);
	free_strv(spec->argv);
	free_strv(spec->env);
	for (i = 0; i < spec->nservices; i++)
		free(spec->services[i].name);
	free(spec->services);
	free(spec->working_directory);
	free(spec->stdin_path);
	free(spec->stdout_path);
	free(spec->stderr_path);
	free(spec->file);
	free(spec);
}
