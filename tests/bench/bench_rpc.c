/*
 * bench_rpc.c -- a 1 KiB request and a 1 KiB reply through machd: the
 * client sends with a send-once reply right and receives in the same
 * mach_msg (SEND|RCV), the server replies and receives the next request
 * in one mach_msg as well (the mach_msg_server pattern).  That is four
 * datagrams per round trip, the same number as the raw relay baseline.
 */
#include <string.h>

#include <mach/mach.h>

#include "bench.h"

#define RPC_SIZE    ((mach_msg_size_t)(sizeof(mach_msg_header_t) + BENCH_RPC_BYTES))

int
bench_mach_server(mach_port_t own, void *arg)
{
	struct bench_rpc_msg m;
	mach_msg_return_t mr;

	memset(&m, 0, sizeof(m));
	mr = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof(m), own, 0, MACH_PORT_NULL);
	while (mr == MACH_MSG_SUCCESS && m.h.msgh_id != BENCH_QUIT_ID) {
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_size = RPC_SIZE;
		m.h.msgh_id += 100;
		mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, RPC_SIZE, sizeof(m), own, 0,
		    MACH_PORT_NULL);
	}
	return mr == MACH_MSG_SUCCESS ? 0 : 1;
}

int
bench_mach_client_setup(void *client)
{
	struct bench_mach_client *c = client;

	if (c->server == MACH_PORT_NULL)
		c->server = bootstrap_port;
	c->reply = bench_port();
	memset(c->m.body, 0x5a, sizeof(c->m.body));
	return c->reply == MACH_PORT_NULL ? -1 : 0;
}

int
bench_mach_rpc_one(void *client)
{
	struct bench_mach_client *c = client;
	mach_msg_return_t mr;

	c->m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	c->m.h.msgh_remote_port = c->server;
	c->m.h.msgh_local_port = c->reply;
	c->m.h.msgh_voucher_port = MACH_PORT_NULL;
	c->m.h.msgh_id = 1;
	mr = mach_msg(&c->m.h, MACH_SEND_MSG | MACH_RCV_MSG, RPC_SIZE, sizeof(c->m), c->reply, 0,
	    MACH_PORT_NULL);
	return mr == MACH_MSG_SUCCESS && c->m.h.msgh_size == RPC_SIZE ? 0 : -1;
}

void
bench_mach_quit(mach_port_t server)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = server;
	h.msgh_id = BENCH_QUIT_ID;
	(void)mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(h), 0, MACH_PORT_NULL, 1000,
	    MACH_PORT_NULL);
}

void
bench_rpc(struct bench *b, const char *tag)
{
	struct bench_mach_client c;
	char key[BENCH_KEY_MAX], base[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];
	pid_t server;

	snprintf(key, sizeof(key), "rpc.machd.%s", tag);
	snprintf(base, sizeof(base), "rpc.relay.%s", tag);
	snprintf(what, sizeof(what), "1 KiB round trip, mach_msg SEND|RCV through machd (%s)", tag);
	memset(&c, 0, sizeof(c));
	server = bench_fork_server(bench_mach_server, NULL, &c.server);
	if (server < 0 || bench_mach_client_setup(&c) != 0) {
		bench_fail(b, "rpc", what, "could not start the server");
		bench_kill(server);
		return;
	}
	bench_rtt(b, key, what, base, bench_mach_rpc_one, &c,
	    bench_rtt_procs_for(tag, server, bench_machd_pid()));
	bench_mach_quit(c.server);
	if (bench_wait(server) != 0)
		fprintf(stderr, "bench: the machd RPC server failed\n");
	(void)mach_port_deallocate(mach_task_self(), c.server);
	bench_port_free(c.reply);
}
