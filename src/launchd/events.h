/*
 * events.h -- Linux events for launchd's Mach event loop (events_linux.c).
 *
 * One thread waits on an epoll set holding a signalfd (SIGTERM, SIGINT,
 * SIGHUP) and one pidfd per running job, and turns each event into a
 * small message on launchd's wake port.  The main thread never waits for
 * it; the thread may wait for the main thread (a full wake queue).
 */
#ifndef LAUNCHD_EVENTS_H
#define LAUNCHD_EVENTS_H

#include <stdint.h>
#include <sys/types.h>

#include <mach/mach.h>

#define EV_MSG_ID       0x6c640001      /* msgh_id of a wake message */

enum ev_kind { EV_SIGNAL = 1, EV_EXIT = 2 };

struct ev_msg {
	mach_msg_header_t h;
	uint32_t          kind;         /* enum ev_kind */
	int32_t           value;        /* signal number, or pid */
};

struct launchd;

/* Block the signals, make the signalfd and epoll set, start the thread
 * (which sends to a send right of wake_port).  Fatal on failure. */
void events_start(struct launchd *ld);

/* Watch a pidfd once (EPOLLONESHOT); 0 or -1 with errno. */
int events_watch_pid(struct launchd *ld, pid_t pid, int pidfd);
void events_unwatch_pid(struct launchd *ld, int pidfd);

/* pidfd_open(2) with close-on-exec semantics of pidfds; -1 on error. */
int events_pidfd_open(pid_t pid);

/* Unblock every signal and restore default dispositions (spawn child). */
void events_child_reset_signals(void);

#endif /* LAUNCHD_EVENTS_H */
