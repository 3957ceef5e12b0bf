/*
 * bench_main.c -- machxfer-bench: every family in one run, against one
 * private machd and one private dbus-daemon, then the table.
 *
 *   machxfer-bench [--smoke] [--out DIR] [--only FAMILY] [--reps N]
 *
 *   --smoke      tiny sizes and counts (also BENCH_SMOKE=1): a second or
 *                two, to keep the code building and running (make test)
 *   --out DIR    also write DIR/results.md (the table) and DIR/ool.tsv
 *   --only F     rpc, ool, tput, scale or launchd
 *   --reps N     repetitions per measurement (default 5, smoke 2)
 *
 * machd is $MACHD, else bin/machd beside this program's directory.  The
 * exit status is 1 if a measurement broke (a missed target is not a
 * failure; a skipped one for a missing dependency is not either).
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "machd_harness.h"

static const uint64_t ool_sizes_full[] = {
	4ull << 10, 64ull << 10, 1ull << 20, 16ull << 20, 64ull << 20, 256ull << 20, 1ull << 30,
};
static const uint64_t ool_sizes_smoke[] = { 4ull << 10, 64ull << 10, 1ull << 20 };

/* Names per task for 1M live ports and a window on top (bench_scale.c). */
static const char *const machd_args[] = { "--max-names", "1100000", NULL };

static void
usage(void)
{
	fprintf(stderr, "usage: machxfer-bench [--smoke] [--out DIR] [--only rpc|ool|tput|scale|"
	    "launchd] [--reps N]\n");
	exit(2);
}

static void
parse_args(struct bench *b, int argc, char **argv)
{
	const char *env = getenv("BENCH_SMOKE");
	int i;

	b->smoke = env != NULL && strcmp(env, "1") == 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--smoke") == 0)
			b->smoke = true;
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			b->outdir = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			b->only = argv[++i];
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			b->reps = atoi(argv[++i]);
		else
			usage();
	}
	if (b->reps <= 0 || b->reps > 16)
		b->reps = b->smoke ? 2 : 5;
}

/* bin/ of the build this program belongs to: <build>/bench/x -> <build>/bin. */
static void
find_bindir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		snprintf(buf, size, "build/bin");
		return;
	}
	exe[n] = '\0';
	snprintf(buf, size, "%s/bin", dirname(dirname(exe)));
}

static bool
wanted(const struct bench *b, const char *family)
{
	return b->only == NULL || strcmp(b->only, family) == 0;
}

/* This process, machd and dbus-daemon on `cpu` (children inherit). */
static void
place(int cpu)
{
	(void)bench_pin(0, cpu);
	(void)bench_pin(bench_machd_pid(), cpu);
	(void)bench_dbus_pin(cpu);
}

/* Where the latency-bound families run: everything on CPU 0 (no
 * cross-CPU wake-ups), then wherever the scheduler puts it. */
static const struct { int cpu; const char *tag; } placements[] = {
	{ 0, "cpu0" }, { BENCH_CPU_ANY, "any" },
};
#define NPLACEMENTS (sizeof(placements) / sizeof(placements[0]))

static void
rpc_family(struct bench *b)
{
	char text[BENCH_TEXT_MAX], key[BENCH_KEY_MAX], base[BENCH_KEY_MAX];
	size_t i;

	for (i = 0; i < NPLACEMENTS; i++) {
		const char *tag = placements[i].tag;

		place(placements[i].cpu);
		bench_baseline_rpc(b, tag);
		bench_rpc(b, tag);
		bench_dbus_rpc(b, tag);
		snprintf(key, sizeof(key), "rpc.machd.%s", tag);
		snprintf(base, sizeof(base), "rpc.relay.%s", tag);
		snprintf(text, sizeof(text), "RPC round trip (%s): machd <= 1.2x the raw relay", tag);
		bench_target_ratio(b, text, key, base, 1.2, true);
		snprintf(base, sizeof(base), "rpc.dbus.%s", tag);
		snprintf(text, sizeof(text), "RPC round trip (%s): machd <= 0.6x D-Bus", tag);
		bench_target_ratio(b, text, key, base, 0.6, true);
	}
	place(BENCH_CPU_ANY);
}

static void
tput_family(struct bench *b)
{
	size_t i;

	for (i = 0; i < NPLACEMENTS; i++) {
		place(placements[i].cpu);
		bench_throughput(b, placements[i].tag);
	}
	place(BENCH_CPU_ANY);
}

static void
ool_family(struct bench *b)
{
	const uint64_t *sizes = b->smoke ? ool_sizes_smoke : ool_sizes_full;
	int n = b->smoke ? 3 : (int)(sizeof(ool_sizes_full) / sizeof(ool_sizes_full[0]));

	bench_baseline_ool(b, sizes, n);
	bench_dbus_ool(b, sizes, n);
	bench_ool(b, sizes, n);
}

static void
write_results(const struct bench *b)
{
	char path[512];
	FILE *f;

	if (b->outdir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/results.md", b->outdir);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return;
	}
	bench_print(b, f);
	fclose(f);
}

static void
run(struct bench *b)
{
	if (wanted(b, "rpc"))
		rpc_family(b);
	if (wanted(b, "ool"))
		ool_family(b);
	if (wanted(b, "tput"))
		tput_family(b);
	if (wanted(b, "scale")) {
		place(0);
		bench_scale(b);
		place(BENCH_CPU_ANY);
	}
	if (wanted(b, "launchd"))
		bench_launchd(b);
}

int
main(int argc, char **argv)
{
	static struct bench b;
	char bindir[PATH_MAX], machd[PATH_MAX + 16];

	parse_args(&b, argc, argv);
	find_bindir(bindir, sizeof(bindir));
	b.bindir = bindir;
	snprintf(machd, sizeof(machd), "%s/machd", bindir);
	if (getenv("MACHD") == NULL)
		setenv("MACHD", machd, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (harness_start_machd_args(machd_args) != 0) {
		fprintf(stderr, "machxfer-bench: cannot start machd (%s)\n", getenv("MACHD"));
		return 1;
	}
	(void)bench_dbus_start();
	printf("machxfer-bench: %s run, %d repetitions\n", b.smoke ? "smoke" : "full", b.reps);
	run(&b);
	bench_dbus_stop();
	harness_stop_machd();
	printf("\n");
	bench_print(&b, stdout);
	write_results(&b);
	if (b.nfailed > 0)
		fprintf(stderr, "machxfer-bench: %d measurement(s) failed\n", b.nfailed);
	return b.nfailed > 0 ? 1 : 0;
}
