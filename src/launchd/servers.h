/*
 * servers.h -- the two request servers on launchd's bootstrap port:
 * bootstrap_server.c (subsystem 400: check_in 402, register 403,
 * look_up 404) and launch_server.c (launch_proto.h, for launchctl).
 * Each handler owns the request: it replies (or defers the reply) and
 * releases every right the request carried.  `pid` is the sender's pid
 * from the kernel's audit trailer.
 */
#ifndef LAUNCHD_SERVERS_H
#define LAUNCHD_SERVERS_H

#include <sys/types.h>

#include <mach/mach.h>

struct launchd;

void bootstrap_server(struct launchd *ld, mach_msg_header_t *req, pid_t pid);
void launch_server(struct launchd *ld, mach_msg_header_t *req, pid_t pid);

/* At exit: delete what is left of the namespace and the overrides. */
void servers_cleanup(struct launchd *ld);

#endif /* LAUNCHD_SERVERS_H */
