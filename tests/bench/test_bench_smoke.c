/*
 * test_bench_smoke.c -- keeps the benchmarks building and running: runs
 * $MACHXFER_BUILD/bench/machxfer-bench --smoke (tiny sizes and counts, a
 * few seconds) and passes if no measurement broke.  Timings are never
 * judged here; D-Bus rows skip themselves cleanly when dbus-daemon or
 * libdbus-1-dev is missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	const char *build = getenv("MACHXFER_BUILD");
	char prog[4096];
	struct timespec t0, t1;
	int status;
	pid_t pid;

	if (build == NULL) {
		fprintf(stderr, "test_bench_smoke: set MACHXFER_BUILD (tests/run-tests.sh does)\n");
		return 1;
	}
	snprintf(prog, sizeof(prog), "%s/bench/machxfer-bench", build);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(prog, prog, "--smoke", (char *)NULL);
		fprintf(stderr, "test_bench_smoke: %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("test_bench_smoke");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test_bench_smoke: smoke run took %.2f s\n",
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "test_bench_smoke: machxfer-bench --smoke failed (status %#x)\n",
		    (unsigned)status);
		return 1;
	}
	return 0;
}
