/*
 * events_linux.c -- signalfd, pidfds and epoll, the Linux half of
 * launchd's event loop (see events.h).  The thread below owns nothing:
 * it reads the signalfd (so the epoll set does not stay readable) and
 * reports pidfds once each (EPOLLONESHOT); the main thread reaps with
 * waitid(P_PIDFD) and closes the pidfd.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "runloop.h"

#define SIGFD_KEY       ((uint64_t)1 << 40)

static void
events_signal_set(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
}

/* One event, one message; false once launchd's port is gone. */
static int
events_send(mach_port_t wake, enum ev_kind kind, int32_t value)
{
	struct ev_msg m;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_size = sizeof(m);
	m.h.msgh_remote_port = wake;
	m.h.msgh_id = EV_MSG_ID;
	m.kind = kind;
	m.value = value;
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, MACH_PORT_NULL,
	    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL) == MACH_MSG_SUCCESS;
}

struct events_thread_arg {
	int             epfd;
	int             sigfd;
	mach_port_t     wake;
};

static void *
events_thread(void *p)
{
	struct events_thread_arg a = *(struct events_thread_arg *)p;
	struct epoll_event evs[16];
	struct signalfd_siginfo si;
	int i, n;

	for (;;) {
		n = epoll_wait(a.epfd, evs, 16, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fatal("events: epoll_wait");
		for (i = 0; i < n; i++) {
			uint64_t key = evs[i].data.u64;
			if (key == SIGFD_KEY) {
				if (read(a.sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					continue;
				if (!events_send(a.wake, EV_SIGNAL, (int32_t)si.ssi_signo))
					return NULL;
			} else if (!events_send(a.wake, EV_EXIT, (int32_t)key)) {
				return NULL;
			}
		}
	}
}

void
events_start(struct launchd *ld)
{
	static struct events_thread_arg arg;
	struct epoll_event ev;
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t mask;

	events_signal_set(&mask);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
		fatalx("events: cannot block signals");
	ld->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ld->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ld->sigfd < 0 || ld->epfd < 0)
		fatal("events: signalfd/epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = SIGFD_KEY;
	if (epoll_ctl(ld->epfd, EPOLL_CTL_ADD, ld->sigfd, &ev) < 0)
		fatal("events: epoll_ctl(signalfd)");
	arg.epfd = ld->epfd;
	arg.sigfd = ld->sigfd;
	arg.wake = ld->wake_port;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, events_thread, &arg) != 0)
		fatalx("events: cannot start the event thread");
	pthread_attr_destroy(&attr);
}

int
events_watch_pid(struct launchd *ld, pid_t pid, int pidfd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = (uint64_t)(uint32_t)pid;
	return epoll_ctl(ld->epfd, EPOLL_CTL_ADD, pidfd, &ev);
}

void
events_unwatch_pid(struct launchd *ld, int pidfd)
{
	/* ENOENT cannot happen; anything else leaves a closed fd that epoll
	 * drops by itself. */
	(void)epoll_ctl(ld->epfd, EPOLL_CTL_DEL, pidfd, NULL);
}

int
events_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

void
events_child_reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);    /* EINVAL for KILL/STOP: fine */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}
