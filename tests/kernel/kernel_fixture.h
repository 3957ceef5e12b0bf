/*
 * kernel_fixture.h -- what the kernel unit tests share: two tasks made
 * without sockets, rights made through the kernel's own layers, the check
 * of a queued notification, message bytes for the send path, and the
 * leak check every teardown runs (kalloc counters back to the baseline).
 *
 * Each test binary links every kernel source but machd.c, so the helpers
 * call the object layers (ipc_right, ipc_port, ipc_kmsg ...) directly.  A
 * few rules live only in MIG routines (get_refs reporting, mod_refs right
 * numbers, request_notification); fx_mig runs a routine's implementation
 * on a task port without a message round trip.
 */
#ifndef KERNEL_FIXTURE_H
#define KERNEL_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mig_errors.h>
#include <mach/ndr.h>
#include <mach/notify.h>

#include "ipc_space.h"
#include "ipc_right.h"
#include "ipc_port.h"
#include "ipc_pset.h"
#include "ipc_mqueue.h"
#include "ipc_kmsg.h"
#include "ipc_notify.h"
#include "ipc_kobject.h"
#include "kalloc.h"
#include "mach_port.h"
#include "task.h"

#define FX_TASKS     2     /* made by fx_setup */
#define FX_TASKS_MAX 3     /* the last one: fx_small_task */

struct fx {
	uint64_t          live[KA_KIND_COUNT];  /* kalloc baseline */
	struct task      *task[FX_TASKS_MAX];
	struct ipc_space *space[FX_TASKS_MAX];
};

#define FX(state)      ((struct fx *)*(state))

#define T_SEND       MACH_PORT_TYPE_SEND
#define T_RECEIVE    MACH_PORT_TYPE_RECEIVE
#define T_SEND_ONCE  MACH_PORT_TYPE_SEND_ONCE
#define T_PORT_SET   MACH_PORT_TYPE_PORT_SET
#define T_DEAD_NAME  MACH_PORT_TYPE_DEAD_NAME
#define T_DNREQUEST  MACH_PORT_TYPE_DNREQUEST
#define FX_TEST(fn)      cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
#define FX_BARE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup_bare, fx_teardown)

/* The dispatch table machd builds at start-up (machd_serve). */
static inline void
fx_mig_init(void)
{
	static const struct mig_subsystem *const subsystems[] = {
		&mach_port_subsystem, &task_subsystem,
	};

	assert_true(mig_init(subsystems, sizeof(subsystems) / sizeof(subsystems[0])));
}

/* Setup without tasks, for the layers that need none (bare spaces, port
 * sets, the MIG table): the kalloc baseline only. */
static inline int
fx_setup_bare(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	int k;

	if (fx == NULL)
		return -1;
	for (k = 0; k < KA_KIND_COUNT; k++)
		fx->live[k] = kalloc_live((enum kalloc_kind)k);
	fx_mig_init();
	*state = fx;
	return 0;
}

static inline int
fx_setup(void **state)
{
	struct fx *fx;
	int i;

	if (fx_setup_bare(state) != 0)
		return -1;
	fx = FX(state);
	for (i = 0; i < FX_TASKS; i++) {
		if (task_create(getpid() + 1 + i, -1, getuid(), getgid(), NULL,
		    &fx->task[i]) != KERN_SUCCESS)
			return -1;
		fx->space[i] = fx->task[i]->itk_space;
	}
	return 0;
}

/* Task death takes every right with it; then every kalloc counter must be
 * back where the test started: nothing leaked. */
static inline int
fx_teardown(void **state)
{
	struct fx *fx = FX(state);
	int i, k, bad = 0;

	for (i = 0; i < FX_TASKS_MAX; i++) {
		if (fx->task[i] == NULL)
			continue;
		task_terminate(fx->task[i]);
		task_free(fx->task[i]);
	}
	for (k = 0; k < KA_KIND_COUNT; k++) {
		if (kalloc_live((enum kalloc_kind)k) != fx->live[k]) {
			print_error("leak: kalloc kind %d live %llu, baseline %llu\n", k,
			    (unsigned long long)kalloc_live((enum kalloc_kind)k),
			    (unsigned long long)fx->live[k]);
			bad = 1;
		}
	}
	free(fx);
	return bad ? -1 : 0;
}

/* A third task whose space holds at most `names` names (its task port is
 * one); torn down with the others. */
static inline struct ipc_space *
fx_small_task(struct fx *fx, uint32_t names)
{
	uint32_t saved = ipc_space_names_max;
	kern_return_t kr;

	assert_null(fx->task[FX_TASKS]);
	ipc_space_names_max = names;
	kr = task_create(getpid() + 1 + FX_TASKS, -1, getuid(), getgid(), NULL,
	    &fx->task[FX_TASKS]);
	ipc_space_names_max = saved;
	assert_int_equal(kr, KERN_SUCCESS);
	fx->space[FX_TASKS] = fx->task[FX_TASKS]->itk_space;
	return fx->space[FX_TASKS];
}

/* --- names and rights -------------------------------------------------------- */

/* The entry under `name` as stored, without lazy dead-name conversion. */
static inline ipc_entry_t
fx_entry(struct ipc_space *space, mach_port_name_t name)
{
	return ipc_entry_lookup(space, name);
}

static inline ipc_port_t
fx_port(struct ipc_space *space, mach_port_name_t name)
{
	ipc_entry_t entry = fx_entry(space, name);

	assert_non_null(entry);
	assert_non_null(entry->ie_object);
	return (ipc_port_t)entry->ie_object;
}

/* The slot of `name` under another generation: a name that resolves to
 * nothing while `name` is in use (spec 5.2). */
static inline mach_port_name_t
fx_stale_name(mach_port_name_t name)
{
	return name ^ 0x04u;
}

static inline mach_port_name_t
fx_alloc_receive(struct ipc_space *space)
{
	mach_port_name_t name = MACH_PORT_NULL;

	assert_int_equal(mach_port_allocate_receive(space, &name), KERN_SUCCESS);
	return name;
}

/* mach_port_type + get_refs as stored: lookup (converts a dead port) and
 * ipc_right_info. */
static inline kern_return_t
fx_info(struct ipc_space *space, mach_port_name_t name, mach_port_type_t *typep,
    mach_port_urefs_t *urefsp)
{
	ipc_entry_t entry;
	kern_return_t kr = ipc_right_lookup(space, name, &entry);

	if (kr != KERN_SUCCESS)
		return kr;
	return ipc_right_info(space, name, entry, typep, urefsp);
}

/* mod_refs, deallocate, destroy at the right layer: lookup (which
 * converts a dead port) then the ipc_right routine. */
static inline kern_return_t
fx_delta(struct ipc_space *space, mach_port_name_t name, mach_port_right_t right,
    mach_port_delta_t delta)
{
	ipc_entry_t entry;
	kern_return_t kr = ipc_right_lookup(space, name, &entry);

	return kr != KERN_SUCCESS ? kr : ipc_right_delta(space, name, entry, right, delta);
}

static inline kern_return_t
fx_dealloc(struct ipc_space *space, mach_port_name_t name)
{
	ipc_entry_t entry;
	kern_return_t kr = ipc_right_lookup(space, name, &entry);

	return kr != KERN_SUCCESS ? kr : ipc_right_dealloc(space, name, entry);
}

static inline kern_return_t
fx_destroy(struct ipc_space *space, mach_port_name_t name)
{
	ipc_entry_t entry;
	kern_return_t kr = ipc_right_lookup(space, name, &entry);

	return kr != KERN_SUCCESS ? kr : ipc_right_destroy(space, name, entry);
}

#define fx_assert_right(space, name, type, urefs) do {                        \
	mach_port_type_t t_ = 0;                                               \
	mach_port_urefs_t u_ = 0;                                              \
	assert_int_equal(fx_info((space), (name), &t_, &u_), KERN_SUCCESS);     \
	assert_int_equal(t_, (type));                                          \
	assert_int_equal(u_, (urefs));                                         \
} while (0)

#define fx_assert_no_name(space, name) do {                                   \
	ipc_entry_t e_;                                                        \
	assert_int_equal(ipc_right_lookup((space), (name), &e_), KERN_INVALID_NAME); \
} while (0)

#define fx_assert_counts(port, srights, sorights, mscount) do {               \
	assert_int_equal((port)->ip_srights, (srights));                       \
	assert_int_equal((port)->ip_sorights, (sorights));                     \
	assert_int_equal((port)->ip_mscount, (mscount));                       \
} while (0)

/* The type a disposition is held as in a kmsg (spec 3.6). */
static inline mach_msg_type_name_t
fx_held_type(mach_msg_type_name_t disp)
{
	switch (disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	default:
		return MACH_MSG_TYPE_PORT_SEND;
	}
}

static inline ipc_port_t
fx_copyin(struct ipc_space *space, mach_port_name_t name, mach_msg_type_name_t disp)
{
	ipc_port_t port = IP_NULL;

	assert_int_equal(ipc_object_copyin(space, name, disp, 0, &port), KERN_SUCCESS);
	return port;
}

static inline mach_port_name_t
fx_copyout(struct ipc_space *space, ipc_port_t port, mach_msg_type_name_t type)
{
	mach_port_name_t name = MACH_PORT_NULL;

	assert_int_equal(ipc_object_copyout(space, port, type, &name), KERN_SUCCESS);
	return name;
}

/* Move a right from one space to another as a message would. */
static inline mach_port_name_t
fx_give(struct ipc_space *from, mach_port_name_t name, mach_msg_type_name_t disp,
    struct ipc_space *to)
{
	return fx_copyout(to, fx_copyin(from, name, disp), fx_held_type(disp));
}

/* --- MIG routines run in place ------------------------------------------------ */

static inline kern_return_t
fx_mig(struct task *task, mach_msg_id_t id, struct ipc_kmsg *req,
    const uint32_t *args, uint32_t nargs, struct mig_reply *rep)
{
	const struct mig_routine *r = mig_lookup(id);
	uint8_t buf[64];

	assert_non_null(r);
	assert_true(nargs * 4 <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	memcpy(buf, args, nargs * 4u);
	memset(rep, 0, sizeof(*rep));
	return r->impl(task->itk_self, req, buf, rep);
}

static inline uint32_t
fx_rep32(const struct mig_reply *rep, uint32_t i)
{
	uint32_t v;

	memcpy(&v, rep->out + 4 * i, 4);
	return v;
}

/* mach_port_allocate (3204) of a port set or a dead name. */
static inline mach_port_name_t
fx_allocate(struct task *task, mach_port_right_t right)
{
	uint32_t args[1] = { right };
	struct mig_reply rep;

	assert_int_equal(fx_mig(task, 3204, NULL, args, 1, &rep), KERN_SUCCESS);
	return fx_rep32(&rep, 0);
}

/* mach_port_get_refs (3207): the reported count (spec 5.3). */
static inline kern_return_t
fx_get_refs(struct task *task, mach_port_name_t name, mach_port_right_t right,
    mach_port_urefs_t *refsp)
{
	uint32_t args[2] = { name, right };
	struct mig_reply rep;
	kern_return_t kr = fx_mig(task, 3207, NULL, args, 2, &rep);

	*refsp = kr == KERN_SUCCESS ? fx_rep32(&rep, 0) : 0;
	return kr;
}

/*
 * mach_port_request_notification (3213) with `soright` (a send-once right
 * the caller holds, or IP_NULL) as the notify port.  The right is the
 * kernel's on success and destroyed on failure, as the MIG server does;
 * the previous right is returned.
 */
static inline kern_return_t
fx_request_notification(struct task *task, mach_port_name_t name, mach_msg_id_t id,
    uint32_t sync, ipc_port_t soright, ipc_port_t *previousp)
{
	uint32_t args[3] = { name, (uint32_t)id, sync };
	ipc_kmsg_t req = ipc_kmsg_alloc(1, 0);
	struct mig_reply rep;
	kern_return_t kr;

	assert_non_null(req);
	req->ikm_bits = MACH_MSGH_BITS_COMPLEX;
	req->ikm_dsc[0].type = MACH_MSG_PORT_DESCRIPTOR;
	req->ikm_dsc[0].port = soright;
	req->ikm_dsc[0].disposition = soright == IP_NULL ? 0 : MACH_MSG_TYPE_PORT_SEND_ONCE;
	kr = fx_mig(task, 3213, req, args, 3, &rep);
	*previousp = kr == KERN_SUCCESS ? rep.port[0] : IP_NULL;
	ipc_kmsg_destroy(req);
	return kr;
}

/* --- queued messages ------------------------------------------------------------ */

static inline uint32_t
fx_qlen(ipc_port_t port)
{
	return port->ip_messages.imq_msgcount;
}

static inline ipc_kmsg_t
fx_dequeue(ipc_port_t port)
{
	assert_true(fx_qlen(port) > 0);
	return ipc_mqueue_dequeue(port);
}

/* What a receive does with a dequeued message's destination right (spec
 * 6.6: consumed, not destroyed -- destroying a send-once destination
 * would queue a send-once notification), then the rest is destroyed. */
static inline void
fx_consume(ipc_kmsg_t kmsg)
{
	ipc_port_t dest = kmsg->ikm_remote;

	kmsg->ikm_remote = IP_NULL;
	if (IP_VALID(dest)) {
		if (MACH_MSGH_BITS_REMOTE(kmsg->ikm_bits) == MACH_MSG_TYPE_PORT_SEND_ONCE)
			ipc_port_release_sonce(dest);
		else
			ipc_port_release_send(dest);
	}
	ipc_kmsg_destroy(kmsg);
}

/*
 * Take the head message of `port` and check it is the kernel notification
 * `id` in the form of spec 2.8 / 5.7: sent to a send-once right, kernel
 * security token {0, 1}, NDR record then one 32-bit argument (none for
 * MACH_NOTIFY_SEND_ONCE).  Returns the argument.
 */
static inline uint32_t
fx_expect_notification(ipc_port_t port, mach_msg_id_t id)
{
	ipc_kmsg_t kmsg = fx_dequeue(port);
	uint32_t arg = 0;

	assert_int_equal(kmsg->ikm_id, id);
	assert_true(kmsg->ikm_kernel);
	assert_int_equal(kmsg->ikm_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	assert_ptr_equal(kmsg->ikm_remote, port);
	assert_int_equal(kmsg->ikm_sender.val[0], 0);
	assert_int_equal(kmsg->ikm_sender.val[1], 1);
	if (id == MACH_NOTIFY_SEND_ONCE) {
		assert_int_equal(ipc_kmsg_user_size(kmsg), 24);
	} else {
		assert_int_equal(ipc_kmsg_user_size(kmsg), 36);
		assert_memory_equal(kmsg->ikm_body, &NDR_record, sizeof(NDR_record_t));
		memcpy(&arg, kmsg->ikm_body + sizeof(NDR_record_t), 4);
	}
	fx_consume(kmsg);
	return arg;
}

/* --- message bytes (spec 1.1, 1.3) ----------------------------------------------- */

static inline void
fx_put32(uint8_t *buf, uint32_t off, uint32_t v)
{
	memcpy(buf + off, &v, 4);
}

static inline void
fx_put64(uint8_t *buf, uint32_t off, uint64_t v)
{
	memcpy(buf + off, &v, 8);
}

static inline void
fx_msg_header(uint8_t *buf, mach_msg_bits_t bits, mach_port_name_t remote,
    mach_port_name_t local, mach_port_name_t voucher, mach_msg_id_t id)
{
	mach_msg_header_t h;

	h.msgh_bits = bits;
	h.msgh_size = 0;          /* ignored on send (spec 1.1) */
	h.msgh_remote_port = remote;
	h.msgh_local_port = local;
	h.msgh_voucher_port = voucher;
	h.msgh_id = id;
	memcpy(buf, &h, sizeof(h));
}

/* A 12-byte port descriptor at `off`; returns the offset after it. */
static inline uint32_t
fx_msg_port_desc(uint8_t *buf, uint32_t off, mach_port_name_t name, uint8_t disp)
{
	memset(buf + off, 0, 12);
	fx_put32(buf, off, name);
	buf[off + 10] = disp;
	buf[off + 11] = MACH_MSG_PORT_DESCRIPTOR;
	return off + 12;
}

/* A 16-byte descriptor (OOL, OOL ports, guarded) at `off`. */
static inline uint32_t
fx_msg_desc16(uint8_t *buf, uint32_t off, uint64_t addr_or_context, uint8_t b8,
    uint8_t b9, uint8_t b10, uint8_t type, uint32_t size_count_name)
{
	fx_put64(buf, off, addr_or_context);
	buf[off + 8] = b8;
	buf[off + 9] = b9;
	buf[off + 10] = b10;
	buf[off + 11] = type;
	fx_put32(buf, off + 12, size_count_name);
	return off + 16;
}

/*
 * Steps 1-10 of spec 3.1 for the bytes in `buf`, sent from `space`: on
 * success *kmsgp holds the copied-in message; on failure nothing is left
 * to free (a header failure consumed nothing, a body failure destroyed the
 * message).
 */
static inline mach_msg_return_t
fx_msg_copyin(struct ipc_space *space, const uint8_t *buf, uint32_t size,
    ipc_kmsg_t *kmsgp)
{
	mach_msg_header_t hdr;
	ipc_kmsg_t kmsg = IKM_NULL;
	mach_msg_return_t mr;

	*kmsgp = IKM_NULL;
	mr = ipc_kmsg_get(buf, size, &kmsg);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	memcpy(&hdr, buf, sizeof(hdr));
	mr = ipc_kmsg_copyin_header(space, kmsg, &hdr, 0);
	if (mr != MACH_MSG_SUCCESS) {
		ipc_kmsg_free(kmsg);
		return mr;
	}
	mr = ipc_kmsg_copyin_body(space, kmsg, NULL);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	*kmsgp = kmsg;
	return MACH_MSG_SUCCESS;
}

#endif /* KERNEL_FIXTURE_H */
