/*
 * mach_msg.h -- the mach_msg trap: send half, receive half, and their
 * continuations (XNU's mach_msg_overwrite_trap / mach_msg_receive_results).
 */
#ifndef MACHD_MACH_MSG_H
#define MACHD_MACH_MSG_H

#include "thread.h"

/* `fds`: the memfds of the message's out-of-line regions, in descriptor
 * order (machd_proto.h); always consumed. */
void mach_msg_trap(struct thread *thread, const struct mxp_req *req,
    const uint8_t *msg, uint32_t len, const int *fds, int nfds);

/* The same for a message larger than one datagram, sealed in `memfd`
 * (checked here: a memfd of exactly send_size bytes, sealed against
 * writes, shrinking and growing; else MACH_SEND_INVALID_DATA).  The fd
 * is closed. */
void mach_msg_trap_memfd(struct thread *thread, const struct mxp_req *req, int memfd,
    const int *fds, int nfds);

/* Scratch buffer where copyout builds what a thread receives. */
uint8_t *mach_msg_scratch(void);

#endif /* MACHD_MACH_MSG_H */
