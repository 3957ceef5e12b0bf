/*
 * test_mach_msg_ool.c -- complex messages that carry memory and rights
 * out of line, between processes (src/libmach/mach_msg_ool.c,
 * src/libmach/vm_region.c and machd's ipc_kmsg.c): OOL memory of every
 * size class, copy versus move, snapshot semantics, zero-copy sends,
 * OOL ports arrays, receive rights handed over with their queue,
 * circularity of length 1 to 3, pseudo-receive, and the seeds of spec
 * 9.2 items 3-10, each with its exact code and the state of both spaces.
 *
 * Cross-process tests fork a child (harness_fork) that finds the parent's
 * port through its inherited bootstrap port; the child's assertions end
 * it with a non-zero status, which the parent asserts on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>
#include <mach/notify.h>

#include "test_util.h"
#include "libmach_private.h"

#define TASK     mach_task_self()
#define MIB      (1024u * 1024u)
#define WAIT_MS  10000

struct ool_msg {
	mach_msg_header_t          h;
	mach_msg_body_t            body;
	mach_msg_ool_descriptor_t  d;
	mach_msg_max_trailer_t     t;
};

struct ports_msg {
	mach_msg_header_t               h;
	mach_msg_body_t                 body;
	mach_msg_ool_ports_descriptor_t d;
	mach_msg_max_trailer_t          t;
};

#define OOL_SEND_SIZE   (sizeof(struct ool_msg) - sizeof(mach_msg_max_trailer_t))
#define PORTS_SEND_SIZE (sizeof(struct ports_msg) - sizeof(mach_msg_max_trailer_t))

static uint8_t
pattern(uint64_t i, uint32_t seed)
{
	return (uint8_t)((i * 2654435761u) >> 13) ^ (uint8_t)seed;
}

static void
fill(void *p, uint64_t len, uint32_t seed)
{
	uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++)
		b[i] = pattern(i, seed);
}

static void
check(const void *p, uint64_t len, uint32_t seed)
{
	const uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++)
		if (b[i] != pattern(i, seed))
			fail_msg("byte %llu is %#x, expected %#x", (unsigned long long)i, b[i],
			    pattern(i, seed));
}

static bool
mapped(const void *addr, size_t len)
{
	unsigned char vec[4];
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return mincore((void *)((uintptr_t)addr & ~(page - 1)), len < 4 * page ? len : page, vec) == 0;
}

static void
ool_init(struct ool_msg *m, mach_port_t dest, mach_msg_type_name_t dest_disp,
    const void *addr, uint32_t size, uint8_t copy, uint8_t dealloc)
{
	memset(m, 0, sizeof(*m));
	m->h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(dest_disp, 0);
	m->h.msgh_remote_port = dest;
	m->h.msgh_id = 7;
	m->body.msgh_descriptor_count = 1;
	m->d.address = (void *)(uintptr_t)addr;
	m->d.size = size;
	m->d.copy = copy;
	m->d.deallocate = dealloc;
	m->d.type = MACH_MSG_OOL_DESCRIPTOR;
}

static mach_msg_return_t
send_ool(mach_port_t dest, const void *addr, uint32_t size, uint8_t copy, uint8_t dealloc)
{
	struct ool_msg m;

	ool_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, addr, size, copy, dealloc);
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, OOL_SEND_SIZE, 0, 0, 0, 0);
}

static void
recv_ool(mach_port_t p, struct ool_msg *m)
{
	memset(m, 0, sizeof(*m));
	assert_kr(mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*m), p, WAIT_MS, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m->h.msgh_size, OOL_SEND_SIZE);
	assert_int_equal(m->h.msgh_bits & MACH_MSGH_BITS_COMPLEX, MACH_MSGH_BITS_COMPLEX);
	assert_int_equal(m->body.msgh_descriptor_count, 1);
	assert_int_equal(m->d.type, MACH_MSG_OOL_DESCRIPTOR);
}

/* The descriptor as spec 1.3 / 6.6 says a receiver sees it, and the bytes. */
static void
assert_received(const struct ool_msg *m, uint32_t size, uint8_t copy, uint32_t seed)
{
	assert_int_equal(m->d.size, size);
	assert_int_equal(m->d.copy, copy);
	assert_int_equal(m->d.deallocate, copy == MACH_MSG_VIRTUAL_COPY);
	if (size == 0) {
		assert_null(m->d.address);
		return;
	}
	assert_non_null(m->d.address);
	check(m->d.address, size, seed);
	/* Readable and writable, ours to release. */
	((volatile uint8_t *)m->d.address)[size - 1] ^= 0xff;
	assert_kr(vm_deallocate(TASK, (vm_address_t)m->d.address, size), KERN_SUCCESS);
}

static uint64_t
copied_bytes(void)
{
	uint64_t copied, zero;

	libmach_ool_counters(&copied, &zero);
	return copied;
}

static uint64_t
zero_copy_sends(void)
{
	uint64_t copied, zero;

	libmach_ool_counters(&copied, &zero);
	return zero;
}

/* A child that sends to the parent's port (its inherited bootstrap port). */
static pid_t
child_run(mach_port_t parent_port, void (*fn)(void *), void *arg)
{
	pid_t pid;

	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, parent_port), KERN_SUCCESS);
	pid = harness_fork(fn, arg);
	assert_true(pid > 0);
	return pid;
}

static mach_msg_return_t send_ports(mach_port_t dest, mach_port_t *names, uint32_t count,
    mach_msg_type_name_t disp, uint8_t dealloc);

/* ===== OOL memory between processes ======================================== */

static const uint32_t sizes[] = { 0, 1, 4095, 4096, 16383, 16384, 16385, 64 * MIB };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/*
 * Copy: the sender overwrites its buffer as soon as mach_msg returns; the
 * receiver must see the bytes as they were at send time (spec 9.1 #3).
 * Even sizes come from vm_allocate, odd ones from malloc.
 */
static void
child_send_copies(void *arg)
{
	uint8_t copy = (uint8_t)(uintptr_t)arg;
	size_t i;

	for (i = 0; i < NSIZES; i++) {
		uint32_t size = sizes[i];
		vm_address_t a = 0;
		void *buf;

		if (copy == MACH_MSG_PHYSICAL_COPY && size > 7 * MIB)
			continue;       /* MACH_MSG_VM_KERNEL: test_physical_copy_budget */
		if (size % 2 == 0 && size > 0) {
			assert_kr(vm_allocate(TASK, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
			buf = (void *)a;
		} else {
			buf = malloc(size + 1);
			assert_non_null(buf);
		}
		fill(buf, size, (uint32_t)i);
		assert_kr(send_ool(bootstrap_port, buf, size, copy, 0), MACH_MSG_SUCCESS);
		memset(buf, 0xee, size);       /* after the send: must not show */
		if (a != 0)
			assert_kr(vm_deallocate(TASK, a, size), KERN_SUCCESS);
		else
			free(buf);
	}
}

static void
ool_sizes(uint8_t copy)
{
	mach_port_t p = tu_port_send();
	struct ool_msg m;
	size_t i;

	assert_kr(mach_port_set_attributes(TASK, p, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&(mach_port_limits_t){ 16 }, MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	assert_int_equal(harness_wait(child_run(p, child_send_copies, (void *)(uintptr_t)copy)), 0);
	for (i = 0; i < NSIZES; i++) {
		if (copy == MACH_MSG_PHYSICAL_COPY && sizes[i] > 7 * MIB)
			continue;
		recv_ool(p, &m);
		assert_received(&m, sizes[i], copy, (uint32_t)i);
	}
	tu_expect_empty(p);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

static void
test_ool_sizes_virtual_copy(void **state)
{
	(void)state;
	ool_sizes(MACH_MSG_VIRTUAL_COPY);
}

static void
test_ool_sizes_physical_copy(void **state)
{
	(void)state;
	ool_sizes(MACH_MSG_PHYSICAL_COPY);
}

/*
 * Move: a vm_allocate'd region sent whole with deallocate = TRUE leaves
 * the sender without a byte copied, and the sender's range is unmapped.
 */
static void
child_send_moves(void *arg)
{
	static const uint32_t move_sizes[] = { 4096, 16384, 16385 + 4095, 64 * MIB };
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(move_sizes) / sizeof(move_sizes[0]); i++) {
		uint32_t size = move_sizes[i] & ~4095u;
		vm_address_t a = 0;
		uint64_t copied, zero;

		assert_kr(vm_allocate(TASK, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
		fill((void *)a, size, 100 + (uint32_t)i);
		copied = copied_bytes();
		zero = zero_copy_sends();
		assert_kr(send_ool(bootstrap_port, (void *)a, size, MACH_MSG_VIRTUAL_COPY, 1),
		    MACH_MSG_SUCCESS);
		assert_false(mapped((void *)a, size));
		if (size > 16384) {
			/* XNU copies small regions too (16 KiB, spec 4.2). */
			assert_int_equal(copied_bytes(), copied);
			assert_int_equal(zero_copy_sends(), zero + 1);
		}
	}
}

static void
test_ool_move_is_zero_copy(void **state)
{
	static const uint32_t move_sizes[] = { 4096, 16384, 16385 + 4095, 64 * MIB };
	mach_port_t p = tu_port_send();
	struct ool_msg m;
	size_t i;

	(void)state;
	assert_int_equal(harness_wait(child_run(p, child_send_moves, NULL)), 0);
	for (i = 0; i < 4; i++) {
		recv_ool(p, &m);
		assert_received(&m, move_sizes[i] & ~4095u, MACH_MSG_VIRTUAL_COPY, 100 + (uint32_t)i);
	}
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/*
 * A vm_allocate'd region sent by copy goes without a copy too (it is
 * frozen copy-on-write); the sender's later writes stay its own, and
 * sending the written region again copies it once.  A region received
 * and sent on unmodified goes without a copy as well.
 */
static void
test_ool_copy_freezes_and_resends(void **state)
{
	const uint32_t size = 4 * MIB;
	mach_port_t p = tu_port_send(), q = tu_port_send();
	struct ool_msg m, m2;
	vm_address_t a = 0;
	uint64_t copied = copied_bytes(), zero = zero_copy_sends();

	(void)state;
	assert_kr(vm_allocate(TASK, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	fill((void *)a, size, 1);
	assert_kr(send_ool(p, (void *)a, size, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	assert_int_equal(zero_copy_sends(), zero + 1);
	assert_int_equal(copied_bytes(), copied);
	fill((void *)a, size, 2);                  /* the sender's own, from now on */
	assert_kr(send_ool(p, (void *)a, size, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	assert_int_equal(copied_bytes(), copied + size);
	recv_ool(p, &m);
	check(m.d.address, size, 1);
	recv_ool(p, &m2);
	check(m2.d.address, size, 2);
	check((void *)a, size, 2);
	/* Received, untouched, sent on: no copy; written, then sent: one. */
	assert_kr(send_ool(q, m.d.address, size, MACH_MSG_VIRTUAL_COPY, 1), MACH_MSG_SUCCESS);
	assert_int_equal(zero_copy_sends(), zero + 2);
	assert_false(mapped(m.d.address, size));
	((uint8_t *)m2.d.address)[123] = 0x55;
	assert_kr(send_ool(q, m2.d.address, size, MACH_MSG_VIRTUAL_COPY, 1), MACH_MSG_SUCCESS);
	assert_int_equal(copied_bytes(), copied + 2 * (uint64_t)size);
	recv_ool(q, &m);
	check(m.d.address, size, 1);
	recv_ool(q, &m2);
	assert_int_equal(((uint8_t *)m2.d.address)[123], 0x55);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, size), KERN_SUCCESS);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m2.d.address, size), KERN_SUCCESS);
	assert_kr(vm_deallocate(TASK, a, size), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, q, -1, 0), KERN_SUCCESS);
}

/*
 * A vm_allocate'd region sent without the end of its last page (a file
 * read into it, say) still goes without a copy when that end is zeros;
 * with bytes there it is copied once.
 */
static void
test_ool_partial_last_page(void **state)
{
	const uint32_t size = 3 * MIB + 1000, alloc = 3 * MIB + 4096;
	mach_port_t p = tu_port_send();
	vm_address_t a = 0, b = 0;
	struct ool_msg m;
	uint64_t copied = copied_bytes(), zero = zero_copy_sends();

	(void)state;
	assert_kr(vm_allocate(TASK, &a, alloc, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	fill((void *)a, size, 11);
	assert_kr(send_ool(p, (void *)a, size, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	assert_int_equal(zero_copy_sends(), zero + 1);
	assert_int_equal(copied_bytes(), copied);
	check((void *)a, size, 11);                  /* the sender's view is intact */
	recv_ool(p, &m);
	assert_int_equal(m.d.size, size);
	check(m.d.address, size, 11);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, size), KERN_SUCCESS);
	/* A byte past the size in the last page: copied, not trimmed. */
	assert_kr(vm_allocate(TASK, &b, alloc, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	fill((void *)b, size, 12);
	((uint8_t *)b)[size + 10] = 1;
	assert_kr(send_ool(p, (void *)b, size, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	assert_int_equal(copied_bytes(), copied + size);
	assert_int_equal(((uint8_t *)b)[size + 10], 1);
	recv_ool(p, &m);
	check(m.d.address, size, 12);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, size), KERN_SUCCESS);
	assert_kr(vm_deallocate(TASK, a, alloc), KERN_SUCCESS);
	assert_kr(vm_deallocate(TASK, b, alloc), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/*
 * Spec 6.6: a large region arrives at its sender's offset within the page
 * (a virtual copy); a small one (16 KiB or less, a kernel-buffer copy)
 * arrives page-aligned.  A received region sent on keeps its offset, and
 * goes without a copy.
 */
static void
test_ool_page_offsets(void **state)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	mach_port_t p = tu_port_send();
	uint8_t *buf = malloc(1 * MIB + 2 * page);
	uint8_t *src = (uint8_t *)(((uintptr_t)buf + page) & ~(uintptr_t)(page - 1)) + 100;
	struct ool_msg m, m2;
	uint64_t copied, zero;

	(void)state;
	assert_non_null(buf);
	fill(src, 1 * MIB, 13);
	assert_kr(send_ool(p, src, 1 * MIB, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	recv_ool(p, &m);
	assert_int_equal((uintptr_t)m.d.address & (page - 1), 100);
	check(m.d.address, 1 * MIB, 13);
	assert_kr(send_ool(p, src, 16384, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	recv_ool(p, &m2);
	assert_int_equal((uintptr_t)m2.d.address & (page - 1), 0);
	check(m2.d.address, 16384, 13);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m2.d.address, 16384), KERN_SUCCESS);
	/* Sent on as it came: no copy, the same offset. */
	copied = copied_bytes();
	zero = zero_copy_sends();
	assert_kr(send_ool(p, m.d.address, 1 * MIB, MACH_MSG_VIRTUAL_COPY, 1), MACH_MSG_SUCCESS);
	assert_int_equal(copied_bytes(), copied);
	assert_int_equal(zero_copy_sends(), zero + 1);
	assert_false(mapped((uint8_t *)m.d.address + page, page));
	recv_ool(p, &m2);
	assert_int_equal((uintptr_t)m2.d.address & (page - 1), 100);
	check(m2.d.address, 1 * MIB, 13);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m2.d.address, 1 * MIB), KERN_SUCCESS);
	free(buf);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/* A forked child gets a copy of the parent's memory, as a Mach task
 * does: a region written by either after fork stays each one's own. */
static void
child_write_region(void *arg)
{
	uint8_t *b = arg;

	check(b, 1 * MIB, 5);
	fill(b, 1 * MIB, 6);
	assert_kr(send_ool(bootstrap_port, b, 1 * MIB, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
}

static void
test_ool_region_after_fork(void **state)
{
	mach_port_t p = tu_port_send();
	vm_address_t a = 0;
	struct ool_msg m;

	(void)state;
	assert_kr(vm_allocate(TASK, &a, 1 * MIB, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	fill((void *)a, 1 * MIB, 5);
	assert_int_equal(harness_wait(child_run(p, child_write_region, (void *)a)), 0);
	check((void *)a, 1 * MIB, 5);
	recv_ool(p, &m);
	check(m.d.address, 1 * MIB, 6);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 1 * MIB), KERN_SUCCESS);
	assert_kr(vm_deallocate(TASK, a, 1 * MIB), KERN_SUCCESS);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/* ===== failures: order of checks and cleanup (spec 4.1-4.3, 9.1 #4) ====== */

/* A send with a MAKE_SEND_ONCE reply right: on a body failure that right is
 * destroyed, so a send-once notification arrives on `reply`. */
static mach_msg_return_t
send_ool_with_reply(mach_port_t dest, mach_port_t reply, const void *addr, uint32_t size,
    uint8_t copy, uint8_t dealloc)
{
	struct ool_msg m;

	ool_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, addr, size, copy, dealloc);
	m.h.msgh_bits |= MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_local_port = reply;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, OOL_SEND_SIZE, 0, 0, 0, 0);
}

static void
expect_send_once_notification(mach_port_t reply)
{
	tu_msg_t n;

	assert_kr(tu_recv(reply, &n, sizeof(n), 0, 0), MACH_MSG_SUCCESS);
	assert_int_equal(n.header.msgh_id, MACH_NOTIFY_SEND_ONCE);
	tu_expect_empty(reply);
}

static void
test_ool_invalid_memory(void **state)
{
	mach_port_t p = tu_port_send(), r = tu_port();
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *hole = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ool_msg m;

	(void)state;
	assert_true(hole != MAP_FAILED);
	assert_int_equal(munmap(hole + page, page), 0);
	/* Unmapped, wrapping, crossing a hole, beyond the address space. */
	assert_kr(send_ool_with_reply(p, r, hole + page, 16, MACH_MSG_VIRTUAL_COPY, 0),
	    MACH_SEND_INVALID_MEMORY);
	expect_send_once_notification(r);
	assert_kr(send_ool_with_reply(p, r, (void *)(uintptr_t)(0ull - 0x1000), 0x2000,
	    MACH_MSG_VIRTUAL_COPY, 0), MACH_SEND_INVALID_MEMORY);
	expect_send_once_notification(r);
	assert_kr(send_ool_with_reply(p, r, (void *)(uintptr_t)(0ull - 16), 32,
	    MACH_MSG_PHYSICAL_COPY, 0), MACH_SEND_INVALID_MEMORY);
	expect_send_once_notification(r);
	assert_kr(send_ool_with_reply(p, r, hole + page - 8, 16, MACH_MSG_VIRTUAL_COPY, 1),
	    MACH_SEND_INVALID_MEMORY);
	expect_send_once_notification(r);
	assert_true(mapped(hole, page));           /* deallocate not honoured: not taken */
	assert_kr(send_ool_with_reply(p, r, (void *)0x1000, 0xffffffffu, MACH_MSG_VIRTUAL_COPY, 0),
	    MACH_SEND_INVALID_MEMORY);
	expect_send_once_notification(r);
	assert_kr(send_ool_with_reply(p, r, NULL, 16, MACH_MSG_VIRTUAL_COPY, 0),
	    MACH_SEND_INVALID_MEMORY);
	expect_send_once_notification(r);
	tu_expect_empty(p);
	/* OOL volatile is OOL (4.3), and arrives as type 3. */
	{
		struct ool_msg v;
		ool_init(&v, p, MACH_MSG_TYPE_COPY_SEND, sizes, sizeof(sizes), MACH_MSG_VIRTUAL_COPY, 0);
		v.d.type = MACH_MSG_OOL_VOLATILE_DESCRIPTOR;
		assert_kr(mach_msg(&v.h, MACH_SEND_MSG, OOL_SEND_SIZE, 0, 0, 0, 0), MACH_MSG_SUCCESS);
		assert_kr(mach_msg(&v.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(v), p, 0, 0),
		    MACH_MSG_SUCCESS);
		assert_int_equal(v.d.type, MACH_MSG_OOL_VOLATILE_DESCRIPTOR);
		assert_int_equal(v.d.size, sizeof(sizes));
		assert_memory_equal(v.d.address, sizes, sizeof(sizes));
		assert_kr(vm_deallocate(TASK, (vm_address_t)v.d.address, sizeof(sizes)), KERN_SUCCESS);
	}
	/* Read-only and unaligned sources are fine: only reading is needed. */
	fill(hole, page, 8);
	assert_int_equal(mprotect(hole, page, PROT_READ), 0);
	assert_kr(send_ool(p, hole + 3, 1000, MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	recv_ool(p, &m);
	assert_int_equal(m.d.size, 1000);
	assert_memory_equal(m.d.address, hole + 3, 1000);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 1000), KERN_SUCCESS);
	/* Size 0: no address check, deallocate ignored; address 0 arrives. */
	assert_kr(send_ool_with_reply(p, r, (void *)0x10, 0, MACH_MSG_VIRTUAL_COPY, 1),
	    MACH_MSG_SUCCESS);
	recv_ool(p, &m);
	assert_null(m.d.address);
	assert_int_equal(m.d.size, 0);
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_kr(mach_port_deallocate(TASK, m.h.msgh_remote_port), KERN_SUCCESS);
	expect_send_once_notification(r);
	munmap(hole, 3 * page);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, r, 0, 0), KERN_SUCCESS);
}

/* Spec 9.2 #6: copy options, deallocate values, the physical budget. */
static void
test_ool_copy_options_and_budget(void **state)
{
	static const uint8_t bad_copy[] = { 2, 3, 4, 255 };
	mach_port_t p = tu_port_send(), r = tu_port();
	size_t i;
	uint8_t *big = malloc(8 * MIB);
	struct ool_msg m;

	(void)state;
	assert_non_null(big);
	fill(big, 8 * MIB, 9);
	for (i = 0; i < sizeof(bad_copy); i++) {
		/* Refused while measuring: no right was taken, no notification. */
		assert_kr(send_ool_with_reply(p, r, big, 100, bad_copy[i], 0), MACH_SEND_INVALID_TYPE);
		tu_expect_empty(r);
	}
	/* More than 7 MiB of immediate physical copies: MACH_MSG_VM_KERNEL. */
	assert_kr(send_ool_with_reply(p, r, big, 7 * MIB + 4096, MACH_MSG_PHYSICAL_COPY, 0),
	    MACH_MSG_VM_KERNEL);
	tu_expect_empty(r);
	assert_kr(send_ool_with_reply(p, r, big, 7 * MIB, MACH_MSG_PHYSICAL_COPY, 0),
	    MACH_MSG_SUCCESS);
	recv_ool(p, &m);
	assert_int_equal(m.d.size, 7 * MIB);
	check(m.d.address, 7 * MIB, 9);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 7 * MIB), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, m.h.msgh_remote_port), KERN_SUCCESS);
	expect_send_once_notification(r);
	/* deallocate is any non-zero byte: 0x80 unmaps the sender's pages. */
	{
		vm_address_t a = 0;
		assert_kr(vm_allocate(TASK, &a, 8192, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
		assert_kr(send_ool(p, (void *)a, 8192, MACH_MSG_PHYSICAL_COPY, 0x80), MACH_MSG_SUCCESS);
		assert_false(mapped((void *)a, 8192));
		recv_ool(p, &m);
		assert_int_equal(m.d.size, 8192);
		assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 8192), KERN_SUCCESS);
	}
	free(big);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, r, 0, 0), KERN_SUCCESS);
}

/*
 * Seed 9.2 #9: a MOVE_RECEIVE port descriptor and a deallocated OOL
 * region, then an OOL descriptor that cannot be read: the moved receive
 * right dies (its send right here becomes a dead name), the header's
 * send-once right notifies, and the first region stays deallocated (4.3).
 */
static void
test_ool_failure_cleanup(void **state)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
		mach_msg_ool_descriptor_t ool1, ool2;
	} m;
	mach_port_t p = tu_port_send(), r = tu_port(), moved = tu_port_send();
	vm_address_t a = 0;

	(void)state;
	assert_kr(vm_allocate(TASK, &a, 64 * 1024, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = p;
	m.h.msgh_local_port = r;
	m.body.msgh_descriptor_count = 3;
	m.port.name = moved;
	m.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	m.ool1.address = (void *)a;
	m.ool1.size = 64 * 1024;
	m.ool1.deallocate = 1;
	m.ool1.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool1.type = MACH_MSG_OOL_DESCRIPTOR;
	m.ool2 = m.ool1;
	m.ool2.address = (void *)(uintptr_t)(0ull - 4096);
	m.ool2.size = 8192;
	assert_kr(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_MEMORY);
	assert_int_equal(tu_type(moved), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_refs(moved, MACH_PORT_RIGHT_DEAD_NAME), 1);
	assert_false(mapped((void *)a, 64 * 1024));
	expect_send_once_notification(r);
	tu_expect_empty(p);
	assert_kr(mach_port_deallocate(TASK, moved), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, r, 0, 0), KERN_SUCCESS);
}

/* Spec 6.7: a send that times out on a full queue gets its message back,
 * OOL memory in a new region of the sender's; a moved region is gone. */
static void
test_ool_pseudo_receive(void **state)
{
	mach_port_t p = tu_port_send();
	vm_address_t a = 0;
	struct ool_msg m;
	const uint32_t size = 256 * 1024;

	(void)state;
	assert_kr(mach_port_set_attributes(TASK, p, MACH_PORT_LIMITS_INFO,
	    (mach_port_info_t)&(mach_port_limits_t){ 0 }, MACH_PORT_LIMITS_INFO_COUNT), KERN_SUCCESS);
	assert_kr(vm_allocate(TASK, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	fill((void *)a, size, 3);
	ool_init(&m, p, MACH_MSG_TYPE_COPY_SEND, (void *)a, size, MACH_MSG_VIRTUAL_COPY, 1);
	assert_kr(mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, OOL_SEND_SIZE, 0, 0, 0, 0),
	    MACH_SEND_TIMED_OUT);
	assert_false(mapped((void *)a, size));
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), MACH_MSG_TYPE_MOVE_SEND);
	assert_int_equal(m.h.msgh_remote_port, p);
	assert_int_equal(m.d.size, size);
	assert_int_equal(m.d.deallocate, 1);
	assert_non_null(m.d.address);
	check(m.d.address, size, 3);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, size), KERN_SUCCESS);
	assert_int_equal(tu_refs(p, MACH_PORT_RIGHT_SEND), 2);
	assert_kr(mach_port_destruct(TASK, p, -2, 0), KERN_SUCCESS);
}

/*
 * Spec 6.6: a receiver that cannot take the memory (here: no fd left for
 * the memfd) still gets the message, with address 0, size 0 and
 * MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE, for memory and port arrays.
 */
static void
child_no_fds_left(void *arg)
{
	mach_port_t p = tu_port_send(), a = tu_port_send();
	mach_port_t names[1] = { a };
	struct rlimit rl, low;
	struct ool_msg m;
	struct ports_msg pm;
	static uint8_t buf[65536];
	int lowest;

	(void)arg;
	fill(buf, sizeof(buf), 4);
	assert_kr(send_ool(p, buf, sizeof(buf), MACH_MSG_VIRTUAL_COPY, 0), MACH_MSG_SUCCESS);
	assert_kr(send_ports(p, names, 1, MACH_MSG_TYPE_MAKE_SEND, 0), MACH_MSG_SUCCESS);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	lowest = dup(0);
	assert_true(lowest >= 0);
	close(lowest);
	low = rl;
	low.rlim_cur = (rlim_t)lowest;               /* no new fd can be had */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	memset(&m, 0, sizeof(m));
	assert_kr(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), p, WAIT_MS, 0),
	    MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE);
	assert_int_equal(m.h.msgh_id, 7);
	assert_null(m.d.address);
	assert_int_equal(m.d.size, 0);
	memset(&pm, 0, sizeof(pm));
	assert_kr(mach_msg(&pm.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(pm), p, WAIT_MS, 0),
	    MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE);
	assert_null(pm.d.address);
	assert_int_equal(pm.d.count, 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	/* A difference from XNU (docs/architecture.md): XNU destroys the
	 * rights of an array it cannot map; here the names were in the memfd
	 * the kernel could not give us, so the right stays under a name we
	 * never learned: 1 uref of ours + 1 from the message. */
	assert_int_equal(tu_refs(a, MACH_PORT_RIGHT_SEND), 2);
}

static void
test_ool_receiver_out_of_fds(void **state)
{
	(void)state;
	assert_int_equal(harness_wait(harness_fork(child_no_fds_left, NULL)), 0);
}

/* ===== OOL ports ============================================================= */

static mach_msg_return_t
send_ports(mach_port_t dest, mach_port_t *names, uint32_t count, mach_msg_type_name_t disp,
    uint8_t dealloc)
{
	struct ports_msg m;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.d.address = names;
	m.d.count = count;
	m.d.disposition = disp;
	m.d.deallocate = dealloc;
	m.d.copy = MACH_MSG_PHYSICAL_COPY;
	m.d.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, PORTS_SEND_SIZE, 0, 0, 0, 0);
}

static void
recv_ports(mach_port_t p, struct ports_msg *m)
{
	memset(m, 0, sizeof(*m));
	assert_kr(mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*m), p, WAIT_MS, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m->d.type, MACH_MSG_OOL_PORTS_DESCRIPTOR);
	assert_int_equal(m->d.deallocate, 1);
	assert_int_equal(m->d.copy, MACH_MSG_VIRTUAL_COPY);
}

/* NULL and DEAD pass through at every position; rights coalesce. */
static void
test_ool_ports_null_dead_and_rights(void **state)
{
	mach_port_t p = tu_port_send(), a = tu_port_send(), b = tu_port_send();
	mach_port_t names[5] = { MACH_PORT_NULL, a, MACH_PORT_DEAD, b, MACH_PORT_NULL };
	struct ports_msg m;
	mach_port_t *got;

	(void)state;
	assert_kr(send_ports(p, names, 5, MACH_MSG_TYPE_COPY_SEND, 0), MACH_MSG_SUCCESS);
	recv_ports(p, &m);
	assert_int_equal(m.d.count, 5);
	assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_SEND);
	got = m.d.address;
	assert_non_null(got);
	assert_int_equal(got[0], MACH_PORT_NULL);
	assert_int_equal(got[1], a);
	assert_int_equal(got[2], MACH_PORT_DEAD);
	assert_int_equal(got[3], b);
	assert_int_equal(got[4], MACH_PORT_NULL);
	assert_int_equal(tu_refs(a, MACH_PORT_RIGHT_SEND), 2);
	assert_int_equal(tu_refs(b, MACH_PORT_RIGHT_SEND), 2);
	assert_kr(vm_deallocate(TASK, (vm_address_t)got, 5 * sizeof(mach_port_t)), KERN_SUCCESS);
	/* Count 0: no array, address 0. */
	assert_kr(send_ports(p, (void *)0x10, 0, MACH_MSG_TYPE_COPY_SEND, 1), MACH_MSG_SUCCESS);
	recv_ports(p, &m);
	assert_int_equal(m.d.count, 0);
	assert_null(m.d.address);
	assert_kr(mach_port_destruct(TASK, a, -2, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, b, -2, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/*
 * Seed 9.2 #7: an unknown name at the first, middle or last position:
 * MACH_SEND_INVALID_RIGHT, the elements before it destroyed (MOVE_SEND:
 * the sender lost those urefs), the array deallocated all the same.
 */
static void
ool_ports_unknown_at(uint32_t pos)
{
	mach_port_t p = tu_port_send(), a = tu_port_send();
	mach_port_t *names;
	vm_address_t arr = 0;
	uint32_t i;

	assert_kr(vm_allocate(TASK, &arr, 4096, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	names = (mach_port_t *)arr;
	for (i = 0; i < 3; i++) {
		names[i] = i == pos ? 0x7777770b : a;
		if (i != pos)
			assert_kr(mach_port_mod_refs(TASK, a, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	}
	/* a: 1 + 2 urefs; the two before or after the unknown one... */
	assert_kr(send_ports(p, names, 3, MACH_MSG_TYPE_MOVE_SEND, 1), MACH_SEND_INVALID_RIGHT);
	assert_int_equal(tu_refs(a, MACH_PORT_RIGHT_SEND), 1 + 2 - pos);
	assert_false(mapped(names, 4096));
	tu_expect_empty(p);
	assert_kr(mach_port_destruct(TASK, a, -(mach_port_delta_t)(1 + 2 - pos), 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

static void
test_ool_ports_unknown_name_positions(void **state)
{
	(void)state;
	ool_ports_unknown_at(0);
	ool_ports_unknown_at(1);
	ool_ports_unknown_at(2);
}

/* The same name n times with MOVE_SEND needs n urefs; the port cap. */
static void
test_ool_ports_repeats_and_limits(void **state)
{
	mach_port_t p = tu_port_send(), a = tu_port_send();
	mach_port_t names[3] = { a, a, a };
	static mach_port_t many[16384];
	struct ports_msg m;

	(void)state;
	/* Element 0 takes the one uref, element 1 fails: element 0's right
	 * is destroyed with the message, so the sender lost it (4.3). */
	assert_kr(send_ports(p, names, 3, MACH_MSG_TYPE_MOVE_SEND, 0), MACH_SEND_INVALID_RIGHT);
	assert_int_equal(tu_type(a), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_insert_right(TASK, a, a, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, a, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	assert_kr(send_ports(p, names, 3, MACH_MSG_TYPE_MOVE_SEND, 0), MACH_MSG_SUCCESS);
	assert_int_equal(tu_type(a), MACH_PORT_TYPE_RECEIVE);
	recv_ports(p, &m);
	assert_int_equal(tu_refs(a, MACH_PORT_RIGHT_SEND), 3);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 3 * sizeof(mach_port_t)),
	    KERN_SUCCESS);
	/* 16383 names fit, 16384 do not; absurd counts fail before reading. */
	assert_kr(send_ports(p, many, 16384, MACH_MSG_TYPE_COPY_SEND, 0), MACH_SEND_TOO_LARGE);
	assert_kr(send_ports(p, many, 0x40000000u, MACH_MSG_TYPE_COPY_SEND, 0), MACH_SEND_TOO_LARGE);
	assert_kr(send_ports(p, many, 0xffffffffu, MACH_MSG_TYPE_COPY_SEND, 0), MACH_SEND_TOO_LARGE);
	/* Two arrays whose counts wrap 32 bits: still too large, and the
	 * library reads neither. */
	{
		struct { mach_msg_header_t h; mach_msg_body_t body;
		    mach_msg_ool_ports_descriptor_t d[2]; } w;
		memset(&w, 0, sizeof(w));
		w.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		w.h.msgh_remote_port = p;
		w.body.msgh_descriptor_count = 2;
		w.d[0].address = many;
		w.d[0].count = 1;
		w.d[0].disposition = MACH_MSG_TYPE_COPY_SEND;
		w.d[0].type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
		w.d[1] = w.d[0];
		w.d[1].count = 0xffffffffu;
		assert_kr(mach_msg(&w.h, MACH_SEND_MSG, sizeof(w), 0, 0, 0, 0), MACH_SEND_TOO_LARGE);
	}
	assert_kr(send_ports(p, many, 16383, MACH_MSG_TYPE_COPY_SEND, 0), MACH_MSG_SUCCESS);
	recv_ports(p, &m);
	assert_int_equal(m.d.count, 16383);
	assert_int_equal(((mach_port_t *)m.d.address)[16382], MACH_PORT_NULL);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 16383 * sizeof(mach_port_t)),
	    KERN_SUCCESS);
	/* An unreadable array. */
	assert_kr(send_ports(p, (void *)(uintptr_t)(0ull - 4096), 4, MACH_MSG_TYPE_COPY_SEND, 0),
	    MACH_SEND_INVALID_MEMORY);
	/* An invalid disposition with an all-NULL array travels as 0 (4.3). */
	memset(many, 0, 8 * sizeof(many[0]));
	assert_kr(send_ports(p, many, 8, 99, 0), MACH_MSG_SUCCESS);
	recv_ports(p, &m);
	assert_int_equal(m.d.disposition, 0);
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, 8 * sizeof(mach_port_t)),
	    KERN_SUCCESS);
	tu_expect_empty(p);
	assert_kr(mach_port_destruct(TASK, a, -3, 0), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/* Rights in an OOL array cross processes: the child sends a receive
 * right and a send right; the parent owns them afterwards. */
struct ports_child { mach_port_t unused; };

static void
child_send_port_array(void *arg)
{
	mach_port_t rcv = tu_port(), snd = tu_port_send();
	mach_port_t names[2];

	(void)arg;
	assert_kr(tu_send(rcv, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 77, 40), MACH_MSG_SUCCESS);
	names[0] = rcv;
	names[1] = MACH_PORT_NULL;
	assert_kr(send_ports(bootstrap_port, names, 1, MACH_MSG_TYPE_MOVE_RECEIVE, 0), MACH_MSG_SUCCESS);
	assert_kr(tu_type_kr(rcv), KERN_INVALID_NAME);
	names[0] = snd;
	assert_kr(send_ports(bootstrap_port, names, 1, MACH_MSG_TYPE_MAKE_SEND, 0), MACH_MSG_SUCCESS);
	/* Stay alive until the parent has the send right: our receive right
	 * (and with it the port) dies with us. */
	{
		tu_msg_t m;
		assert_kr(tu_recv(snd, &m, sizeof(m), 0, WAIT_MS), MACH_MSG_SUCCESS);
		assert_int_equal(m.header.msgh_id, 88);
	}
}

static void
test_ool_ports_across_tasks(void **state)
{
	mach_port_t p = tu_port_send(), rcv, snd;
	struct ports_msg m;
	tu_msg_t q;
	pid_t pid;

	(void)state;
	pid = child_run(p, child_send_port_array, NULL);
	recv_ports(p, &m);
	assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	rcv = ((mach_port_t *)m.d.address)[0];
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, sizeof(mach_port_t)), KERN_SUCCESS);
	assert_int_equal(tu_type(rcv), MACH_PORT_TYPE_RECEIVE);
	assert_kr(tu_recv(rcv, &q, sizeof(q), 0, 0), MACH_MSG_SUCCESS);   /* its queue came along */
	assert_int_equal(q.header.msgh_id, 77);
	recv_ports(p, &m);
	assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_SEND);
	snd = ((mach_port_t *)m.d.address)[0];
	assert_kr(vm_deallocate(TASK, (vm_address_t)m.d.address, sizeof(mach_port_t)), KERN_SUCCESS);
	assert_kr(tu_send(snd, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 88, 24), MACH_MSG_SUCCESS);
	assert_int_equal(harness_wait(pid), 0);
	assert_kr(mach_port_mod_refs(TASK, rcv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/* ===== receive rights: hand-off with a queue, circularity ================= */

static mach_msg_return_t
send_receive_right(mach_port_t dest, mach_port_t right)
{
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_port_descriptor_t d; } m;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.d.name = right;
	m.d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0, 0, 0, 0);
}

/*
 * The child queues three messages on a port, hands its receive right to
 * the parent, and keeps sending while the right is in transit; the parent
 * receives all five in order.
 */
static void
child_handoff(void *arg)
{
	mach_port_t port = tu_port_send();
	int i;

	(void)arg;
	for (i = 0; i < 3; i++)
		assert_kr(tu_send(port, MACH_MSG_TYPE_COPY_SEND, 0, 0, 200 + i, 64), MACH_MSG_SUCCESS);
	assert_kr(send_receive_right(bootstrap_port, port), MACH_MSG_SUCCESS);
	assert_int_equal(tu_type(port), MACH_PORT_TYPE_SEND);
	for (i = 3; i < 5; i++)
		assert_kr(tu_send(port, MACH_MSG_TYPE_COPY_SEND, 0, 0, 200 + i, 64), MACH_MSG_SUCCESS);
}

static void
test_receive_right_handoff_across_tasks(void **state)
{
	mach_port_t p = tu_port_send(), port;
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_port_descriptor_t d;
	    mach_msg_max_trailer_t t; } m;
	tu_msg_t q;
	int i;

	(void)state;
	assert_int_equal(harness_wait(child_run(p, child_handoff, NULL)), 0);
	memset(&m, 0, sizeof(m));
	assert_kr(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), p, WAIT_MS, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	port = m.d.name;
	assert_int_equal(tu_status(port).mps_msgcount, 5);
	for (i = 0; i < 5; i++) {
		assert_kr(tu_recv(port, &q, sizeof(q), 0, 0), MACH_MSG_SUCCESS);
		assert_int_equal(q.header.msgh_id, 200 + i);
		tu_check_body(&q);
	}
	assert_kr(mach_port_mod_refs(TASK, port, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

/*
 * Spec 4.5 and 9.1 #8: a cycle of length n (each port's receive right
 * queued on the next, the last one's on the first): the closing send
 * succeeds, the message is destroyed, every port of the cycle dies and
 * the names we kept send rights under become dead names.
 */
static void
circularity(unsigned n)
{
	mach_port_t ports[3];
	unsigned i;

	for (i = 0; i < n; i++)
		ports[i] = tu_port_send();
	for (i = 0; i + 1 < n; i++)
		assert_kr(send_receive_right(ports[i + 1], ports[i]), MACH_MSG_SUCCESS);
	assert_kr(send_receive_right(ports[0], ports[n - 1]), MACH_MSG_SUCCESS);
	for (i = 0; i < n; i++) {
		assert_int_equal(tu_type(ports[i]), MACH_PORT_TYPE_DEAD_NAME);
		assert_kr(mach_port_deallocate(TASK, ports[i]), KERN_SUCCESS);
	}
}

static void
test_circularity_lengths(void **state)
{
	(void)state;
	circularity(1);
	circularity(2);
	circularity(3);
}

/* The same through an OOL ports array with MOVE_RECEIVE. */
static void
test_circularity_through_ool_ports(void **state)
{
	mach_port_t a = tu_port_send(), b = tu_port_send();
	mach_port_t names[1] = { a };

	(void)state;
	assert_kr(send_ports(b, names, 1, MACH_MSG_TYPE_MOVE_RECEIVE, 0), MACH_MSG_SUCCESS);
	names[0] = b;
	assert_kr(send_ports(a, names, 1, MACH_MSG_TYPE_MOVE_RECEIVE, 0), MACH_MSG_SUCCESS);
	assert_int_equal(tu_type(a), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(tu_type(b), MACH_PORT_TYPE_DEAD_NAME);
	assert_kr(mach_port_deallocate(TASK, a), KERN_SUCCESS);
	assert_kr(mach_port_deallocate(TASK, b), KERN_SUCCESS);
}

/* Guarded port descriptors are refused (docs/architecture.md): with
 * XNU's code for a type it does not accept, before any right is taken. */
static void
test_guarded_descriptor_refused(void **state)
{
	struct { mach_msg_header_t h; mach_msg_body_t body; mach_msg_guarded_port_descriptor_t d; } m;
	mach_port_t p = tu_port_send(), g = tu_port();

	(void)state;
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.d.name = g;
	m.d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.d.flags = MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND;
	m.d.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;
	assert_kr(mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
	assert_int_equal(tu_type(g), MACH_PORT_TYPE_RECEIVE);
	assert_kr(mach_port_mod_refs(TASK, g, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_ool_sizes_virtual_copy),
		tu_test(test_ool_sizes_physical_copy),
		tu_test(test_ool_move_is_zero_copy),
		tu_test(test_ool_copy_freezes_and_resends),
		tu_test(test_ool_partial_last_page),
		tu_test(test_ool_page_offsets),
		tu_test(test_ool_region_after_fork),
		tu_test(test_ool_invalid_memory),
		tu_test(test_ool_copy_options_and_budget),
		tu_test(test_ool_failure_cleanup),
		tu_test(test_ool_pseudo_receive),
		tu_test(test_ool_receiver_out_of_fds),
		tu_test(test_ool_ports_null_dead_and_rights),
		tu_test(test_ool_ports_unknown_name_positions),
		tu_test(test_ool_ports_repeats_and_limits),
		tu_test(test_ool_ports_across_tasks),
		tu_test(test_receive_right_handoff_across_tasks),
		tu_test(test_circularity_lengths),
		tu_test(test_circularity_through_ool_ports),
		tu_test(test_guarded_descriptor_refused),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
