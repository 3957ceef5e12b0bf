/*
 * bench_throughput.c -- messages per second with 1, 2, 4 and 8 client
 * processes against one single-threaded server, through machd and through
 * D-Bus (bench_dbus.c).  Each client does 1 KiB round trips back to back;
 * the rate is all round trips over the time from the common start to the
 * last client's end.
 */
#include <string.h>

#include <mach/mach.h>

#include "bench.h"

static const int client_counts[] = { 1, 2, 4, 8 };
#define NCOUNTS ((int)(sizeof(client_counts) / sizeof(client_counts[0])))

int
bench_tput_iters(const struct bench *b, int clients)
{
	return bench_iters(b, 8000) / clients > 2 ? bench_iters(b, 8000) / clients : 2;
}

static void
machd_throughput(struct bench *b, const char *tag)
{
	struct bench_mach_client c;
	mach_port_t server_port;
	pid_t server;
	int i;

	memset(&c, 0, sizeof(c));     /* server NULL: the clients use bootstrap_port */
	server = bench_fork_server(bench_mach_server, NULL, &server_port);
	if (server < 0) {
		bench_fail(b, "tput", "machd throughput", "could not start the server");
		return;
	}
	(void)task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, server_port);
	for (i = 0; i < NCOUNTS; i++) {
		char key[BENCH_KEY_MAX], base[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];

		snprintf(key, sizeof(key), "tput.machd.%s.%d", tag, client_counts[i]);
		snprintf(base, sizeof(base), "tput.dbus.%s.%d", tag, client_counts[i]);
		snprintf(what, sizeof(what), "%d client%s -> 1 server, 1 KiB RPCs through machd (%s)",
		    client_counts[i], client_counts[i] > 1 ? "s" : "", tag);
		bench_clients(b, key, what, base, client_counts[i],
		    bench_tput_iters(b, client_counts[i]), bench_mach_client_setup, bench_mach_rpc_one, &c);
	}
	(void)task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL);
	bench_mach_quit(server_port);
	(void)bench_wait(server);
	(void)mach_port_deallocate(mach_task_self(), server_port);
}

void
bench_throughput(struct bench *b, const char *tag)
{
	char text[BENCH_TEXT_MAX], key[BENCH_KEY_MAX], base[BENCH_KEY_MAX];
	int counts[NCOUNTS], i;

	for (i = 0; i < NCOUNTS; i++)
		counts[i] = client_counts[i];
	bench_dbus_throughput(b, tag, counts, NCOUNTS);
	machd_throughput(b, tag);
	snprintf(text, sizeof(text), "Throughput, 4 clients (%s): >= 2x D-Bus", tag);
	snprintf(key, sizeof(key), "tput.machd.%s.4", tag);
	snprintf(base, sizeof(base), "tput.dbus.%s.4", tag);
	bench_target_ratio(b, text, key, base, 2.0, false);
}
