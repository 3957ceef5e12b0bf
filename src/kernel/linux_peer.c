/*
 * linux_peer.c -- what the Linux kernel says about a peer process: a pidfd
 * for the connection's process (SO_PEERPIDFD, else pidfd_open), whether it
 * still lives, and its parent.  machd takes identity only from here,
 * never from what a task says about itself.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux_peer.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77           /* Linux 6.5; not in Debian 12's headers */
#endif

bool
process_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&p, 1, 0) == 0;
}

int
peer_pidfd(int fd, pid_t pid)
{
	int pidfd = -1;
	socklen_t len = sizeof(pidfd);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0)
		return pidfd;
	/* Older kernels: the pid is pinned by the live connection. */
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* The parent pid from /proc, as the kernel reports it. */
pid_t
process_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');                 /* comm may contain anything */
	if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

