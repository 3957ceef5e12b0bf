/*
 * xfer.c -- the command-line client of xferd.
 *
 *   xfer put KEY FILE|-      store a file (or stdin) under KEY
 *   xfer get KEY [FILE|-]    write KEY's bytes to FILE (default stdout)
 *   xfer echo TEXT           send TEXT and print what comes back
 *   xfer ls                  list the keys and their sizes
 *   xfer rm KEY              remove KEY
 *   xfer handoff N           queue N messages on a new port, move its
 *                            receive right to xferd, check its report
 *   xfer watch [-n COUNT]    print events from a port xferd hands over
 *
 * Exit status: 0 done; 1 the service said no (no such key, quota...);
 * 2 usage; 69 (EX_UNAVAILABLE) machd or xferd cannot be reached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <xfer/xfer.h>

#include "xfer_client.h"

#define EX_SERVICE      1
#define EX_USAGE        2
#define EX_UNAVAILABLE  69
#define PROGRESS_MIN    (8u << 20)     /* show progress from 8 MiB on, on a tty */

static const char *service_name = XFER_SERVICE_NAME;
static bool verbose;              /* -v: say what travels how, on stderr */

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("xfer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *
how(uint64_t len)
{
	return len > XFER_INLINE_MAX ? "out of line" : "inline";
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: xfer [-v] [--service NAME] COMMAND [ARGS]\n"
	    "  -v                  say how each message travels, on stderr\n"
	    "  put KEY FILE|-      store FILE (or stdin) under KEY\n"
	    "  get KEY [FILE|-]    write KEY's bytes to FILE (default: stdout)\n"
	    "  echo TEXT           send TEXT to xferd and print what comes back\n"
	    "  ls                  list keys and sizes\n"
	    "  rm KEY              remove KEY\n"
	    "  handoff N           queue N messages on a new port and move its receive right\n"
	    "                      to xferd, which drains them and reports each\n"
	    "  watch [-n COUNT]    receive events on a receive right xferd hands over\n"
	    "Data up to 1024 bytes travels inline in the message; more travels as\n"
	    "out-of-line memory. Exit status: 0 ok, 1 the service refused, 2 usage,\n"
	    "69 machd or xferd unreachable.\n");
}

static int
fail_kr(const char *what, kern_return_t kr)
{
	fprintf(stderr, "xfer: %s: %s (%#x)\n", what, mach_error_string(kr), (unsigned)kr);
	if (kr == MACH_SEND_INVALID_DEST || kr == MACH_RCV_INVALID_NAME)
		return EX_UNAVAILABLE;
	return EX_SERVICE;
}

static int
connect_or_explain(struct xfer_conn *c)
{
	kern_return_t kr = xfer_connect(c, service_name);

	if (kr == KERN_SUCCESS) {
		say("bootstrap_look_up(\"%s\") -> send right 0x%x", service_name, c->service);
		return 0;
	}
	if (kr == BOOTSTRAP_UNKNOWN_SERVICE)
		fprintf(stderr, "xfer: no service %s: load it with "
		    "launchctl bootstrap gui/$(id -u) plist/com.machxfer.xferd.plist\n", service_name);
	else
		fprintf(stderr, "xfer: cannot look up %s: %s; is machd running with launchd "
		    "(machd --launchd build/bin/launchd)?\n", service_name, bootstrap_strerror(kr));
	return EX_UNAVAILABLE;
}

/* --- progress ---------------------------------------------------------------- */

struct progress {
	const char *what;
	uint64_t    total;
	double      start;
	bool        on;
};

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
progress_start(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total;
	p->start = now();
	p->on = total >= PROGRESS_MIN && isatty(STDERR_FILENO);
}

static void
progress_show(struct progress *p, uint64_t done)
{
	int width = 30, filled;

	if (!p->on || p->total == 0)
		return;
	filled = (int)((double)width * (double)done / (double)p->total);
	fprintf(stderr, "\r%-8s [%.*s%*s] %3d%% %6.1f MiB", p->what, filled,
	    "##############################", width - filled, "", (int)(100 * done / p->total),
	    (double)done / (1 << 20));
	if (done == p->total)
		fprintf(stderr, "  %.2fs\n", now() - p->start);
}

/* --- files ------------------------------------------------------------------- */

/* Read all of `fd` into vm_allocate'd memory (memfd-backed: it goes to
 * xferd without another copy). */
static int
read_input(int fd, void **bufp, uint64_t *lenp)
{
	struct stat st;
	uint64_t cap = 1 << 20, len = 0;
	vm_address_t buf = 0;
	struct progress p;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (uint64_t)st.st_size;
	progress_start(&p, "reading", S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
	if (vm_allocate(mach_task_self(), &buf, (vm_size_t)cap, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		return -1;
	for (;;) {
		ssize_t n;
		if (len == cap) {
			vm_address_t bigger = 0;
			if (cap >= UINT32_MAX / 2 || vm_allocate(mach_task_self(), &bigger,
			    (vm_size_t)(2 * cap), VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
				goto fail;
			memcpy((void *)bigger, (void *)buf, len);
			(void)vm_deallocate(mach_task_self(), buf, (vm_size_t)cap);
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, (char *)buf + len, cap - len > (1u << 24) ? (1u << 24) : cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (uint64_t)n;
		progress_show(&p, len);
	}
	*bufp = (void *)buf;
	*lenp = len;
	return 0;
fail:
	(void)vm_deallocate(mach_task_self(), buf, (vm_size_t)cap);
	return -1;
}

static int
write_output(int fd, const void *bytes, uint64_t len)
{
	const char *b = bytes;
	uint64_t done = 0;
	struct progress p;

	progress_start(&p, "writing", len);
	while (done < len) {
		ssize_t n = write(fd, b + done, len - done > (1u << 24) ? (1u << 24) : len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (uint64_t)n;
		progress_show(&p, done);
	}
	return 0;
}

/* --- commands ---------------------------------------------------------------- */

static int
cmd_put(struct xfer_conn *c, const char *key, const char *path)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	uint64_t len = 0, stored = 0;
	void *buf = NULL;
	kern_return_t kr;
	double t;

	if (fd < 0 || read_input(fd, &buf, &len) < 0) {
		fprintf(stderr, "xfer: %s: %s\n", path, strerror(errno));
		return EX_SERVICE;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	t = now();
	/* Not moved: a request that dies with xferd is sent again. */
	kr = xfer_store(c, key, buf, len, false, &stored);
	t = now() - t;
	(void)vm_deallocate(mach_task_self(), (vm_address_t)buf, (vm_size_t)(len ? len : 1));
	if (kr != KERN_SUCCESS)
		return fail_kr(key, kr);
	if (c->retries > 0)
		say("xferd restarted during the call; the request was sent again (%u)", c->retries);
	printf("stored %s: %llu bytes %s in %.3f s\n", key, (unsigned long long)stored,
	    len > XFER_INLINE_MAX ? "out of line" : "inline", t);
	return 0;
}

static int
cmd_get(struct xfer_conn *c, const char *key, const char *path)
{
	struct xfer_data d;
	double t = now();
	kern_return_t kr = xfer_fetch(c, key, &d);
	int fd, rc = 0;

	t = now() - t;

	if (kr == XFER_E_NO_KEY) {
		fprintf(stderr, "xfer: %s: no such key\n", key);
		return EX_SERVICE;
	}
	if (kr != KERN_SUCCESS)
		return fail_kr(key, kr);
	say("fetched %s: %llu bytes %s in %.3f s", key, (unsigned long long)d.len, how(d.len), t);
	fd = path == NULL || strcmp(path, "-") == 0 ? STDOUT_FILENO
	    : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_output(fd, d.bytes, d.len) < 0) {
		fprintf(stderr, "xfer: %s: %s\n", path ? path : "stdout", strerror(errno));
		rc = EX_SERVICE;
	}
	if (fd >= 0 && fd != STDOUT_FILENO)
		close(fd);
	xfer_data_free(&d);
	return rc;
}

static int
cmd_echo(struct xfer_conn *c, const char *text)
{
	struct xfer_data d;
	kern_return_t kr = xfer_echo(c, text, strlen(text), &d);

	if (kr != KERN_SUCCESS)
		return fail_kr("echo", kr);
	say("echo: %zu bytes went %s and came back %s", strlen(text), how(strlen(text)), how(d.len));
	printf("%.*s\n", (int)d.len, (const char *)d.bytes);
	kr = d.len == strlen(text) && memcmp(d.bytes, text, d.len) == 0 ? 0 : EX_SERVICE;
	xfer_data_free(&d);
	return (int)kr;
}

static int
cmd_ls(struct xfer_conn *c)
{
	struct xfer_data d;
	kern_return_t kr = xfer_list(c, &d);

	if (kr != KERN_SUCCESS)
		return fail_kr("ls", kr);
	fwrite(d.bytes, 1, d.len, stdout);
	xfer_data_free(&d);
	return 0;
}

static int
cmd_rm(struct xfer_conn *c, const char *key)
{
	uint64_t size = 0;
	kern_return_t kr = xfer_remove(c, key, &size);

	if (kr == XFER_E_NO_KEY) {
		fprintf(stderr, "xfer: %s: no such key\n", key);
		return EX_SERVICE;
	}
	if (kr != KERN_SUCCESS)
		return fail_kr(key, kr);
	printf("removed %s (%llu bytes)\n", key, (unsigned long long)size);
	return 0;
}

/* Message i of a handoff: id 1000 + i, a body anyone can recompute. */
static void
handoff_message(mach_msg_header_t *h, char *body, size_t cap, mach_port_t port, unsigned i,
    mach_msg_size_t *sizep)
{
	int n = snprintf(body, cap, "handoff message %u of xfer pid %d", i, (int)getpid());

	memset(body + n, 0, cap - (size_t)n);
	memset(h, 0, sizeof(*h));
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h->msgh_remote_port = port;
	h->msgh_id = (mach_msg_id_t)(1000 + i);
	*sizep = (mach_msg_size_t)(sizeof(*h) + (((size_t)n + 4) & ~(size_t)3));
	h->msgh_size = *sizep;
}

static int
cmd_handoff(struct xfer_conn *c, unsigned n)
{
	struct { mach_msg_header_t h; char body[64]; } m;
	mach_port_limits_t lim = { MACH_PORT_QLIMIT_MAX };
	struct xfer_data d;
	const xfer_drained_t *r;
	mach_port_t port;
	uint64_t count = 0;
	unsigned i, bad = 0;
	kern_return_t kr;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS ||
	    mach_port_set_attributes(mach_task_self(), port, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT) != KERN_SUCCESS)
		return fail_kr("port", KERN_RESOURCE_SHORTAGE);
	for (i = 0; i < n; i++) {
		mach_msg_size_t size;
		handoff_message(&m.h, m.body, sizeof(m.body), port, i, &size);
		kr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, MACH_PORT_NULL, 0,
		    MACH_PORT_NULL);
		if (kr != KERN_SUCCESS)
			return fail_kr("queueing", kr);
	}
	printf("queued %u messages on port 0x%x; moving its receive right to xferd\n", n, port);
	kr = xfer_handoff(c, port, &count, &d);
	if (kr != KERN_SUCCESS)
		return fail_kr("handoff", kr);
	r = d.bytes;
	for (i = 0; i < count && (i + 1) * sizeof(*r) <= d.len; i++) {
		mach_msg_size_t size;
		handoff_message(&m.h, m.body, sizeof(m.body), port, i, &size);
		if (r[i].id != m.h.msgh_id || r[i].size != size ||
		    r[i].checksum != xfer_checksum(m.body, size - sizeof(m.h)))
			bad++;
	}
	printf("xferd drained %llu messages; %u of %u match what was sent, in order\n",
	    (unsigned long long)count, n - bad, n);
	xfer_data_free(&d);
	return count == n && bad == 0 ? 0 : EX_SERVICE;
}

static int
cmd_watch(struct xfer_conn *c, long count)
{
	union { xfer_event_t e; uint8_t room[sizeof(xfer_event_t) + MAX_TRAILER_SIZE]; } m;
	mach_port_t port = MACH_PORT_NULL;
	kern_return_t kr = xfer_subscribe(c, &port);
	long seen = 0;

	if (kr != KERN_SUCCESS)
		return fail_kr("subscribe", kr);
	printf("watching: xferd handed over receive right 0x%x\n", port);
	fflush(stdout);
	while (count < 0 || seen < count) {
		kr = mach_msg(&m.e.head, MACH_RCV_MSG, 0, sizeof(m), port, MACH_MSG_TIMEOUT_NONE,
		    MACH_PORT_NULL);
		if (kr != KERN_SUCCESS)
			return fail_kr("receive", kr);
		if (m.e.head.msgh_id != XFER_ID_EVENT || m.e.key_len >= XFER_KEY_MAX) {
			mach_msg_destroy(&m.e.head);
			continue;
		}
		if (m.e.kind == XFER_EVENT_HELLO)
			printf("subscribed\n");
		else
			printf("%s %.*s %llu\n", m.e.kind == XFER_EVENT_STORE ? "store" : "remove",
			    (int)m.e.key_len, m.e.key, (unsigned long long)m.e.size);
		fflush(stdout);
		if (m.e.kind != XFER_EVENT_HELLO)
			seen++;
	}
	return 0;
}

static int
run(struct xfer_conn *c, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "put") == 0 && argc == 3)
		return cmd_put(c, argv[1], argv[2]);
	if (strcmp(cmd, "get") == 0 && (argc == 2 || argc == 3))
		return cmd_get(c, argv[1], argc == 3 ? argv[2] : NULL);
	if (strcmp(cmd, "echo") == 0 && argc == 2)
		return cmd_echo(c, argv[1]);
	if (strcmp(cmd, "ls") == 0 && argc == 1)
		return cmd_ls(c);
	if (strcmp(cmd, "rm") == 0 && argc == 2)
		return cmd_rm(c, argv[1]);
	if (strcmp(cmd, "handoff") == 0 && argc == 2 && atoi(argv[1]) > 0 && atoi(argv[1]) <= 1024)
		return cmd_handoff(c, (unsigned)atoi(argv[1]));
	if (strcmp(cmd, "watch") == 0 && argc == 1)
		return cmd_watch(c, -1);
	if (strcmp(cmd, "watch") == 0 && argc == 3 && strcmp(argv[1], "-n") == 0 && atol(argv[2]) > 0)
		return cmd_watch(c, atol(argv[2]));
	usage(stderr);
	return EX_USAGE;
}

int
main(int argc, char **argv)
{
	struct xfer_conn c;
	int rc, i = 1;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = true;
		i++;
	}
	if (i + 1 < argc && strcmp(argv[i], "--service") == 0) {
		service_name = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[i], "put") != 0 && strcmp(argv[i], "get") != 0 &&
	    strcmp(argv[i], "echo") != 0 && strcmp(argv[i], "ls") != 0 &&
	    strcmp(argv[i], "rm") != 0 && strcmp(argv[i], "handoff") != 0 &&
	    strcmp(argv[i], "watch") != 0) {
		fprintf(stderr, "xfer: unknown command %s\n", argv[i]);
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = connect_or_explain(&c)) != 0)
		return rc;
	rc = run(&c, argc - i, argv + i);
	xfer_disconnect(&c);
	return rc;
}
