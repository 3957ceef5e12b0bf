/*
 * test_ipc_pset.c -- port sets (spec Appendix A membership routines, 6.2
 * ordering, 6.3 receive, 6.5 MACH_RCV_LARGE): membership codes, receiving
 * through a set, fairness between members, and what a thread blocked on a
 * set sees.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#define TASK mach_task_self()

/* What a receive through a set delivered: id, the member it came from,
 * and the member's sequence number for it. */
static void
expect_from(mach_port_t set, mach_msg_id_t id, mach_port_t member, mach_port_seqno_t seqno)
{
	mach_msg_seqno_trailer_t t;
	tu_msg_t m;

	assert_kr(tu_recv(set, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO), 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, id);
	assert_int_equal(m.header.msgh_local_port, member);
	assert_int_equal(m.header.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
	tu_check_body(&m);
	memcpy(&t, m.bytes + m.header.msgh_size, sizeof(t));
	assert_int_equal(t.msgh_seqno, seqno);
}

static void
send_to(mach_port_t port, mach_msg_id_t id)
{
	assert_kr(tu_send(port, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, id, 40), MACH_MSG_SUCCESS);
}

/* ----- membership ------------------------------------------------------------ */

static void
test_membership_codes(void **state)
{
	mach_port_t s1 = tu_pset(), s2 = tu_pset(), p = tu_port(), q = tu_port(), gone;

	(void)state;
	gone = tu_pset();
	assert_kr(mach_port_deallocate(TASK, gone), KERN_SUCCESS);

	assert_kr(mach_port_move_member(TASK, p, MACH_PORT_NULL), KERN_NOT_IN_SET);
	assert_kr(mach_port_move_member(TASK, p, s1), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_pset, 1);
	/* Moving into the set it is already in keeps it there. */
	assert_kr(mach_port_move_member(TASK, p, s1), KERN_SUCCESS);
	assert_kr(mach_port_insert_member(TASK, p, s1), KERN_ALREADY_IN_SET);
	assert_kr(mach_port_extract_member(TASK, p, s2), KERN_NOT_IN_SET);

	/* A port may be in several sets (mps_pset only says "in a set"). */
	assert_kr(mach_port_insert_member(TASK, p, s2), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_pset, 1);
	assert_kr(mach_port_insert_member(TASK, p, s2), KERN_ALREADY_IN_SET);

	/* Appendix A: NULL/DEAD names are invalid rights; so are names of
	 * the wrong kind; unknown names are invalid names. */
	assert_kr(mach_port_move_member(TASK, p, MACH_PORT_DEAD), KERN_INVALID_RIGHT);
	assert_kr(mach_port_move_member(TASK, MACH_PORT_NULL, s1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_move_member(TASK, MACH_PORT_DEAD, s1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_insert_member(TASK, MACH_PORT_NULL, s1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_insert_member(TASK, p, MACH_PORT_NULL), KERN_INVALID_RIGHT);
	assert_kr(mach_port_insert_member(TASK, p, MACH_PORT_DEAD), KERN_INVALID_RIGHT);
	assert_kr(mach_port_extract_member(TASK, p, MACH_PORT_NULL), KERN_INVALID_RIGHT);
	assert_kr(mach_port_extract_member(TASK, MACH_PORT_DEAD, s1), KERN_INVALID_RIGHT);
	assert_kr(mach_port_insert_member(TASK, p, q), KERN_INVALID_RIGHT);
	assert_kr(mach_port_insert_member(TASK, s1, s2), KERN_INVALID_RIGHT);
	assert_kr(mach_port_move_member(TASK, q, p), KERN_INVALID_RIGHT);
	assert_kr(mach_port_insert_member(TASK, p, gone), KERN_INVALID_NAME);
	assert_kr(mach_port_move_member(TASK, p, gone), KERN_INVALID_NAME);

	/* move_member leaves every set but the target. */
	assert_kr(mach_port_move_member(TASK, p, s1), KERN_SUCCESS);
	assert_kr(mach_port_extract_member(TASK, p, s2), KERN_NOT_IN_SET);
	assert_kr(mach_port_extract_member(TASK, p, s1), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_pset, 0);
	assert_kr(mach_port_extract_member(TASK, p, s1), KERN_NOT_IN_SET);

	/* ... and with NULL, every set. */
	assert_kr(mach_port_insert_member(TASK, p, s1), KERN_SUCCESS);
	assert_kr(mach_port_insert_member(TASK, p, s2), KERN_SUCCESS);
	assert_kr(mach_port_move_member(TASK, p, MACH_PORT_NULL), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_pset, 0);
	assert_kr(mach_port_move_member(TASK, p, MACH_PORT_NULL), KERN_NOT_IN_SET);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, s1, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, s2, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
}

/* ----- receiving through a set ----------------------------------------------- */

/*
 * 6.2: FIFO per member; between members, the first member with messages
 * (in the order they got them) is served and moves to the back.
 */
static void
test_receive_round_robin(void **state)
{
	mach_port_t set = tu_pset(), p1 = tu_port(), p2 = tu_port();

	(void)state;
	assert_kr(mach_port_move_member(TASK, p1, set), KERN_SUCCESS);
	assert_kr(mach_port_move_member(TASK, p2, set), KERN_SUCCESS);
	tu_expect_empty(set);

	send_to(p1, 1);
	send_to(p1, 2);
	send_to(p2, 3);
	send_to(p2, 4);
	expect_from(set, 1, p1, 0);
	expect_from(set, 3, p2, 0);
	expect_from(set, 2, p1, 1);
	expect_from(set, 4, p2, 1);
	tu_expect_empty(set);

	/* A member that runs dry leaves the rotation. */
	send_to(p1, 10);
	send_to(p1, 11);
	send_to(p1, 12);
	send_to(p2, 20);
	expect_from(set, 10, p1, 2);
	expect_from(set, 20, p2, 2);
	expect_from(set, 11, p1, 3);
	expect_from(set, 12, p1, 4);
	tu_expect_empty(set);
	assert_int_equal(tu_status(p1).mps_msgcount, 0);
	assert_int_equal(tu_status(p2).mps_srights, 0);

	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p1, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* Messages queued before the port joined, a port in two sets, and a
 * receive directly on a member (allowed: MACH_RCV_IN_SET is never
 * returned, 6.3). */
static void
test_receive_membership_cases(void **state)
{
	mach_port_t s1 = tu_pset(), s2 = tu_pset(), p = tu_port();
	tu_msg_t m;

	(void)state;
	send_to(p, 1);
	assert_kr(mach_port_insert_member(TASK, p, s1), KERN_SUCCESS);
	assert_kr(mach_port_insert_member(TASK, p, s2), KERN_SUCCESS);
	expect_from(s2, 1, p, 0);
	tu_expect_empty(s1);
	tu_expect_empty(s2);
	send_to(p, 2);
	expect_from(s1, 2, p, 1);
	tu_expect_empty(s2);

	send_to(p, 3);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 3);
	assert_int_equal(m.header.msgh_local_port, p);
	tu_expect_empty(s1);
	tu_expect_empty(s2);

	/* Out of the set, its messages no longer show there. */
	send_to(p, 4);
	assert_kr(mach_port_move_member(TASK, p, MACH_PORT_NULL), KERN_SUCCESS);
	tu_expect_empty(s1);
	tu_expect_empty(s2);
	assert_int_equal(tu_status(p).mps_msgcount, 1);

	/* A member destroyed with a message queued leaves the set empty. */
	assert_kr(mach_port_insert_member(TASK, p, s1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	tu_expect_empty(s1);
	assert_int_equal(tu_type(s1), MACH_PORT_TYPE_PORT_SET);

	assert_kr(mach_port_mod_refs(TASK, s1, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, s2, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
}

/* 5.6: a receive right that moves leaves every set it was in. */
static void
test_moved_receive_right_leaves_set(void **state)
{
	mach_port_t set = tu_pset(), p = tu_port(), q = tu_port(), r;
	struct {
		mach_msg_header_t h;
		mach_msg_body_t b;
		mach_msg_port_descriptor_t d;
	} pm;
	tu_msg_t m;

	(void)state;
	assert_kr(mach_port_move_member(TASK, p, set), KERN_SUCCESS);
	send_to(p, 1);
	memset(&pm, 0, sizeof(pm));
	pm.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	pm.h.msgh_remote_port = q;
	pm.h.msgh_id = 2;
	pm.b.msgh_descriptor_count = 1;
	pm.d.name = p;
	pm.d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	pm.d.type = MACH_MSG_PORT_DESCRIPTOR;
	assert_kr(mach_msg(&pm.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(pm), 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL), MACH_MSG_SUCCESS);
	tu_expect_empty(set);

	assert_kr(tu_recv(q, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	memcpy(&pm, m.bytes, sizeof(pm));
	r = pm.d.name;
	assert_int_equal(tu_type(r), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(r).mps_pset, 0);
	assert_int_equal(tu_status(r).mps_msgcount, 1);
	tu_expect_empty(set);
	assert_kr(mach_port_extract_member(TASK, r, set), KERN_NOT_IN_SET);

	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
}

/*
 * 6.5: MACH_RCV_LARGE keeps the message; the needed size goes to offset
 * 4, and with MACH_RCV_LARGE_IDENTITY the member's name to offset 12;
 * nothing else in the buffer is written and no seqno is used.
 */
static void
test_rcv_large_identity_on_set(void **state)
{
	mach_port_t set = tu_pset(), other = tu_port(), p = tu_port();
	uint8_t buf[256];
	uint32_t word;
	size_t i;

	(void)state;
	assert_kr(mach_port_move_member(TASK, other, set), KERN_SUCCESS);
	assert_kr(mach_port_move_member(TASK, p, set), KERN_SUCCESS);
	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 9, 100), MACH_MSG_SUCCESS);

	memset(buf, 0xa5, sizeof(buf));
	assert_kr(mach_msg((mach_msg_header_t *)(void *)buf,
	    MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE | MACH_RCV_LARGE_IDENTITY,
	    0, 32, set, 0, MACH_PORT_NULL), MACH_RCV_TOO_LARGE);
	memcpy(&word, buf + 4, 4);
	assert_int_equal(word, 100);
	memcpy(&word, buf + 12, 4);
	assert_int_equal(word, p);
	for (i = 0; i < sizeof(buf); i++)
		if ((i < 4 || i >= 8) && (i < 12 || i >= 16))
			assert_int_equal(buf[i], 0xa5);
	assert_int_equal(tu_status(p).mps_msgcount, 1);
	assert_int_equal(tu_status(p).mps_seqno, 0);

	/* Without LARGE_IDENTITY the name is not written. */
	memset(buf, 0xa5, sizeof(buf));
	assert_kr(mach_msg((mach_msg_header_t *)(void *)buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE,
	    0, 32, set, 0, MACH_PORT_NULL), MACH_RCV_TOO_LARGE);
	memcpy(&word, buf + 4, 4);
	assert_int_equal(word, 100);
	for (i = 0; i < sizeof(buf); i++)
		if (i < 4 || i >= 8)
			assert_int_equal(buf[i], 0xa5);

	expect_from(set, 9, p, 0);
	tu_expect_empty(set);

	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, other, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- threads blocked on a set ---------------------------------------------- */

struct receiver {
	mach_port_t        name;
	mach_msg_return_t  mr;
	tu_msg_t           msg;
};

static void *
receive_thread(void *arg)
{
	struct receiver *r = arg;

	memset(&r->msg, 0, sizeof(r->msg));
	r->mr = mach_msg(&r->msg.header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(r->msg), r->name,
	    10000, MACH_PORT_NULL);
	return NULL;
}

/* Give the thread time to block in machd before acting. */
static void
start_receiver(pthread_t *th, struct receiver *r, mach_port_t name)
{
	r->name = name;
	r->mr = (mach_msg_return_t)-1;
	assert_int_equal(pthread_create(th, NULL, receive_thread, r), 0);
	usleep(300 * 1000);
}

/* A message for a member is handed to the thread waiting on the set. */
static void
test_blocked_set_receiver_gets_member_message(void **state)
{
	mach_port_t set = tu_pset(), p = tu_port();
	struct receiver r;
	pthread_t th;

	(void)state;
	assert_kr(mach_port_move_member(TASK, p, set), KERN_SUCCESS);
	start_receiver(&th, &r, set);
	send_to(p, 77);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_kr(r.mr, MACH_MSG_SUCCESS);
	assert_int_equal(r.msg.header.msgh_id, 77);
	assert_int_equal(r.msg.header.msgh_local_port, p);
	tu_check_body(&r.msg);
	tu_expect_empty(set);

	assert_kr(mach_port_mod_refs(TASK, set, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 6.3 step 4: destroying the set wakes its receivers with PORT_CHANGED. */
static void
test_blocked_set_receiver_set_destroyed(void **state)
{
	mach_port_t set = tu_pset(), p = tu_port();
	struct receiver r;
	pthread_t th;

	(void)state;
	assert_kr(mach_port_move_member(TASK, p, set), KERN_SUCCESS);
	start_receiver(&th, &r, set);
	assert_kr(mach_port_destroy(TASK, set), KERN_SUCCESS);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_kr(r.mr, MACH_RCV_PORT_CHANGED);
	assert_kr(tu_type_kr(set), KERN_INVALID_NAME);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_pset, 0);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_membership_codes),
		tu_test(test_receive_round_robin),
		tu_test(test_receive_membership_cases),
		tu_test(test_moved_receive_right_leaves_set),
		tu_test(test_rcv_large_identity_on_set),
		tu_test(test_blocked_set_receiver_gets_member_message),
		tu_test(test_blocked_set_receiver_set_destroyed),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
