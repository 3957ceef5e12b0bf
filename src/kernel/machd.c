/*
 * machd.c -- the Mach IPC kernel daemon: parse arguments, pick the socket
 * path, serve.
 *
 *   machd [--socket PATH] [--trace] [--max-names N] [--max-queued-bytes N]
 *         [--launchd PROG [ARGS...]]
 *
 * Socket path: --socket, else $MACHD_SOCKET, else
 * $XDG_RUNTIME_DIR/machd.sock, else /tmp/machd-$UID.sock.
 * --launchd starts PROG as the init task: the one task allowed to set the
 * bootstrap port every later task without a parent task inherits.
 */
#include <limits.h>
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
	    "             [--launchd PROG [ARGS...]]\n"
	    "  --socket PATH   listen on PATH (default: $MACHD_SOCKET, else\n"
	    "                  $XDG_RUNTIME_DIR/machd.sock, else /tmp/machd-$UID.sock)\n"
	    "  --trace         print the path of every message through the kernel\n"
	    "                  (also MACHD_TRACE=1)\n"
	    "  --max-names N   names per task (default %u, as macOS)\n"
	    "  --max-queued-bytes N\n"
	    "                  message bytes one task may have queued in the kernel\n"
	    "                  (default 256 MiB; beyond it: MACH_SEND_NO_BUFFER)\n"
	    "  --launchd PROG  start PROG as the init task, which may set the default\n"
	    "                  bootstrap port of every later task\n",
	    IPC_SPACE_NAMES_DEFAULT);
	exit(2);
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
		} else if (strcmp(argv[i], "--max-names") == 0 && i + 1 < argc) {
			char *end;
			unsigned long n = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || n < 16 || n > 0xffffffu) {
				fprintf(stderr, "machd: --max-names: expected 16..16777215, got %s\n", argv[i]);
				return 2;
			}
			ipc_space_names_max = (uint32_t)n;
		} else if (strcmp(argv[i], "--max-queued-bytes") == 0 && i + 1 < argc) {
			char *end;
			unsigned long long n = strtoull(argv[++i], &end, 10);
			if (*end != '\0' || n < 65536) {
				fprintf(stderr, "machd: --max-queued-bytes: expected at least 65536, got %s\n",
				    argv[i]);
				return 2;
			}
			ipc_ledger_limit = n;
		} else if (strcmp(argv[i], "--launchd") == 0 && i + 1 < argc) {
			config.init_argv = &argv[i + 1];
			break;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage();
		} else if (i + 1 == argc && (strcmp(argv[i], "--socket") == 0 ||
		    strcmp(argv[i], "--max-names") == 0 || strcmp(argv[i], "--max-queued-bytes") == 0 ||
		    strcmp(argv[i], "--launchd") == 0)) {
			fprintf(stderr, "machd: %s needs a value\n", argv[i]);
			usage();
		} else {
			fprintf(stderr, "machd: unknown argument: %s\n", argv[i]);
			usage();
		}
	}
	if (config.socket_path == NULL)
		config.socket_path = default_socket_path(pathbuf, sizeof(pathbuf));
	return machd_serve(&config);
}
