/*
 * bench_mach.c -- Mach plumbing for the benchmarks: ports, and children
 * that find each other the Mach way, through an inherited bootstrap port
 * (see bench.h).
 */
#include <stdio.h>
#include <string.h>

#include <mach/mach.h>

#include "bench.h"
#include "machd_harness.h"

#define HELLO_ID        0x6265   /* "be" */
#define HELLO_WAIT_MS   10000

mach_port_t
bench_port(void)
{
	mach_port_limits_t limits = { MACH_PORT_QLIMIT_MAX };
	mach_port_t p = MACH_PORT_NULL;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_set_attributes(mach_task_self(), p, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&limits, MACH_PORT_LIMITS_INFO_COUNT) != KERN_SUCCESS) {
		bench_port_free(p);
		return MACH_PORT_NULL;
	}
	return p;
}

void
bench_port_free(mach_port_t p)
{
	if (p != MACH_PORT_NULL)
		(void)mach_port_destruct(mach_task_self(), p, -1, 0);
}

pid_t
bench_fork_task(mach_port_t bp, int (*fn)(void *), void *arg)
{
	if (task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, bp) != KERN_SUCCESS)
		return -1;
	return bench_fork(fn, arg);
}

struct server_start {
	int   (*fn)(mach_port_t own, void *arg);
	void   *arg;
};

/* In the child: make our port, send a right to it home, serve. */
static int
server_child(void *arg)
{
	struct server_start *s = arg;
	mach_msg_header_t h;
	mach_port_t own = bench_port();

	if (own == MACH_PORT_NULL)
		return 1;
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	h.msgh_remote_port = bootstrap_port;
	h.msgh_local_port = own;
	h.msgh_id = HELLO_ID;
	if (mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, MACH_PORT_NULL, 0, MACH_PORT_NULL)
	    != MACH_MSG_SUCCESS)
		return 1;
	return s->fn(own, s->arg);
}

pid_t
bench_fork_server(int (*fn)(mach_port_t own, void *arg), void *arg, mach_port_t *to_child)
{
	struct server_start s = { fn, arg };
	struct { mach_msg_header_t h; mach_msg_max_trailer_t t; } m;
	mach_port_t home = bench_port();
	pid_t pid;

	*to_child = MACH_PORT_NULL;
	if (home == MACH_PORT_NULL)
		return -1;
	pid = bench_fork_task(home, server_child, &s);
	if (pid < 0)
		goto out;
	memset(&m, 0, sizeof(m));
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), home, HELLO_WAIT_MS,
	    MACH_PORT_NULL) != MACH_MSG_SUCCESS || m.h.msgh_id != HELLO_ID) {
		fprintf(stderr, "bench: server child %d did not say hello\n", (int)pid);
		bench_kill(pid);
		pid = -1;
		goto out;
	}
	*to_child = m.h.msgh_remote_port;
out:
	(void)task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL);
	bench_port_free(home);
	return pid;
}

pid_t
bench_machd_pid(void)
{
	return harness_machd_pid();
}
