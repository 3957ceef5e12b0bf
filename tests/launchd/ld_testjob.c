/*
 * ld_testjob.c -- the program the launchd tests run as a job.
 *
 *   ld_testjob [--starts FILE] [--ignore-term] MODE [ARGS...]
 *
 *   serve NAME...           check in every NAME, then answer requests:
 *                           LD_MSG_ECHO -> reply LD_MSG_ECHO + 100 carrying
 *                           our pid and the request's sequence number;
 *                           LD_MSG_CRASH -> abort() without answering;
 *                           LD_MSG_EXIT -> exit(seq) without answering.
 *   crash-once FLAG NAME... as serve, but if FLAG exists: remove it and
 *                           abort() right after checking in (the receive
 *                           rights go back to launchd with their queues).
 *   probe OUT NAME          register(NAME, port) then check_in(NAME) twice;
 *                           the three codes go to OUT; then wait.
 *   exit CODE               exit(CODE) at once.
 *   crash                   abort() at once.
 *   sleep                   wait for a signal.
 *   env                     print cwd, umask and some variables to stdout,
 *                           one line to stderr, exit 0.
 *
 * --starts FILE appends "PID MS\n" (CLOCK_MONOTONIC ms) at every start.
 * --ignore-term ignores SIGTERM (for ExitTimeOut tests).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "ld_test_proto.h"

static void
record_start(const char *file)
{
	struct timespec ts;
	FILE *f = fopen(file, "a");

	if (f == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(f, "%d %lld\n", (int)getpid(),
	    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	fclose(f);
}

static mach_port_t
check_in_all(int n, char **names)
{
	mach_port_t set, p;
	kern_return_t kr;
	int i;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS)
		exit(90);
	for (i = 0; i < n; i++) {
		kr = bootstrap_check_in(bootstrap_port, names[i], &p);
		if (kr != KERN_SUCCESS) {
			fprintf(stderr, "ld_testjob: check_in %s: %s\n", names[i], bootstrap_strerror(kr));
			exit(91);
		}
		if (mach_port_insert_member(mach_task_self(), p, set) != KERN_SUCCESS)
			exit(92);
	}
	return set;
}

static int
serve(mach_port_t set)
{
	union { struct ld_echo e; uint8_t buf[1024]; } m;
	struct ld_echo r;

	for (;;) {
		memset(&m, 0, sizeof(m));
		if (mach_msg(&m.e.h, MACH_RCV_MSG, 0, sizeof(m), set, 0, 0) != MACH_MSG_SUCCESS)
			return 93;
		switch (m.e.h.msgh_id) {
		case LD_MSG_CRASH:
			abort();
		case LD_MSG_EXIT:
			exit((int)m.e.seq);
		case LD_MSG_ECHO:
			memset(&r, 0, sizeof(r));
			r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m.e.h.msgh_bits), 0);
			r.h.msgh_size = sizeof(r);
			r.h.msgh_remote_port = m.e.h.msgh_remote_port;
			r.h.msgh_id = LD_MSG_ECHO + 100;
			r.pid = (int32_t)getpid();
			r.seq = m.e.seq;
			(void)mach_msg(&r.h, MACH_SEND_MSG, sizeof(r), 0, 0, 0, 0);
			break;
		default:
			mach_msg_destroy(&m.e.h);
			break;
		}
	}
}

static int
probe(const char *out, const char *name)
{
	mach_port_t p, q;
	kern_return_t a, b, c;
	FILE *f;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS)
		return 94;
	a = bootstrap_register(bootstrap_port, name, p);
	b = bootstrap_check_in(bootstrap_port, name, &q);
	c = bootstrap_check_in(bootstrap_port, name, &q);
	f = fopen(out, "w");
	if (f == NULL)
		return 95;
	fprintf(f, "%d %d %d\n", a, b, c);
	fclose(f);
	pause();
	return 0;
}

static int
env_dump(void)
{
	char cwd[4096];
	mode_t m = umask(0);
	const char *v;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, "?");
	printf("cwd=%s\n", cwd);
	printf("umask=%03o\n", (unsigned)m);
	printf("LD_TEST_VAR=%s\n", (v = getenv("LD_TEST_VAR")) ? v : "(unset)");
	printf("XPC_SERVICE_NAME=%s\n", (v = getenv("XPC_SERVICE_NAME")) ? v : "(unset)");
	fprintf(stderr, "to stderr\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--starts") == 0 && i + 1 < argc)
			record_start(argv[++i]);
		else if (strcmp(argv[i], "--ignore-term") == 0)
			signal(SIGTERM, SIG_IGN);
	}
	if (i >= argc)
		return 2;
	if (strcmp(argv[i], "serve") == 0)
		return serve(check_in_all(argc - i - 1, argv + i + 1));
	if (strcmp(argv[i], "crash-once") == 0 && i + 2 < argc) {
		mach_port_t set = check_in_all(argc - i - 2, argv + i + 2);
		if (unlink(argv[i + 1]) == 0)
			abort();
		return serve(set);
	}
	if (strcmp(argv[i], "probe") == 0 && i + 2 < argc)
		return probe(argv[i + 1], argv[i + 2]);
	if (strcmp(argv[i], "exit") == 0 && i + 1 < argc)
		return atoi(argv[i + 1]);
	if (strcmp(argv[i], "crash") == 0)
		abort();
	if (strcmp(argv[i], "sleep") == 0) {
		for (;;)
			pause();
	}
	if (strcmp(argv[i], "env") == 0)
		return env_dump();
	return 2;
}
