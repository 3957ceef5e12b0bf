/*
 * test_xferd.c -- xferd as deployed: a private machd whose init task is
 * launchd, the shipped plist/com.machxfer.xferd.plist bootstrapped with
 * launchctl, and every routine of <xfer/xfer.h> called through the client
 * stubs (src/tools/xfer_client.c): inline and out-of-line data, handoff,
 * subscribe and watch, malformed requests, clients that never read their
 * replies or flood xferd, per-client limits, durability across SIGKILL
 * with three clients storing, and the xfer command line.
 *
 * launchd finds xferd on its PATH ($MACHXFER_BUILD/bin is put first) and
 * the state directory under $HOME (a directory of this test).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <xfer/xfer.h>

#include "ld_test_util.h"
#include "machd_harness.h"
#include "xfer_client.h"

#define MIB (1024u * 1024u)

static char home[64];

static uint8_t
pattern(uint64_t i, uint32_t seed)
{
	return (uint8_t)(((i * 2654435761u) >> 11) ^ seed);
}

static void *
filled(uint64_t len, uint32_t seed)
{
	vm_address_t a = 0;
	uint8_t *b;

	assert_int_equal(vm_allocate(mach_task_self(), &a, len ? len : 1, VM_FLAGS_ANYWHERE),
	    KERN_SUCCESS);
	b = (uint8_t *)a;
	for (uint64_t i = 0; i < len; i++)
		b[i] = pattern(i, seed);
	return b;
}

static void
unfill(void *p, uint64_t len)
{
	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)p, len ? len : 1), KERN_SUCCESS);
}

static void
assert_pattern(const struct xfer_data *d, uint64_t len, uint32_t seed)
{
	const uint8_t *b = d->bytes;

	assert_int_equal(d->len, len);
	assert_int_equal(d->region, len > XFER_INLINE_MAX);
	for (uint64_t i = 0; i < len; i++)
		if (b[i] != pattern(i, seed))
			fail_msg("byte %llu differs", (unsigned long long)i);
}

static struct xfer_conn
conn(void)
{
	struct xfer_conn c;

	assert_int_equal(xfer_connect(&c, NULL), KERN_SUCCESS);
	return c;
}

static pid_t
xferd_pid(void)
{
	return (pid_t)atol(ld_field(XFER_SERVICE_NAME, "pid"));
}

/* --- group setup: machd + launchd + the shipped plist ---------------------------- */

static int
group_setup(void **state)
{
	char path[2048];
	const char *out, *b = getenv("MACHXFER_BUILD");

	(void)state;
	snprintf(home, sizeof(home), "/tmp/machxfer-xferd.XXXXXX");
	if (b == NULL || mkdtemp(home) == NULL)
		return -1;
	setenv("HOME", home, 1);
	snprintf(path, sizeof(path), "%s/bin:%s", b, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	if (ld_start() != 0)
		return -1;
	if (ld_ctl(&out, "bootstrap gui/%u plist/com.machxfer.xferd.plist", (unsigned)getuid()) != 0) {
		fprintf(stderr, "launchctl bootstrap: %s\n", out);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	int rc = ld_stop();

	(void)state;
	ld_rmdir(home);
	return rc;
}

/* ===== data ===================================================================== */

static void
test_echo_inline_and_ool(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 1024, 1025, 64 * 1024, 64 * MIB };
	struct xfer_conn c = conn();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *buf = filled(sizes[i], (uint32_t)i);
		struct xfer_data d;
		assert_int_equal(xfer_echo(&c, buf, sizes[i], &d), KERN_SUCCESS);
		assert_pattern(&d, sizes[i], (uint32_t)i);
		xfer_data_free(&d);
		unfill(buf, sizes[i]);
	}
	xfer_disconnect(&c);
}

static void
test_store_fetch_list_remove(void **state)
{
	struct xfer_conn c = conn();
	struct xfer_data d;
	void *small = filled(1000, 1), *big = filled(3 * MIB, 2);
	struct xfer_stats st0, st1;
	uint64_t n = 0;
	char key[200];

	(void)state;
	assert_int_equal(xfer_store(&c, "t-small", small, 1000, false, &n), KERN_SUCCESS);
	assert_int_equal(n, 1000);
	assert_int_equal(xfer_store(&c, "t-big", big, 3 * MIB, true, &n), KERN_SUCCESS);
	assert_int_equal(n, 3 * MIB);
	assert_int_equal(xfer_fetch(&c, "t-small", &d), KERN_SUCCESS);
	assert_pattern(&d, 1000, 1);
	xfer_data_free(&d);
	assert_int_equal(xfer_fetch(&c, "t-big", &d), KERN_SUCCESS);
	assert_pattern(&d, 3 * MIB, 2);
	xfer_data_free(&d);
	/* Twice: xferd sends its region again, unchanged, and without
	 * copying a byte (its libmach's counters say so). */
	assert_int_equal(xfer_stats(&c, &st0), KERN_SUCCESS);
	assert_int_equal(xfer_fetch(&c, "t-big", &d), KERN_SUCCESS);
	assert_pattern(&d, 3 * MIB, 2);
	xfer_data_free(&d);
	assert_int_equal(xfer_stats(&c, &st1), KERN_SUCCESS);
	assert_int_equal(st1.ool_bytes_copied, st0.ool_bytes_copied);
	assert_int_equal(st1.ool_zero_copy, st0.ool_zero_copy + 1);
	assert_int_equal(xfer_list(&c, &d), KERN_SUCCESS);
	assert_non_null(memmem(d.bytes, d.len, "t-big\t3145728\n", 14));
	assert_non_null(memmem(d.bytes, d.len, "t-small\t1000\n", 13));
	xfer_data_free(&d);
	assert_int_equal(xfer_remove(&c, "t-small", &n), KERN_SUCCESS);
	assert_int_equal(n, 1000);
	assert_int_equal(xfer_remove(&c, "t-big", &n), KERN_SUCCESS);
	assert_int_equal(xfer_fetch(&c, "t-small", &d), XFER_E_NO_KEY);
	assert_int_equal(xfer_remove(&c, "t-small", &n), XFER_E_NO_KEY);
	/* Keys: not empty, shorter than XFER_KEY_MAX. */
	assert_int_equal(xfer_store(&c, "", small, 10, false, &n), XFER_E_BAD_KEY);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(xfer_store(&c, key, small, 10, false, &n), XFER_E_BAD_KEY);
	key[XFER_KEY_MAX - 1] = '\0';
	assert_int_equal(xfer_store(&c, key, small, 10, false, &n), KERN_SUCCESS);
	assert_int_equal(xfer_remove(&c, key, &n), KERN_SUCCESS);
	unfill(small, 1000);
	xfer_disconnect(&c);
}

/* ===== rights =================================================================== */

static void
test_handoff(void **state)
{
	struct xfer_conn c = conn();
	mach_port_t p;
	struct xfer_data d;
	const xfer_drained_t *r;
	uint64_t count = 0;
	unsigned i;

	(void)state;
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p),
	    KERN_SUCCESS);
	for (i = 0; i < 5; i++) {
		struct { mach_msg_header_t h; uint32_t body[4]; } m;
		memset(&m, 0, sizeof(m));
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
		m.h.msgh_remote_port = p;
		m.h.msgh_id = (mach_msg_id_t)(500 + i);
		m.body[0] = i * 7;
		assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), KERN_SUCCESS);
	}
	assert_int_equal(xfer_handoff(&c, p, &count, &d), KERN_SUCCESS);
	assert_int_equal(count, 5);
	assert_int_equal(d.len, 5 * sizeof(xfer_drained_t));
	r = d.bytes;
	for (i = 0; i < 5; i++) {
		uint32_t body[4] = { i * 7, 0, 0, 0 };
		assert_int_equal(r[i].id, 500 + i);
		assert_int_equal(r[i].size, sizeof(mach_msg_header_t) + sizeof(body));
		assert_int_equal(r[i].checksum, xfer_checksum(body, sizeof(body)));
	}
	xfer_data_free(&d);
	/* The right is gone from our space. */
	{
		mach_port_type_t t;
		assert_int_equal(mach_port_type(mach_task_self(), p, &t), KERN_INVALID_NAME);
	}
	xfer_disconnect(&c);
}

/* Poll xferd's subscriber count (dead-name notifications are
 * asynchronous) until it is `n`. */
static void
wait_subscribers(struct xfer_conn *c, uint64_t n)
{
	struct xfer_stats st;
	int i;

	for (i = 0; i < 1000; i++) {
		assert_int_equal(xfer_stats(c, &st), KERN_SUCCESS);
		if (st.subscribers == n)
			return;
		ld_sleep_ms(10);
	}
	fail_msg("xferd has %llu subscribers, expected %llu", (unsigned long long)st.subscribers,
	    (unsigned long long)n);
}

static void
expect_event(mach_port_t port, uint32_t kind, const char *key, uint64_t size)
{
	union { xfer_event_t e; uint8_t room[sizeof(xfer_event_t) + MAX_TRAILER_SIZE]; } m;

	assert_int_equal(mach_msg(&m.e.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), port,
	    10000, MACH_PORT_NULL), KERN_SUCCESS);
	assert_int_equal(m.e.head.msgh_id, XFER_ID_EVENT);
	assert_int_equal(m.e.kind, kind);
	if (key != NULL) {
		assert_int_equal(m.e.key_len, strlen(key));
		assert_memory_equal(m.e.key, key, strlen(key));
		assert_int_equal(m.e.size, size);
	}
}

static void
test_subscribe_and_watch(void **state)
{
	struct xfer_conn c = conn();
	mach_port_t sub = MACH_PORT_NULL, mine;
	mach_port_type_t t;
	uint64_t n = 0, subs = 0;

	(void)state;
	assert_int_equal(xfer_subscribe(&c, &sub), KERN_SUCCESS);
	assert_int_equal(mach_port_type(mach_task_self(), sub, &t), KERN_SUCCESS);
	assert_int_equal(t, MACH_PORT_TYPE_RECEIVE);           /* xferd kept the send right */
	expect_event(sub, XFER_EVENT_HELLO, NULL, 0);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &mine),
	    KERN_SUCCESS);
	assert_int_equal(xfer_watch(&c, mine, &subs), KERN_SUCCESS);
	assert_int_equal(subs, 2);
	expect_event(mine, XFER_EVENT_HELLO, NULL, 0);
	/* The same port again is the same subscriber (one event each). */
	assert_int_equal(xfer_watch(&c, mine, &subs), KERN_SUCCESS);
	assert_int_equal(subs, 2);
	assert_int_equal(xfer_store(&c, "t-ev", "abc", 3, false, &n), KERN_SUCCESS);
	expect_event(sub, XFER_EVENT_STORE, "t-ev", 3);
	expect_event(mine, XFER_EVENT_STORE, "t-ev", 3);
	assert_int_equal(xfer_remove(&c, "t-ev", &n), KERN_SUCCESS);
	expect_event(sub, XFER_EVENT_REMOVE, "t-ev", 3);
	expect_event(mine, XFER_EVENT_REMOVE, "t-ev", 3);
	/* Our rights die: xferd's dead-name notifications make it forget us. */
	assert_int_equal(mach_port_mod_refs(mach_task_self(), sub, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), mine, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
	wait_subscribers(&c, 0);
	xfer_disconnect(&c);
}

/* A client that dies while watching is forgotten too. */
static void
child_watch_then_die(void *arg)
{
	struct xfer_conn c;
	mach_port_t p;
	uint64_t subs;

	(void)arg;
	assert_int_equal(xfer_connect(&c, NULL), KERN_SUCCESS);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p),
	    KERN_SUCCESS);
	assert_int_equal(xfer_watch(&c, p, &subs), KERN_SUCCESS);
}

static void
test_watcher_death(void **state)
{
	struct xfer_conn c = conn();
	struct xfer_stats st;

	(void)state;
	assert_int_equal(xfer_stats(&c, &st), KERN_SUCCESS);
	assert_int_equal(harness_wait(harness_fork(child_watch_then_die, NULL)), 0);
	wait_subscribers(&c, st.subscribers);
	xfer_disconnect(&c);
}

/* ===== bad and selfish clients ===================================================== */

/* Send raw bytes as a request and return the reply's RetCode. */
static kern_return_t
raw_call(mach_port_t service, void *msg, mach_msg_size_t size, mach_msg_id_t id, bool complex)
{
	union { mach_msg_header_t h; mig_reply_error_t e; uint8_t room[2048]; } r;
	mach_msg_header_t *h = msg;
	mach_port_t reply = mig_get_reply_port();
	mach_msg_return_t mr;

	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
	    (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	h->msgh_remote_port = service;
	h->msgh_local_port = reply;
	h->msgh_id = id;
	mr = mach_msg_overwrite(h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size, sizeof(r),
	    reply, 10000, MACH_PORT_NULL, &r.h, 0);
	assert_int_equal(mr, MACH_MSG_SUCCESS);
	assert_int_equal(r.h.msgh_id, id + 100);
	assert_int_equal(r.h.msgh_size, sizeof(mig_reply_error_t));
	return r.e.RetCode;
}

static void
test_malformed_requests(void **state)
{
	struct xfer_conn c = conn();
	xfer_data_msg_t *m = calloc(1, sizeof(*m));
	xfer_key_request_t k;
	struct xfer_data d;
	struct xfer_stats before, st;

	(void)state;
	assert_non_null(m);
	assert_int_equal(xfer_stats(&c, &before), KERN_SUCCESS);
	memset(&k, 0, sizeof(k));
	/* Unknown ids, in and out of xferd's range. */
	assert_int_equal(raw_call(c.service, &k, sizeof(k), 1234, false), MIG_BAD_ID);
	assert_int_equal(raw_call(c.service, &k, sizeof(k), XFER_ID_LAST + 1, false), MIG_BAD_ID);
	/* Wrong sizes and shapes. */
	assert_int_equal(raw_call(c.service, &k, sizeof(k) - 4, XFER_ID_FETCH, false), MIG_BAD_ARGUMENTS);
	assert_int_equal(raw_call(c.service, &k, 24, XFER_ID_LIST, false), MIG_BAD_ARGUMENTS);
	assert_int_equal(raw_call(c.service, &k, sizeof(k), XFER_ID_STORE, false), MIG_BAD_ARGUMENTS);
	m->body.msgh_descriptor_count = 1;
	m->data.type = MACH_MSG_OOL_DESCRIPTOR;
	m->inline_len = XFER_INLINE_MAX + 4;           /* more than fits */
	assert_int_equal(raw_call(c.service, m, xfer_data_msg_size(XFER_INLINE_MAX), XFER_ID_ECHO, true),
	    MIG_BAD_ARGUMENTS);
	m->inline_len = 16;
	m->total = 15;                                 /* disagrees */
	assert_int_equal(raw_call(c.service, m, xfer_data_msg_size(16), XFER_ID_ECHO, true),
	    MIG_BAD_ARGUMENTS);
	m->data.type = MACH_MSG_PORT_DESCRIPTOR;       /* wrong descriptor */
	assert_int_equal(raw_call(c.service, m, xfer_data_msg_size(16), XFER_ID_ECHO, true),
	    MIG_BAD_ARGUMENTS);
	/* Each was counted, and xferd serves on. */
	assert_int_equal(xfer_stats(&c, &st), KERN_SUCCESS);
	assert_int_equal(st.bad_requests, before.bad_requests + 8);
	assert_int_equal(xfer_echo(&c, "still here", 10, &d), KERN_SUCCESS);
	assert_int_equal(d.len, 10);
	xfer_data_free(&d);
	free(m);
	xfer_disconnect(&c);
}

/* A key request sent by hand, its reply to a send right made from `reply`
 * (not a send-once right as the client stubs make), not waited for. */
static void
send_key_request(const struct xfer_conn *c, mach_msg_id_t id, const char *key, mach_port_t reply)
{
	xfer_key_request_t k;

	memset(&k, 0, sizeof(k));
	k.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	k.head.msgh_remote_port = c->service;
	k.head.msgh_local_port = reply;
	k.head.msgh_id = id;
	k.ndr = NDR_record;
	k.key_len = (uint32_t)strlen(key);
	memcpy(k.key, key, k.key_len);
	assert_int_equal(mach_msg(&k.head, MACH_SEND_MSG, sizeof(k), 0, 0, 0, 0), KERN_SUCCESS);
}

/*
 * A client whose reply port (a send right, queue limit 0) never takes a
 * reply: xferd drops each reply at once instead of waiting, and serves
 * another client meanwhile.
 */
static void
test_client_that_never_receives(void **state)
{
	struct xfer_conn c = conn();
	mach_port_t deaf;
	mach_port_limits_t lim = { 0 };
	struct xfer_data d;
	struct xfer_stats before, st;
	int i;

	(void)state;
	assert_int_equal(xfer_stats(&c, &before), KERN_SUCCESS);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &deaf),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_set_attributes(mach_task_self(), deaf, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	for (i = 0; i < 50; i++)
		send_key_request(&c, XFER_ID_LIST, "", deaf);
	for (i = 0; i < 20; i++) {
		assert_int_equal(xfer_echo(&c, "served", 6, &d), KERN_SUCCESS);
		xfer_data_free(&d);
	}
	/* All 50 replies were dropped (the queue takes none), none waited. */
	for (i = 0; i < 1000; i++) {
		assert_int_equal(xfer_stats(&c, &st), KERN_SUCCESS);
		if (st.replies_dropped >= before.replies_dropped + 50)
			break;
		ld_sleep_ms(10);
	}
	assert_int_equal(st.replies_dropped, before.replies_dropped + 50);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), deaf, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
	xfer_disconnect(&c);
}

/*
 * A client whose reply port dies while xferd is stopped (SIGSTOP) with its
 * request: the reply cannot be sent and xferd destroys it, out-of-line
 * region included, without touching what it stores, and serves on.  Which
 * of xferd's two paths runs depends on where the request was when the
 * port died: handed to a worker parked in machd's receive (machd copies
 * out at hand-off, docs/architecture.md), the worker holds a send right
 * that is a dead name by the time it replies (MACH_SEND_INVALID_DEST,
 * counted as a dropped reply); still queued, it arrives with
 * MACH_PORT_DEAD as its reply port and no reply is tried.
 */
static void
test_reply_port_dead_while_stopped(void **state)
{
	struct xfer_conn c = conn();
	void *big = filled(3 * MIB, 9);
	uint64_t n = 0;
	struct xfer_stats before, st;
	struct xfer_data d;
	mach_port_t r;
	pid_t pid = xferd_pid();
	int i;

	(void)state;
	assert_int_equal(xfer_store(&c, "t-dead-reply", big, 3 * MIB, false, &n), KERN_SUCCESS);
	assert_int_equal(xfer_stats(&c, &before), KERN_SUCCESS);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &r),
	    KERN_SUCCESS);
	send_key_request(&c, XFER_ID_FETCH, "t-dead-reply", r);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), r, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
	assert_int_equal(kill(pid, SIGCONT), 0);
	/* Served: xferd counts each request as it takes it, the i stats
	 * calls and the fetch. */
	for (i = 1; i <= 1000; i++) {
		assert_int_equal(xfer_stats(&c, &st), KERN_SUCCESS);
		if (st.requests >= before.requests + (uint64_t)i + 1)
			break;
		ld_sleep_ms(10);
	}
	assert_int_equal(st.requests, before.requests + (uint64_t)i + 1);
	assert_true(st.replies_dropped == before.replies_dropped ||
	    st.replies_dropped == before.replies_dropped + 1);
	/* What xferd stores is intact. */
	assert_int_equal(xfer_fetch(&c, "t-dead-reply", &d), KERN_SUCCESS);
	assert_pattern(&d, 3 * MIB, 9);
	xfer_data_free(&d);
	assert_int_equal(xfer_remove(&c, "t-dead-reply", &n), KERN_SUCCESS);
	assert_int_equal(n, 3 * MIB);
	unfill(big, 3 * MIB);
	xfer_disconnect(&c);
}

static atomic_bool flooding;

struct flooder {
	atomic_ulong served;
	bool         connected;
};

/* No cmocka assertion here: this runs on its own thread. */
static void *
flood(void *arg)
{
	struct flooder *f = arg;
	struct xfer_conn c;
	struct xfer_data d;

	if (xfer_connect(&c, NULL) != KERN_SUCCESS)
		return NULL;
	f->connected = true;
	while (atomic_load(&flooding)) {
		if (xfer_echo(&c, "flood", 5, &d) == KERN_SUCCESS) {
			xfer_data_free(&d);
			atomic_fetch_add(&f->served, 1);
		}
	}
	xfer_disconnect(&c);
	return NULL;
}

/* Two threads flood xferd with requests; a third client is served all the same. */
static void
test_flooding_client(void **state)
{
	pthread_t t[2];
	struct flooder f[2];
	struct xfer_conn c = conn();
	struct xfer_data d;
	int i;

	(void)state;
	memset(f, 0, sizeof(f));
	atomic_store(&flooding, true);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, flood, &f[i]), 0);
	/* Wait until both flood for real, then be served in the middle of it. */
	for (i = 0; i < 1000 && (atomic_load(&f[0].served) < 20 || atomic_load(&f[1].served) < 20); i++)
		ld_sleep_ms(10);
	for (i = 0; i < 50; i++) {
		assert_int_equal(xfer_echo(&c, "polite", 6, &d), KERN_SUCCESS);
		assert_memory_equal(d.bytes, "polite", 6);
		xfer_data_free(&d);
	}
	atomic_store(&flooding, false);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_true(f[0].connected && f[1].connected);
	assert_true(atomic_load(&f[0].served) >= 20 && atomic_load(&f[1].served) >= 20);
	xfer_disconnect(&c);
}

/* ===== limits, durability, crashes ================================================ */

static void
test_client_byte_limit(void **state)
{
	const char *out;
	struct xfer_conn c;
	void *buf = filled(8000, 3);
	uint64_t n;

	(void)state;
	ld_ctl_expect(0, &out, "bootstrap gui/%u %s", (unsigned)getuid(), ld_write("quota.plist",
	    LD_PLIST_HEAD
	    "  <key>Label</key><string>com.machxfer.xferd-quota</string>\n"
	    "  <key>ProgramArguments</key><array><string>xferd</string><string>--service</string>"
	    "<string>com.machxfer.xferd-quota</string><string>--max-client-bytes</string>"
	    "<string>10000</string></array>\n"
	    "  <key>MachServices</key><dict><key>com.machxfer.xferd-quota</key><true/></dict>\n"
	    LD_PLIST_TAIL));
	assert_int_equal(xfer_connect(&c, "com.machxfer.xferd-quota"), KERN_SUCCESS);
	assert_int_equal(xfer_store(&c, "a", buf, 8000, false, &n), KERN_SUCCESS);
	assert_int_equal(xfer_store(&c, "b", buf, 4000, false, &n), XFER_E_QUOTA);
	assert_int_equal(xfer_store(&c, "a", buf, 2000, false, &n), KERN_SUCCESS);   /* replaces */
	assert_int_equal(xfer_store(&c, "b", buf, 4000, false, &n), KERN_SUCCESS);
	assert_int_equal(xfer_remove(&c, "a", &n), KERN_SUCCESS);
	assert_int_equal(xfer_store(&c, "c", buf, 6000, false, &n), KERN_SUCCESS);
	/* At the limit, a client may still replace its own value with a
	 * smaller one: the old bytes are credited first. */
	assert_int_equal(xfer_store(&c, "c", buf, 5000, false, &n), KERN_SUCCESS);
	assert_int_equal(xfer_store(&c, "d", buf, 1001, false, &n), XFER_E_QUOTA);
	xfer_disconnect(&c);
	unfill(buf, 8000);
	ld_ctl_expect(0, &out, "bootout gui/%u/com.machxfer.xferd-quota", (unsigned)getuid());
}

/* Wait until launchd has a new xferd running (not `old`). */
static pid_t
wait_relaunch(pid_t old)
{
	pid_t pid = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		pid = xferd_pid();
		if (pid > 0 && pid != old)
			return pid;
		ld_sleep_ms(10);
	}
	fail_msg("xferd was not relaunched (pid still %d)", (int)pid);
	return 0;
}

/* What a storing client says it got acknowledged. */
struct storer {
	unsigned id;
	unsigned count;
	int      pipe;          /* acknowledged key numbers go here */
};

static void
storer_main(void *arg)
{
	struct storer *s = arg;
	struct xfer_conn c;
	unsigned i;

	assert_int_equal(xfer_connect(&c, NULL), KERN_SUCCESS);
	for (i = 0; i < s->count; i++) {
		char key[32];
		uint32_t len = i % 3 == 0 ? 300000 : 500;
		void *buf = filled(len, s->id * 1000 + i);
		uint64_t n;
		snprintf(key, sizeof(key), "crash-%u-%u", s->id, i);
		if (xfer_store(&c, key, buf, len, false, &n) == KERN_SUCCESS)
			assert_int_equal(write(s->pipe, &i, sizeof(i)), (ssize_t)sizeof(i));
		unfill(buf, len);
	}
	xfer_disconnect(&c);
}

/*
 * kill -9 of xferd while three clients store: launchd gets the port back
 * with what was queued and starts xferd again; requests xferd died
 * holding are sent again; every acknowledged store is there afterwards,
 * with its bytes.
 */
static void
test_sigkill_during_stores(void **state)
{
	struct storer s[3];
	pid_t pids[3], old;
	int fds[3][2];
	struct xfer_conn c = conn();
	unsigned i, k, acked = 0;

	(void)state;
	old = xferd_pid();
	assert_true(old > 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		s[i].id = i;
		s[i].count = 60;
		s[i].pipe = fds[i][1];
		pids[i] = harness_fork(storer_main, &s[i]);
		close(fds[i][1]);
	}
	ld_sleep_ms(150);
	assert_int_equal(kill(old, SIGKILL), 0);
	(void)wait_relaunch(old);
	for (i = 0; i < 3; i++)
		assert_int_equal(harness_wait(pids[i]), 0);
	for (i = 0; i < 3; i++) {
		while (read(fds[i][0], &k, sizeof(k)) == (ssize_t)sizeof(k)) {
			struct xfer_data d;
			char key[32];
			uint32_t len = k % 3 == 0 ? 300000 : 500;
			snprintf(key, sizeof(key), "crash-%u-%u", i, k);
			assert_int_equal(xfer_fetch(&c, key, &d), KERN_SUCCESS);
			assert_pattern(&d, len, i * 1000 + k);
			xfer_data_free(&d);
			acked++;
		}
		close(fds[i][0]);
	}
	/* Nothing was lost: with retries every store was acknowledged. */
	assert_int_equal(acked, 180);
	xfer_disconnect(&c);
}

/* Stored data survives a crash and relaunch: it is read back from disk. */
static void
test_durable_across_restart(void **state)
{
	struct xfer_conn c = conn();
	void *big = filled(5 * MIB, 9);
	struct xfer_data d;
	uint64_t n;
	pid_t old = xferd_pid();
	char tmp[256];
	FILE *f;

	(void)state;
	assert_int_equal(xfer_store(&c, "durable-big", big, 5 * MIB, false, &n), KERN_SUCCESS);
	assert_int_equal(xfer_store(&c, "durable-small", big, 100, false, &n), KERN_SUCCESS);
	/* A store that died before its rename leaves a .tmp: never
	 * acknowledged, so the next xferd removes it. */
	snprintf(tmp, sizeof(tmp), "%s/.local/state/machxfer/xferd/6b6b.tmp", home);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("half", f);
	fclose(f);
	assert_int_equal(kill(old, SIGKILL), 0);
	(void)wait_relaunch(old);
	assert_int_equal(xfer_fetch(&c, "kk", &d), XFER_E_NO_KEY);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(xfer_fetch(&c, "durable-big", &d), KERN_SUCCESS);
	assert_pattern(&d, 5 * MIB, 9);
	xfer_data_free(&d);
	assert_int_equal(xfer_fetch(&c, "durable-small", &d), KERN_SUCCESS);
	assert_pattern(&d, 100, 9);
	xfer_data_free(&d);
	unfill(big, 5 * MIB);
	xfer_disconnect(&c);
}

/* ===== the xfer command line ====================================================== */

/* Run build/bin/xfer with `args` (printf format) through the shell. */
static int
xfer_cli(const char **out, const char *fmt, ...)
{
	char args[4000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return ld_sh(out, "%s/bin/xfer %s", ld_env()->build, args);
}

#define cli_expect(want, out, ...) do { \
	int rc_ = xfer_cli((out), __VA_ARGS__); \
	if (rc_ != (want)) \
		fail_msg("xfer exit %d, expected %d; output:\n%s", rc_, (want), *(out)); \
} while (0)

static void
test_cli(void **state)
{
	const char *out;
	char in[256], back[256], cmd[1024];
	FILE *f;

	(void)state;
	snprintf(in, sizeof(in), "%s/in.bin", home);
	snprintf(back, sizeof(back), "%s/back.bin", home);
	f = fopen(in, "w");
	assert_non_null(f);
	for (int i = 0; i < 200000; i++)
		fputc(pattern((uint64_t)i, 4), f);
	fclose(f);
	cli_expect(0, &out, "--help");
	assert_non_null(strstr(out, "usage: xfer"));
	cli_expect(2, &out, "frobnicate");
	cli_expect(2, &out, "get");
	cli_expect(0, &out, "echo 'hello, mach'");
	assert_string_equal(out, "hello, mach\n");
	cli_expect(0, &out, "put cli-file %s", in);
	assert_non_null(strstr(out, "stored cli-file: 200000 bytes out of line"));
	cli_expect(0, &out, "get cli-file %s", back);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", in, back);
	assert_int_equal(system(cmd), 0);
	cli_expect(0, &out, "put cli-stdin - < /etc/hostname");
	assert_non_null(strstr(out, "inline"));
	cli_expect(0, &out, "ls");
	assert_non_null(strstr(out, "cli-file\t200000\n"));
	cli_expect(0, &out, "rm cli-file");
	assert_string_equal(out, "removed cli-file (200000 bytes)\n");
	cli_expect(1, &out, "get cli-file");
	assert_string_equal(out, "xfer: cli-file: no such key\n");
	cli_expect(0, &out, "handoff 7");
	assert_non_null(strstr(out, "xferd drained 7 messages; 7 of 7 match what was sent, in order"));
	cli_expect(0, &out, "rm cli-stdin");
	/* watch: events for the stores that follow. */
	{
		char w[600];
		snprintf(w, sizeof(w), "watch -n 1 & sleep 0.5; %s/bin/xfer put cli-w /etc/hostname >/dev/null; wait",
		    ld_env()->build);
		cli_expect(0, &out, "%s", w);
		assert_non_null(strstr(out, "store cli-w "));
	}
	cli_expect(0, &out, "rm cli-w");
	/* No such service, no machd. */
	cli_expect(69, &out, "--service com.example.nothing ls");
	assert_non_null(strstr(out, "no service com.example.nothing"));
	cli_expect(69, &out, "ls 2>&1 </dev/null; MACHD_SOCKET=/nonexistent/x.sock %s/bin/xfer ls",
	    ld_env()->build);
	assert_non_null(strstr(out, "cannot reach machd"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_inline_and_ool),
		cmocka_unit_test(test_store_fetch_list_remove),
		cmocka_unit_test(test_handoff),
		cmocka_unit_test(test_subscribe_and_watch),
		cmocka_unit_test(test_watcher_death),
		cmocka_unit_test(test_malformed_requests),
		cmocka_unit_test(test_client_that_never_receives),
		cmocka_unit_test(test_reply_port_dead_while_stopped),
		cmocka_unit_test(test_flooding_client),
		cmocka_unit_test(test_client_byte_limit),
		cmocka_unit_test(test_durable_across_restart),
		cmocka_unit_test(test_sigkill_during_stores),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
