/*
 * machd_harness.h -- helpers for the libmach integration tests: a private
 * machd per test program, forked children, machd's object counts.
 *
 * Typical group setup / teardown:
 *
 *     static int setup(void **state) { return harness_start_machd(); }
 *     static int teardown(void **state) { harness_stop_machd(); return 0; }
 *
 * $MACHD names the daemon binary (tests/run-tests.sh sets it);
 * MACHD_TRACE_TESTS=1 starts it with --trace.
 */
#ifndef MACHD_HARNESS_H
#define MACHD_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include "libmach_private.h"

/*
 * Start $MACHD --socket <tmpdir>/machd.sock, wait (up to 10 s) for the
 * socket, point MACHD_SOCKET at it and libmach_reinit().  0 or -1 (after
 * printing why, and cleaning up).
 */
int harness_start_machd(void);

/*
 * The same, with extra machd arguments (a NULL-terminated list, at most 8,
 * such as "--max-names", "2000000"); NULL is harness_start_machd().
 */
int harness_start_machd_args(const char *const *extra);

/* The running daemon's pid, or -1. */
pid_t harness_machd_pid(void);

/* SIGTERM the daemon, reap it, remove its directory.  Idempotent. */
void harness_stop_machd(void);

/* The socket path of the running daemon ("" if none). */
const char *harness_socket_path(void);

/*
 * Fork a child that runs fn(arg) and then _exit(0).  A failing cmocka
 * assertion in the child ends it with _exit(1) (through CMOCKA_TEST_ABORT
 * and SIGABRT) instead of jumping back into the parent's copy of the test
 * runner.  The child is a new task (libmach reconnects it at fork).
 * fork() failure: -1.
 */
pid_t harness_fork(void (*fn)(void *), void *arg);

/* Reap a child: its exit status, 128 + signal if it was killed, -1 on error. */
int harness_wait(pid_t pid);

/* libmach_stats(), asserting that it succeeds. */
void harness_stats(uint64_t out[6]);

#endif /* MACHD_HARNESS_H */
