/*
 * mach_port.h -- the port-management API on the task port: the MIG
 * subsystem mach_port (3200, spec Appendix A) and the fast traps libmach
 * uses where macOS uses _kernelrpc traps (insert_right, construct).
 */
#ifndef MACHD_MACH_PORT_H
#define MACHD_MACH_PORT_H

#include "ipc_kobject.h"
#include "thread.h"

extern const struct mig_subsystem mach_port_subsystem;

/* MXP_OP_PORT_INSERT_RIGHT / MXP_OP_PORT_CONSTRUCT: reply now. */
void mach_port_trap(struct thread *thread, const struct mxp_req *req);

/* mach_reply_port: a new receive right in `space`. */
kern_return_t mach_port_allocate_receive(struct ipc_space *space, mach_port_name_t *namep);

#endif /* MACHD_MACH_PORT_H */
