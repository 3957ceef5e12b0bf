/*
 * bench.h -- machxfer-bench: machxfer measured against the raw Linux
 * primitives and D-Bus, side by side, in one run (`make bench`).
 *
 * Every family (bench_rpc.c, bench_ool.c, ...) takes the run's context,
 * measures, and records results in it.  A result is a statistic over
 * repetitions (median, min, max) in one unit, optionally tied to a
 * baseline result of the same run: the table prints the ratio.  Targets
 * (bench_target_*) compare two results of the run, or one result with a
 * limit, and say met or missed.  Nothing here asserts on timings: a missed
 * target is reported, not a failure.  A benchmark that cannot run (a
 * dependency missing) records a "skipped" line saying why.
 *
 * Processes: the benchmark program is the measuring side; servers, relays
 * and senders are forked children (bench_proc.c).  One private machd
 * serves the whole run (tests/harness/machd_harness.c).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <mach/mach.h>

/* ----- the run ------------------------------------------------------------ */

enum bench_unit {
	BU_USEC,        /* microseconds per operation (lower is better) */
	BU_NSEC,        /* nanoseconds per operation (lower is better) */
	BU_MSEC,        /* milliseconds per operation (lower is better) */
	BU_GBPS,        /* GB/s, 1e9 bytes per second (higher is better) */
	BU_MSGPS,       /* messages per second (higher is better) */
	BU_BYTES,       /* bytes (lower is better) */
	BU_KIB,         /* KiB (lower is better) */
};

#define BENCH_KEY_MAX   48
#define BENCH_TEXT_MAX  160

struct bench_result {
	char            key[BENCH_KEY_MAX];     /* "rpc.machd.cpu0" */
	char            family[16];
	char            what[BENCH_TEXT_MAX];   /* as the table shows it */
	char            baseline[BENCH_KEY_MAX]; /* key of the baseline, or "" */
	enum bench_unit unit;
	double          median, min, max;
	int             n;                      /* repetitions */
	bool            skipped;                /* what says why */
};

struct bench_target {
	char    text[BENCH_TEXT_MAX];   /* the target as the issue states it */
	char    got[BENCH_TEXT_MAX];    /* what this run measured */
	int     verdict;                /* 1 met, 0 missed, -1 not measured */
};

#define BENCH_RESULTS_MAX  256
#define BENCH_TARGETS_MAX  32

struct bench {
	bool        smoke;          /* BENCH_SMOKE=1 or --smoke: tiny, fast */
	int         reps;           /* repetitions per measurement */
	const char *outdir;         /* results.md, ool.tsv go here (or NULL) */
	const char *only;           /* run one family only (or NULL) */
	const char *bindir;         /* the build's bin/ (machd, launchd) */
	struct bench_result results[BENCH_RESULTS_MAX];
	int         nresults;
	struct bench_target targets[BENCH_TARGETS_MAX];
	int         ntargets;
	int         nfailed;        /* measurements that broke (bench_fail) */
};

/* ----- statistics and results (bench_stats.c) ------------------------------- */

/* Median, min and max of v[0..n) (sorts v). */
void bench_stat(double *v, int n, double *median, double *min, double *max);

/* Record a statistic over v[0..n) (sorted in place); baseline may be NULL.
 * Returns the result. */
struct bench_result *bench_record(struct bench *b, const char *key, const char *family,
    const char *what, enum bench_unit unit, double *v, int n, const char *baseline);

/* Record "what: skipped: why" (printed also at once, on stdout). */
void bench_skip(struct bench *b, const char *family, const char *what, const char *why);

/* The same for a measurement that broke: counted, and the run exits 1. */
void bench_fail(struct bench *b, const char *family, const char *what, const char *why);

/* The result recorded under key, or NULL (absent or skipped). */
const struct bench_result *bench_find(const struct bench *b, const char *key);

/* median(key) / median(base): "at most limit" (atmost) or "at least". */
void bench_target_ratio(struct bench *b, const char *text, const char *key,
    const char *base, double limit, bool atmost);

/* median(key) against an absolute limit, in the result's unit. */
void bench_target_value(struct bench *b, const char *text, const char *key,
    double limit, bool atmost);

/* A yes/no target; detail says what was seen. */
void bench_target_bool(struct bench *b, const char *text, bool ok, const char *detail);

/* The results table and the targets, as Markdown. */
void bench_print(const struct bench *b, FILE *f);

/* ----- processes, time, memory (bench_proc.c) ------------------------------ */

uint64_t bench_ns(void);                /* CLOCK_MONOTONIC, all CPUs agree */

/* Fork a child that runs fn(arg) and _exit(0)s (1 if fn returns nonzero). */
pid_t bench_fork(int (*fn)(void *), void *arg);
int   bench_wait(pid_t pid);            /* exit status, 128+sig, -1 */
void  bench_kill(pid_t pid);            /* SIGKILL and reap; pid <= 0: nothing */

/* Anonymous memory shared with children forked later (zeroed). */
void *bench_shared(size_t size);
void  bench_unshare(void *p, size_t size);

/* Where processes run: cpu >= 0 pins to that CPU, -1 allows all. */
#define BENCH_CPU_ANY   (-1)
int  bench_pin(pid_t pid, int cpu);     /* pid 0: the caller */

/* VmRSS of a process in KiB, or -1. */
long bench_rss_kib(pid_t pid);

/* One byte each way over a pipe pair: the parent starts rounds, children
 * say they are ready.  */
struct bench_gate {
	int go[2];      /* parent -> children */
	int ready[2];   /* children -> parent */
};
int  bench_gate_open(struct bench_gate *g);
void bench_gate_close(struct bench_gate *g);
int  bench_gate_post(struct bench_gate *g, int n, char what);  /* parent */
char bench_gate_take(struct bench_gate *g);                     /* child: '\0' on EOF */
int  bench_gate_ready(struct bench_gate *g);                    /* child */
int  bench_gate_wait_ready(struct bench_gate *g, int n);       /* parent */

/* Repetitions and iterations scaled for the smoke run. */
int bench_iters(const struct bench *b, int full);

/* ----- machd (bench_mach.c) ------------------------------------------------ */

/* A receive right with one send right, queue limit raised. */
mach_port_t bench_port(void);

/* Release a port made by bench_port (receive right and send right). */
void bench_port_free(mach_port_t p);

/*
 * Fork a child whose bootstrap port is a send right to `bp` (the way
 * Mach children find their parent's services).  The child runs fn(arg).
 * The child inherits the port when machd registers it, which races with
 * the parent: reset our bootstrap port (task_set_special_port) only once
 * the child has been heard from.
 */
pid_t bench_fork_task(mach_port_t bp, int (*fn)(void *), void *arg);

/*
 * Fork a server child: it makes its own port, hands a send right to us
 * (*to_child), then runs fn(its port, arg).
 */
pid_t bench_fork_server(int (*fn)(mach_port_t own, void *arg), void *arg,
    mach_port_t *to_child);

/* machd's pid (the private one this run started). */
pid_t bench_machd_pid(void);

/* ----- the families -------------------------------------------------------- */

/* 1 KiB request and reply, as every RPC benchmark sends them. */
#define BENCH_RPC_BYTES 1024

/*
 * The round-trip families run in the CPU placement main() chose for this
 * process, machd and dbus-daemon (children inherit it); `tag` names it in
 * the keys ("cpu0": all on CPU 0, "any": unpinned).
 */

/* Baselines: raw socketpair and relay round trips, memcpy, memfd by hand. */
void bench_baseline_rpc(struct bench *b, const char *tag);
void bench_baseline_ool(struct bench *b, const uint64_t *sizes, int nsizes);

/* 1 KiB RPC round trip through machd. */
void bench_rpc(struct bench *b, const char *tag);

/* The machd RPC server and client, shared with bench_throughput.c.  The
 * server answers each request with the same bytes until BENCH_QUIT_ID. */
#define BENCH_QUIT_ID   0x71756974
struct bench_rpc_msg {
	mach_msg_header_t       h;
	uint8_t                 body[BENCH_RPC_BYTES];
	mach_msg_max_trailer_t  t;
};
struct bench_mach_client {
	mach_port_t             server;     /* MACH_PORT_NULL: bootstrap_port */
	mach_port_t             reply;      /* made by bench_mach_client_setup */
	struct bench_rpc_msg    m;
};
int  bench_mach_server(mach_port_t own, void *arg);
int  bench_mach_client_setup(void *client);
int  bench_mach_rpc_one(void *client);
void bench_mach_quit(mach_port_t server);

/* OOL sizes, names and iterations (bench_ool.c). */
#define BENCH_OOL_ITERS_MAX     40
#define BENCH_OOL_TOUCH_SIZE    (64ull << 20)   /* also measured with every page read */
int  bench_ool_iters(const struct bench *b, uint64_t size);
const char *bench_ool_key(uint64_t size, const char *mode);    /* "ool.<mode>.<size>" */
void bench_ool_names(uint64_t size, const char *mode, char key[BENCH_KEY_MAX],
    char what[BENCH_TEXT_MAX], const char *desc);
void bench_ool_touch(const void *p, uint64_t size);             /* read a byte per page */

/* OOL move and copy at each size; writes ool.tsv (after the baselines
 * and D-Bus have run, so that the plot has every column). */
void bench_ool(struct bench *b, const uint64_t *sizes, int nsizes);

/* Throughput with 1, 2, 4, 8 clients. */
void bench_throughput(struct bench *b, const char *tag);
/* Round trips per client and round: the same total for every count. */
int  bench_tput_iters(const struct bench *b, int clients);

/* Scale: 1M ports in one task, 10,000 tasks over time. */
void bench_scale(struct bench *b);

/* launchd: an echo to xferd launched on demand against xferd running, on
 * CPU 0 and unpinned, in a child with its own machd + launchd (skipped
 * when launchd, launchctl or xferd is not built). */
void bench_launchd(struct bench *b);

/* A memfd (sealable, not sealed) holding `size` bytes written through the
 * shared mapping left in *map, as an application would have produced
 * them; -1 on failure (bench_baseline.c). */
int  bench_memfd_filled(uint64_t size, void **map);

/* D-Bus (bench_dbus.c): a private dbus-daemon and its counterparts.  Each
 * benchmark records a "skipped" line instead when libdbus was not built
 * in or the daemon could not start. */
int  bench_dbus_start(void);                   /* 0, or -1 (says why on stdout) */
void bench_dbus_stop(void);
int  bench_dbus_pin(int cpu);                  /* the daemon's CPUs, as bench_pin */
void bench_dbus_rpc(struct bench *b, const char *tag);
void bench_dbus_ool(struct bench *b, const uint64_t *sizes, int nsizes);
void bench_dbus_throughput(struct bench *b, const char *tag, const int *clients, int n);

/*
 * Where a round trip's CPU time goes: the client is this process; the
 * server and the process in the middle (relay, machd, dbus-daemon) are
 * given by pid, 0 for none.
 */
struct bench_rtt_procs {
	pid_t server;
	pid_t middle;
};

/*
 * The processes to account for, or NULL: only on one CPU (tag "cpu0"),
 * where every microsecond of a round trip is some process's CPU time.
 * Unpinned, waiting and spinning blur it.  The result lives until the
 * next call.
 */
const struct bench_rtt_procs *bench_rtt_procs_for(const char *tag, pid_t server, pid_t middle);

/* CPU time used so far by every thread of pid (0: this process), in ns. */
uint64_t bench_cpu_ns(pid_t pid);

/*
 * Shared by the RPC families: warm up, then reps x iters round trips,
 * one(ctx) per round trip; records the per-rep median in microseconds.
 * With `procs`, also the CPU time per round trip of the client and server
 * together (key ".ends") and of the middle process (key ".middle"), each
 * against the same row of `baseline`.
 */
void bench_rtt(struct bench *b, const char *key, const char *what, const char *baseline,
    int (*one)(void *ctx), void *ctx, const struct bench_rtt_procs *procs);

/* Shared by the throughput families: `clients` children each run
 * client(arg) `iters` round trips, started together; records msg/s. */
void bench_clients(struct bench *b, const char *key, const char *what, const char *baseline,
    int clients, int iters, int (*setup)(void *arg), int (*one)(void *arg), void *arg);

#endif /* BENCH_H */
