/*
 * machd.c -- the Mach IPC kernel daemon: parse arguments, pick the socket
 * path, serve.
 *
 *   machd [--socket PATH] [--trace] [--max-names N] [--max-queued-bytes N]
 *         [--max-ool-fds N] [--max-ool-bytes N] [--spin-us N]
 *         [--launchd PROG [ARGS...]]
 *
 * Socket path: --socket, else $MACHD_SOCKET, else
 * $XDG_RUNTIME_DIR/machd.sock, else /tmp/machd-$UID.sock.
 * --launchd starts PROG as the init task: the one task allowed to set the
 * bootstrap port every later task without a parent task inherits.
 */
#include <limits.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machd_server.h"
#include "ipc_space.h"
#include "ipc_kmsg.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: machd [--socket PATH] [--trace] [--max-names N] [--max-queued-bytes N]\n"
	    "             [--max-ool-fds N] [--max-ool-bytes N] [--spin-us N]\n"
	    "             [--launchd PROG [ARGS...]]\n"
	    "  --socket PATH   listen on PATH (default: $MACHD_SOCKET, else\n"
	    "                  $XDG_RUNTIME_DIR/machd.sock, else /tmp/machd-$UID.sock)\n"
	    "  --trace         print the path of every message through the kernel\n"
	    "                  (also MACHD_TRACE=1)\n"
	    "  --max-names N   names per task (default %u, as macOS)\n"
	    "  --max-queued-bytes N\n"
	    "                  message bytes one task may have queued in the kernel\n"
	    "                  (default 256 MiB; beyond it: MACH_SEND_NO_BUFFER)\n"
	    "  --max-ool-fds N out-of-line regions one task may have queued (default:\n"
	    "                  an eighth of machd's fd limit; beyond: MACH_SEND_NO_BUFFER)\n"
	    "  --max-ool-bytes N\n"
	    "                  out-of-line bytes one task may have queued (default 8 GiB;\n"
	    "                  beyond: MACH_SEND_NO_BUFFER)\n"
	    "  --spin-us N     with more than one CPU, poll this long for work before\n"
	    "                  sleeping (default %u; 0: never)\n"
	    "  --launchd PROG  start PROG as the init task, which may set the default\n"
	    "                  bootstrap port of every later task\n",
	    IPC_SPACE_NAMES_DEFAULT, MACHD_SPIN_US_DEFAULT);
	exit(2);
}

/* The numeric options: name, bounds, and where the value goes. */
struct number_option {
	const char *name;
	uint64_t    min, max;
	const char *expected;
	uint64_t   *value;
};

static uint64_t max_names_option;

static struct number_option number_options[] = {
	{ "--max-names", 16, 0xffffff, "16..16777215", &max_names_option },
	{ "--max-queued-bytes", 65536, UINT64_MAX, "at least 65536", &ipc_ledger_limit },
	{ "--max-ool-fds", 1, UINT32_MAX, "1..4294967295", &ipc_ledger_fd_limit },
	{ "--max-ool-bytes", 4096, UINT64_MAX, "at least 4096", &ipc_ledger_ool_limit },
	{ "--spin-us", 0, 1000000, "0..1000000", &machd_spin_us },
};

/* argv[i] is a numeric option: parse argv[i + 1]; exits on a bad value. */
static struct number_option *
number_option_find(const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(number_options) / sizeof(number_options[0]); i++)
		if (strcmp(arg, number_options[i].name) == 0)
			return &number_options[i];
	return NULL;
}

static void
number_option_parse(const struct number_option *o, const char *text)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (*text == '\0' || *text == '-' || *end != '\0' || errno != 0 || n < o->min || n > o->max) {
		fprintf(stderr, "machd: %s: expected %s, got %s\n", o->name, o->expected, text);
		exit(2);
	}
	*o->value = n;
}

static const char *
default_socket_path(char *buf, size_t size)
{
	const char *env = getenv("MACHD_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (env != NULL && *env != '\0')
		return env;
	if (xdg != NULL && *xdg != '\0')
		snprintf(buf, size, "%s/machd.sock", xdg);
	else
		snprintf(buf, size, "/tmp/machd-%u.sock", (unsigned)getuid());
	return buf;
}

int
main(int argc, char **argv)
{
	struct machd_config config;
	char pathbuf[PATH_MAX];
	const char *trace = getenv("MACHD_TRACE");
	int i;

	memset(&config, 0, sizeof(config));
	config.trace = trace != NULL && strcmp(trace, "0") != 0 && *trace != '\0';
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			config.socket_path = argv[++i];
		} else if (strcmp(argv[i], "--trace") == 0) {
			config.trace = true;
		} else if (number_option_find(argv[i]) != NULL && i + 1 < argc) {
			struct number_option *o = number_option_find(argv[i]);
			number_option_parse(o, argv[++i]);
			if (o->value == &ipc_ledger_fd_limit)
				config.ool_fds_set = true;
		} else if (strcmp(argv[i], "--launchd") == 0 && i + 1 < argc) {
			config.init_argv = &argv[i + 1];
			break;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage();
		} else if (i + 1 == argc && (strcmp(argv[i], "--socket") == 0 ||
		    number_option_find(argv[i]) != NULL || strcmp(argv[i], "--launchd") == 0)) {
			fprintf(stderr, "machd: %s needs a value\n", argv[i]);
			usage();
		} else {
			fprintf(stderr, "machd: unknown argument: %s\n", argv[i]);
			usage();
		}
	}
	if (max_names_option != 0)
		ipc_space_names_max = (uint32_t)max_names_option;
	if (config.socket_path == NULL)
		config.socket_path = default_socket_path(pathbuf, sizeof(pathbuf));
	return machd_serve(&config);
}
