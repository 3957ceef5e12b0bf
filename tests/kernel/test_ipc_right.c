/*
 * test_ipc_right.c -- src/kernel/ipc_right.c: what a name can do.  User
 * references and their saturation (spec 5.3), the mod_refs matrix (T6),
 * deallocate / destroy / destruct (Appendix A), lazy dead names (5.4),
 * copyin of each disposition (3.4, 4.3) and copyout coalescing (5.2),
 * srights per entry (5.1), and the notifications these fire (5.5, 5.7).
 *
 * Two tasks: A (fx->space[0]) and B (fx->space[1]).  Rights travel
 * between them with copyin + copyout, as a message would carry them.
 */
#include "kernel_fixture.h"

static kern_return_t
destruct(struct ipc_space *space, mach_port_name_t name, mach_port_delta_t srdelta,
    uint64_t guard)
{
	ipc_entry_t entry;
	kern_return_t kr = ipc_right_lookup(space, name, &entry);

	return kr != KERN_SUCCESS ? kr : ipc_right_destruct(space, name, entry, srdelta, guard);
}

static kern_return_t
copyin_flags(struct ipc_space *space, mach_port_name_t name, mach_msg_type_name_t disp,
    uint32_t flags, ipc_port_t *portp)
{
	*portp = IP_NULL;
	return ipc_object_copyin(space, name, disp, flags, portp);
}

static kern_return_t
mod_refs_routine(struct task *task, mach_port_name_t name, mach_port_right_t right,
    mach_port_delta_t d)
{
	uint32_t args[3] = { name, right, (uint32_t)d };
	struct mig_reply rep;

	return fx_mig(task, 3208, NULL, args, 3, &rep);
}

/* mach_port_guard (3233), non-strict. */
static void
guard(struct task *task, mach_port_name_t name, uint64_t value)
{
	uint32_t args[4] = { name, (uint32_t)value, (uint32_t)(value >> 32), 0 };
	struct mig_reply rep;

	assert_int_equal(fx_mig(task, 3233, NULL, args, 4, &rep), KERN_SUCCESS);
}

/* A send-once right to the receive right `name` of `space`, to arm a
 * notification with. */
static ipc_port_t
soright(struct ipc_space *space, mach_port_name_t name)
{
	return fx_copyin(space, name, MACH_MSG_TYPE_MAKE_SEND_ONCE);
}

/* Spec 5.3: what each kind of entry stores and what get_refs reports. */
static void
test_get_refs_rows(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	struct task *ta = fx->task[0], *tb = fx->task[1];
	mach_port_name_t r = fx_alloc_receive(a), sb, so, ps, dn;
	mach_port_urefs_t refs;
	ipc_port_t p = fx_port(a, r);

	/* RECEIVE only: 0 stored, RECEIVE reports 1, the others 0. */
	fx_assert_right(a, r, T_RECEIVE, 0);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_RECEIVE, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 1);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 0);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_SEND_ONCE, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 0);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_PORT_SET, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 0);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_DEAD_NAME, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 0);

	/* SEND with RECEIVE: urefs; RECEIVE still 1. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 3);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 3);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_RECEIVE, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 1);

	/* SEND alone. */
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	fx_assert_right(b, sb, T_SEND, 1);
	assert_int_equal(fx_get_refs(tb, sb, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 1);

	/* SEND_ONCE: exactly 1. */
	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	fx_assert_right(b, so, T_SEND_ONCE, 1);
	assert_int_equal(fx_get_refs(tb, so, MACH_PORT_RIGHT_SEND_ONCE, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 1);
	assert_int_equal(fx_get_refs(tb, so, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 0);

	/* PORT_SET: 0 stored, 1 reported. */
	ps = fx_allocate(ta, MACH_PORT_RIGHT_PORT_SET);
	fx_assert_right(a, ps, T_PORT_SET, 0);
	assert_int_equal(fx_get_refs(ta, ps, MACH_PORT_RIGHT_PORT_SET, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 1);

	/* DEAD_NAME: urefs (allocate gives 1). */
	dn = fx_allocate(ta, MACH_PORT_RIGHT_DEAD_NAME);
	fx_assert_right(a, dn, T_DEAD_NAME, 1);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, 4), KERN_SUCCESS);
	assert_int_equal(fx_get_refs(ta, dn, MACH_PORT_RIGHT_DEAD_NAME, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 5);

	/* Spec 5.4 / Appendix A: NULL and DEAD report 1 for SEND and
	 * SEND_ONCE, KERN_INVALID_NAME otherwise; right >= 6 is a bad value. */
	assert_int_equal(fx_get_refs(ta, MACH_PORT_NULL, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	assert_int_equal(refs, 1);
	assert_int_equal(fx_get_refs(ta, MACH_PORT_DEAD, MACH_PORT_RIGHT_SEND_ONCE, &refs),
	    KERN_SUCCESS);
	assert_int_equal(refs, 1);
	assert_int_equal(fx_get_refs(ta, MACH_PORT_NULL, MACH_PORT_RIGHT_RECEIVE, &refs),
	    KERN_INVALID_NAME);
	assert_int_equal(fx_get_refs(ta, MACH_PORT_DEAD, MACH_PORT_RIGHT_DEAD_NAME, &refs),
	    KERN_INVALID_NAME);
	assert_int_equal(fx_get_refs(ta, r, MACH_PORT_RIGHT_NUMBER, &refs), KERN_INVALID_VALUE);
	assert_int_equal(fx_get_refs(ta, fx_stale_name(r), MACH_PORT_RIGHT_SEND, &refs),
	    KERN_INVALID_NAME);

	/* Spec 5.1: one srights per entry (A's urefs 3 count once). */
	fx_assert_counts(p, 2, 1, 4);
}

/* Spec 5.3 saturation (CVE-2016-7637 fix): urefs peg at 65535; pegged
 * names ignore decrements except mod_refs(-65535). */
static void
test_urefs_peg_at_max(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a), dn;
	ipc_port_t p = fx_port(a, r), moved;

	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, 65533), KERN_SUCCESS);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65534);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	assert_int_equal(fx_dealloc(a, r), KERN_SUCCESS);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	fx_assert_counts(p, 1, 0, 1);

	/* A copied-out send right is consumed without raising urefs. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	fx_assert_counts(p, 1, 0, 2);

	/* MOVE_SEND from a pegged name moves a right, keeps the urefs. */
	moved = fx_copyin(a, r, MACH_MSG_TYPE_MOVE_SEND);
	assert_ptr_equal(moved, p);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	fx_assert_counts(p, 2, 0, 2);
	ipc_object_destroy(moved, MACH_MSG_TYPE_PORT_SEND);
	fx_assert_counts(p, 1, 0, 2);

	/* |delta| > 65535 is a bad value; nothing changes. */
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, 65536), KERN_INVALID_VALUE);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, -65536), KERN_INVALID_VALUE);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);

	/* Only -65535 removes a pegged send right. */
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, -65535), KERN_SUCCESS);
	fx_assert_right(a, r, T_RECEIVE, 0);
	fx_assert_counts(p, 0, 0, 2);

	/* A positive delta reaching past the maximum pegs and succeeds. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, 65535), KERN_SUCCESS);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 65535);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, -65535), KERN_SUCCESS);

	/* urefs + delta < 0 is a bad value. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_SEND, -3), KERN_INVALID_VALUE);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 2);
	fx_assert_counts(p, 1, 0, 5);

	/* Dead names peg the same way. */
	dn = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, 65533), KERN_SUCCESS);
	fx_assert_right(a, dn, T_DEAD_NAME, 65534);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	fx_assert_right(a, dn, T_DEAD_NAME, 65535);
	assert_int_equal(fx_dealloc(a, dn), KERN_SUCCESS);
	assert_int_equal(copyin_flags(a, dn, MACH_MSG_TYPE_MOVE_SEND, IPC_COPYIN_DEADOK, &moved),
	    KERN_SUCCESS);
	assert_ptr_equal(moved, IP_DEAD);
	fx_assert_right(a, dn, T_DEAD_NAME, 65535);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, -65535), KERN_SUCCESS);
	fx_assert_no_name(a, dn);
}

/* Spec 8.2 T6 (mach_port_mod_refs.c), plus the delta values 5.3 allows
 * for RECEIVE, PORT_SET and SEND_ONCE. */
static void
test_mod_refs_matrix_t6(void **state)
{
	static const mach_port_right_t on_port[] = {
		MACH_PORT_RIGHT_SEND, MACH_PORT_RIGHT_SEND_ONCE, MACH_PORT_RIGHT_PORT_SET,
		MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_RIGHT_LABELH,
	};
	static const mach_port_right_t on_pset[] = {
		MACH_PORT_RIGHT_SEND, MACH_PORT_RIGHT_SEND_ONCE, MACH_PORT_RIGHT_RECEIVE,
		MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_RIGHT_LABELH,
	};
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	struct task *ta = fx->task[0];
	mach_port_name_t port = fx_alloc_receive(a), pset, sb, so;
	uint64_t psets = kalloc_live(KA_PSET), ports = kalloc_live(KA_PORT);
	size_t i;

	pset = fx_allocate(ta, MACH_PORT_RIGHT_PORT_SET);
	for (i = 0; i < sizeof(on_port) / sizeof(on_port[0]); i++)
		assert_int_equal(fx_delta(a, port, on_port[i], -1), KERN_INVALID_RIGHT);
	for (i = 0; i < sizeof(on_pset) / sizeof(on_pset[0]); i++)
		assert_int_equal(fx_delta(a, pset, on_pset[i], -1), KERN_INVALID_RIGHT);
	/* Right numbers 6 and 7 are checked by the routine. */
	assert_int_equal(mod_refs_routine(ta, port, 6, -1), KERN_INVALID_VALUE);
	assert_int_equal(mod_refs_routine(ta, port, 7, -1), KERN_INVALID_VALUE);
	assert_int_equal(mod_refs_routine(ta, pset, 6, -1), KERN_INVALID_VALUE);
	assert_int_equal(mod_refs_routine(ta, pset, 7, -1), KERN_INVALID_VALUE);
	fx_assert_right(a, port, T_RECEIVE, 0);
	fx_assert_right(a, pset, T_PORT_SET, 0);

	/* RECEIVE and PORT_SET: only 0 and -1. */
	assert_int_equal(fx_delta(a, port, MACH_PORT_RIGHT_RECEIVE, 0), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, port, MACH_PORT_RIGHT_RECEIVE, 1), KERN_INVALID_VALUE);
	assert_int_equal(fx_delta(a, port, MACH_PORT_RIGHT_RECEIVE, -2), KERN_INVALID_VALUE);
	assert_int_equal(fx_delta(a, pset, MACH_PORT_RIGHT_PORT_SET, 0), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, pset, MACH_PORT_RIGHT_PORT_SET, 1), KERN_INVALID_VALUE);
	assert_int_equal(fx_delta(a, pset, MACH_PORT_RIGHT_PORT_SET, -2), KERN_INVALID_VALUE);
	fx_assert_right(a, port, T_RECEIVE, 0);
	fx_assert_right(a, pset, T_PORT_SET, 0);

	/* SEND_ONCE: only 0 and -1; -1 destroys it (send-once notification). */
	so = fx_give(a, port, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	assert_int_equal(fx_delta(b, so, MACH_PORT_RIGHT_SEND_ONCE, 0), KERN_SUCCESS);
	assert_int_equal(fx_delta(b, so, MACH_PORT_RIGHT_SEND_ONCE, 1), KERN_INVALID_VALUE);
	assert_int_equal(fx_delta(b, so, MACH_PORT_RIGHT_SEND_ONCE, -2), KERN_INVALID_VALUE);
	fx_assert_right(b, so, T_SEND_ONCE, 1);
	assert_int_equal(fx_delta(b, so, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_SUCCESS);
	fx_assert_no_name(b, so);
	fx_expect_notification(fx_port(a, port), MACH_NOTIFY_SEND_ONCE);

	/* Appendix A: a DEAD_NAME delta on a live send right. */
	sb = fx_give(a, port, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_delta(b, sb, MACH_PORT_RIGHT_DEAD_NAME, -1), KERN_INVALID_RIGHT);
	assert_int_equal(fx_delta(b, sb, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_INVALID_RIGHT);
	fx_assert_right(b, sb, T_SEND, 1);
	assert_int_equal(fx_delta(b, sb, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	fx_assert_no_name(b, sb);

	/* The end of T6: both names go, with their objects. */
	assert_int_equal(fx_delta(a, pset, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, port, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_assert_no_name(a, pset);
	fx_assert_no_name(a, port);
	assert_int_equal(kalloc_live(KA_PSET), psets);
	assert_int_equal(kalloc_live(KA_PORT), ports - 1);
}

/* Appendix A, mach_port_deallocate. */
static void
test_deallocate_rules(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), sb, so, ps, dn;
	ipc_port_t p = fx_port(a, r);
	uint64_t psets = kalloc_live(KA_PSET);

	/* Receive-only: not a user reference. */
	assert_int_equal(fx_dealloc(a, r), KERN_INVALID_RIGHT);
	fx_assert_right(a, r, T_RECEIVE, 0);

	/* Send: one uref at a time; the last one frees the name. */
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	fx_assert_counts(p, 1, 0, 2);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	fx_assert_right(b, sb, T_SEND, 1);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	fx_assert_no_name(b, sb);
	fx_assert_counts(p, 0, 0, 2);

	/* SEND|RECEIVE: the send uref goes, the receive right stays. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_dealloc(a, r), KERN_SUCCESS);
	fx_assert_right(a, r, T_RECEIVE, 0);
	fx_assert_counts(p, 0, 0, 3);

	/* Send-once: destroyed, MACH_NOTIFY_SEND_ONCE to its port. */
	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	fx_assert_counts(p, 0, 1, 3);
	assert_int_equal(fx_dealloc(b, so), KERN_SUCCESS);
	fx_assert_no_name(b, so);
	assert_int_equal(fx_qlen(p), 1);
	fx_expect_notification(p, MACH_NOTIFY_SEND_ONCE);
	fx_assert_counts(p, 0, 0, 3);

	/* Port set: destroyed; its member stays alive and leaves the set. */
	ps = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	assert_int_equal(ipc_pset_add((ipc_pset_t)fx_entry(a, ps)->ie_object, p), KERN_SUCCESS);
	assert_non_null(p->ip_links);
	assert_int_equal(fx_dealloc(a, ps), KERN_SUCCESS);
	fx_assert_no_name(a, ps);
	assert_null(p->ip_links);
	assert_int_equal(kalloc_live(KA_PSET), psets);
	fx_assert_right(a, r, T_RECEIVE, 0);

	/* Dead name: one uref at a time. */
	dn = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	assert_int_equal(fx_dealloc(a, dn), KERN_SUCCESS);
	fx_assert_right(a, dn, T_DEAD_NAME, 1);
	assert_int_equal(fx_dealloc(a, dn), KERN_SUCCESS);
	fx_assert_no_name(a, dn);
}

/* Appendix A, mach_port_destroy: every right under the name goes. */
static void
test_destroy_rules(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), g, sb = MACH_PORT_NULL, so, ps, dn;
	ipc_port_t p = fx_port(a, r);
	uint64_t ports = kalloc_live(KA_PORT);
	int i;

	/* Send with 5 urefs: the name goes at once; one srights less. */
	for (i = 0; i < 5; i++)
		sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	fx_assert_right(b, sb, T_SEND, 5);
	assert_int_equal(fx_destroy(b, sb), KERN_SUCCESS);
	fx_assert_no_name(b, sb);
	fx_assert_counts(p, 0, 0, 5);

	/* Send-once: MACH_NOTIFY_SEND_ONCE. */
	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	assert_int_equal(fx_destroy(b, so), KERN_SUCCESS);
	fx_assert_no_name(b, so);
	fx_expect_notification(p, MACH_NOTIFY_SEND_ONCE);

	/* Dead name with 3 urefs. */
	dn = fx_allocate(fx->task[1], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(fx_delta(b, dn, MACH_PORT_RIGHT_DEAD_NAME, 2), KERN_SUCCESS);
	assert_int_equal(fx_destroy(b, dn), KERN_SUCCESS);
	fx_assert_no_name(b, dn);

	/* Port set: gone, members stay. */
	ps = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	assert_int_equal(ipc_pset_add((ipc_pset_t)fx_entry(a, ps)->ie_object, p), KERN_SUCCESS);
	assert_int_equal(fx_destroy(a, ps), KERN_SUCCESS);
	fx_assert_no_name(a, ps);
	assert_null(p->ip_links);

	/* Guarded receive right: refused, nothing changes. */
	g = fx_alloc_receive(a);
	guard(fx->task[0], g, 0x42424242);
	assert_int_equal(fx_destroy(a, g), KERN_INVALID_RIGHT);
	fx_assert_right(a, g, T_RECEIVE, 0);

	/* SEND|RECEIVE: the whole name goes (no dead name left behind), the
	 * port dies, B's send right turns into a dead name. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_destroy(a, r), KERN_SUCCESS);
	fx_assert_no_name(a, r);
	assert_false(ip_active(p));
	fx_assert_right(b, sb, T_DEAD_NAME, 1);
	assert_int_equal(kalloc_live(KA_PORT), ports);    /* g replaced r */
	assert_int_equal(fx_destroy(b, sb), KERN_SUCCESS);
	fx_assert_no_name(b, sb);
}

static void
destruct_routine_expect(struct task *task, mach_port_name_t name, mach_port_delta_t srdelta,
    kern_return_t expect)
{
	uint32_t args[4] = { name, (uint32_t)srdelta, 0, 0 };
	struct mig_reply rep;

	assert_int_equal(fx_mig(task, 3232, NULL, args, 4, &rep), expect);
}

/* Appendix A, mach_port_destruct. */
static void
test_destruct_rules(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), g, r2, sb;
	ipc_port_t p = fx_port(a, r);

	/* Needs RECEIVE. */
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(destruct(b, sb, 0, 0), KERN_INVALID_RIGHT);
	fx_assert_right(b, sb, T_SEND, 1);
	/* A non-zero srdelta needs SEND under the name. */
	assert_int_equal(destruct(a, r, -1, 0), KERN_INVALID_RIGHT);
	fx_assert_right(a, r, T_RECEIVE, 0);
	/* XNU's ipc_right_destruct checks the rights before srdelta > 0:
	 * a receive-only name with srdelta 1 is KERN_INVALID_RIGHT. */
	destruct_routine_expect(fx->task[0], r, 1, KERN_INVALID_RIGHT);
	fx_assert_right(a, r, T_RECEIVE, 0);

	/* Guard mismatch: KERN_INVALID_ARGUMENT, nothing changes. */
	g = fx_alloc_receive(a);
	guard(fx->task[0], g, 0x42424242);
	assert_int_equal(destruct(a, g, 0, 0x42424243), KERN_INVALID_ARGUMENT);
	assert_int_equal(destruct(a, g, 0, 0), KERN_INVALID_ARGUMENT);
	fx_assert_right(a, g, T_RECEIVE, 0);
	assert_int_equal(destruct(a, g, 0, 0x42424242), KERN_SUCCESS);
	fx_assert_no_name(a, g);

	/* SEND|RECEIVE, urefs 3: too large a decrement changes nothing. */
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(destruct(a, r, -4, 0), KERN_INVALID_VALUE);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 3);
	assert_true(ip_active(p));
	/* -2: the receive right dies, the remaining send uref is a dead name. */
	assert_int_equal(destruct(a, r, -2, 0), KERN_SUCCESS);
	fx_assert_right(a, r, T_DEAD_NAME, 1);
	fx_assert_right(b, sb, T_DEAD_NAME, 1);
	assert_int_equal(fx_dealloc(a, r), KERN_SUCCESS);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);

	/* srdelta = -urefs: nothing is left under the name. */
	r2 = fx_alloc_receive(a);
	assert_int_equal(fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, a), r2);
	assert_int_equal(fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, a), r2);
	assert_int_equal(destruct(a, r2, -2, 0), KERN_SUCCESS);
	fx_assert_no_name(a, r2);
}

/* Spec 5.4: a port's death converts other spaces' entries only when they
 * are next looked at; urefs are kept, +1 with a dead-name request, whose
 * notification (id 72) carries the requester's name at death. */
static void
test_lazy_dead_name_conversion(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), r2, n, sb, so, sb2, so2;
	ipc_port_t p = fx_port(a, r), np, prev = IP_NULL;
	uint64_t ports;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	ports = kalloc_live(KA_PORT);

	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_assert_no_name(a, r);
	assert_false(ip_active(p));
	/* Not converted yet: the entries still hold the port. */
	assert_int_equal(ie_bits_type(fx_entry(b, sb)->ie_bits), T_SEND);
	assert_int_equal(ie_bits_type(fx_entry(b, so)->ie_bits), T_SEND_ONCE);
	assert_int_equal(kalloc_live(KA_PORT), ports);
	/* The next look converts. */
	fx_assert_right(b, sb, T_DEAD_NAME, 3);
	assert_null(fx_entry(b, sb)->ie_object);
	fx_assert_right(b, so, T_DEAD_NAME, 1);
	assert_int_equal(kalloc_live(KA_PORT), ports - 1);    /* last reference gone */

	/* With dead-name requests on a send and a send-once name. */
	r2 = fx_alloc_receive(a);
	n = fx_alloc_receive(b);
	np = fx_port(b, n);
	sb2 = fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, b), sb2);
	so2 = fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	assert_int_equal(ipc_right_request_alloc(b, sb2, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	assert_null(prev);
	assert_int_equal(ipc_right_request_alloc(b, so2, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	assert_null(prev);
	fx_assert_right(b, sb2, T_SEND | T_DNREQUEST, 2);
	fx_assert_right(b, so2, T_SEND_ONCE | T_DNREQUEST, 1);
	assert_int_equal(np->ip_sorights, 2);

	assert_int_equal(fx_delta(a, r2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	/* The notifications go out at death, before any lookup. */
	assert_int_equal(fx_qlen(np), 2);
	{
		uint32_t n1 = fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME);
		uint32_t n2 = fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME);
		assert_true((n1 == sb2 && n2 == so2) || (n1 == so2 && n2 == sb2));
	}
	assert_int_equal(np->ip_sorights, 0);
	fx_assert_right(b, sb2, T_DEAD_NAME, 3);
	fx_assert_right(b, so2, T_DEAD_NAME, 2);
}

/* Spec 5.4 / Appendix A mod_refs: destroying the receive right of a
 * SEND|RECEIVE name without a port-destroyed request turns the name into
 * a dead name at once, with the send urefs, +1 if the name had a
 * dead-name request (whose notification fires with the port's death). */
static void
test_receive_destroyed_under_send_name(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a), r2 = fx_alloc_receive(a), n;
	ipc_port_t np, prev = IP_NULL;

	n = fx_alloc_receive(a);
	np = fx_port(a, n);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(fx_entry(a, r)->ie_bits & (IE_BITS_TYPE_MASK | IE_BITS_UREFS_MASK),
	    T_DEAD_NAME | 2);
	assert_null(fx_entry(a, r)->ie_object);

	assert_int_equal(fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, a), r2);
	assert_int_equal(ipc_right_request_alloc(a, r2, false, false, soright(a, n), &prev),
	    KERN_SUCCESS);
	fx_assert_right(a, r2, T_SEND | T_RECEIVE | T_DNREQUEST, 1);
	assert_int_equal(fx_delta(a, r2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(fx_entry(a, r2)->ie_bits & (IE_BITS_TYPE_MASK | IE_BITS_UREFS_MASK),
	    T_DEAD_NAME | 2);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME), r2);
	assert_int_equal(fx_qlen(np), 0);
}

/* Spec 3.4 / 4.3: copyin of each disposition and what it leaves behind. */
static void
test_copyin_dispositions(void **state)
{
	static const mach_msg_type_name_t bad[] = { 0, 1, 15, 22, 24, 25, 26, 255 };
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), sb, so, ps;
	ipc_port_t p = fx_port(a, r), got;
	size_t i;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	fx_assert_counts(p, 1, 1, 2);

	/* MAKE_SEND: mscount+1, srights+1, entry unchanged. */
	got = fx_copyin(a, r, MACH_MSG_TYPE_MAKE_SEND);
	assert_ptr_equal(got, p);
	fx_assert_right(a, r, T_RECEIVE, 0);
	fx_assert_counts(p, 2, 1, 3);
	ipc_object_destroy(got, MACH_MSG_TYPE_PORT_SEND);
	/* MAKE_SEND_ONCE: sorights+1. */
	got = fx_copyin(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	fx_assert_counts(p, 1, 2, 3);
	ipc_port_release_sonce(got);            /* used, as a receiver would */
	/* COPY_SEND: urefs unchanged, srights+1. */
	got = fx_copyin(b, sb, MACH_MSG_TYPE_COPY_SEND);
	fx_assert_right(b, sb, T_SEND, 2);
	fx_assert_counts(p, 2, 1, 3);
	ipc_object_destroy(got, MACH_MSG_TYPE_PORT_SEND);
	/* MOVE_SEND with 2 urefs: one moves, the entry keeps one. */
	got = fx_copyin(b, sb, MACH_MSG_TYPE_MOVE_SEND);
	fx_assert_right(b, sb, T_SEND, 1);
	fx_assert_counts(p, 2, 1, 3);
	ipc_object_destroy(got, MACH_MSG_TYPE_PORT_SEND);
	fx_assert_counts(p, 1, 1, 3);
	/* MOVE_SEND of the last uref: the name goes, the right travels. */
	got = fx_copyin(b, sb, MACH_MSG_TYPE_MOVE_SEND);
	fx_assert_no_name(b, sb);
	fx_assert_counts(p, 1, 1, 3);
	sb = fx_copyout(b, got, MACH_MSG_TYPE_PORT_SEND);
	/* MOVE_SEND_ONCE: the name goes, the right travels. */
	got = fx_copyin(b, so, MACH_MSG_TYPE_MOVE_SEND_ONCE);
	fx_assert_no_name(b, so);
	fx_assert_counts(p, 1, 1, 3);
	so = fx_copyout(b, got, MACH_MSG_TYPE_PORT_SEND_ONCE);

	/* Wrong right for the disposition, or no disposition at all:
	 * KERN_INVALID_RIGHT, nothing changes. */
	ps = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(copyin_flags(a, r, bad[i], 0, &got), KERN_INVALID_RIGHT);
		assert_int_equal(copyin_flags(b, sb, bad[i], 0, &got), KERN_INVALID_RIGHT);
	}
	assert_int_equal(copyin_flags(a, r, MACH_MSG_TYPE_COPY_SEND, 0, &got), KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(a, r, MACH_MSG_TYPE_MOVE_SEND, 0, &got), KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(a, r, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, &got),
	    KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MAKE_SEND, 0, &got), KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, &got),
	    KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MOVE_RECEIVE, 0, &got),
	    KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, &got),
	    KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, so, MACH_MSG_TYPE_COPY_SEND, 0, &got), KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, so, MACH_MSG_TYPE_MOVE_SEND, 0, &got), KERN_INVALID_RIGHT);
	for (i = MACH_MSG_TYPE_MOVE_RECEIVE; i <= MACH_MSG_TYPE_MAKE_SEND_ONCE; i++)
		assert_int_equal(copyin_flags(a, ps, (mach_msg_type_name_t)i, 0, &got),
		    KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(a, fx_stale_name(r), MACH_MSG_TYPE_MAKE_SEND, 0, &got),
	    KERN_INVALID_NAME);
	fx_assert_right(a, r, T_RECEIVE, 0);
	fx_assert_right(b, sb, T_SEND, 1);
	fx_assert_right(b, so, T_SEND_ONCE, 1);
	fx_assert_right(a, ps, T_PORT_SET, 0);
	fx_assert_counts(p, 1, 1, 3);

	/* Spec 4.3: an immovable receive right cannot be moved. */
	p->ip_immovable_receive = 1;      /* as MPO_IMMOVABLE_RECEIVE leaves it */
	assert_int_equal(copyin_flags(a, r, MACH_MSG_TYPE_MOVE_RECEIVE, 0, &got),
	    KERN_INVALID_RIGHT);
	fx_assert_right(a, r, T_RECEIVE, 0);
	p->ip_immovable_receive = 0;
}

/* Spec 5.6: MOVE_RECEIVE resets mscount, seqno, context, leaves the sets,
 * keeps queued messages and srights; the sender keeps a SEND name; the
 * right lands on the receiver's existing SEND name (5.2). */
static void
test_copyin_move_receive(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), r2, sb, ps, n, got_name;
	ipc_port_t p = fx_port(a, r), p2, got, prev = IP_NULL;
	ipc_kmsg_t kmsg;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	ps = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	assert_int_equal(ipc_pset_add((ipc_pset_t)fx_entry(a, ps)->ie_object, p), KERN_SUCCESS);
	kmsg = ipc_kmsg_kernel_alloc(ipc_port_make_sonce(p), MACH_MSG_TYPE_PORT_SEND_ONCE,
	    1234, NULL, 0);
	ipc_mqueue_send_always(kmsg);
	p->ip_messages.imq_seqno = 7;
	p->ip_messages.imq_qlimit = 3;
	p->ip_context = 0x42;
	n = fx_alloc_receive(b);
	assert_int_equal(fx_request_notification(fx->task[0], r, MACH_NOTIFY_NO_SENDERS, 9,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_request_notification(fx->task[0], r, MACH_NOTIFY_PORT_DESTROYED, 0,
	    soright(b, n), &prev), KERN_SUCCESS);
	fx_assert_counts(p, 1, 1, 1);

	got = fx_copyin(a, r, MACH_MSG_TYPE_MOVE_RECEIVE);
	assert_ptr_equal(got, p);
	fx_assert_no_name(a, r);                 /* receive-only: the name goes */
	assert_null(p->ip_receiver);
	assert_int_equal(p->ip_mscount, 0);
	assert_int_equal(p->ip_messages.imq_seqno, 0);
	assert_int_equal(p->ip_context, 0);
	assert_null(p->ip_links);
	assert_int_equal(fx_qlen(p), 1);
	fx_assert_counts(p, 1, 1, 0);
	/* Kept across the move: qlimit, the queue, both requests. */
	assert_int_equal(p->ip_messages.imq_qlimit, 3);
	assert_ptr_equal(ip_nsrequest(p), fx_port(b, n));
	assert_ptr_equal(ip_pdrequest(p), fx_port(b, n));

	got_name = fx_copyout(b, got, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(got_name, sb);
	fx_assert_right(b, sb, T_SEND | T_RECEIVE, 1);
	assert_ptr_equal(p->ip_receiver, b);
	assert_int_equal(p->ip_receiver_name, sb);
	assert_int_equal(fx_qlen(p), 1);
	fx_consume(fx_dequeue(p));

	/* From SEND|RECEIVE: the sender keeps the SEND name. */
	r2 = fx_alloc_receive(a);
	p2 = fx_port(a, r2);
	assert_int_equal(fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, a), r2);
	got = fx_copyin(a, r2, MACH_MSG_TYPE_MOVE_RECEIVE);
	fx_assert_right(a, r2, T_SEND, 1);
	got_name = fx_copyout(b, got, MACH_MSG_TYPE_PORT_RECEIVE);
	fx_assert_right(b, got_name, T_RECEIVE, 0);
	assert_ptr_equal(p2->ip_receiver, b);
	fx_assert_counts(p2, 1, 0, 0);
}

/* Spec 3.4, 3.6, 4.3: a send right whose port died, and dead names. */
static void
test_copyin_dead_port(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), n, sb, so1, so2;
	ipc_port_t p = fx_port(a, r), np, got, prev = IP_NULL;

	n = fx_alloc_receive(b);
	np = fx_port(b, n);
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	so1 = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	so2 = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	assert_int_equal(ipc_right_request_alloc(b, so2, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	ipc_port_reference(p);                    /* to look at it after death */
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME), so2);

	/* COPY_SEND without DEADOK: KERN_INVALID_CAPABILITY, and the entry
	 * is a dead name from now on. */
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_COPY_SEND, 0, &got),
	    KERN_INVALID_CAPABILITY);
	assert_int_equal(ie_bits_type(fx_entry(b, sb)->ie_bits), T_DEAD_NAME);
	assert_int_equal(ie_bits_urefs(fx_entry(b, sb)->ie_bits), 2);
	/* With DEADOK: MACH_PORT_DEAD; COPY takes nothing, MOVE one uref. */
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_COPY_SEND, IPC_COPYIN_DEADOK, &got),
	    KERN_SUCCESS);
	assert_ptr_equal(got, IP_DEAD);
	fx_assert_right(b, sb, T_DEAD_NAME, 2);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MOVE_SEND, IPC_COPYIN_DEADOK, &got),
	    KERN_SUCCESS);
	assert_ptr_equal(got, IP_DEAD);
	fx_assert_right(b, sb, T_DEAD_NAME, 1);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MAKE_SEND, IPC_COPYIN_DEADOK, &got),
	    KERN_INVALID_RIGHT);
	assert_int_equal(copyin_flags(b, sb, MACH_MSG_TYPE_MOVE_SEND, IPC_COPYIN_DEADOK, &got),
	    KERN_SUCCESS);
	fx_assert_no_name(b, sb);

	/* Destination MOVE_SEND_ONCE whose port died without a dead-name
	 * request: accepted, the right travels (to be thrown away). */
	assert_int_equal(copyin_flags(b, so1, MACH_MSG_TYPE_MOVE_SEND_ONCE,
	    IPC_COPYIN_ALLOW_DEAD_SONCE, &got), KERN_SUCCESS);
	assert_ptr_equal(got, p);
	fx_assert_no_name(b, so1);
	ipc_object_destroy(got, MACH_MSG_TYPE_PORT_SEND_ONCE);   /* no notification */
	/* With a request: refused, converted (+1 uref for the request). */
	assert_int_equal(copyin_flags(b, so2, MACH_MSG_TYPE_MOVE_SEND_ONCE,
	    IPC_COPYIN_ALLOW_DEAD_SONCE, &got), KERN_INVALID_CAPABILITY);
	assert_int_equal(ie_bits_type(fx_entry(b, so2)->ie_bits), T_DEAD_NAME);
	fx_assert_right(b, so2, T_DEAD_NAME, 2);
	/* MOVE_SEND_ONCE of a dead name with DEADOK: one uref, DEAD. */
	assert_int_equal(copyin_flags(b, so2, MACH_MSG_TYPE_MOVE_SEND_ONCE, IPC_COPYIN_DEADOK, &got),
	    KERN_SUCCESS);
	assert_ptr_equal(got, IP_DEAD);
	fx_assert_right(b, so2, T_DEAD_NAME, 1);
	assert_int_equal(fx_qlen(np), 0);
	fx_assert_counts(p, 0, 0, 0);
	ipc_port_release(p);
}

/* Spec 5.2: send rights coalesce on the existing SEND/RECEIVE name,
 * send-once rights always get a fresh name; NULL, DEAD and dead ports
 * copy out as MACH_PORT_NULL / MACH_PORT_DEAD. */
static void
test_copyout_coalescing(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), r3, so1, so2, name;
	ipc_port_t p = fx_port(a, r), p3, s;
	uint64_t ports;

	assert_int_equal(fx_copyout(a, ipc_port_make_send(p), MACH_MSG_TYPE_PORT_SEND), r);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 1);
	fx_assert_counts(p, 1, 0, 1);
	assert_int_equal(fx_copyout(a, ipc_port_make_send(p), MACH_MSG_TYPE_PORT_SEND), r);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 2);
	fx_assert_counts(p, 1, 0, 2);          /* merged: still one per entry */

	so1 = fx_copyout(a, ipc_port_make_sonce(p), MACH_MSG_TYPE_PORT_SEND_ONCE);
	so2 = fx_copyout(a, ipc_port_make_sonce(p), MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_not_equal(so1, r);
	assert_int_not_equal(so2, r);
	assert_int_not_equal(so1, so2);
	fx_assert_right(a, so1, T_SEND_ONCE, 1);
	fx_assert_right(a, so2, T_SEND_ONCE, 1);
	fx_assert_counts(p, 1, 2, 2);

	/* A send right for a port the space holds only send-once rights to
	 * gets its own name. */
	name = fx_copyout(b, ipc_port_make_sonce(p), MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_not_equal(fx_copyout(b, ipc_port_make_send(p), MACH_MSG_TYPE_PORT_SEND), name);
	fx_assert_right(b, name, T_SEND_ONCE, 1);
	assert_int_equal(fx_destroy(b, name), KERN_SUCCESS);
	fx_expect_notification(p, MACH_NOTIFY_SEND_ONCE);
	name = fx_copyout(b, ipc_port_make_send(p), MACH_MSG_TYPE_PORT_SEND);
	fx_assert_right(b, name, T_SEND, 2);
	assert_int_equal(fx_destroy(b, name), KERN_SUCCESS);
	fx_assert_counts(p, 1, 2, 4);

	/* NULL and DEAD pass through. */
	assert_int_equal(fx_copyout(b, IP_NULL, MACH_MSG_TYPE_PORT_SEND), MACH_PORT_NULL);
	assert_int_equal(fx_copyout(b, IP_DEAD, MACH_MSG_TYPE_PORT_SEND), MACH_PORT_DEAD);
	assert_int_equal(fx_copyout(b, IP_DEAD, MACH_MSG_TYPE_PORT_SEND_ONCE), MACH_PORT_DEAD);
	assert_int_equal(b->is_inuse, 1);

	/* A right to a dead port arrives as MACH_PORT_DEAD, released. */
	r3 = fx_alloc_receive(a);
	p3 = fx_port(a, r3);
	s = ipc_port_make_send(p3);
	assert_int_equal(fx_delta(a, r3, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	ports = kalloc_live(KA_PORT);
	assert_int_equal(fx_copyout(b, s, MACH_MSG_TYPE_PORT_SEND), MACH_PORT_DEAD);
	assert_int_equal(kalloc_live(KA_PORT), ports - 1);
	assert_int_equal(b->is_inuse, 1);

	/* Receive right onto an existing send name (T5 right_dedup). */
	name = fx_give(a, r, MACH_MSG_TYPE_COPY_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MOVE_RECEIVE, b), name);
	fx_assert_right(b, name, T_SEND | T_RECEIVE, 1);
	fx_assert_right(a, r, T_SEND, 2);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MOVE_SEND, b), name);
	fx_assert_right(b, name, T_SEND | T_RECEIVE, 2);
	fx_assert_counts(p, 2, 2, 0);
}

/* Spec 5.1: srights counts entries, not urefs. */
static void
test_srights_per_entry(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), sb;
	ipc_port_t p = fx_port(a, r);

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	fx_assert_right(b, sb, T_SEND, 3);
	fx_assert_counts(p, 1, 0, 3);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	fx_assert_counts(p, 2, 0, 4);
	assert_int_equal(fx_give(b, sb, MACH_MSG_TYPE_COPY_SEND, a), r);
	fx_assert_right(a, r, T_SEND | T_RECEIVE, 2);
	fx_assert_counts(p, 2, 0, 4);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	fx_assert_counts(p, 2, 0, 4);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	fx_assert_counts(p, 1, 0, 4);
}

/* Spec 5.7 / 5.8: no-senders fires when srights reaches 0, with mscount;
 * at registration only if sync <= mscount; the previous request comes
 * back; a port dying with the request armed sends a send-once
 * notification instead (5.5). */
static void
test_no_senders_notification(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	struct task *ta = fx->task[0];
	mach_port_name_t r = fx_alloc_receive(a), n = fx_alloc_receive(a), sb, r2;
	ipc_port_t p = fx_port(a, r), np = fx_port(a, n), prev = IP_NULL;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_NO_SENDERS, 0,
	    soright(a, n), &prev), KERN_SUCCESS);
	assert_null(prev);
	assert_ptr_equal(ip_nsrequest(p), np);
	assert_int_equal(fx_qlen(np), 0);

	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	assert_int_equal(fx_qlen(np), 0);
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_NO_SENDERS), 2);
	assert_null(ip_nsrequest(p));
	assert_int_equal(np->ip_sorights, 0);

	/* sync 3 > mscount 2: armed, not fired. */
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_NO_SENDERS, 3,
	    soright(a, n), &prev), KERN_SUCCESS);
	assert_null(prev);
	assert_int_equal(fx_qlen(np), 0);
	/* Re-arm with sync 2: the previous right comes back, and with no
	 * send right and 2 <= mscount the new one fires at once. */
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_NO_SENDERS, 2,
	    soright(a, n), &prev), KERN_SUCCESS);
	assert_ptr_equal(prev, np);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_NO_SENDERS), 2);
	ipc_object_destroy(prev, MACH_MSG_TYPE_PORT_SEND_ONCE);
	fx_expect_notification(np, MACH_NOTIFY_SEND_ONCE);

	/* A send right made and released by the receiver's own space. */
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_NO_SENDERS, 0,
	    soright(a, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_qlen(np), 1);               /* srights 0: at once */
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_NO_SENDERS), 2);
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_NO_SENDERS, 4,
	    soright(a, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, a), r);
	assert_int_equal(fx_dealloc(a, r), KERN_SUCCESS);
	assert_int_equal(fx_qlen(np), 0);
	assert_int_equal(fx_dealloc(a, r), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_NO_SENDERS), 4);

	/* Port death with the request armed: MACH_NOTIFY_SEND_ONCE. */
	r2 = fx_alloc_receive(a);
	sb = fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_request_notification(ta, r2, MACH_NOTIFY_NO_SENDERS, 0,
	    soright(a, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, r2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_expect_notification(np, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(fx_qlen(np), 0);
	fx_assert_right(b, sb, T_DEAD_NAME, 1);
}

/* Spec 5.5 step 1, 5.7, Appendix B: with a port-destroyed request the
 * receive right survives its destruction and travels, with its queue, in
 * a complex notification (id 69); the request is one-shot. */
static void
test_port_destroyed_request(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	struct task *ta = fx->task[0];
	mach_port_name_t r = fx_alloc_receive(a), n = fx_alloc_receive(b), sb, ps, got, r2;
	ipc_port_t p = fx_port(a, r), np = fx_port(b, n), prev = IP_NULL, p2;
	mach_msg_header_t hdr;
	uint8_t buf[128];
	uint32_t len = 0, count;
	ipc_kmsg_t kmsg;
	int i;

	for (i = 0; i < 2; i++)
		ipc_mqueue_send_always(ipc_kmsg_kernel_alloc(ipc_port_make_sonce(p),
		    MACH_MSG_TYPE_PORT_SEND_ONCE, 1000 + i, NULL, 0));
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b), sb);
	ps = fx_allocate(ta, MACH_PORT_RIGHT_PORT_SET);
	assert_int_equal(ipc_pset_add((ipc_pset_t)fx_entry(a, ps)->ie_object, p), KERN_SUCCESS);
	p->ip_messages.imq_seqno = 5;

	/* sync != 0 is refused (the right given is destroyed by the server). */
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_PORT_DESTROYED, 1,
	    soright(b, n), &prev), KERN_INVALID_VALUE);
	fx_expect_notification(np, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_PORT_DESTROYED, 0,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_null(prev);
	/* Already registered: KERN_FAILURE (current XNU). */
	assert_int_equal(fx_request_notification(ta, r, MACH_NOTIFY_PORT_DESTROYED, 0,
	    soright(b, n), &prev), KERN_FAILURE);
	fx_expect_notification(np, MACH_NOTIFY_SEND_ONCE);
	assert_ptr_equal(ip_pdrequest(p), np);

	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_assert_no_name(a, r);
	assert_true(ip_active(p));
	assert_null(ip_pdrequest(p));
	assert_null(p->ip_receiver);
	assert_null(p->ip_links);
	assert_int_equal(p->ip_mscount, 0);
	assert_int_equal(p->ip_messages.imq_seqno, 0);
	assert_int_equal(fx_qlen(p), 2);                  /* queue travels too */

	assert_int_equal(fx_qlen(np), 1);
	kmsg = fx_dequeue(np);
	assert_int_equal(kmsg->ikm_id, MACH_NOTIFY_PORT_DESTROYED);
	assert_true(kmsg->ikm_kernel);
	assert_int_equal(kmsg->ikm_bits, MACH_MSGH_BITS_COMPLEX |
	    MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	assert_int_equal(kmsg->ikm_dsc_count, 1);
	assert_int_equal(kmsg->ikm_dsc[0].disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_ptr_equal(kmsg->ikm_dsc[0].port, p);
	assert_int_equal(ipc_kmsg_user_size(kmsg), 40);

	/* Received by B: the receive right lands on B's SEND name. */
	assert_int_equal(ipc_kmsg_copyout(b, kmsg, 0, n, false, 0, buf, &len), MACH_MSG_SUCCESS);
	assert_int_equal(len, 40);
	memcpy(&hdr, buf, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, 0x80001200u);
	assert_int_equal(hdr.msgh_size, 40);
	assert_int_equal(hdr.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(hdr.msgh_local_port, n);
	assert_int_equal(hdr.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
	memcpy(&count, buf + 24, 4);
	assert_int_equal(count, 1);
	memcpy(&got, buf + 28, 4);
	assert_int_equal(buf[38], MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(buf[39], MACH_MSG_PORT_DESCRIPTOR);
	assert_int_equal(got, sb);
	fx_assert_right(b, sb, T_SEND | T_RECEIVE, 2);
	assert_ptr_equal(p->ip_receiver, b);
	assert_int_equal(fx_qlen(p), 2);
	fx_consume(fx_dequeue(p));
	fx_consume(fx_dequeue(p));

	/* Spec 5.4: a SEND|RECEIVE name keeps SEND when the receive right
	 * leaves for the notify port; the notification's destruction then
	 * kills the port and the name becomes dead. */
	r2 = fx_alloc_receive(a);
	p2 = fx_port(a, r2);
	assert_int_equal(fx_give(a, r2, MACH_MSG_TYPE_MAKE_SEND, a), r2);
	assert_int_equal(fx_request_notification(ta, r2, MACH_NOTIFY_PORT_DESTROYED, 0,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, r2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_assert_right(a, r2, T_SEND, 1);
	assert_true(ip_active(p2));
	fx_consume(fx_dequeue(np));
	fx_assert_right(a, r2, T_DEAD_NAME, 1);
}

/* Spec 4.5 applied to the kernel's own message: a port whose
 * port-destroyed notify right is a send-once right to itself would travel
 * into itself; the notification is destroyed and the port dies. */
static void
test_port_destroyed_into_itself(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), sb;
	ipc_port_t p = fx_port(a, r), prev = IP_NULL;
	uint64_t ports = kalloc_live(KA_PORT), kmsgs = kalloc_live(KA_KMSG);

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_request_notification(fx->task[0], r, MACH_NOTIFY_PORT_DESTROYED, 0,
	    soright(a, r), &prev), KERN_SUCCESS);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_assert_no_name(a, r);
	assert_false(ip_active(p));
	fx_assert_right(b, sb, T_DEAD_NAME, 1);
	assert_int_equal(kalloc_live(KA_PORT), ports - 1);
	assert_int_equal(kalloc_live(KA_KMSG), kmsgs);
}

/* Spec 5.7: dead-name request registration rules and MACH_NOTIFY_PORT_DELETED
 * when the right goes while the port lives (5.5 step 3 for receive-only). */
static void
test_dead_name_requests(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), n = fx_alloc_receive(b), sb, ps, dn, r2;
	ipc_port_t np = fx_port(b, n), prev = IP_NULL, s;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(ipc_right_request_alloc(b, sb, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	assert_null(prev);
	/* A second request replaces the first, which comes back. */
	assert_int_equal(ipc_right_request_alloc(b, sb, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	assert_ptr_equal(prev, np);
	ipc_object_destroy(prev, MACH_MSG_TYPE_PORT_SEND_ONCE);
	fx_expect_notification(np, MACH_NOTIFY_SEND_ONCE);
	fx_assert_right(b, sb, T_SEND | T_DNREQUEST, 1);

	/* Deallocating the last uref while the port lives: port-deleted. */
	assert_int_equal(fx_dealloc(b, sb), KERN_SUCCESS);
	fx_assert_no_name(b, sb);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_PORT_DELETED), sb);
	assert_int_equal(np->ip_sorights, 0);

	/* A NULL notify just cancels, returning the previous right. */
	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(ipc_right_request_alloc(b, sb, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	assert_int_equal(ipc_right_request_alloc(b, sb, false, false, IP_NULL, &prev), KERN_SUCCESS);
	assert_ptr_equal(prev, np);
	ipc_port_release_sonce(prev);
	fx_assert_right(b, sb, T_SEND, 1);

	/* Port sets are not port rights. */
	ps = fx_allocate(fx->task[1], MACH_PORT_RIGHT_PORT_SET);
	s = soright(b, n);
	assert_int_equal(ipc_right_request_alloc(b, ps, false, false, s, &prev), KERN_INVALID_RIGHT);
	/* An existing dead name: a DEAD_NAME request is refused; a
	 * send-possible request fires a dead-name notification at once and
	 * the name gains a uref. */
	dn = fx_allocate(fx->task[1], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(ipc_right_request_alloc(b, dn, false, false, s, &prev), KERN_INVALID_ARGUMENT);
	fx_assert_right(b, dn, T_DEAD_NAME, 1);
	assert_int_equal(ipc_right_request_alloc(b, dn, true, true, s, &prev), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME), dn);
	fx_assert_right(b, dn, T_DEAD_NAME, 2);

	/* On a receive-only name: destroying the receive right cancels the
	 * request with a port-deleted notification, not a dead-name one. */
	r2 = fx_alloc_receive(b);
	assert_int_equal(ipc_right_request_alloc(b, r2, false, false, soright(b, n), &prev),
	    KERN_SUCCESS);
	fx_assert_right(b, r2, T_RECEIVE | T_DNREQUEST, 0);
	assert_int_equal(fx_delta(b, r2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	fx_assert_no_name(b, r2);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_PORT_DELETED), r2);
	assert_int_equal(fx_qlen(np), 0);

	/* Many requests on one port (ten send-once names): each gets its
	 * dead-name notification with its own name when the port dies. */
	{
		mach_port_name_t r3 = fx_alloc_receive(a), so[10];
		bool seen[10] = { false };
		uint32_t i, j, got;

		for (i = 0; i < 10; i++) {
			so[i] = fx_give(a, r3, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
			assert_int_equal(ipc_right_request_alloc(b, so[i], false, false, soright(b, n), &prev),
			    KERN_SUCCESS);
		}
		assert_int_equal(fx_delta(a, r3, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
		assert_int_equal(fx_qlen(np), 10);
		for (i = 0; i < 10; i++) {
			got = fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME);
			for (j = 0; j < 10 && so[j] != got; j++)
				;
			assert_true(j < 10 && !seen[j]);
			seen[j] = true;
		}
		for (i = 0; i < 10; i++)
			fx_assert_right(b, so[i], T_DEAD_NAME, 2);
	}
}

/* Spec 5.7, send-possible (66).  Optional for a re-implementation (spec
 * 10), but machd implements it, so its rules apply: with sync 0 the
 * request is only registered (armed later by a MACH_SEND_NOTIFY send); if
 * the port dies first a dead-name notification goes instead. */
static void
test_send_possible_sync0_not_armed(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), n = fx_alloc_receive(b), sb;
	ipc_port_t np = fx_port(b, n), prev = IP_NULL;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	assert_int_equal(fx_request_notification(fx->task[1], sb, MACH_NOTIFY_SEND_POSSIBLE, 0,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_null(prev);
	assert_int_equal(fx_qlen(np), 0);
	assert_int_equal(fx_delta(a, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME), sb);
	fx_assert_right(b, sb, T_DEAD_NAME, 2);
}

/* Spec 5.7: armed at registration (sync != 0): at once if the queue has
 * room, or for a send-once name even when it is full; otherwise when
 * the receiver next dequeues from the port. */
static void
test_send_possible_armed(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), n = fx_alloc_receive(b), sb, so;
	ipc_port_t p = fx_port(a, r), np = fx_port(b, n), prev = IP_NULL;
	struct thread th;

	sb = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND, b);
	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	/* Room in the queue: fires at once. */
	assert_int_equal(fx_request_notification(fx->task[1], sb, MACH_NOTIFY_SEND_POSSIBLE, 1,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_SEND_POSSIBLE), sb);
	fx_assert_right(b, sb, T_SEND, 1);

	/* Full queue. */
	p->ip_messages.imq_qlimit = 1;
	ipc_mqueue_send_always(ipc_kmsg_kernel_alloc(ipc_port_make_send(p),
	    MACH_MSG_TYPE_PORT_SEND, 1000, NULL, 0));
	/* A send-once name does not wait for room. */
	assert_int_equal(fx_request_notification(fx->task[1], so, MACH_NOTIFY_SEND_POSSIBLE, 1,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_qlen(np), 1);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_SEND_POSSIBLE), so);
	/* A send name waits for the next receive. */
	assert_int_equal(fx_request_notification(fx->task[1], sb, MACH_NOTIFY_SEND_POSSIBLE, 1,
	    soright(b, n), &prev), KERN_SUCCESS);
	assert_int_equal(fx_qlen(np), 0);
	memset(&th, 0, sizeof(th));
	th.th_option = MACH_RCV_MSG | MACH_RCV_TIMEOUT;
	th.th_rcv_size = 1024;
	assert_int_equal(ipc_mqueue_receive(&th, &p->ip_object, 0, NULL), MACH_MSG_SUCCESS);
	assert_non_null(th.th_rcv_kmsg);
	fx_consume(th.th_rcv_kmsg);
	assert_int_equal(fx_qlen(np), 1);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_SEND_POSSIBLE), sb);
}

/* Spec 8.2 T7 at the layer insert_right uses: caller-chosen names. */
static void
test_insert_right_naming_t7(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t p = fx_alloc_receive(a), q, s, dn;
	mach_port_name_t fresh = ((a->is_table_size + 5) << 8) | 0x07;   /* past the table */
	ipc_port_t pp = fx_port(a, p), right;

	fx_assert_right(a, p, T_RECEIVE, 0);
	right = fx_copyin(a, p, MACH_MSG_TYPE_MAKE_SEND);
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND, p),
	    KERN_SUCCESS);
	fx_assert_right(a, p, T_SEND | T_RECEIVE, 1);
	fx_assert_counts(pp, 1, 0, 1);

	/* On failure the right is still the caller's. */
	right = fx_copyin(a, p, MACH_MSG_TYPE_MAKE_SEND);
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND, 0x7b),
	    KERN_FAILURE);
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND, 0x7a),
	    KERN_INVALID_VALUE);
	fx_assert_counts(pp, 2, 0, 2);
	ipc_object_destroy(right, MACH_MSG_TYPE_PORT_SEND);
	fx_assert_right(a, p, T_SEND | T_RECEIVE, 1);

	/* q already has a name in this space. */
	q = fx_alloc_receive(a);
	right = fx_copyin(a, q, MACH_MSG_TYPE_MAKE_SEND);
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND, p),
	    KERN_RIGHT_EXISTS);
	fx_assert_right(a, q, T_RECEIVE, 0);
	fx_assert_right(a, p, T_SEND | T_RECEIVE, 1);
	ipc_object_destroy(right, MACH_MSG_TYPE_PORT_SEND);

	/* A port set name cannot make a send right. */
	s = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	assert_int_equal(ipc_object_copyin(a, s, MACH_MSG_TYPE_MAKE_SEND, 0, &right),
	    KERN_INVALID_RIGHT);

	/* A name used by another right: KERN_NAME_EXISTS; a free one works. */
	dn = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	right = fx_copyin(a, q, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND_ONCE, dn),
	    KERN_NAME_EXISTS);
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND_ONCE,
	    dn + 4), KERN_FAILURE);                         /* same slot, other gen */
	assert_int_equal(ipc_object_copyout_name(a, right, MACH_MSG_TYPE_PORT_SEND_ONCE, fresh),
	    KERN_SUCCESS);
	fx_assert_right(a, fresh, T_SEND_ONCE, 1);
}

/* Robustness: copyout into a space that must grow its table and its hash
 * fails cleanly at each allocation (KERN_RESOURCE_SHORTAGE, the right
 * still the caller's, the space unchanged), then succeeds. */
static void
test_fault_copyout(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), name;
	ipc_port_t p = fx_port(a, r), s;
	uint32_t i, inuse, hashed, n;
	kern_return_t kr;

	/* B: 48 hashed names (its task port + 47 send rights), then dead
	 * names up to the end of a 64-slot table. */
	for (i = 0; i < 47; i++)
		(void)fx_give(a, fx_alloc_receive(a), MACH_MSG_TYPE_MAKE_SEND, b);
	while (b->is_free_head != 0)
		(void)fx_allocate(fx->task[1], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(b->is_hash_count, 48);
	assert_int_equal(b->is_table_size, 64);
	inuse = b->is_inuse;
	hashed = b->is_hash_count;

	for (n = 1;; n++) {
		s = ipc_port_make_send(p);
		kalloc_fault_config(n, 0);
		kr = ipc_object_copyout(b, s, MACH_MSG_TYPE_PORT_SEND, &name);
		kalloc_fault_config(0, 0);
		if (kr == KERN_SUCCESS)
			break;
		assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
		assert_int_equal(b->is_inuse, inuse);
		assert_int_equal(b->is_hash_count, hashed);
		assert_null(ipc_hash_lookup(b, &p->ip_object));
		fx_assert_counts(p, 1, 0, n);
		ipc_port_release_send(s);
		assert_true(n < 10);
	}
	assert_int_equal(n, 3);                     /* table, then hash */
	fx_assert_right(b, name, T_SEND, 1);
	assert_ptr_equal(ipc_hash_lookup(b, &p->ip_object), fx_entry(b, name));
	fx_assert_counts(p, 1, 0, 3);
}

/* Robustness: a notification that cannot be allocated is dropped, its
 * send-once right released; counters stay exact. */
static void
test_fault_notification(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t r = fx_alloc_receive(a), so;
	ipc_port_t p = fx_port(a, r);
	uint64_t kmsgs = kalloc_live(KA_KMSG);
	kern_return_t kr;

	so = fx_give(a, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	kalloc_fault_config(1, 0);
	kr = fx_dealloc(b, so);
	kalloc_fault_config(0, 0);
	assert_int_equal(kr, KERN_SUCCESS);
	fx_assert_no_name(b, so);
	fx_assert_counts(p, 0, 0, 0);
	assert_int_equal(kalloc_live(KA_KMSG), kmsgs + fx_qlen(p));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_get_refs_rows),
		FX_TEST(test_urefs_peg_at_max),
		FX_TEST(test_mod_refs_matrix_t6),
		FX_TEST(test_deallocate_rules),
		FX_TEST(test_destroy_rules),
		FX_TEST(test_destruct_rules),
		FX_TEST(test_lazy_dead_name_conversion),
		FX_TEST(test_receive_destroyed_under_send_name),
		FX_TEST(test_copyin_dispositions),
		FX_TEST(test_copyin_move_receive),
		FX_TEST(test_copyin_dead_port),
		FX_TEST(test_copyout_coalescing),
		FX_TEST(test_srights_per_entry),
		FX_TEST(test_no_senders_notification),
		FX_TEST(test_port_destroyed_request),
		FX_TEST(test_port_destroyed_into_itself),
		FX_TEST(test_dead_name_requests),
		FX_TEST(test_send_possible_sync0_not_armed),
		FX_TEST(test_send_possible_armed),
		FX_TEST(test_insert_right_naming_t7),
		FX_TEST(test_fault_copyout),
		FX_TEST(test_fault_notification),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
