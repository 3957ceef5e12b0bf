/*
 * test_mach_port.c -- the port-management routines of mach_port.defs
 * (spec Appendix A) against a private machd: every call's exact return
 * code, then the state it leaves (type bits, urefs, receive status).
 * Includes XNU's mach_port_mod_refs (T6), mach_port_insert_right (T7),
 * mach_port_deallocate_21692215 and port_peek tests (spec 8.2).
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#define TASK mach_task_self()

/* A name that is certainly free now: a fresh port's name, released. */
static mach_port_t
free_name(void)
{
	mach_port_t name = tu_port();

	assert_kr(mach_port_mod_refs(TASK, name, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	return name;
}

/* Same index as `name`, the next generation (low two bits stay 0b11). */
static mach_port_t
other_generation(mach_port_t name)
{
	return (name & ~0xffu) | ((name + 4) & 0xffu);
}

/* Make a send-once right to `port` (a fresh name, spec 5.2). */
static mach_port_t
make_send_once(mach_port_t port)
{
	mach_port_t so = MACH_PORT_NULL;
	mach_msg_type_name_t type = 0;

	assert_kr(mach_port_extract_right(TASK, port, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type),
	    KERN_SUCCESS);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND_ONCE);
	return so;
}

/* ----- mach_port_allocate / mach_port_allocate_name ------------------------ */

static void
test_allocate_rights(void **state)
{
	static const mach_port_right_t bad[] = { MACH_PORT_RIGHT_SEND, MACH_PORT_RIGHT_SEND_ONCE,
	    MACH_PORT_RIGHT_LABELH, MACH_PORT_RIGHT_NUMBER };
	mach_port_t recv = tu_port(), pset = tu_pset(), dead = MACH_PORT_NULL, name;
	mach_port_status_t st;
	uint64_t before[6], after[6];
	size_t i;

	(void)state;
	/* 5.2: the kernel only hands out names whose two low bits are set. */
	assert_int_equal(recv & 3, 3);
	assert_int_equal(pset & 3, 3);
	assert_int_equal(tu_type(recv), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_refs(recv, MACH_PORT_RIGHT_RECEIVE), 1);
	assert_int_equal(tu_refs(recv, MACH_PORT_RIGHT_SEND), 0);
	/* Appendix A: qlimit 5, mscount 0, seqno 0, no rights outstanding. */
	st = tu_status(recv);
	assert_int_equal(st.mps_pset, 0);
	assert_int_equal(st.mps_seqno, 0);
	assert_int_equal(st.mps_mscount, 0);
	assert_int_equal(st.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	assert_int_equal(st.mps_msgcount, 0);
	assert_int_equal(st.mps_sorights, 0);
	assert_int_equal(st.mps_srights, 0);
	assert_int_equal(st.mps_pdrequest, 0);
	assert_int_equal(st.mps_nsrequest, 0);

	assert_int_equal(tu_type(pset), MACH_PORT_TYPE_PORT_SET);
	assert_int_equal(tu_refs(pset, MACH_PORT_RIGHT_PORT_SET), 1);

	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_int_equal(tu_type(dead), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(dead, MACH_PORT_RIGHT_DEAD_NAME), 1);

	/* Any other right is KERN_INVALID_VALUE and creates no name. */
	harness_stats(before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_kr(mach_port_allocate(TASK, bad[i], &name), KERN_INVALID_VALUE);
	harness_stats(after);
	assert_int_equal(after[TU_NAMES], before[TU_NAMES]);
	assert_int_equal(after[TU_PORTS], before[TU_PORTS]);

	assert_kr(mach_port_mod_refs(TASK, recv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, pset), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, dead), KERN_SUCCESS);
	assert_kr(tu_type_kr(recv), KERN_INVALID_NAME);
	assert_kr(tu_type_kr(pset), KERN_INVALID_NAME);
	assert_kr(tu_type_kr(dead), KERN_INVALID_NAME);
}

static void
test_allocate_name_rules(void **state)
{
	mach_port_t name = free_name();

	(void)state;
	/* A free index takes the caller's generation (5.2). */
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, name), KERN_SUCCESS);
	assert_int_equal(tu_type(name), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(name).mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);

	/* The name is taken, whatever the new right would be. */
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, name), KERN_NAME_EXISTS);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_PORT_SET, name), KERN_NAME_EXISTS);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_DEAD_NAME, name), KERN_NAME_EXISTS);
	/* Same index, other generation: names cannot be "renamed". */
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, other_generation(name)),
	    KERN_FAILURE);
	assert_int_equal(tu_type(name), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_mod_refs(TASK, name, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);

	/* Shape rules: NULL/DEAD and low bits != 0b11 are invalid values;
	 * index 0 with valid bits (0x7b) is a failure; beyond the table no space. */
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL), KERN_INVALID_VALUE);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD), KERN_INVALID_VALUE);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, 0x7a), KERN_INVALID_VALUE);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, name & ~1u), KERN_INVALID_VALUE);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, 0x7b), KERN_FAILURE);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_RECEIVE, 0xfffff003), KERN_NO_SPACE);
	/* Only RECEIVE, PORT_SET and DEAD_NAME can be allocated. */
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_SEND, name), KERN_INVALID_VALUE);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_SEND_ONCE, name), KERN_INVALID_VALUE);
	assert_kr(tu_type_kr(name), KERN_INVALID_NAME);

	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_PORT_SET, name), KERN_SUCCESS);
	assert_int_equal(tu_type(name), MACH_PORT_TYPE_PORT_SET);
	assert_kr(mach_port_deallocate(TASK, name), KERN_SUCCESS);
	assert_kr(mach_port_allocate_name(TASK, MACH_PORT_RIGHT_DEAD_NAME, name), KERN_SUCCESS);
	assert_int_equal(tu_type(name), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(name, MACH_PORT_RIGHT_DEAD_NAME), 1);
	assert_kr(mach_port_deallocate(TASK, name), KERN_SUCCESS);
	assert_kr(tu_type_kr(name), KERN_INVALID_NAME);
}

/* ----- mach_port_deallocate / mach_port_destroy ---------------------------- */

static void
test_deallocate_destroy(void **state)
{
	mach_port_t p = tu_port(), q = tu_port_send(), gone = free_name(), dead, so;

	(void)state;
	/* 5.4: NULL and DEAD are no-ops. */
	assert_kr(mach_port_deallocate(TASK, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, MACH_PORT_DEAD), KERN_SUCCESS);
	assert_kr(mach_port_destroy(TASK, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destroy(TASK, MACH_PORT_DEAD), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, gone), KERN_INVALID_NAME);
	assert_kr(mach_port_destroy(TASK, gone), KERN_INVALID_NAME);

	/* Appendix A: deallocate does not touch a receive-only name. */
	assert_kr(mach_port_deallocate(TASK, p), KERN_INVALID_RIGHT);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);

	/* 5.3: one uref at a time; the SEND bit goes with the last one. */
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, q), KERN_SUCCESS);
	assert_int_equal(tu_refs(q, MACH_PORT_RIGHT_SEND), 2);
	assert_int_equal(tu_type(q), MACH_PORT_TYPE_SEND_RECEIVE);
	/* Appendix A: destroy takes every right under the name at once. */
	assert_kr(mach_port_destroy(TASK, q), KERN_SUCCESS);
	assert_kr(tu_type_kr(q), KERN_INVALID_NAME);

	/* Appendix A: dead names lose one uref per deallocate. */
	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, dead), KERN_SUCCESS);
	assert_int_equal(tu_refs(dead, MACH_PORT_RIGHT_DEAD_NAME), 1);
	assert_kr(mach_port_deallocate(TASK, dead), KERN_SUCCESS);
	assert_kr(tu_type_kr(dead), KERN_INVALID_NAME);

	/* A send-once right deallocated or destroyed unused sends a
	 * send-once notification to its port (5.7). */
	so = make_send_once(p);
	assert_kr(mach_port_deallocate(TASK, so), KERN_SUCCESS);
	assert_kr(tu_type_kr(so), KERN_INVALID_NAME);
	tu_expect_send_once_notification(p);
	so = make_send_once(p);
	assert_kr(mach_port_destroy(TASK, so), KERN_SUCCESS);
	assert_kr(tu_type_kr(so), KERN_INVALID_NAME);
	tu_expect_send_once_notification(p);
	assert_int_equal(tu_status(p).mps_sorights, 0);
	tu_expect_empty(p);

	assert_kr(mach_port_destroy(TASK, p), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
}

/* Destroying a set leaves its members alive and out of it (Appendix A). */
static void
test_destroy_port_set_keeps_members(void **state)
{
	mach_port_t set = tu_pset(), member = tu_port();

	(void)state;
	assert_kr(mach_port_move_member(TASK, member, set), KERN_SUCCESS);
	assert_int_equal(tu_status(member).mps_pset, 1);
	assert_kr(mach_port_destroy(TASK, set), KERN_SUCCESS);
	assert_kr(tu_type_kr(set), KERN_INVALID_NAME);
	assert_int_equal(tu_type(member), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(member).mps_pset, 0);
	assert_kr(mach_port_mod_refs(TASK, member, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* XNU mach_port_deallocate_21692215 (spec 8.2): a set whose members were
 * all destroyed is still a set, and deallocate destroys it. */
static void
test_mach_port_deallocate_21692215(void **state)
{
	mach_port_t set = tu_pset(), ports[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		ports[i] = tu_port();
		assert_kr(mach_port_move_member(TASK, ports[i], set), KERN_SUCCESS);
	}
	for (i = 0; i < 4; i++)
		assert_kr(mach_port_mod_refs(TASK, ports[i], MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(tu_type(set), MACH_PORT_TYPE_PORT_SET);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(tu_type_kr(set), KERN_INVALID_NAME);
}

/* ----- mach_port_get_refs / mach_port_mod_refs ------------------------------ */

/* The table of spec 5.3, and NULL/DEAD (5.4). */
static void
test_get_refs_table(void **state)
{
	static const mach_port_name_t invalid[] = { MACH_PORT_NULL, MACH_PORT_DEAD };
	mach_port_t p = tu_port(), set = tu_pset(), dead, so, gone = free_name();
	mach_port_urefs_t urefs;
	int i;

	(void)state;
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_RECEIVE), 1);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 0);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND_ONCE), 0);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_PORT_SET), 0);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 0);
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 2);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_RECEIVE), 1);

	so = make_send_once(p);
	assert_int_equal(tu_refs(so, MACH_PORT_RIGHT_SEND_ONCE), 1);
	assert_int_equal(tu_refs(so, MACH_PORT_RIGHT_SEND), 0);
	assert_int_equal(tu_refs(so, MACH_PORT_RIGHT_RECEIVE), 0);

	assert_int_equal(tu_refs(set, MACH_PORT_RIGHT_PORT_SET), 1);
	assert_int_equal(tu_refs(set, MACH_PORT_RIGHT_RECEIVE), 0);

	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_DEAD_NAME, 2), KERN_SUCCESS);
	assert_int_equal(tu_refs(dead, MACH_PORT_RIGHT_DEAD_NAME), 3);
	assert_int_equal(tu_refs(dead, MACH_PORT_RIGHT_SEND), 0);

	/* Right >= MACH_PORT_RIGHT_NUMBER is an invalid value; unknown names
	 * are invalid names. */
	assert_kr(mach_port_get_refs(TASK, p, MACH_PORT_RIGHT_NUMBER, &urefs), KERN_INVALID_VALUE);
	assert_kr(mach_port_get_refs(TASK, p, 7, &urefs), KERN_INVALID_VALUE);
	assert_kr(mach_port_get_refs(TASK, gone, MACH_PORT_RIGHT_SEND, &urefs), KERN_INVALID_NAME);

	/* NULL and DEAD: "one" send or send-once reference, nothing else. */
	for (i = 0; i < 2; i++) {
		urefs = 0;
		assert_kr(mach_port_get_refs(TASK, invalid[i], MACH_PORT_RIGHT_SEND, &urefs), KERN_SUCCESS);
		assert_int_equal(urefs, 1);
		urefs = 0;
		assert_kr(mach_port_get_refs(TASK, invalid[i], MACH_PORT_RIGHT_SEND_ONCE, &urefs), KERN_SUCCESS);
		assert_int_equal(urefs, 1);
		assert_kr(mach_port_get_refs(TASK, invalid[i], MACH_PORT_RIGHT_RECEIVE, &urefs), KERN_INVALID_NAME);
		assert_kr(mach_port_get_refs(TASK, invalid[i], MACH_PORT_RIGHT_PORT_SET, &urefs), KERN_INVALID_NAME);
		assert_kr(mach_port_get_refs(TASK, invalid[i], MACH_PORT_RIGHT_DEAD_NAME, &urefs), KERN_INVALID_NAME);
		assert_kr(mach_port_mod_refs(TASK, invalid[i], MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
		assert_kr(mach_port_mod_refs(TASK, invalid[i], MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_SUCCESS);
		assert_kr(mach_port_mod_refs(TASK, invalid[i], MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_NAME);
		assert_kr(mach_port_mod_refs(TASK, invalid[i], MACH_PORT_RIGHT_DEAD_NAME, -1), KERN_INVALID_NAME);
	}

	assert_kr(mach_port_deallocate(TASK, so), KERN_SUCCESS);
	tu_expect_send_once_notification(p);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_DEAD_NAME, -3), KERN_SUCCESS);
	assert_kr(tu_type_kr(dead), KERN_INVALID_NAME);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -2, 0), KERN_SUCCESS);
}

/* The delta rules of spec 5.3. */
static void
test_mod_refs_deltas(void **state)
{
	mach_port_t p = tu_port_send(), set = tu_pset(), so, dead;

	(void)state;
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);
	/* urefs + delta < 0 and |delta| > 65535 are invalid values. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -4), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 65536), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -65536), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 0), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);
	/* A DEAD_NAME delta on a live send right is the wrong right. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_DEAD_NAME, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_INVALID_RIGHT);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);
	/* Removing every uref removes the SEND bit and the send right. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -3), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_srights, 0);

	/* RECEIVE and PORT_SET take only 0 or -1. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, 1), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -2), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, 0), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, 1), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, 0), KERN_SUCCESS);
	assert_int_equal(tu_type(set), MACH_PORT_TYPE_PORT_SET);

	/* SEND_ONCE: 0 or -1; -1 destroys it with a send-once notification. */
	so = make_send_once(p);
	assert_kr(mach_port_mod_refs(TASK, so, MACH_PORT_RIGHT_SEND_ONCE, 1), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, so, MACH_PORT_RIGHT_SEND_ONCE, -2), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, so, MACH_PORT_RIGHT_SEND_ONCE, 0), KERN_SUCCESS);
	assert_int_equal(tu_type(so), MACH_PORT_TYPE_SEND_ONCE);
	assert_kr(mach_port_mod_refs(TASK, so, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_SUCCESS);
	assert_kr(tu_type_kr(so), KERN_INVALID_NAME);
	tu_expect_send_once_notification(p);

	/* Dead names count urefs like send rights. */
	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	assert_int_equal(tu_refs(dead, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_DEAD_NAME, -3), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, dead, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_SUCCESS);
	assert_kr(tu_type_kr(dead), KERN_INVALID_NAME);

	/* 5.4: RECEIVE -1 on a SEND_RECEIVE name leaves a dead name with
	 * the send urefs (no dead-name request, so no +1). */
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
}

/* XNU mach_port_mod_refs (test T6, spec 8.2), exactly. */
static void
test_mod_refs_matrix_t6(void **state)
{
	mach_port_t port = tu_port(), pset = tu_pset();

	(void)state;
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_PORT_SET, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_DEAD_NAME, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_LABELH, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_NUMBER, -1), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_NUMBER + 1, -1), KERN_INVALID_VALUE);

	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_DEAD_NAME, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_LABELH, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_NUMBER, -1), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_NUMBER + 1, -1), KERN_INVALID_VALUE);

	/* Nothing above changed either name. */
	assert_int_equal(tu_type(port), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_type(pset), MACH_PORT_TYPE_PORT_SET);
	assert_kr(mach_port_mod_refs(TASK, pset, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(tu_type_kr(pset), KERN_INVALID_NAME);
	assert_kr(tu_type_kr(port), KERN_INVALID_NAME);
}

/* 5.3 saturation (CVE-2016-7637 fix): urefs peg at 65535. */
static void
test_mod_refs_pegging(void **state)
{
	mach_port_t p = tu_port_send();
	tu_msg_t m;

	(void)state;
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 65534), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	/* Pegged: +1 stays, -1 and deallocate are no-ops. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 65536), KERN_INVALID_VALUE);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -65536), KERN_INVALID_VALUE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);

	/* A MOVE_SEND copy-in does not decrement a pegged name either, and
	 * the reply right copied out onto it is consumed, not counted. */
	assert_kr(tu_send(p, MACH_MSG_TYPE_MOVE_SEND, p, MACH_MSG_TYPE_COPY_SEND, 1, 24), MACH_MSG_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_remote_port, p);
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.header.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_int_equal(tu_status(p).mps_srights, 1);

	/* Only exactly -65535 removes it; then no send right is left. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -65535), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_srights, 0);

	/* A delta that would pass the maximum pegs it, successfully. */
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 60000), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 60001);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 10000), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	assert_kr(mach_port_destruct(TASK, p, -65535, 0), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
}

/* ----- mach_port_type ---------------------------------------------------------- */

static void
test_type(void **state)
{
	mach_port_t p = tu_port(), n = tu_port(), set = tu_pset(), dead, so, prev = MACH_PORT_NULL;
	mach_port_type_t type = 0;

	(void)state;
	assert_kr(mach_port_type(TASK, MACH_PORT_NULL, &type), KERN_INVALID_NAME);
	assert_kr(mach_port_type(TASK, MACH_PORT_DEAD, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_DEAD_NAME);
	assert_kr(tu_type_kr(free_name()), KERN_INVALID_NAME);

	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_type(set), MACH_PORT_TYPE_PORT_SET);
	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_int_equal(tu_type(dead), MACH_PORT_TYPE_DEAD_NAME);
	so = make_send_once(p);
	assert_int_equal(tu_type(so), MACH_PORT_TYPE_SEND_ONCE);
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);

	/* An armed dead-name request shows as DNREQUEST; cancelling it
	 * (notify NULL) returns the request's send-once right. */
	assert_kr(mach_port_request_notification(TASK, p, MACH_NOTIFY_DEAD_NAME, 0, n,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE | MACH_PORT_TYPE_DNREQUEST);
	assert_int_equal(tu_status(n).mps_sorights, 1);
	assert_kr(mach_port_request_notification(TASK, p, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	assert_true(MACH_PORT_VALID(prev));
	assert_int_equal(tu_type(prev), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_kr(mach_port_deallocate(TASK, prev), KERN_SUCCESS);
	tu_expect_send_once_notification(n);
	assert_int_equal(tu_status(n).mps_sorights, 0);

	assert_kr(mach_port_deallocate(TASK, so), KERN_SUCCESS);
	tu_expect_send_once_notification(p);
	assert_kr(mach_port_deallocate(TASK, dead), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- mach_port_insert_right -------------------------------------------- */

/* XNU mach_port_insert_right and ipc/port_api (test T7), exactly. */
static void
test_insert_right_t7(void **state)
{
	mach_port_t p = tu_port(), q, s;

	(void)state;
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(tu_status(p).mps_mscount, 1);
	/* 0x7b: index 0 with valid generation bits; 0x7a: low bits not 0b11. */
	assert_kr(mach_port_insert_right(TASK, 0x7b, p, MACH_MSG_TYPE_MAKE_SEND), KERN_FAILURE);
	assert_kr(mach_port_insert_right(TASK, 0x7a, p, MACH_MSG_TYPE_MAKE_SEND), KERN_INVALID_VALUE);
	/* q already has a name in this space. */
	q = tu_port();
	assert_kr(mach_port_insert_right(TASK, p, q, MACH_MSG_TYPE_MAKE_SEND), KERN_RIGHT_EXISTS);
	/* A port-set name is not a port right (regression 123724977). */
	s = tu_pset();
	assert_kr(mach_port_insert_right(TASK, s, s, MACH_MSG_TYPE_MAKE_SEND), KERN_INVALID_RIGHT);

	/* The failed inserts left nothing behind: the send rights they made
	 * were released (srights only counts p's own entry). */
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(tu_type(q), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(q).mps_srights, 0);
	assert_int_equal(tu_type(s), MACH_PORT_TYPE_PORT_SET);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_srights, 0);

	assert_kr(mach_port_deallocate(TASK, s), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

static void
test_insert_right_names(void **state)
{
	mach_port_t q = tu_port(), dead, name;

	(void)state;
	/* A name held by another right: KERN_NAME_EXISTS.  Send-once rights
	 * never coalesce, so the port's own name does not matter here; the
	 * send-once right made for the call is destroyed, which notifies q. */
	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_kr(mach_port_insert_right(TASK, dead, q, MACH_MSG_TYPE_MAKE_SEND_ONCE), KERN_NAME_EXISTS);
	assert_int_equal(tu_type(dead), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(dead, MACH_PORT_RIGHT_DEAD_NAME), 1);
	tu_expect_send_once_notification(q);
	assert_int_equal(tu_status(q).mps_sorights, 0);

	/* A free name of the caller's choice. */
	name = free_name();
	assert_kr(mach_port_insert_right(TASK, name, q, MACH_MSG_TYPE_MAKE_SEND_ONCE), KERN_SUCCESS);
	assert_int_equal(tu_type(name), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(tu_status(q).mps_sorights, 1);
	assert_kr(mach_port_deallocate(TASK, name), KERN_SUCCESS);
	tu_expect_send_once_notification(q);

	/* On the receive right's own name every send disposition lands on
	 * the one SEND_RECEIVE entry (5.2): MAKE_SEND +1 and mscount +1,
	 * COPY_SEND +1, MOVE_SEND moves one out and back. */
	assert_kr(mach_port_insert_right(TASK, q, q, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_insert_right(TASK, q, q, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_int_equal(tu_refs(q, MACH_PORT_RIGHT_SEND), 2);
	assert_int_equal(tu_status(q).mps_mscount, 2);
	assert_kr(mach_port_insert_right(TASK, q, q, MACH_MSG_TYPE_COPY_SEND), KERN_SUCCESS);
	assert_int_equal(tu_refs(q, MACH_PORT_RIGHT_SEND), 3);
	assert_kr(mach_port_insert_right(TASK, q, q, MACH_MSG_TYPE_MOVE_SEND), KERN_SUCCESS);
	assert_int_equal(tu_refs(q, MACH_PORT_RIGHT_SEND), 3);
	assert_int_equal(tu_status(q).mps_mscount, 2);

	assert_kr(mach_port_deallocate(TASK, dead), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, q, -3, 0), KERN_SUCCESS);
	assert_kr(tu_type_kr(q), KERN_INVALID_NAME);
}

/* ----- mach_port_extract_right -------------------------------------------- */

static void
test_extract_right(void **state)
{
	mach_port_t p = tu_port_send(), q = tu_port(), got, so, so2, gone = free_name();
	mach_msg_type_name_t type;
	mach_port_status_t st;

	(void)state;
	/* Each right comes back into this space as a received right would,
	 * so send rights coalesce onto p (5.2); the type is converted. */
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_COPY_SEND, &got, &type), KERN_SUCCESS);
	assert_int_equal(got, p);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 2);
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_MAKE_SEND, &got, &type), KERN_SUCCESS);
	assert_int_equal(got, p);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);
	assert_int_equal(tu_status(p).mps_mscount, 2);
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_MOVE_SEND, &got, &type), KERN_SUCCESS);
	assert_int_equal(got, p);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);

	/* 5.2: send-once rights are never coalesced. */
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_true(so != p);
	assert_int_equal(tu_type(so), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(tu_status(p).mps_sorights, 1);
	assert_kr(mach_port_extract_right(TASK, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, &so2, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_equal(tu_type(so2), MACH_PORT_TYPE_SEND_ONCE);
	if (so2 != so)
		assert_kr(tu_type_kr(so), KERN_INVALID_NAME);
	assert_int_equal(tu_status(p).mps_sorights, 1);
	assert_kr(mach_port_deallocate(TASK, so2), KERN_SUCCESS);
	tu_expect_send_once_notification(p);        /* p's seqno is now 1 */
	assert_int_equal(tu_status(p).mps_seqno, 1);

	/* MOVE_RECEIVE leaves the SEND name, and the receive right comes
	 * back onto it; the move resets mscount and seqno (5.6). */
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_MOVE_RECEIVE, &got, &type), KERN_SUCCESS);
	assert_int_equal(got, p);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);
	st = tu_status(p);
	assert_int_equal(st.mps_mscount, 0);
	assert_int_equal(st.mps_seqno, 0);
	assert_int_equal(st.mps_srights, 1);
	assert_kr(mach_port_extract_right(TASK, q, MACH_MSG_TYPE_MOVE_RECEIVE, &got, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(tu_type(got), MACH_PORT_TYPE_RECEIVE);
	if (got != q)
		assert_kr(tu_type_kr(q), KERN_INVALID_NAME);
	q = got;

	/* Appendix A: dispositions outside 16..21 are invalid values; then
	 * NULL/DEAD names are invalid rights; then the usual name checks. */
	assert_kr(mach_port_extract_right(TASK, p, 0, &got, &type), KERN_INVALID_VALUE);
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_PORT_NAME, &got, &type), KERN_INVALID_VALUE);
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_COPY_RECEIVE, &got, &type), KERN_INVALID_VALUE);
	assert_kr(mach_port_extract_right(TASK, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, &got, &type),
	    KERN_INVALID_RIGHT);
	assert_kr(mach_port_extract_right(TASK, MACH_PORT_DEAD, MACH_MSG_TYPE_COPY_SEND, &got, &type),
	    KERN_INVALID_RIGHT);
	assert_kr(mach_port_extract_right(TASK, q, MACH_MSG_TYPE_COPY_SEND, &got, &type), KERN_INVALID_RIGHT);
	assert_kr(mach_port_extract_right(TASK, gone, MACH_MSG_TYPE_COPY_SEND, &got, &type), KERN_INVALID_NAME);
	assert_int_equal(tu_type(q), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 3);

	assert_kr(mach_port_destruct(TASK, p, -3, 0), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- mach_port_construct / mach_port_destruct ------------------------------ */

static void
test_construct(void **state)
{
	mach_port_options_t opts;
	mach_port_t p = MACH_PORT_NULL, name = MACH_PORT_NULL;
	mach_port_context_t ctx = 0;
	mach_port_status_t st;
	uint64_t before[6], after[6];

	(void)state;
	memset(&opts, 0, sizeof(opts));
	opts.flags = MPO_INSERT_SEND_RIGHT;
	assert_kr(mach_port_construct(TASK, &opts, 0, &p), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	st = tu_status(p);
	assert_int_equal(st.mps_mscount, 1);
	assert_int_equal(st.mps_srights, 1);
	assert_int_equal(st.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);

	/* 6.1: qlimit above 1024 is refused, and nothing is created. */
	memset(&opts, 0, sizeof(opts));
	opts.flags = MPO_QLIMIT;
	opts.mpl.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	harness_stats(before);
	assert_kr(mach_port_construct(TASK, &opts, 0, &name), KERN_INVALID_VALUE);
	harness_stats(after);
	assert_int_equal(after[TU_NAMES], before[TU_NAMES]);
	assert_int_equal(after[TU_PORTS], before[TU_PORTS]);
	opts.mpl.mpl_qlimit = MACH_PORT_QLIMIT_MAX;
	assert_kr(mach_port_construct(TASK, &opts, 0, &p), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_qlimit, MACH_PORT_QLIMIT_MAX);
	assert_kr(mach_port_destruct(TASK, p, 0, 0), KERN_SUCCESS);

	/* Without MPO_CONTEXT_AS_GUARD the context is the plain context. */
	memset(&opts, 0, sizeof(opts));
	assert_kr(mach_port_construct(TASK, &opts, 0x42424242, &p), KERN_SUCCESS);
	assert_kr(mach_port_get_context(TASK, p, &ctx), KERN_SUCCESS);
	assert_int_equal(ctx, 0x42424242);
	assert_int_equal(tu_status(p).mps_flags & MACH_PORT_STATUS_FLAG_GUARDED, 0);
	assert_kr(mach_port_destruct(TASK, p, 0, 0), KERN_SUCCESS);

	/* With it, the context guards the receive right: destruct needs it. */
	opts.flags = MPO_CONTEXT_AS_GUARD;
	assert_kr(mach_port_construct(TASK, &opts, 0x1234, &p), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_flags & MACH_PORT_STATUS_FLAG_GUARDED,
	    MACH_PORT_STATUS_FLAG_GUARDED);
	assert_kr(mach_port_destruct(TASK, p, 0, 0x1235), KERN_INVALID_ARGUMENT);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_destruct(TASK, p, 0, 0x1234), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
}

static void
test_destruct(void **state)
{
	mach_port_t p = tu_port_send(), q = tu_port(), set = tu_pset();

	(void)state;
	/* srdelta must be <= 0, and non-zero needs a send right. */
	assert_kr(mach_port_destruct(TASK, p, 1, 0), KERN_INVALID_VALUE);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_kr(mach_port_destruct(TASK, p, -2, 0), KERN_INVALID_VALUE);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_kr(mach_port_destruct(TASK, q, -1, 0), KERN_INVALID_RIGHT);
	/* XNU checks the rights before the sign of srdelta. */
	assert_kr(mach_port_destruct(TASK, q, 1, 0), KERN_INVALID_RIGHT);
	assert_int_equal(tu_type(q), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_destruct(TASK, MACH_PORT_NULL, 0, 0), KERN_INVALID_NAME);
	assert_kr(mach_port_destruct(TASK, set, 0, 0), KERN_INVALID_RIGHT);
	assert_int_equal(tu_type(set), MACH_PORT_TYPE_PORT_SET);

	/* -1 with one send uref: nothing is left under the name. */
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	assert_kr(mach_port_destruct(TASK, q, 0, 0), KERN_SUCCESS);
	assert_kr(tu_type_kr(q), KERN_INVALID_NAME);

	/* Remaining send urefs become a dead name (Appendix A, 5.4). */
	p = tu_port_send();
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
}

/* ----- attributes ------------------------------------------------------------ */

static void
test_attributes(void **state)
{
	mach_port_t p = tu_port(), set = tu_pset(), gone = free_name();
	mach_port_limits_t lim;
	mach_port_status_t st;
	mach_msg_type_number_t count;
	integer_t info[MACH_PORT_INFO_EXT_COUNT] = { 0 };
	tu_msg_t m;
	int i;

	(void)state;
	count = MACH_PORT_LIMITS_INFO_COUNT;
	assert_kr(mach_port_get_attributes(TASK, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, &count),
	    KERN_SUCCESS);
	assert_int_equal(count, MACH_PORT_LIMITS_INFO_COUNT);
	assert_int_equal(lim.mpl_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	lim.mpl_qlimit = MACH_PORT_QLIMIT_MAX;
	assert_kr(mach_port_set_attributes(TASK, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	    MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	lim.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	assert_kr(mach_port_set_attributes(TASK, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	    MACH_PORT_LIMITS_INFO_COUNT), KERN_INVALID_VALUE);
	lim.mpl_qlimit = 0;
	count = MACH_PORT_LIMITS_INFO_COUNT;
	assert_kr(mach_port_get_attributes(TASK, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, &count),
	    KERN_SUCCESS);
	assert_int_equal(lim.mpl_qlimit, MACH_PORT_QLIMIT_MAX);

	/* Appendix A: too small a count is a failure, an unknown flavor an
	 * invalid argument; LIMITS_INFO of NULL answers with count 0. */
	count = 0;
	assert_kr(mach_port_get_attributes(TASK, p, MACH_PORT_LIMITS_INFO, info, &count), KERN_FAILURE);
	count = MACH_PORT_RECEIVE_STATUS_COUNT - 1;
	assert_kr(mach_port_get_attributes(TASK, p, MACH_PORT_RECEIVE_STATUS, info, &count), KERN_FAILURE);
	count = MACH_PORT_INFO_EXT_COUNT;
	assert_kr(mach_port_get_attributes(TASK, p, 99, info, &count), KERN_INVALID_ARGUMENT);
	assert_kr(mach_port_set_attributes(TASK, p, 99, info, 1), KERN_INVALID_ARGUMENT);
	count = MACH_PORT_LIMITS_INFO_COUNT;
	assert_kr(mach_port_get_attributes(TASK, MACH_PORT_NULL, MACH_PORT_LIMITS_INFO, info, &count),
	    KERN_SUCCESS);
	assert_int_equal(count, 0);
	count = MACH_PORT_RECEIVE_STATUS_COUNT;
	assert_kr(mach_port_get_attributes(TASK, set, MACH_PORT_RECEIVE_STATUS, info, &count),
	    KERN_INVALID_RIGHT);
	count = MACH_PORT_RECEIVE_STATUS_COUNT;
	assert_kr(mach_port_get_attributes(TASK, gone, MACH_PORT_RECEIVE_STATUS, info, &count),
	    KERN_INVALID_NAME);
	count = MACH_PORT_RECEIVE_STATUS_COUNT;
	assert_kr(mach_port_get_attributes(TASK, MACH_PORT_NULL, MACH_PORT_RECEIVE_STATUS, info, &count),
	    KERN_INVALID_RIGHT);
	/* XNU checks the count, then the value, then the name. */
	count = MACH_PORT_RECEIVE_STATUS_COUNT - 1;
	assert_kr(mach_port_get_attributes(TASK, gone, MACH_PORT_RECEIVE_STATUS, info, &count),
	    KERN_FAILURE);
	lim.mpl_qlimit = 1;
	assert_kr(mach_port_set_attributes(TASK, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 0),
	    KERN_FAILURE);
	lim.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	assert_kr(mach_port_set_attributes(TASK, set, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	    MACH_PORT_LIMITS_INFO_COUNT), KERN_INVALID_VALUE);
	lim.mpl_qlimit = 1;
	assert_kr(mach_port_set_attributes(TASK, MACH_PORT_NULL, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT), KERN_INVALID_RIGHT);
	assert_kr(mach_port_set_attributes(TASK, set, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	    MACH_PORT_LIMITS_INFO_COUNT), KERN_INVALID_RIGHT);
	assert_int_equal(tu_status(p).mps_qlimit, MACH_PORT_QLIMIT_MAX);

	/* RECEIVE_STATUS follows the queue: three MAKE_SEND messages and a
	 * MAKE_SEND_ONCE one are three send rights and a send-once right in
	 * flight (5.1). */
	for (i = 1; i <= 3; i++)
		assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, i, 32), MACH_MSG_SUCCESS);
	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_PORT_NULL, 0, 4, 32), MACH_MSG_SUCCESS);
	st = tu_status(p);
	assert_int_equal(st.mps_pset, 0);
	assert_int_equal(st.mps_seqno, 0);
	assert_int_equal(st.mps_mscount, 3);
	assert_int_equal(st.mps_qlimit, MACH_PORT_QLIMIT_MAX);
	assert_int_equal(st.mps_msgcount, 4);
	assert_int_equal(st.mps_sorights, 1);
	assert_int_equal(st.mps_srights, 1);
	assert_int_equal(st.mps_pdrequest, 0);
	assert_int_equal(st.mps_nsrequest, 0);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 1);
	st = tu_status(p);
	assert_int_equal(st.mps_msgcount, 3);
	assert_int_equal(st.mps_seqno, 1);
	assert_int_equal(st.mps_srights, 1);
	/* Receiving consumes each message's destination right (6.6). */
	for (i = 2; i <= 4; i++) {
		assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
		assert_int_equal(m.header.msgh_id, i);
		tu_check_body(&m);
	}
	st = tu_status(p);
	assert_int_equal(st.mps_msgcount, 0);
	assert_int_equal(st.mps_seqno, 4);
	assert_int_equal(st.mps_mscount, 3);
	assert_int_equal(st.mps_srights, 0);
	assert_int_equal(st.mps_sorights, 0);

	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

static void
test_set_mscount_seqno(void **state)
{
	mach_port_t p = tu_port(), set = tu_pset(), gone = free_name();
	mach_msg_seqno_trailer_t t;
	tu_msg_t m;

	(void)state;
	assert_kr(mach_port_set_mscount(TASK, p, 7), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_mscount, 7);
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_mscount, 8);

	/* 6.4: the next message gets the set value. */
	assert_kr(mach_port_set_seqno(TASK, p, 100), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_seqno, 100);
	assert_kr(tu_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 1, 24), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO), 0),
	    MACH_MSG_SUCCESS);
	memcpy(&t, m.bytes + m.header.msgh_size, sizeof(t));
	assert_int_equal(t.msgh_trailer_size, sizeof(mach_msg_seqno_trailer_t));
	assert_int_equal(t.msgh_seqno, 100);
	assert_int_equal(tu_status(p).mps_seqno, 101);

	/* Appendix A: a receive right is required. */
	assert_kr(mach_port_set_mscount(TASK, set, 1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_set_seqno(TASK, set, 1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_set_mscount(TASK, gone, 1), KERN_INVALID_NAME);
	assert_kr(mach_port_set_seqno(TASK, gone, 1), KERN_INVALID_NAME);

	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/* ----- context and guards ------------------------------------------------------ */

static void
test_context(void **state)
{
	const mach_port_context_t value = (mach_port_context_t)0x1122334455667788ull;
	mach_port_t p = tu_port_send(), set = tu_pset();
	mach_port_context_t ctx = 1;
	mach_msg_context_trailer_t t;
	tu_msg_t m;

	(void)state;
	assert_kr(mach_port_get_context(TASK, p, &ctx), KERN_SUCCESS);
	assert_int_equal(ctx, 0);
	assert_kr(mach_port_set_context(TASK, p, value), KERN_SUCCESS);
	assert_kr(mach_port_get_context(TASK, p, &ctx), KERN_SUCCESS);
	assert_int_equal(ctx, value);
	/* 1.5: the CTX trailer carries the receiving port's context. */
	assert_kr(tu_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 1, 24), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX), 0),
	    MACH_MSG_SUCCESS);
	memcpy(&t, m.bytes + m.header.msgh_size, sizeof(t));
	assert_int_equal(t.msgh_trailer_size, sizeof(mach_msg_context_trailer_t));
	assert_int_equal(t.msgh_context, value);

	assert_kr(mach_port_get_context(TASK, set, &ctx), KERN_INVALID_RIGHT);
	assert_kr(mach_port_set_context(TASK, set, 1), KERN_INVALID_RIGHT);

	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

static void
test_guard_unguard(void **state)
{
	mach_port_t p = tu_port();
	mach_port_context_t ctx = 0;

	(void)state;
	assert_kr(mach_port_guard(TASK, p, 0x1111, FALSE), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_flags & MACH_PORT_STATUS_FLAG_GUARDED,
	    MACH_PORT_STATUS_FLAG_GUARDED);
	assert_kr(mach_port_get_context(TASK, p, &ctx), KERN_SUCCESS);
	assert_int_equal(ctx, 0x1111);
	/* The guard lives in the context, so it cannot be guarded twice. */
	assert_kr(mach_port_guard(TASK, p, 0x2222, FALSE), KERN_INVALID_ARGUMENT);
	/* Appendix A: a guarded receive right resists mod_refs and destroy. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_destroy(TASK, p), KERN_INVALID_RIGHT);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);

	assert_kr(mach_port_unguard(TASK, p, 0x2222), KERN_INVALID_ARGUMENT);
	assert_kr(mach_port_unguard(TASK, p, 0x1111), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_flags & MACH_PORT_STATUS_FLAG_GUARDED, 0);
	assert_kr(mach_port_get_context(TASK, p, &ctx), KERN_SUCCESS);
	assert_int_equal(ctx, 0);
	assert_kr(mach_port_unguard(TASK, p, 0x1111), KERN_INVALID_ARGUMENT);

	/* Appendix A: guarding a port whose context is in use is refused. */
	assert_kr(mach_port_set_context(TASK, p, 5), KERN_SUCCESS);
	assert_kr(mach_port_guard(TASK, p, 0x3333, FALSE), KERN_INVALID_ARGUMENT);
	assert_kr(mach_port_set_context(TASK, p, 0), KERN_SUCCESS);

	/* Appendix A: strict guards read as 0 and the context cannot be set. */
	assert_kr(mach_port_guard(TASK, p, 0x3333, TRUE), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_flags & MACH_PORT_STATUS_FLAG_STRICT_GUARD,
	    MACH_PORT_STATUS_FLAG_STRICT_GUARD);
	ctx = 1;
	assert_kr(mach_port_get_context(TASK, p, &ctx), KERN_SUCCESS);
	assert_int_equal(ctx, 0);
	assert_kr(mach_port_set_context(TASK, p, 9), KERN_INVALID_ARGUMENT);
	assert_kr(mach_port_destruct(TASK, p, 0, 0x3334), KERN_INVALID_ARGUMENT);
	assert_kr(mach_port_destruct(TASK, p, 0, 0x3333), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
}

/* NULL and DEAD are not names (5.4); each routine has its own answer
 * (XNU mach_port.c: receive-right routines say invalid right, the
 * guard routines and destruct invalid name). */
static void
test_null_and_dead_names(void **state)
{
	static const mach_port_name_t invalid[] = { MACH_PORT_NULL, MACH_PORT_DEAD };
	mach_port_context_t ctx;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_kr(mach_port_set_mscount(TASK, invalid[i], 1), KERN_INVALID_RIGHT);
		assert_kr(mach_port_set_seqno(TASK, invalid[i], 1), KERN_INVALID_RIGHT);
		assert_kr(mach_port_get_context(TASK, invalid[i], &ctx), KERN_INVALID_RIGHT);
		assert_kr(mach_port_set_context(TASK, invalid[i], 1), KERN_INVALID_RIGHT);
		assert_kr(mach_port_destruct(TASK, invalid[i], 0, 0), KERN_INVALID_NAME);
		assert_kr(mach_port_guard(TASK, invalid[i], 1, FALSE), KERN_INVALID_NAME);
		assert_kr(mach_port_unguard(TASK, invalid[i], 1), KERN_INVALID_NAME);
	}
}

/* ----- mach_port_peek ------------------------------------------------------------ */

/* XNU port_peek (spec 8.2) plus the seqno selection of 6.4. */
static void
test_peek(void **state)
{
	mach_port_t p = tu_port();
	mach_port_seqno_t seqno;
	mach_msg_size_t size;
	mach_msg_id_t id;
	mach_msg_type_number_t count;
	mach_msg_audit_trailer_t t;
	uint8_t info[MAX_TRAILER_SIZE];
	const mach_msg_trailer_type_t audit = MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT);
	tu_msg_t m;
	size_t i;

	(void)state;
	seqno = 0;
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, p, audit, &seqno, &size, &id, (mach_msg_trailer_info_t)info, &count),
	    KERN_FAILURE);

	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 0x4321, 536), MACH_MSG_SUCCESS);
	seqno = 0;
	size = 0;
	id = 0;
	count = sizeof(info);
	memset(info, 0xa5, sizeof(info));
	assert_kr(mach_port_peek(TASK, p, audit, &seqno, &size, &id, (mach_msg_trailer_info_t)info, &count),
	    KERN_SUCCESS);
	assert_int_equal(seqno, 0);
	assert_int_equal(id, 0x4321);
	assert_int_equal(size, 536 + 8);              /* the in-kernel size (1.1) */
	assert_int_equal(count, sizeof(mach_msg_audit_trailer_t));
	memcpy(&t, info, sizeof(t));
	assert_int_equal(t.msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
	assert_int_equal(t.msgh_trailer_size, sizeof(mach_msg_audit_trailer_t));
	assert_int_equal(t.msgh_seqno, 0);
	assert_int_equal(t.msgh_audit.val[1], geteuid());
	assert_int_equal(t.msgh_audit.val[5], getpid());
	for (i = sizeof(t); i < sizeof(info); i++)
		assert_int_equal(info[i], 0xa5);

	/* A non-zero seqno picks the message at offset seqno - port seqno. */
	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 0x4322, 100), MACH_MSG_SUCCESS);
	seqno = 1;
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, p, audit, &seqno, &size, &id, (mach_msg_trailer_info_t)info, &count),
	    KERN_SUCCESS);
	assert_int_equal(seqno, 1);
	assert_int_equal(id, 0x4322);
	assert_int_equal(size, 108);
	seqno = 2;
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, p, audit, &seqno, &size, &id, (mach_msg_trailer_info_t)info, &count),
	    KERN_FAILURE);

	/* Peeking dequeues nothing. */
	assert_int_equal(tu_status(p).mps_msgcount, 2);
	assert_int_equal(tu_status(p).mps_seqno, 0);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 0x4321);
	assert_int_equal(m.header.msgh_size, 536);
	tu_check_body(&m);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 0x4322);
	assert_int_equal(m.header.msgh_size, 100);
	tu_check_body(&m);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/*
 * XNU's mach_port_peek checks, in order: NULL/DEAD name -> invalid
 * right; trailer beyond AUDIT or larger than the caller's buffer ->
 * invalid value; then the name must be a receive right; then a message
 * must be there (KERN_FAILURE).
 */
static void
test_peek_errors(void **state)
{
	const mach_msg_trailer_type_t audit = MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT);
	const mach_msg_trailer_type_t ctx = MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX);
	mach_port_t p = tu_port(), set = tu_pset();
	mach_port_seqno_t seqno = 0;
	mach_msg_size_t size;
	mach_msg_id_t id;
	mach_msg_type_number_t count;
	char info[MAX_TRAILER_SIZE];

	(void)state;
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, MACH_PORT_NULL, audit, &seqno, &size, &id, info, &count),
	    KERN_INVALID_RIGHT);
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, MACH_PORT_DEAD, audit, &seqno, &size, &id, info, &count),
	    KERN_INVALID_RIGHT);
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, set, ctx, &seqno, &size, &id, info, &count), KERN_INVALID_VALUE);
	count = sizeof(mach_msg_security_trailer_t);
	assert_kr(mach_port_peek(TASK, p, audit, &seqno, &size, &id, info, &count), KERN_INVALID_VALUE);
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, p, ctx, &seqno, &size, &id, info, &count), KERN_INVALID_VALUE);
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, set, audit, &seqno, &size, &id, info, &count), KERN_INVALID_RIGHT);
	count = sizeof(info);
	assert_kr(mach_port_peek(TASK, p, audit, &seqno, &size, &id, info, &count), KERN_FAILURE);

	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* Appendix A, mach_port_names: every name with its mach_port_type, in two
 * out-of-line arrays the caller releases with vm_deallocate. */
static void
test_names(void **state)
{
	mach_port_t recv = tu_port_send(), set = tu_pset(), dead;
	mach_port_name_array_t names = NULL;
	mach_port_type_array_t types = NULL;
	mach_msg_type_number_t ncnt = 0, tcnt = 0, i;
	int seen = 0;

	(void)state;
	assert_kr(mach_port_allocate(TASK, MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_kr(mach_port_names(TASK, &names, &ncnt, &types, &tcnt), KERN_SUCCESS);
	assert_int_equal(ncnt, tcnt);
	assert_int_equal(ncnt, tu_baseline()[TU_NAMES] + 3);
	for (i = 0; i < ncnt; i++) {
		assert_int_equal(types[i], tu_type(names[i]));
		if (names[i] == recv) {
			assert_int_equal(types[i], MACH_PORT_TYPE_SEND_RECEIVE);
			seen++;
		} else if (names[i] == set) {
			assert_int_equal(types[i], MACH_PORT_TYPE_PORT_SET);
			seen++;
		} else if (names[i] == dead) {
			assert_int_equal(types[i], MACH_PORT_TYPE_DEAD_NAME);
			seen++;
		}
	}
	assert_int_equal(seen, 3);
	/* The arrays are ordinary, writable memory of ours. */
	names[0] = 0;
	assert_kr(vm_deallocate(TASK, (vm_address_t)names, ncnt * sizeof(*names)), KERN_SUCCESS);
	assert_kr(vm_deallocate(TASK, (vm_address_t)types, tcnt * sizeof(*types)), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, dead), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, recv, -1, 0), KERN_SUCCESS);
}

/* Appendix A, mach_port_get_set_status: the members' names out of line;
 * a name that is not a port set is refused (XNU: NULL/DEAD and other
 * rights are KERN_INVALID_RIGHT, unknown names KERN_INVALID_NAME). */
static void
test_get_set_status(void **state)
{
	mach_port_t set = tu_pset(), a = tu_port(), b = tu_port();
	mach_port_name_array_t members = NULL;
	mach_msg_type_number_t cnt = 99;

	(void)state;
	assert_kr(mach_port_get_set_status(TASK, set, &members, &cnt), KERN_SUCCESS);
	assert_int_equal(cnt, 0);
	assert_kr(mach_port_move_member(TASK, a, set), KERN_SUCCESS);
	assert_kr(mach_port_move_member(TASK, b, set), KERN_SUCCESS);
	assert_kr(mach_port_get_set_status(TASK, set, &members, &cnt), KERN_SUCCESS);
	assert_int_equal(cnt, 2);
	assert_true((members[0] == a && members[1] == b) || (members[0] == b && members[1] == a));
	assert_kr(vm_deallocate(TASK, (vm_address_t)members, cnt * sizeof(*members)), KERN_SUCCESS);
	assert_kr(mach_port_get_set_status(TASK, MACH_PORT_NULL, &members, &cnt), KERN_INVALID_RIGHT);
	assert_kr(mach_port_get_set_status(TASK, a, &members, &cnt), KERN_INVALID_RIGHT);
	assert_kr(mach_port_get_set_status(TASK, 0x7777703, &members, &cnt), KERN_INVALID_NAME);
	assert_kr(mach_port_mod_refs(TASK, a, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, b, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_allocate_rights),
		tu_test(test_allocate_name_rules),
		tu_test(test_deallocate_destroy),
		tu_test(test_destroy_port_set_keeps_members),
		tu_test(test_mach_port_deallocate_21692215),
		tu_test(test_get_refs_table),
		tu_test(test_mod_refs_deltas),
		tu_test(test_mod_refs_matrix_t6),
		tu_test(test_mod_refs_pegging),
		tu_test(test_type),
		tu_test(test_insert_right_t7),
		tu_test(test_insert_right_names),
		tu_test(test_extract_right),
		tu_test(test_construct),
		tu_test(test_destruct),
		tu_test(test_attributes),
		tu_test(test_set_mscount_seqno),
		tu_test(test_context),
		tu_test(test_guard_unguard),
		tu_test(test_null_and_dead_names),
		tu_test(test_peek),
		tu_test(test_peek_errors),
		tu_test(test_names),
		tu_test(test_get_set_status),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
