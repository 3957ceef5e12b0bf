/*
 * ipc_kmsg.h -- a message inside the kernel.
 *
 * A kmsg is born from the bytes a task sent (ipc_kmsg_get: size checks,
 * measuring and inflating the descriptors), takes the sender's rights
 * (ipc_kmsg_copyin_header, ipc_kmsg_copyin_body), waits on a queue or goes
 * to a kernel object, and ends either copied out into a receiver
 * (ipc_kmsg_copyout) or destroyed with every right it carries
 * (ipc_kmsg_destroy).  The path is drawn in docs/architecture.md.
 *
 * Kernel form (what the kernel holds between copyin and copyout):
 *   ikm_bits    msgh_bits with dispositions converted to the types held
 *               (16 receive, 17 send, 18 send-once), COMPLEX kept as sent;
 *   ikm_remote  the destination right;
 *   ikm_local   the reply right (IP_NULL, IP_DEAD or a port);
 *   ikm_dsc     the descriptors, each holding what it carries: a right
 *               (port descriptors), an array of rights (OOL ports), or a
 *               sealed memfd with the bytes (OOL memory) -- the user bytes
 *               of descriptors are not kept;
 *   ikm_body    the inline bytes that follow the descriptors, unchanged.
 * The size a receiver sees, ikm_size, is recomputed from these for the
 * receiving task's layout (for 64-bit tasks it equals the sent size).
 *
 * Invariants: every right in ikm_remote, ikm_local and ikm_dsc (OOL ports
 * arrays included) holds one port reference and counts in the port's
 * srights/sorights; every memfd in ikm_dsc counts in ipc_kmsg_fds_held()
 * and is closed exactly once (copyout passes it on, destruction closes
 * it); a kmsg is on at most one queue (ikm_next).
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_KMSG_H
#define MACHD_IPC_KMSG_H

#include "ipc_types.h"
#include "machd_proto.h"

struct ipc_space;

struct ipc_kmsg_desc {
	uint8_t     type;         /* MACH_MSG_*_DESCRIPTOR */
	uint8_t     disposition;  /* as held: 16/17/18, or 0 for NULL/DEAD names */
	uint8_t     copy;
	uint8_t     deallocate;
	uint16_t    flags;        /* guarded descriptors */
	uint32_t    size;         /* OOL size / ports count */
	uint64_t    context;      /* guarded descriptors */
	ipc_port_t  port;         /* port descriptor: the right, IP_NULL or IP_DEAD */
	mach_port_name_t name;    /* the name as sent (before copyin) */
	uint64_t    address;      /* OOL: the address field as machd received it */
	int         memfd;        /* OOL memory: a sealed memfd (memfd_sealed.h), or -1 */
	uint32_t    offset;       /* OOL memory: where the bytes start in the memfd */
	mach_msg_return_t ool_error; /* OOL: what copyin says if there is no memfd/names */
	mach_port_name_t *names;  /* OOL ports: the names sent, until copyin_body */
	ipc_port_t *ports;        /* OOL ports: the rights held, `size` of them */
};

struct ipc_kmsg {
	ipc_kmsg_t        ikm_next;
	uint64_t          ikm_serial;      /* "kmsg#N" in traces */
	mach_msg_bits_t   ikm_bits;
	ipc_port_t        ikm_remote;
	ipc_port_t        ikm_local;
	mach_port_name_t  ikm_voucher_raw; /* msgh_voucher_port carried through (spec 3.6) */
	mach_msg_id_t     ikm_id;
	uint32_t          ikm_dsc_count;
	struct ipc_kmsg_desc *ikm_dsc;
	uint32_t          ikm_body_size;
	uint8_t          *ikm_body;
	uint32_t          ikm_seqno;
	bool              ikm_circular;    /* carries its own receive right, spec 4.5 */
	bool              ikm_kernel;      /* sent by the kernel (tokens, qlimit bypass) */
	security_token_t  ikm_sender;
	audit_token_t     ikm_audit;
	struct ipc_ledger *ikm_ledger;     /* charged to the sending task */
	uint32_t          ikm_charge;
	uint32_t          ikm_charge_fds;
	uint64_t          ikm_charge_ool;
	/* descriptors and body bytes follow in the same allocation */
};

/* Sizes of the user form for a 64-bit task. */
#define IKM_USER_PORT_DESC_SIZE   12u
#define IKM_USER_OTHER_DESC_SIZE  16u

/*
 * Per-task limit on message bytes held by the kernel (queued, or blocked
 * in a send): a task that floods queues runs into MACH_SEND_NO_BUFFER
 * instead of into machd's memory.  The ledger outlives its task while
 * messages it sent are still queued.
 */
struct ipc_ledger {
	uint32_t il_refs;
	uint64_t il_bytes;        /* message bytes */
	uint64_t il_ool_bytes;    /* out-of-line memory bytes */
	uint64_t il_fds;          /* memfds */
};
extern uint64_t ipc_ledger_limit;     /* bytes per task; machd --max-queued-bytes */
struct ipc_ledger *ipc_ledger_create(void);
void ipc_ledger_release(struct ipc_ledger *ledger);
/* Charge `kmsg` (its user size) to `ledger`; MACH_SEND_NO_BUFFER if the
 * task is over its limit (the kmsg is then uncharged and still the
 * caller's). */
mach_msg_return_t ipc_kmsg_charge(ipc_kmsg_t kmsg, struct ipc_ledger *ledger);

/*
 * Out-of-line memory and port names held by queued messages live in
 * memfds: machd keeps at most ipc_kmsg_fd_budget of them (set from its fd
 * limit at start-up; MACH_MSG_VM_KERNEL beyond, spec 4.2), a task at most
 * ipc_ledger_fd_limit and ipc_ledger_ool_limit bytes of them
 * (MACH_SEND_NO_BUFFER beyond).
 */
extern uint64_t ipc_kmsg_fd_budget;
extern uint64_t ipc_ledger_fd_limit;
extern uint64_t ipc_ledger_ool_limit;
uint64_t ipc_kmsg_fds_held(void);
/* A kernel-made OOL descriptor takes a sealed memfd (counted as held). */
void ipc_kmsg_desc_set_memfd(struct ipc_kmsg_desc *d, int fd);

/* Allocate a kmsg with room for `dsc_count` descriptors and `body` bytes. */
ipc_kmsg_t ipc_kmsg_alloc(uint32_t dsc_count, uint32_t body_size);
/* Free the memory only (no rights). */
void ipc_kmsg_free(ipc_kmsg_t kmsg);
/* Destroy the kmsg and every right it carries (spec 5.5), iteratively. */
void ipc_kmsg_destroy(ipc_kmsg_t kmsg);
/* Destroy only the body's rights and memory (kobject error, spec 7.3). */
void ipc_kmsg_clean_body(ipc_kmsg_t kmsg);

/* User-visible size (header + body, no trailer). */
uint32_t ipc_kmsg_user_size(ipc_kmsg_t kmsg);

/*
 * Step 1-7 of spec 3.1: size checks, measure and inflate descriptors,
 * global limits.  Nothing in any space is touched.  Returns
 * MACH_SEND_MSG_TOO_SMALL, MACH_SEND_TOO_LARGE, MACH_SEND_INVALID_TYPE,
 * MACH_MSG_VM_KERNEL, MACH_SEND_NO_BUFFER.
 */
mach_msg_return_t ipc_kmsg_get(const uint8_t *msg, uint32_t send_size,
    ipc_kmsg_t *kmsgp);

/*
 * Attach the out-of-line regions that came with the message
 * (machd_proto.h, MXP_OOL_*): `fds` in descriptor order, each checked to
 * be a sealed memfd of the stated size; port names are read now.  A
 * descriptor whose region is missing or bad keeps the error its copyin
 * will report (spec 4.3 order).  MACH_SEND_INVALID_MEMORY if the fds do
 * not match the descriptors; MACH_MSG_VM_KERNEL if machd holds too many
 * fds.  Always takes ownership of every fd.
 */
mach_msg_return_t ipc_kmsg_get_ool(ipc_kmsg_t kmsg, const int *fds, int nfds);

/* Step 8: header validation and rights (spec 3.2-3.5); all or nothing. */
mach_msg_return_t ipc_kmsg_copyin_header(struct ipc_space *space, ipc_kmsg_t kmsg,
    mach_msg_header_t *hdr, uint64_t option);

/* Step 10-11: descriptor rights and memory (spec 4.3, 4.5).  On failure
 * the header rights and earlier descriptors are destroyed and the kmsg
 * freed.  *takenp (may be NULL): how many descriptors had their memory
 * taken, so that the sender's `deallocate` applies to them (4.3). */
mach_msg_return_t ipc_kmsg_copyin_body(struct ipc_space *space, ipc_kmsg_t kmsg,
    uint32_t *takenp);

/*
 * Copy the kmsg out into `space` and write the user form into `buf` (at
 * most `buf_size` bytes, which the caller sized with ipc_kmsg_user_size +
 * trailer).  `pseudo`: the failed-send form of spec 6.7 (header not
 * reversed).  Returns the MACH_RCV_* / MACH_MSG_* error bits (0 on
 * success) and the number of bytes written; the kmsg is consumed.
 */
mach_msg_return_t ipc_kmsg_copyout(struct ipc_space *space, ipc_kmsg_t kmsg,
    uint64_t option, mach_port_name_t dest_name, bool pseudo,
    uint64_t rcv_addr, uint8_t *buf, uint32_t *lenp);

/* MACH_RCV_TOO_LARGE without MACH_RCV_LARGE: destroy the message and
 * write the bare header (and trailer, if it fits) of spec 6.5. */
mach_msg_return_t ipc_kmsg_copyout_too_large(struct ipc_space *space, ipc_kmsg_t kmsg,
    uint64_t option, uint64_t context, uint8_t *buf, uint32_t rcv_size, uint32_t *lenp);

/*
 * Out-of-line memory leaves a kmsg at copyout as sealed memfds, one per
 * OOL descriptor with a non-zero size, in descriptor order; the caller
 * takes them with this (up to `max`; ownership moves to the caller, who
 * passes them to the receiver and closes its copies).
 */
#define IKM_COPYOUT_FDS_MAX MXP_FDS_MAX
int ipc_kmsg_take_copyout_fds(int *fds, int max);

/* Bytes of trailer a receive with `option` wants (spec 1.5). */
uint32_t ipc_kmsg_trailer_size(uint64_t option);
/* Write the trailer for `kmsg` (requested size only) at `out`. */
void ipc_kmsg_write_trailer(ipc_kmsg_t kmsg, uint64_t option, uint64_t context,
    uint8_t *out);

uint64_t ipc_kmsg_count(void);

#endif /* MACHD_IPC_KMSG_H */
