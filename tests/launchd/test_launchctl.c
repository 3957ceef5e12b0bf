/*
 * test_launchctl.c -- launchctl's subcommands against a private launchd:
 * what they print and their exit codes (launchd.md 3.1-3.3, with the
 * macOS numbers: 3 ESRCH, 37 EALREADY, 64 usage, 112 no domain, 113 no
 * service, 119 disabled, 133 invalid property list), and bad plists
 * reported with their file, line, key and what was expected.
 */
#include "ld_test_util.h"

static unsigned
uid(void)
{
	return (unsigned)getuid();
}

#define assert_has(out, s) do { \
	if (strstr((out), (s)) == NULL) \
		fail_msg("missing \"%s\" in:\n%s", (s), (out)); \
} while (0)

static void
test_usage(void **state)
{
	const char *out;

	ld_ctl_expect(0, &out, "help");
	assert_has(out, "\tkickstart       ");
	ld_ctl_expect(1, &out, "frobnicate");
	assert_has(out, "Unrecognized subcommand: frobnicate\n");
	ld_ctl_expect(64, &out, "bootstrap");
	assert_has(out, "Usage: launchctl bootstrap <domain-target> <service-path> ...\n");
	ld_ctl_expect(64, &out, "kickstart gui/%u", uid());
	assert_has(out, "Unrecognized target specifier. <service-target> takes a form of "
	    "<domain-target>/<service-id>.\n");
	ld_ctl_expect(64, &out, "print nonsense");
}

static void
test_domains(void **state)
{
	const char *out;

	ld_ctl_expect(112, &out, "print system");
	assert_string_equal(out, "Could not find domain for system\n");
	ld_ctl_expect(112, &out, "print gui/%u", uid() + 1);
	assert_has(out, "Could not find domain for user gui: ");
	ld_ctl_expect(112, &out, "kickstart user/%u/x", uid() + 1);
	ld_ctl_expect(0, &out, "print user/%u", uid());
	ld_ctl_expect(0, &out, "print gui/%u", uid());
	assert_has(out, "\tservices = {\n");
}

static void
test_bootstrap_bootout(void **state)
{
	const char *plist = ld_job_plist("com.test.bs", "sleep", NULL);
	char expect[1024];
	const char *out;

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
	assert_string_equal(out, "");
	ld_ctl_expect(37, &out, "bootstrap gui/%u %s", uid(), plist);
	snprintf(expect, sizeof(expect), "%s: service already bootstrapped\n"
	    "Bootstrap failed: 37: Operation already in progress\n", plist);
	assert_string_equal(out, expect);
	ld_ctl_expect(0, &out, "list");
	assert_has(out, "PID\tStatus\tLabel\n");
	assert_has(out, "-\t0\tcom.test.bs\n");
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.bs", uid());
	ld_ctl_expect(3, &out, "bootout gui/%u/com.test.bs", uid());
	assert_string_equal(out, "Boot-out failed: 3: No such process\n");
	/* By path. */
	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
	ld_ctl_expect(0, &out, "bootout gui/%u %s", uid(), plist);
	ld_ctl_expect(113, &out, "bootout gui/%u %s", uid(), plist);
	snprintf(expect, sizeof(expect), "%s: Could not find specified service\n"
	    "Boot-out failed: 113: Could not find specified service\n", plist);
	assert_string_equal(out, expect);
	ld_ctl_expect(2, &out, "bootstrap gui/%u %s", uid(), ld_path("missing.plist"));
	assert_has(out, "missing.plist: No such file or directory\n");
}

/* A plist launchd cannot use: file, line, key and what was expected. */
static void
test_bad_plist(void **state)
{
	const char *bad = ld_write("bad.plist", LD_PLIST_HEAD
	    "  <key>Label</key><string>com.test.bad</string>\n"
	    "  <key>ProgramArguments</key><array><string>/bin/true</string></array>\n"
	    "  <key>ThrottleInterval</key><string>ten</string>\n" LD_PLIST_TAIL);
	const char *broken = ld_write("broken.plist", LD_PLIST_HEAD
	    "  <key>Label</key><string>com.test.broken</string>\n"
	    "  <key>ProgramArguments</key><array><string>/bin/true</array>\n" LD_PLIST_TAIL);
	const char *nolabel = ld_write("nolabel.plist", LD_PLIST_HEAD
	    "  <key>ProgramArguments</key><array><string>/bin/true</string></array>\n" LD_PLIST_TAIL);
	char expect[1024];
	const char *out;

	ld_ctl_expect(133, &out, "bootstrap gui/%u %s", uid(), bad);
	snprintf(expect, sizeof(expect), "%s: Invalid property list\n%s:7: ", bad, bad);
	assert_has(out, expect);
	assert_has(out, "ThrottleInterval");
	assert_has(out, "integer");
	assert_has(out, "Bootstrap failed: 133: Invalid property list\n");

	ld_ctl_expect(133, &out, "bootstrap gui/%u %s", uid(), broken);
	snprintf(expect, sizeof(expect), "%s: Invalid property list\n%s:", broken, broken);
	assert_has(out, expect);

	ld_ctl_expect(133, &out, "bootstrap gui/%u %s", uid(), nolabel);
	assert_has(out, "Label");

	/* Legacy load reports the same but exits 0. */
	ld_ctl_expect(0, &out, "load %s", bad);
	assert_has(out, "ThrottleInterval");
	ld_ctl_expect(0, &out, "list");
	assert_true(strstr(out, "com.test.bad") == NULL);
}

static void
test_permissions(void **state)
{
	const char *plist = ld_job_plist("com.test.perm", "sleep", NULL);
	char expect[1024];
	const char *out;

	assert_int_equal(chmod(plist, 0666), 0);
	ld_ctl_expect(1, &out, "bootstrap gui/%u %s", uid(), plist);
	snprintf(expect, sizeof(expect), "%s: Path had bad ownership/permissions\n", plist);
	assert_has(out, expect);
	/* load -F skips the check. */
	ld_ctl_expect(0, &out, "load -F %s", plist);
	ld_ctl_expect(0, &out, "remove com.test.perm");
}

static void
test_list(void **state)
{
	const char *out;

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(),
	    ld_job_plist("com.test.list", "exit 1", "  <key>RunAtLoad</key><true/>\n"
	    "  <key>MachServices</key><dict><key>com.test.list.svc</key><true/></dict>\n"));
	ld_wait_field("com.test.list", "last exit code", "1");
	ld_ctl_expect(0, &out, "list");
	assert_has(out, "-\t1\tcom.test.list\n");
	ld_ctl_expect(0, &out, "list com.test.list");
	assert_has(out, "{\n\t\"MachServices\" = {\n\t\t\"com.test.list.svc\" = mach-port-object;\n\t};\n");
	assert_has(out, "\t\"Label\" = \"com.test.list\";\n");
	/* The raw wait status, as on macOS: exit(1) is 256. */
	assert_has(out, "\t\"LastExitStatus\" = 256;\n");
	assert_has(out, "\t\"ProgramArguments\" = (\n");
	assert_true(strstr(out, "\"PID\"") == NULL);
	ld_ctl_expect(113, &out, "list com.test.nope");
	assert_string_equal(out, "Could not find service \"com.test.nope\" in domain for port\n");
	ld_ctl_expect(0, &out, "remove com.test.list");
}

static void
test_kickstart_kill(void **state)
{
	const char *out;
	long pid1, pid2;
	char expect[256];

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), ld_job_plist("com.test.kick", "sleep", NULL));
	ld_ctl_expect(3, &out, "kill TERM gui/%u/com.test.kick", uid());
	assert_string_equal(out, "No process to signal.\n");
	ld_ctl_expect(0, &out, "kickstart -p gui/%u/com.test.kick", uid());
	pid1 = strtol(out, NULL, 10);
	assert_true(pid1 > 0);
	assert_int_equal(ld_field_num("com.test.kick", "pid"), pid1);
	/* Already running: the same pid, nothing started. */
	ld_ctl_expect(0, &out, "kickstart -p gui/%u/com.test.kick", uid());
	assert_int_equal(strtol(out, NULL, 10), pid1);
	/* -k: the running instance goes, a new one comes. */
	ld_ctl_expect(0, &out, "kickstart -k -p gui/%u/com.test.kick", uid());
	pid2 = strtol(out, NULL, 10);
	assert_true(pid2 > 0 && pid2 != pid1);
	assert_int_equal(kill((pid_t)pid1, 0), -1);
	ld_ctl_expect(0, &out, "kill SIGUSR1 gui/%u/com.test.kick", uid());
	ld_wait_field("com.test.kick", "last terminating signal", "User defined signal 1: 10");
	ld_ctl_expect(64, &out, "kill NOSUCHSIG gui/%u/com.test.kick", uid());
	assert_has(out, "Invalid signal.\n");
	ld_ctl_expect(113, &out, "kickstart gui/%u/com.test.nope", uid());
	snprintf(expect, sizeof(expect), "Could not find service \"com.test.nope\" in domain for "
	    "user gui: %u\n", uid());
	assert_string_equal(out, expect);
	ld_ctl_expect(113, &out, "kill 9 gui/%u/com.test.nope", uid());
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.kick", uid());
}

static void
test_enable_disable(void **state)
{
	const char *plist = ld_job_plist("com.test.dis", "sleep", NULL);
	char expect[1024];
	const char *out;

	ld_ctl_expect(0, &out, "disable gui/%u/com.test.dis", uid());
	ld_ctl_expect(119, &out, "bootstrap gui/%u %s", uid(), plist);
	snprintf(expect, sizeof(expect), "%s: Service is disabled\n"
	    "Bootstrap failed: 119: Service is disabled\n", plist);
	assert_string_equal(out, expect);
	ld_ctl_expect(0, &out, "print gui/%u", uid());
	assert_has(out, "\t\t\"com.test.dis\" => disabled\n");
	/* load without -w says so and exits 0; load -w enables and loads. */
	ld_ctl_expect(0, &out, "load %s", plist);
	assert_has(out, "Service is disabled");
	ld_ctl_expect(0, &out, "load -w %s", plist);
	ld_ctl_expect(0, &out, "print gui/%u", uid());
	assert_has(out, "\t\t\"com.test.dis\" => enabled\n");
	assert_has(out, "com.test.dis\n");
	/* unload -w unloads and disables again. */
	ld_ctl_expect(0, &out, "unload -w %s", plist);
	ld_ctl_expect(0, &out, "print gui/%u", uid());
	assert_has(out, "\t\t\"com.test.dis\" => disabled\n");
	ld_ctl_expect(0, &out, "enable gui/%u/com.test.dis", uid());
	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.dis", uid());
}

static void
test_legacy(void **state)
{
	const char *plist = ld_job_plist("com.test.legacy", "sleep", NULL);
	char expect[1024];
	const char *out;

	ld_ctl_expect(0, &out, "load %s", plist);
	assert_string_equal(out, "");
	ld_ctl_expect(0, &out, "load %s", plist);
	snprintf(expect, sizeof(expect), "%s: service already loaded\n", plist);
	assert_string_equal(out, expect);
	ld_ctl_expect(0, &out, "start com.test.legacy");
	ld_wait_field("com.test.legacy", "state", "running");
	ld_ctl_expect(0, &out, "stop com.test.legacy");
	ld_wait_field("com.test.legacy", "state", "not running");
	ld_ctl_expect(0, &out, "stop com.test.legacy");         /* not running: no-op */
	ld_ctl_expect(1, &out, "start com.test.nope");
	assert_string_equal(out, "launchctl start error: No such process\n");
	ld_ctl_expect(1, &out, "stop com.test.nope");
	ld_ctl_expect(0, &out, "unload %s", plist);
	ld_ctl_expect(0, &out, "unload %s", plist);
	snprintf(expect, sizeof(expect), "%s: Could not find specified service\n", plist);
	assert_string_equal(out, expect);
	ld_ctl_expect(0, &out, "load %s", plist);
	ld_ctl_expect(0, &out, "remove com.test.legacy");
	ld_ctl_expect(1, &out, "remove com.test.legacy");
	assert_string_equal(out, "launchctl remove error: No such process\n");
	/* A directory: every *.plist in it; none at all is an error. */
	mkdir(ld_path("empty.d"), 0755);
	ld_ctl_expect(1, &out, "load %s", ld_path("empty.d"));
	assert_string_equal(out, "launchctl: nothing found to load\n");
}

static void
test_print_service(void **state)
{
	const char *out;
	char expect[256];

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), ld_job_plist("com.test.print",
	    "sleep", "  <key>RunAtLoad</key><true/>\n"
	    "  <key>MachServices</key><dict><key>com.test.print.svc</key><true/></dict>\n"));
	ld_wait_field("com.test.print", "state", "running");
	ld_ctl_expect(0, &out, "print gui/%u/com.test.print", uid());
	snprintf(expect, sizeof(expect), "gui/%u/com.test.print = {\n", uid());
	assert_has(out, expect);
	assert_has(out, "\tstate = running\n");
	assert_has(out, "\tminimum runtime = 1\n");
	assert_has(out, "\texit timeout = 20\n");
	assert_has(out, "\t\t\"com.test.print.svc\" = {\n");
	assert_has(out, "\t\t\tactive = 0\n");         /* sleep never checks in */
	ld_ctl_expect(113, &out, "print gui/%u/com.test.nope", uid());
	ld_ctl_expect(0, &out, "print gui/%u", uid());
	assert_has(out, "\tcom.test.print.svc\t(com.test.print)\n");
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.print", uid());
}

/* launchd -n checks plists without running them; --log FILE keeps the log. */
static void
test_launchd_check_and_log(void **state)
{
	const char *good = ld_job_plist("com.test.n", "exit 0", NULL);
	const char *bad = ld_write("n-bad.plist", LD_PLIST_HEAD
	    "  <key>Label</key><string>com.test.nb</string>\n"
	    "  <key>Program</key><integer>3</integer>\n" LD_PLIST_TAIL);
	const char *out;
	char sock[600], ready[600], log[600];

	(void)state;
	assert_int_equal(ld_sh(&out, "%s/bin/launchd -n %s", ld_env()->build, good), 0);
	assert_string_equal(out, "launchd: configuration OK\n");
	assert_int_not_equal(ld_sh(&out, "%s/bin/launchd -n %s", ld_env()->build, bad), 0);
	assert_non_null(strstr(out, "n-bad.plist:"));
	assert_non_null(strstr(out, "Program"));
	snprintf(sock, sizeof(sock), "%s", ld_path("log.sock"));
	snprintf(ready, sizeof(ready), "%s", ld_path("log.ready"));
	snprintf(log, sizeof(log), "%s", ld_path("launchd-file.log"));
	assert_int_equal(ld_sh(&out, "%s/bin/machd --socket %s --launchd %s/bin/launchd --log %s "
	    "--ready %s --overrides %s & m=$!; for i in $(seq 200); do [ -f %s ] && break; "
	    "sleep 0.05; done; kill $m; wait $m; grep -c 'serving the bootstrap namespace' %s",
	    ld_env()->build, sock, ld_env()->build, log, ready, ld_path("log.overrides"), ready, log), 0);
	assert_string_equal(out + strlen(out) - 2, "1\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_launchd_check_and_log),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_bootstrap_bootout),
		cmocka_unit_test(test_bad_plist),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_kickstart_kill),
		cmocka_unit_test(test_enable_disable),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_print_service),
	};

	return cmocka_run_group_tests(tests, ld_group_setup, ld_group_teardown);
}
