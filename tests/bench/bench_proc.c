/*
 * bench_proc.c -- the process plumbing of the benchmarks: the clock,
 * forked children, shared result memory, CPU pinning, a process's
 * resident memory, and the pipe gate that starts rounds (see bench.h).
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "machd_harness.h"
#include "mono_clock.h"

uint64_t
bench_ns(void)
{
	return mono_now_ns();
}

pid_t
bench_fork(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);   /* the child must not repeat our buffered output */
	pid = fork();
	if (pid != 0)
		return pid;
	(void)signal(SIGPIPE, SIG_IGN);
	_exit(fn(arg) == 0 ? 0 : 1);
}

int
bench_wait(pid_t pid)
{
	return harness_wait(pid);     /* the same reaping as the tests' */
}

void
bench_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	(void)kill(pid, SIGKILL);
	(void)bench_wait(pid);
}

void *
bench_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void
bench_unshare(void *p, size_t size)
{
	if (p != NULL)
		(void)munmap(p, size);
}

/* Every thread of `pid`: sched_setaffinity takes one thread (machd has
 * one per channel, and new ones inherit from its main thread). */
static int
pin_threads(pid_t pid, const cpu_set_t *set)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (dir == NULL)
		return sched_setaffinity(pid, sizeof(*set), set);
	while ((d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);
		if (tid > 0 && sched_setaffinity(tid, sizeof(*set), set) == 0)
			rc = 0;
	}
	closedir(dir);
	return rc;
}

int
bench_pin(pid_t pid, int cpu)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	if (cpu >= 0) {
		CPU_SET(cpu, &set);
	} else {
		for (i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	}
	if (pid <= 0)
		return sched_setaffinity(pid, sizeof(set), &set);
	return pin_threads(pid, &set);
}

/* The first field of /proc/<pid>/task/<tid>/schedstat is the time the
 * thread ran, in ns; the scheduler keeps it exactly, unlike the tick-based
 * utime and stime. */
uint64_t
bench_cpu_ns(pid_t pid)
{
	char path[96];
	struct dirent *d;
	unsigned long long ns;
	uint64_t sum = 0;
	DIR *dir;
	FILE *f;

	if (pid <= 0) {
		struct timespec ts;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (dir == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/schedstat", (int)pid, d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

long
bench_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int
bench_gate_open(struct bench_gate *g)
{
	if (pipe(g->go) < 0)
		return -1;
	if (pipe(g->ready) < 0) {
		close(g->go[0]);
		close(g->go[1]);
		return -1;
	}
	return 0;
}

void
bench_gate_close(struct bench_gate *g)
{
	close(g->go[0]);
	close(g->go[1]);
	close(g->ready[0]);
	close(g->ready[1]);
}

static int
write_bytes(int fd, char what, int n)
{
	char buf[64];

	memset(buf, what, sizeof(buf));
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)(n < 64 ? n : 64));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		n -= (int)w;
	}
	return 0;
}

int
bench_gate_post(struct bench_gate *g, int n, char what)
{
	return write_bytes(g->go[1], what, n);
}

char
bench_gate_take(struct bench_gate *g)
{
	char c;
	ssize_t r;

	while ((r = read(g->go[0], &c, 1)) < 0 && errno == EINTR)
		;
	return r == 1 ? c : '\0';
}

int
bench_gate_ready(struct bench_gate *g)
{
	return write_bytes(g->ready[1], 'r', 1);
}

/* A child that died before saying ready must not hang the run: 60 s. */
#define GATE_READY_MS 60000

int
bench_gate_wait_ready(struct bench_gate *g, int n)
{
	struct pollfd pfd = { g->ready[0], POLLIN, 0 };
	char c;

	while (n > 0) {
		ssize_t r;

		if (poll(&pfd, 1, GATE_READY_MS) == 0)
			return -1;
		r = read(g->ready[0], &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n--;
	}
	return 0;
}

int
bench_iters(const struct bench *b, int full)
{
	if (!b->smoke)
		return full;
	return full / 50 > 2 ? full / 50 : 2;
}
