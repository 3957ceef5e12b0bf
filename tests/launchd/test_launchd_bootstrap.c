/*
 * test_launchd_bootstrap.c -- launchd's bootstrap server (subsystem 400)
 * through libmach's client calls, against a private machd whose init
 * task is launchd: look_up, check_in and register with each code their
 * rules give (launchd.md 4.5, 4.7, 4.9), who the caller is (the kernel's
 * audit trailer, not what it claims), and malformed requests.
 *
 * Codes the three routines cannot return: BOOTSTRAP_NAME_IN_USE (1101;
 * launchd-842 answers 1103 instead), BOOTSTRAP_BAD_COUNT (1104, only
 * look_up_array), BOOTSTRAP_NO_CHILDREN (1106, only lookup_children).
 * BOOTSTRAP_NO_MEMORY (1105) is the answer when launchd cannot make a
 * port; test_no_memory exhausts launchd's name space to see it.
 */
#include "ld_test_util.h"
#include "ld_test_proto.h"
#include "../libmach/test_util.h"

static unsigned
uid(void)
{
	return (unsigned)getuid();
}

/* Send an echo request on `svc` and wait for the reply; the job's pid. */
static int32_t
echo(mach_port_t svc, uint32_t seq)
{
	struct { struct ld_echo e; mach_msg_max_trailer_t t; } m;
	mach_port_t reply = tu_port();

	memset(&m, 0, sizeof(m));
	m.e.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.e.h.msgh_size = sizeof(m.e);
	m.e.h.msgh_remote_port = svc;
	m.e.h.msgh_local_port = reply;
	m.e.h.msgh_id = LD_MSG_ECHO;
	m.e.seq = seq;
	assert_kr(mach_msg(&m.e.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof(m.e),
	    sizeof(m), reply, 10000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	assert_int_equal(m.e.h.msgh_id, LD_MSG_ECHO + 100);
	assert_int_equal(m.e.seq, seq);
	assert_kr(mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
	return m.e.pid;
}

static void
test_look_up_unknown(void **state)
{
	mach_port_t p = MACH_PORT_NULL;

	assert_kr(bootstrap_look_up(bootstrap_port, "com.test.nothing", &p),
	    BOOTSTRAP_UNKNOWN_SERVICE);
	assert_int_equal(p, MACH_PORT_NULL);
}

/* --- dynamic check-in: an anonymous process creates a name ------------- */

static void
child_check_in_refused(void *arg)
{
	mach_port_t p;

	assert_kr(bootstrap_check_in(bootstrap_port, arg, &p), BOOTSTRAP_NOT_PRIVILEGED);
	assert_kr(bootstrap_register(bootstrap_port, arg, MACH_PORT_NULL), BOOTSTRAP_NOT_PRIVILEGED);
	/* Anyone may look it up. */
	assert_kr(bootstrap_look_up(bootstrap_port, arg, &p), KERN_SUCCESS);
	assert_kr(tu_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 77, 32), MACH_MSG_SUCCESS);
}

static int
name_gone(const void *arg)
{
	mach_port_t p;
	kern_return_t kr = bootstrap_look_up(bootstrap_port, arg, &p);

	if (kr == KERN_SUCCESS)
		(void)mach_port_deallocate(mach_task_self(), p);
	return kr == BOOTSTRAP_UNKNOWN_SERVICE;
}

static void
test_check_in_dynamic(void **state)
{
	static char name[] = "com.test.dynamic";
	mach_port_t recv = MACH_PORT_NULL, again, send;
	tu_msg_t m;

	assert_kr(bootstrap_check_in(bootstrap_port, name, &recv), KERN_SUCCESS);
	assert_true(tu_type(recv) & MACH_PORT_TYPE_RECEIVE);
	/* Second check-in of a live name: 842's SERVICE_ACTIVE. */
	assert_kr(bootstrap_check_in(bootstrap_port, name, &again), BOOTSTRAP_SERVICE_ACTIVE);
	assert_kr(bootstrap_register(bootstrap_port, name, MACH_PORT_NULL), BOOTSTRAP_SERVICE_ACTIVE);
	/* look_up gives a send right to that very port. */
	assert_kr(bootstrap_look_up(bootstrap_port, name, &send), KERN_SUCCESS);
	assert_int_equal(send, recv);           /* coalesced with our receive right */
	assert_kr(mach_port_deallocate(mach_task_self(), send), KERN_SUCCESS);
	/* Another process is not the owner. */
	assert_int_equal(harness_wait(harness_fork(child_check_in_refused, name)), 0);
	assert_kr(tu_recv(recv, &m, sizeof(m), 0, 5000), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 77);
	/* The name dies with the port. */
	assert_kr(mach_port_mod_refs(mach_task_self(), recv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_true(ld_wait(name_gone, name));
}

/* --- register ------------------------------------------------------------ */

static void
child_register_refused(void *arg)
{
	mach_port_t p = tu_port_send(), q;

	assert_kr(bootstrap_register(bootstrap_port, arg, p), BOOTSTRAP_NOT_PRIVILEGED);
	assert_kr(bootstrap_check_in(bootstrap_port, arg, &q), BOOTSTRAP_NOT_PRIVILEGED);
}

static void
test_register(void **state)
{
	static char name[] = "com.test.registered";
	mach_port_t p = tu_port_send(), got;
	tu_msg_t m;

	assert_kr(bootstrap_register(bootstrap_port, name, p), KERN_SUCCESS);
	/* We keep our send right (COPY_SEND): still one uref. */
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_kr(bootstrap_look_up(bootstrap_port, name, &got), KERN_SUCCESS);
	assert_int_equal(got, p);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 2);
	assert_kr(mach_port_deallocate(mach_task_self(), got), KERN_SUCCESS);
	assert_kr(tu_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 5, 24), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 1000), MACH_MSG_SUCCESS);
	/* A registered name is active: not again, not even to unregister. */
	assert_kr(bootstrap_register(bootstrap_port, name, p), BOOTSTRAP_SERVICE_ACTIVE);
	assert_kr(bootstrap_register(bootstrap_port, name, MACH_PORT_NULL), BOOTSTRAP_SERVICE_ACTIVE);
	assert_int_equal(harness_wait(harness_fork(child_register_refused, name)), 0);
	/* The name goes when the port dies (dead-name notification). */
	assert_kr(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	assert_true(ld_wait(name_gone, name));
}

/* Registering a null port for a name nobody has: nothing to do. */
static void
test_register_null(void **state)
{
	mach_port_t p;

	assert_kr(bootstrap_register(bootstrap_port, "com.test.null", MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(bootstrap_look_up(bootstrap_port, "com.test.null", &p), BOOTSTRAP_UNKNOWN_SERVICE);
}

/* --- names are name_t: 127 bytes -------------------------------------------- */

static void
test_long_name(void **state)
{
	char longname[200], cut[128];
	mach_port_t recv, send;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(cut, longname, 127);
	cut[127] = '\0';
	assert_kr(bootstrap_check_in(bootstrap_port, longname, &recv), KERN_SUCCESS);
	assert_kr(bootstrap_look_up(bootstrap_port, cut, &send), KERN_SUCCESS);
	assert_int_equal(send, recv);
	assert_kr(mach_port_deallocate(mach_task_self(), send), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(mach_task_self(), recv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_true(ld_wait(name_gone, cut));
}

/* --- declared services: launchd holds them from load time ------------------- */

static void
test_declared_service(void **state)
{
	const char *out;
	const char *plist = ld_job_plist("com.test.decl", "serve com.test.decl.svc",
	    "  <key>MachServices</key><dict><key>com.test.decl.svc</key><true/></dict>\n");
	mach_port_t send, recv, mine = tu_port_send();

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
	/* look_up works while the job does not run ... */
	assert_kr(bootstrap_look_up(bootstrap_port, "com.test.decl.svc", &send), KERN_SUCCESS);
	assert_string_equal(ld_field("com.test.decl", "state"), "not running");
	/* ... but the name is the job's: not ours to check in or register. */
	assert_kr(bootstrap_check_in(bootstrap_port, "com.test.decl.svc", &recv),
	    BOOTSTRAP_NOT_PRIVILEGED);
	assert_kr(bootstrap_register(bootstrap_port, "com.test.decl.svc", mine),
	    BOOTSTRAP_NOT_PRIVILEGED);
	assert_kr(bootstrap_register(bootstrap_port, "com.test.decl.svc", MACH_PORT_NULL),
	    BOOTSTRAP_NOT_PRIVILEGED);
	/* A message launches the job, which answers it. */
	{
		int32_t pid = echo(send, 1);
		assert_int_equal(pid, ld_field_num("com.test.decl", "pid"));
	}
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.decl", uid());
	/* Unloading destroyed the port: our send right is a dead name. */
	assert_int_equal(tu_type(send), MACH_PORT_TYPE_DEAD_NAME);
	assert_kr(mach_port_deallocate(mach_task_self(), send), KERN_SUCCESS);
	assert_kr(bootstrap_look_up(bootstrap_port, "com.test.decl.svc", &send),
	    BOOTSTRAP_UNKNOWN_SERVICE);
	assert_kr(mach_port_mod_refs(mach_task_self(), mine, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(mach_task_self(), mine), KERN_SUCCESS);
}

/* The job itself: register of its declared name is refused (842: "called
 * instead of bootstrap_check_in"), check_in succeeds once, then 1103. */
static void
test_job_rules(void **state)
{
	char args[512], codes[64] = "";
	const char *out;
	const char *plist;
	FILE *f;
	int i;

	snprintf(args, sizeof(args), "probe %s com.test.probe.svc", ld_path("probe.out"));
	plist = ld_job_plist("com.test.probe", args,
	    "  <key>MachServices</key><dict><key>com.test.probe.svc</key><true/></dict>\n"
	    "  <key>RunAtLoad</key><true/>\n");
	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
	for (i = 0; i < 500 && ld_count_lines(ld_path("probe.out")) < 1; i++)
		ld_sleep_ms(20);
	f = fopen(ld_path("probe.out"), "r");
	assert_non_null(f);
	assert_non_null(fgets(codes, sizeof(codes), f));
	fclose(f);
	assert_string_equal(codes, "1100 0 1103\n");
	assert_non_null(strstr(ld_log(), "bootstrap_register() erroneously called instead of "
	    "bootstrap_check_in(). Mach service: com.test.probe.svc"));
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.probe", uid());
}

/* HideUntilCheckIn: unknown until the job checked in. */
static void
test_hide_until_check_in(void **state)
{
	const char *out;
	const char *plist = ld_job_plist("com.test.hide", "serve com.test.hide.svc",
	    "  <key>MachServices</key><dict><key>com.test.hide.svc</key>"
	    "<dict><key>HideUntilCheckIn</key><true/></dict></dict>\n");
	mach_port_t send;

	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", uid(), plist);
	assert_kr(bootstrap_look_up(bootstrap_port, "com.test.hide.svc", &send),
	    BOOTSTRAP_UNKNOWN_SERVICE);
	ld_ctl_expect(0, &out, "kickstart gui/%u/com.test.hide", uid());
	assert_true(ld_wait(ld_field_is, &(struct ld_field_want){ "com.test.hide", "active count", "2" }));
	assert_kr(bootstrap_look_up(bootstrap_port, "com.test.hide.svc", &send), KERN_SUCCESS);
	{
		int32_t pid = echo(send, 9);
		assert_int_equal(pid, ld_field_num("com.test.hide", "pid"));
	}
	assert_kr(mach_port_deallocate(mach_task_self(), send), KERN_SUCCESS);
	ld_ctl_expect(0, &out, "bootout gui/%u/com.test.hide", uid());
}

/* --- malformed requests -------------------------------------------------------- */

static kern_return_t
raw_request(mach_msg_id_t id, mach_msg_size_t size)
{
	union { mig_reply_error_t r; uint8_t b[512]; } m;
	mach_port_t reply = tu_port();
	mach_msg_return_t mr;

	memset(&m, 0, sizeof(m));
	m.r.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.r.Head.msgh_size = size;
	m.r.Head.msgh_remote_port = bootstrap_port;
	m.r.Head.msgh_local_port = reply;
	m.r.Head.msgh_id = id;
	mr = mach_msg(&m.r.Head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size, sizeof(m),
	    reply, 5000, MACH_PORT_NULL);
	assert_kr(mr, MACH_MSG_SUCCESS);
	assert_int_equal(m.r.Head.msgh_id, id + 100);
	assert_int_equal(m.r.Head.msgh_size, sizeof(mig_reply_error_t));
	assert_kr(mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	return m.r.RetCode;
}

static void
test_malformed(void **state)
{
	assert_kr(raw_request(404, 64), MIG_BAD_ARGUMENTS);     /* name_t cut short */
	assert_kr(raw_request(402, 24), MIG_BAD_ARGUMENTS);
	assert_kr(raw_request(403, 160), MIG_BAD_ARGUMENTS);    /* no port descriptor */
	assert_kr(raw_request(405, 160), MIG_BAD_ID);           /* look_up_array: not served */
	assert_kr(raw_request(12345, 32), MIG_BAD_ID);
	/* launchctl's subsystem (launch_proto.h) checks its sizes too. */
	assert_kr(raw_request(7600, 32), MIG_BAD_ARGUMENTS);
	assert_kr(raw_request(7608, 48), MIG_BAD_ARGUMENTS);    /* len 0 */
	assert_kr(raw_request(7650, 48), MIG_BAD_ID);
}

/* --- BOOTSTRAP_NO_MEMORY: launchd cannot make a port ----------------------- */

/* Check in dynamic names until launchd's name space (machd --max-names
 * 64) is full: the answer is then 1105, not a dropped request. */
static void
child_fill(void *arg)
{
	char name[64];
	mach_port_t p;
	kern_return_t kr = KERN_SUCCESS;
	int i;

	for (i = 0; i < 40 && kr == KERN_SUCCESS; i++) {
		snprintf(name, sizeof(name), "com.test.fill.%s.%d", (const char *)arg, i);
		kr = bootstrap_check_in(bootstrap_port, name, &p);
	}
	if (strcmp(arg, "b") == 0) {
		assert_kr(kr, BOOTSTRAP_NO_MEMORY);
		assert_true(i > 1);
		return;
	}
	assert_kr(kr, KERN_SUCCESS);
	ld_write("fill.a", "ready\n");
	pause();        /* hold the names until the test kills us */
}

static void
test_no_memory(void **state)
{
	static char a[] = "a", b[] = "b";
	pid_t holder = harness_fork(child_fill, a);
	mach_port_t p;
	int i;

	for (i = 0; i < 500 && access(ld_path("fill.a"), F_OK) != 0; i++)
		ld_sleep_ms(20);
	assert_int_equal(access(ld_path("fill.a"), F_OK), 0);
	assert_int_equal(harness_wait(harness_fork(child_fill, b)), 0);
	assert_int_equal(kill(holder, SIGKILL), 0);
	assert_int_equal(harness_wait(holder), 128 + SIGKILL);
	/* The holder's names die with it, and launchd serves on. */
	assert_true(ld_wait(name_gone, "com.test.fill.a.0"));
	assert_kr(bootstrap_check_in(bootstrap_port, "com.test.after", &p), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

static int
small_group_setup(void **state)
{
	(void)state;
	return ld_start_with("64");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_look_up_unknown),
		tu_test(test_check_in_dynamic),
		tu_test(test_register),
		tu_test(test_register_null),
		tu_test(test_long_name),
		tu_test(test_declared_service),
		tu_test(test_job_rules),
		tu_test(test_hide_until_check_in),
		tu_test(test_malformed),
	};

	const struct CMUnitTest small[] = {
		cmocka_unit_test(test_no_memory),
	};
	int failed = cmocka_run_group_tests(tests, ld_group_setup, ld_group_teardown);

	return failed + cmocka_run_group_tests(small, small_group_setup, ld_group_teardown);
}
