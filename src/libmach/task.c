/*
 * task.c -- the task routines libmach provides (MIG subsystem task, 3400:
 * special ports and semaphores, spec 7.4/7.5) and the small traps that
 * name the caller's own objects.
 */
#include <string.h>

#include <mach/mach.h>
#include <mach/task.h>

#include "libmach_internal.h"

/* A trap whose only result is a port name (MACH_PORT_NULL on failure). */
static mach_port_name_t
name_trap(uint32_t op)
{
	struct mxp_req req;
	struct mxp_rep rep;

	memset(&req, 0, sizeof(req));
	req.op = op;
	if (mxp_trap(&req, &rep, 0) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return (mach_port_name_t)rep.v[0];
}

/* A new receive right, for replies. */
mach_port_name_t
mach_reply_port(void)
{
	return name_trap(MXP_OP_MACH_REPLY_PORT);
}

/* A send right to the caller's task port (one more uref each call). */
mach_port_name_t
task_self_trap(void)
{
	return name_trap(MXP_OP_TASK_SELF);
}

/* machd has no thread ports yet: there is no name to return. */
mach_port_name_t
thread_self_trap(void)
{
	return MACH_PORT_NULL;
}

mach_port_t
mach_thread_self(void)
{
	return thread_self_trap();
}

/* machd has no host port for tasks yet (its HOST_* kobjects are internal). */
mach_port_name_t
host_self_trap(void)
{
	return MACH_PORT_NULL;
}

mach_port_t
mach_host_self(void)
{
	return host_self_trap();
}

/* --- MIG routines -------------------------------------------------------------- */

kern_return_t
task_get_special_port(task_inspect_t task, int which_port,
    mach_port_t *special_port)
{
	static const struct mig_shape shape = MIG_SHAPE_PORT(MACH_MSG_TYPE_MOVE_SEND);
	mig_msg_t m;
	kern_return_t kr;

	m.sreq.Head.msgh_bits = 0;
	m.sreq.NDR = NDR_record;
	m.sreq.arg[0] = (uint32_t)which_port;
	kr = mig_call(task, &m, MIG_SIMPLE_REQ_SIZE(1), 3409, &shape);
	if (kr == KERN_SUCCESS)
		*special_port = m.prep.port.name;
	return kr;
}

kern_return_t
task_set_special_port(task_t task, int which_port, mach_port_t special_port)
{
	static const struct mig_shape shape = MIG_SHAPE_SIMPLE(MIG_SIMPLE_REP_SIZE(0));
	mig_msg_t m;

	mig_set_port(&m.preq, special_port, MACH_MSG_TYPE_COPY_SEND);
	m.preq.arg[0] = (uint32_t)which_port;
	return mig_call(task, &m, MIG_PORT_REQ_SIZE(1), 3410, &shape);
}

kern_return_t
semaphore_create(task_t task, semaphore_t *semaphore, int policy, int value)
{
	static const struct mig_shape shape = MIG_SHAPE_PORT(MACH_MSG_TYPE_MOVE_SEND);
	mig_msg_t m;
	kern_return_t kr;

	m.sreq.Head.msgh_bits = 0;
	m.sreq.NDR = NDR_record;
	m.sreq.arg[0] = (uint32_t)policy;
	m.sreq.arg[1] = (uint32_t)value;
	kr = mig_call(task, &m, MIG_SIMPLE_REQ_SIZE(2), 3418, &shape);
	if (kr == KERN_SUCCESS)
		*semaphore = m.prep.port.name;
	return kr;
}

/* The request carries only the descriptor: no NDR record (40 bytes). */
kern_return_t
semaphore_destroy(task_t task, semaphore_t semaphore)
{
	static const struct mig_shape shape = MIG_SHAPE_SIMPLE(MIG_SIMPLE_REP_SIZE(0));
	mig_msg_t m;

	mig_set_port(&m.preq, semaphore, MACH_MSG_TYPE_MOVE_SEND);
	return mig_call(task, &m, MIG_PORT_REQ_SIZE(0) - sizeof(NDR_record_t),
	    3419, &shape);
}
