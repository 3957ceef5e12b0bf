/*
 * test_mach_msg.c -- mach_msg through machd, as XNU does it: header
 * dispositions and their codes (spec 3.2-3.5), received msgh_bits,
 * send-once replies, queue limits and timeouts with pseudo-receive (6.1,
 * 6.7), MACH_RCV_LARGE / TOO_LARGE (6.5), trailers (1.5, test T1), port
 * descriptors in real and pseudo receive (T2), circularity (4.5), and the
 * malformed-message seeds of section 9.2.
 */
#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>
#include <mach/notify.h>

#include "test_util.h"

#define CONTEXT 0x42424242ull

/* A port with receive + one send uref under one name (spec 8.2 setup). */
static mach_port_t
make_port(uint32_t qlimit)
{
	mach_port_options_t opts;
	mach_port_t p = MACH_PORT_NULL;

	memset(&opts, 0, sizeof(opts));
	opts.flags = MPO_INSERT_SEND_RIGHT | MPO_QLIMIT;
	opts.mpl.mpl_qlimit = qlimit;
	assert_int_equal(mach_port_construct(mach_task_self(), &opts, CONTEXT, &p), KERN_SUCCESS);
	return p;
}

static void
drop_port(mach_port_t p)
{
	mach_port_type_t type = 0;

	if (mach_port_type(mach_task_self(), p, &type) != KERN_SUCCESS)
		return;
	if (type & MACH_PORT_TYPE_RECEIVE) {
		mach_port_urefs_t refs = 0;
		mach_port_get_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, &refs);
		assert_int_equal(mach_port_destruct(mach_task_self(), p, -(mach_port_delta_t)refs, CONTEXT)
		    == KERN_SUCCESS || mach_port_destruct(mach_task_self(), p, -(mach_port_delta_t)refs, 0)
		    == KERN_SUCCESS, 1);
	} else {
		mach_port_destroy(mach_task_self(), p);
	}
}

static mach_port_urefs_t
refs(mach_port_t p, mach_port_right_t right)
{
	mach_port_urefs_t r = 0;

	assert_int_equal(mach_port_get_refs(mach_task_self(), p, right, &r), KERN_SUCCESS);
	return r;
}

static mach_port_msgcount_t
queued(mach_port_t p)
{
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;

	assert_int_equal(mach_port_get_attributes(mach_task_self(), p, MACH_PORT_RECEIVE_STATUS,
	    (mach_port_info_t)&st, &cnt), KERN_SUCCESS);
	return st.mps_msgcount;
}

static kern_return_t
send_header(mach_port_t dest, mach_msg_type_name_t dtype, mach_port_t reply,
    mach_msg_type_name_t rtype, mach_msg_id_t id, mach_msg_option_t extra, mach_msg_timeout_t to)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(dtype, rtype);
	h.msgh_size = sizeof(h);
	h.msgh_remote_port = dest;
	h.msgh_local_port = reply;
	h.msgh_id = id;
	return mach_msg(&h, MACH_SEND_MSG | extra, sizeof(h), 0, MACH_PORT_NULL, to, MACH_PORT_NULL);
}

struct rcvbuf {
	mach_msg_header_t hdr;
	uint8_t body[1024];
	mach_msg_max_trailer_t trailer;
};

static kern_return_t
receive(mach_port_t p, struct rcvbuf *b, mach_msg_option_t extra, mach_msg_size_t size,
    mach_msg_timeout_t to)
{
	memset(b, 0, sizeof(*b));
	return mach_msg(&b->hdr, MACH_RCV_MSG | MACH_RCV_TIMEOUT | extra, 0, size, p, to,
	    MACH_PORT_NULL);
}


/* Spec 1.1, 1.2, 6.6: the header is reversed and the dispositions become
 * the types held; a send-once reply right gets a fresh name. */
static void
test_header_roundtrip_and_sonce_reply(void **state)
{
	mach_port_t p = make_port(5), r = make_port(5);
	struct rcvbuf b;
	mach_port_type_t type;

	(void)state;
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, 42, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(queued(p), 1);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(b.hdr.msgh_size, sizeof(mach_msg_header_t));
	assert_int_equal(b.hdr.msgh_local_port, p);
	assert_int_equal(b.hdr.msgh_id, 42);
	assert_true(MACH_PORT_VALID(b.hdr.msgh_remote_port));
	assert_int_not_equal(b.hdr.msgh_remote_port, r);      /* never coalesced */
	assert_int_equal(mach_port_type(mach_task_self(), b.hdr.msgh_remote_port, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_SEND_ONCE);
	/* Reply through the send-once right: it is consumed. */
	assert_int_equal(send_header(b.hdr.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_PORT_NULL,
	    0, 142, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(mach_port_type(mach_task_self(), b.hdr.msgh_remote_port, &type), KERN_INVALID_NAME);
	assert_int_equal(receive(r, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(b.hdr.msgh_id, 142);
	assert_int_equal(b.hdr.msgh_local_port, r);
	assert_int_equal(b.hdr.msgh_remote_port, MACH_PORT_NULL);
	drop_port(p);
	drop_port(r);
}

/* Spec 3.2 step 2 and 4: every remote/local disposition value. */
static void
test_header_disposition_matrix(void **state)
{
	mach_port_t p = make_port(MACH_PORT_QLIMIT_MAX);
	struct rcvbuf b;
	unsigned d, l;

	(void)state;
	for (d = 0; d < 32; d++) {
		kern_return_t want, got;
		if (d >= MACH_MSG_TYPE_MOVE_SEND && d <= MACH_MSG_TYPE_MAKE_SEND_ONCE)
			want = d == MACH_MSG_TYPE_MOVE_SEND_ONCE ? MACH_SEND_INVALID_DEST : MACH_MSG_SUCCESS;
		else
			want = MACH_SEND_INVALID_HEADER;
		if (d == MACH_MSG_TYPE_MOVE_SEND)
			assert_int_equal(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, 1),
			    KERN_SUCCESS);       /* keep one uref after the move */
		got = send_header(p, d, MACH_PORT_NULL, 0, (mach_msg_id_t)d, MACH_SEND_TIMEOUT, 0);
		assert_int_equal(got, want);
		if (got == MACH_MSG_SUCCESS) {
			assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
			if (b.hdr.msgh_remote_port != MACH_PORT_NULL)
				mach_port_deallocate(mach_task_self(), b.hdr.msgh_remote_port);
		}
	}
	/* A NULL reply name with a send disposition travels through (3.6);
	 * any other local disposition is a bad header. */
	for (l = 1; l < 32; l++) {
		kern_return_t want = (l >= MACH_MSG_TYPE_MOVE_SEND && l <= MACH_MSG_TYPE_MAKE_SEND_ONCE)
		    ? MACH_MSG_SUCCESS : MACH_SEND_INVALID_HEADER;
		assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, l, 7, 0, 0), want);
		if (want == MACH_MSG_SUCCESS) {
			assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
			assert_int_equal(b.hdr.msgh_remote_port, MACH_PORT_NULL);
			assert_int_equal(MACH_MSGH_BITS_REMOTE(b.hdr.msgh_bits),
			    (l == MACH_MSG_TYPE_MOVE_SEND_ONCE || l == MACH_MSG_TYPE_MAKE_SEND_ONCE)
			    ? MACH_MSG_TYPE_PORT_SEND_ONCE : MACH_MSG_TYPE_PORT_SEND);
		}
	}
	/* Local disposition 0 with a name: bad header (3.2 step 2). */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, p, 0, 7, 0, 0), MACH_SEND_INVALID_HEADER);
	assert_int_equal(queued(p), 0);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	drop_port(p);
}

/* Spec 3.2 step 5, 3.3: NULL, DEAD, unknown, dead-name, port-set and
 * receive-only destinations; a bad reply after a good destination. */
static void
test_header_dest_and_reply_errors(void **state)
{
	mach_port_t p = make_port(5), set, dead, ronly;
	mach_port_type_t type;

	(void)state;
	assert_int_equal(send_header(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0),
	    MACH_SEND_INVALID_DEST);
	assert_int_equal(send_header(MACH_PORT_DEAD, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0),
	    MACH_SEND_INVALID_DEST);
	assert_int_equal(send_header(0x12345603, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0),
	    MACH_SEND_INVALID_DEST);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_DEAD_NAME, &dead), KERN_SUCCESS);
	assert_int_equal(send_header(dead, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0), MACH_SEND_INVALID_DEST);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set), KERN_SUCCESS);
	assert_int_equal(send_header(set, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0), MACH_SEND_INVALID_DEST);
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &ronly), KERN_SUCCESS);
	/* Receive-only: COPY_SEND needs SEND (3.4). */
	assert_int_equal(send_header(ronly, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0), MACH_SEND_INVALID_DEST);
	/* ... and the reply is checked first (3.3 step 5). */
	assert_int_equal(send_header(ronly, MACH_MSG_TYPE_COPY_SEND, dead, MACH_MSG_TYPE_COPY_SEND, 1, 0, 0),
	    MACH_SEND_INVALID_REPLY);
	/* A dead-name reply entry is rejected (current XNU, 3.3 step 4). */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, dead, MACH_MSG_TYPE_MOVE_SEND, 1, 0, 0),
	    MACH_SEND_INVALID_REPLY);
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, ronly, MACH_MSG_TYPE_COPY_SEND, 1, 0, 0),
	    MACH_SEND_INVALID_REPLY);
	/* Nothing was consumed by any of these. */
	assert_int_equal(mach_port_type(mach_task_self(), dead, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(refs(dead, MACH_PORT_RIGHT_DEAD_NAME), 1);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(queued(p), 0);
	mach_port_deallocate(mach_task_self(), dead);
	mach_port_deallocate(mach_task_self(), set);
	mach_port_mod_refs(mach_task_self(), ronly, MACH_PORT_RIGHT_RECEIVE, -1);
	drop_port(p);
}

/* Spec 3.5: the same name as destination and reply. */
static void
test_header_same_name(void **state)
{
	mach_port_t p = make_port(MACH_PORT_QLIMIT_MAX);
	struct rcvbuf b;

	(void)state;
	/* MOVE_SEND twice with one uref: refused, nothing consumed. */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MOVE_SEND, p, MACH_MSG_TYPE_MOVE_SEND, 1, 0, 0),
	    MACH_SEND_INVALID_DEST);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	/* Any MOVE_SEND_ONCE on the shared name: refused up front. */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MAKE_SEND, p, MACH_MSG_TYPE_MOVE_SEND_ONCE, 1, 0, 0),
	    MACH_SEND_INVALID_DEST);
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MOVE_SEND_ONCE, p, MACH_MSG_TYPE_MAKE_SEND, 1, 0, 0),
	    MACH_SEND_INVALID_DEST);
	/* MOVE_SEND + COPY_SEND: one uref covers both; two rights travel. */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MOVE_SEND, p, MACH_MSG_TYPE_COPY_SEND, 2, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 0);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	/* The reply send right coalesces back onto the receive name. */
	assert_int_equal(b.hdr.msgh_remote_port, p);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	/* MOVE_SEND twice with two urefs: both go. */
	assert_int_equal(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MOVE_SEND, p, MACH_MSG_TYPE_MOVE_SEND, 3, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 0);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	/* COPY_SEND twice: nothing consumed. */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, p, MACH_MSG_TYPE_COPY_SEND, 4, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 2);
	/* MAKE_SEND + MAKE_SEND_ONCE on the receive name. */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MAKE_SEND, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 5, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_not_equal(b.hdr.msgh_remote_port, p);
	mach_port_deallocate(mach_task_self(), b.hdr.msgh_remote_port);   /* send-once notification */
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	drop_port(p);
}

/* Spec 6.1, 6.7 and test T2 pseudo mode: a full queue with timeout 0
 * returns MACH_SEND_TIMED_OUT and the rights come back in the buffer. */
static void
test_qlimit_timeout_pseudo_receive(void **state)
{
	mach_port_t p = make_port(1), r = make_port(5);
	struct rcvbuf b;
	mach_msg_header_t h;
	mach_port_type_t type;

	(void)state;
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, MACH_SEND_TIMEOUT, 0),
	    MACH_MSG_SUCCESS);
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	h.msgh_remote_port = p;
	h.msgh_local_port = r;
	h.msgh_id = 2;
	assert_int_equal(mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(h), 0, 0, 0, 0),
	    MACH_SEND_TIMED_OUT);
	/* Not reversed; dispositions converted; the COPY_SEND came back as
	 * an extra uref, the MAKE_SEND_ONCE as a new send-once name. */
	assert_int_equal(h.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(h.msgh_remote_port, p);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 2);
	assert_int_equal(mach_port_type(mach_task_self(), h.msgh_local_port, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_SEND_ONCE);
	mach_port_deallocate(mach_task_self(), h.msgh_local_port);
	mach_port_deallocate(mach_task_self(), p);
	assert_int_equal(receive(r, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	/* A timed wait also times out. */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3, MACH_SEND_TIMEOUT, 30),
	    MACH_SEND_TIMED_OUT);
	/* A send-once destination bypasses the limit (6.1). */
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 4, MACH_SEND_TIMEOUT, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(queued(p), 2);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 1);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 4);
	drop_port(p);
	drop_port(r);
}

struct blocked_send {
	mach_port_t port;
	kern_return_t kr;
};

static void *
blocked_sender(void *arg)
{
	struct blocked_send *bs = arg;

	bs->kr = send_header(bs->port, MACH_MSG_TYPE_COPY_SEND, 0, 0, 2, 0, 0);
	return NULL;
}

/* Spec 6.1: a sender blocked on a full queue completes when a receive
 * frees a slot, and FIFO order holds. */
static void
test_blocked_sender_released_by_receive(void **state)
{
	mach_port_t p = make_port(1);
	struct blocked_send bs = { p, -1 };
	struct rcvbuf b;
	pthread_t th;

	(void)state;
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(pthread_create(&th, NULL, blocked_sender, &bs), 0);
	usleep(100 * 1000);
	assert_int_equal(bs.kr, -1);                 /* still blocked */
	assert_int_equal(receive(p, &b, 0, sizeof(b), 1000), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(bs.kr, MACH_MSG_SUCCESS);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 1000), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 2);
	assert_int_equal(b.hdr.msgh_bits & MACH_MSGH_BITS_REMOTE_MASK, 0);
	drop_port(p);
}

/* Spec 6.1: qlimit 0 blocks ordinary sends even with a receiver. */
static void
test_qlimit_zero(void **state)
{
	mach_port_t p = make_port(0);
	struct rcvbuf b;

	(void)state;
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, MACH_SEND_TIMEOUT, 0),
	    MACH_SEND_TIMED_OUT);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 2);   /* the pseudo-received copy */
	mach_port_deallocate(mach_task_self(), p);
	assert_int_equal(send_header(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 2, MACH_SEND_TIMEOUT, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 2);
	drop_port(p);
}

/* Spec 6.3: timeouts, bad receive names. */
static void
test_receive_timeouts_and_names(void **state)
{
	mach_port_t p = make_port(5), so;
	mach_msg_type_name_t acquired;
	struct rcvbuf b;

	(void)state;
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_RCV_TIMED_OUT);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 30), MACH_RCV_TIMED_OUT);
	assert_int_equal(receive(MACH_PORT_NULL, &b, 0, sizeof(b), 0), MACH_RCV_INVALID_NAME);
	assert_int_equal(receive(0x77777703, &b, 0, sizeof(b), 0), MACH_RCV_INVALID_NAME);
	assert_int_equal(mach_port_extract_right(mach_task_self(), p, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	    &so, &acquired), KERN_SUCCESS);
	assert_int_equal(acquired, MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_equal(receive(so, &b, 0, sizeof(b), 0), MACH_RCV_INVALID_NAME);
	mach_port_deallocate(mach_task_self(), so);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);   /* the notification */
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	drop_port(p);
}

struct blocked_rcv {
	mach_port_t port;
	kern_return_t kr;
};

static void *
blocked_receiver(void *arg)
{
	struct blocked_rcv *br = arg;
	struct rcvbuf b;

	memset(&b, 0, sizeof(b));
	br->kr = mach_msg(&b.hdr, MACH_RCV_MSG, 0, sizeof(b), br->port, 0, MACH_PORT_NULL);
	return NULL;
}

/* Spec 6.3: destroying a port wakes its receivers with PORT_CHANGED. */
static void
test_receiver_woken_by_port_death(void **state)
{
	mach_port_t p;
	struct blocked_rcv br = { 0, -1 };
	pthread_t th;

	(void)state;
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	br.port = p;
	assert_int_equal(pthread_create(&th, NULL, blocked_receiver, &br), 0);
	usleep(100 * 1000);
	assert_int_equal(br.kr, -1);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(br.kr, MACH_RCV_PORT_CHANGED);
}

/* Spec 6.5 and seed 9.1 #14: MACH_RCV_LARGE keeps the message and reports
 * the size; without it the message is destroyed and a bare header comes. */
static void
test_rcv_large_and_too_large(void **state)
{
	mach_port_t p = make_port(5), r = make_port(5);
	struct { mach_msg_header_t h; uint8_t data[76]; } m;
	struct rcvbuf b;
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;

	(void)state;
	memset(&m, 0xab, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = p;
	m.h.msgh_local_port = r;
	m.h.msgh_voucher_port = 0;
	m.h.msgh_id = 77;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_MSG_SUCCESS);

	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(mach_msg(&b.hdr, MACH_RCV_MSG | MACH_RCV_LARGE | MACH_RCV_TIMEOUT, 0, 40, p, 0, 0),
	    MACH_RCV_TOO_LARGE);
	assert_int_equal(b.hdr.msgh_size, sizeof(m));
	assert_int_equal(b.hdr.msgh_bits, 0x5a5a5a5a);            /* nothing else written */
	assert_int_equal(b.hdr.msgh_local_port, 0x5a5a5a5a);
	assert_int_equal(mach_port_get_attributes(mach_task_self(), p, MACH_PORT_RECEIVE_STATUS,
	    (mach_port_info_t)&st, &cnt), KERN_SUCCESS);
	assert_int_equal(st.mps_msgcount, 1);
	assert_int_equal(st.mps_seqno, 0);                         /* no seqno consumed */

	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(mach_msg(&b.hdr, MACH_RCV_MSG | MACH_RCV_LARGE | MACH_RCV_LARGE_IDENTITY |
	    MACH_RCV_TIMEOUT, 0, 40, p, 0, 0), MACH_RCV_TOO_LARGE);
	assert_int_equal(b.hdr.msgh_local_port, p);

	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(mach_msg(&b.hdr, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 40, p, 0, 0),
	    MACH_RCV_TOO_LARGE);
	assert_int_equal(b.hdr.msgh_size, sizeof(mach_msg_header_t));
	assert_int_equal(b.hdr.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(b.hdr.msgh_remote_port, MACH_PORT_NULL);  /* reply right destroyed */
	assert_int_equal(b.hdr.msgh_local_port, p);
	assert_int_equal(b.hdr.msgh_id, 77);
	cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	assert_int_equal(mach_port_get_attributes(mach_task_self(), p, MACH_PORT_RECEIVE_STATUS,
	    (mach_port_info_t)&st, &cnt), KERN_SUCCESS);
	assert_int_equal(st.mps_msgcount, 0);
	assert_int_equal(st.mps_seqno, 1);                         /* consumed */
	/* The destroyed send-once reply right notified its port. */
	assert_int_equal(receive(r, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(b.hdr.msgh_size, sizeof(mach_msg_header_t));
	drop_port(p);
	drop_port(r);
}

/* Spec 1.5 and test T1: each trailer size, values, and nothing written
 * past the requested size. */
static void
test_trailers(void **state)
{
	static const struct { unsigned elem; mach_msg_size_t size; } t[] = {
		{ MACH_RCV_TRAILER_NULL, 8 }, { MACH_RCV_TRAILER_SEQNO, 12 },
		{ MACH_RCV_TRAILER_SENDER, 20 }, { MACH_RCV_TRAILER_AUDIT, 52 },
		{ MACH_RCV_TRAILER_CTX, 60 }, { MACH_RCV_TRAILER_AV, 68 },
	};
	mach_port_t p = make_port(5);
	struct { mach_msg_header_t h; mach_msg_max_trailer_t t; uint8_t sentinel[4]; } b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t *after;
		size_t k;
		assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 9, 0, 0), MACH_MSG_SUCCESS);
		memset(&b, 0xff, sizeof(b));
		assert_int_equal(mach_msg(&b.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
		    MACH_RCV_TRAILER_ELEMENTS(t[i].elem), 0, sizeof(b) - 4, p, 0, 0), MACH_MSG_SUCCESS);
		assert_int_equal(b.h.msgh_size, sizeof(mach_msg_header_t));
		assert_int_equal(b.t.msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
		assert_int_equal(b.t.msgh_trailer_size, t[i].size);
		if (t[i].size >= 12)
			assert_int_equal(b.t.msgh_seqno, i);
		if (t[i].size >= 20)
			assert_int_equal(b.t.msgh_sender.val[0], getuid());
		if (t[i].size >= 52) {
			assert_int_equal(b.t.msgh_audit.val[5], (unsigned)getpid());
			assert_int_equal(b.t.msgh_audit.val[1], getuid());
		}
		if (t[i].size >= 60)
			assert_int_equal(b.t.msgh_context, CONTEXT);
		if (t[i].size >= 68) {
			assert_int_equal(b.t.msgh_ad, 0);
			assert_int_equal(b.t.msgh_labels.sender, 0);
		}
		after = (uint8_t *)&b.t + t[i].size;
		for (k = 0; k < sizeof(b) - sizeof(b.h) - t[i].size; k++)
			assert_int_equal(after[k], 0xff);
	}
	drop_port(p);
}

/* Spec 2.5, 3.1 step 1, seeds 9.2 #2-#4: malformed sizes and bodies fail
 * before any right is taken. */
static void
test_malformed_messages(void **state)
{
	mach_port_t p = make_port(5), r = make_port(5);
	struct { mach_msg_header_t h; mach_msg_body_t body; uint8_t d[64]; } m;
	static const mach_msg_size_t small[] = { 0, 4, 20, 23, 25, 26, 27 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_remote_port = p;
		m.h.msgh_local_port = r;
		assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, small[i], 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	}
	/* Complex with no room for the count. */
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, 24, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	/* Count far beyond what the size can hold. */
	m.body.msgh_descriptor_count = 0xffffffff;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	/* A descriptor type byte that does not exist. */
	m.body.msgh_descriptor_count = 1;
	m.d[11] = 7;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
	/* A 16-byte descriptor that runs past the end. */
	m.d[11] = MACH_MSG_OOL_DESCRIPTOR;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	/* None of them consumed a right or queued anything. */
	assert_int_equal(queued(p), 0);
	assert_int_equal(queued(r), 0);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_SEND), 1);
	drop_port(p);
	drop_port(r);
}

/* Spec 4.3 and seed 9.2 #9: a bad port descriptor after the header
 * rights were taken destroys them: the send-once reply right notifies. */
static void
test_bad_descriptor_destroys_header_rights(void **state)
{
	mach_port_t p = make_port(5), r = make_port(5);
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_port_descriptor_t d; } m;
	struct rcvbuf b;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = p;
	m.h.msgh_local_port = r;
	m.body.msgh_descriptor_count = 1;
	m.d.name = 0x55555503;                       /* unknown name */
	m.d.disposition = MACH_MSG_TYPE_COPY_SEND;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_RIGHT);
	assert_int_equal(queued(p), 0);
	assert_int_equal(receive(r, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	/* An invalid disposition with a NULL name is accepted as 0 (4.3). */
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_local_port = MACH_PORT_NULL;
	m.d.name = MACH_PORT_NULL;
	m.d.disposition = 99;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	{
		mach_msg_port_descriptor_t *d = (void *)(b.body + sizeof(mach_msg_body_t));
		assert_int_equal(b.hdr.msgh_bits & MACH_MSGH_BITS_COMPLEX, MACH_MSGH_BITS_COMPLEX);
		assert_int_equal(d->name, MACH_PORT_NULL);
		assert_int_equal(d->disposition, 0);
	}
	drop_port(p);
	drop_port(r);
}

/* Test T2: a port descriptor with each disposition, real and pseudo
 * receive; the receive right re-coalesces onto its name; the port ends
 * with 3 send urefs (original + COPY_SEND + MAKE_SEND). */
static void
port_descriptor_round(mach_port_t rcv, mach_port_t p, mach_msg_type_name_t disp, bool pseudo)
{
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_port_descriptor_t d;
	    mach_msg_max_trailer_t t; } m;
	mach_port_t name = p;
	mach_msg_type_name_t acquired;
	kern_return_t kr;

	if (disp == MACH_MSG_TYPE_MOVE_SEND_ONCE)
		assert_int_equal(mach_port_extract_right(mach_task_self(), p, MACH_MSG_TYPE_MAKE_SEND_ONCE,
		    &name, &acquired), KERN_SUCCESS);
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = rcv;
	m.h.msgh_id = 42;
	m.body.msgh_descriptor_count = 1;
	m.d.name = name;
	m.d.disposition = disp;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	kr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m) - sizeof(m.t), 0, 0, 0, 0);
	if (pseudo) {
		assert_int_equal(kr, MACH_SEND_TIMED_OUT);
	} else {
		assert_int_equal(kr, MACH_MSG_SUCCESS);
		assert_int_equal(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), rcv, 0, 0),
		    MACH_MSG_SUCCESS);
	}
	assert_int_equal(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX, MACH_MSGH_BITS_COMPLEX);
	assert_int_equal(m.body.msgh_descriptor_count, 1);
	assert_int_equal(m.d.type, MACH_MSG_PORT_DESCRIPTOR);
	switch (disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
		assert_int_equal(m.d.name, p);
		break;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_SEND_ONCE);
		assert_int_equal(mach_port_deallocate(mach_task_self(), m.d.name), KERN_SUCCESS);
		break;
	default:
		assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_SEND);
		assert_int_equal(m.d.name, p);
		break;
	}
}

static void
port_descriptors(bool pseudo)
{
	static const mach_msg_type_name_t disps[] = {
		MACH_MSG_TYPE_MOVE_RECEIVE, MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_SEND_ONCE,
		MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	};
	mach_port_t rcv = make_port(1), p = make_port(1);
	struct rcvbuf b;
	size_t i;

	if (pseudo)
		assert_int_equal(send_header(rcv, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0, 0), MACH_MSG_SUCCESS);
	for (i = 0; i < sizeof(disps) / sizeof(disps[0]); i++)
		port_descriptor_round(rcv, p, disps[i], pseudo);
	/* Two send-once rights were destroyed unused: two notifications on p. */
	assert_int_equal(mach_port_set_attributes(mach_task_self(), p, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&(mach_port_limits_t){ 5 }, MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(mach_port_destruct(mach_task_self(), p, -3, 0), KERN_SUCCESS);
	if (pseudo)
		assert_int_equal(receive(rcv, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	drop_port(rcv);
}

static void
test_port_descriptors_real(void **state)
{
	(void)state;
	port_descriptors(false);
}

static void
test_port_descriptors_pseudo(void **state)
{
	(void)state;
	port_descriptors(true);
}

/* Spec 4.5: a receive right sent into its own port: success, the message
 * is destroyed, the port dies, the sender's name becomes a dead name. */
static void
test_circular_receive_right(void **state)
{
	mach_port_t p = make_port(5);
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_port_descriptor_t d; } m;
	mach_port_type_t type;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.d.name = p;
	m.d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(mach_port_type(mach_task_self(), p, &type), KERN_SUCCESS);
	assert_int_equal(type, MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(refs(p, MACH_PORT_RIGHT_DEAD_NAME), 1);
	assert_int_equal(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
}

/* Spec 5.6: a receive right moved with queued messages keeps them; the
 * new owner receives them in order; mscount and seqno restart. */
static void
test_receive_right_moves_with_queue(void **state)
{
	mach_port_t carrier = make_port(5), p;
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_port_descriptor_t d;
	    mach_msg_max_trailer_t t; } m;
	struct rcvbuf b;
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	int i;

	(void)state;
	assert_int_equal(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	for (i = 0; i < 3; i++)
		assert_int_equal(send_header(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 100 + i, 0, 0),
		    MACH_MSG_SUCCESS);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);   /* seqno 0 taken */
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = carrier;
	m.body.msgh_descriptor_count = 1;
	m.d.name = p;
	m.d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m) - sizeof(m.t), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), carrier, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	p = m.d.name;
	assert_int_equal(mach_port_get_attributes(mach_task_self(), p, MACH_PORT_RECEIVE_STATUS,
	    (mach_port_info_t)&st, &cnt), KERN_SUCCESS);
	assert_int_equal(st.mps_msgcount, 2);
	assert_int_equal(st.mps_seqno, 0);
	assert_int_equal(st.mps_mscount, 0);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 101);
	assert_int_equal(receive(p, &b, 0, sizeof(b), 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.hdr.msgh_id, 102);
	mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
	drop_port(carrier);
}

/* Spec 6.4: seqnos start at 0 and count every dequeued message. */
static void
test_seqno(void **state)
{
	mach_port_t p = make_port(5);
	struct { mach_msg_header_t h; mach_msg_seqno_trailer_t t; } b;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, (mach_msg_id_t)i, 0, 0),
		    MACH_MSG_SUCCESS);
		assert_int_equal(mach_msg(&b.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
		    MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO), 0, sizeof(b), p, 0, 0), MACH_MSG_SUCCESS);
		assert_int_equal(b.t.msgh_seqno, i);
	}
	assert_int_equal(mach_port_set_seqno(mach_task_self(), p, 10), KERN_SUCCESS);
	assert_int_equal(send_header(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(mach_msg(&b.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
	    MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO), 0, sizeof(b), p, 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(b.t.msgh_seqno, 10);
	drop_port(p);
}

/* A combined SEND|RCV is one call: the kernel's reply arrives in it. */
static void
test_send_and_receive_in_one_call(void **state)
{
	struct { mach_msg_header_t h; NDR_record_t ndr; int right; mach_msg_max_trailer_t t; } m;
	struct { mach_msg_header_t h; NDR_record_t ndr; kern_return_t ret; mach_port_name_t name; } *rep;
	mach_port_t reply = mig_get_reply_port();

	(void)state;
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = mach_task_self();
	m.h.msgh_local_port = reply;
	m.h.msgh_id = 3204;                           /* mach_port_allocate */
	m.ndr = NDR_record;
	m.right = MACH_PORT_RIGHT_RECEIVE;
	assert_int_equal(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, 36, sizeof(m), reply, 0, 0),
	    MACH_MSG_SUCCESS);
	rep = (void *)&m;
	assert_int_equal(rep->h.msgh_id, 3304);
	assert_int_equal(rep->h.msgh_size, 40);
	assert_int_equal(rep->ret, KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(mach_task_self(), rep->name, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
}

/* Spec 1.4: inline messages up to IPC_KMSG_MAX_BODY_SPACE (50,331,580
 * bytes) go through, byte for byte; one more word is MACH_SEND_TOO_LARGE.
 * (Past one datagram they travel sealed in a memfd: machd_proto.h.) */
static void
test_large_inline_messages(void **state)
{
	static const mach_msg_size_t sizes[] = { 256 * 1024, 256 * 1024 + 4, 1 << 20, 50331580 };
	mach_port_t p = make_port(5);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		mach_msg_size_t size = sizes[i], k;
		mach_msg_size_t rsize = size + (mach_msg_size_t)sizeof(mach_msg_max_trailer_t);
		uint8_t *m = malloc(size), *r = malloc(rsize);
		mach_msg_header_t *h = (mach_msg_header_t *)m;

		assert_non_null(m);
		assert_non_null(r);
		for (k = 0; k < size; k++)
			m[k] = (uint8_t)(k * 7 + i);
		memset(h, 0, sizeof(*h));
		h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		h->msgh_remote_port = p;
		h->msgh_id = (mach_msg_id_t)i;
		assert_int_equal(mach_msg(h, MACH_SEND_MSG, size, 0, 0, 0, 0), MACH_MSG_SUCCESS);
		memset(r, 0, rsize);
		assert_int_equal(mach_msg((mach_msg_header_t *)r, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, rsize,
		    p, 0, 0), MACH_MSG_SUCCESS);
		assert_int_equal(((mach_msg_header_t *)r)->msgh_size, size);
		assert_int_equal(((mach_msg_header_t *)r)->msgh_id, (mach_msg_id_t)i);
		assert_memory_equal(r + sizeof(*h), m + sizeof(*h), size - sizeof(*h));
		free(m);
		free(r);
	}
	{
		uint8_t *m = calloc(1, 50331584);
		mach_msg_header_t *h = (mach_msg_header_t *)m;
		assert_non_null(m);
		h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		h->msgh_remote_port = p;
		assert_int_equal(mach_msg(h, MACH_SEND_MSG, 50331584, 0, 0, 0, 0), MACH_SEND_TOO_LARGE);
		free(m);
	}
	assert_int_equal(queued(p), 0);
	drop_port(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_header_roundtrip_and_sonce_reply),
		tu_test(test_header_disposition_matrix),
		tu_test(test_header_dest_and_reply_errors),
		tu_test(test_header_same_name),
		tu_test(test_qlimit_timeout_pseudo_receive),
		tu_test(test_blocked_sender_released_by_receive),
		tu_test(test_qlimit_zero),
		tu_test(test_receive_timeouts_and_names),
		tu_test(test_receiver_woken_by_port_death),
		tu_test(test_rcv_large_and_too_large),
		tu_test(test_trailers),
		tu_test(test_malformed_messages),
		tu_test(test_bad_descriptor_destroys_header_rights),
		tu_test(test_port_descriptors_real),
		tu_test(test_port_descriptors_pseudo),
		tu_test(test_circular_receive_right),
		tu_test(test_receive_right_moves_with_queue),
		tu_test(test_seqno),
		tu_test(test_send_and_receive_in_one_call),
		tu_test(test_large_inline_messages),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
