/*
 * bench_baseline.c -- what a Linux user would do without machxfer, the
 * floors the other families are divided by (see bench.h):
 *
 *   rpc.pair    two processes exchanging 1 KiB over a SOCK_SEQPACKET
 *               socketpair: one hop each way
 *   rpc.relay   client -> relay -> server and back, all seqpacket: the
 *               shape of a machd round trip (4 datagrams, 3 processes);
 *               the relay blocks in recv on the socket it expects
 *   rpc.relay-epoll  the same relay as an event loop (epoll_wait, then
 *               recv on whichever socket is ready), as machd is built
 *   ool.memcpy  copying the bytes into freshly mapped memory
 *   ool.memfd   a sealed memfd passed over a socket by hand (SCM_RIGHTS)
 *               and mapped copy-on-write by the receiver
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "fd_passing.h"
#include "memfd_sealed.h"

/* ----- 1 KiB round trips -------------------------------------------------- */

struct rpc_sock {
	int  fd;
	char buf[BENCH_RPC_BYTES];
};

static int
pair_one(void *ctx)
{
	struct rpc_sock *s = ctx;

	if (send(s->fd, s->buf, sizeof(s->buf), 0) != (ssize_t)sizeof(s->buf))
		return -1;
	return recv(s->fd, s->buf, sizeof(s->buf), 0) == (ssize_t)sizeof(s->buf) ? 0 : -1;
}

/* Children inherit both ends of every socketpair, so EOF never comes:
 * an empty datagram says "quit". */
static void
say_quit(int fd)
{
	(void)send(fd, "", 0, 0);
}

/* Echo every datagram on fd until an empty one. */
static int
echo_child(void *arg)
{
	int fd = *(int *)arg;
	char buf[BENCH_RPC_BYTES];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (send(fd, buf, (size_t)n, 0) != n)
			return 1;
	return 0;
}

/* Forward in -> out, wait for the answer, forward it back, until an empty
 * datagram, which goes on to the server. */
struct relay_fds { int in, out; };

static int
relay_child(void *arg)
{
	struct relay_fds *r = arg;
	char buf[BENCH_RPC_BYTES];
	ssize_t n;

	while ((n = recv(r->in, buf, sizeof(buf), 0)) > 0) {
		if (send(r->out, buf, (size_t)n, 0) != n)
			return 1;
		n = recv(r->out, buf, sizeof(buf), 0);
		if (n <= 0 || send(r->in, buf, (size_t)n, 0) != n)
			return 1;
	}
	say_quit(r->out);
	return 0;
}

/* The relay as an event loop: whatever is ready goes to the other side. */
static int
relay_epoll_child(void *arg)
{
	struct relay_fds *r = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	char buf[BENCH_RPC_BYTES];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	ssize_t n;

	ev.data.fd = r->in;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, r->in, &ev) < 0)
		return 1;
	ev.data.fd = r->out;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, r->out, &ev) < 0)
		return 1;
	while (epoll_wait(ep, &ev, 1, -1) == 1) {
		int from = ev.data.fd, to = from == r->in ? r->out : r->in;

		n = recv(from, buf, sizeof(buf), 0);
		if (n <= 0 && from == r->in)
			break;
		if (n <= 0 || send(to, buf, (size_t)n, 0) != n)
			return 1;
	}
	say_quit(r->out);
	close(ep);
	return 0;
}

static void
pair_rtt(struct bench *b, const char *tag)
{
	struct rpc_sock s;
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];
	int sv[2];
	pid_t echo;

	snprintf(key, sizeof(key), "rpc.pair.%s", tag);
	snprintf(what, sizeof(what), "1 KiB round trip, socketpair, 2 processes (%s)", tag);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
		bench_fail(b, "rpc", what, strerror(errno));
		return;
	}
	echo = bench_fork(echo_child, &sv[1]);
	close(sv[1]);
	memset(s.buf, 0x5a, sizeof(s.buf));
	s.fd = sv[0];
	bench_rtt(b, key, what, NULL, pair_one, &s, bench_rtt_procs_for(tag, echo, 0));
	say_quit(sv[0]);
	close(sv[0]);
	(void)bench_wait(echo);
}

static void
relay_rtt(struct bench *b, const char *tag, const char *name, int (*relay_fn)(void *),
    const char *how)
{
	struct rpc_sock s;
	struct relay_fds r;
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX], pair[BENCH_KEY_MAX];
	int a[2], c[2];
	pid_t relay, server;

	snprintf(key, sizeof(key), "rpc.%s.%s", name, tag);
	snprintf(pair, sizeof(pair), "rpc.pair.%s", tag);
	snprintf(what, sizeof(what), "1 KiB round trip, client -> relay -> server, %s (%s)", how,
	    tag);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c) < 0) {
		bench_fail(b, "rpc", what, strerror(errno));
		return;
	}
	server = bench_fork(echo_child, &c[1]);
	close(c[1]);
	r.in = a[1];
	r.out = c[0];
	relay = bench_fork(relay_fn, &r);
	close(a[1]);
	close(c[0]);
	memset(s.buf, 0x5a, sizeof(s.buf));
	s.fd = a[0];
	bench_rtt(b, key, what, pair, pair_one, &s, bench_rtt_procs_for(tag, server, relay));
	say_quit(a[0]);
	close(a[0]);
	(void)bench_wait(relay);
	(void)bench_wait(server);
}

void
bench_baseline_rpc(struct bench *b, const char *tag)
{
	pair_rtt(b, tag);
	relay_rtt(b, tag, "relay", relay_child, "relay blocks in recv");
	relay_rtt(b, tag, "relay-epoll", relay_epoll_child, "relay in an epoll loop");
}

/* ----- moving bytes -------------------------------------------------------- */

/* memcpy of `size` prepared bytes into memory mapped just before. */
static void
memcpy_fresh(struct bench *b, uint64_t size)
{
	int i, iters = bench_ool_iters(b, size);
	double gbps[BENCH_OOL_ITERS_MAX];
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];
	void *src;

	bench_ool_names(size, "memcpy", key, what, "memcpy into freshly mapped memory");
	src = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED) {
		bench_fail(b, "ool", what, strerror(errno));
		return;
	}
	memset(src, 0x5a, size);
	for (i = 0; i < iters; i++) {
		uint64_t t0 = bench_ns();
		void *dst = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (dst == MAP_FAILED)
			break;
		memcpy(dst, src, size);
		gbps[i] = (double)size / (double)(bench_ns() - t0);
		munmap(dst, size);
	}
	munmap(src, size);
	if (i < iters)
		bench_fail(b, "ool", what, "mmap failed");
	else
		bench_record(b, key, "ool", what, BU_GBPS, gbps, iters, NULL);
}

struct memfd_sender {
	int      fd;        /* socket to the receiver */
	uint64_t size;
};

int
bench_memfd_filled(uint64_t size, void **map)
{
	int fd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *p;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		goto fail;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	memset(p, 0x5a, size);
	*map = p;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Per go byte: make the data, then (timed) give up our mapping, seal the
 * memfd and send it: a move, done by hand. */
static int
memfd_sender_child(void *arg)
{
	struct memfd_sender *s = arg;
	union fd_passing_buf cbuf;
	char go;

	while (recv(s->fd, &go, 1, 0) == 1 && go == 'g') {
		void *map = NULL;
		int fd = bench_memfd_filled(s->size, &map);
		uint64_t t0 = bench_ns();
		struct iovec iov = { &t0, sizeof(t0) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (fd < 0 || munmap(map, s->size) < 0 ||
		    fcntl(fd, F_ADD_SEALS, MEMFD_SEALS_REQUIRED) < 0)
			return 1;
		fd_passing_attach(&mh, &cbuf, &fd, 1);
		if (sendmsg(s->fd, &mh, 0) < 0)
			return 1;
		close(fd);
	}
	return 0;
}

/* Receive one memfd, map it copy-on-write: seconds since the sender began. */
static double
memfd_receive(int sock, uint64_t size, bool touch)
{
	union fd_passing_buf cbuf;
	uint64_t t0;
	struct iovec iov = { &t0, sizeof(t0) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
	    .msg_controllen = sizeof(cbuf.buf) };
	double dt;
	void *p;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(t0) ||
	    fd_passing_collect(&mh, &fd, 1) != 1)
		return -1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	if (touch)
		bench_ool_touch(p, size);
	dt = (double)(bench_ns() - t0) / 1e9;
	munmap(p, size);
	return dt;
}

static void
memfd_by_hand(struct bench *b, uint64_t size, bool touch)
{
	int i, iters = bench_ool_iters(b, size), sv[2];
	double gbps[BENCH_OOL_ITERS_MAX];
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX];
	struct memfd_sender s = { .size = size };
	pid_t pid;

	bench_ool_names(size, touch ? "memfd-touch" : "memfd", key, what, touch ?
	    "sealed memfd over a socket by hand, receiver reads every page" :
	    "sealed memfd over a socket by hand (SCM_RIGHTS), mapped");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
		bench_fail(b, "ool", what, strerror(errno));
		return;
	}
	s.fd = sv[1];
	pid = bench_fork(memfd_sender_child, &s);
	close(sv[1]);
	for (i = 0; i < iters; i++) {
		double dt;

		if (send(sv[0], "g", 1, 0) != 1 || (dt = memfd_receive(sv[0], size, touch)) <= 0)
			break;
		gbps[i] = (double)size / dt / 1e9;
	}
	(void)send(sv[0], "q", 1, 0);
	close(sv[0]);
	if (bench_wait(pid) != 0 || i < iters)
		bench_fail(b, "ool", what, "the transfer failed");
	else
		bench_record(b, key, "ool", what, BU_GBPS, gbps, iters, bench_ool_key(size, "memcpy"));
}

void
bench_baseline_ool(struct bench *b, const uint64_t *sizes, int nsizes)
{
	int i;

	for (i = 0; i < nsizes; i++) {
		memcpy_fresh(b, sizes[i]);
		memfd_by_hand(b, sizes[i], false);
		if (sizes[i] == BENCH_OOL_TOUCH_SIZE)
			memfd_by_hand(b, sizes[i], true);
	}
}
