/*
 * test_ipc_notify.c -- kernel notifications (spec 5.7, 5.8, 2.8 and
 * Appendix B): how each is armed, exactly when it fires, the bytes and
 * trailer it arrives with, what happens to the rights involved, and the
 * error codes of mach_port_request_notification.
 */
#include <stdint.h>
#include <string.h>

#include "test_util.h"

#define TASK mach_task_self()

#pragma pack(push, 4)
struct port_msg {
	mach_msg_header_t          h;
	mach_msg_body_t            body;
	mach_msg_port_descriptor_t d;
};
#pragma pack(pop)

/* A complex message carrying one port descriptor, made-send to dest. */
static mach_msg_return_t
send_port(mach_port_t dest, mach_port_t name, mach_msg_type_name_t disp, mach_msg_id_t id)
{
	struct port_msg m;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = id;
	m.body.msgh_descriptor_count = 1;
	m.d.name = name;
	m.d.disposition = disp;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL);
}

static kern_return_t
request(mach_port_t name, mach_msg_id_t id, mach_port_mscount_t sync, mach_port_t notify,
    mach_port_t *previous)
{
	*previous = 0xdeadbeef;
	return mach_port_request_notification(TASK, name, id, sync, notify,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, previous);
}

/* Put p's receive right in a message queued on a fresh port, so that p
 * stays a send-only name here; returns the port holding it. */
static mach_port_t
receive_right_in_transit(mach_port_t p)
{
	mach_port_t q = tu_port();

	assert_kr(send_port(q, p, MACH_MSG_TYPE_MOVE_RECEIVE, 1), MACH_MSG_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND);
	return q;
}

/* ----- no-senders ------------------------------------------------------- */

/* Appendix B: the received no-senders notification, byte for byte. */
static void
test_no_senders_on_last_send_right(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), prev;
	mach_msg_audit_trailer_t t;
	uint8_t want[36] = {
		0x00, 0x12, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x00, 0x46, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,
	};
	tu_msg_t m;
	size_t i;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	assert_int_equal(tu_status(p).mps_nsrequest, 1);
	assert_int_equal(tu_status(n).mps_sorights, 1);

	/* srights counts entries, not urefs: dropping one of two urefs
	 * leaves a sender. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_int_equal(tu_status(p).mps_nsrequest, 1);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);
	assert_int_equal(tu_status(p).mps_srights, 0);

	/* remote 0, local = our name for n, id 70, NDR, mscount 1. */
	for (i = 0; i < 4; i++)
		want[12 + i] = (uint8_t)(n >> (8 * i));
	assert_kr(tu_recv(n, &m, sizeof(m), MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT), 0),
	    MACH_MSG_SUCCESS);
	assert_memory_equal(m.bytes, want, sizeof(want));
	/* Kernel-originated: security token {0, 1}, audit token all zero. */
	t = tu_audit_trailer(&m);
	assert_int_equal(t.msgh_trailer_type, 0);
	assert_int_equal(t.msgh_trailer_size, 52);
	assert_int_equal(t.msgh_seqno, 0);
	assert_int_equal(t.msgh_sender.val[0], 0);
	assert_int_equal(t.msgh_sender.val[1], 1);
	for (i = 0; i < 8; i++)
		assert_int_equal(t.msgh_audit.val[i], 0);
	assert_int_equal(tu_status(n).mps_sorights, 0);
	tu_expect_empty(n);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 5.7: with no send rights and sync <= mscount it fires at registration. */
static void
test_no_senders_immediate(void **state)
{
	mach_port_t p = tu_port(), n = tu_port(), prev;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 0);

	/* Two MAKE_SENDs since, both gone: fires with mscount 2. */
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, -2), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 2, n, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 2);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);
	assert_int_equal(tu_status(n).mps_sorights, 0);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/*
 * 5.8: a server that sees mscount M re-arms with sync M + 1; that does
 * not fire until a newer send right has come and gone.
 */
static void
test_no_senders_make_send_count_protocol(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), prev;

	(void)state;
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	assert_int_equal(tu_status(p).mps_mscount, 1);
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 2, n, &prev), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_int_equal(tu_status(p).mps_nsrequest, 1);

	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 2);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 6.6: the send right a message was addressed with is consumed at
 * receive; if it was the last one, no-senders fires then. */
static void
test_no_senders_on_receive(void **state)
{
	mach_port_t p = tu_port(), n = tu_port(), prev;
	tu_msg_t m;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 1, n, &prev), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 7, 24), MACH_MSG_SUCCESS);
	assert_int_equal(tu_status(p).mps_srights, 1);
	tu_expect_empty(n);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 7);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 1);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* Re-registering returns the previous send-once right; notify NULL cancels. */
static void
test_no_senders_previous(void **state)
{
	mach_port_t p = tu_port_send(), n1 = tu_port(), n2 = tu_port(), prev;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 0, n1, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 0, n2, &prev), KERN_SUCCESS);
	assert_true(MACH_PORT_VALID(prev));
	assert_int_equal(tu_type(prev), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(tu_status(n1).mps_sorights, 1);
	assert_int_equal(tu_status(n2).mps_sorights, 1);
	tu_expect_empty(n1);
	assert_kr(mach_port_deallocate(TASK, prev), KERN_SUCCESS);
	tu_expect_send_once_notification(n1);

	assert_kr(mach_port_request_notification(TASK, p, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	assert_true(MACH_PORT_VALID(prev));
	assert_int_equal(tu_type(prev), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);
	assert_kr(mach_port_deallocate(TASK, prev), KERN_SUCCESS);
	tu_expect_send_once_notification(n2);

	/* Cancelled: the last send right goes quietly. */
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	tu_expect_empty(n1);
	tu_expect_empty(n2);
	assert_int_equal(tu_status(n1).mps_sorights, 0);
	assert_int_equal(tu_status(n2).mps_sorights, 0);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n1, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 5.5: a port dying with a no-senders request spends its send-once
 * right on a send-once notification, not a no-senders one. */
static void
test_no_senders_port_death(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), prev;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 1);
	tu_expect_send_once_notification(n);
	tu_expect_empty(n);
	assert_int_equal(tu_status(n).mps_sorights, 0);

	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- dead-name ------------------------------------------------------------ */

/*
 * A send right whose port dies elsewhere: the requester gets id 72 with
 * its own name, and the name, converted lazily, carries one more uref
 * than the send right had (5.4).
 */
static void
test_dead_name(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), q, prev;

	(void)state;
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	q = receive_right_in_transit(p);
	assert_kr(request(p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST);
	assert_int_equal(tu_status(n).mps_sorights, 1);

	/* Destroying q destroys the queued message and so p's receive right. */
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	tu_expect_notification(n, MACH_NOTIFY_DEAD_NAME, p);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 3 + 1);
	assert_int_equal(tu_status(n).mps_sorights, 0);
	tu_expect_empty(n);

	/* A dead-name request on a name that is already dead (current XNU). */
	assert_kr(request(p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_INVALID_ARGUMENT);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 4);
	/* The send-once right made for the call was destroyed, once. */
	tu_expect_send_once_notification(n);
	tu_expect_empty(n);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_DEAD_NAME, -4), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 5.4: the same in one space: destroying the receive right of a
 * SEND_RECEIVE name with a dead-name request. */
static void
test_dead_name_own_receive_right(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), prev;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE | MACH_PORT_TYPE_DNREQUEST);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 2);
	tu_expect_notification(n, MACH_NOTIFY_DEAD_NAME, p);
	tu_expect_empty(n);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- port-deleted ------------------------------------------------------------ */

/* The send right goes while its port lives: the request is cancelled and
 * its send-once right carries id 65 with the name. */
static void
test_port_deleted_on_deallocate(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), q, prev, r;
	struct port_msg pm;
	tu_msg_t m;

	(void)state;
	q = receive_right_in_transit(p);
	assert_kr(request(p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	tu_expect_notification(n, MACH_NOTIFY_PORT_DELETED, p);
	tu_expect_empty(n);
	assert_int_equal(tu_status(n).mps_sorights, 0);

	/* The port itself is fine: take its receive right back. */
	assert_kr(tu_recv(q, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	memcpy(&pm, m.bytes, sizeof(pm));
	assert_int_equal(pm.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	r = pm.d.name;
	assert_int_equal(tu_type(r), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(r).mps_srights, 0);

	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 5.5 step 3: a receive-only name with a dead-name request is freed, and
 * the request cancelled with a port-deleted notification. */
static void
test_port_deleted_receive_only(void **state)
{
	mach_port_t p = tu_port(), n = tu_port(), prev;

	(void)state;
	assert_kr(request(p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_SUCCESS);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_DNREQUEST);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	tu_expect_notification(n, MACH_NOTIFY_PORT_DELETED, p);
	tu_expect_empty(n);

	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- port-destroyed --------------------------------------------------------- */

static void
test_port_destroyed(void **state)
{
	mach_port_t p = tu_port(), n = tu_port(), prev, r;
	mach_port_status_t st;
	struct port_msg pm;
	tu_msg_t m;
	int i;

	(void)state;
	for (i = 1; i <= 3; i++)
		assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, i, 32), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 1);

	/* sync must be 0; the send-once right made for the failed call is
	 * destroyed (a send-once notification), never leaked. */
	assert_kr(request(p, MACH_NOTIFY_PORT_DESTROYED, 1, n, &prev), KERN_INVALID_VALUE);
	tu_expect_send_once_notification(n);
	assert_int_equal(tu_status(p).mps_pdrequest, 0);

	assert_kr(request(p, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	assert_int_equal(tu_status(p).mps_pdrequest, 1);
	/* Only one registration (current XNU). */
	assert_kr(request(p, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_FAILURE);
	tu_expect_send_once_notification(n);
	assert_int_equal(tu_status(p).mps_pdrequest, 1);
	assert_int_equal(tu_status(n).mps_sorights, 1);

	/* "Destroying" it sends the receive right to n instead. */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(tu_type_kr(p), KERN_INVALID_NAME);
	tu_recv_kernel_msg(n, &m, MACH_NOTIFY_PORT_DESTROYED, 40, MACH_MSG_TYPE_PORT_SEND_ONCE, 1);
	memcpy(&pm, m.bytes, sizeof(pm));
	assert_int_equal(pm.body.msgh_descriptor_count, 1);
	assert_int_equal(pm.d.pad1, 0);
	assert_int_equal(pm.d.pad2, 0);
	assert_int_equal(pm.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(pm.d.type, MACH_MSG_PORT_DESCRIPTOR);
	assert_int_equal(m.bytes[38], 0x10);
	assert_int_equal(m.bytes[39], 0x00);
	r = pm.d.name;
	assert_true(MACH_PORT_VALID(r));
	assert_int_equal(tu_type(r), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(n).mps_sorights, 0);
	tu_expect_empty(n);

	/* The queued messages travelled with it; the request was one-shot;
	 * mscount and seqno restarted (5.5 step 1). */
	st = tu_status(r);
	assert_int_equal(st.mps_msgcount, 2);
	assert_int_equal(st.mps_seqno, 0);
	assert_int_equal(st.mps_mscount, 0);
	assert_int_equal(st.mps_pdrequest, 0);
	assert_int_equal(st.mps_srights, 1);
	for (i = 2; i <= 3; i++) {
		assert_kr(tu_recv(r, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
		assert_int_equal(m.header.msgh_id, i);
		assert_int_equal(m.header.msgh_local_port, r);
		tu_check_body(&m);
	}
	assert_int_equal(tu_status(r).mps_srights, 0);

	/* Without a request this time, the port really dies. */
	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- send-once -------------------------------------------------------------- */

static void
test_send_once_notification(void **state)
{
	mach_port_t n = tu_port(), q = tu_port(), so;
	mach_msg_type_name_t type;
	uint8_t want[24] = {
		0x00, 0x12, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00,
	};
	tu_msg_t m;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		want[12 + i] = (uint8_t)(n >> (8 * i));
	/* Deallocated unused. */
	assert_kr(mach_port_extract_right(TASK, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	assert_int_equal(tu_status(n).mps_sorights, 1);
	assert_kr(mach_port_deallocate(TASK, so), KERN_SUCCESS);
	assert_int_equal(tu_status(n).mps_msgcount, 1);
	assert_kr(tu_recv(n, &m, sizeof(m), 0, 0), MACH_MSG_SUCCESS);
	assert_memory_equal(m.bytes, want, sizeof(want));
	assert_int_equal(tu_status(n).mps_sorights, 0);

	/* Carried as the reply right of a message that is destroyed. */
	assert_kr(tu_send(q, MACH_MSG_TYPE_MAKE_SEND, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, 5, 24),
	    MACH_MSG_SUCCESS);
	assert_int_equal(tu_status(n).mps_sorights, 1);
	tu_expect_empty(n);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	tu_expect_send_once_notification(n);
	tu_expect_empty(n);
	assert_int_equal(tu_status(n).mps_sorights, 0);

	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- registration errors ------------------------------------------------------ */

static void
test_request_errors(void **state)
{
	static const mach_msg_id_t ids[] = { MACH_NOTIFY_NO_SENDERS, MACH_NOTIFY_PORT_DESTROYED,
	    MACH_NOTIFY_DEAD_NAME };
	mach_port_t p = tu_port(), n = tu_port(), set = tu_pset(), so, prev;
	mach_msg_type_name_t type;
	size_t i;

	(void)state;
	/* notify = MACH_PORT_DEAD is refused before anything else. */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		prev = 0xdeadbeef;
		assert_kr(mach_port_request_notification(TASK, p, ids[i], 0, MACH_PORT_DEAD,
		    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_CAPABILITY);
	}
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);
	assert_int_equal(tu_status(p).mps_pdrequest, 0);

	/*
	 * Each failure below made a send-once right to n for the call, which
	 * the kernel destroys: exactly one send-once notification each.
	 */
	assert_kr(request(p, 99, 0, n, &prev), KERN_INVALID_VALUE);
	tu_expect_send_once_notification(n);
	assert_kr(request(MACH_PORT_NULL, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_INVALID_ARGUMENT);
	tu_expect_send_once_notification(n);
	assert_kr(request(MACH_PORT_DEAD, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_INVALID_ARGUMENT);
	tu_expect_send_once_notification(n);
	assert_kr(request(set, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	assert_kr(request(MACH_PORT_NULL, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	assert_kr(request(set, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	assert_kr(request(MACH_PORT_NULL, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	assert_kr(request(set, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	/* Receive-right requests need the receive right, not a send-once one. */
	assert_kr(mach_port_extract_right(TASK, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	assert_kr(request(so, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	assert_kr(request(so, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	tu_expect_empty(n);
	assert_int_equal(tu_status(n).mps_sorights, 0);
	assert_int_equal(tu_status(p).mps_nsrequest, 0);
	assert_int_equal(tu_status(p).mps_pdrequest, 0);

	assert_kr(mach_port_deallocate(TASK, so), KERN_SUCCESS);
	tu_expect_send_once_notification(p);
	assert_kr(mach_port_deallocate(TASK, set), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_no_senders_on_last_send_right),
		tu_test(test_no_senders_immediate),
		tu_test(test_no_senders_make_send_count_protocol),
		tu_test(test_no_senders_on_receive),
		tu_test(test_no_senders_previous),
		tu_test(test_no_senders_port_death),
		tu_test(test_dead_name),
		tu_test(test_dead_name_own_receive_right),
		tu_test(test_port_deleted_on_deallocate),
		tu_test(test_port_deleted_receive_only),
		tu_test(test_port_destroyed),
		tu_test(test_send_once_notification),
		tu_test(test_request_errors),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
