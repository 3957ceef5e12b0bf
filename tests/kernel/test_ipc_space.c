/*
 * test_ipc_space.c -- src/kernel/ipc_space.c: name shape and generations,
 * caller-chosen names, table limits, the reverse (object -> name) hash and
 * the random order of fresh slots (spec 5.2).
 *
 * Most tests use a bare space (ipc_space_create with no task): the space
 * layer does not need one.  An entry the test claims is marked as a dead
 * name with one uref, as mach_port_allocate(DEAD_NAME) does, so that
 * lookups see it and space teardown can walk it.
 */
#include "kernel_fixture.h"

#define NAME(index, gen)  (((uint32_t)(index) << 8) | (uint32_t)(gen))

static struct ipc_space *
bare_space(void)
{
	struct ipc_space *space = NULL;

	assert_int_equal(ipc_space_create(NULL, &space), KERN_SUCCESS);
	return space;
}

static mach_port_name_t
claim(struct ipc_space *space)
{
	mach_port_name_t name = MACH_PORT_NULL;
	ipc_entry_t entry;

	assert_int_equal(ipc_entry_alloc(space, &name, &entry), KERN_SUCCESS);
	entry->ie_bits |= T_DEAD_NAME | 1u;
	return name;
}

static void
release(struct ipc_space *space, mach_port_name_t name)
{
	ipc_entry_t entry = ipc_entry_lookup(space, name);

	assert_non_null(entry);
	entry->ie_bits &= IE_BITS_GEN_MASK;
	ipc_entry_dealloc(space, name, entry);
}

/* Claim fresh names until one lands on slot `index` (it must be free);
 * the others are released again.  Does not depend on the free-list order. */
static mach_port_name_t
claim_index(struct ipc_space *space, uint32_t index)
{
	mach_port_name_t *others = calloc(space->is_table_size + 1, sizeof(*others));
	mach_port_name_t name;
	uint32_t n = 0, i;

	assert_non_null(others);
	for (;;) {
		name = claim(space);
		if (MACH_PORT_INDEX_K(name) == index)
			break;
		assert_true(n < space->is_table_size);
		others[n++] = name;
	}
	for (i = 0; i < n; i++)
		release(space, others[i]);
	free(others);
	return name;
}

/* Spec 5.2: names are (index << 8) | gen, the two low bits are 1, index 0
 * is never a name, and every name in use is distinct. */
static void
test_name_shape(void **state)
{
	struct ipc_space *space = bare_space();
	mach_port_name_t names[300];
	uint32_t i, j;

	(void)state;
	for (i = 0; i < 300; i++) {
		ipc_entry_t entry;

		names[i] = claim(space);
		assert_int_equal(names[i] & 3u, 3u);
		assert_int_not_equal(MACH_PORT_INDEX_K(names[i]), 0);
		assert_true(MACH_PORT_VALID(names[i]));
		entry = ipc_entry_lookup(space, names[i]);
		assert_non_null(entry);
		assert_int_equal(ipc_entry_name(space, entry), names[i]);
		for (j = 0; j < i; j++)
			assert_int_not_equal(names[j], names[i]);
	}
	assert_int_equal(space->is_inuse, 300);

	/* Index 0, an index past the table and a wrong generation name
	 * nothing. */
	assert_null(ipc_entry_lookup(space, 0x03));
	assert_null(ipc_entry_lookup(space, 0x7b));
	assert_null(ipc_entry_lookup(space, NAME(space->is_table_size, 3)));
	assert_null(ipc_entry_lookup(space, fx_stale_name(names[0])));
	assert_null(ipc_entry_lookup(space, MACH_PORT_DEAD));
	ipc_space_terminate(space);
}

/* Spec 5.2: a reused slot's generation advances by 4; the old name no
 * longer resolves; the generation rolls over to 0x03 after the space's
 * period, which is 16, 32, 48 or 64. */
static void
test_generation_advances_by_4(void **state)
{
	struct ipc_space *space = bare_space();
	mach_port_name_t name = claim(space), again;
	uint32_t index = MACH_PORT_INDEX_K(name), period = space->is_gen_period, use;

	(void)state;
	assert_true(period == 16 || period == 32 || period == 48 || period == 64);
	assert_int_equal(name & 0xffu, 0x03);
	for (use = 1; use <= 2 * period; use++) {
		release(space, name);
		assert_null(ipc_entry_lookup(space, name));
		again = claim_index(space, index);
		assert_int_equal(again & 0xffu, 0x03u + 4u * (use % period));
		assert_null(ipc_entry_lookup(space, name));   /* stale name */
		assert_non_null(ipc_entry_lookup(space, again));
		name = again;
	}
	ipc_space_terminate(space);
}

/* Spec 5.2 rules for caller-chosen names (allocate_name, insert_right). */
static void
test_alloc_name_rules(void **state)
{
	struct ipc_space *space;
	mach_port_name_t used;
	ipc_entry_t entry = IE_NULL;
	uint32_t saved = ipc_space_names_max;

	(void)state;
	ipc_space_names_max = 64;
	space = bare_space();
	ipc_space_names_max = saved;
	assert_int_equal(space->is_table_max, 64);

	/* Low two bits not 11. */
	assert_int_equal(ipc_entry_alloc_name(space, 0x7a, &entry), KERN_INVALID_VALUE);
	assert_int_equal(ipc_entry_alloc_name(space, NAME(5, 0x01), &entry), KERN_INVALID_VALUE);
	assert_int_equal(ipc_entry_alloc_name(space, NAME(5, 0x02), &entry), KERN_INVALID_VALUE);
	assert_int_equal(ipc_entry_alloc_name(space, NAME(5, 0x00), &entry), KERN_INVALID_VALUE);
	/* Index 0 with a valid generation (0x7b is XNU's T7 example). */
	assert_int_equal(ipc_entry_alloc_name(space, 0x7b, &entry), KERN_FAILURE);
	assert_int_equal(ipc_entry_alloc_name(space, 0x03, &entry), KERN_FAILURE);
	assert_int_equal(ipc_entry_alloc_name(space, 0xff, &entry), KERN_FAILURE);
	/* Index beyond the table limit; the last index is still allowed. */
	assert_int_equal(ipc_entry_alloc_name(space, NAME(65, 0x03), &entry), KERN_NO_SPACE);
	assert_int_equal(ipc_entry_alloc_name(space, NAME(0xffffff, 0x03), &entry), KERN_NO_SPACE);
	assert_int_equal(space->is_inuse, 0);
	assert_int_equal(ipc_entry_alloc_name(space, NAME(64, 0x0b), &entry), KERN_SUCCESS);
	assert_int_equal(ie_bits_type(entry->ie_bits), 0);          /* claimed, fresh */
	assert_int_equal(ie_bits_gen(entry->ie_bits) >> 24, 0x0b);  /* the caller's gen */
	entry->ie_bits |= T_DEAD_NAME | 1u;
	assert_ptr_equal(ipc_entry_lookup(space, NAME(64, 0x0b)), entry);
	assert_int_equal(space->is_inuse, 1);

	/* In use: the same name is handed back (type bits set), another
	 * generation of the same slot is refused -- no renaming. */
	used = claim(space);
	assert_int_equal(ipc_entry_alloc_name(space, used, &entry), KERN_SUCCESS);
	assert_int_equal(ie_bits_type(entry->ie_bits), T_DEAD_NAME);
	assert_ptr_equal(entry, ipc_entry_lookup(space, used));
	assert_int_equal(ipc_entry_alloc_name(space, used + 4, &entry), KERN_FAILURE);
	assert_int_equal(ipc_entry_alloc_name(space, (used & ~0xffu) | 0xff, &entry),
	    KERN_FAILURE);
	assert_int_equal(space->is_inuse, 2);
	ipc_space_terminate(space);
}

/* Spec 5.2: when the table is at its limit allocation returns
 * KERN_NO_SPACE, without touching anything; a freed name makes room. */
static void
test_table_full_no_space(void **state)
{
	uint32_t saved = ipc_space_names_max, n = 0;
	uint64_t ports = kalloc_live(KA_PORT);
	struct task *task = NULL;
	struct ipc_space *space;
	mach_port_name_t name = MACH_PORT_NULL, last = MACH_PORT_NULL;
	ipc_entry_t entry;
	kern_return_t kr;

	(void)state;
	ipc_space_names_max = 40;
	kr = task_create(getpid() + 100, -1, getuid(), getgid(), NULL, &task);
	ipc_space_names_max = saved;
	assert_int_equal(kr, KERN_SUCCESS);
	space = task->itk_space;
	assert_int_equal(space->is_inuse, 1);            /* the task's own port */

	while ((kr = mach_port_allocate_receive(space, &name)) == KERN_SUCCESS) {
		last = name;
		n++;
		assert_true(n <= 40);
	}
	assert_int_equal(kr, KERN_NO_SPACE);
	assert_int_equal(n, 39);
	assert_int_equal(space->is_inuse, 40);
	assert_int_equal(kalloc_live(KA_PORT), ports + 1 + 39);   /* the failed port is gone */
	assert_int_equal(ipc_entry_alloc(space, &name, &entry), KERN_NO_SPACE);
	assert_int_equal(ipc_entry_alloc_name(space, NAME(41, 0x03), &entry), KERN_NO_SPACE);
	assert_int_equal(space->is_inuse, 40);

	/* Free one name: exactly one allocation fits again. */
	assert_int_equal(fx_destroy(space, last), KERN_SUCCESS);
	assert_int_equal(mach_port_allocate_receive(space, &name), KERN_SUCCESS);
	assert_int_equal(MACH_PORT_INDEX_K(name), MACH_PORT_INDEX_K(last));
	assert_int_equal(mach_port_allocate_receive(space, &name), KERN_NO_SPACE);

	task_terminate(task);
	task_free(task);
	assert_int_equal(kalloc_live(KA_PORT), ports);
}

/* The reverse hash (spec 5.2 coalescing needs port -> name): many
 * objects, deletions in any order, including from the middle of a run of
 * occupied slots, never lose another object. */
#define HASH_N 1500

/* The object hash slot h stands for (IO_NULL: empty). */
static ipc_object_t
hash_slot_object(struct ipc_space *space, uint32_t h)
{
	uint32_t index = space->is_hash[h].ihs_index;

	return index != 0 ? space->is_table[index].ie_object : IO_NULL;
}

static void
check_hash(struct ipc_space *space, struct ipc_object *objs, ipc_entry_t *entries,
    const bool *present)
{
	uint32_t i, count = 0;

	for (i = 0; i < HASH_N; i++) {
		if (present[i]) {
			assert_ptr_equal(ipc_hash_lookup(space, &objs[i]), entries[i]);
			count++;
		} else {
			assert_null(ipc_hash_lookup(space, &objs[i]));
		}
	}
	assert_int_equal(space->is_hash_count, count);
}

static void
test_reverse_hash(void **state)
{
	struct ipc_space *space = bare_space();
	struct ipc_object *objs = calloc(HASH_N, sizeof(*objs));
	ipc_entry_t *entries = calloc(HASH_N, sizeof(*entries));
	bool *present = calloc(HASH_N, sizeof(*present));
	mach_port_name_t *names = calloc(HASH_N, sizeof(*names));
	uint32_t i, h, size, round;

	(void)state;
	assert_non_null(objs);
	assert_non_null(entries);
	assert_non_null(present);
	assert_null(ipc_hash_lookup(space, &objs[0]));   /* empty hash */
	ipc_hash_delete(space, &objs[0]);                 /* absent: no-op */

	/* One entry per object (the hash stores slot indices and reads the
	 * object from the entry); claim them first, the table may move
	 * while it grows. */
	for (i = 0; i < HASH_N; i++)
		names[i] = claim(space);
	for (i = 0; i < HASH_N; i++) {
		entries[i] = ipc_entry_lookup(space, names[i]);
		entries[i]->ie_object = &objs[i];
		assert_int_equal(ipc_hash_insert(space, &objs[i], entries[i]), KERN_SUCCESS);
		present[i] = true;
	}
	check_hash(space, objs, entries, present);

	/* Deleting an absent object changes nothing. */
	ipc_hash_delete(space, &objs[HASH_N]);   /* one past: never inserted */
	check_hash(space, objs, entries, present);

	/* Delete from the middle of every run of >= 3 occupied slots. */
	size = space->is_hash_size;
	for (round = 0; round < 4; round++) {
		for (h = 1; h + 1 < size; h++) {
			ipc_object_t mid = hash_slot_object(space, h);
			if (mid == IO_NULL || hash_slot_object(space, h - 1) == IO_NULL ||
			    hash_slot_object(space, h + 1) == IO_NULL)
				continue;
			i = (uint32_t)((struct ipc_object *)mid - objs);
			ipc_hash_delete(space, mid);
			present[i] = false;
			check_hash(space, objs, entries, present);
			h += 2;
		}
	}
	/* Delete every third of what is left, re-insert, delete the rest. */
	for (i = 0; i < HASH_N; i += 3) {
		if (present[i]) {
			ipc_hash_delete(space, &objs[i]);
			present[i] = false;
		}
	}
	check_hash(space, objs, entries, present);
	for (i = 0; i < HASH_N; i += 2) {
		if (!present[i]) {
			assert_int_equal(ipc_hash_insert(space, &objs[i], entries[i]), KERN_SUCCESS);
			present[i] = true;
		}
	}
	check_hash(space, objs, entries, present);
	for (i = HASH_N; i-- > 0;) {
		if (present[i]) {
			ipc_hash_delete(space, &objs[i]);
			present[i] = false;
		}
	}
	check_hash(space, objs, entries, present);
	assert_int_equal(space->is_hash_count, 0);

	for (i = 0; i < HASH_N; i++)
		ipc_entry_lookup(space, names[i])->ie_object = IO_NULL;
	ipc_space_terminate(space);
	free(names);
	free(objs);
	free(entries);
	free(present);
}

/* Spec 5.2: fresh indices come in a pseudo-random order, per space.  Two
 * spaces giving the same 31 first names, or one giving them in index
 * order, has probability 1/31!: treat it as a failure. */
static void
test_random_order_slots(void **state)
{
	struct ipc_space *s1 = bare_space(), *s2 = bare_space();
	mach_port_name_t a[31], b[31];
	bool same = true, ascending = true;
	uint32_t i;

	(void)state;
	for (i = 0; i < 31; i++) {
		a[i] = claim(s1);
		b[i] = claim(s2);
		if (a[i] != b[i])
			same = false;
		if (i > 0 && a[i] < a[i - 1])
			ascending = false;
	}
	assert_false(same);
	assert_false(ascending);
	for (i = 0; i < 31; i++)
		assert_int_equal(a[i] & 0xffu, 0x03);     /* first use of each slot */
	ipc_space_terminate(s1);
	ipc_space_terminate(s2);
}

/* Spec-independent robustness (SQLite-style fault countdown): a table
 * or hash allocation failing leaves the space as it was and reports
 * KERN_RESOURCE_SHORTAGE; the next try succeeds. */
static void
test_fault_table_and_hash(void **state)
{
	struct ipc_space *space = bare_space();
	struct ipc_object objs[64];
	mach_port_name_t name, names[49];
	ipc_entry_t entry;
	uint32_t i, size, inuse;
	kern_return_t kr;

	(void)state;
	/* The first table. */
	kalloc_fault_config(1, 0);
	kr = ipc_entry_alloc(space, &name, &entry);
	kalloc_fault_config(0, 0);
	assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
	assert_int_equal(space->is_inuse, 0);
	assert_int_equal(space->is_table_size, 0);
	/* Growing a full table. */
	while (space->is_free_head != 0 || space->is_table_size == 0)
		(void)claim(space);
	size = space->is_table_size;
	inuse = space->is_inuse;
	kalloc_fault_config(1, 0);
	kr = ipc_entry_alloc(space, &name, &entry);
	kalloc_fault_config(0, 0);
	assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
	assert_int_equal(space->is_table_size, size);
	assert_int_equal(space->is_inuse, inuse);
	(void)claim(space);
	assert_int_equal(space->is_inuse, inuse + 1);

	/* The hash: the insert that needs a bigger table fails whole.  One
	 * entry per object: the hash reads the object from the entry. */
	for (i = 0; i < 49; i++) {
		names[i] = claim(space);
		ipc_entry_lookup(space, names[i])->ie_object = &objs[i];
	}
	for (i = 0; i < 48; i++)
		assert_int_equal(ipc_hash_insert(space, &objs[i], ipc_entry_lookup(space, names[i])),
		    KERN_SUCCESS);
	assert_int_equal(space->is_hash_size, 64);
	kalloc_fault_config(1, 0);
	kr = ipc_hash_insert(space, &objs[48], ipc_entry_lookup(space, names[48]));
	kalloc_fault_config(0, 0);
	assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
	assert_int_equal(space->is_hash_count, 48);
	assert_null(ipc_hash_lookup(space, &objs[48]));
	for (i = 0; i < 48; i++)
		assert_ptr_equal(ipc_hash_lookup(space, &objs[i]), ipc_entry_lookup(space, names[i]));
	assert_int_equal(ipc_hash_insert(space, &objs[48], ipc_entry_lookup(space, names[48])),
	    KERN_SUCCESS);
	for (i = 0; i <= 48; i++)
		ipc_hash_delete(space, &objs[i]);
	for (i = 0; i < 49; i++)
		ipc_entry_lookup(space, names[i])->ie_object = IO_NULL;
	ipc_space_terminate(space);
}

/* A notification's id and argument, taken off `port` in queue order. */
struct note {
	mach_msg_id_t id;
	uint32_t      arg;
};

static bool
take_note(struct note *notes, uint32_t n, mach_msg_id_t id, uint32_t arg)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (notes[i].id == id && notes[i].arg == arg) {
			notes[i].id = 0;
			return true;
		}
	}
	return false;
}

/* Task death destroys every right in its space (spec 5.5, 5.7): its
 * send-once rights notify, its send rights are released (no-senders),
 * requests on its names are cancelled with port-deleted, its receive
 * rights die (dead-name notifications, other spaces' names go dead), its
 * queued messages are destroyed with what they carry. */
static void
test_space_terminate_destroys_rights(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t pa = fx_alloc_receive(a), n = fx_alloc_receive(a);
	mach_port_name_t sb, rb, sa, name, rb2, got = MACH_PORT_NULL;
	ipc_port_t ppa = fx_port(a, pa), np = fx_port(a, n), prev = IP_NULL, prb2;
	uint64_t psets = kalloc_live(KA_PSET);
	struct note notes[8];
	uint32_t count = 0;
	ipc_kmsg_t kmsg;

	/* A's port pa: no-senders armed; B holds a send right (with a
	 * dead-name request) and a send-once right to it. */
	assert_int_equal(fx_request_notification(fx->task[0], pa, MACH_NOTIFY_NO_SENDERS, 0,
	    fx_copyin(a, n, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_NO_SENDERS), 0);
	assert_int_equal(fx_request_notification(fx->task[0], pa, MACH_NOTIFY_NO_SENDERS, 1,
	    fx_copyin(a, n, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev), KERN_SUCCESS);
	sb = fx_give(a, pa, MACH_MSG_TYPE_MAKE_SEND, b);
	(void)fx_give(a, pa, MACH_MSG_TYPE_MAKE_SEND_ONCE, b);
	assert_int_equal(ipc_right_request_alloc(b, sb, false, false,
	    fx_copyin(a, n, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev), KERN_SUCCESS);
	/* B's port rb: A holds a send right with a dead-name request; a
	 * message on rb carries another send right to pa. */
	rb = fx_alloc_receive(b);
	sa = fx_give(b, rb, MACH_MSG_TYPE_MAKE_SEND, a);
	assert_int_equal(ipc_right_request_alloc(a, sa, false, false,
	    fx_copyin(a, n, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev), KERN_SUCCESS);
	kmsg = ipc_kmsg_alloc(1, 0);
	kmsg->ikm_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, 0);
	kmsg->ikm_remote = ipc_port_make_send(fx_port(b, rb));
	kmsg->ikm_dsc[0].type = MACH_MSG_PORT_DESCRIPTOR;
	kmsg->ikm_dsc[0].disposition = MACH_MSG_TYPE_PORT_SEND;
	kmsg->ikm_dsc[0].port = ipc_port_make_send(ppa);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	/* And a port set, a dead name, a SEND|RECEIVE name. */
	(void)fx_allocate(fx->task[1], MACH_PORT_RIGHT_PORT_SET);
	(void)fx_allocate(fx->task[1], MACH_PORT_RIGHT_DEAD_NAME);
	name = fx_alloc_receive(b);
	assert_int_equal(fx_give(b, name, MACH_MSG_TYPE_MAKE_SEND, b), name);
	/* A receive right with a port-destroyed request to A's n (launchd's
	 * way to get a dead service's port back). */
	rb2 = fx_alloc_receive(b);
	prb2 = fx_port(b, rb2);
	assert_int_equal(fx_request_notification(fx->task[1], rb2, MACH_NOTIFY_PORT_DESTROYED, 0,
	    fx_copyin(a, n, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev), KERN_SUCCESS);
	fx_assert_counts(ppa, 2, 1, 2);
	assert_int_equal(fx_qlen(np), 0);

	task_terminate(fx->task[1]);
	fx->space[1] = NULL;

	/* pa: the send-once right notified, the send rights released. */
	fx_expect_notification(ppa, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(fx_qlen(ppa), 0);
	fx_assert_counts(ppa, 0, 0, 2);
	/* n: port-deleted for B's request, dead-name for A's, no-senders,
	 * and the port-destroyed notification carrying rb2, alive. */
	while (fx_qlen(np) > 0 && count < 8) {
		uint8_t out[64];
		uint32_t len;

		kmsg = ipc_mqueue_dequeue(np);
		notes[count].id = kmsg->ikm_id;
		notes[count].arg = 0;
		if (kmsg->ikm_body_size == 12)
			memcpy(&notes[count].arg, kmsg->ikm_body + 8, 4);
		count++;
		if (kmsg->ikm_id == MACH_NOTIFY_PORT_DESTROYED) {
			assert_int_equal(ipc_kmsg_copyout(a, kmsg, 0, n, false, 0, out, &len),
			    MACH_MSG_SUCCESS);
			memcpy(&got, out + 28, 4);
		} else {
			fx_consume(kmsg);
		}
	}
	assert_int_equal(count, 4);
	assert_true(take_note(notes, count, MACH_NOTIFY_PORT_DELETED, sb));
	assert_true(take_note(notes, count, MACH_NOTIFY_DEAD_NAME, sa));
	assert_true(take_note(notes, count, MACH_NOTIFY_NO_SENDERS, 2));
	assert_true(take_note(notes, count, MACH_NOTIFY_PORT_DESTROYED, 0));
	assert_true(ip_active(prb2));
	assert_ptr_equal(prb2->ip_receiver, a);
	fx_assert_right(a, got, T_RECEIVE, 0);
	assert_int_equal(np->ip_sorights, 0);
	fx_assert_right(a, sa, T_DEAD_NAME, 2);
	assert_int_equal(kalloc_live(KA_PSET), psets);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_BARE_TEST(test_name_shape),
		FX_BARE_TEST(test_generation_advances_by_4),
		FX_BARE_TEST(test_alloc_name_rules),
		FX_BARE_TEST(test_table_full_no_space),
		FX_BARE_TEST(test_reverse_hash),
		FX_BARE_TEST(test_random_order_slots),
		FX_BARE_TEST(test_fault_table_and_hash),
		FX_TEST(test_space_terminate_destroys_rights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
