/*
 * bootstrap.c -- the classic bootstrap client calls (MIG subsystem
 * bootstrap, 400; spec mach-ipc.md 7.5, launchd.md 4.2), sent to `bp`,
 * normally bootstrap_port.
 *
 * The service name travels inline as MIG c_string[128] right after the
 * NDR record.  Long names: launchd's client stubs copy the name with
 * mig_strncpy into the 128-byte field, so a name of 128 bytes or more is
 * silently cut to 127 (launchd compares with strncmp(..., 127)); liblaunch
 * never returns BOOTSTRAP_BAD_COUNT for it.  We do the same, to behave as
 * macOS does; the zero-filling copy also keeps stack bytes out of the
 * message.
 */
#include <string.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "libmach_internal.h"

#define NAME_WORDS      (BOOTSTRAP_MAX_NAME_LEN / 4)

/* name_t after the NDR record: argument words 0..31. */
static void
put_name(uint32_t *args, const char *service_name)
{
	(void)mig_strncpy_zerofill((char *)args, service_name, BOOTSTRAP_MAX_NAME_LEN);
}

/* check_in (402) and look_up (404): a name in, one right out. */
static kern_return_t
name_to_port(mach_port_t bp, mach_msg_id_t id, const char *service_name,
    mach_msg_type_name_t disp, mach_port_t *sp)
{
	struct mig_shape shape = MIG_SHAPE_PORT(disp);
	mig_msg_t m;
	kern_return_t kr;

	m.sreq.Head.msgh_bits = 0;
	m.sreq.NDR = NDR_record;
	put_name(m.sreq.arg, service_name);
	kr = mig_call(bp, &m, MIG_SIMPLE_REQ_SIZE(NAME_WORDS), id, &shape);
	if (kr == KERN_SUCCESS)
		*sp = m.prep.port.name;
	return kr;
}

/* The receive right of a service launchd holds for the caller. */
kern_return_t
bootstrap_check_in(mach_port_t bp, const char *service_name, mach_port_t *sp)
{
	return name_to_port(bp, 402, service_name, MACH_MSG_TYPE_MOVE_RECEIVE, sp);
}

/* A new send right to a service. */
kern_return_t
bootstrap_look_up(mach_port_t bp, const char *service_name, mach_port_t *sp)
{
	return name_to_port(bp, 404, service_name, MACH_MSG_TYPE_MOVE_SEND, sp);
}

/*
 * bootstrap.defs declares service_port as mach_port_t, so the caller keeps
 * its send right and launchd gets a copy (COPY_SEND).
 */
kern_return_t
bootstrap_register(mach_port_t bp, const char *service_name, mach_port_t sp)
{
	static const struct mig_shape shape = MIG_SHAPE_SIMPLE(MIG_SIMPLE_REP_SIZE(0));
	mig_msg_t m;

	mig_set_port(&m.preq, sp, MACH_MSG_TYPE_COPY_SEND);
	put_name(m.preq.arg, service_name);
	return mig_call(bp, &m, MIG_PORT_REQ_SIZE(NAME_WORDS), 403, &shape);
}
