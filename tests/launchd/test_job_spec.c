/*
 * test_job_spec.c -- src/launchd/job_spec.c: launchd.plist to job_spec
 * (spec launchd.md 1.1-1.4, 1.6; the schema table in docs/plist.md).
 *
 * Each test writes a plist as XML (binary where lines matter), converts
 * it, and checks the job_spec field by field, or the exact fatal error,
 * or the exact list of warnings.  A failed conversion must leave *out
 * NULL: nothing half-loads.
 */
#include "job_spec.h"
#include "plist_test_util.h"

#define JOB_FILE "job.plist"
#define MAX_WARNINGS 16

struct warnings {
	size_t n;
	char   line[MAX_WARNINGS][512];
};

static void
collect(void *ctx, const char *line)
{
	struct warnings *w = ctx;

	assert_true(w->n < MAX_WARNINGS);
	snprintf(w->line[w->n++], sizeof(w->line[0]), "%s", line);
}

/* "<plist><dict>" + body + "</dict></plist>", one line per key so that
 * line numbers are easy: the dict opens on line 1, body line i is i+1. */
static struct plist *
job_plist(const char *body)
{
	char xml[8192];

	snprintf(xml, sizeof(xml), "<plist><dict>\n%s</dict></plist>", body);
	return parse_bytes_ok(plist_parse_xml, xml, strlen(xml));
}

static struct job_spec *
job_ok(const char *body, struct warnings *w)
{
	struct plist *p = job_plist(body);
	struct plist_error err;
	struct job_spec *spec = NULL;

	memset(w, 0, sizeof(*w));
	if (job_spec_from_plist(p, JOB_FILE, &spec, &err, collect, w) != 0)
		fail_msg("unexpected error: %s", err.message);
	assert_non_null(spec);
	plist_free(p);
	return spec;
}

static struct plist_error
job_fails(const char *body, const char *message)
{
	struct plist *p = job_plist(body);
	struct plist_error err;
	struct job_spec *spec = (struct job_spec *)&err;
	struct warnings w;

	memset(&w, 0, sizeof(w));
	assert_int_equal(job_spec_from_plist(p, JOB_FILE, &spec, &err, collect, &w), -1);
	assert_null(spec);
	assert_string_equal(err.message, message);
	assert_string_equal(err.file, JOB_FILE);
	plist_free(p);
	return err;
}

static void
assert_warnings(const struct warnings *w, size_t n, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n && i < w->n; i++)
		assert_string_equal(w->line[i], va_arg(ap, const char *));
	va_end(ap);
	assert_int_equal(w->n, n);
}

#define LABEL "<key>Label</key><string>com.example.job</string>\n"
#define PROG  "<key>Program</key><string>/bin/true</string>\n"

/* --- valid jobs ----------------------------------------------------------- */

static void
test_minimal_program_and_defaults(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG, &w);

	assert_string_equal(s->label, "com.example.job");
	assert_string_equal(s->program, "/bin/true");
	assert_int_equal(s->argc, 1);
	assert_string_equal(s->argv[0], "/bin/true");
	assert_null(s->argv[1]);
	assert_non_null(s->env);
	assert_null(s->env[0]);
	assert_int_equal(s->envc, 0);
	assert_null(s->services);
	assert_int_equal(s->nservices, 0);
	assert_false(s->run_at_load);
	assert_false(s->start_on_load);
	assert_false(s->keepalive.always);
	assert_false(s->keepalive.has_successful_exit);
	assert_false(s->keepalive.has_crashed);
	assert_int_equal(s->throttle_interval, 10);
	assert_int_equal(s->exit_timeout, 20);
	assert_null(s->working_directory);
	assert_null(s->stdin_path);
	assert_null(s->stdout_path);
	assert_null(s->stderr_path);
	assert_int_equal(s->umask, -1);
	assert_false(s->disabled);
	assert_false(s->abandon_process_group);
	assert_string_equal(s->file, JOB_FILE);
	assert_warnings(&w, 0);
	job_spec_free(s);
}

static void
test_program_arguments(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL
	    "<key>ProgramArguments</key><array><string>sleep</string><string>10</string>"
	    "<string></string></array>\n", &w);

	assert_null(s->program);                        /* PATH search */
	assert_int_equal(s->argc, 3);
	assert_string_equal(s->argv[0], "sleep");
	assert_string_equal(s->argv[1], "10");
	assert_string_equal(s->argv[2], "");
	assert_null(s->argv[3]);
	job_spec_free(s);

	/* both: argv[0] stays what ProgramArguments says */
	s = job_ok(LABEL PROG "<key>ProgramArguments</key><array><string>name</string></array>\n", &w);
	assert_string_equal(s->program, "/bin/true");
	assert_int_equal(s->argc, 1);
	assert_string_equal(s->argv[0], "name");
	job_spec_free(s);

	/* Program and an empty ProgramArguments: argv is [Program] */
	s = job_ok(LABEL PROG "<key>ProgramArguments</key><array/>\n", &w);
	assert_int_equal(s->argc, 1);
	assert_string_equal(s->argv[0], "/bin/true");
	job_spec_free(s);

	/* with a Program, argv[0] may be empty */
	s = job_ok(LABEL PROG "<key>ProgramArguments</key><array><string/></array>\n", &w);
	assert_string_equal(s->argv[0], "");
	job_spec_free(s);
}

static void
test_every_supported_key(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG
	    "<key>RunAtLoad</key><true/>\n"
	    "<key>ThrottleInterval</key><integer>30</integer>\n"
	    "<key>ExitTimeOut</key><integer>4294967295</integer>\n"
	    "<key>EnvironmentVariables</key><dict><key>PATH</key><string>/bin</string>"
	    "<key>EMPTY</key><string/><key>A</key><string>x=y</string></dict>\n"
	    "<key>WorkingDirectory</key><string>/tmp</string>\n"
	    "<key>StandardInPath</key><string>/dev/zero</string>\n"
	    "<key>StandardOutPath</key><string>/tmp/out</string>\n"
	    "<key>StandardErrorPath</key><string>/tmp/err</string>\n"
	    "<key>Umask</key><integer>18</integer>\n"
	    "<key>Disabled</key><true/>\n"
	    "<key>AbandonProcessGroup</key><true/>\n", &w);

	assert_true(s->run_at_load);
	assert_true(s->start_on_load);
	assert_int_equal(s->throttle_interval, 30);
	assert_int_equal(s->exit_timeout, UINT32_MAX);
	assert_int_equal(s->envc, 3);                   /* file order */
	assert_string_equal(s->env[0], "PATH=/bin");
	assert_string_equal(s->env[1], "EMPTY=");
	assert_string_equal(s->env[2], "A=x=y");
	assert_null(s->env[3]);
	assert_string_equal(s->working_directory, "/tmp");
	assert_string_equal(s->stdin_path, "/dev/zero");
	assert_string_equal(s->stdout_path, "/tmp/out");
	assert_string_equal(s->stderr_path, "/tmp/err");
	assert_int_equal(s->umask, 022);
	assert_true(s->disabled);
	assert_true(s->abandon_process_group);
	assert_warnings(&w, 0);
	job_spec_free(s);
}

static void
test_umask_forms(void **state)
{
	static const struct { const char *xml; int umask; } cases[] = {
		{ "<integer>0</integer>", 0 },
		{ "<integer>511</integer>", 0777 },
		{ "<integer>0x12</integer>", 022 },
		{ "<string>022</string>", 022 },        /* strtoul base 0: octal */
		{ "<string>18</string>", 18 },
		{ "<string>0x1ff</string>", 0777 },
		{ "<string>0</string>", 0 },
	};
	char body[256];
	struct warnings w;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), LABEL PROG "<key>Umask</key>%s\n", cases[i].xml);
		struct job_spec *s = job_ok(body, &w);
		assert_int_equal(s->umask, cases[i].umask);
		job_spec_free(s);
	}
}

static void
test_mach_services(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG
	    "<key>MachServices</key><dict>\n"
	    "<key>com.example.a</key><true/>\n"
	    "<key>com.example.b</key><dict><key>ResetAtClose</key><true/>"
	    "<key>HideUntilCheckIn</key><true/></dict>\n"
	    "<key>com.example.c</key><false/>\n"
	    "<key>com.example.d</key><dict><key>ResetAtClose</key><false/></dict>\n"
	    "<key>com.example.e</key><dict>"
	    "<key>DrainMessagesOnCrash</key><string>All</string>"
	    "<key>resetatclose</key><true/><key>Bogus</key><true/></dict>\n"
	    "</dict>\n", &w);

	assert_int_equal(s->nservices, 4);
	assert_string_equal(s->services[0].name, "com.example.a");
	assert_false(s->services[0].reset_at_close);
	assert_false(s->services[0].hide_until_checkin);
	assert_string_equal(s->services[1].name, "com.example.b");
	assert_true(s->services[1].reset_at_close);
	assert_true(s->services[1].hide_until_checkin);
	assert_string_equal(s->services[2].name, "com.example.d");
	assert_false(s->services[2].reset_at_close);
	assert_string_equal(s->services[3].name, "com.example.e");
	assert_false(s->services[3].reset_at_close);
	assert_false(s->start_on_load);                 /* on demand */
	assert_warnings(&w, 4,
	    "job.plist:7: key MachServices.com.example.c: false: the service is not "
	    "advertised, ignored",
	    "job.plist:9: key MachServices.com.example.e.DrainMessagesOnCrash: not supported, "
	    "ignored",
	    "job.plist:9: key MachServices.com.example.e.resetatclose: unknown key, ignored "
	    "(keys are case-sensitive: did you mean ResetAtClose?)",
	    "job.plist:9: key MachServices.com.example.e.Bogus: unknown key, ignored");
	job_spec_free(s);
}

/* name_t: at most 127 bytes. */
static void
test_mach_service_name_length(void **state)
{
	char name[200], body[512], message[512];
	struct warnings w;
	struct job_spec *s;

	memset(name, 'n', 127);
	name[127] = '\0';
	snprintf(body, sizeof(body), LABEL PROG "<key>MachServices</key><dict><key>%s</key>"
	    "<true/></dict>\n", name);
	s = job_ok(body, &w);
	assert_int_equal(strlen(s->services[0].name), 127);
	job_spec_free(s);

	name[127] = 'n';
	name[128] = '\0';
	snprintf(body, sizeof(body), LABEL PROG "<key>MachServices</key><dict><key>%s</key>"
	    "<true/></dict>\n", name);
	/* the key path is cut to fit plist_error.key (127 bytes) */
	snprintf(message, sizeof(message), "job.plist:4: key MachServices.%.114s: service name "
	    "is 128 bytes, at most 127 are allowed", name);
	job_fails(body, message);
}

static void
test_keepalive_forms(void **state)
{
	struct warnings w;
	struct job_spec *s;

	s = job_ok(LABEL PROG "<key>KeepAlive</key><true/>\n", &w);
	assert_true(s->keepalive.always);
	assert_true(s->start_on_load);
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>KeepAlive</key><false/>\n", &w);
	assert_false(s->keepalive.always);
	assert_false(s->start_on_load);
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>\n",
	    &w);
	assert_false(s->keepalive.always);
	assert_true(s->keepalive.has_successful_exit);
	assert_false(s->keepalive.successful_exit);
	assert_false(s->keepalive.has_crashed);
	assert_true(s->start_on_load);                  /* 842: start pending */
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>KeepAlive</key><dict><key>Crashed</key><true/>"
	    "<key>SuccessfulExit</key><true/></dict>\n", &w);
	assert_true(s->keepalive.has_crashed);
	assert_true(s->keepalive.crashed);
	assert_true(s->keepalive.has_successful_exit);
	assert_true(s->keepalive.successful_exit);
	assert_true(s->start_on_load);
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>KeepAlive</key><dict/>\n", &w);
	assert_false(s->start_on_load);
	assert_warnings(&w, 0);
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>KeepAlive</key><dict><key>NetworkState</key><true/>"
	    "<key>PathState</key><dict/><key>crashed</key><true/><key>Weird</key><true/></dict>\n", &w);
	assert_false(s->keepalive.has_crashed);
	assert_false(s->start_on_load);
	assert_warnings(&w, 4,
	    "job.plist:4: key KeepAlive.NetworkState: not supported, ignored",
	    "job.plist:4: key KeepAlive.PathState: not supported, ignored",
	    "job.plist:4: key KeepAlive.crashed: unknown key, ignored (keys are case-sensitive: "
	    "did you mean Crashed?)",
	    "job.plist:4: key KeepAlive.Weird: unknown key, ignored");
	job_spec_free(s);
}

/* OnDemand = !KeepAlive; the later of the two in the file wins (842). */
static void
test_on_demand(void **state)
{
	struct warnings w;
	struct job_spec *s;

	s = job_ok(LABEL PROG "<key>OnDemand</key><false/>\n", &w);
	assert_true(s->keepalive.always);
	assert_true(s->start_on_load);
	assert_warnings(&w, 1, "job.plist:4: key OnDemand: deprecated, use KeepAlive (applied as "
	    "KeepAlive = true)");
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>KeepAlive</key><true/>\n<key>OnDemand</key><true/>\n", &w);
	assert_false(s->keepalive.always);
	assert_warnings(&w, 1, "job.plist:5: key OnDemand: deprecated, use KeepAlive (applied as "
	    "KeepAlive = false)");
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>OnDemand</key><true/>\n<key>KeepAlive</key><true/>\n", &w);
	assert_true(s->keepalive.always);
	job_spec_free(s);

	/* a KeepAlive dictionary leaves OnDemand's choice alone */
	s = job_ok(LABEL PROG "<key>OnDemand</key><false/>\n"
	    "<key>KeepAlive</key><dict><key>Crashed</key><true/></dict>\n", &w);
	assert_true(s->keepalive.always);
	assert_true(s->keepalive.has_crashed);
	job_spec_free(s);
}

static void
test_seconds_out_of_range_are_warnings(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG
	    "<key>ThrottleInterval</key><integer>-1</integer>\n"
	    "<key>ExitTimeOut</key><integer>4294967296</integer>\n", &w);

	assert_int_equal(s->throttle_interval, 10);
	assert_int_equal(s->exit_timeout, 20);
	assert_warnings(&w, 2,
	    "job.plist:4: key ThrottleInterval: less than zero, ignored",
	    "job.plist:5: key ExitTimeOut: too large (more than 4294967295), ignored");
	job_spec_free(s);

	s = job_ok(LABEL PROG
	    "<key>ThrottleInterval</key><integer>0</integer>\n"
	    "<key>ExitTimeOut</key><integer>0</integer>\n"
	    "<key>ThrottleInterval</key><integer>18446744073709551615</integer>\n", &w);
	/* the duplicate replaced the 0 before job_spec saw it */
	assert_int_equal(s->throttle_interval, 10);
	assert_int_equal(s->exit_timeout, 0);
	assert_warnings(&w, 2,
	    "job.plist:6: key ThrottleInterval: too large (more than 4294967295), ignored",
	    "job.plist:5: key ExitTimeOut: set to zero: the job is never sent SIGKILL");
	job_spec_free(s);

	s = job_ok(LABEL PROG "<key>ThrottleInterval</key><integer>0</integer>\n", &w);
	assert_int_equal(s->throttle_interval, 0);
	assert_warnings(&w, 1, "job.plist:4: key ThrottleInterval: set to zero: restarts are not "
	    "throttled");
	job_spec_free(s);
}

/* --- warnings: unknown, unsupported, case ---------------------------------- */

static void
test_unknown_and_unsupported_keys_warn(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG
	    "<key>StartInterval</key><integer>5</integer>\n"
	    "<key>Sockets</key><dict/>\n"
	    "<key>ThrottleIntervall</key><integer>5</integer>\n"
	    "<key>keepalive</key><true/>\n"
	    "<key>LABEL</key><string>other</string>\n"
	    "<key>UserName</key><integer>0</integer>\n", &w);

	/* nothing of those applied */
	assert_false(s->keepalive.always);
	assert_string_equal(s->label, "com.example.job");
	assert_int_equal(s->throttle_interval, 10);
	assert_warnings(&w, 6,
	    "job.plist:4: key StartInterval: not supported, ignored",
	    "job.plist:5: key Sockets: not supported, ignored",
	    "job.plist:6: key ThrottleIntervall: unknown key, ignored",
	    "job.plist:7: key keepalive: unknown key, ignored (keys are case-sensitive: did you "
	    "mean KeepAlive?)",
	    "job.plist:8: key LABEL: unknown key, ignored (keys are case-sensitive: did you mean "
	    "Label?)",
	    "job.plist:9: key UserName: not supported, ignored");
	job_spec_free(s);
}

/* Keys and values quoted in messages keep the message on one line
 * (found by fuzzing). */
static void
test_control_characters_in_messages(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG "<key>a&#10;b&#9;</key><true/>\n", &w);

	assert_warnings(&w, 1, "job.plist:4: key a?b?: unknown key, ignored");
	job_spec_free(s);
	job_fails(LABEL PROG "<key>Umask</key><string>0&#10;</string>\n",
	    "job.plist:4: key Umask: expected a number such as \"022\", found \"0?\"");
}

static void
test_disabled_dict_warns(void **state)
{
	struct warnings w;
	struct job_spec *s = job_ok(LABEL PROG "<key>Disabled</key><dict><key>MachineType</key>"
	    "<dict/></dict>\n", &w);

	assert_false(s->disabled);
	assert_warnings(&w, 1, "job.plist:4: key Disabled: the dictionary form (by machine type) "
	    "is not supported, ignored");
	job_spec_free(s);
}

static void
test_null_warn_callback(void **state)
{
	struct plist *p = job_plist(LABEL PROG "<key>Bogus</key><true/>\n");
	struct plist_error err;
	struct job_spec *s;

	assert_int_equal(job_spec_from_plist(p, NULL, &s, &err, NULL, NULL), 0);
	assert_string_equal(s->file, "plist");
	job_spec_free(s);
	job_spec_free(NULL);
	plist_free(p);
}

/* --- fatal errors ----------------------------------------------------------- */

static void
test_label_errors(void **state)
{
	job_fails(PROG, "job.plist:1: key Label: required key missing (expected a string)");
	job_fails(PROG "<key>Label</key><integer>1</integer>\n",
	    "job.plist:3: key Label: expected a string, found <integer>");
	job_fails(PROG "<key>Label</key><true/>\n",
	    "job.plist:3: key Label: expected a string, found <true/>");
	job_fails(PROG "<key>Label</key><string/>\n",
	    "job.plist:3: key Label: Empty job labels are not allowed");
	job_fails(PROG "<key>Label</key><string>a\tb</string>\n",
	    "job.plist:3: key Label: ASCII control characters are not allowed in job labels. "
	    "Index: 1 Value: 0x9");
	job_fails(PROG "<key>Label</key><string>abc&#x7f;</string>\n",
	    "job.plist:3: key Label: ASCII control characters are not allowed in job labels. "
	    "Index: 3 Value: 0x7f");
	job_fails(PROG "<key>Label</key><string>com.apple.launchd.foo</string>\n",
	    "job.plist:3: key Label: Job labels are not allowed to use a reserved prefix: "
	    "com.apple.launchd.foo");
	job_fails(PROG "<key>Label</key><string>COM.Apple.LaunchCtl</string>\n",
	    "job.plist:3: key Label: Job labels are not allowed to use a reserved prefix: "
	    "COM.Apple.LaunchCtl");
}

static void
test_program_errors(void **state)
{
	job_fails(LABEL, "job.plist:1: neither a Program nor a ProgramArguments key was specified");
	job_fails(LABEL "<key>RunAtLoad</key><true/>\n",
	    "job.plist:1: neither a Program nor a ProgramArguments key was specified");
	job_fails(LABEL "<key>ProgramArguments</key><array/>\n",
	    "job.plist:1: key ProgramArguments: empty, and there is no Program key");
	job_fails(LABEL "<key>ProgramArguments</key><array><string/></array>\n",
	    "job.plist:1: key ProgramArguments[0]: empty program name, and there is no Program key");
	job_fails(LABEL "<key>ProgramArguments</key><string>/bin/true</string>\n",
	    "job.plist:3: key ProgramArguments: expected an array of strings, found <string>");
	job_fails(LABEL "<key>ProgramArguments</key><array><string>a</string>\n"
	    "<integer>1</integer></array>\n",
	    "job.plist:4: key ProgramArguments[1]: expected a string, found <integer>");
	job_fails(LABEL "<key>Program</key><string></string>\n",
	    "job.plist:3: key Program: expected a non-empty string");
	job_fails(LABEL "<key>Program</key><array/>\n",
	    "job.plist:3: key Program: expected a string, found <array>");
}

static void
test_wrong_types_are_fatal(void **state)
{
	static const struct { const char *body, *message; } cases[] = {
		{ "<key>RunAtLoad</key><string>YES</string>\n",
		  "job.plist:4: key RunAtLoad: expected a boolean, found <string>" },
		{ "<key>KeepAlive</key><integer>1</integer>\n",
		  "job.plist:4: key KeepAlive: expected a boolean or a dictionary, found <integer>" },
		{ "<key>KeepAlive</key><dict><key>SuccessfulExit</key><string>no</string></dict>\n",
		  "job.plist:4: key KeepAlive.SuccessfulExit: expected a boolean, found <string>" },
		{ "<key>KeepAlive</key><dict><key>Crashed</key><dict/></dict>\n",
		  "job.plist:4: key KeepAlive.Crashed: expected a boolean, found <dict>" },
		{ "<key>OnDemand</key><integer>0</integer>\n",
		  "job.plist:4: key OnDemand: expected a boolean, found <integer>" },
		{ "<key>ThrottleInterval</key><string>10</string>\n",
		  "job.plist:4: key ThrottleInterval: expected an integer, found <string>" },
		{ "<key>ExitTimeOut</key><real>1.5</real>\n",
		  "job.plist:4: key ExitTimeOut: expected an integer, found <real>" },
		{ "<key>MachServices</key><array/>\n",
		  "job.plist:4: key MachServices: expected a dictionary, found <array>" },
		{ "<key>MachServices</key><dict><key>x</key><string>yes</string></dict>\n",
		  "job.plist:4: key MachServices.x: expected true or a dictionary, found <string>" },
		{ "<key>MachServices</key><dict><key></key><true/></dict>\n",
		  "job.plist:4: key MachServices.: empty service name" },
		{ "<key>MachServices</key><dict><key>x</key><dict><key>ResetAtClose</key>"
		  "<integer>1</integer></dict></dict>\n",
		  "job.plist:4: key MachServices.x.ResetAtClose: expected a boolean, found <integer>" },
		{ "<key>MachServices</key><dict><key>x</key><dict><key>HideUntilCheckIn</key>"
		  "<data/></dict></dict>\n",
		  "job.plist:4: key MachServices.x.HideUntilCheckIn: expected a boolean, found <data>" },
		{ "<key>EnvironmentVariables</key><array/>\n",
		  "job.plist:4: key EnvironmentVariables: expected a dictionary of strings, found <array>" },
		{ "<key>EnvironmentVariables</key><dict><key>N</key><integer>1</integer></dict>\n",
		  "job.plist:4: key EnvironmentVariables.N: expected a string, found <integer>" },
		{ "<key>EnvironmentVariables</key><dict><key>A=B</key><string/></dict>\n",
		  "job.plist:4: key EnvironmentVariables.A=B: environment variable names must be "
		  "non-empty and without '='" },
		{ "<key>EnvironmentVariables</key><dict><key></key><string/></dict>\n",
		  "job.plist:4: key EnvironmentVariables.: environment variable names must be "
		  "non-empty and without '='" },
		{ "<key>WorkingDirectory</key><string/>\n",
		  "job.plist:4: key WorkingDirectory: expected a non-empty string" },
		{ "<key>StandardInPath</key><date>2001-01-01T00:00:00Z</date>\n",
		  "job.plist:4: key StandardInPath: expected a string, found <date>" },
		{ "<key>StandardOutPath</key><false/>\n",
		  "job.plist:4: key StandardOutPath: expected a string, found <false/>" },
		{ "<key>StandardErrorPath</key><dict/>\n",
		  "job.plist:4: key StandardErrorPath: expected a string, found <dict>" },
		{ "<key>Umask</key><real>18</real>\n",
		  "job.plist:4: key Umask: expected an integer or a string, found <real>" },
		{ "<key>Umask</key><integer>512</integer>\n",
		  "job.plist:4: key Umask: out of range: a umask is 0 to 0777 (511)" },
		{ "<key>Umask</key><integer>-1</integer>\n",
		  "job.plist:4: key Umask: out of range: a umask is 0 to 0777 (511)" },
		{ "<key>Umask</key><string>01000</string>\n",
		  "job.plist:4: key Umask: out of range: a umask is 0 to 0777 (511)" },
		{ "<key>Umask</key><string>u=rwx</string>\n",
		  "job.plist:4: key Umask: expected a number such as \"022\", found \"u=rwx\"" },
		{ "<key>Umask</key><string> 022</string>\n",
		  "job.plist:4: key Umask: expected a number such as \"022\", found \" 022\"" },
		{ "<key>Umask</key><string>-1</string>\n",
		  "job.plist:4: key Umask: expected a number such as \"022\", found \"-1\"" },
		{ "<key>Umask</key><string/>\n",
		  "job.plist:4: key Umask: expected a non-empty string" },
		{ "<key>Disabled</key><string>true</string>\n",
		  "job.plist:4: key Disabled: expected a boolean, found <string>" },
		{ "<key>AbandonProcessGroup</key><integer>1</integer>\n",
		  "job.plist:4: key AbandonProcessGroup: expected a boolean, found <integer>" },
	};
	char body[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), LABEL PROG "%s", cases[i].body);
		job_fails(body, cases[i].message);
	}
}

/* The first fatal problem in file order wins; warnings before it were
 * already reported, the job is not built. */
static void
test_first_error_in_file_order(void **state)
{
	struct plist_error err = job_fails(LABEL
	    "<key>RunAtLoad</key><integer>1</integer>\n"
	    "<key>Program</key><integer>1</integer>\n",
	    "job.plist:3: key RunAtLoad: expected a boolean, found <integer>");

	assert_int_equal(err.line, 3);
	assert_string_equal(err.key, "RunAtLoad");
}

static void
test_top_level_must_be_dict(void **state)
{
	struct plist *p = parse_bytes_ok(plist_parse_xml, "<plist>\n<array/></plist>", 24);
	struct plist_error err;
	struct job_spec *s = (struct job_spec *)&err;

	assert_int_equal(job_spec_from_plist(p, JOB_FILE, &s, &err, NULL, NULL), -1);
	assert_null(s);
	assert_string_equal(err.message, "job.plist:2: expected a dictionary at the top level, "
	    "found <array>");
	plist_free(p);
	assert_int_equal(job_spec_from_plist(NULL, JOB_FILE, &s, &err, NULL, NULL), -1);
	assert_string_equal(err.message, "job.plist: no property list");
}

/* --- binary plists: no lines; NUL bytes ------------------------------------ */

static void
test_binary_plist_job(void **state)
{
	size_t len;
	void *b = read_fixture("tests/launchd/data/demo.bplist", &len);
	struct plist *p = parse_bytes_ok(plist_parse_binary, b, len);
	struct plist_error err;
	struct job_spec *s;
	struct warnings w;

	memset(&w, 0, sizeof(w));
	assert_int_equal(job_spec_from_plist(p, "demo.bplist", &s, &err, collect, &w), 0);
	assert_string_equal(s->label, "com.example.demo");
	assert_int_equal(s->argc, 2);
	assert_string_equal(s->argv[1], "--verbose");
	assert_int_equal(s->nservices, 2);
	/* plistlib sorts keys */
	assert_string_equal(s->services[0].name, "com.example.demo");
	assert_string_equal(s->services[1].name, "com.example.demo.reset");
	assert_true(s->services[1].reset_at_close);
	assert_true(s->keepalive.has_successful_exit);
	assert_false(s->keepalive.successful_exit);
	assert_true(s->start_on_load);
	assert_string_equal(s->env[0], "DEMO=1");
	assert_string_equal(s->env[1], "LANG=C");
	assert_string_equal(s->stderr_path, "/tmp/demo.err");
	assert_warnings(&w, 0);
	job_spec_free(s);
	plist_free(p);
	free(b);
}

static void
test_binary_strings_with_nul(void **state)
{
	/* {Label: "a\0b", Program: "/x"} as bplist00, 1-byte offsets/refs */
	static const uint8_t bin[] = {
		'b', 'p', 'l', 'i', 's', 't', '0', '0',
		0xd2, 1, 2, 3, 4,                               /* 0 @8 */
		0x55, 'L', 'a', 'b', 'e', 'l',                  /* 1 @13 */
		0x57, 'P', 'r', 'o', 'g', 'r', 'a', 'm',        /* 2 @19 */
		0x53, 'a', 0, 'b',                              /* 3 @27 */
		0x52, '/', 0,                                   /* 4 @31 */
		8, 13, 19, 27, 31,                              /* offsets @34 */
		0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 5,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 34,
	};
	struct plist *p = parse_bytes_ok(plist_parse_binary, bin, sizeof(bin));
	struct plist_error err;
	struct job_spec *s;

	assert_int_equal(job_spec_from_plist(p, "b.plist", &s, &err, NULL, NULL), -1);
	assert_string_equal(err.message, "b.plist: key Label: ASCII control characters are not "
	    "allowed in job labels. Index: 1 Value: 0x0");
	assert_int_equal(err.line, 0);
	/* fix the label: now Program's NUL */
	free(p->v.dict.entries[0].value->v.string.str);
	p->v.dict.entries[0].value->v.string.str = strdup("ab");
	p->v.dict.entries[0].value->v.string.len = 2;
	assert_int_equal(job_spec_from_plist(p, "b.plist", &s, &err, NULL, NULL), -1);
	assert_string_equal(err.message, "b.plist: key Program: the string contains a NUL character");
	plist_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_program_and_defaults),
		cmocka_unit_test(test_program_arguments),
		cmocka_unit_test(test_every_supported_key),
		cmocka_unit_test(test_umask_forms),
		cmocka_unit_test(test_mach_services),
		cmocka_unit_test(test_mach_service_name_length),
		cmocka_unit_test(test_keepalive_forms),
		cmocka_unit_test(test_on_demand),
		cmocka_unit_test(test_seconds_out_of_range_are_warnings),
		cmocka_unit_test(test_unknown_and_unsupported_keys_warn),
		cmocka_unit_test(test_control_characters_in_messages),
		cmocka_unit_test(test_disabled_dict_warns),
		cmocka_unit_test(test_null_warn_callback),
		cmocka_unit_test(test_label_errors),
		cmocka_unit_test(test_program_errors),
		cmocka_unit_test(test_wrong_types_are_fatal),
		cmocka_unit_test(test_first_error_in_file_order),
		cmocka_unit_test(test_top_level_must_be_dict),
		cmocka_unit_test(test_binary_plist_job),
		cmocka_unit_test(test_binary_strings_with_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
