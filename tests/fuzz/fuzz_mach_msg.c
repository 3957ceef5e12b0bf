/*
 * fuzz_mach_msg.c -- fuzz target: the mach_msg trap as tasks call it
 * (src/kernel/mach_msg.c), on the fixture of fuzz_fixture.h.
 *
 * An input is a sequence of calls (at most FZ_CALLS_MAX), each a 20-byte
 * struct fz_call (little-endian) followed by msg_len message bytes (fewer
 * if the input ends).  The message's header names and port/guarded
 * descriptor names are mapped onto the fixture (fz_map_message); so is
 * rcv_name.  A call runs on one of four threads without a channel (th_fd
 * -1: thread_reply only marks them idle): two of task 1, one of task 2
 * (whose names are used raw: 0x5003 and 0x5103 are its receive rights)
 * and one of the small task 3 (selector FZ_SMR names its receive right).
 *
 * The timeout is always 0 and, unless the call has FZ_CALL_MAY_WAIT,
 * MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT are added: such a call may not
 * wait and must have replied when it returns.  A FZ_CALL_MAY_WAIT call
 * uses its option bits as given, so it may park (with no deadline) until
 * a later call of the input wakes it; at the end of the input every
 * thread still waiting is interrupted, as a signal in the caller would
 * (MXP_OP_CANCEL), and must then have replied.  A call for a thread that
 * is waiting is skipped: machd refuses a second request on a channel.
 * Then fz_end drains every queue, restores the fixture and checks for
 * leaks, and no memfd of an out-of-line region may be left in the kernel.
 *
 * With FZ_CALL_OOL, each OOL memory or OOL ports descriptor of non-zero
 * size (at most FZ_OOL_SIZE_MAX bytes) whose address field is
 * MXP_OOL_ATTACHED (or, for memory, an offset up to MXP_OOL_OFFSET_MAX)
 * gets a sealed memfd, as libmach attaches them
 * (machd_proto.h): zeros for memory, fixture names (selectors 1..15 in
 * turn) for port arrays.  Other address values get none, so the fuzzer
 * also explores fds that do not match their descriptors.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fixture.h"
#include "mach_msg.h"
#include "thread.h"
#include "ipc_kmsg.h"
#include "memfd_sealed.h"

#define FZ_CALLS_MAX      32
#define FZ_THREADS        4
#define FZ_CALL_RAW_SIZE  0x1u   /* pass send_size as given, not msg_len */
#define FZ_CALL_MAY_WAIT  0x2u   /* option bits as given: the call may park */
#define FZ_CALL_THREAD(flags) (((flags) >> 2) & 3u)   /* 0, 1: task 1; 2: 2; 3: 3 */
#define FZ_CALL_OOL       0x10u  /* attach memfds, as libmach would (see fz_ool_fds) */
#define FZ_OOL_SIZE_MAX   65536u

struct fz_call {
	uint32_t option;      /* mach_msg option bits */
	uint32_t send_size;   /* only with FZ_CALL_RAW_SIZE */
	uint32_t rcv_size;
	uint32_t rcv_name;    /* mapped by fz_name */
	uint16_t msg_len;     /* message bytes that follow */
	uint16_t flags;       /* FZ_CALL_* */
};
_Static_assert(sizeof(struct fz_call) == 20, "fz_call is the input format");

static struct thread fz_threads[FZ_THREADS];
static const int fz_thread_task[FZ_THREADS] = { 0, 0, 1, 2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_threads_reset(void)
{
	int i;

	for (i = 0; i < FZ_THREADS; i++) {
		memset(&fz_threads[i], 0, sizeof(fz_threads[i]));
		fz_threads[i].th_fd = -1;
		fz_threads[i].th_serial = (uint64_t)i + 1;
		fz_threads[i].th_task = fz_task(fz_thread_task[i]);
	}
}

/* A thread must have answered its request: idle, parked nowhere, holding
 * no message. */
static void
fz_check_replied(const struct thread *th, const char *when)
{
	if (th->th_busy || th->th_waitq != NULL || th->th_runnable ||
	    th->th_kmsg != IKM_NULL || th->th_rcv_kmsg != IKM_NULL)
		fz_fail("hang: thread %llu (option 0x%llx) has not replied %s",
		    (unsigned long long)th->th_serial, (unsigned long long)th->th_req.a[0], when);
}

static void
fz_request(struct mxp_req *req, const struct fz_call *c, uint32_t len)
{
	memset(req, 0, sizeof(*req));
	req->op = MXP_OP_MACH_MSG;
	req->len = len;
	req->a[0] = c->option;
	if (!(c->flags & FZ_CALL_MAY_WAIT))
		req->a[0] |= MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT;
	req->a[1] = (c->flags & FZ_CALL_RAW_SIZE) ? c->send_size : len;
	req->a[2] = c->rcv_size;
	req->a[3] = fz_name(c->rcv_name);
	req->a[4] = 0;                 /* timeout: none, or no deadline */
}

/* One region's memfd: `bytes` of zeros after `offset` more, or names for
 * a ports array. */
static int
fz_region_memfd(uint8_t type, uint32_t size, uint64_t offset)
{
	uint64_t bytes = type == MACH_MSG_OOL_PORTS_DESCRIPTOR ? (uint64_t)size * 4 : size + offset;
	uint32_t *buf, j;
	int fd;

	if (bytes > FZ_OOL_SIZE_MAX || (buf = calloc(1, bytes)) == NULL)
		return -1;
	if (type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
		for (j = 0; j < size; j++)
			buf[j] = fz_name(j % 15 + 1);
	fd = memfd_create_sealed(buf, bytes);
	free(buf);
	return fd;
}

/* The memfds libmach would attach to this message (FZ_CALL_OOL). */
static int
fz_ool_fds(const uint8_t *msg, uint32_t len, int *fds)
{
	uint32_t bits, count, pos = 28, i, size;
	uint64_t addr;
	int n = 0, fd;

	if (len < 28)
		return 0;
	memcpy(&bits, msg, 4);
	memcpy(&count, msg + 24, 4);
	if (!(bits & MACH_MSGH_BITS_COMPLEX))
		return 0;
	for (i = 0; i < count && pos + 12 <= len && n < MXP_OOL_MAX; i++) {
		uint8_t type = msg[pos + 11];
		if (type == MACH_MSG_PORT_DESCRIPTOR) {
			pos += 12;
			continue;
		}
		if (pos + 16 > len)
			break;
		memcpy(&addr, msg + pos, 8);
		memcpy(&size, msg + pos + 12, 4);
		bool memory = type == MACH_MSG_OOL_DESCRIPTOR || type == MACH_MSG_OOL_VOLATILE_DESCRIPTOR;
		if ((memory || type == MACH_MSG_OOL_PORTS_DESCRIPTOR) && size != 0 &&
		    (addr == MXP_OOL_ATTACHED || (memory && addr <= MXP_OOL_OFFSET_MAX)) &&
		    (fd = fz_region_memfd(type, size, addr)) >= 0)
			fds[n++] = fd;
		pos += 16;
	}
	return n;
}

/* One trap, as machd's event loop runs it, then the woken continuations. */
static void
fz_run_call(const struct fz_call *c, const uint8_t *bytes, uint32_t len)
{
	struct thread *th = &fz_threads[FZ_CALL_THREAD(c->flags)];
	uint8_t *msg;
	struct mxp_req req;
	int fds[MXP_OOL_MAX], nfds;

	if (th->th_busy)
		return;                    /* a request is still in progress */
	msg = malloc(len ? len : 1);   /* exact size: ASan sees overreads */
	if (msg == NULL)
		fz_fail("out of memory");
	memcpy(msg, bytes, len);
	fz_map_message(msg, len);
	fz_request(&req, c, len);
	th->th_busy = true;
	th->th_req = req;
	nfds = (c->flags & FZ_CALL_OOL) ? fz_ool_fds(msg, len, fds) : 0;
	mach_msg_trap(th, &req, msg, len, fds, nfds);
	thread_run_queue();
	free(msg);
	if (!(c->flags & FZ_CALL_MAY_WAIT))
		fz_check_replied(th, "although it may not wait");
}

/* Interrupt whoever still waits; then every thread must have replied. */
static void
fz_threads_finish(void)
{
	int i;

	for (i = 0; i < FZ_THREADS; i++)
		if (fz_threads[i].th_waitq != NULL)
			thread_wakeup(&fz_threads[i], THREAD_INTERRUPTED);
	thread_run_queue();
	for (i = 0; i < FZ_THREADS; i++) {
		fz_check_replied(&fz_threads[i], "after an interrupt");
		thread_unpark(&fz_threads[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_call c;
	int calls = 0;

	fz_begin();
	fz_threads_reset();
	while (size >= sizeof(c) && calls++ < FZ_CALLS_MAX) {
		uint32_t len;

		memcpy(&c, data, sizeof(c));
		data += sizeof(c);
		size -= sizeof(c);
		len = c.msg_len < size ? c.msg_len : (uint32_t)size;
		fz_run_call(&c, data, len);
		data += len;
		size -= len;
	}
	fz_threads_finish();
	fz_end();
	if (ipc_kmsg_fds_held() != 0)
		fz_fail("%llu out-of-line memfds left in the kernel",
		    (unsigned long long)ipc_kmsg_fds_held());
	return 0;
}
