/*
 * test_machd_edge.c -- the edge of machd (machd_server.c, machd.c): what a
 * channel may carry and what happens when it carries something else, that
 * replies never block the kernel, where a task's identity comes from, the
 * socket (mode, single instance, path resolution, other uids), the trace,
 * and task death while threads are blocked inside machd.
 *
 * Raw channels: a raw socket that says HELLO with token 0 from a process
 * that already is a task is taken for an exec and replaces that task (see
 * docs/architecture.md).  So raw channels that need a task run in a forked
 * child (harness_fork), whose first raw HELLO replaces the task libmach made
 * for it at fork; the child uses only raw channels from then on.  Raw
 * channels of the test process itself never say a successful HELLO.
 *
 * Sections: 1 malformed channel input; 2 clients that never read, flood
 * or pipeline; 3 task identity (fork, threads, exec); 4 the socket (mode,
 * a second machd, path resolution, other uids; libmach with no machd at
 * all is tests/libmach/test_libmach_offline.c); 5 the trace; 6 task death
 * with threads blocked in machd.
 *
 * Extra machds (private ones in /tmp/machxfer-edge.*) are started by fork
 * and exec; the forked process is briefly a task of the harness's machd
 * (libmach's atfork handler) and stays one until that extra machd exits.
 *
 * The regression_* tests reproduce defects found in machd by these tests
 * and since fixed.
 * EDGE_FILTER=PATTERN runs only the tests whose names match PATTERN.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <fnmatch.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>

#include "test_util.h"
#include "libmach_private.h"
#include "machd_proto.h"
#include "fd_passing.h"

extern char **environ;

#define TASK            mach_task_self()
#define WAIT_MS         5000        /* any single wait for machd */
#define NOBODY          65534

static char self_exe[4096];


/* ----- raw channels ---------------------------------------------------------- */

static int
raw_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, sz = (int)(2 * MXP_SOCKBUF_SIZE);

	assert_true(strlen(path) < sizeof(sa.sun_path));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

/* Send one datagram: bytes as they are, with `nfds` copies of fd attached. */
/* One datagram of `len` bytes with `fds` attached (SCM_RIGHTS). */
static void
raw_send_fds(int fd, const void *buf, size_t len, const int *fds, int nfds)
{
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	union fd_passing_buf cm;
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	fd_passing_attach(&mh, &cm, fds, nfds);
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n != (ssize_t)len)
		fail_msg("pid %d: sendmsg of %zu bytes: %zd (%s)", (int)getpid(), len, n,
		    n < 0 ? strerror(errno) : "short");
}

/* The same fd `nfds` times. */
static void
raw_send_bytes(int fd, const void *buf, size_t len, int pass_fd, int nfds)
{
	int fds[16];

	assert_true(nfds <= 16);
	for (int i = 0; i < nfds; i++)
		fds[i] = pass_fd;
	raw_send_fds(fd, buf, len, fds, nfds);
}

/* A request: header (op, len field, a[]) and payload_len payload bytes. */
static void
raw_send(int fd, uint32_t op, uint32_t len_field, const uint64_t *a,
    const void *payload, size_t payload_len)
{
	uint8_t *buf = calloc(1, sizeof(struct mxp_req) + payload_len);
	struct mxp_req req;

	assert_non_null(buf);
	memset(&req, 0, sizeof(req));
	req.op = op;
	req.len = len_field;
	if (a != NULL)
		memcpy(req.a, a, sizeof(req.a));
	memcpy(buf, &req, sizeof(req));
	if (payload_len != 0 && payload != NULL)
		memcpy(buf + sizeof(req), payload, payload_len);
	raw_send_bytes(fd, buf, sizeof(req) + payload_len, -1, 0);
	free(buf);
}

/* A well-formed request. */
static void
raw_request(int fd, uint32_t op, const uint64_t *a, const void *payload, uint32_t len)
{
	raw_send(fd, op, len, a, payload, len);
}

/* The next datagram (reply header, then up to cap payload bytes): its
 * size, 0 at EOF.  Fails after WAIT_MS, or on a socket error. */
static ssize_t
raw_recv(int fd, struct mxp_rep *rep, void *payload, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct iovec iov[2] = { { rep, sizeof(*rep) }, { payload, cap } };
	struct msghdr mh;
	ssize_t n;
	int r;

	memset(rep, 0, sizeof(*rep));
	do
		r = poll(&p, 1, WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		fail_msg("nothing from machd on the channel within %d ms", WAIT_MS);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = cap != 0 ? 2 : 1;
	n = recvmsg(fd, &mh, 0);
	if (n < 0)
		fail_msg("pid %d: recvmsg on the channel: %s", (int)getpid(), strerror(errno));
	assert_false(mh.msg_flags & MSG_TRUNC);
	return n;
}

/* A reply of just a header, with this op and code. */
static void
raw_expect_reply(int fd, uint32_t op, kern_return_t code, struct mxp_rep *rep)
{
	ssize_t n = raw_recv(fd, rep, NULL, 0);

	assert_int_equal(n, sizeof(*rep));
	assert_int_equal(rep->op, op);
	assert_kr(rep->code, code);
	assert_int_equal(rep->flags, 0);
	assert_int_equal(rep->len, 0);
}

/* machd closed the channel: recv gives 0 (EOF), not a reply, not an error. */
static void
raw_expect_eof(int fd)
{
	struct mxp_rep rep;
	ssize_t n = raw_recv(fd, &rep, NULL, 0);

	if (n != 0)
		fail_msg("expected EOF on the channel, got a %zd-byte datagram (op %#x code %#x)",
		    n, rep.op, (unsigned)rep.code);
}

/* HELLO; the task token.  *rep keeps the whole reply. */
static uint64_t
raw_hello(int fd, uint64_t token, struct mxp_rep *rep)
{
	uint64_t a[7] = { MXP_VERSION, token };

	raw_request(fd, MXP_OP_HELLO, a, NULL, 0);
	raw_expect_reply(fd, MXP_OP_HELLO, KERN_SUCCESS, rep);
	assert_int_not_equal(rep->v[0], 0);
	assert_int_equal(rep->v[3], (uint64_t)getpid());
	return rep->v[0];
}

/* STATS on a working channel; the reply's v[]. */
static void
raw_stats(int fd, uint64_t v[6])
{
	struct mxp_rep rep;

	raw_request(fd, MXP_OP_STATS, NULL, NULL, 0);
	raw_expect_reply(fd, MXP_OP_STATS, KERN_SUCCESS, &rep);
	memcpy(v, rep.v, sizeof(rep.v));
}

/* MACH_REPLY_PORT: a fresh receive right in the channel's task. */
static mach_port_name_t
raw_reply_port(int fd)
{
	struct mxp_rep rep;

	raw_request(fd, MXP_OP_MACH_REPLY_PORT, NULL, NULL, 0);
	raw_expect_reply(fd, MXP_OP_MACH_REPLY_PORT, KERN_SUCCESS, &rep);
	assert_true(MACH_PORT_VALID((mach_port_name_t)rep.v[0]));
	return (mach_port_name_t)rep.v[0];
}

/* MACH_MSG request for a receive on `name` (no timeout unless `timeout`). */
static void
raw_send_receive_request(int fd, mach_port_name_t name, bool timeout, uint32_t ms)
{
	uint64_t a[7] = { MACH_RCV_MSG | (timeout ? MACH_RCV_TIMEOUT : 0), 0, 1024, name, ms, 0, 0 };

	raw_request(fd, MXP_OP_MACH_MSG, a, NULL, 0);
}

/* ----- processes, files, private machds -------------------------------------- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait up to WAIT_MS for fd to become readable (or hung up). */
static void
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		fail_msg("fd %d not readable within %d ms", fd, WAIT_MS);
}

static void
write_byte(int fd, char c)
{
	assert_int_equal(write(fd, &c, 1), 1);
}

static char
read_byte(int fd)
{
	char c = 0;

	wait_readable(fd);
	assert_int_equal(read(fd, &c, 1), 1);
	return c;
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
remove_tree(const char *path)
{
	(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Entries of a directory, . and .. aside. */
static int
dir_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool
is_socket(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The whole of a (small) file, NUL-terminated, in a malloc'd buffer. */
static char *
slurp(const char *path)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_non_null(buf);
	assert_true(fd >= 0);
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * Start $MACHD with `args` (NULL-terminated, argv[0] excluded) and
 * environment `envp` (NULL: ours), stdout and stderr to `log`, and with
 * RLIMIT_NOFILE `nofile` (soft and hard; 0: ours).  It dies with us
 * (PR_SET_PDEATHSIG).
 */
static pid_t
spawn_machd_nofile(const char *const *args, char *const *envp, const char *log, rlim_t nofile)
{
	const char *machd = getenv("MACHD");
	char *argv[16];
	pid_t parent = getpid(), pid;
	int i;

	assert_non_null(machd);
	argv[0] = (char *)(uintptr_t)machd;
	for (i = 0; args[i] != NULL; i++) {
		assert_true(i < 14);
		argv[i + 1] = (char *)(uintptr_t)args[i];
	}
	argv[i + 1] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct rlimit rl = { nofile, nofile };
		if (getppid() != parent || fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		if (nofile != 0 && setrlimit(RLIMIT_NOFILE, &rl) != 0)
			_exit(127);
		execve(machd, argv, envp != NULL ? envp : environ);
		_exit(127);
	}
	return pid;
}

static pid_t
spawn_machd(const char *const *args, char *const *envp, const char *log)
{
	return spawn_machd_nofile(args, envp, log, 0);
}

/* Wait up to 10 s for a socket at path; fail if machd exits first. */
static void
wait_socket(pid_t pid, const char *path)
{
	int i, status;

	for (i = 0; i < 1000; i++) {
		if (is_socket(path))
			return;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("machd exited (status %#x) before creating %s", (unsigned)status, path);
		sleep_ms(10);
	}
	fail_msg("no socket at %s after 10 s", path);
}

/* Reap pid within 10 s: its exit status, 128 + signal; fail otherwise. */
static int
reap_within(pid_t pid)
{
	int i, status;

	for (i = 0; i < 1000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		assert_int_equal(r, 0);
		sleep_ms(10);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	fail_msg("process %d did not exit within 10 s", (int)pid);
	return -1;
}

/* SIGTERM a private machd; its exit status. */
static int
stop_machd(pid_t pid)
{
	assert_int_equal(kill(pid, SIGTERM), 0);
	return reap_within(pid);
}

/* A private temporary directory for extra machds. */
static void
make_tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/machxfer-edge.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

/* ----- libmach still works --------------------------------------------------- */

/* A round trip through our own task: allocate, send, receive, destroy. */
static void
libmach_still_works(void)
{
	mach_port_t p = tu_port();
	tu_msg_t m;

	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 4711, 40), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, WAIT_MS), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 4711);
	assert_int_equal(m.header.msgh_size, 40);
	tu_check_body(&m);
	assert_int_equal(m.header.msgh_remote_port, MACH_PORT_NULL);
	/* The MAKE_SEND right went with the message: receive right only. */
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
}

/* The audit trailer of a message sent by our own task (its pidversion). */
static mach_msg_audit_trailer_t
own_audit(void)
{
	mach_port_t p = tu_port();
	mach_msg_audit_trailer_t t;
	tu_msg_t m;

	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 1, 24), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), WAIT_MS),
	    MACH_MSG_SUCCESS);
	t = tu_audit_trailer(&m);
	assert_kr(mach_port_destruct(TASK, p, 0, 0), KERN_SUCCESS);
	return t;
}

/* The identity half of an audit token: uids, gids, pid, session. */
static void
assert_audit_identity(const mach_msg_audit_trailer_t *t, pid_t pid)
{
	assert_int_equal(t->msgh_trailer_size, sizeof(mach_msg_audit_trailer_t));
	assert_int_equal(t->msgh_audit.val[0], getuid());
	assert_int_equal(t->msgh_audit.val[1], getuid());
	assert_int_equal(t->msgh_audit.val[2], getgid());
	assert_int_equal(t->msgh_audit.val[3], getuid());
	assert_int_equal(t->msgh_audit.val[4], getgid());
	assert_int_equal(t->msgh_audit.val[5], (unsigned)pid);
	assert_int_equal(t->msgh_audit.val[6], (unsigned)getsid(0));
	assert_int_equal(t->msgh_sender.val[0], getuid());
	assert_int_equal(t->msgh_sender.val[1], getgid());
}

/* Wait (up to WAIT_MS) until `p` holds exactly n messages. */
static void
wait_msgcount(mach_port_t p, unsigned n)
{
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (tu_status(p).mps_msgcount == n)
			return;
		sleep_ms(10);
	}
	fail_msg("port %#x holds %u messages, expected %u", p, tu_status(p).mps_msgcount, n);
}

/* The counters as the test found them, with some changed. */
static void
stats_plus(uint64_t out[6], int64_t ports, int64_t kmsgs, int64_t tasks, int64_t names)
{
	memcpy(out, tu_baseline(), 6 * sizeof(uint64_t));
	out[TU_PORTS] += (uint64_t)ports;
	out[TU_KMSGS] += (uint64_t)kmsgs;
	out[TU_TASKS] += (uint64_t)tasks;
	out[TU_NAMES] += (uint64_t)names;
}

/* A child that finds machd by the environment the way libmach does. */
struct env_client {
	const char *machd_socket;      /* NULL: unset */
	const char *xdg;               /* NULL: unset */
	bool        sole;              /* the child must be that machd's only task */
};

static void
child_env_client(void *arg)
{
	const struct env_client *ec = arg;
	uint64_t st[6];

	if (ec->machd_socket != NULL)
		setenv("MACHD_SOCKET", ec->machd_socket, 1);
	else
		unsetenv("MACHD_SOCKET");
	if (ec->xdg != NULL)
		setenv("XDG_RUNTIME_DIR", ec->xdg, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
	assert_int_equal(libmach_reinit(), 0);
	assert_kr(libmach_stats(st), KERN_SUCCESS);
	if (ec->sole)
		assert_int_equal(st[TU_TASKS], 1);

}

/* ========== 1. malformed channel input ======================================= */

/*
 * Before HELLO, from the test process itself: every malformed datagram,
 * and any request but HELLO, closes that channel (EOF) and only it; our
 * own task and machd's counters are untouched.
 */
static void
test_malformed_before_hello(void **state)
{
	static const uint8_t zeros[sizeof(struct mxp_req) + 16];
	const size_t big = sizeof(struct mxp_req) + MXP_PAYLOAD_MAX + 1;
	uint64_t a[7] = { 0 };
	mach_msg_audit_trailer_t mine = own_audit(), now;
	uint8_t *huge;
	int i, fd, pfd[2];
	char c;

	(void)state;
	for (i = 0; i < 9; i++) {
		fd = raw_connect(harness_socket_path());
		switch (i) {
		case 0:      /* an empty datagram */
			raw_send_bytes(fd, zeros, 0, -1, 0);
			break;
		case 1:      /* one byte */
			raw_send_bytes(fd, zeros, 1, -1, 0);
			break;
		case 2: {    /* a STATS header one byte short */
			struct mxp_req r = { .op = MXP_OP_STATS };
			raw_send_bytes(fd, &r, sizeof(r) - 1, -1, 0);
			break;
		}
		case 3:      /* len says 8, nothing follows */
			raw_send(fd, MXP_OP_HELLO, 8, (uint64_t[7]){ MXP_VERSION }, NULL, 0);
			break;
		case 4:      /* len says 0, 8 bytes follow */
			raw_send(fd, MXP_OP_HELLO, 0, (uint64_t[7]){ MXP_VERSION }, zeros, 8);
			break;
		case 5:      /* len says 4 GiB */
			raw_send(fd, MXP_OP_STATS, UINT32_MAX, NULL, zeros, 16);
			break;
		case 6:      /* a well-formed request, but not HELLO */
			raw_request(fd, MXP_OP_STATS, NULL, NULL, 0);
			break;
		case 7:      /* mach_msg before HELLO */
			a[0] = MACH_RCV_MSG | MACH_RCV_TIMEOUT;
			a[2] = 1024;
			raw_request(fd, MXP_OP_MACH_MSG, a, NULL, 0);
			break;
		case 8:      /* one byte more than the protocol allows, len consistent */
			huge = calloc(1, big);
			assert_non_null(huge);
			((struct mxp_req *)(void *)huge)->op = MXP_OP_HELLO;
			((struct mxp_req *)(void *)huge)->len = MXP_PAYLOAD_MAX + 1;
			((struct mxp_req *)(void *)huge)->a[0] = MXP_VERSION;
			raw_send_bytes(fd, huge, big, -1, 0);
			free(huge);
			break;
		}
		raw_expect_eof(fd);
		close(fd);
		libmach_still_works();
		tu_assert_stats(tu_baseline(), TU_STATS_ALL);
	}

	/* A HELLO with a file descriptor: closed, and machd keeps no copy of
	 * the descriptor (the pipe's read end sees EOF once ours is closed). */
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	fd = raw_connect(harness_socket_path());
	raw_send_bytes(fd, &(struct mxp_req){ .op = MXP_OP_HELLO, .a = { MXP_VERSION } },
	    sizeof(struct mxp_req), pfd[1], 1);
	close(pfd[1]);
	raw_expect_eof(fd);
	close(fd);
	wait_readable(pfd[0]);
	assert_int_equal(read(pfd[0], &c, 1), 0);
	close(pfd[0]);
	libmach_still_works();
	tu_assert_stats(tu_baseline(), TU_STATS_ALL);
	/* Still the same task (a HELLO taken for an exec would replace it). */
	now = own_audit();
	assert_memory_equal(&now.msgh_audit, &mine.msgh_audit, sizeof(audit_token_t));
}

/*
 * HELLO with another protocol version: KERN_NOT_SUPPORTED, nothing else
 * (all results zero, no task made or replaced); the channel stays open
 * and still has no task, so a request other than HELLO then closes it.
 */
static void
test_hello_wrong_version(void **state)
{
	static const uint64_t versions[] = { 0, MXP_VERSION + 1, UINT32_MAX, UINT64_MAX };
	mach_msg_audit_trailer_t mine = own_audit(), now;
	struct mxp_rep rep;
	mach_port_t self = TASK;
	size_t i;
	int fd;

	(void)state;
	fd = raw_connect(harness_socket_path());
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		uint64_t a[7] = { versions[i], 0 };
		raw_request(fd, MXP_OP_HELLO, a, NULL, 0);
		raw_expect_reply(fd, MXP_OP_HELLO, KERN_NOT_SUPPORTED, &rep);
		assert_int_equal(rep.v[0], 0);
		assert_int_equal(rep.v[1], 0);
		assert_int_equal(rep.v[3], 0);
	}
	raw_request(fd, MXP_OP_STATS, NULL, NULL, 0);
	raw_expect_eof(fd);
	close(fd);
	/* Our task is the one we had. */
	now = own_audit();
	assert_memory_equal(&now.msgh_audit, &mine.msgh_audit, sizeof(audit_token_t));
	assert_int_equal(tu_type(self), MACH_PORT_TYPE_SEND);
	libmach_still_works();
	tu_assert_stats(tu_baseline(), TU_STATS_ALL);
}

/*
 * After HELLO, in a child whose task is served by raw channels only: a
 * control channel `ctl` and, per case, a fresh channel joined to the same
 * task.  Each violation closes that channel only: `ctl` keeps working and
 * the task's names are as before.
 */
static int
join(uint64_t token, mach_port_name_t self)
{
	struct mxp_rep rep;
	int fd = raw_connect(harness_socket_path());

	assert_int_equal(raw_hello(fd, token, &rep), token);
	assert_int_equal(rep.v[1], self);
	assert_int_equal(rep.v[2], MACH_PORT_NULL);      /* only a new task learns it */
	return fd;
}

/*
 * The child runs the violations in lock-step with the parent: after each
 * one (its channel at EOF) it checks its control channel, then tells the
 * parent, which checks its own libmach and machd's counters before the
 * child goes on.
 */
struct lockstep {
	int      up[2];         /* child -> parent: a violation is done */
	int      down[2];       /* parent -> child: go on */
	int      ctl;           /* child: its control channel */
	uint64_t names;         /* child: names its task should hold */
};

#define VIOLATIONS_AFTER_HELLO 10

static void
violation_done(struct lockstep *ls, int fd)
{
	uint64_t v[6];
	char c;

	raw_expect_eof(fd);
	close(fd);
	raw_stats(ls->ctl, v);                 /* only that channel closed */
	assert_int_equal(v[5], ls->names);
	write_byte(ls->up[1], 'v');
	assert_int_equal(read(ls->down[0], &c, 1), 1);
}

static void
child_malformed_after_hello(void *arg)
{
	static const uint32_t unknown_ops[] = { 0, 1, 27, 31, 40, 0xff, 0x103, 0x1000, UINT32_MAX };
	struct lockstep *ls = arg;
	struct mxp_rep rep, hello;
	uint64_t token, v[6], a[7];
	mach_port_name_t self, port;
	uint8_t *payload;
	int fd, pfd[2], nfds;
	size_t k;
	char c;

	close(ls->up[0]);                 /* so a dead parent means EOF here */
	close(ls->down[1]);
	ls->ctl = raw_connect(harness_socket_path());
	token = raw_hello(ls->ctl, 0, &hello);
	self = (mach_port_name_t)hello.v[1];
	assert_true(MACH_PORT_VALID(self));
	raw_stats(ls->ctl, v);
	ls->names = v[5];

	/* A header one byte short; an empty datagram. */
	fd = join(token, self);
	raw_send_bytes(fd, &(struct mxp_req){ .op = MXP_OP_STATS }, sizeof(struct mxp_req) - 1, -1, 0);
	violation_done(ls, fd);
	fd = join(token, self);
	raw_send_bytes(fd, "", 0, -1, 0);
	violation_done(ls, fd);

	/* len disagrees with the datagram, both ways. */
	fd = join(token, self);
	raw_send(fd, MXP_OP_STATS, 8, NULL, NULL, 0);
	violation_done(ls, fd);
	fd = join(token, self);
	raw_send(fd, MXP_OP_STATS, 0, NULL, "12345678", 8);
	violation_done(ls, fd);

	/* The largest payload is taken (mach_msg answers that send_size and
	 * the payload disagree); one byte more closes the channel. */
	payload = calloc(1, MXP_PAYLOAD_MAX + 1);
	assert_non_null(payload);
	fd = join(token, self);
	memset(a, 0, sizeof(a));
	a[0] = MACH_SEND_MSG;
	a[1] = sizeof(mach_msg_header_t);
	raw_request(fd, MXP_OP_MACH_MSG, a, payload, MXP_PAYLOAD_MAX);
	raw_expect_reply(fd, MXP_OP_MACH_MSG, MACH_SEND_INVALID_DATA, &rep);
	raw_request(fd, MXP_OP_MACH_MSG, a, payload, MXP_PAYLOAD_MAX + 1);
	free(payload);
	violation_done(ls, fd);

	/* A second HELLO, with the token or with 0 (which must not be taken
	 * for an exec: ctl's task survives). */
	fd = join(token, self);
	raw_request(fd, MXP_OP_HELLO, (uint64_t[7]){ MXP_VERSION, token }, NULL, 0);
	violation_done(ls, fd);
	fd = join(token, self);
	raw_request(fd, MXP_OP_HELLO, (uint64_t[7]){ MXP_VERSION, 0 }, NULL, 0);
	violation_done(ls, fd);

	/* A valid request with descriptors attached: closed, none kept
	 * (1 descriptor; then 12, more than machd's control buffer holds):
	 * the pipe's read end sees EOF once our write end is closed. */
	for (nfds = 1; nfds <= 12; nfds += 11) {
		assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
		fd = join(token, self);
		raw_send_bytes(fd, &(struct mxp_req){ .op = MXP_OP_STATS }, sizeof(struct mxp_req),
		    pfd[1], nfds);
		close(pfd[1]);
		violation_done(ls, fd);
		wait_readable(pfd[0]);
		assert_int_equal(read(pfd[0], &c, 1), 0);
		close(pfd[0]);
	}

	/* A second request while the first is blocked in machd. */
	fd = join(token, self);
	port = raw_reply_port(fd);
	ls->names++;                                  /* the port stays in the task */
	raw_send_receive_request(fd, port, false, 0);
	raw_request(fd, MXP_OP_STATS, NULL, NULL, 0);
	violation_done(ls, fd);

	/* Not violations.  CANCEL: ignored when idle (no reply of its own);
	 * while blocked it interrupts the receive (MACH_RCV_INTERRUPTED). */
	fd = join(token, self);
	raw_request(fd, MXP_OP_CANCEL, NULL, NULL, 0);
	raw_stats(fd, v);
	assert_int_equal(v[5], ls->names);
	raw_send_receive_request(fd, port, false, 0);
	raw_request(fd, MXP_OP_CANCEL, NULL, NULL, 0);
	raw_expect_reply(fd, MXP_OP_MACH_MSG, MACH_RCV_INTERRUPTED, &rep);
	raw_stats(fd, v);
	close(fd);

	/* Unknown operations: KERN_NOT_SUPPORTED, op echoed, channel open. */
	fd = join(token, self);
	for (k = 0; k < sizeof(unknown_ops) / sizeof(unknown_ops[0]); k++) {
		raw_request(fd, unknown_ops[k], (uint64_t[7]){ 1, 2, 3, 4, 5, 6, 7 }, NULL, 0);
		raw_expect_reply(fd, unknown_ops[k], KERN_NOT_SUPPORTED, &rep);
		assert_int_equal(rep.v[0], 0);
	}
	raw_stats(fd, v);
	assert_int_equal(v[5], ls->names);
	close(fd);

	/* A wrong version, then the right one, on the same channel. */
	fd = raw_connect(harness_socket_path());
	raw_request(fd, MXP_OP_HELLO, (uint64_t[7]){ MXP_VERSION + 1, token }, NULL, 0);
	raw_expect_reply(fd, MXP_OP_HELLO, KERN_NOT_SUPPORTED, &rep);
	assert_int_equal(raw_hello(fd, token, &rep), token);
	assert_int_equal(rep.v[1], self);
	close(fd);

	raw_stats(ls->ctl, v);
	assert_int_equal(v[5], ls->names);
	close(ls->ctl);
}

static void
test_malformed_after_hello(void **state)
{
	struct lockstep ls;
	uint64_t want[6];
	pid_t child;
	int n = 0;
	char c;

	(void)state;
	assert_int_equal(pipe2(ls.up, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ls.down, O_CLOEXEC), 0);
	child = harness_fork(child_malformed_after_hello, &ls);
	assert_true(child > 0);
	close(ls.up[1]);
	close(ls.down[0]);
	/* After each violation: our calls work, no message is queued
	 * anywhere, and the child is one task (its raw HELLO replaced the
	 * task libmach made for it at fork). */
	stats_plus(want, 0, 0, 1, 0);
	for (;;) {
		struct pollfd p = { .fd = ls.up[0], .events = POLLIN };
		assert_int_equal(poll(&p, 1, 30000), 1);
		if (read(ls.up[0], &c, 1) != 1)
			break;                              /* the child is done */
		n++;
		libmach_still_works();
		tu_assert_stats(want, TU_STAT(TU_KMSGS) | TU_STAT(TU_TASKS) | TU_STAT(TU_NAMES));
		write_byte(ls.down[1], 'g');
	}
	close(ls.up[0]);
	close(ls.down[1]);
	assert_int_equal(harness_wait(child), 0);
	assert_int_equal(n, VIOLATIONS_AFTER_HELLO);
	libmach_still_works();
	stats_plus(want, 0, 0, 0, 0);
	tu_assert_stats(want, TU_STATS_ALL);
}

/* ========== 2. slow and greedy clients never block the kernel =============== */

struct client_pipes {
	const char *sock;   /* the machd it talks to */
	int ready[2];       /* child -> parent: one byte when it is under way */
	int stop[2];        /* parent -> child: one byte (or EOF) to finish */
};

static bool
stop_requested(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* Sends TASK_SELF and does not read the reply until told to stop. */
static void
child_never_reads(void *arg)
{
	struct client_pipes *cp = arg;
	struct mxp_rep hello, rep;
	int fd = raw_connect(cp->sock);
	char c;

	(void)raw_hello(fd, 0, &hello);
	raw_request(fd, MXP_OP_TASK_SELF, NULL, NULL, 0);
	write_byte(cp->ready[1], 'r');
	(void)!read(cp->stop[0], &c, 1);             /* a byte, or EOF if the parent died */
	/* The reply waited, whole, in our socket. */
	raw_expect_reply(fd, MXP_OP_TASK_SELF, KERN_SUCCESS, &rep);
	assert_int_equal(rep.v[0], hello.v[1]);
	close(fd);
}

/*
 * Pipelines STATS requests without reading any reply (bounded).  Replies
 * pile up in the socket until machd must keep one back (the socket is
 * full); the next request is then a second request before the reply, so
 * machd drops the channel.  Whatever the buffer sizes, every reply that
 * arrives is whole and in order, and the stream ends in EOF unless every
 * request was answered.
 */
static void
child_pipelines(void *arg)
{
	struct client_pipes *cp = arg;
	struct mxp_req req;
	struct mxp_rep hello, rep;
	long sent = 0, got = 0, i;
	bool reset = false, eof = false;
	int fd = raw_connect(cp->sock);

	(void)raw_hello(fd, 0, &hello);
	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_STATS;
	write_byte(cp->ready[1], 'p');
	while (sent < 50000) {
		if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
			assert_true(errno == EPIPE || errno == ECONNRESET);
			break;
		}
		sent++;
	}
	assert_true(sent > 0);
	for (i = 0; i < sent + 2 && got < sent && !eof; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		n = recv(fd, &rep, sizeof(rep), 0);
		if (n < 0 && errno == ECONNRESET && !reset) {
			reset = true;      /* machd closed with requests unread */
			continue;
		}
		assert_true(n >= 0);
		if (n == 0) {
			eof = true;
			break;
		}
		assert_int_equal(n, sizeof(rep));
		assert_int_equal(rep.op, MXP_OP_STATS);
		assert_kr(rep.code, KERN_SUCCESS);
		got++;
	}
	assert_true(got >= 1);
	assert_true(got == sent || eof);
	close(fd);
}

/*
 * Floods its own full port with header-only MAKE_SEND messages, each with
 * MACH_SEND_TIMEOUT 0: every one comes back pseudo-received (TO_SENDBUF,
 * the destination right now a send right of ours).
 */
static void
child_floods(void *arg)
{
	struct client_pipes *cp = arg;
	struct mxp_rep hello, rep;
	mach_msg_header_t h, back;
	mach_port_name_t port;
	uint64_t a[7];
	int fd = raw_connect(cp->sock), i;

	(void)raw_hello(fd, 0, &hello);
	port = raw_reply_port(fd);
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h.msgh_size = sizeof(h);
	h.msgh_remote_port = port;
	memset(a, 0, sizeof(a));
	a[0] = MACH_SEND_MSG | MACH_SEND_TIMEOUT;
	a[1] = sizeof(h);
	for (i = 0; i < 20000; i++) {
		ssize_t n;

		h.msgh_id = i;
		raw_request(fd, MXP_OP_MACH_MSG, a, &h, sizeof(h));
		n = raw_recv(fd, &rep, &back, sizeof(back));
		assert_int_equal(rep.op, MXP_OP_MACH_MSG);
		if (i < MACH_PORT_QLIMIT_DEFAULT) {
			assert_int_equal(n, sizeof(rep));
			assert_kr(rep.code, MACH_MSG_SUCCESS);
			continue;
		}
		assert_int_equal(n, sizeof(rep) + sizeof(back));
		assert_kr(rep.code, MACH_SEND_TIMED_OUT);
		assert_int_equal(rep.flags, MXP_REP_TO_SENDBUF);
		assert_int_equal(rep.len, sizeof(back));
		assert_int_equal(back.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, 0));
		assert_int_equal(back.msgh_size, sizeof(back));
		assert_int_equal(back.msgh_remote_port, port);
		assert_int_equal(back.msgh_local_port, MACH_PORT_NULL);
		assert_int_equal(back.msgh_id, i);
		if (i == MACH_PORT_QLIMIT_DEFAULT)
			write_byte(cp->ready[1], 'f');
		if (stop_requested(cp->stop[0]))
			break;
	}
	close(fd);
}

static void (*client_fn)(void *);

/* In the child: keep only our ends, so a dead parent means EOF on stop. */
static void
client_main(void *arg)
{
	struct client_pipes *cp = arg;

	close(cp->ready[0]);
	close(cp->stop[1]);
	client_fn(cp);
}

static pid_t
start_client(void (*fn)(void *), struct client_pipes *cp, const char *sock)
{
	pid_t pid;

	cp->sock = sock;
	assert_int_equal(pipe2(cp->ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(cp->stop, O_CLOEXEC), 0);
	client_fn = fn;
	pid = harness_fork(client_main, cp);
	assert_true(pid > 0);
	close(cp->ready[1]);
	close(cp->stop[0]);
	return pid;
}

static void
finish_client(pid_t pid, struct client_pipes *cp)
{
	char c = 's';

	/* A client that finished on its own has closed its end (EPIPE). */
	assert_true(write(cp->stop[1], &c, 1) == 1 || errno == EPIPE);
	assert_int_equal(harness_wait(pid), 0);
	close(cp->ready[0]);
	close(cp->stop[1]);
}

/* 200 allocate/deallocate pairs (a receive right goes with mod_refs -1). */
static void
rpc_pairs(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		mach_port_t p = MACH_PORT_NULL;
		assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
		assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	}
}

static void
test_slow_and_greedy_clients(void **state)
{
	struct client_pipes slow, flood;
	pid_t ps, pf;
	uint64_t want[6];

	(void)state;
	ps = start_client(child_never_reads, &slow, harness_socket_path());
	pf = start_client(child_floods, &flood, harness_socket_path());
	assert_int_equal(read_byte(slow.ready[0]), 'r');
	assert_int_equal(read_byte(flood.ready[0]), 'f');
	/* While they run, our own RPCs all succeed. */
	rpc_pairs(200);
	finish_client(ps, &slow);
	finish_client(pf, &flood);
	libmach_still_works();
	stats_plus(want, 0, 0, 0, 0);
	tu_assert_stats(want, TU_STATS_ALL);
}

/* On machd `arg`: 200 RPC pairs, a round trip, nothing left behind. */
static void
child_rpcs_on(void *arg)
{
	uint64_t before[6], after[6];

	setenv("MACHD_SOCKET", (const char *)arg, 1);
	assert_int_equal(libmach_reinit(), 0);
	(void)own_audit();                        /* makes our MIG reply port */
	assert_kr(libmach_stats(before), KERN_SUCCESS);
	rpc_pairs(200);
	libmach_still_works();
	assert_kr(libmach_stats(after), KERN_SUCCESS);
	assert_int_equal(after[TU_NAMES], before[TU_NAMES]);
}

/*
 * A client that pipelines requests without reading makes machd keep a
 * reply back (th_out) and then drop the channel, while another task's
 * RPCs all succeed.  On a private machd, which must survive it.
 * (Regression: a held-back reply without descriptors once made UBSan
 * abort machd in thread_reply_fds.)
 */
static void
test_pipelining_client(void **state)
{
	char dir[64], sock[128], log[128], *out;
	const char *args[] = { "--socket", sock, NULL };
	struct client_pipes pipe_;
	struct env_client ec = { NULL, NULL, true };
	pid_t machd, pp, pr, c;
	int status, rpcs, pipeliner;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	machd = spawn_machd(args, NULL, log);
	wait_socket(machd, sock);
	pp = start_client(child_pipelines, &pipe_, sock);
	assert_int_equal(read_byte(pipe_.ready[0]), 'p');
	pr = harness_fork(child_rpcs_on, sock);
	assert_true(pr > 0);
	rpcs = harness_wait(pr);
	pipeliner = harness_wait(pp);
	close(pipe_.ready[0]);
	close(pipe_.stop[1]);
	/* machd lives and serves; the pipeliner's task is gone. */
	if (waitpid(machd, &status, WNOHANG) == machd) {
		out = slurp(log);
		remove_tree(dir);
		fail_msg("machd died (status %#x); its output:\n%s", (unsigned)status, out);
	}
	assert_int_equal(rpcs, 0);
	assert_int_equal(pipeliner, 0);
	ec.machd_socket = sock;
	c = harness_fork(child_env_client, &ec);
	assert_true(c > 0);
	assert_int_equal(harness_wait(c), 0);
	assert_int_equal(stop_machd(machd), 0);
	remove_tree(dir);
}

/* ========== 3. task identity is the kernel's ================================== */

static void
child_send_to_bootstrap(void *arg)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = bootstrap_port;
	h.msgh_id = (mach_msg_id_t)(intptr_t)arg;
	assert_kr(mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, 0, 0, 0), MACH_MSG_SUCCESS);
}

/* A forked child is its own task: its pid, a later pidversion, our uids. */
static void
test_fork_child_audit_token(void **state)
{
	mach_port_t p = tu_port_send();
	mach_msg_audit_trailer_t mine = own_audit(), t;
	tu_msg_t m;
	pid_t child;

	(void)state;
	assert_audit_identity(&mine, getpid());
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	child = harness_fork(child_send_to_bootstrap, (void *)(intptr_t)42);
	assert_true(child > 0);
	assert_int_equal(harness_wait(child), 0);
	assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), WAIT_MS),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 42);
	t = tu_audit_trailer(&m);
	assert_audit_identity(&t, child);
	assert_int_not_equal(t.msgh_audit.val[7], mine.msgh_audit.val[7]);
	assert_true(t.msgh_audit.val[7] > mine.msgh_audit.val[7]);
	/* And we are still who we were. */
	t = own_audit();
	assert_memory_equal(&t.msgh_audit, &mine.msgh_audit, sizeof(audit_token_t));

	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

struct joiner {
	mach_port_t      x;            /* in: a port of the main thread */
	mach_port_t      self;         /* mach_task_self() in the thread */
	mach_port_t      self_trap;    /* task_self_trap() on the thread's channel */
	uint64_t         names;        /* names in the task, seen from the thread */
	mach_port_type_t x_type;
	mach_port_t      y;            /* a port the thread allocated */
	kern_return_t    kr_alloc, kr_send, kr_rcv;
	tu_msg_t         m;
};

static void *
joiner_thread(void *arg)
{
	struct joiner *j = arg;
	uint64_t st[6];
	struct { mach_msg_header_t h; uint32_t y; } msg;

	j->self = mach_task_self();
	j->self_trap = task_self_trap();           /* traps only: no reply port yet */
	if (libmach_stats(st) == KERN_SUCCESS)
		j->names = st[5];
	if (MACH_PORT_VALID(j->self_trap))
		(void)mach_port_deallocate(j->self, j->self_trap);  /* the trap's uref */
	if (mach_port_type(j->self, j->x, &j->x_type) != KERN_SUCCESS)
		j->x_type = 0;
	j->kr_alloc = mach_port_allocate(j->self, MACH_PORT_RIGHT_RECEIVE, &j->y);
	memset(&msg, 0, sizeof(msg));
	msg.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	msg.h.msgh_size = sizeof(msg);
	msg.h.msgh_remote_port = j->x;
	msg.h.msgh_id = 77;
	msg.y = j->y;
	j->kr_send = mach_msg(&msg.h, MACH_SEND_MSG, sizeof(msg), 0, 0, 0, 0);
	/* Blocks in machd on its own channel while the main thread works. */
	j->kr_rcv = tu_recv(j->y, &j->m, sizeof(j->m), 0, 10000);
	return NULL;
}

/* A thread of this process joins our task: same self port, same names. */
static void
test_thread_joins_task(void **state)
{
	struct joiner j;
	mach_msg_audit_trailer_t mine, t;
	uint64_t st[6];
	mach_port_urefs_t self_refs;
	pthread_t th;
	tu_msg_t m;
	uint32_t y;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.x = tu_port_send();
	mine = own_audit();
	self_refs = tu_refs(TASK, MACH_PORT_RIGHT_SEND);
	harness_stats(st);
	assert_int_equal(pthread_create(&th, NULL, joiner_thread, &j), 0);
	assert_kr(tu_recv(j.x, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 10000),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 77);
	t = tu_audit_trailer(&m);
	assert_memory_equal(&t.msgh_audit, &mine.msgh_audit, sizeof(audit_token_t));
	memcpy(&y, m.bytes + sizeof(mach_msg_header_t), sizeof(y));
	/* The thread's port is ours: we hold its receive right by its name. */
	assert_int_equal(tu_type(y), MACH_PORT_TYPE_RECEIVE);
	assert_kr(tu_send(y, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 78, 24), MACH_MSG_SUCCESS);
	assert_int_equal(pthread_join(th, NULL), 0);

	assert_int_equal(j.self, TASK);
	assert_int_equal(j.self_trap, TASK);
	assert_int_equal(j.names, st[5]);
	assert_int_equal(j.x_type, MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND);
	assert_kr(j.kr_alloc, KERN_SUCCESS);
	assert_int_equal(j.y, y);
	assert_kr(j.kr_send, MACH_MSG_SUCCESS);
	assert_kr(j.kr_rcv, MACH_MSG_SUCCESS);
	assert_int_equal(j.m.header.msgh_id, 78);
	assert_int_equal(tu_refs(TASK, MACH_PORT_RIGHT_SEND), self_refs);  /* trap's uref returned */

	assert_int_equal(tu_type(y), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_mod_refs(TASK, y, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, j.x, -1, 0), KERN_SUCCESS);
}

/*
 * Exec: the child (a task) queues a message on a port of its own, reports
 * through its bootstrap port, then execs this binary in --exec-report
 * mode, which connects as a new image and reports again through the
 * bootstrap port it kept.
 */
static void
child_before_exec(void *arg)
{
	mach_port_t z = tu_port();
	mach_msg_header_t h;

	(void)arg;
	assert_kr(tu_send(z, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 9, 24), MACH_MSG_SUCCESS);
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = bootstrap_port;
	h.msgh_id = 1;
	assert_kr(mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	fflush(NULL);
	execl(self_exe, self_exe, "--exec-report", (char *)NULL);
	_exit(99);
}

struct exec_report {
	mach_msg_header_t h;
	uint32_t names_at_start;    /* names in the new image's space, first thing */
	uint32_t names_now;         /* and when it sends this */
	int32_t  pid;
	int32_t  bootstrap_ok;      /* the bootstrap special port is bootstrap_port, a send right */
};

/* The exec'd image: exit status 0 if the parent answered the report. */
static int
exec_report(void)
{
	struct { struct exec_report r; mach_msg_max_trailer_t t; } m;
	mach_port_t reply = MACH_PORT_NULL, bp = MACH_PORT_NULL;
	mach_port_type_t type = 0;
	uint64_t st[6];

	memset(&m, 0, sizeof(m));
	if (!MACH_PORT_VALID(bootstrap_port) || libmach_stats(st) != KERN_SUCCESS)
		return 30;
	m.r.names_at_start = (uint32_t)st[5];
	m.r.bootstrap_ok = mach_port_type(mach_task_self(), bootstrap_port, &type) == KERN_SUCCESS &&
	    type == MACH_PORT_TYPE_SEND &&
	    task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bp) == KERN_SUCCESS &&
	    bp == bootstrap_port;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply) != KERN_SUCCESS ||
	    libmach_stats(st) != KERN_SUCCESS)
		return 31;
	m.r.names_now = (uint32_t)st[5];
	m.r.pid = (int32_t)getpid();
	m.r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.r.h.msgh_size = sizeof(m.r);
	m.r.h.msgh_remote_port = bootstrap_port;
	m.r.h.msgh_local_port = reply;
	m.r.h.msgh_id = 2;
	if (mach_msg(&m.r.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof(m.r), sizeof(m),
	    reply, 20000, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return 32;
	return m.r.h.msgh_id == 3 ? 0 : 33;
}

static void
test_exec_is_new_task_keeping_bootstrap(void **state)
{
	mach_port_t p = tu_port_send();
	struct exec_report r;
	mach_msg_audit_trailer_t t1, t2;
	mach_msg_header_t ack;
	uint64_t before[6], want[6];
	tu_msg_t m;
	pid_t child;

	(void)state;
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	harness_stats(before);
	child = harness_fork(child_before_exec, NULL);
	assert_true(child > 0);
	assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 10000),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 1);
	t1 = tu_audit_trailer(&m);
	assert_audit_identity(&t1, child);

	assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 20000),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 2);
	assert_int_equal(m.header.msgh_size, sizeof(r));
	memcpy(&r, m.bytes, sizeof(r));
	t2 = tu_audit_trailer(&m);
	assert_audit_identity(&t2, child);                       /* same pid ... */
	assert_true(t2.msgh_audit.val[7] > t1.msgh_audit.val[7]); /* ... a new task */
	assert_int_equal(r.pid, child);
	assert_int_equal(r.bootstrap_ok, 1);
	assert_int_equal(r.names_at_start, 2);                   /* self + bootstrap only */
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.header.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);

	/* While the new image waits: one task for the child, the old one and
	 * its port (with the message on it) gone; the new image's ports are
	 * its names but the bootstrap right (which is our p). */
	memcpy(want, before, sizeof(want));
	want[TU_TASKS] += 1;
	want[TU_PORTS] += r.names_now - 1;
	tu_assert_stats(want, TU_STAT(TU_TASKS) | TU_STAT(TU_KMSGS) | TU_STAT(TU_PORTS));

	memset(&ack, 0, sizeof(ack));
	ack.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	ack.msgh_size = sizeof(ack);
	ack.msgh_remote_port = m.header.msgh_remote_port;
	ack.msgh_id = 3;
	assert_kr(mach_msg(&ack, MACH_SEND_MSG, sizeof(ack), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(harness_wait(child), 0);

	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	stats_plus(want, 0, 0, 0, 0);
	tu_assert_stats(want, TU_STATS_ALL);
}

/* ========== 4. the socket ===================================================== */

static void
test_socket_mode(void **state)
{
	const char *path = harness_socket_path();
	char dir[256], *slash;
	struct stat st;

	(void)state;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, getuid());
	/* Bound under a temporary name and renamed: nothing else is left. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	assert_non_null(slash);
	*slash = '\0';
	assert_int_equal(dir_entries(dir), 1);
}

/* A second machd on a served path refuses to start and changes nothing. */
static void
test_second_machd_refused(void **state)
{
	const char *path = harness_socket_path();
	char dir[64], log[128], want[512], *out;
	const char *args[] = { "--socket", path, NULL };
	struct stat before, after;
	pid_t pid;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(log, sizeof(log), "%s/second.log", dir);
	assert_int_equal(lstat(path, &before), 0);
	pid = spawn_machd(args, NULL, log);
	assert_int_equal(reap_within(pid), 1);
	out = slurp(log);
	snprintf(want, sizeof(want), "machd: another machd already serves %s\n", path);
	assert_string_equal(out, want);
	free(out);
	assert_int_equal(lstat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_dev, before.st_dev);
	libmach_still_works();
	remove_tree(dir);
}

/*
 * One machd started with `args` and exactly `env`: the socket appears at
 * `expect` and at none of the `others`; SIGTERM ends it with status 0 and
 * removes the socket; its output is exactly `out`.  With `client`, a
 * libmach child with that environment reaches it.
 */
static void
check_resolution(const char *dir, const char *const *args, char *const *env, const char *expect,
    const char *const *others, const char *out, const struct env_client *client)
{
	char log[128], *got;
	pid_t pid;
	int i;

	snprintf(log, sizeof(log), "%s/machd.log", dir);
	pid = spawn_machd(args, env, log);
	wait_socket(pid, expect);
	for (i = 0; others[i] != NULL; i++)
		if (exists(others[i]))
			fail_msg("machd also created %s (expected only %s)", others[i], expect);
	if (client != NULL) {
		pid_t c = harness_fork(child_env_client, (void *)(uintptr_t)client);
		assert_true(c > 0);
		assert_int_equal(harness_wait(c), 0);
	}
	assert_int_equal(stop_machd(pid), 0);
	assert_false(exists(expect));
	got = slurp(log);
	assert_string_equal(got, out);
	free(got);
	unlink(log);
}

/* The pid of the process listening at path, or -1. */
static pid_t
listener_pid(const char *path)
{
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	pid_t pid = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		pid = cred.pid;
	close(fd);
	return pid;
}

/*
 * With no MACHD_SOCKET and no XDG_RUNTIME_DIR machd serves
 * /tmp/machd-$UID.sock.  That path is shared with everything else of this
 * user (a real machd, another run of this test): if a machd already
 * serves it, ours must refuse, naming that path -- the same resolution
 * shown without disturbing the other one.
 */
static void
check_default_path(const char *dir, const char *tmp_sock)
{
	const char *no_args[] = { NULL };
	char *env[] = { NULL };
	char log[128], want[256], *out;
	/* Not `sole`: any libmach process of this user without MACHD_SOCKET
	 * (any test program, at start) connects to this path too. */
	struct env_client ec = { NULL, NULL, false };
	int i, status;
	pid_t pid, c;

	snprintf(log, sizeof(log), "%s/machd.log", dir);
	pid = spawn_machd(no_args, env, log);
	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 1);
			out = slurp(log);
			snprintf(want, sizeof(want), "machd: another machd already serves %s\n", tmp_sock);
			assert_string_equal(out, want);
			free(out);
			unlink(log);
			print_message("note: a machd already serves %s; ours refused\n", tmp_sock);
			return;
		}
		if (listener_pid(tmp_sock) == pid)
			break;
		sleep_ms(10);
	}
	assert_int_equal(listener_pid(tmp_sock), pid);
	c = harness_fork(child_env_client, &ec);
	assert_true(c > 0);
	assert_int_equal(harness_wait(c), 0);
	assert_int_equal(stop_machd(pid), 0);
	assert_false(exists(tmp_sock));
	out = slurp(log);
	assert_string_equal(out, "");
	free(out);
	unlink(log);
}

static void
test_socket_path_resolution(void **state)
{
	char dir[64], xdg[128], arg_sock[160], env_sock[160], xdg_sock[192], tmp_sock[64];
	char env_ms[200], env_xdg[200], trace_line[300];
	const char *others_arg[] = { env_sock, xdg_sock, NULL };
	const char *others_env[] = { arg_sock, xdg_sock, NULL };
	const char *others_xdg[] = { arg_sock, env_sock, NULL };
	const char *args_sock[] = { "--socket", arg_sock, NULL };
	const char *no_args[] = { NULL };
	struct env_client ec;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	assert_int_equal(mkdir(xdg, 0700), 0);
	snprintf(arg_sock, sizeof(arg_sock), "%s/arg.sock", dir);
	snprintf(env_sock, sizeof(env_sock), "%s/env.sock", dir);
	snprintf(xdg_sock, sizeof(xdg_sock), "%s/machd.sock", xdg);
	snprintf(env_ms, sizeof(env_ms), "MACHD_SOCKET=%s", env_sock);
	snprintf(env_xdg, sizeof(env_xdg), "XDG_RUNTIME_DIR=%s", xdg);

	/* --socket beats MACHD_SOCKET and XDG_RUNTIME_DIR. */
	{
		char *env[] = { env_ms, env_xdg, NULL };
		check_resolution(dir, args_sock, env, arg_sock, others_arg, "", NULL);
	}
	/* MACHD_SOCKET beats XDG_RUNTIME_DIR; MACHD_TRACE=0 is off. */
	{
		char *env[] = { env_ms, env_xdg, (char *)"MACHD_TRACE=0", NULL };
		ec.machd_socket = env_sock;
		ec.xdg = xdg;
		ec.sole = true;
		check_resolution(dir, no_args, env, env_sock, others_env, "", &ec);
	}
	/* An empty MACHD_SOCKET counts as unset; MACHD_TRACE=1 turns the trace on. */
	{
		char *env[] = { (char *)"MACHD_SOCKET=", env_xdg, (char *)"MACHD_TRACE=1", NULL };
		snprintf(trace_line, sizeof(trace_line), "machd: serving %s (trace on)\n", xdg_sock);
		check_resolution(dir, no_args, env, xdg_sock, others_xdg, trace_line, NULL);
	}
	/* XDG_RUNTIME_DIR alone. */
	{
		char *env[] = { env_xdg, NULL };
		ec.machd_socket = NULL;
		ec.xdg = xdg;
		ec.sole = true;
		check_resolution(dir, no_args, env, xdg_sock, others_xdg, "", &ec);
	}
	/* Nothing set: /tmp/machd-$UID.sock. */
	snprintf(tmp_sock, sizeof(tmp_sock), "/tmp/machd-%u.sock", (unsigned)getuid());
	check_default_path(dir, tmp_sock);
	/* Only what the cases left: the xdg directory. */
	assert_int_equal(dir_entries(dir), 1);
	remove_tree(dir);
}

/* Arguments machd refuses, with their exit status and message. */
static void
test_machd_bad_arguments(void **state)
{
	char dir[64], log[128], longpath[200], want[400], *out;
	const char *a_unknown[] = { "--bogus", NULL };
	const char *a_names_low[] = { "--socket", "/nonexistent/x.sock", "--max-names", "15", NULL };
	const char *a_names_bad[] = { "--socket", "/nonexistent/x.sock", "--max-names", "16x", NULL };
	const char *a_long[] = { "--socket", longpath, NULL };
	const char *a_queued[] = { "--socket", "/nonexistent/x.sock", "--max-queued-bytes", "65535", NULL };
	pid_t pid;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(log, sizeof(log), "%s/machd.log", dir);

	pid = spawn_machd(a_unknown, NULL, log);
	assert_int_equal(reap_within(pid), 2);
	out = slurp(log);
	{
		static const char prefix[] = "machd: unknown argument: --bogus\nusage: machd ";
		assert_true(strncmp(out, prefix, strlen(prefix)) == 0);
	}
	free(out);

	pid = spawn_machd(a_names_low, NULL, log);
	assert_int_equal(reap_within(pid), 2);
	out = slurp(log);
	assert_string_equal(out, "machd: --max-names: expected 16..16777215, got 15\n");
	free(out);
	pid = spawn_machd(a_names_bad, NULL, log);
	assert_int_equal(reap_within(pid), 2);
	out = slurp(log);
	assert_string_equal(out, "machd: --max-names: expected 16..16777215, got 16x\n");
	free(out);

	pid = spawn_machd(a_queued, NULL, log);
	assert_int_equal(reap_within(pid), 2);
	out = slurp(log);
	assert_string_equal(out, "machd: --max-queued-bytes: expected at least 65536, got 65535\n");
	free(out);

	/* The out-of-line limits and the spin time: bounds, and no negative
	 * numbers. */
	{
		static const struct { const char *opt, *val, *want; } bad[] = {
			{ "--max-ool-fds", "0", "machd: --max-ool-fds: expected 1..4294967295, got 0\n" },
			{ "--max-ool-fds", "-3", "machd: --max-ool-fds: expected 1..4294967295, got -3\n" },
			{ "--max-ool-bytes", "4095",
			    "machd: --max-ool-bytes: expected at least 4096, got 4095\n" },
			{ "--spin-us", "1000001", "machd: --spin-us: expected 0..1000000, got 1000001\n" },
			{ "--spin-us", "-1", "machd: --spin-us: expected 0..1000000, got -1\n" },
		};
		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			const char *a[] = { "--socket", "/nonexistent/x.sock", bad[k].opt, bad[k].val, NULL };
			pid = spawn_machd(a, NULL, log);
			assert_int_equal(reap_within(pid), 2);
			out = slurp(log);
			assert_string_equal(out, bad[k].want);
			free(out);
		}
	}

	/* sun_path holds 108 bytes; machd also needs room for ".PID.tmp". */
	snprintf(longpath, sizeof(longpath), "%s/%0*d.sock", dir, 100 - (int)strlen(dir), 0);
	pid = spawn_machd(a_long, NULL, log);
	assert_int_equal(reap_within(pid), 1);
	out = slurp(log);
	snprintf(want, sizeof(want), "machd: socket path too long: %s\n", longpath);
	assert_string_equal(out, want);
	free(out);
	assert_false(exists(longpath));
	remove_tree(dir);
}

/* --max-names N: a task's space holds N names, then KERN_NO_SPACE. */
static void
child_fill_space(void *arg)
{
	uint64_t st[6];
	mach_port_t p;
	kern_return_t kr = KERN_SUCCESS;
	int i;

	setenv("MACHD_SOCKET", (const char *)arg, 1);
	assert_int_equal(libmach_reinit(), 0);
	for (i = 0; i < 64 && kr == KERN_SUCCESS; i++)
		kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	assert_kr(kr, KERN_NO_SPACE);
	assert_kr(libmach_stats(st), KERN_SUCCESS);
	assert_int_equal(st[5], 16);
}

/* Start a machd of our own with `args` (its socket path is filled in),
 * run `child` in a forked task connected to it, stop it. */
static void
run_on_private_machd(const char **args, void (*child)(void *))
{
	char dir[64], sock[128], log[128];
	const char *argv[16];
	pid_t pid, c;
	int i;

	make_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	argv[0] = "--socket";
	argv[1] = sock;
	for (i = 0; args[i] != NULL && i < 13; i++)
		argv[2 + i] = args[i];
	argv[2 + i] = NULL;
	pid = spawn_machd(argv, NULL, log);
	wait_socket(pid, sock);
	c = harness_fork(child, sock);
	assert_true(c > 0);
	assert_int_equal(harness_wait(c), 0);
	assert_int_equal(stop_machd(pid), 0);
	remove_tree(dir);
}

static void
test_max_names(void **state)
{
	const char *args[] = { "--max-names", "16", NULL };

	(void)state;
	run_on_private_machd(args, child_fill_space);
}

/* Another uid: the 0600 socket refuses it; made reachable, machd does. */
struct other_uid {
	const char *sock;
	bool        open;     /* the socket was made 0666 */
};

static void
child_other_uid(void *arg)
{
	const struct other_uid *ou = arg;
	struct sockaddr_un sa;
	struct mxp_req req;
	struct mxp_rep rep;
	ssize_t n;
	int fd;

	assert_int_equal(setgid(NOBODY), 0);
	assert_int_equal(setuid(NOBODY), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ou->sock);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (!ou->open) {
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
		assert_int_equal(errno, EACCES);
		close(fd);
		return;
	}
	/* The socket is 0666 now: connect works, but machd closes the
	 * channel at accept (SO_PEERCRED) without a word. */
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_HELLO;
	req.a[0] = MXP_VERSION;
	n = send(fd, &req, sizeof(req), MSG_NOSIGNAL);
	assert_true(n == (ssize_t)sizeof(req) || (n < 0 && errno == EPIPE));
	wait_readable(fd);
	n = recv(fd, &rep, sizeof(rep), 0);
	assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
	close(fd);
}

static void
test_other_uid_refused(void **state)
{
	char dir[64], sock[128], log[128];
	const char *args[] = { "--socket", sock, NULL };
	struct env_client ec;
	struct other_uid ou;
	pid_t pid, child;

	(void)state;
	if (geteuid() != 0) {
		/* Only root can become another uid; there is nothing to check. */
		skip();
		return;
	}
	make_tmpdir(dir, sizeof(dir));
	assert_int_equal(chmod(dir, 0755), 0);      /* so only the socket's mode stops them */
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	pid = spawn_machd(args, NULL, log);
	wait_socket(pid, sock);

	ou.sock = sock;
	ou.open = false;
	child = harness_fork(child_other_uid, &ou);
	assert_int_equal(harness_wait(child), 0);
	assert_int_equal(chmod(sock, 0666), 0);
	ou.open = true;
	child = harness_fork(child_other_uid, &ou);
	assert_int_equal(harness_wait(child), 0);

	/* machd serves its own uid as before, and made no task for nobody. */
	ec.machd_socket = sock;
	ec.xdg = NULL;
	ec.sole = true;
	child = harness_fork(child_env_client, &ec);
	assert_int_equal(harness_wait(child), 0);
	assert_int_equal(stop_machd(pid), 0);
	remove_tree(dir);
}

/* ========== 5. the trace ======================================================= */

struct traced_names {
	mach_port_t self;
	mach_port_t port;
	mach_port_t reply;
};

/* A child of a traced machd: where it connects, where it reports. */
struct traced_child {
	const char *sock;
	int         out;      /* the child writes its findings here */
};

/*
 * Start a private machd with --trace in a fresh directory, run `fn` in a
 * forked task that connects to it and writes `len` bytes to tc->out, read
 * them into `report`, stop machd (so every trace line is out) and return
 * the trace text (the caller frees it and removes `dir`).
 */
static char *
run_traced_child(char *dir, size_t dirlen, char *sock, size_t socklen,
    void (*fn)(void *), void *report, size_t len, pid_t *childp)
{
	char log[160];
	const char *args[] = { "--socket", sock, "--trace", NULL };
	struct traced_child tc;
	int pfd[2];
	pid_t pid, child;

	make_tmpdir(dir, dirlen);
	snprintf(sock, socklen, "%s/t.sock", dir);
	snprintf(log, sizeof(log), "%s/trace.log", dir);
	pid = spawn_machd(args, NULL, log);
	wait_socket(pid, sock);
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	tc.sock = sock;
	tc.out = pfd[1];
	child = harness_fork(fn, &tc);
	close(pfd[1]);
	assert_true(child > 0);
	assert_int_equal(harness_wait(child), 0);
	assert_int_equal(read(pfd[0], report, len), (ssize_t)len);
	close(pfd[0]);
	assert_int_equal(stop_machd(pid), 0);
	*childp = child;
	return slurp(log);
}

static void
child_traced(void *arg)
{
	const struct traced_child *tc = arg;
	struct traced_names tn;
	mach_port_t p = MACH_PORT_NULL;
	mach_msg_header_t h;
	tu_msg_t m;

	setenv("MACHD_SOCKET", tc->sock, 1);
	assert_int_equal(libmach_reinit(), 0);
	assert_kr(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h.msgh_remote_port = p;
	h.msgh_id = 4242;
	assert_kr(mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, WAIT_MS), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 4242);
	tn.self = mach_task_self();
	tn.port = p;
	tn.reply = mig_get_reply_port();
	assert_int_equal(write(tc->out, &tn, sizeof(tn)), sizeof(tn));
}

/* Lines of `text` matching the fnmatch(3) pattern (without the newline). */
static int
count_lines(const char *text, const char *pattern, char *first, size_t first_size)
{
	const char *p = text;
	char line[4096];
	int n = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (fnmatch(pattern, line, 0) == 0) {
			if (n == 0 && first != NULL)
				snprintf(first, first_size, "%s", line);
			n++;
		}
		p = nl ? nl + 1 : p + len;
	}
	return n;
}

static void
test_trace(void **state)
{
	char dir[64], sock[128], pat[1024], line[4096];
	struct traced_names tn;
	unsigned long long s1, s2;
	int n;
	char *text, *p;
	pid_t child;

	(void)state;
	text = run_traced_child(dir, sizeof(dir), sock, sizeof(sock), child_traced, &tn,
	    sizeof(tn), &child);

	/* The first line, then only whole trace lines of our child. */
	snprintf(pat, sizeof(pat), "machd: serving %s (trace on)\n", sock);
	assert_true(strncmp(text, pat, strlen(pat)) == 0);
	assert_int_equal(text[strlen(text) - 1], '\n');
	n = 0;
	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1)
		n++;
	snprintf(pat, sizeof(pat), "machd: trace pid %d *", (int)child);
	assert_int_equal(count_lines(text, pat, NULL, 0) + 1, n);

	/* The one plain send: every step, the port named by its serial. */
	assert_int_equal(count_lines(text, "* mach_msg(SEND) *", line, sizeof(line)), 1);
	snprintf(pat, sizeof(pat), "machd: trace pid %d mach_msg(SEND) id 4242 size 24 > copyin_header "
	    "dest 0x%x MAKE_SEND->port#* reply 0x0 NONE > copyin_body 0 desc > enqueue port#* = "
	    "MACH_MSG_SUCCESS", (int)child, tn.port);
	if (fnmatch(pat, line, 0) != 0)
		fail_msg("trace line\n  %s\ndoes not match\n  %s", line, pat);
	assert_int_equal(sscanf(strstr(line, "->port#"), "->port#%llu", &s1), 1);
	assert_int_equal(sscanf(strstr(line, "enqueue port#"), "enqueue port#%llu", &s2), 1);
	assert_true(s1 == s2);

	/* Its receive. */
	snprintf(pat, sizeof(pat), "machd: trace pid %d mach_msg(RCV) > receive 0x%x > copyout id 4242 "
	    "seqno 0 = MACH_MSG_SUCCESS", (int)child, tn.port);
	assert_int_equal(count_lines(text, pat, NULL, 0), 1);

	/* mach_port_allocate, served by the task's kobject. */
	assert_int_equal(count_lines(text, "*kobject mach_port_allocate*", line, sizeof(line)), 1);
	snprintf(pat, sizeof(pat), "machd: trace pid %d mach_msg(SEND|RCV) id 3204 size 36 > "
	    "copyin_header dest 0x%x COPY_SEND->port#* reply 0x%x MAKE_SEND_ONCE > copyin_body 0 desc > "
	    "kobject mach_port_allocate(id 3204) = KERN_SUCCESS > receive 0x%x > copyout id 3304 "
	    "seqno * = MACH_MSG_SUCCESS", (int)child, tn.self, tn.reply, tn.reply);
	if (fnmatch(pat, line, 0) != 0)
		fail_msg("trace line\n  %s\ndoes not match\n  %s", line, pat);
	free(text);
	remove_tree(dir);
}

/* ========== 6. task death while threads are blocked =========================== */

struct blocked_child {
	int go[2];          /* parent -> child: send now */
};

static void *
blocked_receiver(void *arg)
{
	struct { mach_msg_header_t h; mach_msg_max_trailer_t t; } m;
	mach_port_t r = (mach_port_t)(uintptr_t)arg;

	/* One call: message 1 to the parent, then wait on r forever. */
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_size = sizeof(m.h);
	m.h.msgh_remote_port = bootstrap_port;
	m.h.msgh_id = 1;
	(void)mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(m.h), sizeof(m), r, 0, 0);
	_exit(20);           /* never: the parent kills us first */
}

static void
child_blocked_threads(void *arg)
{
	struct blocked_child *bc = arg;
	mach_port_t r = tu_port();
	mach_msg_header_t h;
	pthread_t th;
	int i;

	close(bc->go[1]);
	assert_int_equal(pthread_create(&th, NULL, blocked_receiver, (void *)(uintptr_t)r), 0);
	(void)read_byte(bc->go[0]);
	for (i = 2; i <= 3; i++) {
		memset(&h, 0, sizeof(h));
		h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		h.msgh_remote_port = bootstrap_port;
		h.msgh_id = i;
		/* 2 fills the queue, 3 blocks until we die */
		assert_kr(mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	}
	_exit(21);
}

static void
test_task_death_with_blocked_threads(void **state)
{
	mach_port_t p = tu_port_send();
	mach_port_limits_t lim = { 2 };
	struct blocked_child bc;
	uint64_t want[6];
	tu_msg_t m;
	pid_t child;
	int i;

	(void)state;
	assert_kr(mach_port_set_attributes(TASK, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	    MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	assert_int_equal(pipe2(bc.go, O_CLOEXEC), 0);
	child = harness_fork(child_blocked_threads, &bc);
	assert_true(child > 0);
	close(bc.go[0]);
	/* Message 1 is on p: the thread that sent it is parked in its
	 * receive (same call, same trip through machd). */
	wait_msgcount(p, 1);
	write_byte(bc.go[1], 'g');
	/* Message 2 queued, message 3 held by the blocked sender: 3 kmsgs. */
	wait_msgcount(p, 2);
	stats_plus(want, 1, 3, 1, 1);
	want[TU_NAMES] = tu_baseline()[TU_NAMES] + 1;
	tu_assert_stats(want, TU_STAT(TU_KMSGS) | TU_STAT(TU_TASKS) | TU_STAT(TU_NAMES));

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(harness_wait(child), 128 + SIGKILL);
	close(bc.go[1]);
	/* The child's task, its port and the blocked message are gone; the
	 * two fully queued messages stay. */
	stats_plus(want, 1, 2, 0, 1);
	tu_assert_stats(want, TU_STATS_ALL);
	assert_int_equal(tu_status(p).mps_msgcount, 2);
	for (i = 1; i <= 2; i++) {
		mach_msg_audit_trailer_t t;
		assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 0),
		    MACH_MSG_SUCCESS);
		assert_int_equal(m.header.msgh_id, i);
		t = tu_audit_trailer(&m);
		assert_int_equal(t.msgh_audit.val[5], (unsigned)child);
	}
	tu_expect_empty(p);

	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/* A memfd of `size` bytes holding a header-only-looking message to
 * `dest`, sealed (`seal`) or not. */
static int
message_memfd(size_t size, mach_port_name_t dest, bool seal)
{
	int fd = memfd_create("edge-msg", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	mach_msg_header_t h;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h.msgh_remote_port = dest;
	assert_int_equal(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), 0);
	return fd;
}

/* One MACH_MSG send whose bytes come in `msgfd` (machd_proto.h). */
static void
raw_send_memfd(int chan, uint64_t send_size, int msgfd)
{
	struct mxp_req req;

	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_MACH_MSG;
	req.a[0] = MACH_SEND_MSG;
	req.a[1] = send_size;
	raw_send_bytes(chan, &req, sizeof(req), msgfd, 1);
}

static void
child_bad_message_memfds(void *arg)
{
	const size_t big = MXP_PAYLOAD_MAX + 4096;
	struct mxp_rep rep;
	mach_port_name_t port;
	int chan, fd, pfd[2];

	(void)arg;
	chan = raw_connect(harness_socket_path());
	(void)raw_hello(chan, 0, &rep);
	port = raw_reply_port(chan);
	/* Not sealed: the sender could change it under the kernel. */
	fd = message_memfd(big, port, false);
	raw_send_memfd(chan, big, fd);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_DATA, &rep);
	close(fd);
	/* Sealed, but not the size the request states. */
	fd = message_memfd(big, port, true);
	raw_send_memfd(chan, big + 4, fd);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_DATA, &rep);
	/* Sealed and right: accepted (the message is queued on our port). */
	raw_send_memfd(chan, big, fd);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_MSG_SUCCESS, &rep);
	close(fd);
	/* Not a memfd at all. */
	assert_int_equal(pipe(pfd), 0);
	raw_send_memfd(chan, big, pfd[0]);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_DATA, &rep);
	/* A message that fits a datagram comes in it: an fd with an empty
	 * payload is taken for an out-of-line region, and the message's
	 * bytes are missing (the kernel's "could not read" answer). */
	fd = message_memfd(1024, port, true);
	raw_send_memfd(chan, 1024, fd);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_DATA, &rep);
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
	close(chan);
}

/* Large messages arrive as sealed memfds; machd checks every one. */
static void
test_bad_message_memfds(void **state)
{
	(void)state;
	assert_int_equal(harness_wait(harness_fork(child_bad_message_memfds, NULL)), 0);
}

/* One OOL descriptor of `size` bytes whose address field says `mark`
 * (machd_proto.h, MXP_OOL_*), sent to `port` (MAKE_SEND) with `fds`. */
static void
raw_send_ool(int chan, mach_port_name_t port, uint32_t size, uint64_t mark,
    const int *fds, int nfds)
{
	struct {
		struct mxp_req req;
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t d;
	} __attribute__((packed)) m;

	memset(&m, 0, sizeof(m));
	m.req.op = MXP_OP_MACH_MSG;
	m.req.len = (uint32_t)(sizeof(m) - sizeof(m.req));
	m.req.a[0] = MACH_SEND_MSG;
	m.req.a[1] = m.req.len;
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.h.msgh_size = m.req.len;
	m.h.msgh_remote_port = port;
	m.body.msgh_descriptor_count = 1;
	memcpy(&m.d.address, &mark, sizeof(mark));
	m.d.size = size;
	m.d.copy = MACH_MSG_VIRTUAL_COPY;
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	raw_send_fds(chan, &m, sizeof(m), fds, nfds);
}

static int
sealed_memfd(size_t size, unsigned seals)
{
	int fd = memfd_create("edge-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seals)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, (int)seals), 0);
	return fd;
}

static void
child_ool_fd_checks(void *arg)
{
	const unsigned all = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	struct mxp_rep rep;
	mach_port_name_t port;
	int chan, fd, pfd[2], sv[2], file, two[2];
	char path[] = "/tmp/machxfer-ool.XXXXXX";

	(void)arg;
	chan = raw_connect(harness_socket_path());
	(void)raw_hello(chan, 0, &rep);
	port = raw_reply_port(chan);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	file = mkstemp(path);
	assert_true(file >= 0);
	assert_int_equal(ftruncate(file, 8192), 0);
	unlink(path);
	/* Not memfds: a pipe, a socket, a regular file of the right size. */
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &pfd[0], 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &sv[0], 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &file, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	/* Memfds without every seal, or not of the stated size. */
	fd = sealed_memfd(8192, 0);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	close(fd);
	fd = sealed_memfd(8192, F_SEAL_SHRINK | F_SEAL_GROW);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	close(fd);
	fd = sealed_memfd(4096, all);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	close(fd);
	/* fds that do not match the descriptors; markers machd does not know. */
	fd = sealed_memfd(8192, all);
	two[0] = two[1] = fd;
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, two, 2);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, NULL, 0);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	raw_send_ool(chan, port, 8192, 0x1234, NULL, 0);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	raw_send_ool(chan, port, 8192, MXP_OOL_UNREADABLE, NULL, 0);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	raw_send_ool(chan, port, 8192, MXP_OOL_NO_MEMORY, NULL, 0);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_MSG_VM_KERNEL, &rep);
	/* A sealed memfd of the stated size: accepted. */
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_MSG_SUCCESS, &rep);
	/* At an offset: the memfd holds offset + size bytes, no fewer. */
	raw_send_ool(chan, port, 8192, 100, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_SEND_INVALID_MEMORY, &rep);
	close(fd);
	fd = sealed_memfd(8192 + 100, all);
	raw_send_ool(chan, port, 8192, 100, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_MSG_SUCCESS, &rep);
	close(fd);
	close(file);
	close(pfd[0]);
	close(pfd[1]);
	close(sv[0]);
	close(sv[1]);
	close(chan);
}

/* machd checks every fd that comes with a message (machd_proto.h). */
static void
test_ool_fd_checks(void **state)
{
	(void)state;
	assert_int_equal(harness_wait(harness_fork(child_ool_fd_checks, NULL)), 0);
}

/*
 * machd out of descriptors while it reads a request: the Linux kernel
 * installs what fits, drops the rest and says so (MSG_CTRUNC).  machd
 * answers MACH_MSG_VM_KERNEL, as XNU does when it cannot map a region,
 * closes what it did get, and the channel goes on.  machd runs with
 * RLIMIT_NOFILE 40; one request brings 60 descriptors.
 */
struct fd_starved {
	const char *sock;
	pid_t       machd;
};

static int
count_open_fds(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static void
child_ool_machd_out_of_fds(void *arg)
{
	const unsigned all = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	const struct fd_starved *fs = arg;
	struct mxp_rep rep;
	mach_port_name_t port;
	int chan, fd, fds[60], before;

	chan = raw_connect(fs->sock);
	(void)raw_hello(chan, 0, &rep);
	port = raw_reply_port(chan);
	fd = sealed_memfd(8192, all);
	for (int i = 0; i < 60; i++)
		fds[i] = fd;
	before = count_open_fds(fs->machd);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, fds, 60);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_MSG_VM_KERNEL, &rep);
	assert_int_equal(count_open_fds(fs->machd), before);
	/* Nothing was queued, and the channel carries the next request: the
	 * same region, alone, is taken. */
	raw_send_receive_request(chan, port, true, 0);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_RCV_TIMED_OUT, &rep);
	raw_send_ool(chan, port, 8192, MXP_OOL_ATTACHED, &fd, 1);
	raw_expect_reply(chan, MXP_OP_MACH_MSG, MACH_MSG_SUCCESS, &rep);
	assert_int_equal(count_open_fds(fs->machd), before + 1);
	close(fd);
	close(chan);
}

static void
test_ool_machd_out_of_fds(void **state)
{
	char dir[64], sock[128], log[128];
	const char *args[] = { "--socket", sock, NULL };
	struct fd_starved fs = { sock, 0 };
	char *out;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	fs.machd = spawn_machd_nofile(args, NULL, log, 40);
	wait_socket(fs.machd, sock);
	assert_int_equal(harness_wait(harness_fork(child_ool_machd_out_of_fds, &fs)), 0);
	assert_int_equal(stop_machd(fs.machd), 0);
	out = slurp(log);
	assert_string_equal(out, "");          /* no protocol error: an answer */
	free(out);
	remove_tree(dir);
}

/* --max-ool-fds / --max-ool-bytes: a task's out-of-line regions in flight. */
static mach_msg_return_t
send_region(mach_port_t dest, void *addr, uint32_t size)
{
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_ool_descriptor_t d; } m;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.h.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.d.address = addr;
	m.d.size = size;
	m.d.copy = MACH_MSG_VIRTUAL_COPY;
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0, 0, 0, 0);
}

static void
drain_regions(mach_port_t p, unsigned n)
{
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_ool_descriptor_t d;
	    mach_msg_max_trailer_t t; } m;

	while (n-- > 0) {
		assert_kr(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), p, 0, 0),
		    MACH_MSG_SUCCESS);
		assert_kr(vm_deallocate(mach_task_self(), (vm_address_t)m.d.address, m.d.size),
		    KERN_SUCCESS);
	}
}

static void
child_ool_limits(void *arg)
{
	static uint8_t buf[2 << 20];
	mach_port_t p;
	int i;

	setenv("MACHD_SOCKET", (const char *)arg, 1);
	assert_int_equal(libmach_reinit(), 0);
	assert_kr(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	for (i = 0; i < 3; i++)
		assert_kr(send_region(p, buf, 65536), MACH_MSG_SUCCESS);
	assert_kr(send_region(p, buf, 65536), MACH_SEND_NO_BUFFER);
	drain_regions(p, 1);
	assert_kr(send_region(p, buf, 65536), MACH_MSG_SUCCESS);
	drain_regions(p, 3);
	assert_kr(send_region(p, buf, (1 << 20) + 4096), MACH_SEND_NO_BUFFER);
	assert_kr(send_region(p, buf, 1 << 20), MACH_MSG_SUCCESS);
	drain_regions(p, 1);
	assert_kr(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

static void
test_ool_task_limits(void **state)
{
	const char *args[] = { "--max-ool-fds", "3", "--max-ool-bytes", "1048576", NULL };

	(void)state;
	run_on_private_machd(args, child_ool_limits);
}

/* ========== regressions ===================================================== */

/*
 * Regression: the init task inherited machd's blocked signals (SIGHUP,
 * SIGINT, SIGTERM) and its ignored SIGPIPE across exec.
 */
static void
regression_init_task_signal_mask(void **state)
{
	char dir[64], sock[128], log[128], out[96], cmd[512], line[128] = "";
	const char *args[] = { "--socket", sock, "--launchd", "/bin/sh", "-c", cmd, NULL };
	pid_t pid;
	FILE *f = NULL;
	int i;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	snprintf(out, sizeof(out), "%s/sig", dir);
	snprintf(cmd, sizeof(cmd), "grep -E '^Sig(Blk|Ign)' /proc/self/status > %s.tmp && mv %s.tmp %s",
	    out, out, out);
	pid = spawn_machd(args, NULL, log);
	for (i = 0; i < 500 && (f = fopen(out, "r")) == NULL; i++)
		usleep(10000);
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "SigBlk:\t0000000000000000\n");
	assert_non_null(fgets(line, sizeof(line), f));
	/* SIGPIPE (bit 12) was machd's to ignore; others may come from
	 * whoever started machd, and a fresh process inherits those too. */
	assert_int_equal(strncmp(line, "SigIgn:\t", 8), 0);
	assert_int_equal(strtoull(line + 8, NULL, 16) & (1ull << (SIGPIPE - 1)), 0);
	fclose(f);
	assert_int_equal(stop_machd(pid), 0);
	remove_tree(dir);
}

/*
 * Regression: a send that blocked on a full queue never got its trace line.
 * mach_msg.c mach_msg_trap() returns on MACH_SEND_IN_PROGRESS without
 * ipc_trace_end(), so the line built so far ("... > enqueue port#N >
 * blocked: queue full") stays open, unprinted, until the next
 * ipc_trace_begin() discards it; anything traced in between with no line
 * of its own (here: the send-once notification made when the blocked
 * message is destroyed with its channel) is appended to that dead line
 * and lost too.
 *
 * A raw child on a private traced machd: five messages fill port P (the
 * default qlimit); a sixth, carrying a send-once right to R, blocks; then
 * a second request on that channel makes machd drop it, destroying the
 * blocked message, whose send-once right sends its notification to R.
 */
static void
child_blocked_send_traced(void *arg)
{
	const struct traced_child *bt = arg;   /* writes P and R to out */
	struct mxp_rep hello, rep;
	mach_port_name_t pr[2];
	mach_msg_header_t h;
	struct { mach_msg_header_t h; uint8_t rest[64]; } got;
	uint64_t a[7];
	int ctl, ch, i;

	ctl = raw_connect(bt->sock);
	(void)raw_hello(ctl, 0, &hello);
	pr[0] = raw_reply_port(ctl);
	pr[1] = raw_reply_port(ctl);
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h.msgh_size = sizeof(h);
	h.msgh_remote_port = pr[0];
	memset(a, 0, sizeof(a));
	a[0] = MACH_SEND_MSG | MACH_SEND_TIMEOUT;
	a[1] = sizeof(h);
	for (i = 1; i <= MACH_PORT_QLIMIT_DEFAULT; i++) {
		h.msgh_id = i;
		raw_request(ctl, MXP_OP_MACH_MSG, a, &h, sizeof(h));
		raw_expect_reply(ctl, MXP_OP_MACH_MSG, MACH_MSG_SUCCESS, &rep);
	}
	ch = raw_connect(bt->sock);
	(void)raw_hello(ch, hello.v[0], &rep);
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	h.msgh_local_port = pr[1];
	h.msgh_id = 6;
	a[0] = MACH_SEND_MSG;                       /* no timeout: it blocks */
	raw_request(ch, MXP_OP_MACH_MSG, a, &h, sizeof(h));
	raw_request(ch, MXP_OP_STATS, NULL, NULL, 0);
	raw_expect_eof(ch);
	close(ch);
	/* The send-once notification is on R. */
	memset(a, 0, sizeof(a));
	a[0] = MACH_RCV_MSG | MACH_RCV_TIMEOUT;
	a[2] = sizeof(got);
	a[3] = pr[1];
	a[4] = WAIT_MS;
	raw_request(ctl, MXP_OP_MACH_MSG, a, NULL, 0);
	assert_true(raw_recv(ctl, &rep, &got, sizeof(got)) > (ssize_t)sizeof(rep));
	assert_kr(rep.code, MACH_MSG_SUCCESS);
	assert_int_equal(got.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(write(bt->out, pr, sizeof(pr)), sizeof(pr));
	close(ctl);
}

static void
regression_trace_blocked_send(void **state)
{
	char dir[64], sock[128], pat[512];
	mach_port_name_t pr[2];
	char *text;
	pid_t child;

	(void)state;
	text = run_traced_child(dir, sizeof(dir), sock, sizeof(sock), child_blocked_send_traced,
	    pr, sizeof(pr), &child);
	remove_tree(dir);

	/* Messages 1..5 have their lines ... */
	snprintf(pat, sizeof(pat), "machd: trace pid %d mach_msg(SEND) id 5 size 24 > *", (int)child);
	assert_int_equal(count_lines(text, pat, NULL, 0), 1);
	/* ... and so must message 6, which blocked. */
	snprintf(pat, sizeof(pat), "machd: trace pid %d mach_msg(SEND) id 6 size 24 > copyin_header "
	    "dest 0x%x MAKE_SEND->port#* reply 0x%x MAKE_SEND_ONCE > copyin_body 0 desc > enqueue *",
	    (int)child, pr[0], pr[1]);
	if (count_lines(text, pat, NULL, 0) != 1)
		fail_msg("no trace line for the send that blocked (pattern %s); trace:\n%s", pat, text);
	/* The send-once notification machd sent to R is traced somewhere. */
	if (strstr(text, "notify send-once") == NULL)
		fail_msg("the send-once notification is missing from the trace:\n%s", text);
	free(text);
}

/*
 * Regression: machd removed its socket path at exit without checking that
 * the path is still its own.  machd_server.c machd_serve() ends with
 * unlink(config->socket_path): if the socket was removed meanwhile (a /tmp
 * cleaner, a user) and another machd now serves that path, the first
 * one's exit deletes the second one's socket and every new client of the
 * second one fails.  It should unlink only if the path still names the
 * socket it bound (same st_dev/st_ino as after its rename).
 */
static void
regression_exit_unlinks_other_socket(void **state)
{
	char dir[64], sock[128], log_a[128], log_b[128];
	const char *args[] = { "--socket", sock, NULL };
	pid_t a, b;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log_a, sizeof(log_a), "%s/a.log", dir);
	snprintf(log_b, sizeof(log_b), "%s/b.log", dir);
	a = spawn_machd(args, NULL, log_a);
	wait_socket(a, sock);
	assert_int_equal(unlink(sock), 0);
	b = spawn_machd(args, NULL, log_b);
	wait_socket(b, sock);
	assert_int_equal(listener_pid(sock), b);
	assert_int_equal(stop_machd(a), 0);
	/* b still serves: its socket must still be there. */
	if (!is_socket(sock)) {
		(void)stop_machd(b);
		remove_tree(dir);
		fail_msg("machd %d's exit removed %s, which machd %d serves", (int)a, sock, (int)b);
	}
	assert_int_equal(listener_pid(sock), b);
	assert_int_equal(stop_machd(b), 0);
	remove_tree(dir);
}

/*
 * Regression: `machd --socket PATH` replaced whatever PATH was, a regular
 * file included, and deletes it at exit.  machd_server.c server_listen()
 * probes PATH with connect() (which fails on a regular file), then
 * rename()s its socket over it.  A mistyped --socket destroys a file; it
 * should refuse a PATH that exists and is not a socket.
 */
static void
regression_socket_path_clobbers_file(void **state)
{
	char dir[64], path[128], log[128], *text;
	const char *args[] = { "--socket", path, NULL };
	struct stat st;
	pid_t pid;
	int i, fd, status = 0;
	bool exited = false;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious\n", 9), 9);
	close(fd);
	pid = spawn_machd(args, NULL, log);
	for (i = 0; i < 1000 && !exited && !is_socket(path); i++) {
		exited = waitpid(pid, &status, WNOHANG) == pid;
		sleep_ms(10);
	}
	if (!exited) {
		bool clobbered = is_socket(path);
		(void)stop_machd(pid);
		remove_tree(dir);
		if (clobbered)
			fail_msg("machd replaced the regular file %s with its socket (and removed "
			    "it at exit)", path);
		fail_msg("machd neither refused %s nor served it within 10 s", path);
	}
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = slurp(path);
	assert_string_equal(text, "precious\n");
	free(text);
	remove_tree(dir);
}

/*
 * Regression: out of descriptors, machd spun.  When accept4() fails with
 * EMFILE while connections wait in the backlog, machd_server.c
 * server_accept() just returns; the listening socket is level-triggered
 * in epoll, so epoll_wait() reports it again at once, forever: machd
 * burns a whole CPU until connections go away (any process of the user
 * can cause it).  It should stop polling the listener while out of
 * descriptors (EPOLL_CTL_MOD without EPOLLIN until a channel closes) or
 * accept-and-close with a reserved descriptor.
 *
 * machd runs with RLIMIT_NOFILE 40; we open 100 connections and measure
 * the CPU time machd uses over one second in which nobody sends it
 * anything (it should be ~0; spinning, it is ~1 s).
 */
static long
cpu_ticks(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long utime = 0, stime = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	text = slurp(path);
	p = strrchr(text, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &utime, &stime), 2);
	free(text);
	return (long)(utime + stime);
}

static void
regression_accept_emfile_spins(void **state)
{
	char dir[64], sock[128], log[128];
	const char *args[] = { "--socket", sock, NULL };
	int fds[100], i;
	long t0, t1, hz = sysconf(_SC_CLK_TCK);
	pid_t pid;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/m.sock", dir);
	snprintf(log, sizeof(log), "%s/machd.log", dir);
	pid = spawn_machd_nofile(args, NULL, log, 40);
	wait_socket(pid, sock);
	for (i = 0; i < 100; i++)
		fds[i] = raw_connect(sock);          /* no HELLO: no task is made */
	sleep_ms(200);                           /* let it accept what it can */
	t0 = cpu_ticks(pid);
	sleep_ms(1000);
	t1 = cpu_ticks(pid);
	for (i = 0; i < 100; i++)
		close(fds[i]);
	assert_int_equal(stop_machd(pid), 0);
	remove_tree(dir);
	if (t1 - t0 > hz / 2)
		fail_msg("machd used %ld ms of CPU in 1 s with nothing to do (accept EMFILE loop)",
		    (t1 - t0) * 1000 / hz);
}

/* ========== main =============================================================== */

int
main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n > 0)
		self_exe[n] = '\0';
	if (argc == 2 && strcmp(argv[1], "--exec-report") == 0)
		return exec_report();
	/* A write to a pipe of a child that is gone must fail, not kill us
	 * (and, through PR_SET_PDEATHSIG, the harness's machd). */
	signal(SIGPIPE, SIG_IGN);

	const struct CMUnitTest tests[] = {
		tu_test(test_malformed_before_hello),
		tu_test(test_hello_wrong_version),
		tu_test(test_malformed_after_hello),
		tu_test(test_slow_and_greedy_clients),
		tu_test(test_pipelining_client),
		tu_test(test_fork_child_audit_token),
		tu_test(test_thread_joins_task),
		tu_test(test_exec_is_new_task_keeping_bootstrap),
		tu_test(test_socket_mode),
		tu_test(test_second_machd_refused),
		tu_test(test_socket_path_resolution),
		tu_test(test_machd_bad_arguments),
		tu_test(test_max_names),
		tu_test(test_other_uid_refused),
		tu_test(test_trace),
		tu_test(test_task_death_with_blocked_threads),
		tu_test(test_bad_message_memfds),
		tu_test(test_ool_fd_checks),
		tu_test(test_ool_task_limits),
		tu_test(test_ool_machd_out_of_fds),
		tu_test(regression_init_task_signal_mask),
		tu_test(regression_trace_blocked_send),
		tu_test(regression_exit_unlinks_other_socket),
		tu_test(regression_socket_path_clobbers_file),
		tu_test(regression_accept_emfile_spins),
	};

	if (getenv("EDGE_FILTER") != NULL)
		cmocka_set_test_filter(getenv("EDGE_FILTER"));
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
