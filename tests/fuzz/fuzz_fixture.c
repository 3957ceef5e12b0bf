/*
 * fuzz_fixture.c -- the fuzz targets' fixture (see fuzz_fixture.h): build
 * the three tasks and their rights, map fuzzed names, and after each input
 * drain the queues, compare the state with the one built and rebuild
 * (checking for leaks) when they differ.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>

#include "kernel_fixture.h"
#include "ipc_trace.h"
#include "fuzz_fixture.h"

/* Task 2's names: the receive rights behind S2, SU and DP. */
#define FZ_NAME2_C  0x5003u
#define FZ_NAME2_E  0x5103u
#define FZ_NAME2_D  0x5203u

#define FZ_DRAIN_PASSES_MAX 1000

/* --- state snapshot: what "the same state" means -------------------------- */

/* An object named by a fixture name, with every counter a message can move. */
struct fz_object_snap {
	const void *object;
	uint32_t io_bits, io_refs;
	uint32_t srights, sorights, mscount, seqno, qlimit, msgcount;
	uint32_t receiver_name, requests_size, sp_armed, kotype;
	uint64_t context;
	uint8_t  guarded, strict, immovable;
	const void *receiver, *destination, *nsrequest, *pdrequest, *links;
	const void *members, *preposted;                /* port sets */
};

struct fz_entry_snap {
	uint32_t bits, request;
	struct fz_object_snap obj;
};

#define FZ_SNAP_NAMES 11

struct fz_space_snap {
	uint32_t inuse, free_head, table_size, hash_count;
	struct fz_entry_snap entry[FZ_SNAP_NAMES];
};

struct fz_task_snap {
	ipc_port_t special[TASK_MAX_SPECIAL_PORT + 1];
	const void *semaphores;
};

struct fz_snap {
	uint64_t live[KA_KIND_COUNT];
	struct fz_space_snap space[FZ_TASKS];
	struct fz_task_snap task[FZ_TASKS];
};

_Static_assert(FZ_TASKS <= FX_TASKS_MAX, "kernel_fixture.h makes the tasks");

static struct {
	struct fx       *fx;          /* NULL until built */
	mach_port_name_t small_rcv;   /* task 3's receive right (SMR) */
	struct fz_snap   built;       /* the state right after building */
	int              lowest_fd;   /* at the start of the input */
} fz;

void
fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void
snap_object(struct fz_object_snap *s, ipc_object_t object)
{
	s->object = object;
	s->io_bits = object->io_bits;
	s->io_refs = object->io_references;
	if (io_otype(object) == IOT_PORT) {
		ipc_port_t p = (ipc_port_t)object;
		s->srights = p->ip_srights;
		s->sorights = p->ip_sorights;
		s->mscount = p->ip_mscount;
		s->seqno = p->ip_messages.imq_seqno;
		s->qlimit = p->ip_messages.imq_qlimit;
		s->msgcount = p->ip_messages.imq_msgcount;
		s->receiver_name = p->ip_receiver_name;
		s->requests_size = p->ip_notify != NULL ? p->ip_notify->ipn_requests_size : 0;
		s->sp_armed = ip_sp_armed(p);
		s->kotype = p->ip_kotype;
		s->context = p->ip_context;
		s->guarded = p->ip_guarded;
		s->strict = p->ip_strict;
		s->immovable = p->ip_immovable_receive;
		s->receiver = p->ip_receiver;
		s->destination = p->ip_destination;
		s->nsrequest = ip_nsrequest(p);
		s->pdrequest = ip_pdrequest(p);
		s->links = p->ip_links;
	} else {
		ipc_pset_t ps = (ipc_pset_t)object;
		s->members = ps->ips_members;
		s->preposted = ps->ips_pp_first;
	}
}

static void
snap_space(struct fz_space_snap *s, struct ipc_space *space, const mach_port_name_t *names,
    uint32_t count)
{
	uint32_t i;

	s->inuse = space->is_inuse;
	s->free_head = space->is_free_head;
	s->table_size = space->is_table_size;
	s->hash_count = space->is_hash_count;
	for (i = 0; i < count; i++) {
		uint32_t index = MACH_PORT_INDEX_K(names[i]);
		ipc_entry_t e;

		if (index >= space->is_table_size)
			continue;
		e = &space->is_table[index];
		s->entry[i].bits = e->ie_bits;
		s->entry[i].request = e->ie_request;
		if (e->ie_object != IO_NULL)
			snap_object(&s->entry[i].obj, e->ie_object);
	}
}

static void
snap_task(struct fz_task_snap *s, const struct task *task)
{
	memcpy(s->special, task->itk_special, sizeof(s->special));
	s->semaphores = task->t_semaphores;
}

static void
fz_snapshot(struct fz_snap *s)
{
	const mach_port_name_t names1[] = {
		FZ_NAME_R, FZ_NAME_SO, FZ_NAME_RX, FZ_NAME_PS, FZ_NAME_DN, FZ_NAME_S2,
		FZ_NAME_SU, FZ_NAME_DP, FZ_NAME_T2, FZ_NAME_FREE, fz.fx->task[0]->t_self_name,
	};
	const mach_port_name_t names2[] = {
		FZ_NAME2_C, FZ_NAME2_E, FZ_NAME2_D, fz.fx->task[1]->t_self_name,
	};
	const mach_port_name_t names3[] = { fz.small_rcv, fz.fx->task[2]->t_self_name };
	int k, i;

	_Static_assert(sizeof(names1) / sizeof(names1[0]) <= FZ_SNAP_NAMES, "snapshot size");
	memset(s, 0, sizeof(*s));       /* memcmp-able: padding too */
	for (k = 0; k < KA_KIND_COUNT; k++)
		s->live[k] = kalloc_live((enum kalloc_kind)k);
	snap_space(&s->space[0], fz.fx->space[0], names1, sizeof(names1) / sizeof(names1[0]));
	snap_space(&s->space[1], fz.fx->space[1], names2, sizeof(names2) / sizeof(names2[0]));
	snap_space(&s->space[2], fz.fx->space[2], names3, sizeof(names3) / sizeof(names3[0]));
	for (i = 0; i < FZ_TASKS; i++)
		snap_task(&s->task[i], fz.fx->task[i]);
}

/* --- building ---------------------------------------------------------------- */

/* mach_port_allocate_name (3203) run in place. */
static void
fz_allocate_name(struct task *task, mach_port_right_t right, mach_port_name_t name)
{
	uint32_t args[2] = { right, name };
	struct mig_reply rep;

	assert_int_equal(fx_mig(task, 3203, NULL, args, 2, &rep), KERN_SUCCESS);
}

/* Give `port` (a right of `type`, as held) to `space` under `name`. */
static void
fz_insert(struct ipc_space *space, ipc_port_t port, mach_msg_type_name_t type,
    mach_port_name_t name)
{
	assert_int_equal(ipc_object_copyout_name(space, port, type, name), KERN_SUCCESS);
}

/* A send right in task 1 to a fresh receive right of task 2. */
static void
fz_send_to_task2(mach_port_name_t name2, mach_port_name_t name1)
{
	struct ipc_space *s2 = fz.fx->space[1];

	fz_allocate_name(fz.fx->task[1], MACH_PORT_RIGHT_RECEIVE, name2);
	fz_insert(fz.fx->space[0], fx_copyin(s2, name2, MACH_MSG_TYPE_MAKE_SEND),
	    MACH_MSG_TYPE_PORT_SEND, name1);
}

static void
fz_build_task1_local(void)
{
	struct task *t1 = fz.fx->task[0];
	struct ipc_space *s1 = fz.fx->space[0];
	uint32_t member[2] = { FZ_NAME_RX, FZ_NAME_PS };
	struct mig_reply rep;

	fz_allocate_name(t1, MACH_PORT_RIGHT_RECEIVE, FZ_NAME_R);
	fz_insert(s1, fx_copyin(s1, FZ_NAME_R, MACH_MSG_TYPE_MAKE_SEND),
	    MACH_MSG_TYPE_PORT_SEND, FZ_NAME_R);
	fz_insert(s1, fx_copyin(s1, FZ_NAME_R, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	    MACH_MSG_TYPE_PORT_SEND_ONCE, FZ_NAME_SO);
	fz_allocate_name(t1, MACH_PORT_RIGHT_RECEIVE, FZ_NAME_RX);
	fz_allocate_name(t1, MACH_PORT_RIGHT_PORT_SET, FZ_NAME_PS);
	assert_int_equal(fx_mig(t1, 3226, NULL, member, 2, &rep), KERN_SUCCESS);
	fz_allocate_name(t1, MACH_PORT_RIGHT_DEAD_NAME, FZ_NAME_DN);
}

static void
fz_build_task2_rights(void)
{
	struct ipc_space *s1 = fz.fx->space[0], *s2 = fz.fx->space[1];

	fz_send_to_task2(FZ_NAME2_C, FZ_NAME_S2);
	assert_int_equal(fx_delta(s1, FZ_NAME_S2, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	fz_send_to_task2(FZ_NAME2_E, FZ_NAME_SU);
	assert_int_equal(fx_delta(s1, FZ_NAME_SU, MACH_PORT_RIGHT_SEND, 65533), KERN_SUCCESS);
	fz_send_to_task2(FZ_NAME2_D, FZ_NAME_DP);
	assert_int_equal(fx_destroy(s2, FZ_NAME2_D), KERN_SUCCESS);  /* DP's port dies */
	fz_insert(s1, ipc_port_make_send(fz.fx->task[1]->itk_self), MACH_MSG_TYPE_PORT_SEND,
	    FZ_NAME_T2);
}

/* Task 3, whose space is nearly full, and task 1's send right to it. */
static void
fz_build_small_task(void)
{
	struct ipc_space *s3 = fx_small_task(fz.fx, FZ_SMALL_NAMES);

	fz.small_rcv = fx_alloc_receive(s3);
	fz_insert(fz.fx->space[0], fx_copyin(s3, fz.small_rcv, MACH_MSG_TYPE_MAKE_SEND),
	    MACH_MSG_TYPE_PORT_SEND, FZ_NAME_SM);
}

static void
fz_build(void)
{
	void *state = NULL;

	if (fx_setup(&state) != 0)
		fz_fail("fixture: fx_setup failed");
	fz.fx = state;
	fz_build_task1_local();
	fz_build_task2_rights();
	fz_build_small_task();
	fz_snapshot(&fz.built);
}

/* Task death takes every right; the unit tests' teardown then checks
 * every kalloc counter against the baseline taken before building. */
static void
fz_teardown(void)
{
	void *state = fz.fx;

	fz.fx = NULL;
	if (fx_teardown(&state) != 0)
		fz_fail("leak: kalloc counters not back to their baseline after task death");
}

static void
fz_atexit(void)
{
	if (fz.fx != NULL)
		fz_teardown();
}

/* --- per input ----------------------------------------------------------------- */

static int
fz_lowest_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fz_fail("open /dev/null: cannot check for fd leaks");
	close(fd);
	return fd;
}

void
fz_begin(void)
{
	if (fz.fx == NULL) {
		static bool registered;
		if (!registered && atexit(fz_atexit) == 0)
			registered = true;
		ipc_trace_enabled = getenv("FUZZ_TRACE") != NULL;
		fz_build();
	}
	fz.lowest_fd = fz_lowest_fd();
}

/* Take every message queued on a receive right of `space`, as a receive
 * would (destination right consumed, the rest destroyed). */
static bool
fz_drain_space(struct ipc_space *space)
{
	bool any = false;
	uint32_t i;

	for (i = 1; i < space->is_table_size; i++) {
		ipc_entry_t e = &space->is_table[i];
		ipc_port_t port = (ipc_port_t)e->ie_object;

		if (!(e->ie_bits & MACH_PORT_TYPE_RECEIVE))
			continue;
		while (port->ip_messages.imq_msgcount > 0) {
			fx_consume(ipc_mqueue_dequeue(port));
			any = true;
		}
	}
	return any;
}

/* Destroying a message may queue notifications elsewhere: drain until a
 * whole pass finds nothing. */
static void
fz_drain(void)
{
	int pass;

	for (pass = 0; pass < FZ_DRAIN_PASSES_MAX; pass++) {
		bool any = false;
		int i;
		for (i = 0; i < FZ_TASKS; i++)
			any |= fz_drain_space(fz.fx->space[i]);
		thread_run_queue();
		if (!any)
			return;
	}
	fz_fail("hang: queues still not empty after %d drain passes", FZ_DRAIN_PASSES_MAX);
}

/* With every queue empty no task may be charged for queued bytes. */
static void
fz_check_ledgers(void)
{
	int i;

	for (i = 0; i < FZ_TASKS; i++) {
		const struct ipc_ledger *l = fz.fx->task[i]->t_ledger;
		if (l != NULL && l->il_bytes != 0)
			fz_fail("leak: task %d is still charged %llu queued bytes", i + 1,
			    (unsigned long long)l->il_bytes);
	}
}

void
fz_end(void)
{
	struct fz_snap now;
	int fd;

	fz_drain();
	fz_check_ledgers();
	fz_snapshot(&now);
	if (memcmp(&now, &fz.built, sizeof(now)) != 0) {
		fz_teardown();
		fz_build();
	}
	if (kalloc_live(KA_KMSG) != 0)
		fz_fail("leak: %llu kmsg alive after the input",
		    (unsigned long long)kalloc_live(KA_KMSG));
	if (kalloc_live(KA_PORT) != fz.built.live[KA_PORT])
		fz_fail("leak: %llu ports alive, the fixture has %llu",
		    (unsigned long long)kalloc_live(KA_PORT),
		    (unsigned long long)fz.built.live[KA_PORT]);
	fd = fz_lowest_fd();
	if (fd != fz.lowest_fd)
		fz_fail("fd leak: lowest free fd %d after the input, %d before", fd, fz.lowest_fd);
}

/* --- names ----------------------------------------------------------------------- */

struct task *
fz_task(int i)
{
	return fz.fx->task[i];
}

mach_port_name_t
fz_name(uint32_t word)
{
	static const mach_port_name_t fixed[FZ_NSEL + 1] = {
		[FZ_R] = FZ_NAME_R, [FZ_SO] = FZ_NAME_SO, [FZ_RX] = FZ_NAME_RX,
		[FZ_PS] = FZ_NAME_PS, [FZ_DN] = FZ_NAME_DN, [FZ_S2] = FZ_NAME_S2,
		[FZ_SU] = FZ_NAME_SU, [FZ_DP] = FZ_NAME_DP, [FZ_T2] = FZ_NAME_T2,
		[FZ_STALE] = FZ_NAME_STALE, [FZ_FREE] = FZ_NAME_FREE, [FZ_FAR] = FZ_NAME_FAR,
		[FZ_SM] = FZ_NAME_SM,
	};

	if (word == 0 || word > FZ_NSEL)
		return word;
	if (word == FZ_SELF)
		return fz.fx->task[0]->t_self_name;
	return word == FZ_SMR ? fz.small_rcv : fixed[word];
}

void
fz_map_header(mach_msg_header_t *hdr)
{
	hdr->msgh_remote_port = fz_name(hdr->msgh_remote_port);
	hdr->msgh_local_port = fz_name(hdr->msgh_local_port);
	hdr->msgh_voucher_port = fz_name(hdr->msgh_voucher_port);
}

static void
fz_map_word(uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	v = fz_name(v);
	memcpy(p, &v, 4);
}

void
fz_map_message(uint8_t *msg, uint32_t len)
{
	const uint32_t first = (uint32_t)(sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t));
	mach_msg_header_t hdr;
	uint32_t count, pos, i;

	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, msg, sizeof(hdr));
	fz_map_header(&hdr);
	memcpy(msg, &hdr, sizeof(hdr));
	if (!(hdr.msgh_bits & MACH_MSGH_BITS_COMPLEX) || len < first)
		return;
	memcpy(&count, msg + sizeof(hdr), 4);
	/* The walk of spec 4.1, stopping (not failing) at the end. */
	for (i = 0, pos = first; i < count && pos + IKM_USER_PORT_DESC_SIZE <= len; i++) {
		uint8_t type = msg[pos + 11];
		if (type == MACH_MSG_PORT_DESCRIPTOR) {
			fz_map_word(msg + pos);
			pos += IKM_USER_PORT_DESC_SIZE;
			continue;
		}
		if (type == MACH_MSG_GUARDED_PORT_DESCRIPTOR && pos + IKM_USER_OTHER_DESC_SIZE <= len)
			fz_map_word(msg + pos + 12);
		pos += IKM_USER_OTHER_DESC_SIZE;
	}
}

void
fz_map_kmsg(ipc_kmsg_t kmsg)
{
	uint32_t i;

	for (i = 0; i < kmsg->ikm_dsc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
		if (d->type == MACH_MSG_PORT_DESCRIPTOR || d->type == MACH_MSG_GUARDED_PORT_DESCRIPTOR)
			d->name = fz_name(d->name);
	}
}
