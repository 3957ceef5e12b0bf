/*
 * xferd.c -- machxfer's demonstration service: stores, echoes and hands
 * over data and rights (the routines of <xfer/xfer.h>).  Started by
 * launchd from plist/com.machxfer.xferd.plist; it takes its service port
 * with bootstrap_check_in, puts it and its notification port in a port
 * set, and serves the set from several threads, so that no one client
 * can hold up the others.
 *
 *   xferd [--state-dir DIR] [--threads N] [--max-client-bytes N] [--service NAME]
 *
 * DIR may start with "~/" (launchd does not expand it; xferd uses $HOME).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <xfer/xfer.h>

#include "xfer_server.h"
#include "xfer_store.h"

#define THREADS_MAX 64

struct options {
	const char *state_dir;
	const char *service;
	unsigned    threads;
	uint64_t    client_limit;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: xferd [--state-dir DIR] [--threads N] [--max-client-bytes N] [--service NAME]\n"
	    "  --state-dir DIR         keep stored data in DIR, durable before each reply\n"
	    "  --threads N             worker threads (default 4)\n"
	    "  --max-client-bytes N    bytes one client may store (default 4 GiB)\n"
	    "  --service NAME          the MachService to check in (default %s)\n"
	    "xferd is started by launchd: launchctl bootstrap gui/$UID plist/com.machxfer.xferd.plist\n",
	    XFER_SERVICE_NAME);
	exit(2);
}

static uint64_t
number(const char *opt, const char *text, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (*text == '\0' || *text == '-' || *end != '\0' || errno != 0 || n < min || n > max) {
		fprintf(stderr, "xferd: %s: expected %llu..%llu, got %s\n", opt,
		    (unsigned long long)min, (unsigned long long)max, text);
		exit(2);
	}
	return n;
}

static void
parse(int argc, char **argv, struct options *o)
{
	int i;

	o->service = XFER_SERVICE_NAME;
	o->threads = 4;
	o->client_limit = 4ull << 30;
	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--state-dir") == 0)
			o->state_dir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--service") == 0)
			o->service = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0)
			o->threads = (unsigned)number(argv[i], argv[i + 1], 1, THREADS_MAX), i++;
		else if (i + 1 < argc && strcmp(argv[i], "--max-client-bytes") == 0)
			o->client_limit = number(argv[i], argv[i + 1], 0, UINT64_MAX), i++;
		else
			usage();
	}
}

/* "~/x" -> "$HOME/x" */
static const char *
expand_home(const char *path, char *buf, size_t size)
{
	const char *home = getenv("HOME");

	if (path == NULL || strncmp(path, "~/", 2) != 0)
		return path;
	if (home == NULL || *home == '\0') {
		fprintf(stderr, "xferd: --state-dir %s: HOME is not set\n", path);
		exit(1);
	}
	if ((size_t)snprintf(buf, size, "%s/%s", home, path + 2) >= size) {
		fprintf(stderr, "xferd: --state-dir %s: path too long\n", path);
		exit(1);
	}
	return buf;
}

static void *
worker(void *arg)
{
	mach_port_t set = (mach_port_t)(uintptr_t)arg;
	union {
		mach_msg_header_t head;
		uint8_t bytes[XFER_SERVER_RCV_SIZE];
	} *buf = malloc(sizeof(*buf));
	mach_msg_return_t mr;

	if (buf == NULL) {
		fprintf(stderr, "xferd: worker: out of memory\n");
		exit(1);
	}
	for (;;) {
		/* No MACH_RCV_LARGE: a request larger than any routine's is
		 * destroyed by the kernel, never a reason to grow. */
		mr = mach_msg(&buf->head, MACH_RCV_MSG | MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
		    MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 0, sizeof(*buf), set,
		    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		if (mr == MACH_MSG_SUCCESS || (mr & ~MACH_MSG_MASK) == MACH_RCV_BODY_ERROR) {
			xfer_server_handle(&buf->head);
		} else if (mr == MACH_RCV_TOO_LARGE) {
			fprintf(stderr, "xferd: a request larger than %zu bytes was destroyed\n",
			    sizeof(*buf));
		} else {
			fprintf(stderr, "xferd: mach_msg receive: %s\n", mach_error_string(mr));
			exit(1);
		}
	}
	return NULL;
}

/* The service port from launchd, and a notification port, in one set. */
static mach_port_t
ports_setup(const char *service)
{
	mach_port_t port = MACH_PORT_NULL, notify = MACH_PORT_NULL, set = MACH_PORT_NULL;
	kern_return_t kr;

	kr = bootstrap_check_in(bootstrap_port, service, &port);
	if (kr != KERN_SUCCESS) {
		fprintf(stderr, "xferd: bootstrap_check_in(%s): %s (%d); xferd runs under launchd: "
		    "launchctl bootstrap gui/$UID plist/com.machxfer.xferd.plist\n", service,
		    bootstrap_strerror(kr), kr);
		exit(1);
	}
	if ((kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set)) != KERN_SUCCESS ||
	    (kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &notify)) != KERN_SUCCESS ||
	    (kr = mach_port_move_member(mach_task_self(), port, set)) != KERN_SUCCESS ||
	    (kr = mach_port_move_member(mach_task_self(), notify, set)) != KERN_SUCCESS) {
		fprintf(stderr, "xferd: port set: %s\n", mach_error_string(kr));
		exit(1);
	}
	xfer_server_init(notify);
	return set;
}

int
main(int argc, char **argv)
{
	struct options o;
	char dirbuf[PATH_MAX];
	const char *dir;
	pthread_t tid;
	mach_port_t set;
	unsigned i;

	memset(&o, 0, sizeof(o));
	parse(argc, argv, &o);
	dir = expand_home(o.state_dir, dirbuf, sizeof(dirbuf));
	if (xfer_store_open(dir, o.client_limit) < 0) {
		fprintf(stderr, "xferd: state directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	set = ports_setup(o.service);
	fprintf(stderr, "xferd: serving %s with %u threads; %zu keys%s%s\n", o.service, o.threads,
	    xfer_store_count(), dir ? " from " : "", dir ? dir : "");
	for (i = 1; i < o.threads; i++) {
		if (pthread_create(&tid, NULL, worker, (void *)(uintptr_t)set) != 0) {
			fprintf(stderr, "xferd: cannot start thread %u\n", i);
			return 1;
		}
		pthread_detach(tid);
	}
	worker((void *)(uintptr_t)set);
	return 0;
}
