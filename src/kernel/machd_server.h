/*
 * machd_server.h -- the edge of the kernel: channels and replies.
 */
#ifndef MACHD_SERVER_H
#define MACHD_SERVER_H

#include "thread.h"

struct machd_config {
	const char *socket_path;
	bool        trace;
	char      **init_argv;        /* --launchd PROG ARGS: the privileged init task */
	bool        ool_fds_set;      /* --max-ool-fds given: keep ipc_ledger_fd_limit */
};

/* Send the one reply of the thread's current request; the thread becomes
 * idle.  `v` may be NULL (all zero). */
void thread_reply(struct thread *thread, kern_return_t code, uint32_t flags,
    const uint64_t *v, const void *payload, uint32_t len);
/* The same with file descriptors (memfds of out-of-line memory) passed
 * along; the kernel's copies are closed once sent (or on failure). */
void thread_reply_fds(struct thread *thread, kern_return_t code, uint32_t flags,
    const uint64_t *v, const void *payload, uint32_t len, const int *fds, int nfds);

/* Microseconds machd polls for work before it sleeps, when it may run on
 * more than one CPU (--spin-us; 0: never). */
#define MACHD_SPIN_US_DEFAULT 50
extern uint64_t machd_spin_us;

/* Run the kernel until SIGTERM/SIGINT; returns the exit status. */
int machd_serve(const struct machd_config *config);

#endif /* MACHD_SERVER_H */
