/*
 * fd_passing.h -- file descriptors over the machd channel (SCM_RIGHTS),
 * one way for both ends: machd (requests in, replies out) and libmach
 * (requests out, replies in).  At most MXP_FDS_MAX per datagram.
 */
#ifndef MACHXFER_FD_PASSING_H
#define MACHXFER_FD_PASSING_H

#include <sys/socket.h>

#include "machd_proto.h"

/* Control buffer for up to MXP_FDS_MAX fds, aligned for cmsghdr. */
union fd_passing_buf {
	char           buf[CMSG_SPACE(sizeof(int) * MXP_FDS_MAX)];
	struct cmsghdr align;
};

/* Attach `nfds` fds (at most MXP_FDS_MAX) to `mh`; nothing if nfds is 0. */
void fd_passing_attach(struct msghdr *mh, union fd_passing_buf *cbuf, const int *fds, int nfds);

/* The fds a received datagram carried, in order: at most `max` go to
 * `fds`, the rest are closed.  Returns how many went to `fds`. */
int fd_passing_collect(struct msghdr *mh, int *fds, int max);

#endif /* MACHXFER_FD_PASSING_H */
