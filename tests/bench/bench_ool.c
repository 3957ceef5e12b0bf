/*
 * bench_ool.c -- out-of-line memory between two tasks through machd,
 * 4 KiB to 1 GiB, against the baselines of the same run (bench.h):
 *
 *   move         vm_allocate'd region, deallocate = TRUE: must go without
 *                a byte copied (libmach_ool_counters)
 *   copy         vm_allocate'd region, deallocate = FALSE (frozen, sent as
 *                its memfd: no copy either)
 *   copy-malloc  malloc'd memory, deallocate = FALSE: libmach copies it
 *                once into a new memfd, as XNU's copyin copies
 *
 * Timing: the sender writes bench_ns() into the message just before
 * mach_msg; the receiver takes the time when mach_msg returns with the
 * region mapped (and, for the "-touch" rows, after reading a byte of
 * every page).  Preparing the data is never timed.  Sender and receiver
 * go in lockstep, one message in flight.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mach/mach.h>

#include "bench.h"
#include "libmach_private.h"

#define RCV_WAIT_MS 60000

struct ool_msg {
	mach_msg_header_t           h;
	mach_msg_body_t             body;
	mach_msg_ool_descriptor_t   d;
	uint8_t                     t0[8];  /* the sender's bench_ns() */
	mach_msg_max_trailer_t      t;
};
#define OOL_SEND_SIZE   ((mach_msg_size_t)offsetof(struct ool_msg, t))

enum ool_mode { OOL_MOVE, OOL_COPY, OOL_COPY_MALLOC };

static const struct {
	const char *mode, *desc;
} modes[] = {
	[OOL_MOVE] = { "move", "OOL move through machd (vm_allocate'd, deallocate)" },
	[OOL_COPY] = { "copy", "OOL copy through machd (vm_allocate'd, no deallocate)" },
	[OOL_COPY_MALLOC] = { "copy-malloc", "OOL copy through machd (malloc'd: one copy)" },
};

/* What the sender child reports back (shared memory). */
struct ool_report {
	uint64_t copied, zero_copy;     /* libmach_ool_counters deltas */
};

struct ool_sender {
	struct bench_gate  gate;
	struct ool_report *report;
	enum ool_mode      mode;
	uint64_t           size;
};

/* ----- names and sizes ------------------------------------------------------ */

static const char *
size_label(uint64_t size, char *buf, size_t len)
{
	if (size >= (1ull << 30))
		snprintf(buf, len, "%lluG", (unsigned long long)(size >> 30));
	else if (size >= (1ull << 20))
		snprintf(buf, len, "%lluM", (unsigned long long)(size >> 20));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(size >> 10));
	return buf;
}

int
bench_ool_iters(const struct bench *b, uint64_t size)
{
	uint64_t n = (2ull << 30) / size;

	if (b->smoke)
		return 2;
	return n < 5 ? 5 : n > 30 ? 30 : (int)n;
}

const char *
bench_ool_key(uint64_t size, const char *mode)
{
	static char keys[4][BENCH_KEY_MAX];
	static int next;
	char label[16];
	char *k = keys[next++ % 4];

	snprintf(k, BENCH_KEY_MAX, "ool.%s.%s", mode, size_label(size, label, sizeof(label)));
	return k;
}

void
bench_ool_names(uint64_t size, const char *mode, char key[BENCH_KEY_MAX],
    char what[BENCH_TEXT_MAX], const char *desc)
{
	char label[16];

	snprintf(key, BENCH_KEY_MAX, "%s", bench_ool_key(size, mode));
	snprintf(what, BENCH_TEXT_MAX, "%s: %s", size_label(size, label, sizeof(label)), desc);
}

void
bench_ool_touch(const void *p, uint64_t size)
{
	const volatile uint8_t *b = p;
	uint64_t i, sum = 0;
	long page = sysconf(_SC_PAGESIZE);

	for (i = 0; i < size; i += (uint64_t)page)
		sum += b[i];
	(void)sum;
}

/* ----- the sender ----------------------------------------------------------- */

/* The region to send this round: a fresh vm_allocate'd one, or `reused`. */
static void *
ool_source(const struct ool_sender *s, void *reused)
{
	vm_address_t a = 0;

	if (s->mode == OOL_COPY_MALLOC)
		return reused;
	if (vm_allocate(mach_task_self(), &a, s->size, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		return NULL;
	memset((void *)a, 0x5a, s->size);
	return (void *)a;
}

static mach_msg_return_t
ool_send(const struct ool_sender *s, void *addr)
{
	struct ool_msg m;
	uint64_t t0;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_remote_port = bootstrap_port;
	m.h.msgh_id = 7;
	m.body.msgh_descriptor_count = 1;
	m.d.address = addr;
	m.d.size = (mach_msg_size_t)s->size;
	m.d.copy = MACH_MSG_VIRTUAL_COPY;
	m.d.deallocate = s->mode == OOL_MOVE;
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	t0 = bench_ns();
	memcpy(m.t0, &t0, sizeof(t0));
	return mach_msg(&m.h, MACH_SEND_MSG, OOL_SEND_SIZE, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static int
ool_sender_child(void *arg)
{
	struct ool_sender *s = arg;
	uint64_t copied0, zero0, copied1, zero1;
	void *reused = NULL;

	if (s->mode == OOL_COPY_MALLOC) {
		reused = malloc(s->size);
		if (reused == NULL)
			return 1;
		memset(reused, 0x5a, s->size);
	}
	libmach_ool_counters(&copied0, &zero0);
	while (bench_gate_take(&s->gate) == 'g') {
		void *addr = ool_source(s, reused);

		if (addr == NULL || ool_send(s, addr) != MACH_MSG_SUCCESS)
			return 1;
		if (s->mode == OOL_COPY)
			(void)vm_deallocate(mach_task_self(), (vm_address_t)addr, s->size);
	}
	libmach_ool_counters(&copied1, &zero1);
	s->report->copied = copied1 - copied0;
	s->report->zero_copy = zero1 - zero0;
	free(reused);
	return 0;
}

/* ----- the receiver --------------------------------------------------------- */

/* One message: seconds from the sender's mach_msg to the region in hand. */
static double
ool_receive(mach_port_t p, uint64_t size, bool touch)
{
	struct ool_msg m;
	uint64_t t0;
	double dt;

	memset(&m, 0, sizeof(m));
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), p, RCV_WAIT_MS,
	    MACH_PORT_NULL) != MACH_MSG_SUCCESS || m.d.size != size || m.d.address == NULL)
		return -1;
	if (touch)
		bench_ool_touch(m.d.address, size);
	memcpy(&t0, m.t0, sizeof(t0));
	dt = (double)(bench_ns() - t0) / 1e9;
	(void)vm_deallocate(mach_task_self(), (vm_address_t)m.d.address, size);
	return dt;
}

/* Run `mode` at `size`; the counters the sender saw go to *rep. */
static void
ool_transfer(struct bench *b, enum ool_mode mode, uint64_t size, bool touch,
    struct ool_report *rep)
{
	struct ool_sender s = { .mode = mode, .size = size };
	int i, iters = bench_ool_iters(b, size);
	double gbps[BENCH_OOL_ITERS_MAX];
	char key[BENCH_KEY_MAX], what[BENCH_TEXT_MAX], mname[32];
	mach_port_t p = bench_port();
	pid_t pid = -1;

	snprintf(mname, sizeof(mname), "%s%s", modes[mode].mode, touch ? "-touch" : "");
	bench_ool_names(size, mname, key, what, touch ?
	    "OOL move through machd, receiver reads every page" : modes[mode].desc);
	s.report = bench_shared(sizeof(*s.report));
	if (p == MACH_PORT_NULL || s.report == NULL || bench_gate_open(&s.gate) != 0)
		goto fail;
	pid = bench_fork_task(p, ool_sender_child, &s);
	for (i = 0; pid > 0 && i < iters; i++) {
		double dt;

		if (bench_gate_post(&s.gate, 1, 'g') != 0 || (dt = ool_receive(p, size, touch)) <= 0)
			break;
		gbps[i] = (double)size / dt / 1e9;
	}
	(void)bench_gate_post(&s.gate, 1, 'q');
	(void)task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL);
	if (pid < 0 || bench_wait(pid) != 0 || i < iters)
		goto fail;
	*rep = *s.report;
	bench_record(b, key, "ool", what, BU_GBPS, gbps, iters, bench_ool_key(size, "memcpy"));
	goto out;
fail:
	bench_fail(b, "ool", what, "the transfer failed");
	rep->copied = UINT64_MAX;
out:
	if (s.report != NULL) {
		bench_gate_close(&s.gate);
		bench_unshare(s.report, sizeof(*s.report));
	}
	bench_port_free(p);
}

/* ----- the family ----------------------------------------------------------- */

static void
ool_targets(struct bench *b, uint64_t size, const struct ool_report *move)
{
	char text[BENCH_TEXT_MAX], detail[BENCH_TEXT_MAX], label[16];

	size_label(size, label, sizeof(label));
	snprintf(text, sizeof(text), "OOL move %s: no byte copied", label);
	snprintf(detail, sizeof(detail), "%llu bytes copied, %llu copy-free sends",
	    (unsigned long long)move->copied, (unsigned long long)move->zero_copy);
	bench_target_bool(b, text, move->copied == 0 && move->zero_copy > 0, detail);
	snprintf(text, sizeof(text), "OOL move %s: >= 5x the speed of memcpy into fresh memory",
	    label);
	bench_target_ratio(b, text, bench_ool_key(size, "move"), bench_ool_key(size, "memcpy"),
	    5.0, false);
	snprintf(text, sizeof(text), "OOL copy %s (vm_allocate'd): >= 0.8x the speed of memcpy",
	    label);
	bench_target_ratio(b, text, bench_ool_key(size, "copy"), bench_ool_key(size, "memcpy"),
	    0.8, false);
	snprintf(text, sizeof(text), "OOL copy %s (malloc'd): >= 0.8x the speed of memcpy", label);
	bench_target_ratio(b, text, bench_ool_key(size, "copy-malloc"),
	    bench_ool_key(size, "memcpy"), 0.8, false);
}

/* ool.tsv: one line per size, the medians in GB/s, for the plot. */
static void
ool_write_tsv(const struct bench *b, const uint64_t *sizes, int nsizes)
{
	static const char *const cols[] = { "move", "copy", "copy-malloc", "memcpy", "memfd",
		"dbus" };
	char path[512];
	FILE *f;
	int i, c;

	if (b->outdir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/ool.tsv", b->outdir);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return;
	}
	fprintf(f, "# bytes");
	for (c = 0; c < 6; c++)
		fprintf(f, "\t%s", cols[c]);
	fprintf(f, "\n");
	for (i = 0; i < nsizes; i++) {
		fprintf(f, "%llu", (unsigned long long)sizes[i]);
		for (c = 0; c < 6; c++) {
			const struct bench_result *r = bench_find(b, bench_ool_key(sizes[i], cols[c]));

			fprintf(f, r != NULL ? "\t%.4f" : "\tNaN", r != NULL ? r->median : 0.0);
		}
		fprintf(f, "\n");
	}
	fclose(f);
}

void
bench_ool(struct bench *b, const uint64_t *sizes, int nsizes)
{
	struct ool_report move, other;
	int i;

	for (i = 0; i < nsizes; i++) {
		ool_transfer(b, OOL_MOVE, sizes[i], false, &move);
		ool_transfer(b, OOL_COPY, sizes[i], false, &other);
		ool_transfer(b, OOL_COPY_MALLOC, sizes[i], false, &other);
		if (sizes[i] == BENCH_OOL_TOUCH_SIZE)
			ool_transfer(b, OOL_MOVE, sizes[i], true, &other);
		if (sizes[i] >= (64ull << 20))
			ool_targets(b, sizes[i], &move);
	}
	ool_write_tsv(b, sizes, nsizes);
}
