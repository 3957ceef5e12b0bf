/*
 * test_util.h -- small helpers shared by the libmach integration tests.
 *
 *   assert_kr()              exact Mach code, printed by name on failure
 *   tu_group_setup/teardown  a private machd per test program (cmocka group)
 *   tu_setup/tu_teardown     per-test leak check against machd's counters
 *   tu_stats_wait()          poll machd's counters until chosen ones match
 *   tu_assert_stats()        ... or fail, naming each counter that differs
 *   tu_port() ...            a right, its type, urefs and receive status
 *   tu_send() / tu_recv()    raw messages with a recognisable body
 *   tu_recv_kernel_msg()     receive a kernel-originated message and check
 *                            what every such message carries (spec 5.7)
 *
 * Every helper is static inline; include this after nothing but the C
 * library (it includes cmocka and <mach/mach.h> itself).
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>
#include <mach/notify.h>

#include "machd_harness.h"
#include "mach_codes.h"

/* ----- exact codes --------------------------------------------------------- */

static inline const char *
tu_code_name(kern_return_t kr)
{
	switch (kr) {
#define TU_CODE_CASE(name, text) case name: return #name;
	MACH_CODES(TU_CODE_CASE)
#undef TU_CODE_CASE
	default:
		return "(unknown code)";
	}
}

static inline void
tu_assert_kr(kern_return_t got, kern_return_t want, const char *expr,
    const char *file, int line)
{
	if (got == want)
		return;
	print_error("%s\n    returned %s (%#x), expected %s (%#x)\n", expr,
	    tu_code_name(got), (unsigned)got, tu_code_name(want), (unsigned)want);
	_fail(file, line);
}

#define assert_kr(expr, want) \
	tu_assert_kr((kern_return_t)(expr), (kern_return_t)(want), #expr, __FILE__, __LINE__)

/* ----- machd per group, leak check per test -------------------------------- */

enum { TU_PORTS, TU_KMSGS, TU_TASKS, TU_PSETS, TU_SEMAS, TU_NAMES };

static inline uint64_t *
tu_baseline(void)
{
	static uint64_t baseline[6];
	return baseline;
}

static inline int
tu_group_setup(void **state)
{
	mach_port_type_t type;

	(void)state;
	if (harness_start_machd() != 0)
		return -1;
	/* The first MIG call makes this thread's reply port: make it now, so
	 * it is part of every test's baseline rather than a "leak". */
	(void)mach_port_type(mach_task_self(), mach_task_self(), &type);
	return 0;
}

static inline int
tu_group_teardown(void **state)
{
	(void)state;
	harness_stop_machd();
	return 0;
}

static inline int
tu_setup(void **state)
{
	(void)state;
	harness_stats(tu_baseline());
	return 0;
}

static inline const char *
tu_stat_name(int k)
{
	static const char *const what[] = { "ports", "kmsgs", "tasks", "port sets",
	    "semaphores", "names" };

	return k >= 0 && k < 6 ? what[k] : "?";
}

#define TU_STAT(k)     (1u << (k))
#define TU_STATS_ALL   0x3fu

/*
 * Poll machd's counters (up to 5 s: task death and thread exit reach it
 * asynchronously) until every counter k in `mask` equals want[k].  1 if
 * they did; the last reading is left in now[] when it is not NULL.
 */
static inline int
tu_stats_wait(const uint64_t want[6], unsigned mask, uint64_t now[6])
{
	uint64_t cur[6];
	int i, tries, ok = 0;

	for (tries = 0; tries < 500 && !ok; tries++) {
		if (tries > 0)
			usleep(10 * 1000);
		harness_stats(cur);
		ok = 1;
		for (i = 0; i < 6; i++)
			if ((mask & TU_STAT(i)) && cur[i] != want[i])
				ok = 0;
	}
	if (now != NULL)
		memcpy(now, cur, sizeof(cur));
	return ok;
}

/* Fail unless the counters in `mask` reach want[] within 5 s. */
static inline void
tu_assert_stats_at(const uint64_t want[6], unsigned mask, const char *file, int line)
{
	uint64_t now[6];
	int i;

	if (tu_stats_wait(want, mask, now))
		return;
	for (i = 0; i < 6; i++)
		if ((mask & TU_STAT(i)) && now[i] != want[i])
			print_error("machd counters: %s %llu, expected %llu\n", tu_stat_name(i),
			    (unsigned long long)now[i], (unsigned long long)want[i]);
	_fail(file, line);
}

#define tu_assert_stats(want, mask) tu_assert_stats_at((want), (mask), __FILE__, __LINE__)

/*
 * Ports, queued messages, port sets, semaphores and the names in our
 * space must be back where the test found them once it released
 * everything (polled for up to 5 s, see tu_stats_wait).
 */
static inline int
tu_teardown(void **state)
{
	const unsigned watched = TU_STAT(TU_PORTS) | TU_STAT(TU_KMSGS) | TU_STAT(TU_PSETS) |
	    TU_STAT(TU_SEMAS) | TU_STAT(TU_NAMES);
	const uint64_t *base = tu_baseline();
	uint64_t now[6];
	int i;

	(void)state;
	if (tu_stats_wait(base, watched, now))
		return 0;
	for (i = 0; i < 6; i++)
		if ((watched & TU_STAT(i)) && now[i] != base[i])
			print_error("leak check: %s %llu, at the start of the test %llu\n",
			    tu_stat_name(i), (unsigned long long)now[i], (unsigned long long)base[i]);
	return -1;
}

#define tu_test(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

/* ----- rights and their state ------------------------------------------------ */

static inline mach_port_t
tu_port(void)
{
	mach_port_t name = MACH_PORT_NULL;

	assert_kr(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &name), KERN_SUCCESS);
	return name;
}

/* A receive right and one send uref under the same name (mscount 1). */
static inline mach_port_t
tu_port_send(void)
{
	mach_port_t name = tu_port();

	assert_kr(mach_port_insert_right(mach_task_self(), name, name, MACH_MSG_TYPE_MAKE_SEND),
	    KERN_SUCCESS);
	return name;
}

static inline mach_port_t
tu_pset(void)
{
	mach_port_t name = MACH_PORT_NULL;

	assert_kr(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &name), KERN_SUCCESS);
	return name;
}

static inline mach_port_type_t
tu_type(mach_port_t name)
{
	mach_port_type_t type = 0;

	assert_kr(mach_port_type(mach_task_self(), name, &type), KERN_SUCCESS);
	return type;
}

/* mach_port_type's code alone, for names expected to be gone. */
static inline kern_return_t
tu_type_kr(mach_port_t name)
{
	mach_port_type_t type;

	return mach_port_type(mach_task_self(), name, &type);
}

static inline mach_port_urefs_t
tu_refs(mach_port_t name, mach_port_right_t right)
{
	mach_port_urefs_t urefs = 0xdeadbeef;

	assert_kr(mach_port_get_refs(mach_task_self(), name, right, &urefs), KERN_SUCCESS);
	return urefs;
}

static inline mach_port_status_t
tu_status(mach_port_t name)
{
	mach_port_status_t st;
	mach_msg_type_number_t count = MACH_PORT_RECEIVE_STATUS_COUNT;

	memset(&st, 0xa5, sizeof(st));
	assert_kr(mach_port_get_attributes(mach_task_self(), name, MACH_PORT_RECEIVE_STATUS,
	    (mach_port_info_t)&st, &count), KERN_SUCCESS);
	assert_int_equal(count, MACH_PORT_RECEIVE_STATUS_COUNT);
	return st;
}

/* ----- messages ----------------------------------------------------------- */

#define TU_MSG_MAX 4096

typedef union {
	mach_msg_header_t header;
	uint8_t bytes[TU_MSG_MAX];
	uint32_t words[TU_MSG_MAX / 4];
} tu_msg_t;

/* Body byte i (after the 24-byte header) of a tu_send() message. */
static inline uint8_t
tu_body_byte(mach_msg_id_t id, size_t i)
{
	return (uint8_t)(id * 31 + (int)i);
}

/*
 * Send a simple message of `size` bytes (header + recognisable body) to
 * dest, with an optional reply right; a full queue fails at once
 * (MACH_SEND_TIMEOUT, 0 ms) instead of hanging the test.
 */
static inline mach_msg_return_t
tu_send(mach_port_t dest, mach_msg_type_name_t dest_disp, mach_port_t reply,
    mach_msg_type_name_t reply_disp, mach_msg_id_t id, mach_msg_size_t size)
{
	tu_msg_t m;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.header.msgh_bits = MACH_MSGH_BITS(dest_disp, reply_disp);
	m.header.msgh_size = size;
	m.header.msgh_remote_port = dest;
	m.header.msgh_local_port = reply;
	m.header.msgh_id = id;
	for (i = sizeof(m.header); i < size && i < sizeof(m); i++)
		m.bytes[i] = tu_body_byte(id, i - sizeof(m.header));
	return mach_msg(&m.header, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL);
}

/* Receive on `name` into m (at most `limit` bytes), waiting `timeout_ms`. */
static inline mach_msg_return_t
tu_recv(mach_port_t name, tu_msg_t *m, mach_msg_size_t limit, mach_msg_option_t options,
    mach_msg_timeout_t timeout_ms)
{
	memset(m, 0, sizeof(*m));
	return mach_msg(&m->header, MACH_RCV_MSG | MACH_RCV_TIMEOUT | options, 0, limit, name,
	    timeout_ms, MACH_PORT_NULL);
}

/* The body bytes of a received tu_send() message are intact. */
static inline void
tu_check_body(const tu_msg_t *m)
{
	size_t i;

	for (i = sizeof(m->header); i < m->header.msgh_size; i++)
		if (m->bytes[i] != tu_body_byte(m->header.msgh_id, i - sizeof(m->header)))
			fail_msg("body byte %zu of message %d is %#x", i, m->header.msgh_id, m->bytes[i]);
}

/* Nothing is queued on `name`. */
static inline void
tu_expect_empty(mach_port_t name)
{
	tu_msg_t m;

	assert_kr(tu_recv(name, &m, sizeof(m), 0, 0), MACH_RCV_TIMED_OUT);
}

/* Copy the trailer of a received message out of the buffer. */
static inline mach_msg_audit_trailer_t
tu_audit_trailer(const tu_msg_t *m)
{
	mach_msg_audit_trailer_t t;

	memcpy(&t, m->bytes + m->header.msgh_size, sizeof(t));
	return t;
}

/*
 * Receive the next message on `port`, which must come from the kernel
 * (spec 5.7, 7.3): `id`, `size`, bits = MACH_MSGH_BITS(0, `local_type`)
 * (plus COMPLEX if `complex`), remote NULL, local = port, voucher 0; the
 * audit trailer carries the kernel's tokens, {0, 1} and all zero.
 */
static inline void
tu_recv_kernel_msg(mach_port_t port, tu_msg_t *m, mach_msg_id_t id, mach_msg_size_t size,
    mach_msg_type_name_t local_type, int complex)
{
	static const audit_token_t kernel_audit = KERNEL_AUDIT_TOKEN_VALUE;
	mach_msg_audit_trailer_t t;

	assert_kr(tu_recv(port, m, sizeof(*m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 2000),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m->header.msgh_id, id);
	assert_int_equal(m->header.msgh_bits,
	    (complex ? MACH_MSGH_BITS_COMPLEX : 0) | MACH_MSGH_BITS(0, local_type));
	assert_int_equal(m->header.msgh_size, size);
	assert_int_equal(m->header.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(m->header.msgh_local_port, port);
	assert_int_equal(m->header.msgh_voucher_port, 0);
	t = tu_audit_trailer(m);
	assert_int_equal(t.msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
	assert_int_equal(t.msgh_trailer_size, sizeof(mach_msg_audit_trailer_t));
	assert_int_equal(t.msgh_sender.val[0], 0);
	assert_int_equal(t.msgh_sender.val[1], 1);
	assert_memory_equal(&t.msgh_audit, &kernel_audit, sizeof(kernel_audit));
}

/*
 * A notification carrying one 32-bit argument after the NDR record
 * (no-senders, dead-name, port-deleted: 36 bytes, spec 2.8).
 */
static inline void
tu_expect_notification(mach_port_t port, mach_msg_id_t id, uint32_t arg)
{
	/* NDR_record as the kernel sends it on a little-endian host (7.3). */
	static const uint8_t ndr[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	tu_msg_t m;
	uint32_t got;

	tu_recv_kernel_msg(port, &m, id, 36, MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	assert_memory_equal(m.bytes + 24, ndr, sizeof(ndr));
	memcpy(&got, m.bytes + 32, 4);
	assert_int_equal(got, arg);
}

/* A send-once notification (71, header only, spec 2.8). */
static inline void
tu_expect_send_once_notification(mach_port_t port)
{
	tu_msg_t m;

	tu_recv_kernel_msg(port, &m, MACH_NOTIFY_SEND_ONCE, 24, MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
}

#endif /* TEST_UTIL_H */
