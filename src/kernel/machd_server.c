/*
 * machd_server.c -- the edge of the kernel, in the manner of an OpenBSD
 * daemon's event loop: the listening socket, one channel per calling
 * thread, strict parsing of every request, dispatch to the traps, replies
 * that never block the kernel, and task birth and death from the Linux
 * kernel's own word (SO_PEERCRED, pidfd).
 *
 * Rules at this edge:
 *  - A peer with another uid is refused at accept.
 *  - A request is parsed only through its fixed header and its declared
 *    payload length; anything malformed closes that channel, and only it.
 *  - A channel carries one request at a time; a second request while the
 *    first is unanswered is a protocol error (only CANCEL is allowed).
 *  - No file descriptor is accepted from a task (any is closed and the
 *    channel dropped) until out-of-line memory defines which may come.
 *  - Replies are written with MSG_DONTWAIT; a reply the peer is too slow to
 *    take waits in that thread's own buffer, so the kernel never blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machd_server.h"
#include "mach_msg.h"
#include "fd_passing.h"
#include "mono_clock.h"
#include "spin_policy.h"
#include "mach_port.h"
#include "ipc_kmsg.h"
#include "ipc_port.h"
#include "ipc_right.h"
#include "ipc_space.h"
#include "ipc_trace.h"
#include "kalloc.h"
#include "sync_sema.h"
#include "task.h"
#include "linux_peer.h"

#define MACHD_THREADS_PER_TASK  4096
#define EV_LISTEN   1ull
#define EV_THREAD   2ull
#define EV_TASK     3ull
#define EV_SIGNAL   4ull
#define EV_INIT     5ull
#define EV_KIND(u)  ((u) >> 60)
#define EV_PTR(u)   ((void *)(uintptr_t)((u) & ((1ull << 60) - 1)))

struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* A channel: one thread's connection, with the peer identity taken once,
 * at accept.  All of them are on one list so shutdown can close them. */
struct channel {
	struct thread   thread;          /* first: a thread is its channel */
	struct peer     peer;
	struct channel *ch_next;
	struct channel *ch_prev;
};

static struct channel *all_channels;
static int epfd = -1;
static int spare_fd = -1;             /* given up to accept-and-close at EMFILE */
static uid_t machd_uid;
static pid_t init_pid = -1;
static int init_pidfd = -1;
static uint64_t thread_serial;
static struct thread *close_list;     /* channels to free after this batch */
static struct task *dead_tasks;       /* tasks to free after this batch */

/* Request buffer: the largest datagram a task may send. */
static uint8_t reqbuf[sizeof(struct mxp_req) + MXP_PAYLOAD_MAX];

static int
ev_add(int fd, uint32_t events, uint64_t kind, void *ptr)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (kind << 60) | (uint64_t)(uintptr_t)ptr;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void
ev_mod(int fd, uint32_t events, uint64_t kind, void *ptr)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (kind << 60) | (uint64_t)(uintptr_t)ptr;
	(void)epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);   /* fd is registered */
}

/* --- channels ----------------------------------------------------------- */

static void
close_fds(const int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

static void
thread_schedule_close(struct thread *t)
{
	if (t->th_fd < 0)
		return;
	/* Park nothing more on it; the memory goes after this event. */
	thread_unpark(t);
	(void)epoll_ctl(epfd, EPOLL_CTL_DEL, t->th_fd, NULL);
	close(t->th_fd);
	t->th_fd = -1;
	t->th_run_next = close_list;
	close_list = t;
}

static void
thread_free(struct thread *t)
{
	if (t->th_kmsg != IKM_NULL)
		ipc_kmsg_destroy(t->th_kmsg);      /* blocked in send: message lost */
	if (t->th_rcv_kmsg != IKM_NULL)
		ipc_kmsg_destroy(t->th_rcv_kmsg);
	struct channel *ch = (struct channel *)t;

	task_thread_detach(t);
	free(t->th_out);
	close_fds(t->th_out_fds, t->th_out_nfds);
	if (ch->ch_prev)
		ch->ch_prev->ch_next = ch->ch_next;
	else
		all_channels = ch->ch_next;
	if (ch->ch_next)
		ch->ch_next->ch_prev = ch->ch_prev;
	kfree(KA_THREAD, t);
}

static void
close_list_drain(void)
{
	while (close_list != NULL) {
		struct thread *t = close_list;
		close_list = t->th_run_next;
		thread_free(t);
	}
	while (dead_tasks != NULL) {
		struct task *task = dead_tasks;
		dead_tasks = task->t_hash_next;
		task_free(task);
	}
}

static void
protocol_error(struct thread *t, const char *what)
{
	fprintf(stderr, "machd: pid %d: %s; channel closed\n",
	    t->th_task ? (int)t->th_task->t_pid : -1, what);
	thread_schedule_close(t);
}

/* sendmsg of one reply datagram with its fds; -1/errno on failure. */
static ssize_t
reply_send(int fd, const void *buf1, size_t len1, const void *buf2, size_t len2,
    const int *fds, int nfds)
{
	union fd_passing_buf cbuf;
	struct iovec iov[2];
	struct msghdr mh;

	iov[0].iov_base = (void *)(uintptr_t)buf1;
	iov[0].iov_len = len1;
	iov[1].iov_base = (void *)(uintptr_t)buf2;
	iov[1].iov_len = len2;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = len2 ? 2 : 1;
	fd_passing_attach(&mh, &cbuf, fds, nfds);
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void
thread_reply_fds(struct thread *t, kern_return_t code, uint32_t flags, const uint64_t *v,
    const void *payload, uint32_t len, const int *fds, int nfds)
{
	struct mxp_rep rep;
	ssize_t n;

	t->th_busy = false;
	if (t->th_fd < 0 || nfds > MXP_FDS_MAX) {
		close_fds(fds, nfds);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.op = t->th_req.op;
	rep.code = code;
	rep.flags = flags | (nfds > 0 ? MXP_REP_OOL : 0);
	rep.len = len;
	if (v != NULL)
		memcpy(rep.v, v, sizeof(rep.v));
	n = reply_send(t->th_fd, &rep, sizeof(rep), payload, len, fds, nfds);
	if (n >= 0) {
		close_fds(fds, nfds);
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		/* Keep it for later; the channel stays busy until it is out. */
		t->th_out = malloc(sizeof(rep) + len);
		if (t->th_out == NULL) {
			close_fds(fds, nfds);
			thread_schedule_close(t);
			return;
		}
		memcpy(t->th_out, &rep, sizeof(rep));
		if (len)
			memcpy(t->th_out + sizeof(rep), payload, len);
		t->th_out_len = sizeof(rep) + len;
		if (nfds > 0)
			memcpy(t->th_out_fds, fds, sizeof(int) * (size_t)nfds);
		t->th_out_nfds = nfds;
		t->th_busy = true;
		ev_mod(t->th_fd, EPOLLIN | EPOLLOUT, EV_THREAD, t);
		return;
	}
	close_fds(fds, nfds);
	thread_schedule_close(t);
}

void
thread_reply(struct thread *t, kern_return_t code, uint32_t flags, const uint64_t *v,
    const void *payload, uint32_t len)
{
	thread_reply_fds(t, code, flags, v, payload, len, NULL, 0);
}

static void
thread_flush(struct thread *t)
{
	ssize_t n = reply_send(t->th_fd, t->th_out, t->th_out_len, NULL, 0, t->th_out_fds,
	    t->th_out_nfds);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	free(t->th_out);
	close_fds(t->th_out_fds, t->th_out_nfds);
	t->th_out_nfds = 0;
	t->th_out = NULL;
	t->th_out_len = 0;
	t->th_busy = false;
	if (n < 0) {
		thread_schedule_close(t);
		return;
	}
	ev_mod(t->th_fd, EPOLLIN, EV_THREAD, t);
}

/* --- tasks -------------------------------------------------------------- */

/* A task dies: its channels close, then XNU's task teardown. */
static void
task_death(struct task *task)
{
	while (task->t_threads != NULL) {
		struct thread *t = task->t_threads;
		thread_schedule_close(t);
		task_thread_detach(t);
	}
	if (!task->t_active)
		return;
	if (task->t_pidfd >= 0)
		(void)epoll_ctl(epfd, EPOLL_CTL_DEL, task->t_pidfd, NULL);
	task_terminate(task);
	task->t_hash_next = dead_tasks;
	dead_tasks = task;
}

static void
server_hello(struct thread *t, const struct mxp_req *req, const struct peer *peer)
{
	struct task *existing = task_lookup_pid(peer->pid), *parent = NULL, *task;
	uint64_t token = req->a[1], v[6] = { 0 };
	mach_port_name_t bootstrap = MACH_PORT_NULL;
	kern_return_t kr;
	int pidfd;

	if (req->a[0] != MXP_VERSION) {
		thread_reply(t, KERN_NOT_SUPPORTED, 0, NULL, NULL, 0);
		return;
	}
	if (existing != NULL && token != 0 && token == existing->t_token) {
		uint32_t n = 0;
		struct thread *o;
		for (o = existing->t_threads; o != NULL; o = o->th_task_next)
			n++;
		if (n >= MACHD_THREADS_PER_TASK) {
			thread_reply(t, KERN_RESOURCE_SHORTAGE, 0, NULL, NULL, 0);
			return;
		}
		task_thread_attach(existing, t);
		v[0] = existing->t_token;
		v[1] = existing->t_self_name;
		v[3] = (uint64_t)existing->t_pid;
		v[4] = existing->t_pidversion;
		thread_reply(t, KERN_SUCCESS, 0, v, NULL, 0);
		return;
	}
	if (existing != NULL && token != 0) {
		/* Only a new image (after exec) comes without the token; a wrong
		 * one is refused rather than taken for an exec. */
		thread_reply(t, KERN_INVALID_ARGUMENT, 0, NULL, NULL, 0);
		return;
	}
	if (existing != NULL && process_alive(existing->t_pidfd))
		parent = existing;        /* the same process after exec: keeps its special ports */
	else if (existing != NULL)
		task_death(existing);     /* a reused pid: the old task is over */
	if (parent == NULL) {
		pid_t ppid = process_ppid(peer->pid);
		parent = ppid > 0 ? task_lookup_pid(ppid) : NULL;
	}
	pidfd = peer_pidfd(t->th_fd, peer->pid);
	if (pidfd < 0) {
		thread_reply(t, KERN_FAILURE, 0, NULL, NULL, 0);
		return;
	}
	kr = task_create(peer->pid, pidfd, peer->uid, peer->gid, parent, &task);
	if (parent != NULL && parent == existing)
		task_death(existing);
	if (kr != KERN_SUCCESS) {
		close(pidfd);
		thread_reply(t, kr, 0, NULL, NULL, 0);
		return;
	}
	if (peer->pid == init_pid)
		task->t_privileged = true;
	if (ev_add(pidfd, EPOLLIN, EV_TASK, task) < 0) {
		task_terminate(task);
		task_free(task);
		thread_reply(t, KERN_RESOURCE_SHORTAGE, 0, NULL, NULL, 0);
		return;
	}
	task_thread_attach(task, t);
	if (IP_VALID(task->itk_special[TASK_BOOTSTRAP_PORT])) {
		ipc_port_t bp = ipc_port_copy_send(task->itk_special[TASK_BOOTSTRAP_PORT]);
		if (ipc_object_copyout(task->itk_space, bp, MACH_MSG_TYPE_PORT_SEND, &bootstrap) != KERN_SUCCESS) {
			ipc_port_release_send(bp);
			bootstrap = MACH_PORT_NULL;
		}
	}
	v[0] = task->t_token;
	v[1] = task->t_self_name;
	v[2] = bootstrap;
	v[3] = (uint64_t)task->t_pid;
	v[4] = task->t_pidversion;
	thread_reply(t, KERN_SUCCESS, 0, v, NULL, 0);
}

static void
server_stats(struct thread *t)
{
	uint64_t v[6];

	v[0] = kalloc_live(KA_PORT);
	v[1] = kalloc_live(KA_KMSG);
	v[2] = kalloc_live(KA_TASK);
	v[3] = kalloc_live(KA_PSET);
	v[4] = kalloc_live(KA_SEMAPHORE);
	v[5] = t->th_task->itk_space->is_inuse;
	thread_reply(t, KERN_SUCCESS, 0, v, NULL, 0);
}

static void
server_simple_trap(struct thread *t, const struct mxp_req *req)
{
	uint64_t v[6] = { 0 };
	struct task *task = t->th_task;
	mach_port_name_t name;
	kern_return_t kr;

	if (req->op == MXP_OP_MACH_REPLY_PORT) {
		kr = mach_port_allocate_receive(task->itk_space, &name);
	} else {   /* TASK_SELF: a new send right each call, as task_self_trap */
		ipc_port_t sr = ipc_port_make_send(task->itk_self);
		kr = ipc_object_copyout(task->itk_space, sr, MACH_MSG_TYPE_PORT_SEND, &name);
		if (kr != KERN_SUCCESS)
			ipc_port_release_send(sr);
	}
	v[0] = kr == KERN_SUCCESS ? name : MACH_PORT_NULL;
	thread_reply(t, kr == KERN_SUCCESS ? KERN_SUCCESS : kr, 0, v, NULL, 0);
}

/*
 * Only a MACH_MSG that sends may carry fds: its message's memfd when it
 * does not fit a datagram (len 0, send_size > MXP_PAYLOAD_MAX: first fd),
 * then the memfds of its out-of-line regions (machd_proto.h).
 */
static const char *
request_fds_check(const struct thread *t, const struct mxp_req *req, int nfds)
{
	if (nfds == 0)
		return NULL;
	if (req->op != MXP_OP_MACH_MSG || !(req->a[0] & MACH_SEND_MSG) || t->th_busy ||
	    t->th_task == NULL)
		return "unexpected file descriptor";
	return NULL;
}

/* Read one request and run it. */
static void
thread_input(struct thread *t, const struct peer *peer)
{
	struct mxp_req req;
	union fd_passing_buf cbuf;
	struct iovec iov = { reqbuf, sizeof(reqbuf) };
	struct msghdr mh;
	int fds[MXP_FDS_MAX], nfds;
	const char *bad = NULL;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	n = recvmsg(t->th_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			thread_schedule_close(t);
		return;
	}
	if (n == 0) {
		thread_schedule_close(t);          /* the thread exited */
		return;
	}
	nfds = fd_passing_collect(&mh, fds, MXP_FDS_MAX);
	if ((mh.msg_flags & MSG_TRUNC) || (size_t)n < sizeof(req))
		bad = (size_t)n < sizeof(req) ? "short request header"
		    : "request larger than the protocol allows";
	else {
		memcpy(&req, reqbuf, sizeof(req));
		if (req.len != (size_t)n - sizeof(req))
			bad = "request length does not match its header";
		else
			bad = request_fds_check(t, &req, nfds);
	}
	if (bad != NULL) {
		close_fds(fds, nfds);
		protocol_error(t, bad);
		return;
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		/* machd is out of fds: the message's regions are lost. */
		close_fds(fds, nfds);
		if ((bad = request_fds_check(t, &req, 1)) != NULL) {
			protocol_error(t, bad);
			return;
		}
		t->th_busy = true;
		t->th_req = req;
		thread_reply(t, MACH_MSG_VM_KERNEL, 0, NULL, NULL, 0);
		return;
	}
	if (nfds > 0) {
		t->th_busy = true;
		t->th_req = req;
		if (req.len == 0 && req.a[1] > MXP_PAYLOAD_MAX)
			mach_msg_trap_memfd(t, &req, fds[0], fds + 1, nfds - 1);
		else
			mach_msg_trap(t, &req, reqbuf + sizeof(req), req.len, fds, nfds);
		return;
	}
	if (req.op == MXP_OP_CANCEL) {
		/* A signal in the caller: interrupt what it waits for, if anything. */
		if (t->th_busy && t->th_waitq != NULL)
			thread_wakeup(t, THREAD_INTERRUPTED);
		return;
	}
	if (t->th_busy) {
		protocol_error(t, "second request before the reply");
		return;
	}
	if ((t->th_task == NULL) != (req.op == MXP_OP_HELLO)) {
		protocol_error(t, t->th_task ? "second HELLO" : "request before HELLO");
		return;
	}
	t->th_busy = true;
	t->th_req = req;
	switch (req.op) {
	case MXP_OP_HELLO:
		server_hello(t, &req, peer);
		break;
	case MXP_OP_STATS:
		server_stats(t);
		break;
	case MXP_OP_MACH_MSG:
		mach_msg_trap(t, &req, reqbuf + sizeof(req), req.len, NULL, 0);
		break;
	case MXP_OP_MACH_REPLY_PORT:
	case MXP_OP_TASK_SELF:
		server_simple_trap(t, &req);
		break;
	case MXP_OP_PORT_INSERT_RIGHT:
	case MXP_OP_PORT_CONSTRUCT:
		mach_port_trap(t, &req);
		break;
	case MXP_OP_SEMA_SIGNAL:
	case MXP_OP_SEMA_SIGNAL_ALL:
	case MXP_OP_SEMA_SIGNAL_THREAD:
	case MXP_OP_SEMA_WAIT:
	case MXP_OP_SEMA_WAIT_SIGNAL:
	case MXP_OP_SEMA_TIMEDWAIT:
	case MXP_OP_SEMA_TIMEDWAIT_SIGNAL:
		semaphore_trap(t, &req);
		break;
	default:
		thread_reply(t, KERN_NOT_SUPPORTED, 0, NULL, NULL, 0);
		break;
	}
}


static void
server_accept(int lfd)
{
	for (int i = 0; i < 64; i++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct channel *ch;
		int size = (int)MXP_SOCKBUF_SIZE;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
			/* Out of descriptors: refuse this peer rather than spin on a
			 * listener that stays readable. */
			close(spare_fd);
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				close(fd);
			spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			continue;
		}
		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    cred.uid != machd_uid) {
			close(fd);                 /* other users are refused */
			continue;
		}
		ch = kalloc(KA_THREAD, sizeof(*ch));
		if (ch == NULL) {
			close(fd);
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		ch->thread.th_fd = fd;
		ch->thread.th_serial = ++thread_serial;
		ch->peer.pid = cred.pid;
		ch->peer.uid = cred.uid;
		ch->peer.gid = cred.gid;
		if (ev_add(fd, EPOLLIN, EV_THREAD, ch) < 0) {
			close(fd);
			kfree(KA_THREAD, ch);
			continue;
		}
		ch->ch_next = all_channels;
		if (all_channels)
			all_channels->ch_prev = ch;
		all_channels = ch;
	}
}

/* --- start-up ------------------------------------------------------------ */

static dev_t sock_dev;
static ino_t sock_ino;

static int
server_listen(const char *path)
{
	struct sockaddr_un sa;
	char tmp[sizeof(sa.sun_path)];
	struct stat st;
	mode_t old;
	int fd = -1, probe;

	if (strlen(path) + 16 >= sizeof(sa.sun_path)) {
		fprintf(stderr, "machd: socket path too long: %s\n", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	/* Another machd on this path? Then leave it alone. */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		fprintf(stderr, "machd: another machd already serves %s\n", path);
		close(probe);
		return -1;
	}
	if (probe >= 0)
		close(probe);
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "machd: %s exists and is not a socket; not replacing it\n", path);
		return -1;
	}
	/* Bind a temporary name, listen, then rename: the path appears only
	 * once connections are accepted. */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	strcpy(sa.sun_path, tmp);
	unlink(tmp);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (chmod(tmp, 0600) < 0 || listen(fd, 128) < 0 || rename(tmp, path) < 0)
		goto fail;
	if (stat(path, &st) == 0) {
		sock_dev = st.st_dev;
		sock_ino = st.st_ino;
	}
	return fd;
fail:
	fprintf(stderr, "machd: cannot listen on %s: %s\n", path, strerror(errno));
	unlink(tmp);
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Every channel, pidfd and out-of-line region in a queued message is an
 * fd: take the hard limit, then give half of it to message memfds (so a
 * flood of OOL messages is refused with MACH_MSG_VM_KERNEL long before
 * accept() or pidfd_open() would fail) and a quarter of that to any one
 * task (MACH_SEND_NO_BUFFER beyond), so that no task can starve others.
 */
static void
raise_fd_limit(bool keep_task_limit)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 30))
		rl.rlim_cur = 1u << 30;
	ipc_kmsg_fd_budget = rl.rlim_cur / 2;
	if (!keep_task_limit)
		ipc_ledger_fd_limit = ipc_kmsg_fd_budget / 4 > 16 ? ipc_kmsg_fd_budget / 4 : 16;
}

static int
spawn_init(char **argv, const char *path)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "machd: cannot start %s: %s\n", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The init task starts as a fresh process would: machd's
		 * blocked and ignored signals are machd's own. */
		sigset_t none;
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)signal(SIGPIPE, SIG_DFL);
		setenv("MACHD_SOCKET", path, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "machd: cannot exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	init_pid = pid;
	init_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (init_pidfd >= 0)
		(void)ev_add(init_pidfd, EPOLLIN, EV_INIT, NULL);
	return 0;
}

/*
 * Wait for events.  With another CPU to run on, poll first for up to
 * machd_spin_us, yielding to whatever else is runnable here: a request
 * that comes within that time costs no sleep and no wake-up, which on a
 * virtual machine costs tens of microseconds (docs/performance.md,
 * "Spinning").  On one CPU a spin would only hold off the tasks machd
 * waits for, so then it blocks at once.
 */
uint64_t machd_spin_us = MACHD_SPIN_US_DEFAULT;

static int
server_wait(struct epoll_event *events, int max)
{
	static struct spin_policy policy;
	uint64_t t0, now;
	int timeout = thread_timer_next_ms(), n;
	bool spin;

	if (machd_spin_us == 0 || timeout == 0)
		return epoll_wait(epfd, events, max, timeout);
	t0 = now = mono_now_ns();
	spin = spin_policy_allows(&policy, now);
	while (spin && now - t0 < machd_spin_us * 1000u) {
		n = epoll_wait(epfd, events, max, 0);
		if (n != 0)
			return n;
		sched_yield();
		now = mono_now_ns();
	}
	return epoll_wait(epfd, events, max, thread_timer_next_ms());
}

int
machd_serve(const struct machd_config *config)
{
	static const struct mig_subsystem *const subsystems[] = {
		&mach_port_subsystem, &task_subsystem,
	};
	struct epoll_event events[64];
	sigset_t mask;
	int lfd, sfd, i, n;
	bool running = true;

	ipc_trace_enabled = config->trace;
	machd_uid = getuid();
	if (!mig_init(subsystems, sizeof(subsystems) / sizeof(subsystems[0])))
		return 1;
	raise_fd_limit(config->ool_fds_set);
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (epfd < 0 || sfd < 0) {
		fprintf(stderr, "machd: epoll/signalfd: %s\n", strerror(errno));
		return 1;
	}
	lfd = server_listen(config->socket_path);
	if (lfd < 0)
		return 1;
	if (ev_add(lfd, EPOLLIN, EV_LISTEN, NULL) < 0 || ev_add(sfd, EPOLLIN, EV_SIGNAL, NULL) < 0) {
		fprintf(stderr, "machd: epoll_ctl: %s\n", strerror(errno));
		return 1;
	}
	if (config->init_argv != NULL && spawn_init(config->init_argv, config->socket_path) < 0)
		return 1;
	if (config->trace)
		fprintf(stderr, "machd: serving %s (trace on)\n", config->socket_path);

	while (running) {
		n = server_wait(events, 64);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "machd: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			uint64_t u = events[i].data.u64;
			switch (EV_KIND(u)) {
			case EV_LISTEN:
				server_accept(lfd);
				break;
			case EV_THREAD: {
				struct channel *ch = EV_PTR(u);
				if (ch->thread.th_fd < 0)
					break;             /* closed earlier in this batch */
				if ((events[i].events & EPOLLOUT) && ch->thread.th_out != NULL)
					thread_flush(&ch->thread);
				if (ch->thread.th_fd >= 0 && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
					thread_input(&ch->thread, &ch->peer);
				break;
			}
			case EV_TASK: {
				struct task *task = EV_PTR(u);
				task_death(task);
				break;
			}
			case EV_INIT: {
				int status = 0;
				(void)waitpid(init_pid, &status, WNOHANG);
				fprintf(stderr, "machd: init task %d exited (status %d)\n",
				    (int)init_pid, status);
				(void)epoll_ctl(epfd, EPOLL_CTL_DEL, init_pidfd, NULL);
				close(init_pidfd);
				init_pidfd = -1;
				break;
			}
			case EV_SIGNAL:
				running = false;
				break;
			}
			thread_run_queue();
		}
		thread_timer_expire();
		thread_run_queue();
		close_list_drain();
	}
	/* Shut down as the kernel would: every channel closes, every task
	 * dies (notifications are moot), nothing is left allocated. */
	{
		struct channel *ch;
		struct task *task;
		for (ch = all_channels; ch != NULL; ch = ch->ch_next)
			thread_schedule_close(&ch->thread);
		while ((task = task_any()) != NULL)
			task_death(task);
		thread_run_queue();
		close_list_drain();
	}
	/* Remove the socket only if it is still ours (another machd may own
	 * the path now). */
	{
		struct stat st;
		if (stat(config->socket_path, &st) == 0 && st.st_dev == sock_dev &&
		    st.st_ino == sock_ino)
			unlink(config->socket_path);
	}
	close(lfd);
	return 0;
}
