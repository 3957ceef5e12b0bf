/*
 * test_ipc_kobject.c -- the kernel as a MIG server (spec 7.1-7.3):
 * raw messages to our own task port, the replies the kernel builds for
 * them (Appendix B), who owns the request's rights when a routine fails,
 * and the task special-port routines (7.5).
 */
#include <stdint.h>
#include <string.h>

#include "test_util.h"

#define TASK mach_task_self()

#pragma pack(push, 4)
typedef struct {
	mach_msg_header_t           h;
	NDR_record_t                ndr;
	uint32_t                    arg[4];
} simple_req_t;

typedef struct {
	mach_msg_header_t           h;
	mach_msg_body_t             body;
	mach_msg_port_descriptor_t  d;
	NDR_record_t                ndr;
	uint32_t                    arg[2];
} port_req_t;
#pragma pack(pop)

/* Send `size` bytes of msg to our task port, replying (MAKE_SEND_ONCE)
 * to `reply` unless it is MACH_PORT_NULL. */
static mach_msg_return_t
send_to_task(void *msg, mach_msg_size_t size, mach_msg_id_t id, mach_port_t reply)
{
	mach_msg_header_t *h = msg;

	h->msgh_bits = (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) |
	    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0);
	h->msgh_size = size;
	h->msgh_remote_port = TASK;
	h->msgh_local_port = reply;
	h->msgh_voucher_port = MACH_PORT_NULL;
	h->msgh_id = id;
	return mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

/* A simple request {header, NDR, args} of `size` bytes. */
static void
simple_req(simple_req_t *req, uint32_t a0, uint32_t a1)
{
	memset(req, 0, sizeof(*req));
	req->ndr = NDR_record;
	req->arg[0] = a0;
	req->arg[1] = a1;
}

/* A complex request with one port descriptor, then NDR and one word. */
static void
port_req(port_req_t *req, mach_port_t name, mach_msg_type_name_t disp, uint32_t a0)
{
	memset(req, 0, sizeof(*req));
	req->h.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	req->body.msgh_descriptor_count = 1;
	req->d.name = name;
	req->d.disposition = disp;
	req->d.type = MACH_MSG_PORT_DESCRIPTOR;
	req->ndr = NDR_record;
	req->arg[0] = a0;
}

/* The kernel's mig_reply_error_t for request `id` on `reply` (7.3). */
static void
expect_mig_reply(mach_port_t reply, mach_msg_id_t id, kern_return_t retcode)
{
	static const uint8_t ndr[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	tu_msg_t m;
	int32_t rc;

	tu_recv_kernel_msg(reply, &m, id + 100, 36, MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	assert_memory_equal(m.bytes + 24, ndr, sizeof(ndr));
	memcpy(&rc, m.bytes + 32, 4);
	assert_kr(rc, retcode);
	tu_expect_empty(reply);
	assert_int_equal(tu_status(reply).mps_sorights, 0);
}

/* ----- dispatch ---------------------------------------------------------- */

/* Appendix B: the MIG_BAD_ID reply, byte for byte. */
static void
test_unknown_msgh_id(void **state)
{
	mach_port_t r = tu_port();
	uint8_t want[36] = {
		0x00, 0x12, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x00, 0x11, 0xdf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0xd1, 0xfe, 0xff, 0xff,
	};
	mach_msg_header_t h;
	tu_msg_t m;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		want[12 + i] = (uint8_t)(r >> (8 * i));
	memset(&h, 0, sizeof(h));
	assert_kr(send_to_task(&h, sizeof(h), 0xDEAD, r), MACH_MSG_SUCCESS);
	tu_recv_kernel_msg(r, &m, 0xDEAD + 100, 36, MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	assert_memory_equal(m.bytes, want, sizeof(want));
	tu_expect_empty(r);
	assert_int_equal(tu_status(r).mps_sorights, 0);

	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 7.2: routines are found by msgh_id only; semaphore.defs (617200...)
 * and mach_port_rename (3202) are not in the kernel's table. */
static void
test_ids_not_in_table(void **state)
{
	mach_port_t r = tu_port();
	simple_req_t req;

	(void)state;
	simple_req(&req, 0, 0);
	assert_kr(send_to_task(&req, 32, 617200, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 617200, MIG_BAD_ID);
	simple_req(&req, TASK, TASK);
	assert_kr(send_to_task(&req, 40, 3202, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3202, MIG_BAD_ID);

	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 7.2: MIG's type check wants the exact size and the right shape. */
static void
test_bad_arguments(void **state)
{
	mach_port_t r = tu_port();
	simple_req_t req;
	port_req_t preq;
	uint64_t before[6], after[6];

	(void)state;
	harness_stats(before);
	/* mach_port_allocate is {header, NDR, right}: 36 bytes exactly. */
	simple_req(&req, MACH_PORT_RIGHT_RECEIVE, 0);
	assert_kr(send_to_task(&req, 40, 3204, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3204, MIG_BAD_ARGUMENTS);
	simple_req(&req, MACH_PORT_RIGHT_RECEIVE, 0);
	assert_kr(send_to_task(&req, 32, 3204, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3204, MIG_BAD_ARGUMENTS);
	/* A complex request (no descriptors) to a simple routine. */
	memset(&preq, 0, sizeof(preq));
	preq.h.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	preq.body.msgh_descriptor_count = 0;
	memcpy((uint8_t *)&preq + 28, &NDR_record, sizeof(NDR_record));
	memcpy((uint8_t *)&preq + 36, &(uint32_t){ MACH_PORT_RIGHT_RECEIVE }, 4);
	assert_kr(send_to_task(&preq, 40, 3204, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3204, MIG_BAD_ARGUMENTS);
	/* Nothing was allocated. */
	harness_stats(after);
	assert_int_equal(after[TU_NAMES], before[TU_NAMES]);
	assert_int_equal(after[TU_PORTS], before[TU_PORTS]);

	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 7.3: a successful reply has id + 100 and the routine's outputs. */
static void
test_allocate_reply(void **state)
{
	static const uint8_t ndr[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	mach_port_t r = tu_port(), name;
	simple_req_t req;
	tu_msg_t m;
	int32_t rc;

	(void)state;
	simple_req(&req, MACH_PORT_RIGHT_RECEIVE, 0);
	assert_kr(send_to_task(&req, 36, 3204, r), MACH_MSG_SUCCESS);
	tu_recv_kernel_msg(r, &m, 3304, 40, MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	assert_memory_equal(m.bytes + 24, ndr, sizeof(ndr));
	memcpy(&rc, m.bytes + 32, 4);
	assert_kr(rc, KERN_SUCCESS);
	memcpy(&name, m.bytes + 36, 4);
	assert_true(MACH_PORT_VALID(name));
	assert_int_equal(tu_type(name), MACH_PORT_TYPE_RECEIVE);
	tu_expect_empty(r);

	assert_kr(mach_port_mod_refs(TASK, name, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 7.3: no reply right, no reply -- but the routine still runs. */
static void
test_request_without_reply_port(void **state)
{
	mach_port_t p = tu_port();
	simple_req_t req;
	mach_msg_header_t h;
	uint64_t before[6], after[6];

	(void)state;
	harness_stats(before);
	simple_req(&req, p, 77);
	assert_kr(send_to_task(&req, 40, 3210, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	assert_int_equal(tu_status(p).mps_mscount, 77);
	memset(&h, 0, sizeof(h));
	assert_kr(send_to_task(&h, sizeof(h), 0xDEAD, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	harness_stats(after);
	assert_int_equal(after[TU_KMSGS], before[TU_KMSGS]);
	assert_int_equal(after[TU_NAMES], before[TU_NAMES]);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- ownership of the request's rights ---------------------------------- */

/*
 * 7.3: when the routine fails, the kernel destroys the request body
 * exactly once.  A MOVE_SEND right in it is released: the sender's
 * urefs drop by one (the move), and srights stays consistent, so the
 * no-senders notification fires once, when the last right really goes.
 */
static void
test_failed_routine_destroys_moved_right_once(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), r = tu_port(), prev;
	port_req_t req;

	(void)state;
	assert_kr(mach_port_request_notification(TASK, p, MACH_NOTIFY_NO_SENDERS, 0, n,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);

	/* task_set_special_port(which = 99) fails with KERN_INVALID_ARGUMENT. */
	port_req(&req, p, MACH_MSG_TYPE_MOVE_SEND, 99);
	assert_kr(send_to_task(&req, 52, 3410, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3410, KERN_INVALID_ARGUMENT);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(tu_status(p).mps_srights, 1);
	assert_int_equal(tu_status(p).mps_nsrequest, 1);
	tu_expect_empty(n);

	/* The same through a MIG type-check failure (complex request to the
	 * simple mach_port_allocate). */
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	port_req(&req, p, MACH_MSG_TYPE_MOVE_SEND, MACH_PORT_RIGHT_RECEIVE);
	assert_kr(send_to_task(&req, 52, 3204, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3204, MIG_BAD_ARGUMENTS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(tu_status(p).mps_srights, 1);
	tu_expect_empty(n);

	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 1);
	tu_expect_empty(n);

	/* Moving the only send right: the failure releases the last one. */
	assert_kr(mach_port_insert_right(TASK, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_request_notification(TASK, p, MACH_NOTIFY_NO_SENDERS, 0, n,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	port_req(&req, p, MACH_MSG_TYPE_MOVE_SEND, 99);
	assert_kr(send_to_task(&req, 52, 3410, r), MACH_MSG_SUCCESS);
	expect_mig_reply(r, 3410, KERN_INVALID_ARGUMENT);
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(tu_status(p).mps_srights, 0);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 2);
	tu_expect_empty(n);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* 7.1: a kobject's receive right never leaves the kernel. */
static void
test_kobject_receive_right(void **state)
{
	mach_port_t n = tu_port(), q = tu_port(), prev, got;
	mach_msg_type_name_t type;
	mach_port_urefs_t urefs = tu_refs(TASK, MACH_PORT_RIGHT_SEND);
	struct {
		mach_msg_header_t h;
		mach_msg_body_t b;
		mach_msg_port_descriptor_t d;
	} m;

	(void)state;
	assert_int_equal(tu_type(TASK), MACH_PORT_TYPE_SEND);
	assert_kr(mach_port_request_notification(TASK, TASK, MACH_NOTIFY_PORT_DESTROYED, 0, n,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_INVALID_RIGHT);
	tu_expect_send_once_notification(n);
	assert_kr(mach_port_extract_right(TASK, TASK, MACH_MSG_TYPE_MOVE_RECEIVE, &got, &type),
	    KERN_INVALID_RIGHT);

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.h.msgh_remote_port = q;
	m.h.msgh_id = 1;
	m.b.msgh_descriptor_count = 1;
	m.d.name = TASK;
	m.d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	assert_kr(mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL), MACH_SEND_INVALID_RIGHT);
	/* 3.1 step 10: the header's MAKE_SEND was destroyed, nothing queued. */
	assert_int_equal(tu_status(q).mps_msgcount, 0);
	assert_int_equal(tu_status(q).mps_srights, 0);
	assert_int_equal(tu_type(TASK), MACH_PORT_TYPE_SEND);
	assert_int_equal(tu_refs(TASK, MACH_PORT_RIGHT_SEND), urefs);

	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- task special ports -------------------------------------------------- */

static void
test_task_special_ports(void **state)
{
	mach_port_t p = tu_port_send(), n = tu_port(), old = MACH_PORT_NULL, got, prev;
	mach_port_urefs_t self_urefs = tu_refs(TASK, MACH_PORT_RIGHT_SEND);

	(void)state;
	assert_kr(task_get_special_port(TASK, TASK_BOOTSTRAP_PORT, &old), KERN_SUCCESS);
	assert_kr(task_get_special_port(TASK, 0, &got), KERN_INVALID_ARGUMENT);
	assert_kr(task_get_special_port(TASK, 99, &got), KERN_INVALID_ARGUMENT);

	/* The control port comes back under the task's own name. */
	got = MACH_PORT_NULL;
	assert_kr(task_get_special_port(TASK, TASK_KERNEL_PORT, &got), KERN_SUCCESS);
	assert_int_equal(got, TASK);
	assert_int_equal(tu_refs(TASK, MACH_PORT_RIGHT_SEND), self_urefs + 1);
	assert_kr(mach_port_deallocate(TASK, got), KERN_SUCCESS);
	assert_int_equal(tu_refs(TASK, MACH_PORT_RIGHT_SEND), self_urefs);

	/* The control port cannot be replaced from user space (XNU
	 * task_set_special_port: KERN_NO_ACCESS with SIP); other numbers
	 * outside the settable set are invalid arguments. */
	assert_kr(task_set_special_port(TASK, TASK_KERNEL_PORT, p), KERN_NO_ACCESS);
	assert_kr(task_set_special_port(TASK, TASK_NAME_PORT, p), KERN_INVALID_ARGUMENT);
	assert_kr(task_set_special_port(TASK, 0, p), KERN_INVALID_ARGUMENT);
	assert_kr(task_set_special_port(TASK, 99, p), KERN_INVALID_ARGUMENT);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);

	/* Set then get: the same port, so the same name, one more uref. */
	assert_kr(mach_port_request_notification(TASK, p, MACH_NOTIFY_NO_SENDERS, 0, n,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev), KERN_SUCCESS);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, p), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 1);
	got = MACH_PORT_NULL;
	assert_kr(task_get_special_port(TASK, TASK_BOOTSTRAP_PORT, &got), KERN_SUCCESS);
	assert_int_equal(got, p);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 2);
	assert_kr(mach_port_deallocate(TASK, got), KERN_SUCCESS);

	/* Putting the old one back drops the kernel's right to p: our
	 * deallocate is then the last one. */
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, old), KERN_SUCCESS);
	tu_expect_empty(n);
	assert_kr(mach_port_deallocate(TASK, p), KERN_SUCCESS);
	tu_expect_notification(n, MACH_NOTIFY_NO_SENDERS, 1);
	if (MACH_PORT_VALID(old))
		assert_kr(mach_port_deallocate(TASK, old), KERN_SUCCESS);

	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, n, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_unknown_msgh_id),
		tu_test(test_ids_not_in_table),
		tu_test(test_bad_arguments),
		tu_test(test_allocate_reply),
		tu_test(test_request_without_reply_port),
		tu_test(test_failed_routine_destroys_moved_right_once),
		tu_test(test_kobject_receive_right),
		tu_test(test_task_special_ports),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
