/*
 * machd_harness.c -- start and stop a private machd for a test program,
 * fork test children, read machd's object counts (see machd_harness.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mach/kern_return.h>

#include "machd_harness.h"

static pid_t machd_pid = -1;
static char machd_dir[64];
static char machd_sock[128];

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Remove the daemon's directory and whatever it left there. */
static void
remove_dir(void)
{
	struct dirent *de;
	char path[512];
	DIR *d;

	if (machd_dir[0] == '\0')
		return;
	d = opendir(machd_dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", machd_dir, de->d_name);
			(void)unlink(path);
		}
		closedir(d);
	}
	(void)rmdir(machd_dir);
	machd_dir[0] = '\0';
	machd_sock[0] = '\0';
}

/* The daemon's process: dies with us (PR_SET_PDEATHSIG), then execs
 * machd --socket PATH [--trace] [extra...]. */
#define MACHD_EXTRA_MAX 8
static void
exec_machd(const char *machd, pid_t parent, const char *const *extra)
{
	const char *trace = getenv("MACHD_TRACE_TESTS");
	const char *argv[4 + MACHD_EXTRA_MAX + 1];
	int n = 0;

	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	argv[n++] = machd;
	argv[n++] = "--socket";
	argv[n++] = machd_sock;
	if (trace != NULL && strcmp(trace, "1") == 0)
		argv[n++] = "--trace";
	while (extra != NULL && *extra != NULL && n < 4 + MACHD_EXTRA_MAX)
		argv[n++] = *extra++;
	argv[n] = NULL;
	execv(machd, (char *const *)(uintptr_t)argv);
	fprintf(stderr, "harness: cannot run %s: %s\n", machd, strerror(errno));
	_exit(127);
}

/* Poll for the socket for up to 10 s; -1 if machd exits first. */
static int
wait_for_socket(void)
{
	struct stat st;
	int i, status;

	for (i = 0; i < 1000; i++) {
		if (stat(machd_sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(machd_pid, &status, WNOHANG) == machd_pid) {
			fprintf(stderr, "harness: machd exited (status 0x%x) before "
			    "creating %s\n", (unsigned)status, machd_sock);
			machd_pid = -1;
			return -1;
		}
		sleep_ms(10);
	}
	fprintf(stderr, "harness: no socket at %s after 10 s\n", machd_sock);
	return -1;
}

int
harness_start_machd(void)
{
	return harness_start_machd_args(NULL);
}

int
harness_start_machd_args(const char *const *extra)
{
	const char *machd = getenv("MACHD");
	pid_t self = getpid();

	if (machd == NULL || machd[0] != '/') {
		fprintf(stderr, "harness: set MACHD to the absolute path of machd "
		    "(tests/run-tests.sh does)\n");
		return -1;
	}
	snprintf(machd_dir, sizeof(machd_dir), "/tmp/machxfer-test.XXXXXX");
	if (mkdtemp(machd_dir) == NULL) {
		fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
		machd_dir[0] = '\0';
		return -1;
	}
	snprintf(machd_sock, sizeof(machd_sock), "%s/machd.sock", machd_dir);
	fflush(NULL);
	machd_pid = fork();
	if (machd_pid < 0) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		remove_dir();
		return -1;
	}
	if (machd_pid == 0)
		exec_machd(machd, self, extra);
	if (wait_for_socket() < 0)
		goto fail;
	setenv("MACHD_SOCKET", machd_sock, 1);
	if (libmach_reinit() != 0) {
		fprintf(stderr, "harness: libmach_reinit failed for %s\n", machd_sock);
		goto fail;
	}
	return 0;
fail:
	harness_stop_machd();
	return -1;
}

void
harness_stop_machd(void)
{
	int i, status;

	if (machd_pid > 0) {
		(void)kill(machd_pid, SIGTERM);
		for (i = 0; i < 500; i++) {
			if (waitpid(machd_pid, &status, WNOHANG) != 0)
				break;
			sleep_ms(10);
		}
		if (i == 500) {
			fprintf(stderr, "harness: machd ignored SIGTERM for 5 s; killing it\n");
			(void)kill(machd_pid, SIGKILL);
			(void)waitpid(machd_pid, &status, 0);
		}
		machd_pid = -1;
	}
	remove_dir();
}

pid_t
harness_machd_pid(void)
{
	return machd_pid;
}

const char *
harness_socket_path(void)
{
	return machd_sock;
}

/* A failed assertion in a child ends it with status 1. */
static void
child_abort(int sig)
{
	(void)sig;
	_exit(1);
}

pid_t
harness_fork(void (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);   /* the child must not repeat our buffered output */
	pid = fork();
	if (pid != 0)
		return pid;
	/* cmocka: abort on a failed assertion instead of longjmp'ing into
	 * the parent's test runner, which the child also has a copy of. */
	setenv("CMOCKA_TEST_ABORT", "1", 1);
	signal(SIGABRT, child_abort);
	fn(arg);
	fflush(NULL);
	_exit(0);
}

int
harness_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

void
harness_stats(uint64_t out[6])
{
	assert_int_equal(libmach_stats(out), KERN_SUCCESS);
}
