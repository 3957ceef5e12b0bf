/*
 * test_launchd_jobs.c -- the job lifecycle (launchd.md section 5) seen
 * from outside: on-demand launch by a Mach message, RunAtLoad, KeepAlive
 * and its conditions, throttling, crash classification, the spawn
 * attributes (environment, working directory, umask, standard streams),
 * stop with SIGTERM then SIGKILL after ExitTimeOut, a spawn failure, and
 * above all: a job that crashes with messages queued loses none of them.
 *
 * State is read through `launchctl print` (state, runs, pid, last exit
 * code); nothing depends on timing except lower bounds that launchd's
 * throttle guarantees.
 */
#include "ld_test_util.h"
#include "ld_test_proto.h"
#include "../libmach/test_util.h"

static unsigned
uid(void)
{
	return (unsigned)getuid();
}

static void
load(const char *plist)
{
	const char *out;

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
}

static void
unload(const char *label)
{
	const char *out;

	ld_ctl_expect(0, &out, "bootout gui/%u/%s", uid(), label);
}

static void
send_req(mach_port_t svc, mach_port_t reply, mach_msg_id_t id, uint32_t seq)
{
	struct ld_echo m;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_size = sizeof(m);
	m.h.msgh_remote_port = svc;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = id;
	m.seq = seq;
	assert_kr(mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0, MACH_PORT_NULL,
	    5000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
}

/* The echo reply on `reply`: the pid of the job that answered. */
static int32_t
recv_reply(mach_port_t reply, uint32_t seq)
{
	struct { struct ld_echo e; mach_msg_max_trailer_t t; } m;

	memset(&m, 0, sizeof(m));
	assert_kr(mach_msg(&m.e.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), reply, 15000,
	    MACH_PORT_NULL), MACH_MSG_SUCCESS);
	assert_int_equal(m.e.h.msgh_id, LD_MSG_ECHO + 100);
	assert_int_equal(m.e.seq, seq);
	return m.e.pid;
}

static mach_port_t
look_up(const char *name)
{
	mach_port_t p = MACH_PORT_NULL;

	assert_kr(bootstrap_look_up(bootstrap_port, name, &p), KERN_SUCCESS);
	return p;
}

static void
drop_recv(mach_port_t p)
{
	assert_kr(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

#define SERVICES(name) "  <key>MachServices</key><dict><key>" name "</key><true/></dict>\n"

/* Not started at load; the first message launches it. */
static void
test_on_demand(void **state)
{
	mach_port_t svc, reply = tu_port();
	int32_t pid;

	load(ld_job_plist("com.test.demand", "serve com.test.demand.svc", SERVICES("com.test.demand.svc")));
	assert_string_equal(ld_field("com.test.demand", "state"), "not running");
	assert_int_equal(ld_field_num("com.test.demand", "runs"), 0);
	svc = look_up("com.test.demand.svc");
	send_req(svc, reply, LD_MSG_ECHO, 1);
	pid = recv_reply(reply, 1);
	assert_int_equal(ld_field_num("com.test.demand", "pid"), pid);
	assert_string_equal(ld_field("com.test.demand", "immediate reason"), "ipc (mach message)");
	/* Running and checked in: the next message goes straight to it. */
	send_req(svc, reply, LD_MSG_ECHO, 2);
	assert_int_equal(recv_reply(reply, 2), pid);
	assert_int_equal(ld_field_num("com.test.demand", "runs"), 1);
	unload("com.test.demand");
	assert_kr(mach_port_deallocate(mach_task_self(), svc), KERN_SUCCESS);
	drop_recv(reply);
}

static void
test_run_at_load(void **state)
{
	load(ld_job_plist("com.test.ral", "sleep", "  <key>RunAtLoad</key><true/>\n"));
	ld_wait_field("com.test.ral", "state", "running");
	assert_string_equal(ld_field("com.test.ral", "immediate reason"), "speculative (RunAtLoad)");
	unload("com.test.ral");
}

/* KeepAlive true: restarted, never sooner than ThrottleInterval (1 s)
 * after the previous start. */
static void
test_keepalive_throttle(void **state)
{
	char args[512];
	long long t[3];
	FILE *f;
	int i, pid;

	snprintf(args, sizeof(args), "--starts %s exit 0", ld_path("ka.starts"));
	load(ld_job_plist("com.test.ka", args, "  <key>KeepAlive</key><true/>\n"));
	for (i = 0; i < 1000 && ld_count_lines(ld_path("ka.starts")) < 3; i++)
		ld_sleep_ms(20);
	unload("com.test.ka");
	f = fopen(ld_path("ka.starts"), "r");
	assert_non_null(f);
	for (i = 0; i < 3; i++)
		assert_int_equal(fscanf(f, "%d %lld", &pid, &t[i]), 2);
	fclose(f);
	/* launchd measures from its own fork; the job's clock reading comes
	 * a little later and varies, so only half the interval is asserted. */
	assert_true(t[1] - t[0] >= 500);
	assert_true(t[2] - t[1] >= 500);
	assert_non_null(strstr(ld_log(), "com.test.ka: Throttling respawn: Will start in 1 seconds"));
}

/* Issue 4: KeepAlive respawns a job killed with SIGKILL, no sooner than
 * ThrottleInterval after its previous start. */
static void
test_keepalive_after_sigkill(void **state)
{
	char args[512];
	long long t[2];
	int pid[2], i;
	FILE *f;

	(void)state;
	snprintf(args, sizeof(args), "--starts %s sleep", ld_path("kill.starts"));
	load(ld_job_plist("com.test.kill", args, "  <key>KeepAlive</key><true/>\n"));
	for (i = 0; i < 1000 && ld_count_lines(ld_path("kill.starts")) < 1; i++)
		ld_sleep_ms(10);
	f = fopen(ld_path("kill.starts"), "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d %lld", &pid[0], &t[0]), 2);
	fclose(f);
	assert_int_equal(kill(pid[0], SIGKILL), 0);
	for (i = 0; i < 1000 && ld_count_lines(ld_path("kill.starts")) < 2; i++)
		ld_sleep_ms(10);
	unload("com.test.kill");
	f = fopen(ld_path("kill.starts"), "r");
	assert_non_null(f);
	for (i = 0; i < 2; i++)
		assert_int_equal(fscanf(f, "%d %lld", &pid[i], &t[i]), 2);
	fclose(f);
	assert_int_not_equal(pid[1], pid[0]);
	assert_true(t[1] - t[0] >= 500);      /* ThrottleInterval 1 s, measured as above */
	assert_non_null(strstr(ld_log(), "com.test.kill["));
	assert_non_null(strstr(ld_log(), "Exited: Killed: 9"));
}

/* SuccessfulExit = false: a clean exit stays down, a failure restarts. */
static void
test_keepalive_successful_exit(void **state)
{
	const char *ka = "  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>\n";
	struct ld_field_want w = { "com.test.se1", "runs", "2" };

	/* SuccessfulExit implies a first run. */
	load(ld_job_plist("com.test.se0", "exit 0", ka));
	ld_wait_field("com.test.se0", "last exit code", "0");
	assert_string_equal(ld_field("com.test.se0", "state"), "not running");
	assert_int_equal(ld_field_num("com.test.se0", "runs"), 1);
	unload("com.test.se0");

	load(ld_job_plist("com.test.se1", "exit 3", ka));
	assert_true(ld_wait(ld_field_is, &w));
	assert_string_equal(ld_field("com.test.se1", "last exit code"), "3");
	assert_non_null(strstr(ld_log(), "]: Exited with code: 3"));
	unload("com.test.se1");
}

/* Crashed = true: SIGABRT is a crash and restarts; exit(1) is not. */
static void
test_keepalive_crashed(void **state)
{
	const char *ka = "  <key>KeepAlive</key><dict><key>Crashed</key><true/></dict>\n";
	struct ld_field_want w = { "com.test.cr1", "runs", "2" };
	const char *out;

	load(ld_job_plist("com.test.cr0", "exit 1", ka));
	ld_wait_field("com.test.cr0", "last exit code", "1");
	assert_string_equal(ld_field("com.test.cr0", "state"), "not running");
	unload("com.test.cr0");

	load(ld_job_plist("com.test.cr1", "crash", ka));
	assert_true(ld_wait(ld_field_is, &w));
	assert_non_null(strstr(ld_log(), "Job appears to have crashed: Aborted: 6"));
	assert_true(ld_field_num("com.test.cr1", "successive crashes") >= 1);
	/* list: the Status column shows the signal as -6. */
	assert_int_equal(ld_ctl(&out, "list"), 0);
	assert_non_null(strstr(out, "\t-6\tcom.test.cr1\n"));
	unload("com.test.cr1");
}

/* Environment, working directory, umask and the standard streams. */
static void
test_spawn_attributes(void **state)
{
	char extra[2048], expect[1024];
	const char *out;
	int fd;
	ssize_t n;
	char buf[2048];

	snprintf(extra, sizeof(extra),
	    "  <key>RunAtLoad</key><true/>\n"
	    "  <key>EnvironmentVariables</key><dict><key>LD_TEST_VAR</key><string>hello</string></dict>\n"
	    "  <key>WorkingDirectory</key><string>%s</string>\n"
	    "  <key>Umask</key><integer>63</integer>\n"
	    "  <key>StandardOutPath</key><string>%s</string>\n"
	    "  <key>StandardErrorPath</key><string>%s</string>\n",
	    ld_env()->dir, ld_path("env.out"), ld_path("env.err"));
	load(ld_job_plist("com.test.env", "env", extra));
	ld_wait_field("com.test.env", "last exit code", "0");
	fd = open(ld_path("env.out"), O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(expect, sizeof(expect), "cwd=%s\numask=077\nLD_TEST_VAR=hello\n"
	    "XPC_SERVICE_NAME=com.test.env\n", ld_env()->dir);
	assert_string_equal(buf, expect);
	fd = open(ld_path("env.err"), O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "to stderr\n");
	assert_int_equal(ld_ctl(&out, "print gui/%u/com.test.env", uid()), 0);
	assert_non_null(strstr(out, "\t\tLD_TEST_VAR => hello\n"));
	unload("com.test.env");
}

/*
 * The heart of it: the first instance checks in and crashes with three
 * requests queued; the receive right comes back to launchd with them,
 * the next instance gets them at check-in and answers all three.  Then a
 * request the job dequeues and dies on is lost (its client's send-once
 * right dies), but the one queued behind it is answered by the third.
 */
static void
test_crash_keeps_messages(void **state)
{
	char args[512];
	mach_port_t svc, r[3], dead = tu_port();
	int32_t pid[3];
	int i;

	ld_write("crash.flag", "x");
	snprintf(args, sizeof(args), "crash-once %s com.test.crash.svc", ld_path("crash.flag"));
	load(ld_job_plist("com.test.crash", args, SERVICES("com.test.crash.svc")));
	svc = look_up("com.test.crash.svc");
	for (i = 0; i < 3; i++) {
		r[i] = tu_port();
		send_req(svc, r[i], LD_MSG_ECHO, 10 + (uint32_t)i);
	}
	for (i = 0; i < 3; i++)
		pid[i] = recv_reply(r[i], 10 + (uint32_t)i);
	assert_int_equal(pid[0], pid[1]);
	assert_int_equal(pid[1], pid[2]);
	assert_int_equal(ld_field_num("com.test.crash", "runs"), 2);
	assert_non_null(strstr(ld_log(), "Job appears to have crashed: Aborted: 6"));

	send_req(svc, dead, LD_MSG_CRASH, 0);
	send_req(svc, r[0], LD_MSG_ECHO, 20);
	assert_true(recv_reply(r[0], 20) != pid[0]);
	assert_int_equal(ld_field_num("com.test.crash", "runs"), 3);
	tu_expect_send_once_notification(dead);

	unload("com.test.crash");
	assert_kr(mach_port_deallocate(mach_task_self(), svc), KERN_SUCCESS);
	for (i = 0; i < 3; i++)
		drop_recv(r[i]);
	drop_recv(dead);
}

/* ResetAtClose: when the job dies its port dies with it (clients get a
 * dead name) and look_up hands out a fresh one. */
static void
test_reset_at_close(void **state)
{
	mach_port_t old, fresh, reply = tu_port();
	int32_t pid;

	load(ld_job_plist("com.test.reset", "serve com.test.reset.svc",
	    "  <key>MachServices</key><dict><key>com.test.reset.svc</key>"
	    "<dict><key>ResetAtClose</key><true/></dict></dict>\n"));
	old = look_up("com.test.reset.svc");
	send_req(old, reply, LD_MSG_ECHO, 1);
	pid = recv_reply(reply, 1);
	send_req(old, MACH_PORT_NULL, LD_MSG_EXIT, 0);
	ld_wait_field("com.test.reset", "last exit code", "0");
	assert_int_equal(tu_type(old), MACH_PORT_TYPE_DEAD_NAME);
	fresh = look_up("com.test.reset.svc");
	assert_true(fresh != old);
	send_req(fresh, reply, LD_MSG_ECHO, 2);
	assert_true(recv_reply(reply, 2) != pid);
	unload("com.test.reset");
	assert_kr(mach_port_deallocate(mach_task_self(), old), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(mach_task_self(), fresh), KERN_SUCCESS);
	drop_recv(reply);
}

/* stop: SIGTERM; a job that ignores it is killed after ExitTimeOut. */
static void
test_stop_exit_timeout(void **state)
{
	char args[512];
	const char *out;
	int i;

	/* The start record is written once SIGTERM is ignored. */
	snprintf(args, sizeof(args), "--ignore-term --starts %s sleep", ld_path("stop.starts"));
	load(ld_job_plist("com.test.stop", args,
	    "  <key>RunAtLoad</key><true/>\n  <key>ExitTimeOut</key><integer>1</integer>\n"));
	for (i = 0; i < 500 && ld_count_lines(ld_path("stop.starts")) < 1; i++)
		ld_sleep_ms(20);
	assert_int_equal(ld_count_lines(ld_path("stop.starts")), 1);
	ld_ctl_expect(0, &out, "stop com.test.stop");
	ld_wait_field("com.test.stop", "last terminating signal", "Killed: 9");
	assert_string_equal(ld_field("com.test.stop", "state"), "not running");
	assert_non_null(strstr(ld_log(), "com.test.stop[") );
	assert_non_null(strstr(ld_log(), "Exit timeout elapsed (1 seconds). Killing"));
	assert_int_equal(ld_ctl(&out, "list"), 0);
	assert_non_null(strstr(out, "-\t-9\tcom.test.stop\n"));
	unload("com.test.stop");
}

/* A program that cannot be run: exit code 78 (EX_CONFIG), logged. */
static void
test_spawn_failure(void **state)
{
	load(ld_write("com.test.noexec.plist", LD_PLIST_HEAD
	    "  <key>Label</key><string>com.test.noexec</string>\n"
	    "  <key>Program</key><string>/nonexistent/ld-no-such-program</string>\n"
	    "  <key>RunAtLoad</key><true/>\n" LD_PLIST_TAIL));
	ld_wait_field("com.test.noexec", "last exit code", "78");
	assert_non_null(strstr(ld_log(), "Service could not initialize: "
	    "execve(/nonexistent/ld-no-such-program): No such file or directory"));
	unload("com.test.noexec");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_on_demand),
		tu_test(test_run_at_load),
		tu_test(test_keepalive_throttle),
		tu_test(test_keepalive_after_sigkill),
		tu_test(test_keepalive_successful_exit),
		tu_test(test_keepalive_crashed),
		tu_test(test_spawn_attributes),
		tu_test(test_crash_keeps_messages),
		tu_test(test_reset_at_close),
		tu_test(test_stop_exit_timeout),
		tu_test(test_spawn_failure),
	};

	return cmocka_run_group_tests(tests, ld_group_setup, ld_group_teardown);
}
