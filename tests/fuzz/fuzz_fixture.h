/*
 * fuzz_fixture.h -- what the fuzz targets share: three in-process tasks
 * holding a fixed set of rights under fixed names, the mapping of fuzzed
 * name fields onto those names, and the end-of-input reset that makes
 * every input start from the same state and aborts on a leak: a kmsg, a
 * port, any other kalloc object (checked at task death), a file
 * descriptor, or queued bytes still charged to a task.
 *
 * The tasks and rights are made with the unit tests' helpers
 * (tests/kernel/kernel_fixture.h).  Task 2 holds receive rights 0x5003
 * (port C) and 0x5103 (port E); task 3 is a small task whose space holds
 * FZ_SMALL_NAMES names: its task port, a receive right (port F) and room
 * for two more, so that copying rights out into it fails soon.  Task 1 is
 * the main sender; its names:
 *
 *   sel  name        right
 *    1   0x4003  R   receive + send (1 uref)             port A
 *    2   0x4103  SO  send-once to A
 *    3   0x4203  RX  receive only, member of PS          port B
 *    4   0x4303  PS  port set {B}
 *    5   0x4403  DN  dead name (1 uref)
 *    6   0x4503  S2  send (2 urefs) to task 2's port C
 *    7   0x4603  SU  send (65534 urefs) to task 2's port E
 *    8   0x4703  DP  send to a port that died (not yet converted)
 *    9   random  SELF   task 1's own task port (a kernel object)
 *   10   0x4803  T2  send to task 2's task port
 *   11   0x4007      R with another generation (names nothing)
 *   12   0x4f03      a free slot
 *   13   0x7ffff003  an index beyond any table
 *   14   0x4903  SM  send to task 3's port F
 *   15   random  SMR task 3's name for its receive right F
 *
 * A fuzzed 32-bit name field whose value is a selector (1..FZ_NSEL) is
 * replaced by the selected name; every other value is used as it is
 * (MACH_PORT_NULL, MACH_PORT_DEAD and real names included).  The fixed
 * names may also be written raw, e.g. in the arguments of a MIG request
 * to SELF.  tests/fuzz/make_seeds.py knows the same table.
 *
 * FUZZ_TRACE=1 in the environment turns on the kernel's message trace
 * (machd --trace) to see what an input does.
 */
#ifndef FUZZ_FIXTURE_H
#define FUZZ_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_types.h"

enum fz_sel {
	FZ_R = 1, FZ_SO, FZ_RX, FZ_PS, FZ_DN, FZ_S2, FZ_SU, FZ_DP, FZ_SELF, FZ_T2,
	FZ_STALE, FZ_FREE, FZ_FAR, FZ_SM, FZ_SMR,
	FZ_NSEL = FZ_SMR
};

#define FZ_TASKS        3
#define FZ_SMALL_NAMES  4

/* Task 1's fixed names (SELF is chosen by the kernel). */
#define FZ_NAME_R      0x4003u
#define FZ_NAME_SO     0x4103u
#define FZ_NAME_RX     0x4203u
#define FZ_NAME_PS     0x4303u
#define FZ_NAME_DN     0x4403u
#define FZ_NAME_S2     0x4503u
#define FZ_NAME_SU     0x4603u
#define FZ_NAME_DP     0x4703u
#define FZ_NAME_T2     0x4803u
#define FZ_NAME_STALE  0x4007u
#define FZ_NAME_FREE   0x4f03u
#define FZ_NAME_FAR    0x7ffff003u
#define FZ_NAME_SM     0x4903u

struct task;

/* The fixture, built on first use; the state every input starts from. */
void fz_begin(void);
/* After the input: drain every queue (a receive would consume each
 * message's destination right; the rest is destroyed), restore the
 * fixture if the input changed it (rebuilding checks every kalloc
 * counter at task death), and abort on any leak. */
void fz_end(void);

/* Task 1, 2 or 3 of the table above, as 0, 1 or 2. */
struct task *fz_task(int i);

/* A fuzzed name field: a selector becomes its fixture name. */
mach_port_name_t fz_name(uint32_t word);
/* Map the names of a user-form message in place: header remote, local
 * and voucher, and the name of each port and guarded descriptor that
 * lies inside `len` bytes. */
void fz_map_message(uint8_t *msg, uint32_t len);
/* The same for a header and for a kmsg's descriptors (kernel form). */
void fz_map_header(mach_msg_header_t *hdr);
void fz_map_kmsg(ipc_kmsg_t kmsg);

/* Report a broken invariant with the kernel's words and abort (the
 * fuzzer saves the input). */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* FUZZ_FIXTURE_H */
