/*
 * test_ipc_pset.c -- src/kernel/ipc_pset.c: membership (Appendix A
 * insert/extract_member codes), a port in several sets, the prepost list
 * and the round-robin choice of the member a set receive takes from
 * (spec 6.2, 6.3).
 *
 * Ports and sets here are bare objects (no name space): a port from
 * ipc_port_alloc_object is a receive right held by the test, ended with
 * ipc_port_destroy; messages are kernel messages carrying a send right.
 */
#include "kernel_fixture.h"

static ipc_port_t
new_port(void)
{
	ipc_port_t port;

	assert_int_equal(ipc_port_alloc_object(&port), KERN_SUCCESS);
	return port;
}

static ipc_pset_t
new_pset(void)
{
	ipc_pset_t pset;

	assert_int_equal(ipc_pset_alloc_object(&pset), KERN_SUCCESS);
	return pset;
}

static void
free_pset(ipc_pset_t pset)
{
	ipc_pset_destroy(pset);
	ipc_object_release(&pset->ips_object);
}

/* Queue a message with id `id` on `port`. */
static void
post(ipc_port_t port, mach_msg_id_t id)
{
	ipc_kmsg_t kmsg = ipc_kmsg_kernel_alloc(ipc_port_make_send(port),
	    MACH_MSG_TYPE_PORT_SEND, id, NULL, 0);

	assert_non_null(kmsg);
	ipc_mqueue_send_always(kmsg);
}

/* What a receive on `pset` takes next: the member it picks and the id of
 * that member's head message (received and consumed). */
static mach_msg_id_t
receive_on(ipc_pset_t pset, ipc_port_t *fromp)
{
	ipc_port_t port = ipc_pset_select(pset);
	ipc_kmsg_t kmsg;
	mach_msg_id_t id;

	assert_non_null(port);
	*fromp = port;
	kmsg = fx_dequeue(port);
	id = kmsg->ikm_id;
	fx_consume(kmsg);
	return id;
}

/* Appendix A: insert_member / extract_member codes; each link holds a
 * reference on both objects. */
static void
test_add_remove(void **state)
{
	ipc_port_t p = new_port();
	ipc_pset_t s = new_pset();

	(void)state;
	assert_false(ipc_pset_member(s, p));
	assert_int_equal(ipc_pset_remove(s, p), KERN_NOT_IN_SET);
	assert_int_equal(ipc_pset_remove_from_all(p), KERN_NOT_IN_SET);
	assert_int_equal(ipc_pset_add(s, p), KERN_SUCCESS);
	assert_true(ipc_pset_member(s, p));
	assert_int_equal(ipc_pset_member_count(s), 1);
	assert_int_equal(p->ip_object.io_references, 2);
	assert_int_equal(s->ips_object.io_references, 2);
	assert_int_equal(ipc_pset_add(s, p), KERN_ALREADY_IN_SET);
	assert_int_equal(ipc_pset_member_count(s), 1);
	assert_int_equal(ipc_pset_remove(s, p), KERN_SUCCESS);
	assert_false(ipc_pset_member(s, p));
	assert_int_equal(ipc_pset_member_count(s), 0);
	assert_int_equal(ipc_pset_remove(s, p), KERN_NOT_IN_SET);
	assert_int_equal(p->ip_object.io_references, 1);
	assert_int_equal(s->ips_object.io_references, 1);
	free_pset(s);
	ipc_port_destroy(p);
}

/* Appendix A: a port may be in several sets; leaving one keeps the
 * others; messages make it visible in every set. */
static void
test_port_in_two_sets(void **state)
{
	ipc_port_t p = new_port(), q = new_port(), from;
	ipc_pset_t s1 = new_pset(), s2 = new_pset();

	(void)state;
	assert_int_equal(ipc_pset_add(s1, p), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s2, p), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s2, q), KERN_SUCCESS);
	assert_true(ipc_pset_member(s1, p));
	assert_true(ipc_pset_member(s2, p));
	assert_int_equal(ipc_pset_member_count(s2), 2);

	post(p, 1);
	assert_ptr_equal(ipc_pset_select(s1), p);
	assert_ptr_equal(ipc_pset_select(s2), p);
	assert_int_equal(receive_on(s2, &from), 1);
	assert_ptr_equal(from, p);
	/* Emptied: neither set sees it any more. */
	assert_null(ipc_pset_select(s1));
	assert_null(ipc_pset_select(s2));

	assert_int_equal(ipc_pset_remove(s1, p), KERN_SUCCESS);
	assert_false(ipc_pset_member(s1, p));
	assert_true(ipc_pset_member(s2, p));
	post(p, 2);
	assert_null(ipc_pset_select(s1));
	assert_ptr_equal(ipc_pset_select(s2), p);

	assert_int_equal(ipc_pset_add(s1, p), KERN_SUCCESS);
	assert_ptr_equal(ipc_pset_select(s1), p);     /* joined with a message queued */
	assert_int_equal(ipc_pset_remove_from_all(p), KERN_SUCCESS);
	assert_false(ipc_pset_member(s1, p));
	assert_false(ipc_pset_member(s2, p));
	assert_null(ipc_pset_select(s1));
	assert_null(ipc_pset_select(s2));
	assert_int_equal(ipc_pset_remove_from_all(p), KERN_NOT_IN_SET);
	assert_int_equal(fx_qlen(p), 1);              /* the message stays on the port */
	free_pset(s1);
	free_pset(s2);
	ipc_port_destroy(p);
	ipc_port_destroy(q);
}

/* Spec 6.2: a set receive takes the first message of the first member in
 * prepost order (the order members got their first message), then moves
 * that member to the back; members that empty leave the list.  Per port
 * the order stays FIFO. */
static void
test_prepost_order(void **state)
{
	ipc_port_t p1 = new_port(), p2 = new_port(), p3 = new_port(), from;
	ipc_pset_t s = new_pset();

	(void)state;
	assert_int_equal(ipc_pset_add(s, p1), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s, p2), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s, p3), KERN_SUCCESS);
	assert_null(ipc_pset_select(s));
	post(p2, 21);
	post(p2, 22);
	post(p3, 31);
	post(p1, 11);

	assert_int_equal(receive_on(s, &from), 21);
	assert_ptr_equal(from, p2);
	assert_int_equal(receive_on(s, &from), 31);
	assert_ptr_equal(from, p3);
	assert_int_equal(receive_on(s, &from), 11);
	assert_ptr_equal(from, p1);
	assert_int_equal(receive_on(s, &from), 22);
	assert_ptr_equal(from, p2);
	assert_null(ipc_pset_select(s));

	/* A member that empties and fills again goes to the back. */
	post(p1, 12);
	post(p3, 32);
	post(p1, 13);
	assert_int_equal(receive_on(s, &from), 12);
	assert_int_equal(receive_on(s, &from), 32);
	post(p3, 33);
	assert_int_equal(receive_on(s, &from), 13);
	assert_int_equal(receive_on(s, &from), 33);
	assert_null(ipc_pset_select(s));
	free_pset(s);
	ipc_port_destroy(p1);
	ipc_port_destroy(p2);
	ipc_port_destroy(p3);
}

/* Spec 6.2 fairness: busy members alternate. */
static void
test_round_robin(void **state)
{
	ipc_port_t p1 = new_port(), p2 = new_port(), p3 = new_port(), from;
	ipc_pset_t s = new_pset();
	static const mach_msg_id_t expect[] = { 10, 20, 30, 11, 21, 31, 12, 22, 32 };
	int i;

	(void)state;
	assert_int_equal(ipc_pset_add(s, p1), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s, p2), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s, p3), KERN_SUCCESS);
	for (i = 0; i < 3; i++) {
		post(p1, 10 + i);
		post(p2, 20 + i);
		post(p3, 30 + i);
	}
	for (i = 0; i < 9; i++)
		assert_int_equal(receive_on(s, &from), expect[i]);
	assert_null(ipc_pset_select(s));
	free_pset(s);
	ipc_port_destroy(p1);
	ipc_port_destroy(p2);
	ipc_port_destroy(p3);
}

/* A member leaving with messages queued leaves the prepost list; the set
 * being destroyed lets its members go, messages still queued on them; a
 * member dying leaves its sets (spec 5.5 step 2). */
static void
test_membership_changes_and_death(void **state)
{
	ipc_port_t p1 = new_port(), p2 = new_port(), p3 = new_port(), from;
	ipc_pset_t s = new_pset(), t = new_pset();
	uint64_t ports = kalloc_live(KA_PORT);

	(void)state;
	assert_int_equal(ipc_pset_add(s, p1), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s, p2), KERN_SUCCESS);
	post(p1, 1);
	post(p2, 2);
	assert_int_equal(ipc_pset_remove(s, p1), KERN_SUCCESS);
	assert_int_equal(receive_on(s, &from), 2);
	assert_null(ipc_pset_select(s));
	assert_int_equal(ipc_pset_add(s, p1), KERN_SUCCESS);
	assert_int_equal(receive_on(s, &from), 1);
	assert_ptr_equal(from, p1);

	/* Destroying the set: members stay alive, out of the set. */
	post(p2, 3);
	ipc_pset_destroy(s);
	assert_null(p1->ip_links);
	assert_null(p2->ip_links);
	assert_int_equal(fx_qlen(p2), 1);
	assert_int_equal(ipc_pset_member_count(s), 0);
	ipc_object_release(&s->ips_object);

	/* A dying member leaves every set, its messages destroyed. */
	assert_int_equal(ipc_pset_add(t, p3), KERN_SUCCESS);
	post(p3, 4);
	assert_ptr_equal(ipc_pset_select(t), p3);
	ipc_port_destroy(p3);
	assert_int_equal(ipc_pset_member_count(t), 0);
	assert_null(ipc_pset_select(t));
	assert_int_equal(kalloc_live(KA_PORT), ports - 1);
	free_pset(t);
	ipc_port_destroy(p1);
	ipc_port_destroy(p2);
}

/* Spec 6.3 / 6.5 through the set: a receive takes from the chosen
 * member; MACH_RCV_LARGE leaves a too-large message in place, reporting
 * its size; an empty set with a zero timeout times out. */
static void
test_receive_on_set(void **state)
{
	ipc_port_t p1 = new_port(), p2 = new_port();
	ipc_pset_t s = new_pset();
	struct thread th;

	(void)state;
	assert_int_equal(ipc_pset_add(s, p1), KERN_SUCCESS);
	assert_int_equal(ipc_pset_add(s, p2), KERN_SUCCESS);
	memset(&th, 0, sizeof(th));
	th.th_option = MACH_RCV_MSG | MACH_RCV_TIMEOUT;
	th.th_rcv_size = 1024;
	assert_int_equal(ipc_mqueue_receive(&th, &s->ips_object, 0, NULL), MACH_RCV_TIMED_OUT);

	post(p2, 7);
	post(p1, 8);
	p2->ip_receiver_name = 0x1234;
	th.th_option |= MACH_RCV_LARGE;
	th.th_rcv_size = 24 + 8 - 1;              /* header + minimal trailer - 1 */
	assert_int_equal(ipc_mqueue_receive(&th, &s->ips_object, 0, NULL), MACH_MSG_SUCCESS);
	assert_int_equal(th.th_rcv_mr, MACH_RCV_TOO_LARGE);
	assert_null(th.th_rcv_kmsg);
	assert_int_equal(th.th_rcv_large_size, 24);
	assert_int_equal(th.th_rcv_large_name, 0x1234);
	assert_int_equal(fx_qlen(p2), 1);
	assert_int_equal(p2->ip_messages.imq_seqno, 0);   /* no seqno consumed */

	th.th_rcv_size = 24 + 8;
	assert_int_equal(ipc_mqueue_receive(&th, &s->ips_object, 0, NULL), MACH_MSG_SUCCESS);
	assert_int_equal(th.th_rcv_mr, MACH_MSG_SUCCESS);
	assert_non_null(th.th_rcv_kmsg);
	assert_int_equal(th.th_rcv_kmsg->ikm_seqno, 0);
	assert_int_equal(fx_qlen(p1) + fx_qlen(p2), 1);
	fx_consume(th.th_rcv_kmsg);
	assert_int_equal(ipc_mqueue_receive(&th, &s->ips_object, 0, NULL), MACH_MSG_SUCCESS);
	assert_non_null(th.th_rcv_kmsg);
	fx_consume(th.th_rcv_kmsg);
	assert_int_equal(fx_qlen(p1) + fx_qlen(p2), 0);
	assert_int_equal(ipc_mqueue_receive(&th, &s->ips_object, 0, NULL), MACH_RCV_TIMED_OUT);
	free_pset(s);
	ipc_port_destroy(p1);
	ipc_port_destroy(p2);
}

/* Robustness: a link that cannot be allocated leaves both objects as
 * they were. */
static void
test_fault_add(void **state)
{
	ipc_port_t p = new_port();
	ipc_pset_t s = new_pset();
	kern_return_t kr;

	(void)state;
	post(p, 1);
	kalloc_fault_config(1, 0);
	kr = ipc_pset_add(s, p);
	kalloc_fault_config(0, 0);
	assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
	assert_false(ipc_pset_member(s, p));
	assert_null(ipc_pset_select(s));
	assert_int_equal(p->ip_object.io_references, 1 + 1);   /* + the message's right */
	assert_int_equal(s->ips_object.io_references, 1);
	assert_int_equal(ipc_pset_add(s, p), KERN_SUCCESS);
	assert_ptr_equal(ipc_pset_select(s), p);
	free_pset(s);
	ipc_port_destroy(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_BARE_TEST(test_add_remove),
		FX_BARE_TEST(test_port_in_two_sets),
		FX_BARE_TEST(test_prepost_order),
		FX_BARE_TEST(test_round_robin),
		FX_BARE_TEST(test_membership_changes_and_death),
		FX_BARE_TEST(test_receive_on_set),
		FX_BARE_TEST(test_fault_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
