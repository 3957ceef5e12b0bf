/*
 * bench_dbus.c -- the same jobs done with D-Bus, what Linux programs
 * use for RPC between processes: a private dbus-daemon (Debian's, started
 * here with its own configuration on a socket in a temporary directory),
 * and libdbus-1 clients and servers.
 *
 *   rpc.dbus   method call with a 1 KiB byte array, reply with the same
 *   tput.dbus  N clients calling one server, each with its own connection
 *   ool.dbus   a sealed memfd passed as a unix fd in a method call and
 *              mapped copy-on-write by the receiver
 *
 * Built with libdbus when `pkg-config --exists dbus-1` held at build time
 * (HAVE_DBUS); otherwise every D-Bus row says it was skipped and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "memfd_sealed.h"

#ifdef HAVE_DBUS
#include <dbus/dbus.h>

#define BUS_NAME      "org.machxfer.Bench"
#define BUS_PATH      "/org/machxfer/Bench"
#define BUS_IFACE     "org.machxfer.Bench"
#define CALL_MS       30000
#define DAEMON_WAIT   1000      /* x 10 ms */

static pid_t daemon_pid = -1;
static char  daemon_dir[64];
static char  daemon_addr[160];
static const char *daemon_why = "dbus-daemon not started";

/* ----- the private daemon ---------------------------------------------------- */

static int
write_config(const char *conf, const char *sock)
{
	FILE *f = fopen(conf, "w");

	if (f == NULL)
		return -1;
	fprintf(f,
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	    "<busconfig>\n"
	    "  <type>session</type>\n"
	    "  <listen>unix:path=%s</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    "  <policy context=\"default\">\n"
	    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	    "    <allow eavesdrop=\"true\"/>\n"
	    "    <allow own=\"*\"/>\n"
	    "  </policy>\n"
	    "</busconfig>\n", sock);
	return fclose(f);
}

static void
remove_daemon_dir(void)
{
	char path[128];

	if (daemon_dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/bus.conf", daemon_dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/bus", daemon_dir);
	(void)unlink(path);
	(void)rmdir(daemon_dir);
	daemon_dir[0] = '\0';
}

static int
wait_for_socket(const char *sock)
{
	struct stat st;
	int i;

	for (i = 0; i < DAEMON_WAIT; i++) {
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		usleep(10000);
	}
	return -1;
}

int
bench_dbus_start(void)
{
	char conf[128], sock[128], arg[160];

	if (access("/usr/bin/dbus-daemon", X_OK) != 0) {
		daemon_why = "dbus-daemon not installed (apt-get install dbus-daemon)";
		goto fail;
	}
	snprintf(daemon_dir, sizeof(daemon_dir), "/tmp/machxfer-bench-dbus.XXXXXX");
	if (mkdtemp(daemon_dir) == NULL) {
		daemon_dir[0] = '\0';
		daemon_why = "mkdtemp failed";
		goto fail;
	}
	snprintf(conf, sizeof(conf), "%s/bus.conf", daemon_dir);
	snprintf(sock, sizeof(sock), "%s/bus", daemon_dir);
	snprintf(daemon_addr, sizeof(daemon_addr), "unix:path=%s", sock);
	snprintf(arg, sizeof(arg), "--config-file=%s", conf);
	if (write_config(conf, sock) != 0) {
		daemon_why = "cannot write the daemon's configuration";
		goto fail;
	}
	fflush(NULL);
	daemon_pid = fork();
	if (daemon_pid == 0) {
		/* Its one complaint here (it may not raise its fd limit in a
		 * container) is noise; failing to start shows as no socket. */
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			(void)dup2(null, STDERR_FILENO);
		execl("/usr/bin/dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile", arg,
		    (char *)NULL);
		_exit(127);
	}
	if (daemon_pid < 0 || wait_for_socket(sock) != 0) {
		daemon_why = "dbus-daemon did not start";
		goto fail;
	}
	return 0;
fail:
	printf("dbus: %s; the D-Bus rows are skipped\n", daemon_why);
	bench_dbus_stop();
	return -1;
}

void
bench_dbus_stop(void)
{
	if (daemon_pid > 0) {
		(void)kill(daemon_pid, SIGTERM);
		(void)bench_wait(daemon_pid);
	}
	daemon_pid = -1;
	remove_daemon_dir();
}

int
bench_dbus_pin(int cpu)
{
	return daemon_pid > 0 ? bench_pin(daemon_pid, cpu) : 0;
}

/* A private connection to our daemon, registered on the bus; NULL on failure. */
static DBusConnection *
bus_connect(void)
{
	DBusError err;
	DBusConnection *c;

	dbus_error_init(&err);
	c = dbus_connection_open_private(daemon_addr, &err);
	if (c == NULL)
		goto fail;
	if (!dbus_bus_register(c, &err)) {
		dbus_connection_close(c);
		dbus_connection_unref(c);
		c = NULL;
		goto fail;
	}
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	return c;
fail:
	fprintf(stderr, "bench: D-Bus: %s\n", err.message != NULL ? err.message : "?");
	dbus_error_free(&err);
	return NULL;
}

static void
bus_close(DBusConnection *c)
{
	if (c == NULL)
		return;
	dbus_connection_close(c);
	dbus_connection_unref(c);
}

static int
bus_own(DBusConnection *c, const char *name)
{
	DBusError err;
	int r;

	dbus_error_init(&err);
	r = dbus_bus_request_name(c, name, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
	dbus_error_free(&err);
	return r == DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER ? 0 : -1;
}

/* The next method call to our interface, waiting up to CALL_MS; NULL if none. */
static DBusMessage *
bus_next_call(DBusConnection *c)
{
	uint64_t deadline = bench_ns() + (uint64_t)CALL_MS * 1000000u;
	DBusMessage *m;

	while (bench_ns() < deadline) {
		while ((m = dbus_connection_pop_message(c)) != NULL) {
			if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_METHOD_CALL &&
			    dbus_message_has_interface(m, BUS_IFACE))
				return m;
			dbus_message_unref(m);      /* NameAcquired and the like */
		}
		if (!dbus_connection_read_write(c, 1000))
			return NULL;
	}
	return NULL;
}

/* ----- the echo server ----------------------------------------------------- */

struct echo_server {
	struct bench_gate gate;
};

/* Answer Echo(ay) with the same bytes until Quit. */
static int
echo_server_child(void *arg)
{
	struct echo_server *s = arg;
	DBusConnection *c = bus_connect();
	DBusMessage *m;

	if (c == NULL || bus_own(c, BUS_NAME) != 0 || bench_gate_ready(&s->gate) != 0)
		return 1;
	while ((m = bus_next_call(c)) != NULL && !dbus_message_is_method_call(m, BUS_IFACE, "Quit")) {
		const unsigned char *bytes;
		int n;
		DBusMessage *r = NULL;

		if (dbus_message_get_args(m, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE, &bytes, &n,
		    DBUS_TYPE_INVALID))
			r = dbus_message_new_method_return(m);
		if (r == NULL || !dbus_message_append_args(r, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE, &bytes,
		    n, DBUS_TYPE_INVALID) || !dbus_connection_send(c, r, NULL))
			return 1;
		dbus_message_unref(r);
		dbus_message_unref(m);
	}
	if (m != NULL)
		dbus_message_unref(m);
	dbus_connection_flush(c);
	bus_close(c);
	return 0;
}

static pid_t
echo_server_start(void)
{
	struct echo_server s;
	pid_t pid;

	if (bench_gate_open(&s.gate) != 0)
		return -1;
	pid = bench_fork(echo_server_child, &s);
	if (pid > 0 && bench_gate_wait_ready(&s.gate, 1) != 0) {
		bench_kill(pid);
		pid = -1;
	}
	bench_gate_close(&s.gate);
	return pid;
}

/* A client: its connection and the 1 KiB it sends. */
struct echo_client {
	DBusConnection *c;
	unsigned char   buf[BENCH_RPC_BYTES];
};

static int
echo_client_setup(void *arg)
{
	struct echo_client *e = arg;

	memset(e->buf, 0x5a, sizeof(e->buf));
	e->c = bus_connect();
	return e->c != NULL ? 0 : -1;
}

static DBusMessage *
call_new(const char *method)
{
	return dbus_message_new_method_call(BUS_NAME, BUS_PATH, BUS_IFACE, method);
}

static int
echo_one(void *arg)
{
	struct echo_client *e = arg;
	const unsigned char *p = e->buf, *back;
	DBusMessage *m = call_new("Echo"), *r = NULL;
	int n = 0;

	if (m != NULL && dbus_message_append_args(m, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE, &p,
	    (int)sizeof(e->buf), DBUS_TYPE_INVALID))
		r = dbus_connection_send_with_reply_and_block(e->c, m, CALL_MS, NULL);
	if (r != NULL && !dbus_message_get_args(r, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE, &back,
	    &n, DBUS_TYPE_INVALID))
		n = 0;
	if (m != NULL)
		dbus_message_unref(m);
	if (r != NULL)
		dbus_message_unref(r);
	return n == (int)sizeof(e->buf) ? 0 : -1;
}

static void
echo_server_quit(pid_t server)
{
	DBusConnection *c = bus_connect();
	DBusMessage *m = call_new("Quit");

	if (c != NULL && m != NULL) {
		dbus_message_set_no_reply(m, TRUE);
		(void)dbus_connection_send(c, m, NULL);
		dbus_connection_flush(c);
	}
	if (m != NULL)
		dbus_message_unref(m);
	bus_close(c);
	if (bench_wait(server) != 0)
		fprintf(stderr, "bench: the D-Bus echo server failed\n");
}

/* ----- the benchmarks --------------------------------------------------------- */

void
bench_dbus_rpc(struct bench *b, const char *tag)
{
	struct echo_client e;
	char key[BENCH_KEY_MAX], base[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];
	pid_t server;

	snprintf(key, sizeof(key), "rpc.dbus.%s", tag);
	snprintf(base, sizeof(base), "rpc.relay.%s", tag);
	snprintf(what, sizeof(what), "1 KiB method call and reply through dbus-daemon (%s)", tag);
	if (daemon_pid <= 0) {
		bench_skip(b, "rpc", what, daemon_why);
		return;
	}
	server = echo_server_start();
	if (server < 0 || echo_client_setup(&e) != 0) {
		bench_fail(b, "rpc", what, "could not start the D-Bus server");
		bench_kill(server);
		return;
	}
	bench_rtt(b, key, what, base, echo_one, &e, bench_rtt_procs_for(tag, server, daemon_pid));
	bus_close(e.c);
	echo_server_quit(server);
}

void
bench_dbus_throughput(struct bench *b, const char *tag, const int *clients, int n)
{
	struct echo_client e;
	pid_t server;
	int i;

	if (daemon_pid <= 0 || (server = echo_server_start()) < 0) {
		bench_skip(b, "tput", "D-Bus throughput", daemon_pid <= 0 ? daemon_why :
		    "could not start the D-Bus server");
		return;
	}
	memset(&e, 0, sizeof(e));
	for (i = 0; i < n; i++) {
		char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];

		snprintf(key, sizeof(key), "tput.dbus.%s.%d", tag, clients[i]);
		snprintf(what, sizeof(what), "%d client%s -> 1 server, 1 KiB method calls via "
		    "dbus-daemon (%s)", clients[i], clients[i] > 1 ? "s" : "", tag);
		bench_clients(b, key, what, NULL, clients[i], bench_tput_iters(b, clients[i]),
		    echo_client_setup, echo_one, &e);
	}
	echo_server_quit(server);
}

/* ----- a memfd as a unix fd ------------------------------------------------ */

struct fd_sender {
	struct bench_gate gate;
	uint64_t          size;
};

/* Timed from here: give up our mapping, seal, send (as bench_baseline.c). */
static int
send_fd(DBusConnection *c, int fd, void *map, uint64_t size)
{
	DBusMessage *m = call_new("Fd");
	dbus_uint64_t t0;
	int ok;

	if (m == NULL)
		return -1;
	dbus_message_set_no_reply(m, TRUE);
	t0 = bench_ns();
	ok = munmap(map, size) == 0 && fcntl(fd, F_ADD_SEALS, MEMFD_SEALS_REQUIRED) == 0 &&
	    dbus_message_append_args(m, DBUS_TYPE_UNIX_FD, &fd, DBUS_TYPE_UINT64, &t0,
	    DBUS_TYPE_INVALID) && dbus_connection_send(c, m, NULL);
	dbus_connection_flush(c);
	dbus_message_unref(m);
	return ok ? 0 : -1;
}

static int
fd_sender_child(void *arg)
{
	struct fd_sender *s = arg;
	DBusConnection *c = bus_connect();

	if (c == NULL || !dbus_connection_can_send_type(c, DBUS_TYPE_UNIX_FD))
		return 1;
	while (bench_gate_take(&s->gate) == 'g') {
		void *map = NULL;
		int fd = bench_memfd_filled(s->size, &map);

		if (fd < 0 || send_fd(c, fd, map, s->size) != 0)
			return 1;
		close(fd);
	}
	bus_close(c);
	return 0;
}

/* One Fd call: seconds from the sender's start to the region mapped. */
static double
receive_fd(DBusConnection *c, uint64_t size)
{
	DBusMessage *m = bus_next_call(c);
	dbus_uint64_t t0;
	double dt = -1;
	int fd = -1;
	void *p;

	if (m == NULL || !dbus_message_get_args(m, NULL, DBUS_TYPE_UNIX_FD, &fd, DBUS_TYPE_UINT64,
	    &t0, DBUS_TYPE_INVALID))
		goto out;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		dt = (double)(bench_ns() - t0) / 1e9;
		munmap(p, size);
	}
out:
	if (fd >= 0)
		close(fd);
	if (m != NULL)
		dbus_message_unref(m);
	return dt;
}

static void
dbus_fd_transfer(struct bench *b, DBusConnection *c, uint64_t size)
{
	struct fd_sender s = { .size = size };
	int i, iters = bench_ool_iters(b, size);
	double gbps[BENCH_OOL_ITERS_MAX];
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];
	pid_t pid = -1;

	bench_ool_names(size, "dbus", key, what, "sealed memfd as a unix fd through dbus-daemon");
	if (bench_gate_open(&s.gate) != 0) {
		bench_fail(b, "ool", what, "pipe failed");
		return;
	}
	pid = bench_fork(fd_sender_child, &s);
	for (i = 0; pid > 0 && i < iters; i++) {
		double dt;

		if (bench_gate_post(&s.gate, 1, 'g') != 0 || (dt = receive_fd(c, size)) <= 0)
			break;
		gbps[i] = (double)size / dt / 1e9;
	}
	(void)bench_gate_post(&s.gate, 1, 'q');
	if (pid < 0 || bench_wait(pid) != 0 || i < iters)
		bench_fail(b, "ool", what, "the transfer failed");
	else
		bench_record(b, key, "ool", what, BU_GBPS, gbps, iters, bench_ool_key(size, "memcpy"));
	bench_gate_close(&s.gate);
}

void
bench_dbus_ool(struct bench *b, const uint64_t *sizes, int nsizes)
{
	DBusConnection *c = NULL;
	int i;

	if (daemon_pid <= 0 || (c = bus_connect()) == NULL || bus_own(c, BUS_NAME) != 0) {
		bench_skip(b, "ool", "memfd through D-Bus", daemon_pid <= 0 ? daemon_why :
		    "could not own the bus name");
		bus_close(c);
		return;
	}
	for (i = 0; i < nsizes; i++)
		dbus_fd_transfer(b, c, sizes[i]);
	bus_close(c);
}

#else /* !HAVE_DBUS */

static const char no_libdbus[] = "libdbus-1-dev not installed";

int
bench_dbus_start(void)
{
	printf("dbus: built without libdbus (libdbus-1-dev not installed); "
	    "the D-Bus rows are skipped\n");
	return -1;
}

void
bench_dbus_stop(void)
{
}

int
bench_dbus_pin(int cpu)
{
	return 0;
}

void
bench_dbus_rpc(struct bench *b, const char *tag)
{
	bench_skip(b, "rpc", "D-Bus round trip", no_libdbus);
}

void
bench_dbus_throughput(struct bench *b, const char *tag, const int *clients, int n)
{
	bench_skip(b, "tput", "D-Bus throughput", no_libdbus);
}

void
bench_dbus_ool(struct bench *b, const uint64_t *sizes, int nsizes)
{
	bench_skip(b, "ool", "memfd through D-Bus", no_libdbus);
}

#endif /* HAVE_DBUS */
