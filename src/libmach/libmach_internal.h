/*
 * libmach_internal.h -- what the libmach source files share and nobody
 * else sees: the channel to machd (mach_init.c), the MIG client helper
 * (mig_support.c) and the generic MIG message layouts the stubs build.
 */
#ifndef LIBMACH_INTERNAL_H
#define LIBMACH_INTERNAL_H

#include <stdint.h>
#include <sys/uio.h>

#include <mach/mach.h>

#include "machd_proto.h"

/*
 * mxp_call's result when no reply came back: machd could not be reached,
 * or the channel broke during the call.  Not a Mach code (Mach codes are
 * small, negative MIG codes, or have a system in the top bits); each caller
 * turns it into the code its macOS counterpart would give (mxp_trap:
 * KERN_FAILURE; mach_msg: MACH_SEND_INVALID_DEST / MACH_RCV_INVALID_NAME).
 */
#define MXP_KR_UNREACHABLE      ((kern_return_t)0x7ffffff1)

/*
 * One request/reply round trip on the calling thread's channel (opened on
 * first use).  The request header and `payload` go out in one datagram;
 * the reply header lands in *rep and its payload directly in
 * rbuf[0 .. rbuf_len).  `interruptible`: a signal during the wait sends
 * MXP_OP_CANCEL once and the call keeps waiting for its one reply.
 * Returns rep->code, MXP_KR_UNREACHABLE, MACH_SEND_INVALID_DATA (payload
 * unreadable) or MACH_RCV_INVALID_DATA (rbuf unwritable, or the reply did
 * not fit in it).  Sets req->len.
 */
/* memfds that came with the last reply of this thread (MXP_REP_OOL);
 * whoever uses them sets libmach_rcv_nfds to 0, the next call closes
 * the rest. */
#define LIBMACH_RCV_FDS_MAX MXP_FDS_MAX
extern __thread int libmach_rcv_fds[LIBMACH_RCV_FDS_MAX];
extern __thread int libmach_rcv_nfds;
void libmach_rcv_fds_close(void);

kern_return_t mxp_call(struct mxp_req *req, const void *payload, uint32_t len,
    struct mxp_rep *rep, void *rbuf, uint32_t rbuf_len, int interruptible);

/* What a request carries: payload pieces, sent as one datagram, and fds
 * (the caller keeps ownership of the fds and closes them after the call). */
#define MXP_IOV_MAX 3
struct mxp_out {
	struct iovec iov[MXP_IOV_MAX];
	int          niov;
	const int   *fds;
	int          nfds;
};
kern_return_t mxp_call_out(struct mxp_req *req, const struct mxp_out *out,
    struct mxp_rep *rep, void *rbuf, uint32_t rbuf_len, int interruptible);

/* mxp_call without payloads; MXP_KR_UNREACHABLE becomes KERN_FAILURE. */
/* A trap with up to four arguments and no results but the code. */
kern_return_t mxp_trap4(uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    int interruptible);
kern_return_t mxp_trap(struct mxp_req *req, struct mxp_rep *rep,
    int interruptible);

/*
 * Bumped whenever every channel is forgotten (libmach_reinit, fork
 * child); per-thread caches (the MIG reply port) compare against it.
 */
unsigned mxp_generation(void);

/* mig_support.c: release the exiting thread's MIG reply port (called by
 * mach_init.c at thread exit, while the thread's channel still works). */
void mig_reply_port_thread_exit(void);

/* The page size, set up on first use (constructors may run before ours). */
vm_size_t mxp_page_size(void);

/* --- MIG client side (mig_support.c) ----------------------------------- */

#define MIG_ARGS_MAX    40      /* 4-byte argument words: name_t is 32 */
#define MIG_OUT_MAX     24      /* 4-byte reply words after RetCode */

/*
 * Generic request and reply bodies for every routine libmach calls, packed
 * to 4 like MIG's own (LP64 layouts: spec 1.1, 1.3, 7.3).  64-bit arguments
 * take two consecutive words (mig_put64 / mig_get64).
 */
#pragma pack(push, 4)
typedef struct {
	mach_msg_header_t           Head;
	NDR_record_t                NDR;
	uint32_t                    arg[MIG_ARGS_MAX];
} mig_simple_req_t;

typedef struct {
	mach_msg_header_t           Head;
	mach_msg_body_t             body;
	mach_msg_port_descriptor_t  port;
	NDR_record_t                NDR;
	uint32_t                    arg[MIG_ARGS_MAX];
} mig_port_req_t;

typedef struct {
	mach_msg_header_t           Head;
	NDR_record_t                NDR;
	kern_return_t               RetCode;
	uint32_t                    out[MIG_OUT_MAX];
	mach_msg_max_trailer_t      trailer;
} mig_simple_rep_t;

typedef struct {
	mach_msg_header_t           Head;
	mach_msg_body_t             body;
	mach_msg_port_descriptor_t  port;
	mach_msg_max_trailer_t      trailer;
} mig_port_rep_t;

typedef union {
	mach_msg_header_t           Head;
	mig_simple_req_t            sreq;
	mig_port_req_t              preq;
	mig_simple_rep_t            srep;
	mig_port_rep_t              prep;
	mig_reply_error_t           err;
} mig_msg_t;
#pragma pack(pop)

/* Sizes of the fixed parts. */
#define MIG_SIMPLE_REQ_SIZE(nargs)  ((mach_msg_size_t)(32 + 4 * (nargs)))
#define MIG_PORT_REQ_SIZE(nargs)    ((mach_msg_size_t)(48 + 4 * (nargs)))
#define MIG_SIMPLE_REP_SIZE(nout)   ((mach_msg_size_t)(36 + 4 * (nout)))
#define MIG_PORT_REP_SIZE           ((mach_msg_size_t)40)

/* What a successful reply must look like. */
struct mig_shape {
	mach_msg_size_t         min_size;   /* simple: size bounds; complex: exact */
	mach_msg_size_t         max_size;
	unsigned                ports;      /* 0: simple reply; 1: one port descriptor */
	mach_msg_type_name_t    disp;       /* expected disposition, 0 = polymorphic */
	unsigned                ools;       /* > 0: that many OOL descriptors */
};

/* A simple reply of exactly `size` bytes (RetCode plus outputs). */
#define MIG_SHAPE_SIMPLE(size)  { (size), (size), 0, 0, 0 }
/* A complex reply carrying one port descriptor of disposition `d`. */
#define MIG_SHAPE_PORT(d)       { MIG_PORT_REP_SIZE, MIG_PORT_REP_SIZE, 1, (d), 0 }
/* A complex reply of `size` bytes with `n` out-of-line descriptors. */
#define MIG_SHAPE_OOL(size, n)  { (size), (size), 0, 0, (n) }

/*
 * One MIG RPC: fill in the header of `msg` (whose msgh_bits holds 0 or
 * MACH_MSGH_BITS_COMPLEX on entry): remote `dest` COPY_SEND, local the
 * thread's reply port MAKE_SEND_ONCE, id; send `send_size` bytes and
 * receive the reply into the same buffer (at most `rcv_max` bytes) in one
 * mach_msg call; then check the reply as MIG does (id + 100, shape, RetCode).
 * Returns KERN_SUCCESS with the reply in `msg`, or the error (the reply,
 * if any, already destroyed).
 */
kern_return_t mig_rpc(mach_port_t dest, void *msg, mach_msg_size_t send_size,
    mach_msg_size_t rcv_max, mach_msg_id_t id, const struct mig_shape *shape);

/* mig_rpc on a mig_msg_t. */
kern_return_t mig_call(mach_port_t dest, mig_msg_t *m, mach_msg_size_t send_size,
    mach_msg_id_t id, const struct mig_shape *shape);

/* Fill the single port descriptor of a complex request. */
void mig_set_port(mig_port_req_t *req, mach_port_t name, mach_msg_type_name_t disp);

void mig_put64(uint32_t *slot, uint64_t v);
uint64_t mig_get64(const uint32_t *slot);

#endif /* LIBMACH_INTERNAL_H */
