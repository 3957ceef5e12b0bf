/*
 * test_ipc_kobject.c -- src/kernel/ipc_kobject.c: the MIG dispatch table
 * (mig_init / mig_lookup, spec 7.2) and the kernel as a MIG server
 * (ipc_kobject_server: reply id + 100, MIG_BAD_ID, MIG_BAD_ARGUMENTS, who
 * owns the request's rights, spec 7.1-7.3).
 */
#include "kernel_fixture.h"

static kern_return_t
nop_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args, struct mig_reply *rep)
{
	return KERN_SUCCESS;
}

#define R(id) { (id), #id, nop_impl, 0, 0, 0 }

/* Spec 7.2: a duplicate msgh_id is a start-up failure, within one
 * subsystem or across two. */
static void
test_mig_init_rejects_duplicate(void **state)
{
	static const struct mig_routine dup[] = { R(101), R(102), R(101) };
	static const struct mig_subsystem dup_ss = { "dup", 100, 200, dup, 3 };
	static const struct mig_routine clash[] = { R(3204) };
	static const struct mig_subsystem clash_ss = { "clash", 3200, 3300, clash, 1 };
	const struct mig_subsystem *one[] = { &dup_ss };
	const struct mig_subsystem *two[] = { &mach_port_subsystem, &clash_ss };

	(void)state;
	assert_false(mig_init(one, 1));
	assert_false(mig_init(two, 2));
	fx_mig_init();                                /* the real table again */
	assert_non_null(mig_lookup(3204));
}

/* A routine outside its subsystem's [start, end). */
static void
test_mig_init_rejects_out_of_range(void **state)
{
	static const struct mig_routine below[] = { R(99) };
	static const struct mig_routine at_end[] = { R(200) };
	static const struct mig_routine edges[] = { R(100), R(199) };
	static const struct mig_subsystem below_ss = { "below", 100, 200, below, 1 };
	static const struct mig_subsystem end_ss = { "end", 100, 200, at_end, 1 };
	static const struct mig_subsystem edges_ss = { "edges", 100, 200, edges, 2 };
	const struct mig_subsystem *b[] = { &below_ss }, *e[] = { &end_ss }, *ok[] = { &edges_ss };

	(void)state;
	assert_false(mig_init(b, 1));
	assert_false(mig_init(e, 1));
	assert_true(mig_init(ok, 1));
	assert_int_equal(mig_lookup(100)->id, 100);
	assert_int_equal(mig_lookup(199)->id, 199);
	assert_null(mig_lookup(150));
	fx_mig_init();
}

/* Ids equal modulo the table size (1031) share a probe chain; each is
 * still found, an absent one with the same hash is not. */
static void
test_mig_lookup_collisions(void **state)
{
	static const struct mig_routine chain[] = {
		R(5), R(1036), R(6), R(2067), R(3098), R(7),
	};
	static const struct mig_subsystem chain_ss = { "chain", 0, 4000, chain, 6 };
	const struct mig_subsystem *ss[] = { &chain_ss };
	size_t i;

	(void)state;
	assert_true(mig_init(ss, 1));
	for (i = 0; i < 6; i++)
		assert_ptr_equal(mig_lookup(chain[i].id), &chain[i]);
	assert_null(mig_lookup(4129));       /* 5 + 4 * 1031: same chain, absent */
	assert_null(mig_lookup(8));
	assert_null(mig_lookup(-1));
	fx_mig_init();
}

/* More routines than the table can hold. */
static void
test_mig_init_rejects_full_table(void **state)
{
	struct mig_routine *many = calloc(1100, sizeof(*many));
	struct mig_subsystem big = { "big", 10000, 20000, many, 1100 };
	const struct mig_subsystem *ss[] = { &big };
	uint32_t i;

	(void)state;
	assert_non_null(many);
	for (i = 0; i < 1100; i++) {
		many[i].id = (mach_msg_id_t)(10000 + i);
		many[i].name = "many";
		many[i].impl = nop_impl;
	}
	assert_false(mig_init(ss, 1));
	free(many);
	fx_mig_init();
}

/* Every routine machd serves is found by its id, and only by it; ids
 * with no routine are not found (spec 7.2: MIG_BAD_ID; 3202 rename and
 * the semaphore.defs ids are deliberately absent, spec App. A, 7.4). */
static void
test_mig_lookup_real_tables(void **state)
{
	static const mach_msg_id_t absent[] = {
		3202, 3240, 3199, 3400, 3464, 0, -1, 0xdead, 617200, 617206, 3300,
	};
	const struct mig_subsystem *ss[] = { &mach_port_subsystem, &task_subsystem };
	size_t s, i;

	(void)state;
	fx_mig_init();
	for (s = 0; s < 2; s++) {
		for (i = 0; i < ss[s]->count; i++) {
			const struct mig_routine *r = &ss[s]->routines[i];
			assert_true(r->id >= ss[s]->start && r->id < ss[s]->end);
			assert_ptr_equal(mig_lookup(r->id), r);
		}
	}
	assert_int_equal(mig_lookup(3204)->id, 3204);       /* mach_port_allocate */
	assert_int_equal(mig_lookup(3418)->id, 3418);       /* semaphore_create */
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(mig_lookup(absent[i]));
}

/* --- the server ------------------------------------------------------------------ */

/* A request to the task's own port: COPY_SEND, reply `reply` (MAKE_SEND_ONCE
 * if not NULL), NDR + `nargs` words, optionally one port descriptor. */
static ipc_kmsg_t
request(struct task *task, mach_msg_id_t id, mach_port_name_t reply, const uint32_t *args,
    uint32_t nargs, mach_port_name_t dsc_name, uint8_t dsc_disp)
{
	uint8_t buf[128];
	uint32_t off = 24, i;
	mach_msg_bits_t bits = MACH_MSG_TYPE_COPY_SEND |
	    (reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE << 8 : 0);
	ipc_kmsg_t kmsg;

	if (dsc_name != MACH_PORT_NULL) {
		bits |= MACH_MSGH_BITS_COMPLEX;
		fx_put32(buf, 24, 1);
		off = fx_msg_port_desc(buf, 28, dsc_name, dsc_disp);
	}
	fx_msg_header(buf, bits, task->t_self_name, reply, 0, id);
	memcpy(buf + off, &NDR_record, sizeof(NDR_record_t));
	off += (uint32_t)sizeof(NDR_record_t);
	for (i = 0; i < nargs; i++, off += 4)
		fx_put32(buf, off, args[i]);
	assert_int_equal(fx_msg_copyin(task->itk_space, buf, off, &kmsg), MACH_MSG_SUCCESS);
	return kmsg;
}

/* The reply queued on `port`: spec 7.3 form; returns RetCode. */
static int32_t
take_reply(ipc_port_t port, mach_msg_id_t request_id, uint32_t size)
{
	ipc_kmsg_t kmsg = fx_dequeue(port);
	int32_t code;

	assert_int_equal(kmsg->ikm_id, request_id + 100);
	assert_true(kmsg->ikm_kernel);
	assert_int_equal(kmsg->ikm_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	assert_int_equal(ipc_kmsg_user_size(kmsg), size);
	assert_memory_equal(kmsg->ikm_body, &NDR_record, sizeof(NDR_record_t));
	memcpy(&code, kmsg->ikm_body + sizeof(NDR_record_t), 4);
	fx_consume(kmsg);
	return code;
}

/* Spec 7.2 / 7.3 / Appendix B: an unknown id gets the 36-byte
 * mig_reply_error_t with MIG_BAD_ID and id + 100; the request body is
 * destroyed (its send-once right notifies), the reply right is used. */
static void
test_server_unknown_id(void **state)
{
	struct fx *fx = FX(state);
	struct task *ta = fx->task[0];
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a), x = fx_alloc_receive(a);
	ipc_port_t pr = fx_port(a, r), px = fx_port(a, x), self = ta->itk_self;
	uint32_t seqno = self->ip_messages.imq_seqno, srights = self->ip_srights;
	ipc_kmsg_t kmsg = request(ta, 0xdead, r, NULL, 0, x, MACH_MSG_TYPE_MAKE_SEND_ONCE);

	ipc_kobject_server(kmsg);
	assert_int_equal(self->ip_messages.imq_seqno, seqno + 1);   /* spec 7.1 */
	assert_int_equal(self->ip_srights, srights);                /* dest released */
	assert_int_equal(take_reply(pr, 0xdead, 36), MIG_BAD_ID);
	assert_int_equal(fx_qlen(pr), 0);
	fx_expect_notification(px, MACH_NOTIFY_SEND_ONCE);
	fx_assert_counts(pr, 0, 0, 0);
	fx_assert_counts(px, 0, 0, 0);
}

/* Spec 7.2: the server stub's type check -- wrong size, COMPLEX where the
 * routine takes none -- is MIG_BAD_ARGUMENTS; no reply right, no reply. */
static void
test_server_bad_arguments(void **state)
{
	struct fx *fx = FX(state);
	struct task *ta = fx->task[0];
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a), x = fx_alloc_receive(a);
	ipc_port_t pr = fx_port(a, r), px = fx_port(a, x);
	uint32_t args[3] = { r, 0, 0 };

	/* mach_port_type (3201) takes one word. */
	ipc_kobject_server(request(ta, 3201, r, args, 2, MACH_PORT_NULL, 0));
	assert_int_equal(take_reply(pr, 3201, 36), MIG_BAD_ARGUMENTS);
	ipc_kobject_server(request(ta, 3201, r, args, 0, MACH_PORT_NULL, 0));
	assert_int_equal(take_reply(pr, 3201, 36), MIG_BAD_ARGUMENTS);
	ipc_kobject_server(request(ta, 3201, r, args, 1, x, MACH_MSG_TYPE_MAKE_SEND));
	assert_int_equal(take_reply(pr, 3201, 36), MIG_BAD_ARGUMENTS);
	fx_assert_counts(px, 0, 0, 1);                 /* the body's send right released */
	/* No reply right: nothing is sent. */
	ipc_kobject_server(request(ta, 3201, MACH_PORT_NULL, args, 2, MACH_PORT_NULL, 0));
	assert_int_equal(fx_qlen(pr), 0);
	fx_assert_counts(pr, 0, 0, 0);
}

/* A routine that succeeds: simple reply {NDR, RetCode 0, outputs}. */
static void
test_server_success_reply(void **state)
{
	struct fx *fx = FX(state);
	struct task *ta = fx->task[0];
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a);
	ipc_port_t pr = fx_port(a, r);
	uint32_t args[1] = { r }, type;
	ipc_kmsg_t kmsg;

	ipc_kobject_server(request(ta, 3201, r, args, 1, MACH_PORT_NULL, 0));
	kmsg = fx_dequeue(pr);
	assert_int_equal(kmsg->ikm_id, 3301);
	assert_int_equal(ipc_kmsg_user_size(kmsg), 40);
	memcpy(&type, kmsg->ikm_body + 12, 4);
	assert_int_equal(kmsg->ikm_body[8] | kmsg->ikm_body[9] | kmsg->ikm_body[10] |
	    kmsg->ikm_body[11], 0);                   /* RetCode KERN_SUCCESS */
	assert_int_equal(type, T_RECEIVE);
	fx_consume(kmsg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_BARE_TEST(test_mig_init_rejects_duplicate),
		FX_BARE_TEST(test_mig_init_rejects_out_of_range),
		FX_BARE_TEST(test_mig_lookup_collisions),
		FX_BARE_TEST(test_mig_init_rejects_full_table),
		FX_BARE_TEST(test_mig_lookup_real_tables),
		FX_TEST(test_server_unknown_id),
		FX_TEST(test_server_bad_arguments),
		FX_TEST(test_server_success_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
