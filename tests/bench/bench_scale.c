/*
 * bench_scale.c -- does machd stay O(1) and small as a space grows, and
 * does it give back what dead tasks held?
 *
 *   scale.alloc.<L> / scale.dealloc.<L>
 *       time per mach_port_allocate(RECEIVE) / mach_port_mod_refs(RECEIVE,
 *       -1) while L ports are alive in this one task (1k, 100k, 1M); each
 *       repetition allocates and then frees a window of ports at that level
 *   scale.mem.port
 *       machd's VmRSS growth per live port, from 1k live ports to the most
 *   scale.task / scale.task.rss
 *       time per short-lived task (fork, connect, a port and a queued
 *       message, exit, reaped), and machd's VmRSS after 10,000 of them
 *       against before (their deaths fully processed: the task count back)
 *
 * Every port operation is one round trip to machd, so the times carry the
 * channel's latency; main() pins this process and machd to one CPU here.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mach/mach.h>

#include "bench.h"
#include "libmach_private.h"

#define TASK_SETTLE_MS  20000

static int
ports_alloc(mach_port_t *names, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &names[i])
		    != KERN_SUCCESS)
			return -1;
	return 0;
}

static int
ports_free(const mach_port_t *names, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (mach_port_mod_refs(mach_task_self(), names[i], MACH_PORT_RIGHT_RECEIVE, -1)
		    != KERN_SUCCESS)
			return -1;
	return 0;
}

static const char *
count_label(int n, char *buf, size_t len)
{
	if (n >= 1000000)
		snprintf(buf, len, "%dM", n / 1000000);
	else if (n >= 1000)
		snprintf(buf, len, "%dk", n / 1000);
	else
		snprintf(buf, len, "%d", n);
	return buf;
}

/* At `live` ports: reps x (allocate a window, free it), timed per op. */
static int
ports_at_level(struct bench *b, mach_port_t *names, int live, int window, const char *base)
{
	double alloc_ns[16], free_ns[16];
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX], label[16], bkey[BENCH_KEY_MAX];
	int r, reps = b->reps < 16 ? b->reps : 16;

	for (r = 0; r < reps; r++) {
		uint64_t t0 = bench_ns(), t1;

		if (ports_alloc(names, live, live + window) != 0)
			return -1;
		t1 = bench_ns();
		if (ports_free(names, live, live + window) != 0)
			return -1;
		alloc_ns[r] = (double)(t1 - t0) / window;
		free_ns[r] = (double)(bench_ns() - t1) / window;
	}
	count_label(live, label, sizeof(label));
	snprintf(key, sizeof(key), "scale.alloc.%s", label);
	snprintf(what, sizeof(what), "mach_port_allocate(RECEIVE) at %s live ports", label);
	snprintf(bkey, sizeof(bkey), "scale.alloc.%s", base);
	bench_record(b, key, "scale", what, BU_NSEC, alloc_ns, reps, strcmp(key, bkey) ? bkey : NULL);
	snprintf(key, sizeof(key), "scale.dealloc.%s", label);
	snprintf(what, sizeof(what), "mach_port_mod_refs(RECEIVE, -1) at %s live ports", label);
	snprintf(bkey, sizeof(bkey), "scale.dealloc.%s", base);
	bench_record(b, key, "scale", what, BU_NSEC, free_ns, reps, strcmp(key, bkey) ? bkey : NULL);
	return 0;
}

static void
ports_scale(struct bench *b)
{
	static const int full[] = { 1000, 100000, 1000000 }, smoke[] = { 100, 1000 };
	const int *levels = b->smoke ? smoke : full;
	int nlevels = b->smoke ? 2 : 3, window = b->smoke ? 100 : 1000, i, live = 0;
	int top = levels[nlevels - 1];
	mach_port_t *names = calloc((size_t)(top + window), sizeof(mach_port_t));
	long rss_first = 0, rss_top = 0;
	double per_port;
	char base[16];

	count_label(levels[0], base, sizeof(base));
	if (names == NULL)
		goto fail;
	for (i = 0; i < nlevels; i++) {
		if (ports_alloc(names, live, levels[i]) != 0)
			goto fail;
		live = levels[i];
		if (i == 0)
			rss_first = bench_rss_kib(bench_machd_pid());
		if (ports_at_level(b, names, live, window, base) != 0)
			goto fail;
	}
	rss_top = bench_rss_kib(bench_machd_pid());
	if (ports_free(names, 0, live) != 0)
		goto fail;
	per_port = (double)(rss_top - rss_first) * 1024.0 / (double)(top - levels[0]);
	bench_record(b, "scale.mem.port", "scale", "machd memory per live port (VmRSS growth)",
	    BU_BYTES, &per_port, 1, NULL);
	free(names);
	return;
fail:
	bench_fail(b, "scale", "ports in one task", "a port operation failed");
	free(names);
}

/* ----- tasks that come and go ----------------------------------------------- */

/* A task that takes a port, queues a message to itself and dies holding it. */
static int
short_task(void *arg)
{
	mach_msg_header_t h;
	mach_port_t p = bench_port();

	if (p == MACH_PORT_NULL)
		return 1;
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = p;
	return mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, MACH_PORT_NULL, 0, MACH_PORT_NULL)
	    == MACH_MSG_SUCCESS ? 0 : 1;
}

static int
run_tasks(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		pid_t pid = bench_fork(short_task, NULL);

		if (pid < 0 || bench_wait(pid) != 0)
			return -1;
	}
	return 0;
}

/* Poll machd's counts until ports, kmsgs and tasks are back at `want`. */
static bool
counts_settle(const uint64_t want[6], uint64_t got[6])
{
	int i;

	for (i = 0; i < TASK_SETTLE_MS / 10; i++) {
		if (libmach_stats(got) == KERN_SUCCESS && got[0] == want[0] && got[1] == want[1] &&
		    got[2] == want[2])
			return true;
		usleep(10000);
	}
	return false;
}

static void
tasks_scale(struct bench *b)
{
	int n = b->smoke ? 20 : 10000;
	uint64_t before[6], after[6], t0;
	long rss0, rss1;
	double ms, delta;
	char detail[BENCH_TEXT_MAX], text[BENCH_TEXT_MAX];
	bool settled;

	if (run_tasks(b->smoke ? 2 : 200) != 0 || libmach_stats(before) != KERN_SUCCESS ||
	    !counts_settle(before, before))
		goto fail;
	rss0 = bench_rss_kib(bench_machd_pid());
	t0 = bench_ns();
	if (run_tasks(n) != 0)
		goto fail;
	ms = (double)(bench_ns() - t0) / 1e6 / n;
	settled = counts_settle(before, after);
	rss1 = bench_rss_kib(bench_machd_pid());
	delta = (double)(rss1 - rss0);
	snprintf(text, sizeof(text), "%d short-lived tasks, one after another", n);
	bench_record(b, "scale.task", "scale", text, BU_MSEC, &ms, 1, NULL);
	snprintf(text, sizeof(text), "machd VmRSS after %d tasks minus before", n);
	bench_record(b, "scale.task.rss", "scale", text, BU_KIB, &delta, 1, NULL);
	snprintf(text, sizeof(text), "%d tasks over time: machd back at baseline (objects; "
	    "VmRSS within 256 KiB)", n);
	snprintf(detail, sizeof(detail), "ports %llu->%llu, kmsgs %llu->%llu, tasks %llu->%llu, "
	    "VmRSS %ld->%ld KiB", (unsigned long long)before[0], (unsigned long long)after[0],
	    (unsigned long long)before[1], (unsigned long long)after[1],
	    (unsigned long long)before[2], (unsigned long long)after[2], rss0, rss1);
	bench_target_bool(b, text, settled && delta <= 256, detail);
	return;
fail:
	bench_fail(b, "scale", "tasks over time", "a task failed");
}

void
bench_scale(struct bench *b)
{
	tasks_scale(b);
	ports_scale(b);
	bench_target_ratio(b, "Port allocate O(1): time per op at 1M live ports <= 1.5x at 1k",
	    "scale.alloc.1M", "scale.alloc.1k", 1.5, true);
	bench_target_ratio(b, "Port deallocate O(1): time per op at 1M live ports <= 1.5x at 1k",
	    "scale.dealloc.1M", "scale.dealloc.1k", 1.5, true);
	bench_target_value(b, "machd memory per live port < 200 bytes", "scale.mem.port", 200,
	    true);
}
