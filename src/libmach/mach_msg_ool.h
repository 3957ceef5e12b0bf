/*
 * mach_msg_ool.h -- out-of-line regions on the library's side of
 * mach_msg (mach_msg_ool.c).
 */
#ifndef LIBMACH_MACH_MSG_OOL_H
#define LIBMACH_MACH_MSG_OOL_H

#include <stdbool.h>
#include <stdint.h>

#include <mach/mach.h>

#include "machd_proto.h"

/* One descriptor with a region (OOL memory of non-zero size, or an OOL
 * ports array of non-zero count). */
struct ool_item {
	uint32_t  index;        /* descriptor number */
	uint32_t  offset;       /* of the descriptor in the message */
	uint8_t   type;
	uint8_t   copy;
	bool      dealloc;
	bool      owned;        /* fd is a copy made for this send: close it */
	uint64_t  addr;         /* as the sender wrote it */
	uint64_t  len;          /* bytes */
	int       fd;           /* memfd attached, or -1 */
};

/* A send's regions: the rewritten head of the message (header and
 * descriptors, with MXP_OOL_* in the address fields) and the fds. */
struct ool_send {
	uint8_t        *head;
	uint32_t        head_len;
	int             fds[MXP_OOL_MAX];
	int             nfds;
	struct ool_item items[MXP_OOL_MAX];
	int             nitems;
};

/* NULL when the message has no region to pass (send it as it is). */
struct ool_send *ool_send_prepare(const mach_msg_header_t *msg, uint32_t send_size);

/* After the call: honour `deallocate` for what machd took, close copies,
 * free `s` (NULL is fine). */
void ool_send_finish(struct ool_send *s, mach_msg_return_t mr, const struct mxp_rep *rep);

/* Map the memfds that came with a received (or pseudo-received) message
 * of `len` bytes at `m`; returns the spec 6.6 body error bits. */
mach_msg_return_t ool_receive_map(mach_msg_header_t *m, uint32_t len);

/* mach_msg.c: release one right by the disposition a message holds it with. */
void libmach_destroy_right(mach_port_t port, mach_msg_type_name_t type);

#endif /* LIBMACH_MACH_MSG_OOL_H */
