/*
 * test_ipc_kmsg.c -- src/kernel/ipc_kmsg.c: message intake and its size
 * and descriptor checks (spec 1.4, 3.1 steps 1-7, 4.1, 4.2), header
 * validation and right copyin (3.2-3.6), port descriptors in the body
 * (4.3) and one copyout round trip (6.6, Appendix B).
 *
 * Messages are built as bytes, as a task would send them, and go through
 * ipc_kmsg_get, ipc_kmsg_copyin_header and ipc_kmsg_copyin_body
 * (fx_msg_copyin).  Every failure is checked for "nothing consumed" or
 * "header rights destroyed", whichever the spec says.
 */
#include "kernel_fixture.h"
#include "memfd_sealed.h"

#define BITS(r, l, v)   ((mach_msg_bits_t)((r) | ((l) << 8) | ((v) << 16)))
#define COMPLEX         MACH_MSGH_BITS_COMPLEX

#define MOVE_RECEIVE    MACH_MSG_TYPE_MOVE_RECEIVE
#define MOVE_SEND       MACH_MSG_TYPE_MOVE_SEND
#define MOVE_SONCE      MACH_MSG_TYPE_MOVE_SEND_ONCE
#define COPY_SEND       MACH_MSG_TYPE_COPY_SEND
#define MAKE_SEND       MACH_MSG_TYPE_MAKE_SEND
#define MAKE_SONCE      MACH_MSG_TYPE_MAKE_SEND_ONCE


/* A header-only message from `space`. */
static mach_msg_return_t
send_header(struct ipc_space *space, mach_msg_bits_t bits, mach_port_name_t remote,
    mach_port_name_t local, mach_port_name_t voucher, ipc_kmsg_t *kmsgp)
{
	uint8_t buf[24];

	fx_msg_header(buf, bits, remote, local, voucher, 42);
	return fx_msg_copyin(space, buf, (uint32_t)sizeof(buf), kmsgp);
}

/* ipc_kmsg_get alone; a message it accepts is freed (it holds no right). */
static mach_msg_return_t
get(const uint8_t *buf, uint32_t size)
{
	ipc_kmsg_t kmsg = IKM_NULL;
	mach_msg_return_t mr = ipc_kmsg_get(buf, size, &kmsg);

	if (mr == MACH_MSG_SUCCESS)
		ipc_kmsg_free(kmsg);
	return mr;
}

/* A name's state and its port's counters, to prove nothing was consumed. */
struct snap {
	uint32_t bits;
	uint32_t srights, sorights, mscount, qlen;
};

static struct snap
snap(struct ipc_space *space, mach_port_name_t name)
{
	ipc_entry_t entry = fx_entry(space, name);
	struct snap s;

	memset(&s, 0, sizeof(s));
	if (entry == IE_NULL)
		return s;
	s.bits = entry->ie_bits;
	if (entry->ie_object != IO_NULL && io_otype(entry->ie_object) == IOT_PORT) {
		ipc_port_t p = (ipc_port_t)entry->ie_object;
		s.srights = p->ip_srights;
		s.sorights = p->ip_sorights;
		s.mscount = p->ip_mscount;
		s.qlen = fx_qlen(p);
	}
	return s;
}

#define assert_snap(space, name, s) do {                                       \
	struct snap now_ = snap((space), (name));                              \
	assert_memory_equal(&now_, &(s), sizeof(now_));                         \
} while (0)

/* --- intake: spec 1.4 and 3.1 step 1 -------------------------------------------- */

static void
test_get_send_size_rules(void **state)
{
	static const struct { uint32_t size; mach_msg_return_t simple, complex; } rows[] = {
		{ 0,  MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 4,  MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 20, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 23, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 24, MACH_MSG_SUCCESS,        MACH_SEND_MSG_TOO_SMALL },  /* complex needs 28 */
		{ 25, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 26, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 27, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
		{ 28, MACH_MSG_SUCCESS,        MACH_MSG_SUCCESS },
		{ 29, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_MSG_TOO_SMALL },
	};
	uint8_t buf[64];
	ipc_kmsg_t kmsg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(buf, 0xa5, sizeof(buf));
		fx_msg_header(buf, BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 7);
		assert_int_equal(get(buf, rows[i].size), rows[i].simple);
		fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 7);
		fx_put32(buf, 24, 0);                       /* descriptor count */
		assert_int_equal(get(buf, rows[i].size), rows[i].complex);
	}

	/* What an accepted message keeps: the id, COMPLEX as sent (spec 1.2),
	 * and the inline bytes unchanged. */
	fx_msg_header(buf, BITS(COPY_SEND, 0, 0) | 0x70000000u, 0x103, 0, 0, 7);
	assert_int_equal(ipc_kmsg_get(buf, 28, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, 0);
	assert_int_equal(kmsg->ikm_id, 7);
	assert_int_equal(kmsg->ikm_dsc_count, 0);
	assert_int_equal(kmsg->ikm_body_size, 4);
	assert_memory_equal(kmsg->ikm_body, buf + 24, 4);
	ipc_kmsg_free(kmsg);
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 7);
	fx_put32(buf, 24, 0);
	assert_int_equal(ipc_kmsg_get(buf, 36, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, COMPLEX);
	assert_int_equal(kmsg->ikm_dsc_count, 0);
	assert_int_equal(kmsg->ikm_body_size, 8);
	assert_int_equal(ipc_kmsg_user_size(kmsg), 36);
	ipc_kmsg_free(kmsg);
}

/* Spec 1.4: IPC_KMSG_MAX_BODY_SPACE = 50,331,580 is the largest send. */
static void
test_get_max_size(void **state)
{
	uint32_t max = 50331580u;
	uint8_t *buf = calloc(1, max + 4);
	ipc_kmsg_t kmsg;

	(void)state;
	assert_non_null(buf);
	fx_msg_header(buf, BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 7);
	buf[max - 1] = 0x5a;
	assert_int_equal(ipc_kmsg_get(buf, max, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_body_size, max - 24);
	assert_int_equal(kmsg->ikm_body[max - 25], 0x5a);
	assert_int_equal(ipc_kmsg_user_size(kmsg), max);
	ipc_kmsg_free(kmsg);
	assert_int_equal(get(buf, max + 4), MACH_SEND_TOO_LARGE);
	assert_int_equal(get(buf, 0xfffffffcu), MACH_SEND_TOO_LARGE);
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 7);
	assert_int_equal(get(buf, max + 4), MACH_SEND_TOO_LARGE);
	free(buf);
}

/* Spec 4.1: the count is bounded by (send_size - 28) / 12 and the walk
 * never reads past send_size; an unknown type byte is INVALID_TYPE. */
static void
test_get_descriptor_counts(void **state)
{
	uint8_t buf[128];
	ipc_kmsg_t kmsg;
	uint32_t off;

	(void)state;
	memset(buf, 0, sizeof(buf));
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 7);

	/* Counts no message could hold. */
	fx_put32(buf, 24, 0xffffffffu);
	assert_int_equal(get(buf, 40), MACH_SEND_MSG_TOO_SMALL);
	fx_put32(buf, 24, 0x7fffffffu);
	assert_int_equal(get(buf, 40), MACH_SEND_MSG_TOO_SMALL);

	/* 64 bytes: max_fit = 3 port descriptors. */
	off = fx_msg_port_desc(buf, 28, 0, 0);
	off = fx_msg_port_desc(buf, off, 0, 0);
	off = fx_msg_port_desc(buf, off, 0, 0);
	assert_int_equal(off, 64);
	fx_put32(buf, 24, 4);
	assert_int_equal(get(buf, 64), MACH_SEND_MSG_TOO_SMALL);   /* max_fit + 1 */
	fx_put32(buf, 24, 3);
	assert_int_equal(ipc_kmsg_get(buf, 64, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_dsc_count, 3);
	assert_int_equal(kmsg->ikm_body_size, 0);
	ipc_kmsg_free(kmsg);
	fx_put32(buf, 24, 2);                          /* the rest is inline data */
	assert_int_equal(ipc_kmsg_get(buf, 64, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_dsc_count, 2);
	assert_int_equal(kmsg->ikm_body_size, 12);
	ipc_kmsg_free(kmsg);

	/* A 16-byte descriptor running past the end. */
	fx_put32(buf, 24, 1);
	fx_msg_desc16(buf, 28, 0, 0, MACH_MSG_VIRTUAL_COPY, 0, MACH_MSG_OOL_DESCRIPTOR, 0);
	assert_int_equal(get(buf, 40), MACH_SEND_MSG_TOO_SMALL);
	/* count = max_fit but one descriptor is 16 bytes: the walk runs out. */
	fx_put32(buf, 24, 3);
	assert_int_equal(get(buf, 64), MACH_SEND_MSG_TOO_SMALL);

	/* Byte total = send_size - 28 exactly, -4, +4 (mixed 16 + 12): the
	 * measure passes exactly when it fits, the guarded descriptor's bad
	 * flags (0) are then found by the static checks. */
	fx_put32(buf, 24, 2);
	off = fx_msg_desc16(buf, 28, 0, 0, 0, MOVE_RECEIVE, MACH_MSG_GUARDED_PORT_DESCRIPTOR, 0x103);
	off = fx_msg_port_desc(buf, off, 0, 0);
	assert_int_equal(off, 56);
	assert_int_equal(get(buf, 56), MACH_SEND_INVALID_TYPE);
	assert_int_equal(get(buf, 52), MACH_SEND_MSG_TOO_SMALL);
	assert_int_equal(get(buf, 60), MACH_SEND_INVALID_TYPE);

	/* Type byte 5, 6, 0xff: INVALID_TYPE, found by the walk. */
	memset(buf + 28, 0, 64);
	fx_put32(buf, 24, 1);
	fx_msg_port_desc(buf, 28, 0, 0);
	buf[39] = 5;
	assert_int_equal(get(buf, 40), MACH_SEND_INVALID_TYPE);
	buf[39] = 6;
	assert_int_equal(get(buf, 40), MACH_SEND_INVALID_TYPE);
	buf[39] = 0xff;
	assert_int_equal(get(buf, 40), MACH_SEND_INVALID_TYPE);
	/* ... even when the count would not fit the rest (type seen first). */
	fx_put32(buf, 24, 2);
	assert_int_equal(get(buf, 52), MACH_SEND_INVALID_TYPE);
	/* A bad type in the second descriptor. */
	fx_msg_port_desc(buf, 28, 0, 0);
	fx_msg_port_desc(buf, 40, 0, 0);
	buf[51] = 0xff;
	assert_int_equal(get(buf, 52), MACH_SEND_INVALID_TYPE);

	/* Measuring (step 4) comes before the per-descriptor checks (step 5):
	 * a bad copy option followed by a descriptor that runs past the end. */
	fx_put32(buf, 24, 2);
	off = fx_msg_desc16(buf, 28, 0, 0, 2, 0, MACH_MSG_OOL_DESCRIPTOR, 16);
	fx_msg_desc16(buf, off, 0, 0, 0, 0, MACH_MSG_OOL_DESCRIPTOR, 16);
	assert_int_equal(get(buf, 56), MACH_SEND_MSG_TOO_SMALL);
}

/* Spec 4.2: the per-descriptor static checks and the message-wide limits
 * come before any right is taken (3.1 steps 5, 7 before 8). */
static void
test_get_static_checks(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t d = fx_alloc_receive(a);
	uint8_t buf[128];
	ipc_kmsg_t kmsg;
	struct snap before;
	uint32_t off;
	unsigned copy;

	assert_int_equal(fx_give(a, d, MAKE_SEND, a), d);
	before = snap(a, d);
	memset(buf, 0, sizeof(buf));
	fx_msg_header(buf, COMPLEX | BITS(MOVE_SEND, 0, 0), d, 0, 0, 7);
	fx_put32(buf, 24, 1);

	/* OOL copy option: only PHYSICAL (0) and VIRTUAL (1). */
	for (copy = 2; copy <= 255; copy += (copy < 4 ? 1 : 251)) {
		fx_msg_desc16(buf, 28, 0x1000, 0, (uint8_t)copy, 0, MACH_MSG_OOL_DESCRIPTOR, 16);
		assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
		fx_msg_desc16(buf, 28, 0x1000, 0, (uint8_t)copy, 0,
		    MACH_MSG_OOL_VOLATILE_DESCRIPTOR, 16);
		assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
	}

	/* Guarded: disposition must be MOVE_RECEIVE; flags non-zero, within
	 * 0x3, and context 0 with UNGUARDED_ON_SEND. */
	fx_msg_desc16(buf, 28, 0, 1, 0, MOVE_SEND, MACH_MSG_GUARDED_PORT_DESCRIPTOR, d);
	assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
	fx_msg_desc16(buf, 28, 0, 0, 0, MOVE_RECEIVE, MACH_MSG_GUARDED_PORT_DESCRIPTOR, d);
	assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
	fx_msg_desc16(buf, 28, 0, 4, 0, MOVE_RECEIVE, MACH_MSG_GUARDED_PORT_DESCRIPTOR, d);
	assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
	fx_msg_desc16(buf, 28, 0, 0xff, 0xff, MOVE_RECEIVE, MACH_MSG_GUARDED_PORT_DESCRIPTOR, d);
	assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
	fx_msg_desc16(buf, 28, 1, 3, 0, MOVE_RECEIVE, MACH_MSG_GUARDED_PORT_DESCRIPTOR, d);
	assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);
	fx_msg_desc16(buf, 28, 0x42, 2, 0, MOVE_RECEIVE, MACH_MSG_GUARDED_PORT_DESCRIPTOR, d);
	assert_int_equal(get(buf, 44), MACH_SEND_INVALID_TYPE);

	/* More than 16383 ports in the message: TOO_LARGE. */
	fx_msg_desc16(buf, 28, 0x1000, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR, 16384);
	assert_int_equal(get(buf, 44), MACH_SEND_TOO_LARGE);
	fx_put32(buf, 24, 2);
	off = fx_msg_desc16(buf, 28, 0x1000, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR, 16383);
	fx_msg_port_desc(buf, off, MACH_PORT_NULL, COPY_SEND);
	assert_int_equal(get(buf, 56), MACH_SEND_TOO_LARGE);
	/* ... and when the 32-bit count sum overflows. */
	off = fx_msg_desc16(buf, 28, 0x1000, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR,
	    0xffffffffu);
	fx_msg_desc16(buf, off, 0x1000, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR, 1);
	assert_int_equal(get(buf, 60), MACH_SEND_TOO_LARGE);

	/* Physical-copy budget of 7 MiB (+ 8 bytes a port): the bare
	 * MACH_MSG_VM_KERNEL. */
	fx_put32(buf, 24, 1);
	fx_msg_desc16(buf, 28, 0x1000, 0, MACH_MSG_PHYSICAL_COPY, 0, MACH_MSG_OOL_DESCRIPTOR,
	    7340033u);
	assert_int_equal(get(buf, 44), MACH_MSG_VM_KERNEL);
	fx_put32(buf, 24, 2);
	off = fx_msg_desc16(buf, 28, 0x1000, 0, MACH_MSG_PHYSICAL_COPY, 0,
	    MACH_MSG_OOL_DESCRIPTOR, 7340032u - 4096u);
	fx_msg_desc16(buf, off, 0x1000, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR, 513);
	assert_int_equal(get(buf, 60), MACH_MSG_VM_KERNEL);
	/* The port limit is checked before the memory budget. */
	fx_msg_desc16(buf, off, 0x1000, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR, 16384);
	assert_int_equal(get(buf, 60), MACH_SEND_TOO_LARGE);

	/* A static error wins over a header that would fail, and the
	 * destination's MOVE_SEND uref is not taken. */
	fx_put32(buf, 24, 1);
	fx_msg_desc16(buf, 28, 0x1000, 0, 2, 0, MACH_MSG_OOL_DESCRIPTOR, 16);
	assert_int_equal(fx_msg_copyin(a, buf, 44, &kmsg), MACH_SEND_INVALID_TYPE);
	fx_msg_header(buf, COMPLEX | BITS(0, 0, 0), MACH_PORT_NULL, 0, 0, 7);
	assert_int_equal(fx_msg_copyin(a, buf, 44, &kmsg), MACH_SEND_INVALID_TYPE);
	assert_snap(a, d, before);
}

/* --- header: spec 3.2 --------------------------------------------------------------- */

struct hdr_case {
	const char      *why;
	mach_msg_bits_t  bits;
	int              remote, local, voucher;   /* N_* below */
	mach_msg_return_t expect;
};

/* Symbolic names of a header case; each test fills its own table. */
enum { N_NULL, N_DEAD, N_D, N_R, N_S, N_SO, N_PS, N_DN, N_UNKNOWN, N_JUNK, N_COUNT };

static void
names_init(mach_port_name_t *names, mach_port_name_t d)
{
	memset(names, 0, N_COUNT * sizeof(*names));
	names[N_NULL] = MACH_PORT_NULL;
	names[N_DEAD] = MACH_PORT_DEAD;
	names[N_D] = d;
	names[N_UNKNOWN] = fx_stale_name(d);
	names[N_JUNK] = 0x12345;
}

/* Run header cases from `space`; a failure must leave every name of
 * `names` as it was (spec 3.1 step 8: all or nothing).  Successes are
 * COPY_SEND to N_D without reply; their message is consumed. */
static void
run_header_cases(struct ipc_space *space, const struct hdr_case *cases, size_t n,
    const mach_port_name_t *names)
{
	struct snap before[N_COUNT];
	ipc_kmsg_t kmsg;
	size_t i;
	int k;

	for (k = 0; k < N_COUNT; k++)
		before[k] = snap(space, names[k]);
	for (i = 0; i < n; i++) {
		const struct hdr_case *c = &cases[i];
		mach_msg_return_t mr = send_header(space, c->bits, names[c->remote],
		    names[c->local], names[c->voucher], &kmsg);

		if (mr != c->expect)
			print_error("case \"%s\": got %#x, want %#x\n", c->why, mr, c->expect);
		assert_int_equal(mr, c->expect);
		if (mr == MACH_MSG_SUCCESS) {
			assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, 0, 0));
			assert_ptr_equal(kmsg->ikm_remote, fx_port(space, names[N_D]));
			assert_null(kmsg->ikm_local);
			assert_int_equal(kmsg->ikm_voucher_raw,
			    MACH_MSGH_BITS_VOUCHER(c->bits) ? 0 : names[c->voucher]);
			fx_consume(kmsg);
		}
		for (k = 0; k < N_COUNT; k++)
			assert_snap(space, names[k], before[k]);
	}
}

/* Spec 3.2 in order, and 3.3 step 2 (no voucher objects here).  d is a
 * SEND|RECEIVE name, r a receive right (reply port), s a send right. */
static void
test_header_validation_order(void **state)
{
	static const struct hdr_case cases[] = {
		{ "1: bits outside 0x801f1f1f are cleared",
		  BITS(COPY_SEND, 0, 0) | 0x70e0e0e0u, N_D, N_NULL, N_NULL, MACH_MSG_SUCCESS },
		{ "2: no reply disposition, reply name set",
		  BITS(COPY_SEND, 0, 0), N_D, N_R, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "2: reply MOVE_RECEIVE",
		  BITS(COPY_SEND, MOVE_RECEIVE, 0), N_D, N_R, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "2: reply COPY_RECEIVE (22)",
		  BITS(COPY_SEND, 22, 0), N_D, N_R, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "2: reply disposition 1",
		  BITS(COPY_SEND, 1, 0), N_D, N_R, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "2: reply disposition 15, NULL name",
		  BITS(COPY_SEND, 15, 0), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "3: voucher MOVE_SEND_ONCE",
		  BITS(COPY_SEND, 0, MOVE_SONCE), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_VOUCHER },
		{ "3: voucher MAKE_SEND",
		  BITS(COPY_SEND, 0, MAKE_SEND), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_VOUCHER },
		{ "3: voucher MOVE_RECEIVE",
		  BITS(COPY_SEND, 0, MOVE_RECEIVE), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_VOUCHER },
		{ "3: voucher MOVE_SEND of DEAD",
		  BITS(COPY_SEND, 0, MOVE_SEND), N_D, N_NULL, N_DEAD, MACH_SEND_INVALID_VOUCHER },
		{ "3: voucher COPY_SEND of DEAD",
		  BITS(COPY_SEND, 0, COPY_SEND), N_D, N_NULL, N_DEAD, MACH_SEND_INVALID_VOUCHER },
		{ "3: voucher MOVE_SEND of NULL means none",
		  BITS(COPY_SEND, 0, MOVE_SEND), N_D, N_NULL, N_NULL, MACH_MSG_SUCCESS },
		{ "3: no voucher disposition: the field is not looked at",
		  BITS(COPY_SEND, 0, 0), N_D, N_NULL, N_JUNK, MACH_MSG_SUCCESS },
		{ "4: dest disposition 0",
		  BITS(0, 0, 0), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "4: dest MOVE_RECEIVE",
		  BITS(MOVE_RECEIVE, 0, 0), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "4: dest 22",
		  BITS(22, 0, 0), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "4: dest 31",
		  BITS(31, 0, 0), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "5: dest NULL",
		  BITS(COPY_SEND, 0, 0), N_NULL, N_NULL, N_NULL, MACH_SEND_INVALID_DEST },
		{ "5: dest DEAD",
		  BITS(COPY_SEND, 0, 0), N_DEAD, N_NULL, N_NULL, MACH_SEND_INVALID_DEST },
		{ "6: dest == voucher, dest MAKE_SEND",
		  BITS(MAKE_SEND, 0, COPY_SEND), N_D, N_NULL, N_D, MACH_SEND_INVALID_DEST },
		{ "6: dest == voucher, dest MAKE_SEND_ONCE",
		  BITS(MAKE_SONCE, 0, MOVE_SEND), N_D, N_NULL, N_D, MACH_SEND_INVALID_DEST },
		{ "6: dest == voucher, dest MOVE_SEND_ONCE",
		  BITS(MOVE_SONCE, 0, COPY_SEND), N_D, N_NULL, N_D, MACH_SEND_INVALID_DEST },
		{ "7: dest == reply, dest MOVE_SEND_ONCE",
		  BITS(MOVE_SONCE, MAKE_SONCE, 0), N_D, N_D, N_NULL, MACH_SEND_INVALID_DEST },
		{ "7: dest == reply, reply MOVE_SEND_ONCE",
		  BITS(MAKE_SEND, MOVE_SONCE, 0), N_D, N_D, N_NULL, MACH_SEND_INVALID_DEST },
		{ "9: reply == voucher",
		  BITS(COPY_SEND, MAKE_SONCE, COPY_SEND), N_D, N_R, N_R, MACH_SEND_INVALID_REPLY },
		{ "order: bad reply before bad voucher",
		  BITS(COPY_SEND, MOVE_RECEIVE, MOVE_SONCE), N_D, N_R, N_NULL,
		  MACH_SEND_INVALID_HEADER },
		{ "order: bad voucher before bad dest type (current XNU)",
		  BITS(0, 0, MOVE_SONCE), N_D, N_NULL, N_NULL, MACH_SEND_INVALID_VOUCHER },
		{ "order: bad dest type before NULL dest",
		  BITS(0, 0, 0), N_NULL, N_NULL, N_NULL, MACH_SEND_INVALID_HEADER },
		{ "order: NULL dest before reply == voucher",
		  BITS(COPY_SEND, MAKE_SONCE, COPY_SEND), N_NULL, N_R, N_R, MACH_SEND_INVALID_DEST },
		{ "order: reply == voucher before the name space (unknown dest)",
		  BITS(COPY_SEND, MAKE_SONCE, COPY_SEND), N_UNKNOWN, N_R, N_R,
		  MACH_SEND_INVALID_REPLY },
		{ "3.3: dest == voucher passes 3.2, but there are no vouchers",
		  BITS(MOVE_SEND, 0, MOVE_SEND), N_D, N_NULL, N_D, MACH_SEND_INVALID_VOUCHER },
		{ "3.3: a real send right as voucher",
		  BITS(COPY_SEND, 0, COPY_SEND), N_D, N_NULL, N_S, MACH_SEND_INVALID_VOUCHER },
		{ "3.3: voucher checked before an unknown dest",
		  BITS(COPY_SEND, 0, COPY_SEND), N_UNKNOWN, N_NULL, N_S, MACH_SEND_INVALID_VOUCHER },
	};
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t names[N_COUNT];

	names_init(names, fx_alloc_receive(a));
	assert_int_equal(fx_give(a, names[N_D], MAKE_SEND, a), names[N_D]);
	names[N_R] = fx_alloc_receive(a);
	names[N_S] = fx_give(b, fx_alloc_receive(b), MAKE_SEND, a);
	run_header_cases(a, cases, sizeof(cases) / sizeof(cases[0]), names);
}

/* Spec 3.3: name resolution.  A missing dest entry is reported before any
 * reply problem; a dest entry with the wrong right only at 3.4, after the
 * reply checks.  Nothing is consumed. */
static void
test_header_name_resolution(void **state)
{
	static const struct hdr_case cases[] = {
		{ "dest unknown", BITS(COPY_SEND, 0, 0), N_UNKNOWN, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest port set", BITS(COPY_SEND, 0, 0), N_PS, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest dead name, COPY_SEND", BITS(COPY_SEND, 0, 0), N_DN, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest dead name, MOVE_SEND", BITS(MOVE_SEND, 0, 0), N_DN, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest dead name, MOVE_SEND_ONCE", BITS(MOVE_SONCE, 0, 0), N_DN, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest MOVE_SEND_ONCE of a send right", BITS(MOVE_SONCE, 0, 0), N_S, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest MAKE_SEND of a send right", BITS(MAKE_SEND, 0, 0), N_S, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "dest COPY_SEND of a send-once right", BITS(COPY_SEND, 0, 0), N_SO, N_NULL, N_NULL,
		  MACH_SEND_INVALID_DEST },
		{ "reply unknown", BITS(COPY_SEND, MAKE_SONCE, 0), N_D, N_UNKNOWN, N_NULL,
		  MACH_SEND_INVALID_REPLY },
		{ "reply dead name, COPY_SEND", BITS(COPY_SEND, COPY_SEND, 0), N_D, N_DN, N_NULL,
		  MACH_SEND_INVALID_REPLY },
		{ "reply dead name, MOVE_SEND", BITS(COPY_SEND, MOVE_SEND, 0), N_D, N_DN, N_NULL,
		  MACH_SEND_INVALID_REPLY },
		{ "reply dead name, MOVE_SEND_ONCE", BITS(COPY_SEND, MOVE_SONCE, 0), N_D, N_DN,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "reply port set", BITS(COPY_SEND, MAKE_SEND, 0), N_D, N_PS, N_NULL,
		  MACH_SEND_INVALID_REPLY },
		{ "reply MAKE_SEND of a send right", BITS(COPY_SEND, MAKE_SEND, 0), N_D, N_S, N_NULL,
		  MACH_SEND_INVALID_REPLY },
		{ "reply MAKE_SEND_ONCE of a send right", BITS(COPY_SEND, MAKE_SONCE, 0), N_D, N_S,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "reply COPY_SEND of a receive right", BITS(COPY_SEND, COPY_SEND, 0), N_D, N_R,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "reply MOVE_SEND of a receive right", BITS(COPY_SEND, MOVE_SEND, 0), N_D, N_R,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "reply MOVE_SEND_ONCE of a send right", BITS(COPY_SEND, MOVE_SONCE, 0), N_D, N_S,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "reply COPY_SEND of a send-once right", BITS(COPY_SEND, COPY_SEND, 0), N_D, N_SO,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "order: dest unknown before a bad reply", BITS(COPY_SEND, MAKE_SONCE, 0),
		  N_UNKNOWN, N_UNKNOWN, N_NULL, MACH_SEND_INVALID_DEST },
		{ "order: dest port set before a bad reply", BITS(COPY_SEND, COPY_SEND, 0),
		  N_PS, N_DN, N_NULL, MACH_SEND_INVALID_DEST },
		{ "order: dest with the wrong right after a bad reply",
		  BITS(COPY_SEND, MAKE_SONCE, 0), N_R, N_UNKNOWN, N_NULL, MACH_SEND_INVALID_REPLY },
		{ "order: both with the wrong right", BITS(MAKE_SEND, MAKE_SEND, 0), N_S, N_S,
		  N_NULL, MACH_SEND_INVALID_REPLY },
		{ "dest with the wrong right, valid reply: reply not made",
		  BITS(COPY_SEND, MAKE_SONCE, 0), N_R, N_D, N_NULL, MACH_SEND_INVALID_DEST },
		{ "dest MOVE_SEND valid, bad reply: the uref stays",
		  BITS(MOVE_SEND, MAKE_SONCE, 0), N_S, N_S, N_NULL, MACH_SEND_INVALID_REPLY },
		{ "dest MOVE_SEND valid, reply unknown: the uref stays",
		  BITS(MOVE_SEND, MAKE_SONCE, 0), N_S, N_UNKNOWN, N_NULL, MACH_SEND_INVALID_REPLY },
	};
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t names[N_COUNT], rb = fx_alloc_receive(b);

	names_init(names, fx_alloc_receive(a));
	assert_int_equal(fx_give(a, names[N_D], MAKE_SEND, a), names[N_D]);
	names[N_R] = fx_alloc_receive(a);
	names[N_S] = fx_give(b, rb, MAKE_SEND, a);
	names[N_SO] = fx_give(b, rb, MAKE_SONCE, a);
	names[N_PS] = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	names[N_DN] = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	run_header_cases(a, cases, sizeof(cases) / sizeof(cases[0]), names);
}

/* Spec 3.4 and 3.6: what each destination / reply disposition takes,
 * and the header as held (dispositions converted, COMPLEX kept). */
static void
test_header_copyin_rights(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rb = fx_alloc_receive(b), r = fx_alloc_receive(a), s, so;
	ipc_port_t pb = fx_port(b, rb), pr = fx_port(a, r);
	uint8_t buf[28];
	ipc_kmsg_t kmsg;

	s = fx_give(b, rb, MAKE_SEND, a);
	assert_int_equal(fx_give(b, rb, MAKE_SEND, a), s);
	so = fx_give(b, rb, MAKE_SONCE, a);
	fx_assert_counts(pb, 1, 1, 2);

	/* COPY_SEND: +1 srights, urefs unchanged. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, 0, 0), s, 0, 0, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, 0, 0));
	assert_ptr_equal(kmsg->ikm_remote, pb);
	fx_assert_right(a, s, T_SEND, 2);
	fx_assert_counts(pb, 2, 1, 2);
	fx_consume(kmsg);
	fx_assert_counts(pb, 1, 1, 2);
	/* MOVE_SEND: one uref moves. */
	assert_int_equal(send_header(a, BITS(MOVE_SEND, 0, 0), s, 0, 0, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, 0, 0));
	fx_assert_right(a, s, T_SEND, 1);
	fx_assert_counts(pb, 2, 1, 2);
	fx_consume(kmsg);
	/* MAKE_SEND: mscount + 1. */
	assert_int_equal(send_header(a, BITS(MAKE_SEND, 0, 0), r, 0, 0, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, 0, 0));
	assert_ptr_equal(kmsg->ikm_remote, pr);
	fx_assert_right(a, r, T_RECEIVE, 0);
	fx_assert_counts(pr, 1, 0, 1);
	fx_consume(kmsg);
	/* MAKE_SEND_ONCE: sorights + 1. */
	assert_int_equal(send_header(a, BITS(MAKE_SONCE, 0, 0), r, 0, 0, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0, 0));
	fx_assert_counts(pr, 0, 1, 1);
	fx_consume(kmsg);
	/* MOVE_SEND_ONCE: the name goes. */
	assert_int_equal(send_header(a, BITS(MOVE_SONCE, 0, 0), so, 0, 0, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0, 0));
	assert_ptr_equal(kmsg->ikm_remote, pb);
	fx_assert_no_name(a, so);
	fx_assert_counts(pb, 1, 1, 2);
	fx_consume(kmsg);
	fx_assert_counts(pb, 1, 0, 2);

	/* Reply MAKE_SEND_ONCE: held as 18; destroying the message unused
	 * sends MACH_NOTIFY_SEND_ONCE to the reply port (spec 5.5). */
	assert_int_equal(send_header(a, BITS(COPY_SEND, MAKE_SONCE, 0), s, r, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits,
	    BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	assert_ptr_equal(kmsg->ikm_local, pr);
	fx_assert_counts(pr, 0, 1, 1);
	fx_consume(kmsg);
	fx_expect_notification(pr, MACH_NOTIFY_SEND_ONCE);
	/* Reply MAKE_SEND: held as 17, mscount + 1. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, MAKE_SEND, 0), s, r, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND, 0));
	fx_assert_counts(pr, 1, 0, 2);
	fx_consume(kmsg);
	fx_assert_counts(pr, 0, 0, 2);

	/* Reply NULL / DEAD with a disposition: carried through (3.6). */
	assert_int_equal(send_header(a, BITS(COPY_SEND, MAKE_SONCE, 0), s, MACH_PORT_NULL, 0,
	    &kmsg), MACH_MSG_SUCCESS);
	assert_null(kmsg->ikm_local);
	assert_int_equal(kmsg->ikm_bits,
	    BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	fx_consume(kmsg);
	assert_int_equal(send_header(a, BITS(COPY_SEND, COPY_SEND, 0), s, MACH_PORT_DEAD, 0,
	    &kmsg), MACH_MSG_SUCCESS);
	assert_ptr_equal(kmsg->ikm_local, IP_DEAD);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND, 0));
	fx_consume(kmsg);

	/* COMPLEX is kept (spec 1.2, 4.4), even with no descriptor. */
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), s, 0, 0, 42);
	fx_put32(buf, 24, 0);
	assert_int_equal(fx_msg_copyin(a, buf, 28, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_bits, COMPLEX | BITS(MACH_MSG_TYPE_PORT_SEND, 0, 0));
	assert_int_equal(ipc_kmsg_user_size(kmsg), 28);
	fx_consume(kmsg);
	fx_assert_right(a, s, T_SEND, 1);
	fx_assert_counts(pb, 1, 0, 2);
}

/* Spec 3.4: a destination whose port died. */
static void
test_header_dead_destination(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rb = fx_alloc_receive(b), n = fx_alloc_receive(a), s, so1, so2;
	ipc_port_t np = fx_port(a, n), prev = IP_NULL;
	ipc_kmsg_t kmsg;
	ipc_entry_t entry;

	s = fx_give(b, rb, MAKE_SEND, a);
	assert_int_equal(fx_give(b, rb, MAKE_SEND, a), s);
	so1 = fx_give(b, rb, MAKE_SONCE, a);
	so2 = fx_give(b, rb, MAKE_SONCE, a);
	assert_int_equal(ipc_right_request_alloc(a, so2, false, false,
	    fx_copyin(a, n, MAKE_SONCE), &prev), KERN_SUCCESS);
	assert_int_equal(fx_destroy(b, rb), KERN_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_DEAD_NAME), so2);

	/* COPY_SEND: INVALID_DEST, and the entry stays converted. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, 0, 0), s, 0, 0, &kmsg),
	    MACH_SEND_INVALID_DEST);
	entry = fx_entry(a, s);
	assert_int_equal(ie_bits_type(entry->ie_bits), T_DEAD_NAME);
	assert_int_equal(ie_bits_urefs(entry->ie_bits), 2);
	assert_int_equal(send_header(a, BITS(MOVE_SEND, 0, 0), s, 0, 0, &kmsg),
	    MACH_SEND_INVALID_DEST);
	fx_assert_right(a, s, T_DEAD_NAME, 2);

	/* MOVE_SEND_ONCE without a dead-name request: accepted; the send
	 * then "succeeds" and the message is thrown away (spec 6.1). */
	assert_int_equal(send_header(a, BITS(MOVE_SONCE, 0, 0), so1, 0, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	fx_assert_no_name(a, so1);
	assert_false(ip_active(kmsg->ikm_remote));
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	assert_int_equal(fx_qlen(np), 0);

	/* With a request: INVALID_DEST; the name is dead with +1 uref. */
	assert_int_equal(send_header(a, BITS(MOVE_SONCE, 0, 0), so2, 0, 0, &kmsg),
	    MACH_SEND_INVALID_DEST);
	fx_assert_right(a, so2, T_DEAD_NAME, 2);
}

/* Spec 3.5: dest and reply under one name, every disposition pair, on a
 * SEND|RECEIVE name holding 1 and 2 urefs.  `take` is the urefs a success
 * consumes; a failure consumes nothing. */
static const struct {
	mach_msg_type_name_t dest, reply;
	mach_msg_return_t    u1, u2;
	uint32_t             take;
} same_name[] = {
	{ MOVE_SEND,  MOVE_SEND,  MACH_SEND_INVALID_DEST, MACH_MSG_SUCCESS, 2 },
	{ MOVE_SEND,  COPY_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 1 },
	{ MOVE_SEND,  MAKE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 1 },
	{ MOVE_SEND,  MAKE_SONCE, MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 1 },
	{ MOVE_SEND,  MOVE_SONCE, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ COPY_SEND,  MOVE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 1 },
	{ COPY_SEND,  COPY_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ COPY_SEND,  MAKE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ COPY_SEND,  MAKE_SONCE, MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ COPY_SEND,  MOVE_SONCE, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MAKE_SEND,  MOVE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 1 },
	{ MAKE_SEND,  COPY_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ MAKE_SEND,  MAKE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ MAKE_SEND,  MAKE_SONCE, MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ MAKE_SEND,  MOVE_SONCE, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MAKE_SONCE, MOVE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 1 },
	{ MAKE_SONCE, COPY_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ MAKE_SONCE, MAKE_SEND,  MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ MAKE_SONCE, MAKE_SONCE, MACH_MSG_SUCCESS, MACH_MSG_SUCCESS, 0 },
	{ MAKE_SONCE, MOVE_SONCE, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MOVE_SONCE, MOVE_SEND,  MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MOVE_SONCE, COPY_SEND,  MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MOVE_SONCE, MAKE_SEND,  MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MOVE_SONCE, MAKE_SONCE, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
	{ MOVE_SONCE, MOVE_SONCE, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_DEST, 0 },
};

static uint32_t
count_of(mach_msg_type_name_t x, mach_msg_type_name_t y, mach_msg_type_name_t a,
    mach_msg_type_name_t b)
{
	return (x == a || x == b) + (y == a || y == b);
}

static void
test_header_same_name(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	size_t i;
	uint32_t u, k;

	for (u = 1; u <= 2; u++) {
		for (i = 0; i < sizeof(same_name) / sizeof(same_name[0]); i++) {
			mach_msg_type_name_t d = same_name[i].dest, r = same_name[i].reply;
			mach_msg_return_t expect = u == 1 ? same_name[i].u1 : same_name[i].u2;
			mach_port_name_t name = fx_alloc_receive(a);
			ipc_port_t p = fx_port(a, name);
			uint32_t left, sends, sonces;
			struct snap before;
			ipc_kmsg_t kmsg;
			mach_msg_return_t mr;

			for (k = 0; k < u; k++)
				assert_int_equal(fx_give(a, name, MAKE_SEND, a), name);
			before = snap(a, name);
			mr = send_header(a, BITS(d, r, 0), name, name, 0, &kmsg);
			if (mr != expect)
				print_error("dest %u reply %u urefs %u: got %#x, want %#x\n",
				    d, r, u, mr, expect);
			assert_int_equal(mr, expect);
			if (mr != MACH_MSG_SUCCESS) {
				assert_snap(a, name, before);
			} else {
				left = u - same_name[i].take;
				sends = count_of(d, r, MOVE_SEND, COPY_SEND) + count_of(d, r, MAKE_SEND, 0);
				sonces = count_of(d, r, MAKE_SONCE, 0);
				assert_int_equal(kmsg->ikm_bits,
				    BITS(fx_held_type(d), fx_held_type(r), 0));
				assert_ptr_equal(kmsg->ikm_remote, p);
				assert_ptr_equal(kmsg->ikm_local, p);
				if (left > 0)
					fx_assert_right(a, name, T_SEND | T_RECEIVE, left);
				else
					fx_assert_right(a, name, T_RECEIVE, 0);
				fx_assert_counts(p, (left > 0) + sends, sonces,
				    u + count_of(d, r, MAKE_SEND, 0));
				/* Destroyed unused: each send-once right notifies. */
				ipc_kmsg_destroy(kmsg);
				assert_int_equal(fx_qlen(p), sonces);
				for (k = 0; k < sonces; k++)
					fx_expect_notification(p, MACH_NOTIFY_SEND_ONCE);
				fx_assert_counts(p, left > 0, 0, u + count_of(d, r, MAKE_SEND, 0));
			}
			assert_int_equal(fx_destroy(a, name), KERN_SUCCESS);
		}
	}
}

/* Spec 3.5 on a SEND-only name: a MAKE on the reply side fails the reply
 * check (3.3), a MAKE on the dest side fails at 3.4; MOVE + MOVE needs 2. */
static void
test_header_same_name_send_only(void **state)
{
	static const struct {
		mach_msg_type_name_t dest, reply;
		uint32_t urefs;
		mach_msg_return_t expect;
		uint32_t left;
	} rows[] = {
		{ MAKE_SEND,  MOVE_SEND,  2, MACH_SEND_INVALID_DEST,  2 },
		{ MAKE_SONCE, COPY_SEND,  2, MACH_SEND_INVALID_DEST,  2 },
		{ MOVE_SEND,  MAKE_SEND,  2, MACH_SEND_INVALID_REPLY, 2 },
		{ COPY_SEND,  MAKE_SONCE, 2, MACH_SEND_INVALID_REPLY, 2 },
		{ MOVE_SEND,  MOVE_SEND,  1, MACH_SEND_INVALID_DEST,  1 },
		{ COPY_SEND,  COPY_SEND,  1, MACH_MSG_SUCCESS,        1 },
		{ MOVE_SEND,  COPY_SEND,  1, MACH_MSG_SUCCESS,        0 },
		{ COPY_SEND,  MOVE_SEND,  1, MACH_MSG_SUCCESS,        0 },
		{ MOVE_SEND,  MOVE_SEND,  2, MACH_MSG_SUCCESS,        0 },
		{ MOVE_SEND,  MOVE_SEND,  3, MACH_MSG_SUCCESS,        1 },
	};
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rb = fx_alloc_receive(b), s;
	ipc_port_t pb = fx_port(b, rb);
	ipc_kmsg_t kmsg;
	size_t i;
	uint32_t k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		s = fx_give(b, rb, MAKE_SEND, a);
		for (k = 1; k < rows[i].urefs; k++)
			assert_int_equal(fx_give(b, rb, MAKE_SEND, a), s);
		assert_int_equal(send_header(a, BITS(rows[i].dest, rows[i].reply, 0), s, s, 0,
		    &kmsg), rows[i].expect);
		if (rows[i].left > 0)
			fx_assert_right(a, s, T_SEND, rows[i].left);
		else
			fx_assert_no_name(a, s);
		if (rows[i].expect == MACH_MSG_SUCCESS) {
			assert_ptr_equal(kmsg->ikm_remote, pb);
			assert_ptr_equal(kmsg->ikm_local, pb);
			assert_int_equal(pb->ip_srights, (rows[i].left > 0) + 2);
			fx_consume(kmsg);
		}
		assert_int_equal(pb->ip_srights, rows[i].left > 0);
		if (rows[i].left > 0)
			assert_int_equal(fx_destroy(a, s), KERN_SUCCESS);
		assert_int_equal(pb->ip_srights, 0);
	}
}

/* Spec 3.3 "dead reply names" and 3.6: a dead-name entry is refused as
 * reply; a right whose port died (not yet converted) travels as
 * MACH_PORT_DEAD, MOVE taking a uref of the now dead name. */
static void
test_header_dead_reply(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t d = fx_alloc_receive(a), dn, rb1 = fx_alloc_receive(b);
	mach_port_name_t rb2 = fx_alloc_receive(b), s1, s2, so;
	struct snap sd;
	ipc_kmsg_t kmsg;

	assert_int_equal(fx_give(a, d, MAKE_SEND, a), d);
	sd = snap(a, d);
	dn = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(send_header(a, BITS(MOVE_SEND, COPY_SEND, 0), d, dn, 0, &kmsg),
	    MACH_SEND_INVALID_REPLY);
	assert_int_equal(send_header(a, BITS(MOVE_SEND, MOVE_SEND, 0), d, dn, 0, &kmsg),
	    MACH_SEND_INVALID_REPLY);
	assert_int_equal(send_header(a, BITS(MOVE_SEND, MOVE_SONCE, 0), d, dn, 0, &kmsg),
	    MACH_SEND_INVALID_REPLY);
	assert_snap(a, d, sd);
	fx_assert_right(a, dn, T_DEAD_NAME, 1);

	s1 = fx_give(b, rb1, MAKE_SEND, a);
	assert_int_equal(fx_give(b, rb1, MAKE_SEND, a), s1);
	so = fx_give(b, rb1, MAKE_SONCE, a);
	s2 = fx_give(b, rb2, MAKE_SEND, a);
	assert_int_equal(fx_give(b, rb2, MAKE_SEND, a), s2);
	assert_int_equal(fx_destroy(b, rb1), KERN_SUCCESS);
	assert_int_equal(fx_destroy(b, rb2), KERN_SUCCESS);

	/* COPY_SEND: DEAD delivered, the dead name keeps its urefs. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, COPY_SEND, 0), d, s1, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_ptr_equal(kmsg->ikm_local, IP_DEAD);
	assert_int_equal(kmsg->ikm_bits, BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND, 0));
	fx_consume(kmsg);
	fx_assert_right(a, s1, T_DEAD_NAME, 2);
	/* Now a dead-name entry: refused. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, COPY_SEND, 0), d, s1, 0, &kmsg),
	    MACH_SEND_INVALID_REPLY);
	/* MOVE_SEND: DEAD delivered, one uref of the dead name taken. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, MOVE_SEND, 0), d, s2, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_ptr_equal(kmsg->ikm_local, IP_DEAD);
	fx_consume(kmsg);
	fx_assert_right(a, s2, T_DEAD_NAME, 1);
	/* MOVE_SEND_ONCE: DEAD delivered, the name goes. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, MOVE_SONCE, 0), d, so, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_ptr_equal(kmsg->ikm_local, IP_DEAD);
	assert_int_equal(kmsg->ikm_bits,
	    BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	fx_consume(kmsg);
	fx_assert_no_name(a, so);
	assert_snap(a, d, sd);
}

/* --- body: spec 4.3 ------------------------------------------------------------------ */

struct pdesc {
	mach_port_name_t name;
	uint8_t          disp;
};

/* A complex message to `dest` (COPY_SEND) with reply `reply` / `rdisp`,
 * the raw voucher field `voucher` (no voucher disposition) and the given
 * port descriptors. */
static mach_msg_return_t
send_ports_v(struct ipc_space *space, mach_port_name_t dest, mach_msg_type_name_t rdisp,
    mach_port_name_t reply, mach_port_name_t voucher, const struct pdesc *pd, uint32_t n,
    ipc_kmsg_t *kmsgp)
{
	uint8_t buf[28 + 12 * 16];
	uint32_t off = 28, i;

	assert_true(n <= 16);
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, rdisp, 0), dest, reply, voucher, 42);
	fx_put32(buf, 24, n);
	for (i = 0; i < n; i++)
		off = fx_msg_port_desc(buf, off, pd[i].name, pd[i].disp);
	return fx_msg_copyin(space, buf, off, kmsgp);
}

static mach_msg_return_t
send_ports(struct ipc_space *space, mach_port_name_t dest, mach_msg_type_name_t rdisp,
    mach_port_name_t reply, const struct pdesc *pd, uint32_t n, ipc_kmsg_t *kmsgp)
{
	return send_ports_v(space, dest, rdisp, reply, 0, pd, n, kmsgp);
}

/* NULL and DEAD names are not looked up; any disposition is accepted and
 * converted, an invalid one to 0. */
static void
test_body_null_dead_names(void **state)
{
	static const struct pdesc pd[] = {
		{ MACH_PORT_NULL, 0 }, { MACH_PORT_NULL, 15 }, { MACH_PORT_NULL, 22 },
		{ MACH_PORT_NULL, 255 }, { MACH_PORT_NULL, COPY_SEND },
		{ MACH_PORT_DEAD, 255 }, { MACH_PORT_DEAD, MAKE_SONCE }, { MACH_PORT_DEAD, 0 },
		{ MACH_PORT_DEAD, MOVE_RECEIVE },
	};
	static const uint8_t held[] = { 0, 0, 0, 0, 17, 0, 18, 0, 16 };
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t t = fx_give(b, fx_alloc_receive(b), MAKE_SEND, a);
	ipc_kmsg_t kmsg;
	uint32_t i, n = sizeof(pd) / sizeof(pd[0]);

	assert_int_equal(send_ports(a, t, 0, 0, pd, n, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg->ikm_dsc_count, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(kmsg->ikm_dsc[i].type, MACH_MSG_PORT_DESCRIPTOR);
		assert_int_equal(kmsg->ikm_dsc[i].disposition, held[i]);
		assert_ptr_equal(kmsg->ikm_dsc[i].port, i < 5 ? IP_NULL : IP_DEAD);
	}
	fx_consume(kmsg);
	fx_assert_right(a, t, T_SEND, 1);
}

/* Each disposition taken from the sender (4.3), then the message copied
 * out into the receiver (6.6): coalescing, fresh send-once names, DEAD. */
static void
test_body_dispositions_round_trip(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rt = fx_alloc_receive(b), rs = fx_alloc_receive(b);
	mach_port_name_t t, x = fx_alloc_receive(a), s, so, dn, name[9], bx;
	ipc_port_t pt = fx_port(b, rt), ps = fx_port(b, rs), px = fx_port(a, x);
	uint8_t out[28 + 9 * 12];
	mach_msg_header_t hdr;
	uint32_t len = 0, i;
	ipc_kmsg_t kmsg;

	t = fx_give(b, rt, MAKE_SEND, a);
	s = fx_give(b, rs, MAKE_SEND, a);
	assert_int_equal(fx_give(b, rs, MAKE_SEND, a), s);
	so = fx_give(b, rs, MAKE_SONCE, a);
	dn = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	assert_int_equal(fx_delta(a, dn, MACH_PORT_RIGHT_DEAD_NAME, 1),
	    KERN_SUCCESS);
	{
		const struct pdesc pd[] = {
			{ x, MAKE_SEND }, { x, MAKE_SONCE }, { s, COPY_SEND }, { s, MOVE_SEND },
			{ so, MOVE_SONCE }, { dn, MOVE_SEND }, { dn, COPY_SEND }, { dn, MOVE_SONCE },
			{ x, MOVE_RECEIVE },
		};
		static const uint8_t held[] = { 17, 18, 17, 17, 18, 17, 17, 18, 16 };

		assert_int_equal(send_ports(a, t, 0, 0, pd, 9, &kmsg), MACH_MSG_SUCCESS);
		for (i = 0; i < 9; i++)
			assert_int_equal(kmsg->ikm_dsc[i].disposition, held[i]);
	}
	assert_ptr_equal(kmsg->ikm_dsc[0].port, px);
	assert_ptr_equal(kmsg->ikm_dsc[2].port, ps);
	assert_ptr_equal(kmsg->ikm_dsc[4].port, ps);
	assert_ptr_equal(kmsg->ikm_dsc[5].port, IP_DEAD);
	assert_ptr_equal(kmsg->ikm_dsc[6].port, IP_DEAD);
	assert_ptr_equal(kmsg->ikm_dsc[7].port, IP_DEAD);
	assert_ptr_equal(kmsg->ikm_dsc[8].port, px);
	assert_false(kmsg->ikm_circular);
	/* Sender side. */
	fx_assert_no_name(a, x);                  /* receive-only, moved */
	fx_assert_right(a, s, T_SEND, 1);
	fx_assert_no_name(a, so);
	fx_assert_no_name(a, dn);                 /* 2 urefs: MOVE_SEND + MOVE_SEND_ONCE */
	fx_assert_counts(px, 1, 1, 0);            /* mscount reset by the move */
	fx_assert_counts(ps, 3, 1, 2);
	/* Spec 4.5: in transit towards the destination. */
	assert_null(px->ip_receiver);
	assert_ptr_equal(px->ip_destination, pt);

	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pt);
	assert_int_equal(ipc_kmsg_copyout(b, kmsg, 0, rt, false, 0, out, &len), MACH_MSG_SUCCESS);
	assert_int_equal(len, sizeof(out));
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, COMPLEX | BITS(0, MACH_MSG_TYPE_PORT_SEND, 0));
	assert_int_equal(hdr.msgh_size, sizeof(out));
	assert_int_equal(hdr.msgh_local_port, rt);
	assert_int_equal(hdr.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(hdr.msgh_id, 42);
	for (i = 0; i < 9; i++) {
		uint32_t pad;
		memcpy(&name[i], out + 28 + 12 * i, 4);
		memcpy(&pad, out + 28 + 12 * i + 4, 4);
		assert_int_equal(pad, 0);
		assert_int_equal(out[28 + 12 * i + 8], 0);
		assert_int_equal(out[28 + 12 * i + 9], 0);
		assert_int_equal(out[28 + 12 * i + 11], MACH_MSG_PORT_DESCRIPTOR);
	}
	bx = name[0];
	fx_assert_right(b, bx, T_SEND | T_RECEIVE, 1);   /* receive joined the send name */
	assert_int_equal(name[8], bx);
	assert_int_not_equal(name[1], bx);               /* send-once: fresh */
	fx_assert_right(b, name[1], T_SEND_ONCE, 1);
	assert_int_equal(name[2], rs);                   /* coalesced on B's receive name */
	assert_int_equal(name[3], rs);
	fx_assert_right(b, rs, T_SEND | T_RECEIVE, 2);
	fx_assert_right(b, name[4], T_SEND_ONCE, 1);
	assert_int_not_equal(name[4], name[1]);
	assert_int_equal(name[5], MACH_PORT_DEAD);
	assert_int_equal(name[6], MACH_PORT_DEAD);
	assert_int_equal(name[7], MACH_PORT_DEAD);
	assert_ptr_equal(px->ip_receiver, b);
	assert_null(px->ip_destination);
	fx_assert_counts(pt, 1, 0, 1);                   /* the dest right was consumed */
	fx_assert_counts(ps, 2, 1, 2);
	fx_assert_counts(px, 1, 1, 0);
}

/* Spec 4.3: a descriptor that cannot be copied in fails the send with
 * MACH_SEND_INVALID_RIGHT after destroying the header rights and every
 * earlier descriptor (3.1 step 10, 5.5). */
static void
test_body_failure_destroys(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rt = fx_alloc_receive(b), rz = fx_alloc_receive(b);
	mach_port_name_t t, x = fx_alloc_receive(a), y = fx_alloc_receive(a), z, ysb;
	ipc_port_t pt = fx_port(b, rt), pz = fx_port(b, rz), px = fx_port(a, x), py;
	ipc_kmsg_t kmsg;
	uint64_t kmsgs = kalloc_live(KA_KMSG);

	py = fx_port(a, y);
	t = fx_give(b, rt, MAKE_SEND, a);
	z = fx_give(b, rz, MAKE_SEND, a);
	ysb = fx_give(a, y, MAKE_SEND, b);
	{
		const struct pdesc pd[] = {
			{ x, MAKE_SONCE }, { y, MOVE_RECEIVE }, { z, MOVE_SEND },
			{ fx_stale_name(x), COPY_SEND }, { x, MAKE_SEND },
		};
		assert_int_equal(send_ports(a, t, MAKE_SONCE, x, pd, 5, &kmsg),
		    MACH_SEND_INVALID_RIGHT);
	}
	/* Header: dest released, reply send-once notified. */
	fx_assert_counts(pt, 1, 0, 1);
	/* Descriptor 0 notified; descriptor 4 never taken. */
	assert_int_equal(fx_qlen(px), 2);
	assert_int_equal(kalloc_live(KA_KMSG), kmsgs + 2);
	fx_expect_notification(px, MACH_NOTIFY_SEND_ONCE);
	fx_expect_notification(px, MACH_NOTIFY_SEND_ONCE);
	fx_assert_counts(px, 0, 0, 0);
	/* Descriptor 1: the receive right was destroyed, the port is dead. */
	fx_assert_no_name(a, y);
	assert_false(ip_active(py));
	fx_assert_right(b, ysb, T_DEAD_NAME, 1);
	/* Descriptor 2: the moved send right is gone, not returned. */
	fx_assert_no_name(a, z);
	fx_assert_counts(pz, 0, 0, 1);
	assert_int_equal(kalloc_live(KA_KMSG), kmsgs);
}

/* Spec 4.3: names that exist but cannot give the disposition, and
 * invalid dispositions on valid names: INVALID_RIGHT; only the header
 * rights go. */
static void
test_body_invalid_rights(void **state)
{
	static const uint8_t bad_disp[] = { 0, 1, 15, 22, 24, 25, 26, 255 };
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rt = fx_alloc_receive(b), t, x = fx_alloc_receive(a), so, dn, ps;
	ipc_port_t pt = fx_port(b, rt);
	struct pdesc pd;
	struct snap sx;
	ipc_kmsg_t kmsg;
	size_t i;

	t = fx_give(b, rt, MAKE_SEND, a);
	so = fx_give(b, rt, MAKE_SONCE, a);
	dn = fx_allocate(fx->task[0], MACH_PORT_RIGHT_DEAD_NAME);
	ps = fx_allocate(fx->task[0], MACH_PORT_RIGHT_PORT_SET);
	sx = snap(a, x);
	for (i = 0; i < sizeof(bad_disp); i++) {
		pd.name = x;
		pd.disp = bad_disp[i];
		assert_int_equal(send_ports(a, t, 0, 0, &pd, 1, &kmsg), MACH_SEND_INVALID_RIGHT);
		assert_snap(a, x, sx);
		fx_assert_counts(pt, 1, 1, 1);
	}
	pd.name = ps;
	pd.disp = COPY_SEND;
	assert_int_equal(send_ports(a, t, 0, 0, &pd, 1, &kmsg), MACH_SEND_INVALID_RIGHT);
	pd.name = dn;
	pd.disp = MAKE_SEND;
	assert_int_equal(send_ports(a, t, 0, 0, &pd, 1, &kmsg), MACH_SEND_INVALID_RIGHT);
	pd.disp = MOVE_RECEIVE;
	assert_int_equal(send_ports(a, t, 0, 0, &pd, 1, &kmsg), MACH_SEND_INVALID_RIGHT);
	pd.name = so;
	pd.disp = COPY_SEND;
	assert_int_equal(send_ports(a, t, 0, 0, &pd, 1, &kmsg), MACH_SEND_INVALID_RIGHT);
	pd.name = x;
	pd.disp = MOVE_SEND;
	assert_int_equal(send_ports(a, t, 0, 0, &pd, 1, &kmsg), MACH_SEND_INVALID_RIGHT);
	fx_assert_right(a, dn, T_DEAD_NAME, 1);
	fx_assert_right(a, so, T_SEND_ONCE, 1);
	fx_assert_right(a, ps, T_PORT_SET, 0);
	fx_assert_right(a, t, T_SEND, 1);
	fx_assert_counts(pt, 1, 1, 1);
}

/* Spec 4.5: a receive right sent to itself makes the message circular;
 * destroying it destroys the port, and the sender's name goes dead. */
static void
test_body_circular(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a);
	ipc_port_t p = fx_port(a, r);
	struct pdesc pd = { r, MOVE_RECEIVE };
	ipc_kmsg_t kmsg;

	assert_int_equal(fx_give(a, r, MAKE_SEND, a), r);
	assert_int_equal(send_ports(a, r, 0, 0, &pd, 1, &kmsg), MACH_MSG_SUCCESS);
	assert_true(kmsg->ikm_circular);
	fx_assert_right(a, r, T_SEND, 1);
	ipc_kmsg_destroy(kmsg);
	assert_false(ip_active(p));
	fx_assert_right(a, r, T_DEAD_NAME, 1);
}

/* Spec 4.5: the cycle may go through ports in transit: R travels to D,
 * then D is sent to R.  Destroying the circular message kills both. */
static void
test_body_circular_chain(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a), d = fx_alloc_receive(a);
	ipc_port_t pr = fx_port(a, r), pdp = fx_port(a, d);
	struct pdesc pd;
	ipc_kmsg_t m1, m2;

	assert_int_equal(fx_give(a, r, MAKE_SEND, a), r);
	assert_int_equal(fx_give(a, d, MAKE_SEND, a), d);
	pd.name = r;
	pd.disp = MOVE_RECEIVE;
	assert_int_equal(send_ports(a, d, 0, 0, &pd, 1, &m1), MACH_MSG_SUCCESS);
	assert_false(m1->ikm_circular);
	assert_ptr_equal(pr->ip_destination, pdp);
	assert_int_equal(ipc_mqueue_send(m1, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	pd.name = d;
	assert_int_equal(send_ports(a, r, 0, 0, &pd, 1, &m2), MACH_MSG_SUCCESS);
	assert_true(m2->ikm_circular);
	ipc_kmsg_destroy(m2);
	assert_false(ip_active(pdp));
	assert_false(ip_active(pr));
	fx_assert_right(a, r, T_DEAD_NAME, 1);
	fx_assert_right(a, d, T_DEAD_NAME, 1);
}

/* Spec 6.6 / 5.7: receiving consumes the destination send right; the
 * last one going fires an armed no-senders request. */
static void
test_copyout_dest_fires_no_senders(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t r = fx_alloc_receive(a), n = fx_alloc_receive(a);
	ipc_port_t pr = fx_port(a, r), np = fx_port(a, n), prev = IP_NULL;
	uint8_t out[24];
	uint32_t len = 0;
	ipc_kmsg_t kmsg;

	assert_int_equal(fx_request_notification(fx->task[0], r, MACH_NOTIFY_NO_SENDERS, 1,
	    fx_copyin(a, n, MAKE_SONCE), &prev), KERN_SUCCESS);
	assert_int_equal(send_header(a, BITS(MAKE_SEND, 0, 0), r, 0, 0, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	assert_int_equal(fx_qlen(np), 0);
	kmsg = fx_dequeue(pr);
	assert_int_equal(ipc_kmsg_copyout(a, kmsg, 0, r, false, 0, out, &len), MACH_MSG_SUCCESS);
	assert_int_equal(fx_expect_notification(np, MACH_NOTIFY_NO_SENDERS), 1);
	fx_assert_counts(pr, 0, 0, 1);
}

/* Appendix B: a complex message carrying one send right, as the receiver
 * sees it. */
static void
test_copyout_appendix_b(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rd = fx_alloc_receive(b), sr = fx_alloc_receive(a), dd, ss, got;
	ipc_port_t pd = fx_port(b, rd);
	uint8_t in[40], out[40];
	mach_msg_header_t hdr;
	uint32_t len = 0, count;
	ipc_kmsg_t kmsg;

	dd = fx_give(b, rd, MAKE_SEND, a);
	ss = fx_give(a, sr, MAKE_SEND, a);
	fx_msg_header(in, 0x80000013u, dd, 0, 0, 42);
	fx_put32(in, 24, 1);
	fx_msg_port_desc(in, 28, ss, COPY_SEND);
	assert_int_equal(fx_msg_copyin(a, in, 40, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pd);
	assert_int_equal(kmsg->ikm_seqno, 0);
	assert_int_equal(ipc_kmsg_copyout(b, kmsg, 0, rd, false, 0, out, &len), MACH_MSG_SUCCESS);
	assert_int_equal(len, 40);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, 0x80001100u);
	assert_int_equal(hdr.msgh_size, 40);
	assert_int_equal(hdr.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(hdr.msgh_local_port, rd);
	assert_int_equal(hdr.msgh_voucher_port, 0);
	assert_int_equal(hdr.msgh_id, 42);
	memcpy(&count, out + 24, 4);
	assert_int_equal(count, 1);
	memcpy(&got, out + 28, 4);
	assert_int_equal(out[38], 0x11);
	assert_int_equal(out[39], 0);
	fx_assert_right(b, got, T_SEND, 1);
	assert_ptr_equal(fx_port(b, got), fx_port(a, sr));
	fx_assert_counts(pd, 1, 0, 1);

	/* Spec 3.6: with no voucher disposition the raw field arrives as sent. */
	fx_msg_header(in, MACH_MSG_TYPE_COPY_SEND, dd, 0, 0x12345, 43);
	assert_int_equal(fx_msg_copyin(a, in, 24, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pd);
	assert_int_equal(kmsg->ikm_seqno, 1);
	assert_int_equal(ipc_kmsg_copyout(b, kmsg, 0, rd, false, 0, out, &len), MACH_MSG_SUCCESS);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, 0x1100u);
	assert_int_equal(hdr.msgh_voucher_port, 0x12345);
	assert_int_equal(hdr.msgh_id, 43);
}

/* Spec 6.6 / 6.5: the receiver has no room for the reply name: the
 * message becomes the bare header (reply and body rights destroyed),
 * returned with MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE.  The bare
 * header keeps the reply type in the remote bits and COMPLEX. */
static void
test_copyout_header_error(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1], *c = fx_small_task(fx, 2);
	mach_port_name_t rc, dc, x = fx_alloc_receive(a), s;
	ipc_port_t pc, px = fx_port(a, x), ps;
	struct pdesc pd;
	uint8_t out[64];
	mach_msg_header_t hdr;
	uint32_t len = 0;
	ipc_kmsg_t kmsg;

	rc = fx_alloc_receive(c);                     /* now full */
	pc = fx_port(c, rc);
	dc = fx_give(c, rc, MAKE_SEND, a);
	s = fx_give(b, fx_alloc_receive(b), MAKE_SEND, a);
	ps = fx_port(a, s);
	pd.name = s;
	pd.disp = COPY_SEND;
	assert_int_equal(send_ports_v(a, dc, MAKE_SONCE, x, 0x12345, &pd, 1, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pc);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(ipc_kmsg_copyout(c, kmsg, 0, rc, false, 0, out, &len),
	    MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE);
	assert_int_equal(len, 24);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, COMPLEX |
	    BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND, 0));
	assert_int_equal(hdr.msgh_size, 24);
	assert_int_equal(hdr.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(hdr.msgh_local_port, rc);
	assert_int_equal(hdr.msgh_voucher_port, 0x12345);     /* spec 3.6: raw value */
	assert_int_equal(hdr.msgh_id, 42);
	/* Reply right destroyed unused, body right released, dest consumed. */
	fx_expect_notification(px, MACH_NOTIFY_SEND_ONCE);
	fx_assert_counts(ps, 1, 0, 1);
	fx_assert_counts(pc, 1, 0, 1);
	assert_int_equal(c->is_inuse, 2);
}

/* Spec 6.6: a descriptor right the receiver has no room for arrives as
 * MACH_PORT_NULL (the right destroyed); the message is still delivered
 * with MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE. */
static void
test_copyout_body_error(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *c = fx_small_task(fx, 2);
	mach_port_name_t rc, dc, x = fx_alloc_receive(a), got;
	ipc_port_t pc, px = fx_port(a, x);
	struct pdesc pd = { x, MAKE_SEND };
	uint8_t out[40];
	mach_msg_header_t hdr;
	uint32_t len = 0;
	ipc_kmsg_t kmsg;

	rc = fx_alloc_receive(c);
	pc = fx_port(c, rc);
	dc = fx_give(c, rc, MAKE_SEND, a);
	assert_int_equal(send_ports(a, dc, 0, 0, &pd, 1, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pc);
	assert_int_equal(ipc_kmsg_copyout(c, kmsg, 0, rc, false, 0, out, &len),
	    MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE);
	assert_int_equal(len, 40);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, COMPLEX | BITS(0, MACH_MSG_TYPE_PORT_SEND, 0));
	assert_int_equal(hdr.msgh_size, 40);
	assert_int_equal(hdr.msgh_local_port, rc);
	memcpy(&got, out + 28, 4);
	assert_int_equal(got, MACH_PORT_NULL);
	assert_int_equal(out[38], MACH_MSG_TYPE_PORT_SEND);
	fx_assert_counts(px, 0, 0, 1);            /* the made send right is gone */
	assert_int_equal(c->is_inuse, 2);
}

/* Spec 6.5 without MACH_RCV_LARGE: the message is destroyed, the bare
 * header (reply type kept in the bits, remote NULL or the DEAD that was
 * sent) and the kernel's trailer, if it fits, are written. */
static void
test_copyout_too_large(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rd = fx_alloc_receive(b), dd, x = fx_alloc_receive(a), s;
	ipc_port_t pd = fx_port(b, rd), px = fx_port(a, x), ps;
	struct pdesc desc;
	uint8_t out[64];
	mach_msg_header_t hdr;
	mach_msg_security_trailer_t tr;
	uint32_t len = 0;
	uint64_t option = MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER);
	ipc_kmsg_t kmsg;

	dd = fx_give(b, rd, MAKE_SEND, a);
	s = fx_give(b, fx_alloc_receive(b), MAKE_SEND, a);
	ps = fx_port(a, s);
	desc.name = s;
	desc.disp = COPY_SEND;
	pd->ip_messages.imq_seqno = 9;
	assert_int_equal(send_ports_v(a, dd, MAKE_SONCE, x, 0x12345, &desc, 1, &kmsg),
	    MACH_MSG_SUCCESS);
	kmsg->ikm_sender.val[0] = 501;                /* the sender's, not to be seen */
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pd);
	assert_int_equal(kmsg->ikm_seqno, 9);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(ipc_kmsg_copyout_too_large(b, kmsg, option, 0x77, out, 44, &len),
	    MACH_RCV_TOO_LARGE);
	assert_int_equal(len, 44);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, COMPLEX |
	    BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND, 0));
	assert_int_equal(hdr.msgh_size, 24);
	assert_int_equal(hdr.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(hdr.msgh_local_port, rd);
	assert_int_equal(hdr.msgh_voucher_port, 0x12345);     /* spec 3.6: raw value */
	assert_int_equal(hdr.msgh_id, 42);
	memcpy(&tr, out + 24, sizeof(tr));
	assert_int_equal(tr.msgh_trailer_type, 0);
	assert_int_equal(tr.msgh_trailer_size, 20);
	assert_int_equal(tr.msgh_seqno, 9);
	assert_int_equal(tr.msgh_sender.val[0], 0);
	assert_int_equal(tr.msgh_sender.val[1], 1);
	assert_int_equal(out[44], 0xee);
	fx_expect_notification(px, MACH_NOTIFY_SEND_ONCE);
	fx_assert_counts(ps, 1, 0, 1);
	fx_assert_counts(pd, 1, 0, 1);

	/* A DEAD reply name is reported as sent; no room for the trailer. */
	assert_int_equal(send_header(a, BITS(COPY_SEND, COPY_SEND, 0), dd, MACH_PORT_DEAD, 0,
	    &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pd);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(ipc_kmsg_copyout_too_large(b, kmsg, option, 0, out, 43, &len),
	    MACH_RCV_TOO_LARGE);
	assert_int_equal(len, 24);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits,
	    BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND, 0));
	assert_int_equal(hdr.msgh_remote_port, MACH_PORT_DEAD);
	assert_int_equal(out[24], 0xee);
	fx_assert_counts(pd, 1, 0, 1);
}

/* Spec 6.7 (and T2's pseudo mode): a failed send is received back into
 * the sender, header not reversed, dispositions as held, the rights
 * coalescing on the sender's names. */
static void
test_copyout_pseudo_receive(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rd = fx_alloc_receive(b), dd, x = fx_alloc_receive(a), n1, n2, rn;
	ipc_port_t pd = fx_port(b, rd), px = fx_port(a, x);
	struct pdesc desc[2];
	uint8_t out[52];
	mach_msg_header_t hdr;
	uint32_t len = 0;
	ipc_kmsg_t kmsg;

	dd = fx_give(b, rd, MAKE_SEND, a);
	assert_int_equal(fx_give(a, x, MAKE_SEND, a), x);
	desc[0].name = x;
	desc[0].disp = COPY_SEND;
	desc[1].name = x;
	desc[1].disp = MAKE_SEND;
	assert_int_equal(send_ports(a, dd, MAKE_SONCE, x, desc, 2, &kmsg), MACH_MSG_SUCCESS);
	fx_assert_right(a, x, T_SEND | T_RECEIVE, 1);
	assert_int_equal(ipc_kmsg_copyout(a, kmsg, 0, MACH_PORT_NULL, true, 0, out, &len),
	    MACH_MSG_SUCCESS);
	assert_int_equal(len, 52);
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgh_bits, COMPLEX |
	    BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE, 0));
	assert_int_equal(hdr.msgh_remote_port, dd);            /* not reversed */
	rn = hdr.msgh_local_port;
	assert_int_not_equal(rn, x);                            /* send-once: fresh */
	fx_assert_right(a, rn, T_SEND_ONCE, 1);
	fx_assert_right(a, dd, T_SEND, 2);                     /* COPY_SEND came back extra */
	memcpy(&n1, out + 28, 4);
	memcpy(&n2, out + 40, 4);
	assert_int_equal(n1, x);
	assert_int_equal(n2, x);
	assert_int_equal(out[38], MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(out[50], MACH_MSG_TYPE_PORT_SEND);
	fx_assert_right(a, x, T_SEND | T_RECEIVE, 3);          /* T2: 3 send urefs */
	fx_assert_counts(px, 1, 1, 2);
	fx_assert_counts(pd, 1, 0, 1);
	assert_int_equal(fx_qlen(pd), 0);
}

/* Spec 1.5: trailer sizes per element value; only the requested prefix
 * is written. */
static void
test_trailer_sizes(void **state)
{
	static const uint32_t size[16] = {
		8, 12, 20, 52, 60, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68,
	};
	struct ipc_kmsg k;
	uint8_t out[68 + 4];
	mach_msg_max_trailer_t t;
	uint32_t i, j;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.ikm_seqno = 3;
	k.ikm_sender.val[0] = 501;
	k.ikm_sender.val[1] = 20;
	k.ikm_audit.val[5] = 4242;
	for (i = 0; i < 16; i++) {
		uint64_t option = MACH_RCV_TRAILER_ELEMENTS(i) | MACH_RCV_TRAILER_TYPE(0xfu);

		assert_int_equal(ipc_kmsg_trailer_size(option), size[i]);
		memset(out, 0xff, sizeof(out));
		ipc_kmsg_write_trailer(&k, option, 0x42424242, out);
		for (j = size[i]; j < sizeof(out); j++)
			assert_int_equal(out[j], 0xff);
		memset(&t, 0, sizeof(t));
		memcpy(&t, out, size[i]);
		assert_int_equal(t.msgh_trailer_type, 0);
		assert_int_equal(t.msgh_trailer_size, size[i]);
		if (size[i] >= 12)
			assert_int_equal(t.msgh_seqno, 3);
		if (size[i] >= 20) {
			assert_int_equal(t.msgh_sender.val[0], 501);
			assert_int_equal(t.msgh_sender.val[1], 20);
		}
		if (size[i] >= 52)
			assert_int_equal(t.msgh_audit.val[5], 4242);
		if (size[i] >= 60)
			assert_int_equal(t.msgh_context, 0x42424242);
		if (size[i] >= 68) {
			assert_int_equal(t.msgh_ad, 0);
			assert_int_equal(t.msgh_labels.sender, 0);
		}
	}
}

/* Spec 3.1 step 2: no kernel buffer is MACH_SEND_NO_BUFFER, before any
 * right is taken. */
static void
test_fault_get_no_buffer(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t d = fx_alloc_receive(a);
	struct snap before;
	ipc_kmsg_t kmsg;
	mach_msg_return_t mr;

	assert_int_equal(fx_give(a, d, MAKE_SEND, a), d);
	before = snap(a, d);
	kalloc_fault_config(1, 0);
	mr = send_header(a, BITS(MOVE_SEND, MAKE_SONCE, 0), d, d, 0, &kmsg);
	kalloc_fault_config(0, 0);
	assert_int_equal(mr, MACH_SEND_NO_BUFFER);
	assert_snap(a, d, before);
}

/* Spec 6.6: a kernel shortage while copying a right out gives
 * MACH_MSG_IPC_KERNEL: in the header (MACH_RCV_HEADER_ERROR, reply
 * destroyed) or in the body (MACH_RCV_BODY_ERROR, name NULL). */
static void
test_fault_copyout_ipc_kernel(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t rd = fx_alloc_receive(b), dd, x = fx_alloc_receive(a), got;
	ipc_port_t pd = fx_port(b, rd), px = fx_port(a, x);
	struct pdesc desc = { x, MAKE_SEND };
	uint8_t out[64];
	uint32_t len = 0;
	ipc_kmsg_t kmsg;
	mach_msg_return_t mr;

	dd = fx_give(b, rd, MAKE_SEND, a);
	while (b->is_free_head != 0)                 /* the next name grows the table */
		(void)fx_allocate(fx->task[1], MACH_PORT_RIGHT_DEAD_NAME);

	assert_int_equal(send_header(a, BITS(COPY_SEND, MAKE_SONCE, 0), dd, x, 0, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pd);
	kalloc_fault_config(1, 0);
	mr = ipc_kmsg_copyout(b, kmsg, 0, rd, false, 0, out, &len);
	kalloc_fault_config(0, 0);
	assert_int_equal(mr, MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_KERNEL);
	assert_int_equal(len, 24);
	fx_expect_notification(px, MACH_NOTIFY_SEND_ONCE);

	assert_int_equal(send_ports(a, dd, 0, 0, &desc, 1, &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(pd);
	kalloc_fault_config(1, 0);
	mr = ipc_kmsg_copyout(b, kmsg, 0, rd, false, 0, out, &len);
	kalloc_fault_config(0, 0);
	assert_int_equal(mr, MACH_RCV_BODY_ERROR | MACH_MSG_IPC_KERNEL);
	assert_int_equal(len, 40);
	memcpy(&got, out + 28, 4);
	assert_int_equal(got, MACH_PORT_NULL);
	fx_assert_counts(px, 0, 0, 1);
	fx_assert_counts(pd, 1, 0, 1);
}

/* The per-task ledger: a task's queued message bytes are bounded; over
 * the limit a send gets MACH_SEND_NO_BUFFER (spec 3.1 step 2) and nothing
 * is charged; freeing a message gives its bytes back. */
static void
test_ledger_limit(void **state)
{
	uint64_t saved = ipc_ledger_limit;
	struct ipc_ledger *ledger = ipc_ledger_create();
	ipc_kmsg_t k1 = ipc_kmsg_alloc(0, 40), k2 = ipc_kmsg_alloc(0, 40), k3 = ipc_kmsg_alloc(0, 40);

	(void)state;
	assert_non_null(ledger);
	ipc_ledger_limit = 2 * 64;                        /* two 64-byte messages */
	assert_int_equal(ipc_kmsg_charge(k1, ledger), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_kmsg_charge(k2, ledger), MACH_MSG_SUCCESS);
	assert_int_equal(ledger->il_bytes, 128);
	assert_int_equal(ipc_kmsg_charge(k3, ledger), MACH_SEND_NO_BUFFER);
	assert_int_equal(ledger->il_bytes, 128);
	assert_null(k3->ikm_ledger);
	ipc_kmsg_free(k1);
	assert_int_equal(ledger->il_bytes, 64);
	assert_int_equal(ipc_kmsg_charge(k3, ledger), MACH_MSG_SUCCESS);
	/* The ledger outlives its task while its messages are queued. */
	ipc_ledger_release(ledger);
	assert_int_equal(ledger->il_refs, 2);
	ipc_kmsg_free(k2);
	ipc_kmsg_free(k3);
	ipc_ledger_limit = saved;
}

/* --- out-of-line regions: ipc_kmsg_get_ool and OOL ports copyin ------------ */

static int
names_memfd(const mach_port_name_t *names, uint32_t n)
{
	int fd = memfd_create_sealed(names, n * sizeof(names[0]));

	assert_true(fd >= 0);
	return fd;
}

/* A message to `dest` (COPY_SEND) with one OOL ports descriptor of `n`
 * names in a memfd, through get, get_ool, copyin_header and copyin_body. */
static mach_msg_return_t
send_ool_ports(struct ipc_space *space, mach_port_name_t dest, mach_port_name_t reply,
    const mach_port_name_t *names, uint32_t n, mach_msg_type_name_t disp, uint32_t *takenp,
    ipc_kmsg_t *kmsgp)
{
	uint8_t buf[44];
	mach_msg_header_t hdr;
	ipc_kmsg_t kmsg;
	mach_msg_return_t mr;
	int fd = names_memfd(names, n);

	*kmsgp = IKM_NULL;
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, reply ? MAKE_SONCE : 0, 0), dest, reply, 0, 42);
	fx_put32(buf, 24, 1);
	fx_msg_desc16(buf, 28, MXP_OOL_ATTACHED, 0, 0, (uint8_t)disp, MACH_MSG_OOL_PORTS_DESCRIPTOR, n);
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &kmsg), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_kmsg_get_ool(kmsg, &fd, 1), MACH_MSG_SUCCESS);
	memcpy(&hdr, buf, sizeof(hdr));
	assert_int_equal(ipc_kmsg_copyin_header(space, kmsg, &hdr, 0), MACH_MSG_SUCCESS);
	mr = ipc_kmsg_copyin_body(space, kmsg, takenp);
	if (mr == MACH_MSG_SUCCESS)
		*kmsgp = kmsg;
	return mr;
}

/* Spec 4.3, seed 9.2 #7: element k fails: elements 0..k-1 are destroyed,
 * the header's rights too, and the array counts as taken. */
static void
test_body_ool_ports_element_failure(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t t = fx_give(b, fx_alloc_receive(b), MAKE_SEND, a);
	mach_port_name_t x = fx_alloc_receive(a), r = fx_alloc_receive(a);
	mach_port_name_t names[3];
	ipc_port_t px = fx_port(a, x);
	ipc_kmsg_t kmsg;
	uint32_t taken = 99;

	names[0] = fx_give(a, x, MAKE_SEND, a);          /* x with 1 send uref */
	names[1] = MACH_PORT_DEAD;
	names[2] = fx_stale_name(x);
	assert_int_equal(send_ool_ports(a, t, r, names, 3, MOVE_SEND, &taken, &kmsg),
	    MACH_SEND_INVALID_RIGHT);
	assert_int_equal(taken, 1);
	fx_assert_right(a, x, T_RECEIVE, 0);                 /* the moved uref is gone */
	fx_assert_counts(px, 0, 0, 1);
	fx_expect_notification(fx_port(a, r), MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(ipc_kmsg_fds_held(), 0);
	/* Success: NULL and DEAD pass through, rights are held. */
	names[0] = x;
	names[2] = MACH_PORT_NULL;
	assert_int_equal(send_ool_ports(a, t, 0, names, 3, MAKE_SEND, &taken, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_int_equal(taken, 1);
	assert_int_equal(kmsg->ikm_dsc[0].disposition, MACH_MSG_TYPE_PORT_SEND);
	assert_ptr_equal(kmsg->ikm_dsc[0].ports[0], px);
	assert_ptr_equal(kmsg->ikm_dsc[0].ports[1], IP_DEAD);
	assert_ptr_equal(kmsg->ikm_dsc[0].ports[2], IP_NULL);
	fx_assert_counts(px, 1, 0, 2);                      /* MAKE_SEND: mscount 2 */
	ipc_kmsg_destroy(kmsg);
	fx_assert_counts(px, 0, 0, 2);
}

/* A receive right in an array, sent to itself: circular (4.5). */
static void
test_body_ool_ports_circular(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0];
	mach_port_name_t x = fx_alloc_receive(a);
	mach_port_name_t names[1] = { x };
	ipc_port_t px = fx_port(a, x);
	mach_port_name_t s = fx_give(a, x, MAKE_SEND, a);
	ipc_kmsg_t kmsg;

	assert_int_equal(s, x);
	assert_int_equal(send_ool_ports(a, x, 0, names, 1, MOVE_RECEIVE, NULL, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_true(kmsg->ikm_circular);
	ipc_kmsg_destroy(kmsg);
	assert_false(ip_active(px));
	fx_assert_right(a, x, T_DEAD_NAME, 1);
	assert_int_equal(fx_dealloc(a, x), KERN_SUCCESS);
}

/* ipc_kmsg_get_ool: fds must match the descriptors, be sealed memfds of
 * the stated size; the budget; every fd is consumed either way. */
static void
test_get_ool_checks(void **state)
{
	uint8_t buf[60];
	uint64_t saved = ipc_kmsg_fd_budget;
	ipc_kmsg_t kmsg;
	int fds[3], i;
	static const uint8_t zero[8192];

	(void)state;
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 42);
	fx_put32(buf, 24, 2);
	fx_msg_desc16(buf, 28, MXP_OOL_ATTACHED, 0, 1, 0, MACH_MSG_OOL_DESCRIPTOR, 8192);
	fx_msg_desc16(buf, 44, MXP_OOL_ATTACHED, 0, 1, 0, MACH_MSG_OOL_DESCRIPTOR, 100);
	/* Too few, too many. */
	for (i = 1; i <= 3; i += 2) {
		int k;
		assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &kmsg), MACH_MSG_SUCCESS);
		for (k = 0; k < i; k++)
			fds[k] = memfd_create_sealed(zero, 8192);
		assert_int_equal(ipc_kmsg_get_ool(kmsg, fds, i), MACH_SEND_INVALID_MEMORY);
		for (k = 0; k < i; k++)
			assert_int_equal(fcntl(fds[k], F_GETFD), -1);     /* closed */
		ipc_kmsg_free(kmsg);
	}
	/* Right count; the second is the wrong size: kept as an error for
	 * its descriptor, reported by copyin in order. */
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &kmsg), MACH_MSG_SUCCESS);
	fds[0] = memfd_create_sealed(zero, 8192);
	fds[1] = memfd_create_sealed(zero, 101);
	assert_int_equal(ipc_kmsg_get_ool(kmsg, fds, 2), MACH_MSG_SUCCESS);
	assert_true(kmsg->ikm_dsc[0].memfd >= 0);
	assert_int_equal(kmsg->ikm_dsc[1].memfd, -1);
	assert_int_equal(kmsg->ikm_dsc[1].ool_error, MACH_SEND_INVALID_MEMORY);
	assert_int_equal(ipc_kmsg_fds_held(), 1);
	ipc_kmsg_free(kmsg);
	assert_int_equal(ipc_kmsg_fds_held(), 0);
	/* Over machd's budget: MACH_MSG_VM_KERNEL. */
	ipc_kmsg_fd_budget = 1;
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &kmsg), MACH_MSG_SUCCESS);
	fds[0] = memfd_create_sealed(zero, 8192);
	fds[1] = memfd_create_sealed(zero, 100);
	assert_int_equal(ipc_kmsg_get_ool(kmsg, fds, 2), MACH_MSG_VM_KERNEL);
	assert_int_equal(fcntl(fds[1], F_GETFD), -1);
	ipc_kmsg_free(kmsg);
	ipc_kmsg_fd_budget = saved;
}

/* The ledger counts memfds and OOL bytes (--max-ool-fds, --max-ool-bytes). */
static void
test_ledger_ool_limits(void **state)
{
	uint8_t buf[44];
	uint64_t saved_fds = ipc_ledger_fd_limit, saved_bytes = ipc_ledger_ool_limit;
	struct ipc_ledger *ledger = ipc_ledger_create();
	static const uint8_t zero[8192];
	ipc_kmsg_t k1, k2;
	int fd;

	(void)state;
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), 0x103, 0, 0, 42);
	fx_put32(buf, 24, 1);
	fx_msg_desc16(buf, 28, MXP_OOL_ATTACHED, 0, 1, 0, MACH_MSG_OOL_DESCRIPTOR, 8192);
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &k1), MACH_MSG_SUCCESS);
	fd = memfd_create_sealed(zero, 8192);
	assert_int_equal(ipc_kmsg_get_ool(k1, &fd, 1), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &k2), MACH_MSG_SUCCESS);
	fd = memfd_create_sealed(zero, 8192);
	assert_int_equal(ipc_kmsg_get_ool(k2, &fd, 1), MACH_MSG_SUCCESS);
	ipc_ledger_fd_limit = 1;
	assert_int_equal(ipc_kmsg_charge(k1, ledger), MACH_MSG_SUCCESS);
	assert_int_equal(ledger->il_fds, 1);
	assert_int_equal(ledger->il_ool_bytes, 8192);
	assert_int_equal(ipc_kmsg_charge(k2, ledger), MACH_SEND_NO_BUFFER);
	ipc_ledger_fd_limit = 2;
	ipc_ledger_ool_limit = 8192 + 4096;
	assert_int_equal(ipc_kmsg_charge(k2, ledger), MACH_SEND_NO_BUFFER);
	ipc_ledger_ool_limit = 16384;
	assert_int_equal(ipc_kmsg_charge(k2, ledger), MACH_MSG_SUCCESS);
	ipc_kmsg_free(k1);
	ipc_kmsg_free(k2);
	assert_int_equal(ledger->il_fds, 0);
	assert_int_equal(ledger->il_ool_bytes, 0);
	ipc_ledger_release(ledger);
	ipc_ledger_fd_limit = saved_fds;
	ipc_ledger_ool_limit = saved_bytes;
}

/* No memory for a names array: MACH_MSG_VM_KERNEL at that descriptor. */
static void
test_fault_ool_ports_arrays(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *b = fx->space[1];
	mach_port_name_t t = fx_give(b, fx_alloc_receive(b), MAKE_SEND, a);
	mach_port_name_t names[2] = { MACH_PORT_NULL, MACH_PORT_DEAD };
	uint8_t buf[44];
	mach_msg_header_t hdr;
	ipc_kmsg_t kmsg;
	int fd;

	/* The names array at intake. */
	fx_msg_header(buf, COMPLEX | BITS(COPY_SEND, 0, 0), t, 0, 0, 42);
	fx_put32(buf, 24, 1);
	fx_msg_desc16(buf, 28, MXP_OOL_ATTACHED, 0, 0, COPY_SEND, MACH_MSG_OOL_PORTS_DESCRIPTOR, 2);
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &kmsg), MACH_MSG_SUCCESS);
	fd = names_memfd(names, 2);
	kalloc_fault_config(1, 0);
	assert_int_equal(ipc_kmsg_get_ool(kmsg, &fd, 1), MACH_MSG_SUCCESS);
	kalloc_fault_config(0, 0);
	memcpy(&hdr, buf, sizeof(hdr));
	assert_int_equal(ipc_kmsg_copyin_header(a, kmsg, &hdr, 0), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_kmsg_copyin_body(a, kmsg, NULL), MACH_MSG_VM_KERNEL);
	/* The ports array at copyin. */
	assert_int_equal(ipc_kmsg_get(buf, sizeof(buf), &kmsg), MACH_MSG_SUCCESS);
	fd = names_memfd(names, 2);
	assert_int_equal(ipc_kmsg_get_ool(kmsg, &fd, 1), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_kmsg_copyin_header(a, kmsg, &hdr, 0), MACH_MSG_SUCCESS);
	kalloc_fault_config(1, 0);
	assert_int_equal(ipc_kmsg_copyin_body(a, kmsg, NULL), MACH_MSG_VM_KERNEL);
	kalloc_fault_config(0, 0);
	assert_int_equal(ipc_kmsg_fds_held(), 0);
}

/*
 * Spec 6.6: an OOL ports array copied out into a space with no room: each
 * right that does not fit is destroyed and named MACH_PORT_NULL, DEAD
 * stays DEAD, the error bits say IPC_SPACE; the names travel in a memfd.
 */
static void
test_copyout_ool_ports_no_room(void **state)
{
	struct fx *fx = FX(state);
	struct ipc_space *a = fx->space[0], *c = fx_small_task(fx, 2);
	mach_port_name_t rc, dc, x = fx_alloc_receive(a);
	mach_port_name_t names[2] = { x, MACH_PORT_DEAD }, got[2];
	ipc_port_t px = fx_port(a, x);
	mach_msg_ool_ports_descriptor_t d;
	uint8_t out[44];
	uint32_t len = 0;
	ipc_kmsg_t kmsg;
	int fd;

	rc = fx_alloc_receive(c);
	dc = fx_give(c, rc, MAKE_SEND, a);
	assert_int_equal(send_ool_ports(a, dc, 0, names, 2, MAKE_SEND, NULL, &kmsg),
	    MACH_MSG_SUCCESS);
	assert_int_equal(ipc_mqueue_send(kmsg, 0, 0, NULL, NULL), MACH_MSG_SUCCESS);
	kmsg = fx_dequeue(fx_port(c, rc));
	assert_int_equal(ipc_kmsg_copyout(c, kmsg, 0, rc, false, 0, out, &len),
	    MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE);
	assert_int_equal(len, 44);
	memcpy(&d, out + 28, sizeof(d));
	assert_int_equal(d.type, MACH_MSG_OOL_PORTS_DESCRIPTOR);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.deallocate, 1);
	assert_int_equal(d.copy, MACH_MSG_VIRTUAL_COPY);
	assert_int_equal(d.disposition, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(ipc_kmsg_take_copyout_fds(&fd, 1), 1);
	assert_true(memfd_sealed_check(fd, sizeof(got)));
	assert_int_equal(pread(fd, got, sizeof(got), 0), (ssize_t)sizeof(got));
	close(fd);
	assert_int_equal(got[0], MACH_PORT_NULL);
	assert_int_equal(got[1], MACH_PORT_DEAD);
	fx_assert_counts(px, 0, 0, 1);            /* the made send right is gone */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_BARE_TEST(test_get_send_size_rules),
		FX_BARE_TEST(test_get_max_size),
		FX_BARE_TEST(test_get_descriptor_counts),
		FX_TEST(test_get_static_checks),
		FX_TEST(test_header_validation_order),
		FX_TEST(test_header_name_resolution),
		FX_TEST(test_header_copyin_rights),
		FX_TEST(test_header_dead_destination),
		FX_TEST(test_header_same_name),
		FX_TEST(test_header_same_name_send_only),
		FX_TEST(test_header_dead_reply),
		FX_TEST(test_body_null_dead_names),
		FX_TEST(test_body_dispositions_round_trip),
		FX_TEST(test_body_failure_destroys),
		FX_TEST(test_body_invalid_rights),
		FX_TEST(test_body_circular),
		FX_TEST(test_body_circular_chain),
		FX_TEST(test_copyout_dest_fires_no_senders),
		FX_TEST(test_copyout_appendix_b),
		FX_TEST(test_copyout_header_error),
		FX_TEST(test_copyout_body_error),
		FX_TEST(test_copyout_too_large),
		FX_TEST(test_copyout_pseudo_receive),
		FX_BARE_TEST(test_trailer_sizes),
		FX_TEST(test_fault_get_no_buffer),
		FX_BARE_TEST(test_ledger_limit),
		FX_TEST(test_fault_copyout_ipc_kernel),
		FX_TEST(test_body_ool_ports_element_failure),
		FX_TEST(test_body_ool_ports_circular),
		FX_BARE_TEST(test_get_ool_checks),
		FX_BARE_TEST(test_ledger_ool_limits),
		FX_TEST(test_fault_ool_ports_arrays),
		FX_TEST(test_copyout_ool_ports_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
