/*
 * bench_loop.c -- the two measuring loops every transport shares: timed
 * round trips from this process (bench_rtt), and N client processes
 * started together against one server (bench_clients).  See bench.h.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The family of a key is its first component ("rpc" of "rpc.machd.cpu0"). */
static void
key_family(const char *key, char *family, size_t size)
{
	size_t n = strcspn(key, ".");

	snprintf(family, size, "%.*s", (int)(n < size ? n : size - 1), key);
}

const struct bench_rtt_procs *
bench_rtt_procs_for(const char *tag, pid_t server, pid_t middle)
{
	static struct bench_rtt_procs procs;

	if (strcmp(tag, "cpu0") != 0)
		return NULL;
	procs.server = server;
	procs.middle = middle;
	return &procs;
}

/* CPU time of the client and server, and of the middle process. */
static void
rtt_cpu(const struct bench_rtt_procs *procs, uint64_t *ends, uint64_t *middle)
{
	*ends = bench_cpu_ns(0) + (procs->server > 0 ? bench_cpu_ns(procs->server) : 0);
	*middle = procs->middle > 0 ? bench_cpu_ns(procs->middle) : 0;
}

/* The ".ends" and ".middle" rows of bench_rtt. */
static void
rtt_cpu_record(struct bench *b, const char *key, const char *family, const char *what,
    const char *baseline, const char *part, const char *text, double *v, int reps)
{
	char k[BENCH_KEY_MAX], base[BENCH_KEY_MAX], w[BENCH_TEXT_MAX];

	snprintf(k, sizeof(k), "%s.%s", key, part);
	snprintf(base, sizeof(base), "%s.%s", baseline ? baseline : "", part);
	snprintf(w, sizeof(w), "%s: CPU time per round trip, %s", what, text);
	bench_record(b, k, family, w, BU_USEC, v, reps,
	    baseline != NULL && bench_find(b, base) != NULL ? base : NULL);
}

void
bench_rtt(struct bench *b, const char *key, const char *what, const char *baseline,
    int (*one)(void *ctx), void *ctx, const struct bench_rtt_procs *procs)
{
	int reps = b->reps, iters = bench_iters(b, 2000), warm = bench_iters(b, 200);
	double *per_rep = calloc((size_t)reps * 3, sizeof(double));
	double *sample = calloc((size_t)iters, sizeof(double));
	double *ends_us, *middle_us;
	double med, lo, hi;
	char family[16];
	int r, i;

	key_family(key, family, sizeof(family));
	if (per_rep == NULL || sample == NULL)
		goto fail;
	ends_us = per_rep + reps;
	middle_us = per_rep + 2 * reps;
	for (i = 0; i < warm; i++)
		if (one(ctx) != 0)
			goto fail;
	for (r = 0; r < reps; r++) {
		uint64_t e0 = 0, m0 = 0, e1, m1;

		if (procs != NULL)
			rtt_cpu(procs, &e0, &m0);
		for (i = 0; i < iters; i++) {
			uint64_t t0 = bench_ns();

			if (one(ctx) != 0)
				goto fail;
			sample[i] = (double)(bench_ns() - t0) / 1e3;
		}
		if (procs != NULL) {
			rtt_cpu(procs, &e1, &m1);
			ends_us[r] = (double)(e1 - e0) / 1e3 / iters;
			middle_us[r] = (double)(m1 - m0) / 1e3 / iters;
		}
		bench_stat(sample, iters, &med, &lo, &hi);
		per_rep[r] = med;
	}
	bench_record(b, key, family, what, BU_USEC, per_rep, reps, baseline);
	if (procs != NULL) {
		rtt_cpu_record(b, key, family, what, baseline, "ends", "client and server",
		    ends_us, reps);
		if (procs->middle > 0)
			rtt_cpu_record(b, key, family, what, baseline, "middle",
			    "the process in the middle", middle_us, reps);
	}
	goto out;
fail:
	bench_fail(b, family, what, "a round trip failed");
out:
	free(per_rep);
	free(sample);
}

/* What one client child needs; copied into each child by fork. */
struct client_run {
	struct bench_gate gate;
	uint64_t *end_ns;       /* shared: when each client finished */
	int       index, iters;
	int     (*setup)(void *arg);
	int     (*one)(void *arg);
	void     *arg;
};

static int
client_child(void *p)
{
	struct client_run *c = p;
	int i;

	if (c->setup != NULL && c->setup(c->arg) != 0)
		return 1;
	for (i = 0; i < 10; i++)            /* warm up */
		if (c->one(c->arg) != 0)
			return 1;
	if (bench_gate_ready(&c->gate) != 0 || bench_gate_take(&c->gate) != 'g')
		return 1;
	for (i = 0; i < c->iters; i++)
		if (c->one(c->arg) != 0)
			return 1;
	c->end_ns[c->index] = bench_ns();
	return 0;
}

/* One round: start the clients together, wait for all; msg/s or -1. */
static double
clients_round(struct client_run *c, int clients)
{
	pid_t pids[64];
	uint64_t t0, end = 0;
	int i, started = 0, failed = 0;

	if (bench_gate_open(&c->gate) != 0)
		return -1;
	for (i = 0; i < clients; i++) {
		c->index = i;
		c->end_ns[i] = 0;
		pids[i] = bench_fork(client_child, c);
		if (pids[i] < 0)
			break;
		started++;
	}
	if (started < clients || bench_gate_wait_ready(&c->gate, clients) != 0)
		failed = 1;
	t0 = bench_ns();
	(void)bench_gate_post(&c->gate, clients, failed ? 'q' : 'g');
	for (i = 0; i < started; i++)
		if (bench_wait(pids[i]) != 0)
			failed = 1;
	bench_gate_close(&c->gate);
	for (i = 0; i < clients && !failed; i++)
		end = c->end_ns[i] > end ? c->end_ns[i] : end;
	if (failed || end <= t0)
		return -1;
	return (double)clients * c->iters / ((double)(end - t0) / 1e9);
}

void
bench_clients(struct bench *b, const char *key, const char *what, const char *baseline,
    int clients, int iters, int (*setup)(void *arg), int (*one)(void *arg), void *arg)
{
	struct client_run c = { .iters = iters, .setup = setup, .one = one, .arg = arg };
	double rate[16];
	char family[16];
	int r, reps = b->reps < 16 ? b->reps : 16;

	key_family(key, family, sizeof(family));
	c.end_ns = bench_shared(64 * sizeof(uint64_t));
	if (c.end_ns == NULL || clients > 64)
		goto fail;
	for (r = 0; r < reps; r++) {
		rate[r] = clients_round(&c, clients);
		if (rate[r] < 0)
			goto fail;
	}
	bench_record(b, key, family, what, BU_MSGPS, rate, reps, baseline);
	goto out;
fail:
	bench_fail(b, family, what, "a client failed");
out:
	bench_unshare(c.end_ns, 64 * sizeof(uint64_t));
}
