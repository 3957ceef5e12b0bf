/*
 * test_task.c -- tasks across processes: a task killed with SIGKILL while
 * holding every kind of right is torn down as XNU destroys a task's rights
 * (spec 5.5, 5.7); fork gives the child the parent's special ports and no
 * other right; rights and name coalescing across tasks (test T5); the
 * init task started by `machd --launchd` alone sets the default bootstrap
 * port of tasks whose parent is not a task.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>
#include <mach/notify.h>

#include "test_util.h"
#include "libmach_private.h"

struct msg_port {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t d[2];
	mach_msg_max_trailer_t t;
};

static kern_return_t
recv_on(mach_port_t p, void *buf, mach_msg_size_t size, mach_msg_timeout_t to)
{
	memset(buf, 0, size);
	return mach_msg(buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, size, p, to, MACH_PORT_NULL);
}

/* Send `n` port descriptors {name, disp} to dest (COPY_SEND), with an
 * optional reply right. */
static kern_return_t
send_ports(mach_port_t dest, mach_port_t reply, mach_msg_type_name_t rtype, mach_msg_id_t id,
    unsigned n, const mach_port_t *names, const mach_msg_type_name_t *disps)
{
	struct msg_port m;
	unsigned i;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, rtype);
	m.h.msgh_remote_port = dest;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = id;
	m.body.msgh_descriptor_count = n;
	for (i = 0; i < n; i++) {
		m.d[i].name = names[i];
		m.d[i].disposition = disps[i];
		m.d[i].type = MACH_MSG_PORT_DESCRIPTOR;
	}
	return mach_msg(&m.h, MACH_SEND_MSG, (mach_msg_size_t)(sizeof(m.h) + sizeof(m.body) +
	    n * sizeof(m.d[0])), 0, 0, 0, 0);
}

static mach_port_t
new_receive(void)
{
	mach_port_t p;

	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	return p;
}


/* ----- a task killed while holding every kind of right ------------------ */

/*
 * The child receives, through its bootstrap port (= the parent's port P):
 * nothing; it builds its own state:
 *   C  a receive right with a message queued on it that carries a
 *      send-once right to the parent's port Q;
 *   a  send right to Q and a send-once right to Q (received, held);
 *   S  a port set holding C;
 *   a  dead name.
 * It gives the parent a send right and a send-once right to C, then waits
 * to be killed.
 */
static void
child_hold_everything(void *arg)
{
	mach_port_t c = MACH_PORT_NULL, set, dead, q;
	struct msg_port m;
	mach_port_t names[2];
	mach_msg_type_name_t disps[2];

	(void)arg;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &c) != KERN_SUCCESS ||
	    mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_DEAD_NAME, &dead) != KERN_SUCCESS ||
	    mach_port_move_member(mach_task_self(), c, set) != KERN_SUCCESS)
		_exit(2);
	/* Hand the parent: MAKE_SEND of C, and a MAKE_SEND_ONCE of C as reply. */
	names[0] = c;
	disps[0] = MACH_MSG_TYPE_MAKE_SEND;
	if (send_ports(bootstrap_port, c, MACH_MSG_TYPE_MAKE_SEND_ONCE, 1, 1, names, disps) != KERN_SUCCESS)
		_exit(3);
	/* The parent answers on C with rights to Q: receive one message
	 * (rights now held in this space), leave the second queued. */
	if (recv_on(c, &m, sizeof(m), 5000) != MACH_MSG_SUCCESS || m.h.msgh_id != 2)
		_exit(4);
	q = m.d[0].name;
	(void)q;
	/* Tell the parent we hold everything, then wait for SIGKILL. */
	names[0] = c;
	disps[0] = MACH_MSG_TYPE_MAKE_SEND;
	if (send_ports(bootstrap_port, MACH_PORT_NULL, 0, 3, 1, names, disps) != KERN_SUCCESS)
		_exit(5);
	for (;;)
		pause();
}

static void
test_task_killed_holding_every_right(void **state)
{
	mach_port_t p = new_receive(), q = new_receive(), n = new_receive(), prev;
	mach_port_t c_send, c_sonce, names[2];
	mach_msg_type_name_t disps[2];
	struct msg_port m;
	mach_port_type_t type;
	mach_port_urefs_t urefs;
	pid_t child;
	int ids[8], nids = 0, i, dead_name_seen = 0, no_senders_seen = 0, status;

	(void)state;
	assert_int_equal(mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_int_equal(task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	child = harness_fork(child_hold_everything, NULL);
	assert_true(child > 0);

	assert_int_equal(recv_on(p, &m, sizeof(m), 5000), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 1);
	c_send = m.d[0].name;
	c_sonce = m.h.msgh_remote_port;
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	/* Watch C die, and Q's senders go. */
	assert_int_equal(mach_port_request_notification(mach_task_self(), c_send, MACH_NOTIFY_DEAD_NAME, 0,
	    n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	assert_int_equal(mach_port_request_notification(mach_task_self(), q, MACH_NOTIFY_NO_SENDERS, 1,
	    n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	/* Two messages on C, each with a send right and a send-once right to Q. */
	for (i = 0; i < 2; i++) {
		names[0] = q;
		disps[0] = MACH_MSG_TYPE_MAKE_SEND;
		names[1] = q;
		disps[1] = MACH_MSG_TYPE_MAKE_SEND_ONCE;
		assert_int_equal(send_ports(c_send, MACH_PORT_NULL, 0, 2, 2, names, disps), MACH_MSG_SUCCESS);
	}
	assert_int_equal(recv_on(p, &m, sizeof(m), 5000), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 3);
	assert_int_equal(m.d[0].name, c_send);       /* coalesced onto the same name */
	assert_int_equal(mach_port_deallocate(mach_task_self(), c_send), KERN_SUCCESS);

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &status, 0), child);

	/* Q: two send-once notifications (one held, one in the queued
	 * message); N: the dead-name for C and no-senders for Q. */
	while (nids < 8 && recv_on(q, &m, sizeof(m), 2000) == MACH_MSG_SUCCESS)
		ids[nids++] = m.h.msgh_id;
	assert_int_equal(nids, 2);
	assert_int_equal(ids[0], MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(ids[1], MACH_NOTIFY_SEND_ONCE);
	for (i = 0; i < 2; i++) {
		struct { mach_msg_header_t h; NDR_record_t ndr; uint32_t arg; mach_msg_max_trailer_t t; } nm;
		assert_int_equal(recv_on(n, &nm, sizeof(nm), 2000), MACH_MSG_SUCCESS);
		assert_int_equal(nm.h.msgh_size, 36);
		if (nm.h.msgh_id == MACH_NOTIFY_DEAD_NAME) {
			assert_int_equal(nm.arg, c_send);
			dead_name_seen++;
		} else {
			assert_int_equal(nm.h.msgh_id, MACH_NOTIFY_NO_SENDERS);
			no_senders_seen++;
		}
	}
	assert_int_equal(dead_name_seen, 1);
	assert_int_equal(no_senders_seen, 1);
	/* Our rights to C are dead names now: the send right with the +1 of
	 * its dead-name request, the send-once right with 1. */
	assert_int_equal(mach_port_type(mach_task_self(), c_send, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(mach_port_get_refs(mach_task_self(), c_send, MACH_PORT_RIGHT_DEAD_NAME, &urefs),
	    KERN_SUCCESS);
	assert_int_equal(urefs, 2);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), c_send, MACH_PORT_RIGHT_DEAD_NAME, -2),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_type(mach_task_self(), c_sonce, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(mach_port_deallocate(mach_task_self(), c_sonce), KERN_SUCCESS);

	assert_int_equal(task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_destruct(mach_task_self(), p, -1, 0), KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- fork: special ports and nothing else -------------------------- */

static void
child_check_inheritance(void *arg)
{
	uint64_t stats[6];
	mach_port_type_t type;
	mach_port_t bp = MACH_PORT_NULL;
	mach_port_t parent_only = *(mach_port_t *)arg;

	/* A new task: its own self port and the inherited bootstrap port. */
	if (libmach_stats(stats) != KERN_SUCCESS || stats[5] != 2)
		_exit(10);
	if (!MACH_PORT_VALID(bootstrap_port) ||
	    mach_port_type(mach_task_self(), bootstrap_port, &type) != KERN_SUCCESS ||
	    type != MACH_PORT_TYPE_SEND)
		_exit(11);
	/* The parent's names mean nothing here (no other right is inherited). */
	if (mach_port_type(mach_task_self(), parent_only, &type) != KERN_INVALID_NAME)
		_exit(12);
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bp) != KERN_SUCCESS ||
	    bp != bootstrap_port)
		_exit(13);
	/* And it reaches the parent's port. */
	{
		mach_msg_header_t h;
		memset(&h, 0, sizeof(h));
		h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		h.msgh_remote_port = bootstrap_port;
		h.msgh_id = 4242;
		if (mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, 0, 0, 0) != MACH_MSG_SUCCESS)
			_exit(14);
	}
	_exit(0);
}

static void
test_fork_inherits_special_ports_only(void **state)
{
	mach_port_t p = new_receive(), other = new_receive();
	struct { mach_msg_header_t h; mach_msg_audit_trailer_t t; } hm;
	pid_t child;

	(void)state;
	assert_int_equal(mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_int_equal(task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	child = harness_fork(child_check_inheritance, &other);
	assert_int_equal(harness_wait(child), 0);
	memset(&hm, 0, sizeof(hm));
	assert_int_equal(mach_msg(&hm.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
	    MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 0, sizeof(hm), p, 2000, 0), MACH_MSG_SUCCESS);
	assert_int_equal(hm.h.msgh_id, 4242);
	/* The child's audit token names the child, not us (header-only
	 * message: the trailer follows the 24-byte header). */
	assert_int_equal(hm.t.msgh_audit.val[5], (unsigned)child);
	assert_int_equal(task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_destruct(mach_task_self(), p, -1, 0), KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), other, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- test T5: receive and send rights coalesce across arrival orders -- */

static void
child_send_three(void *arg)
{
	const mach_msg_type_name_t *order = arg;  /* points into a non-const copy */
	mach_port_t p = MACH_PORT_NULL, names[1];
	mach_msg_type_name_t disps[1];
	mach_port_options_t opts;
	int i;

	memset(&opts, 0, sizeof(opts));
	opts.flags = MPO_INSERT_SEND_RIGHT;
	if (mach_port_construct(mach_task_self(), &opts, 0, &p) != KERN_SUCCESS)
		_exit(20);
	/* One extra uref so that COPY_SEND and MOVE_SEND both have one. */
	if (mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, 1) != KERN_SUCCESS)
		_exit(21);
	for (i = 0; i < 3; i++) {
		names[0] = p;
		disps[0] = order[i];
		if (send_ports(bootstrap_port, MACH_PORT_NULL, 0, 10 + i, 1, names, disps) != KERN_SUCCESS)
			_exit(22 + i);
	}
	_exit(0);
}

static void
test_right_dedup_across_tasks(void **state)
{
	static const mach_msg_type_name_t orders[3][3] = {
		{ MACH_MSG_TYPE_MOVE_RECEIVE, MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND },
		{ MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_RECEIVE, MACH_MSG_TYPE_MOVE_SEND },
		{ MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_RECEIVE },
	};
	mach_port_t server = new_receive();
	struct msg_port m;
	int o, i;

	(void)state;
	assert_int_equal(mach_port_insert_right(mach_task_self(), server, server, MACH_MSG_TYPE_MAKE_SEND),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_set_attributes(mach_task_self(), server, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&(mach_port_limits_t){ 16 }, MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	assert_int_equal(task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, server), KERN_SUCCESS);
	for (o = 0; o < 3; o++) {
		mach_port_t got = MACH_PORT_NULL;
		mach_msg_type_name_t order[3];
		pid_t child;

		memcpy(order, orders[o], sizeof(order));
		child = harness_fork(child_send_three, order);
		assert_int_equal(harness_wait(child), 0);
		for (i = 0; i < 3; i++) {
			assert_int_equal(recv_on(server, &m, sizeof(m), 2000), MACH_MSG_SUCCESS);
			assert_int_equal(m.d[0].disposition, orders[o][i] == MACH_MSG_TYPE_MOVE_RECEIVE
			    ? MACH_MSG_TYPE_PORT_RECEIVE : MACH_MSG_TYPE_PORT_SEND);
			if (i == 0)
				got = m.d[0].name;
			assert_int_equal(m.d[0].name, got);          /* one name for the port */
		}
		/* The child died: its own send right is gone; ours remain. */
		assert_int_equal(mach_port_mod_refs(mach_task_self(), got, MACH_PORT_RIGHT_SEND, -2), KERN_SUCCESS);
		assert_int_equal(mach_port_mod_refs(mach_task_self(), got, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	}
	assert_int_equal(task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_destruct(mach_task_self(), server, -1, 0), KERN_SUCCESS);
}


/* ----- the init task alone sets the default bootstrap port --------------- */

/*
 * Modes of this same binary, so the test needs no other program:
 *   --init-helper FILE  run as `machd --launchd`'s init task: make a port,
 *                       set it as our bootstrap port (and so the default),
 *                       create FILE, answer every request with id + 100.
 *   --orphan-check      a task whose parent is not a task: ask our
 *                       bootstrap port; exit 0 if the init task answers.
 *   --orphan-takeover   an ordinary task sets its own bootstrap port, then
 *                       starts an orphan through sh: the orphan must still
 *                       reach the init task.
 */
static int
init_helper(const char *ready)
{
	mach_port_t p;
	struct { mach_msg_header_t h; uint8_t body[256]; mach_msg_max_trailer_t t; } m;
	int fd;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, p) != KERN_SUCCESS)
		return 1;
	fd = open(ready, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	close(fd);
	for (;;) {
		memset(&m, 0, sizeof(m));
		if (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof(m), p, 0, 0) != MACH_MSG_SUCCESS)
			return 0;                     /* machd went away */
		if (!MACH_PORT_VALID(m.h.msgh_remote_port))
			continue;
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id += 100;
		m.h.msgh_size = sizeof(m.h);
		(void)mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m.h), 0, 0, 0, 0);
	}
}

static int
orphan_check(void)
{
	struct { mach_msg_header_t h; mach_msg_max_trailer_t t; } m;
	mach_port_t reply;

	if (!MACH_PORT_VALID(bootstrap_port))
		return 30;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply) != KERN_SUCCESS)
		return 31;
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = bootstrap_port;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = 500;
	if (mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof(m.h), sizeof(m),
	    reply, 5000, 0) != MACH_MSG_SUCCESS)
		return 32;
	return m.h.msgh_id == 600 ? 0 : 33;
}

static char self_exe[4096];

static int
run_orphan(const char *mode)
{
	char cmd[4200];
	int status;

	/* sh is not a task: what it starts has no task for a parent. */
	snprintf(cmd, sizeof(cmd), "'%s' %s & wait $!", self_exe, mode);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static int
orphan_takeover(void)
{
	mach_port_t mine;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &mine) != KERN_SUCCESS ||
	    mach_port_insert_right(mach_task_self(), mine, mine, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, mine) != KERN_SUCCESS)
		return 40;
	return run_orphan("--orphan-check");
}

static void
test_init_task_sets_default_bootstrap(void **state)
{
	char dir[] = "/tmp/machxfer-init-XXXXXX", sock[256], ready[256];
	const char *machd = getenv("MACHD");
	char *saved = strdup(getenv("MACHD_SOCKET") ? getenv("MACHD_SOCKET") : "");
	pid_t pid;
	int i, status;

	(void)state;
	assert_non_null(machd);
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(machd, machd, "--socket", sock, "--launchd", self_exe, "--init-helper", ready,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000 && access(ready, F_OK) != 0; i++)
		usleep(10 * 1000);
	assert_int_equal(access(ready, F_OK), 0);
	setenv("MACHD_SOCKET", sock, 1);
	/* An orphan finds the init task's port; an ordinary task that sets
	 * its own bootstrap port does not change what the next orphan gets. */
	assert_int_equal(run_orphan("--orphan-check"), 0);
	assert_int_equal(run_orphan("--orphan-takeover"), 0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(ready);
	rmdir(dir);
	/* Only the orphans used the second machd; we stay on the harness's. */
	setenv("MACHD_SOCKET", saved, 1);
	free(saved);
}

int
main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n > 0)
		self_exe[n] = '\0';
	if (argc == 3 && strcmp(argv[1], "--init-helper") == 0)
		return init_helper(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--orphan-check") == 0)
		return orphan_check();
	if (argc == 2 && strcmp(argv[1], "--orphan-takeover") == 0)
		return orphan_takeover();

	const struct CMUnitTest tests[] = {
		tu_test(test_task_killed_holding_every_right),
		tu_test(test_fork_inherits_special_ports_only),
		tu_test(test_right_dedup_across_tasks),
		cmocka_unit_test(test_init_task_sets_default_bootstrap),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
