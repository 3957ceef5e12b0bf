/*
 * mach_init.c -- libmach's process and thread state, and the one
 * request/reply path to machd that every call goes through.
 *
 * Each OS thread talks to machd over its own channel (machd_proto.h): a
 * SOCK_SEQPACKET socket opened on the thread's first call and closed at
 * thread exit.  The first channel of a process introduces a new image
 * (HELLO with token 0) and learns the task token, mach_task_self_ and
 * bootstrap_port; later channels present the token to join that task.
 *
 * Channels are forgotten as a whole by libmach_reinit() and in a fork
 * child; a generation counter tells each thread that its cached channel
 * (and MIG reply port) belongs to an earlier generation.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "libmach_internal.h"
#include "fd_passing.h"
#include "mono_clock.h"
#include "spin_policy.h"
#include "libmach_private.h"

/* --- data symbols the headers declare ------------------------------------ */

mach_port_t mach_task_self_ = MACH_PORT_NULL;
mach_port_t bootstrap_port = MACH_PORT_NULL;

vm_size_t vm_page_size;
vm_size_t vm_page_mask;
int vm_page_shift;
vm_size_t vm_kernel_page_size;
vm_size_t vm_kernel_page_mask;
int vm_kernel_page_shift;

const security_token_t KERNEL_SECURITY_TOKEN = KERNEL_SECURITY_TOKEN_VALUE;
const audit_token_t KERNEL_AUDIT_TOKEN = KERNEL_AUDIT_TOKEN_VALUE;

/* --- state ------------------------------------------------------------------ */

/* A thread's channel; lives in TLS, linked on chan_list while open. */
struct chan {
	int             fd;         /* -1: none */
	unsigned        gen;        /* chan_gen when opened */
	bool            listed;     /* on chan_list (its fd is ours to close) */
	bool            keyed;      /* registered with chan_key */
	struct chan     *next;
};

static __thread struct chan tls_chan = { .fd = -1 };
static __thread bool tls_busy;          /* a call is using tls_chan */

/*
 * Lock order: init_lock, then list_lock.  init_lock serialises opening
 * channels (so two threads never both introduce the image), reinit and
 * fork; list_lock protects chan_list and every chan's listed/next.
 */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chan *chan_list;
static atomic_uint chan_gen = 1;        /* TLS starts at 0: never current */
static uint64_t task_token;             /* 0: no task yet (init_lock) */
static char sock_path[4096];            /* init_lock; read-only elsewhere */
static bool path_ready;
static atomic_int warned;
static pthread_key_t chan_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* --- page size -------------------------------------------------------------- */

vm_size_t
mxp_page_size(void)
{
	long sz;
	int shift = 0;

	if (vm_page_size != 0)
		return vm_page_size;
	sz = sysconf(_SC_PAGESIZE);
	if (sz <= 0)
		sz = 4096;
	while ((1L << shift) < sz)
		shift++;
	vm_page_shift = vm_kernel_page_shift = shift;
	vm_page_mask = vm_kernel_page_mask = (vm_size_t)sz - 1;
	vm_kernel_page_size = (vm_size_t)sz;
	vm_page_size = (vm_size_t)sz;
	return vm_page_size;
}

/*
 * Adaptive spinning before a wait (docs/performance.md, "Spinning").  A
 * reply that comes within a few microseconds is taken without sleeping:
 * the CPU never idles, so nobody pays for waking it, which on a virtual
 * machine costs tens of microseconds.  The spin yields to any other
 * runnable thread, so it only uses time the CPU would spend idle.  It is
 * tried only when this thread may run on more than one CPU (else the spin
 * would hold off machd itself), and only for waits a signal cannot
 * interrupt (a handler that ran during the spin would go unnoticed).
 * LIBMACH_SPIN_US sets the time; 0 turns it off.
 */
#define SPIN_US_DEFAULT      5

static _Atomic uint64_t spin_ns = SPIN_US_DEFAULT * 1000u;
static _Atomic uint64_t spin_tries;                 /* libmach_spin_tries */
static __thread struct spin_policy spin_policy;

uint64_t
libmach_spin_tries(void)
{
	return atomic_load(&spin_tries);
}

/* LIBMACH_SPIN_US, read with the socket path (at start and at
 * libmach_reinit); a value that is not a number up to 1000000 keeps the
 * default. */
static void
spin_setup(void)
{
	const char *env = getenv("LIBMACH_SPIN_US");
	unsigned long us = SPIN_US_DEFAULT;
	char *end;

	if (env != NULL && *env != '\0') {
		errno = 0;
		us = strtoul(env, &end, 10);
		if (*end != '\0' || errno != 0 || *env == '-' || us > 1000000)
			us = SPIN_US_DEFAULT;
	}
	atomic_store(&spin_ns, (uint64_t)us * 1000u);
}

/* --- socket path ------------------------------------------------------------ */

/* MACHD_SOCKET, else $XDG_RUNTIME_DIR/machd.sock, else /tmp/machd-$UID.sock. */
static void
path_setup(void)
{
	const char *env = getenv("MACHD_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (env != NULL && *env != '\0')
		snprintf(sock_path, sizeof(sock_path), "%s", env);
	else if (xdg != NULL && *xdg != '\0')
		snprintf(sock_path, sizeof(sock_path), "%s/machd.sock", xdg);
	else
		snprintf(sock_path, sizeof(sock_path), "/tmp/machd-%u.sock",
		    (unsigned)getuid());
	spin_setup();
	path_ready = true;
}

/* --- opening a channel (async-signal-safe: also used in the fork child) ---- */

/* A socket connected to machd, or -1 with errno set. */
static int
chan_connect(void)
{
	struct sockaddr_un sa;
	size_t n = strlen(sock_path);
	int fd, sz = (int)MXP_SOCKBUF_SIZE, err;

	if (n >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, n + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* Best effort: without them large messages may fail with EMSGSIZE. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* HELLO on a fresh socket: token 0 = new image, else join that task. */
static int
chan_hello(int fd, uint64_t token, struct mxp_rep *rep)
{
	struct mxp_req req;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_HELLO;
	req.a[0] = MXP_VERSION;
	req.a[1] = token;
	do
		n = send(fd, &req, sizeof(req), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	do
		n = recv(fd, rep, sizeof(*rep), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = ECONNRESET;
		return -1;
	}
	if ((size_t)n < sizeof(*rep) || rep->op != MXP_OP_HELLO ||
	    rep->code != KERN_SUCCESS) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/*
 * A new channel joined to this process's task, introducing the image
 * first if there is no task yet.  init_lock held.  -1 with *errp set.
 */
static int
chan_open_locked(int *errp)
{
	struct mxp_rep rep;
	int fd;

	if (!path_ready)
		path_setup();
	fd = chan_connect();
	if (fd < 0)
		goto fail;
	if (chan_hello(fd, task_token, &rep) < 0) {
		*errp = errno;
		close(fd);
		return -1;
	}
	if (task_token == 0) {
		task_token = rep.v[0];
		mach_task_self_ = (mach_port_t)rep.v[1];
		bootstrap_port = (mach_port_t)rep.v[2];
	}
	return fd;
fail:
	*errp = errno;
	return -1;
}

/* --- the channel list ------------------------------------------------------- */

/* list_lock held. */
static void
chan_unlink_locked(struct chan *c)
{
	struct chan **pp;

	for (pp = &chan_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->listed = false;
	c->next = NULL;
}

/* list_lock held: c (the caller's) now owns fd. */
static void
chan_link_locked(struct chan *c, int fd)
{
	c->fd = fd;
	c->gen = atomic_load(&chan_gen);
	c->next = chan_list;
	chan_list = c;
	c->listed = true;
}

/* Close the channel at thread exit (after releasing the reply port). */
static void
chan_key_destructor(void *p)
{
	struct chan *c = p;
	bool mine;

	pthread_mutex_lock(&list_lock);
	mine = c->listed;
	pthread_mutex_unlock(&list_lock);
	if (mine)
		mig_reply_port_thread_exit();
	pthread_mutex_lock(&list_lock);
	if (c->listed) {
		chan_unlink_locked(c);
		close(c->fd);
	}
	c->fd = -1;
	c->keyed = false;
	pthread_mutex_unlock(&list_lock);
}

/* The caller's channel is broken: close it so the next call reconnects. */
static void
chan_drop(struct chan *c)
{
	pthread_mutex_lock(&list_lock);
	if (c->listed) {
		chan_unlink_locked(c);
		close(c->fd);
	}
	pthread_mutex_unlock(&list_lock);
	c->fd = -1;
}

/*
 * Close every channel and forget the task.  list_lock held.  `shut`:
 * also shut the sockets down, which wakes threads blocked on them; never
 * in a fork child, whose sockets are shared with the parent.
 */
static void
forget_all_locked(bool shut)
{
	struct chan *c, *next;

	for (c = chan_list; c != NULL; c = next) {
		next = c->next;
		if (shut)
			(void)shutdown(c->fd, SHUT_RDWR);
		close(c->fd);
		c->listed = false;
		c->next = NULL;
	}
	chan_list = NULL;
	atomic_fetch_add(&chan_gen, 1);
	task_token = 0;
	mach_task_self_ = MACH_PORT_NULL;
	bootstrap_port = MACH_PORT_NULL;
}

/* --- fork ---------------------------------------------------------------------- */

static void
fork_prepare(void)
{
	pthread_mutex_lock(&init_lock);
	pthread_mutex_lock(&list_lock);
}

static void
fork_parent(void)
{
	pthread_mutex_unlock(&list_lock);
	pthread_mutex_unlock(&init_lock);
}

/*
 * The child is a new task: drop the inherited channels (other threads'
 * too) and introduce the child right away, so mach_task_self_ is valid
 * before its first call; if machd is not there, the first call retries.
 */
static void
fork_child(void)
{
	int fd, err;

	forget_all_locked(false);
	tls_chan.fd = -1;
	fd = chan_open_locked(&err);
	if (fd >= 0)
		chan_link_locked(&tls_chan, fd);
	pthread_mutex_unlock(&list_lock);
	pthread_mutex_unlock(&init_lock);
}

static void
key_create(void)
{
	(void)pthread_key_create(&chan_key, chan_key_destructor);
	(void)pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* --- getting the caller's channel -------------------------------------------- */

/* init_lock held: open a channel for the caller and register it. */
static int
chan_attach_locked(struct chan *c, int *errp)
{
	int fd = chan_open_locked(errp);

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&list_lock);
	if (c->listed)
		chan_unlink_locked(c);
	chan_link_locked(c, fd);
	pthread_mutex_unlock(&list_lock);
	if (!c->keyed) {
		(void)pthread_setspecific(chan_key, c);
		c->keyed = true;
	}
	return fd;
}

/* The caller's channel, opened if needed; -1 with *errp set. */
static int
chan_get(int *errp)
{
	struct chan *c = &tls_chan;
	int fd;

	/* A stale fd was closed by reinit/fork (its number may be reused). */
	if (c->fd >= 0 && c->gen == atomic_load(&chan_gen))
		return c->fd;
	c->fd = -1;
	pthread_once(&key_once, key_create);
	pthread_mutex_lock(&init_lock);
	fd = chan_attach_locked(c, errp);
	pthread_mutex_unlock(&init_lock);
	return fd;
}

/* The one line a process prints when machd is missing. */
static void
warn_unreachable(int err)
{
	char buf[128];
	const char *msg;

	if (atomic_exchange(&warned, 1))
		return;
	msg = strerror_r(err, buf, sizeof(buf));
	dprintf(STDERR_FILENO, "libmach: cannot reach machd at %s: %s; "
	    "start it with: machd --socket %s &\n", sock_path, msg, sock_path);
}

/* --- request / reply ------------------------------------------------------------ */

/* The request datagram: header, payload pieces, and fds (SCM_RIGHTS). */
static kern_return_t
chan_send(int fd, struct mxp_req *req, const struct iovec *payload, int npayload,
    const int *fds, int nfds)
{
	struct iovec iov[1 + MXP_IOV_MAX];
	struct msghdr mh;
	union fd_passing_buf cbuf;
	ssize_t n;
	int i;

	if (nfds > MXP_FDS_MAX)
		return MACH_SEND_TOO_LARGE;
	iov[0].iov_base = req;
	iov[0].iov_len = sizeof(*req);
	for (i = 0; i < npayload && i < MXP_IOV_MAX; i++)
		iov[1 + i] = payload[i];
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)(1 + i);
	fd_passing_attach(&mh, &cbuf, fds, nfds);
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return KERN_SUCCESS;    /* a datagram goes whole or not at all */
	if (errno == EFAULT)
		return MACH_SEND_INVALID_DATA;
	if (errno == EMSGSIZE || errno == ENOBUFS)
		return MACH_SEND_TOO_LARGE;
	if (errno == ETOOMANYREFS)
		return MACH_MSG_VM_KERNEL;      /* too many fds in flight for this user */
	return MXP_KR_UNREACHABLE;
}

/*
 * An interruptible wait: until the reply is readable.  poll() is never
 * restarted after a signal handler, even with SA_RESTART, so every signal
 * that runs a handler is noticed, as a Mach trap notices it, and machd
 * answers the request early (CANCEL: MACH_RCV_INTERRUPTED, KERN_ABORTED).
 * A stop and a continue run no handler, and poll() sleeps on through them,
 * as the trap does.  (A receive timeout on the socket would save the
 * poll() but end the wait on a stop as well.)
 */
static int
chan_wait(int fd, bool *cancelled)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct mxp_req cancel;
	ssize_t n;

	if (poll(&p, 1, -1) >= 0)
		return 0;
	if (errno != EINTR)
		return -1;
	memset(&cancel, 0, sizeof(cancel));
	cancel.op = MXP_OP_CANCEL;
	do
		n = send(fd, &cancel, sizeof(cancel), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	*cancelled = true;
	return 0;
}

/* Out-of-line memory arrives as memfds with the reply (MXP_REP_OOL). */
__thread int libmach_rcv_fds[LIBMACH_RCV_FDS_MAX];
__thread int libmach_rcv_nfds;

void
libmach_rcv_fds_close(void)
{
	for (int i = 0; i < libmach_rcv_nfds; i++)
		if (libmach_rcv_fds[i] >= 0)
			close(libmach_rcv_fds[i]);   /* -1: taken by whoever used it */
	libmach_rcv_nfds = 0;
}

/* How long this wait may spin, in ns; 0: not at all.  `now` is set when
 * the result is not 0. */
static uint64_t
spin_limit(uint64_t *now)
{
	uint64_t limit = atomic_load_explicit(&spin_ns, memory_order_relaxed);

	if (limit == 0)
		return 0;
	*now = mono_now_ns();
	return spin_policy_allows(&spin_policy, *now) ? limit : 0;
}

/* recvmsg without sleeping for up to the spin limit: the datagram, an
 * error, or -1 with EAGAIN when it is time to sleep. */
static ssize_t
chan_recv_spin(int fd, struct msghdr *mh)
{
	uint64_t t0 = 0, limit = spin_limit(&t0);
	ssize_t n;

	if (limit == 0) {
		errno = EAGAIN;
		return -1;
	}
	atomic_fetch_add_explicit(&spin_tries, 1, memory_order_relaxed);
	do {
		n = recvmsg(fd, mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return n;
		sched_yield();
	} while (mono_now_ns() - t0 < limit);
	errno = EAGAIN;
	return -1;
}

static kern_return_t
chan_recv(int fd, uint32_t op, struct mxp_rep *rep, void *rbuf,
    uint32_t rbuf_len, int interruptible)
{
	struct iovec iov[2] = {
		{ .iov_base = rep, .iov_len = sizeof(*rep) },
		{ .iov_base = rbuf, .iov_len = rbuf_len },
	};
	struct msghdr mh;
	union fd_passing_buf cbuf;
	bool cancelled = !interruptible;
	kern_return_t kr;
	ssize_t n;

	libmach_rcv_fds_close();
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = rbuf_len != 0 ? 2 : 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	if (!interruptible) {
		/* No signal ends this wait: spin (where it helps), then one
		 * system call to wait and read. */
		n = chan_recv_spin(fd, &mh);
		while (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} else {
		for (;;) {
			if (!cancelled && chan_wait(fd, &cancelled) < 0) {
				n = -1;
				break;
			}
			n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
			if (n >= 0 || errno != EINTR)
				break;
		}
	}
	if (n >= 0)
		libmach_rcv_nfds = fd_passing_collect(&mh, libmach_rcv_fds, LIBMACH_RCV_FDS_MAX);
	if (n < 0 && errno == EFAULT)
		kr = MACH_RCV_INVALID_DATA;     /* the datagram is consumed */
	else if (n < (ssize_t)sizeof(*rep) || rep->op != op)
		kr = MXP_KR_UNREACHABLE;        /* EOF, reset or out of step */
	else if (mh.msg_flags & MSG_TRUNC)
		kr = MACH_RCV_INVALID_DATA;     /* machd ignored our limit */
	else {
		rep->len = (uint32_t)((size_t)n - sizeof(*rep));
		return rep->code;
	}
	memset(rep, 0, sizeof(*rep));
	return kr;
}

/*
 * A call made while the thread's channel is busy -- from a signal handler
 * that interrupted a call, as macOS code may do with semaphore_signal or
 * mach_msg -- must not disturb the request in flight: it gets a channel
 * of its own for the one call, opened without locks (async-signal-safe).
 */
static kern_return_t
mxp_call_nested(struct mxp_req *req, const struct mxp_out *out,
    struct mxp_rep *rep, void *rbuf, uint32_t rbuf_len, int interruptible)
{
	uint64_t token = task_token;
	kern_return_t kr = MXP_KR_UNREACHABLE;
	int fd = chan_connect();

	if (fd < 0) {
		warn_unreachable(errno);
		return kr;
	}
	if (token != 0 && chan_hello(fd, token, rep) == 0) {
		memset(rep, 0, sizeof(*rep));
		kr = chan_send(fd, req, out->iov, out->niov, out->fds, out->nfds);
		if (kr == KERN_SUCCESS)
			kr = chan_recv(fd, req->op, rep, rbuf, rbuf_len, interruptible);
	}
	close(fd);
	return kr;
}

kern_return_t
mxp_call(struct mxp_req *req, const void *payload, uint32_t len,
    struct mxp_rep *rep, void *rbuf, uint32_t rbuf_len, int interruptible)
{
	struct mxp_out out = { .niov = len != 0 };

	out.iov[0].iov_base = (void *)(uintptr_t)payload;
	out.iov[0].iov_len = len;
	return mxp_call_out(req, &out, rep, rbuf, rbuf_len, interruptible);
}

kern_return_t
mxp_call_out(struct mxp_req *req, const struct mxp_out *out,
    struct mxp_rep *rep, void *rbuf, uint32_t rbuf_len, int interruptible)
{
	kern_return_t kr;
	size_t len = 0;
	int fd, err = 0, i;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < out->niov; i++)
		len += out->iov[i].iov_len;
	req->len = (uint32_t)len;
	if (tls_busy)
		return mxp_call_nested(req, out, rep, rbuf, rbuf_len, interruptible);
	tls_busy = true;
	fd = chan_get(&err);
	if (fd < 0) {
		tls_busy = false;
		warn_unreachable(err);
		return MXP_KR_UNREACHABLE;
	}
	kr = chan_send(fd, req, out->iov, out->niov, out->fds, out->nfds);
	if (kr == KERN_SUCCESS)
		kr = chan_recv(fd, req->op, rep, rbuf, rbuf_len, interruptible);
	if (kr == MXP_KR_UNREACHABLE)
		chan_drop(&tls_chan);   /* the next call reconnects */
	tls_busy = false;
	return kr;
}

kern_return_t
mxp_trap4(uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, int interruptible)
{
	struct mxp_req req;
	struct mxp_rep rep;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.a[0] = a0;
	req.a[1] = a1;
	req.a[2] = a2;
	req.a[3] = a3;
	return mxp_trap(&req, &rep, interruptible);
}

kern_return_t
mxp_trap(struct mxp_req *req, struct mxp_rep *rep, int interruptible)
{
	kern_return_t kr = mxp_call(req, NULL, 0, rep, NULL, 0, interruptible);

	return kr == MXP_KR_UNREACHABLE ? KERN_FAILURE : kr;
}

unsigned
mxp_generation(void)
{
	return atomic_load(&chan_gen);
}

/* --- start-up and private entry points ----------------------------------------- */

/* Connect early and quietly, so mach_task_self() is valid in main(). */
__attribute__((constructor))
static void
libmach_init(void)
{
	int err;

	(void)mxp_page_size();
	pthread_once(&key_once, key_create);
	pthread_mutex_lock(&init_lock);
	if (task_token == 0 && tls_chan.fd < 0)
		(void)chan_attach_locked(&tls_chan, &err);
	pthread_mutex_unlock(&init_lock);
}

int
libmach_reinit(void)
{
	int fd, err;

	pthread_once(&key_once, key_create);
	pthread_mutex_lock(&init_lock);
	pthread_mutex_lock(&list_lock);
	forget_all_locked(true);
	pthread_mutex_unlock(&list_lock);
	tls_chan.fd = -1;
	path_setup();
	atomic_store(&warned, 0);
	fd = chan_attach_locked(&tls_chan, &err);
	pthread_mutex_unlock(&init_lock);
	return fd >= 0 ? 0 : -1;
}

kern_return_t
libmach_stats(uint64_t out[6])
{
	struct mxp_req req;
	struct mxp_rep rep;
	kern_return_t kr;

	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_STATS;
	kr = mxp_trap(&req, &rep, 0);
	if (kr == KERN_SUCCESS)
		memcpy(out, rep.v, sizeof(rep.v));
	return kr;
}
