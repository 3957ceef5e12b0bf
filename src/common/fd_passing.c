/*
 * fd_passing.c -- SCM_RIGHTS in and out; see fd_passing.h.
 */
#include <string.h>
#include <unistd.h>

#include "fd_passing.h"

void
fd_passing_attach(struct msghdr *mh, union fd_passing_buf *cbuf, const int *fds, int nfds)
{
	struct cmsghdr *c;

	if (nfds <= 0)
		return;
	memset(cbuf, 0, sizeof(*cbuf));
	mh->msg_control = cbuf->buf;
	mh->msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
}

int
fd_passing_collect(struct msghdr *mh, int *fds, int max)
{
	struct cmsghdr *c;
	int nfds = 0;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (nfds < max)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	return nfds;
}
