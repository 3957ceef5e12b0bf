/*
 * machd_proto.h -- the wire format between libmach and machd.
 *
 * One channel per calling thread: a connected AF_UNIX SOCK_SEQPACKET
 * socket.  A channel carries strictly one request at a time; the thread
 * sends a request datagram and waits for exactly one reply datagram.  The
 * only exception is MXP_OP_CANCEL, which a thread may send while its
 * request is blocked in machd and which never gets a reply of its own.
 *
 * Request datagram:  struct mxp_req, then `len` payload bytes.
 * Reply datagram:    struct mxp_rep, then `len` payload bytes.
 *
 * Operation numbers are the Mach trap numbers of XNU's syscall_sw.c where a
 * trap exists (mach_msg_overwrite_trap = 32, semaphore_signal_trap = 33,
 * ...), so a trace of the channel reads like a trace of the trap table.
 * machd's own operations (HELLO, CANCEL, STATS) live above 0x100.
 *
 * Layout of struct mxp_req (64 bytes):
 *   OFFSET SIZE FIELD
 *   0      4    op      MXP_OP_*
 *   4      4    len     payload bytes following the header
 *   8      56   a[7]    op arguments (see the table below)
 *
 * Layout of struct mxp_rep (64 bytes):
 *   0      4    op      the request's op, echoed
 *   4      4    code    kern_return_t / mach_msg_return_t
 *   8      4    flags   MXP_REP_*: where the payload goes
 *   12     4    len     payload bytes following the header
 *   16     48   v[6]    op results
 *
 *   op                    arguments                        results
 *   HELLO                 a0 version, a1 task token        v0 token, v1 task self
 *                                                          name, v2 bootstrap name,
 *                                                          v3 pid, v4 pidversion
 *   CANCEL                -                                (no reply)
 *   STATS                 -                                v0 ports, v1 kmsgs,
 *                                                          v2 tasks, v3 psets,
 *                                                          v4 semaphores, v5 names
 *                                                          in the caller's space
 *   PORT_INSERT_RIGHT     a0 name, a1 poly name,           -
 *                         a2 poly disposition
 *   PORT_CONSTRUCT        a0 MPO_* flags, a1 qlimit,       v0 name
 *                         a2 context
 *   MACH_REPLY_PORT       -                                v0 name
 *   TASK_SELF             -                                v0 name
 *   MACH_MSG              a0 option64, a1 send_size,       payload = message to
 *                         a2 rcv_size, a3 rcv_name,        write (see flags),
 *                         a4 timeout (ms), a5 priority,    v0/v1 for RCV_LARGE
 *                         a6 rcv buffer address; payload
 *                         = the send_size message bytes
 *   SEMA_SIGNAL(_ALL)     a0 name                          -
 *   SEMA_SIGNAL_THREAD    a0 name, a1 thread name          -
 *   SEMA_WAIT             a0 name                          -
 *   SEMA_TIMEDWAIT        a0 name, a1 sec, a2 nsec         -
 *   SEMA_WAIT_SIGNAL      a0 wait name, a1 signal name     -
 *   SEMA_TIMEDWAIT_SIGNAL a0 wait, a1 signal, a2 sec, a3 nsec
 */
#ifndef MACHXFER_MACHD_PROTO_H
#define MACHXFER_MACHD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define MXP_VERSION 1

enum mxp_op {
	MXP_OP_PORT_INSERT_RIGHT     = 21,
	MXP_OP_PORT_CONSTRUCT        = 24,
	MXP_OP_MACH_REPLY_PORT       = 26,
	MXP_OP_TASK_SELF             = 28,
	MXP_OP_MACH_MSG              = 32,
	MXP_OP_SEMA_SIGNAL           = 33,
	MXP_OP_SEMA_SIGNAL_ALL       = 34,
	MXP_OP_SEMA_SIGNAL_THREAD    = 35,
	MXP_OP_SEMA_WAIT             = 36,
	MXP_OP_SEMA_WAIT_SIGNAL      = 37,
	MXP_OP_SEMA_TIMEDWAIT        = 38,
	MXP_OP_SEMA_TIMEDWAIT_SIGNAL = 39,
	MXP_OP_HELLO                 = 0x100,
	MXP_OP_CANCEL                = 0x101,
	MXP_OP_STATS                 = 0x102,
};

/* Reply flags: what the payload is. */
#define MXP_REP_TO_RCVBUF   0x1u  /* a received message: write at the receive buffer */
#define MXP_REP_TO_SENDBUF  0x2u  /* a pseudo-received message: write at the send buffer */
#define MXP_REP_LARGE_SIZE  0x4u  /* MACH_RCV_LARGE: write v0 at offset 4 of the receive buffer */
#define MXP_REP_LARGE_NAME  0x8u  /* MACH_RCV_LARGE_IDENTITY: write v1 at offset 12 */
/*
 * Out-of-line memory: the reply carries one sealed memfd (SCM_RIGHTS) for
 * each OOL descriptor of the payload whose size is not 0, in descriptor
 * order.  The receiver maps each copy-on-write at an address of its choice
 * and writes that address into the descriptor; if it cannot, it sets
 * address and size to 0 and ORs MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE
 * into the result (spec 6.6).
 */
#define MXP_REP_OOL         0x10u
/*
 * A message larger than one datagram (MXP_PAYLOAD_MAX) travels as a sealed
 * memfd instead of inline: in a MACH_MSG request, `len` is 0 and the one
 * fd attached (SCM_RIGHTS) holds the a1 = send_size bytes, sealed against
 * writing, shrinking and growing (machd refuses anything else); in a
 * reply, MXP_REP_BIG says the first fd attached holds the v5 payload
 * bytes (the OOL memfds, if any, follow it).
 */
#define MXP_REP_BIG         0x20u

/*
 * Out-of-line regions of a sent message (spec 4.3).  machd cannot read the
 * sender's memory, so each OOL memory descriptor with a non-zero size and
 * each OOL ports descriptor with a non-zero count travels as a sealed
 * memfd attached to the MACH_MSG request (after the message's own memfd,
 * if it has one), in descriptor order.  In the copy of the message that
 * libmach sends, the descriptor's `address` field says which:
 *   MXP_OOL_ATTACHED    its memfd is the next attached fd: `size` bytes of
 *                       memory, or `count` 4-byte port names;
 *   1 .. MXP_OOL_OFFSET_MAX  the same for memory whose bytes start that far
 *                       into the memfd (size + offset bytes in all): a
 *                       large region keeps its offset within its page, as
 *                       XNU's virtual copies do (spec 6.6);
 *   MXP_OOL_UNREADABLE  the sender's library could not read the region
 *                       (machd answers MACH_SEND_INVALID_MEMORY when it
 *                       reaches that descriptor, as XNU would on a fault);
 *   MXP_OOL_NO_MEMORY   the library could not make a memfd for it
 *                       (MACH_MSG_VM_KERNEL at that descriptor).
 * Anything else, an fd that is not a sealed memfd of exactly that size,
 * or fds left over, is MACH_SEND_INVALID_MEMORY.  At most MXP_OOL_MAX such
 * descriptors per message (MACH_SEND_TOO_LARGE beyond).
 *
 * In a reply, an OOL memory descriptor's address field holds that offset
 * (0 or more) and the receiver's library adds it to where it maps the memfd.
 *
 * In the reply to a send that failed without pseudo-receive, v2 says how
 * many of the message's descriptors had been copied in (their memory
 * "taken": the library now honours `deallocate` for those, and only those).
 */
#define MXP_OOL_ATTACHED    0ull
#define MXP_OOL_OFFSET_MAX  4095ull
#define MXP_OOL_UNREADABLE  (~0ull)
#define MXP_OOL_NO_MEMORY   (~0ull - 1)
#define MXP_FDS_MAX         253          /* SCM_MAX_FD */
#define MXP_OOL_MAX         (MXP_FDS_MAX - 1)

struct mxp_req {
	uint32_t op;
	uint32_t len;
	uint64_t a[7];
};

struct mxp_rep {
	uint32_t op;
	int32_t  code;
	uint32_t flags;
	uint32_t len;
	uint64_t v[6];
};

_Static_assert(sizeof(struct mxp_req) == 64, "mxp_req layout");
_Static_assert(sizeof(struct mxp_rep) == 64, "mxp_rep layout");
_Static_assert(offsetof(struct mxp_rep, v) == 16, "mxp_rep layout");

/*
 * The largest payload one datagram carries.  Messages are bounded by it for
 * now; the socket buffers of both ends are sized for it.
 */
#define MXP_PAYLOAD_MAX   (256u * 1024u)
#define MXP_SOCKBUF_SIZE  (MXP_PAYLOAD_MAX + 4096u)

#endif /* MACHXFER_MACHD_PROTO_H */
