/*
 * linux_peer.h -- process identity from the Linux kernel (see linux_peer.c).
 */
#ifndef MACHD_LINUX_PEER_H
#define MACHD_LINUX_PEER_H

#include <stdbool.h>
#include <sys/types.h>

/* A pidfd for the process at the other end of connected socket `fd`
 * (whose SO_PEERCRED pid is `pid`); -1 on failure. */
int peer_pidfd(int fd, pid_t pid);
/* Does the process behind `pidfd` still run? */
bool process_alive(int pidfd);
/* The parent pid of `pid` as /proc reports it; -1 if unknown. */
pid_t process_ppid(pid_t pid);

#endif /* MACHD_LINUX_PEER_H */
