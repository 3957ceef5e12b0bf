/*
 * mach_port.c -- client stubs of the port-management routines (MIG
 * subsystem mach_port, 3200; spec Appendix A), as MIG would generate them
 * from osfmk/mach/mach_port.defs for an LP64 client: requests are
 * {header, NDR, 4-byte args} or, when they carry a right, {header, body,
 * port descriptor, NDR, args}; replies are checked by mig_rpc().
 *
 * mach_port_construct and (for the caller's own task) mach_port_insert_right
 * use machd's traps instead, as libsyscall uses the _kernelrpc traps.
 *
 * Not here: mach_port_names (3200) and mach_port_get_set_status (3211)
 * return out-of-line arrays, which machd cannot carry yet;
 * mach_port_allocate_qos / _full are not provided either.
 */
#include <string.h>

#include <mach/mach.h>

#include "libmach_internal.h"

/* Largest arrays of the variable routines (mach_types.defs). */
#define PORT_INFO_MAX       17      /* mach_port_info_t: array[*:17] of integer_t */
#define TRAILER_INFO_MAX    68      /* mach_msg_trailer_info_t: array[*:68] of char */

/*
 * The common shape: simple request with `nargs` words (already in
 * m->sreq.arg), simple reply with RetCode and `nout` words.
 */
static kern_return_t
simple_call(ipc_space_t task, mach_msg_id_t id, mig_msg_t *m, unsigned nargs,
    unsigned nout)
{
	struct mig_shape shape = MIG_SHAPE_SIMPLE(MIG_SIMPLE_REP_SIZE(nout));

	m->sreq.Head.msgh_bits = 0;
	m->sreq.NDR = NDR_record;
	return mig_call(task, m, MIG_SIMPLE_REQ_SIZE(nargs), id, &shape);
}

/* A routine of up to three word arguments that returns only RetCode. */
static kern_return_t
call3(ipc_space_t task, mach_msg_id_t id, unsigned nargs, uint32_t a0,
    uint32_t a1, uint32_t a2)
{
	mig_msg_t m;

	m.sreq.arg[0] = a0;
	m.sreq.arg[1] = a1;
	m.sreq.arg[2] = a2;
	return simple_call(task, id, &m, nargs, 0);
}

/* A routine of one word argument that returns one word. */
static kern_return_t
call_out1(ipc_space_t task, mach_msg_id_t id, unsigned nargs, uint32_t a0,
    uint32_t a1, uint32_t *out)
{
	mig_msg_t m;
	kern_return_t kr;

	m.sreq.arg[0] = a0;
	m.sreq.arg[1] = a1;
	kr = simple_call(task, id, &m, nargs, 1);
	if (kr == KERN_SUCCESS)
		*out = m.srep.out[0];
	return kr;
}

/* name, then a 64-bit value, then `extra` more words. */
static kern_return_t
call_name64(ipc_space_t task, mach_msg_id_t id, mach_port_name_t name,
    uint64_t v, unsigned extra, uint32_t e0, uint32_t e1)
{
	mig_msg_t m;

	m.sreq.arg[0] = name;
	mig_put64(&m.sreq.arg[1], v);
	m.sreq.arg[3] = e0;
	m.sreq.arg[4] = e1;
	return simple_call(task, id, &m, 3 + extra, 0);
}

/* --- simple routines ----------------------------------------------------------- */

kern_return_t
mach_port_type(ipc_space_t task, mach_port_name_t name, mach_port_type_t *ptype)
{
	return call_out1(task, 3201, 1, name, 0, ptype);
}

/* Not implemented by XNU's kernel (MIG_BAD_ID there); kept for the ABI. */
kern_return_t
mach_port_rename(ipc_space_t task, mach_port_name_t old_name,
    mach_port_name_t new_name)
{
	return call3(task, 3202, 2, old_name, new_name, 0);
}

kern_return_t
mach_port_allocate_name(ipc_space_t task, mach_port_right_t right,
    mach_port_name_t name)
{
	return call3(task, 3203, 2, right, name, 0);
}

kern_return_t
mach_port_allocate(ipc_space_t task, mach_port_right_t right,
    mach_port_name_t *name)
{
	return call_out1(task, 3204, 1, right, 0, name);
}

kern_return_t
mach_port_destroy(ipc_space_t task, mach_port_name_t name)
{
	return call3(task, 3205, 1, name, 0, 0);
}

kern_return_t
mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
	return call3(task, 3206, 1, name, 0, 0);
}

kern_return_t
mach_port_get_refs(ipc_space_t task, mach_port_name_t name,
    mach_port_right_t right, mach_port_urefs_t *refs)
{
	return call_out1(task, 3207, 2, name, right, refs);
}

kern_return_t
mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
    mach_port_right_t right, mach_port_delta_t delta)
{
	return call3(task, 3208, 3, name, right, (uint32_t)delta);
}

kern_return_t
mach_port_set_mscount(ipc_space_t task, mach_port_name_t name,
    mach_port_mscount_t mscount)
{
	return call3(task, 3210, 2, name, mscount, 0);
}

kern_return_t
mach_port_move_member(ipc_space_t task, mach_port_name_t member,
    mach_port_name_t after)
{
	return call3(task, 3212, 2, member, after, 0);
}

kern_return_t
mach_port_set_seqno(ipc_space_t task, mach_port_name_t name,
    mach_port_seqno_t seqno)
{
	return call3(task, 3216, 2, name, seqno, 0);
}

/* Only the kernel's table decides whether it exists (XNU: 3222). */
kern_return_t
mach_port_get_srights(ipc_space_t task, mach_port_name_t name,
    mach_port_rights_t *srights)
{
	return call_out1(task, 3222, 1, name, 0, srights);
}

kern_return_t
mach_port_insert_member(ipc_space_t task, mach_port_name_t name,
    mach_port_name_t pset)
{
	return call3(task, 3226, 2, name, pset, 0);
}

kern_return_t
mach_port_extract_member(ipc_space_t task, mach_port_name_t name,
    mach_port_name_t pset)
{
	return call3(task, 3227, 2, name, pset, 0);
}

kern_return_t
mach_port_get_context(ipc_space_read_t task, mach_port_name_t name,
    mach_port_context_t *context)
{
	mig_msg_t m;
	kern_return_t kr;

	m.sreq.arg[0] = name;
	kr = simple_call(task, 3228, &m, 1, 2);
	if (kr == KERN_SUCCESS)
		*context = mig_get64(&m.srep.out[0]);
	return kr;
}

kern_return_t
mach_port_set_context(ipc_space_t task, mach_port_name_t name,
    mach_port_context_t context)
{
	return call_name64(task, 3229, name, context, 0, 0, 0);
}

kern_return_t
mach_port_destruct(ipc_space_t task, mach_port_name_t name,
    mach_port_delta_t srdelta, mach_port_context_t guard)
{
	mig_msg_t m;

	m.sreq.arg[0] = name;
	m.sreq.arg[1] = (uint32_t)srdelta;
	mig_put64(&m.sreq.arg[2], guard);
	return simple_call(task, 3232, &m, 4, 0);
}

kern_return_t
mach_port_guard(ipc_space_t task, mach_port_name_t name,
    mach_port_context_t guard, boolean_t strict)
{
	return call_name64(task, 3233, name, guard, 1, (uint32_t)strict, 0);
}

kern_return_t
mach_port_unguard(ipc_space_t task, mach_port_name_t name,
    mach_port_context_t guard)
{
	return call_name64(task, 3234, name, guard, 0, 0, 0);
}

/* XNU: 3237 (name, guard, flags u64). */
kern_return_t
mach_port_guard_with_flags(ipc_space_t task, mach_port_name_t name,
    mach_port_context_t guard, uint64_t flags)
{
	return call_name64(task, 3237, name, guard, 2, (uint32_t)flags,
	    (uint32_t)(flags >> 32));
}

/* XNU: 3238 (name, old guard, new guard). */
kern_return_t
mach_port_swap_guard(ipc_space_t task, mach_port_name_t name,
    mach_port_context_t old_guard, mach_port_context_t new_guard)
{
	return call_name64(task, 3238, name, old_guard, 2, (uint32_t)new_guard,
	    (uint32_t)(new_guard >> 32));
}

/* --- variable-size replies ------------------------------------------------------- */

/*
 * peek reply: RetCode, seqno, size, id, count, then count trailer bytes
 * padded to 4.  CountInOut: the request says how many bytes fit.
 */
kern_return_t
mach_port_peek(ipc_space_t task, mach_port_name_t name,
    mach_msg_trailer_type_t trailer_type, mach_port_seqno_t *request_seqnop,
    mach_msg_size_t *msg_sizep, mach_msg_id_t *msg_idp,
    mach_msg_trailer_info_t trailer_infop,
    mach_msg_type_number_t *trailer_infopCnt)
{
	static const struct mig_shape shape = {
		MIG_SIMPLE_REP_SIZE(4), MIG_SIMPLE_REP_SIZE(4) + TRAILER_INFO_MAX, 0, 0, 0 };
	mig_msg_t m;
	mach_msg_type_number_t cnt, n;
	kern_return_t kr;

	m.sreq.Head.msgh_bits = 0;
	m.sreq.NDR = NDR_record;
	m.sreq.arg[0] = name;
	m.sreq.arg[1] = trailer_type;
	m.sreq.arg[2] = *request_seqnop;
	m.sreq.arg[3] = *trailer_infopCnt < TRAILER_INFO_MAX ?
	    *trailer_infopCnt : TRAILER_INFO_MAX;
	kr = mig_call(task, &m, MIG_SIMPLE_REQ_SIZE(4), 3209, &shape);
	if (kr != KERN_SUCCESS)
		return kr;
	cnt = m.srep.out[3];
	if (cnt > TRAILER_INFO_MAX ||
	    m.Head.msgh_size != MIG_SIMPLE_REP_SIZE(4) + ((cnt + 3) & ~3u))
		return MIG_TYPE_ERROR;
	*request_seqnop = m.srep.out[0];
	*msg_sizep = m.srep.out[1];
	*msg_idp = (mach_msg_id_t)m.srep.out[2];
	/* As MIG: a short caller array gets what fits and the real count. */
	kr = cnt > *trailer_infopCnt ? MIG_ARRAY_TOO_LARGE : KERN_SUCCESS;
	n = kr == KERN_SUCCESS ? cnt : *trailer_infopCnt;
	if (n != 0)
		memcpy(trailer_infop, &m.srep.out[4], n);
	*trailer_infopCnt = cnt;
	return kr;
}

/* get_attributes reply: RetCode, count, then count ints. */
kern_return_t
mach_port_get_attributes(ipc_space_read_t task, mach_port_name_t name,
    mach_port_flavor_t flavor, mach_port_info_t port_info_out,
    mach_msg_type_number_t *port_info_outCnt)
{
	static const struct mig_shape shape = {
		MIG_SIMPLE_REP_SIZE(1), MIG_SIMPLE_REP_SIZE(1 + PORT_INFO_MAX), 0, 0, 0 };
	mig_msg_t m;
	mach_msg_type_number_t cnt, n;
	kern_return_t kr;

	m.sreq.Head.msgh_bits = 0;
	m.sreq.NDR = NDR_record;
	m.sreq.arg[0] = name;
	m.sreq.arg[1] = (uint32_t)flavor;
	m.sreq.arg[2] = *port_info_outCnt < PORT_INFO_MAX ?
	    *port_info_outCnt : PORT_INFO_MAX;
	kr = mig_call(task, &m, MIG_SIMPLE_REQ_SIZE(3), 3217, &shape);
	if (kr != KERN_SUCCESS)
		return kr;
	cnt = m.srep.out[0];
	if (cnt > PORT_INFO_MAX || m.Head.msgh_size != MIG_SIMPLE_REP_SIZE(1 + cnt))
		return MIG_TYPE_ERROR;
	kr = cnt > *port_info_outCnt ? MIG_ARRAY_TOO_LARGE : KERN_SUCCESS;
	n = kr == KERN_SUCCESS ? cnt : *port_info_outCnt;
	if (n != 0)
		memcpy(port_info_out, &m.srep.out[1], 4 * n);
	*port_info_outCnt = cnt;
	return kr;
}

kern_return_t
mach_port_set_attributes(ipc_space_t task, mach_port_name_t name,
    mach_port_flavor_t flavor, mach_port_info_t port_info,
    mach_msg_type_number_t port_infoCnt)
{
	mig_msg_t m;

	if (port_infoCnt > PORT_INFO_MAX)
		return MIG_ARRAY_TOO_LARGE;
	m.sreq.arg[0] = name;
	m.sreq.arg[1] = (uint32_t)flavor;
	m.sreq.arg[2] = port_infoCnt;
	if (port_infoCnt != 0)
		memcpy(&m.sreq.arg[3], port_info, 4 * port_infoCnt);
	return simple_call(task, 3218, &m, 3 + port_infoCnt, 0);
}

/* --- routines that move rights ---------------------------------------------------- */

kern_return_t
mach_port_request_notification(ipc_space_t task, mach_port_name_t name,
    mach_msg_id_t msgid, mach_port_mscount_t sync, mach_port_t notify,
    mach_msg_type_name_t notifyPoly, mach_port_t *previous)
{
	static const struct mig_shape shape = MIG_SHAPE_PORT(MACH_MSG_TYPE_MOVE_SEND_ONCE);
	mig_msg_t m;
	kern_return_t kr;

	mig_set_port(&m.preq, notify, notifyPoly);
	m.preq.arg[0] = name;
	m.preq.arg[1] = (uint32_t)msgid;
	m.preq.arg[2] = sync;
	kr = mig_call(task, &m, MIG_PORT_REQ_SIZE(3), 3213, &shape);
	if (kr == KERN_SUCCESS)
		*previous = m.prep.port.name;
	return kr;
}

/* The caller's own space: machd's trap (libsyscall's _kernelrpc one). */
static kern_return_t
insert_right_trap(mach_port_name_t name, mach_port_t poly,
    mach_msg_type_name_t polyPoly)
{
	return mxp_trap4(MXP_OP_PORT_INSERT_RIGHT, name, poly, polyPoly, 0, 0);
}

kern_return_t
mach_port_insert_right(ipc_space_t task, mach_port_name_t name,
    mach_port_t poly, mach_msg_type_name_t polyPoly)
{
	static const struct mig_shape shape = MIG_SHAPE_SIMPLE(MIG_SIMPLE_REP_SIZE(0));
	mig_msg_t m;

	if (task == mach_task_self_ && task != MACH_PORT_NULL)
		return insert_right_trap(name, poly, polyPoly);
	mig_set_port(&m.preq, poly, polyPoly);
	m.preq.arg[0] = name;
	return mig_call(task, &m, MIG_PORT_REQ_SIZE(1), 3214, &shape);
}

/* mach_port_names (3200): two out-of-line arrays, names and types. */
kern_return_t
mach_port_names(ipc_space_t task, mach_port_name_array_t *names,
    mach_msg_type_number_t *namesCnt, mach_port_type_array_t *types,
    mach_msg_type_number_t *typesCnt)
{
	static const struct mig_shape shape = MIG_SHAPE_OOL(76, 2);
	union {
		mig_msg_t m;
		struct {
			mach_msg_header_t Head;
			mach_msg_body_t body;
			mach_msg_ool_descriptor_t names, types;
			NDR_record_t NDR;
			mach_msg_type_number_t namesCnt, typesCnt;
		} __attribute__((packed, aligned(4))) r;
	} u;
	kern_return_t kr;

	u.m.sreq.Head.msgh_bits = 0;
	kr = mig_rpc(task, &u, (mach_msg_size_t)sizeof(mach_msg_header_t), (mach_msg_size_t)sizeof(u),
	    3200, &shape);
	if (kr != KERN_SUCCESS)
		return kr;
	*names = (mach_port_name_array_t)u.r.names.address;
	*namesCnt = u.r.namesCnt;
	*types = (mach_port_type_array_t)u.r.types.address;
	*typesCnt = u.r.typesCnt;
	return KERN_SUCCESS;
}

/* mach_port_get_set_status (3211): the member names, out of line. */
kern_return_t
mach_port_get_set_status(ipc_space_t task, mach_port_name_t name,
    mach_port_name_array_t *members, mach_msg_type_number_t *membersCnt)
{
	static const struct mig_shape shape = MIG_SHAPE_OOL(56, 1);
	union {
		mig_msg_t m;
		struct {
			mach_msg_header_t Head;
			mach_msg_body_t body;
			mach_msg_ool_descriptor_t members;
			NDR_record_t NDR;
			mach_msg_type_number_t membersCnt;
		} __attribute__((packed, aligned(4))) r;
	} u;
	kern_return_t kr;

	u.m.sreq.Head.msgh_bits = 0;
	u.m.sreq.NDR = NDR_record;
	u.m.sreq.arg[0] = name;
	kr = mig_rpc(task, &u, MIG_SIMPLE_REQ_SIZE(1), (mach_msg_size_t)sizeof(u), 3211, &shape);
	if (kr != KERN_SUCCESS)
		return kr;
	*members = (mach_port_name_array_t)u.r.members.address;
	*membersCnt = u.r.membersCnt;
	return KERN_SUCCESS;
}

/* The right comes back in a descriptor whose disposition is its type. */
kern_return_t
mach_port_extract_right(ipc_space_t task, mach_port_name_t name,
    mach_msg_type_name_t msgt_name, mach_port_t *poly,
    mach_msg_type_name_t *polyPoly)
{
	static const struct mig_shape shape = MIG_SHAPE_PORT(0);
	mig_msg_t m;
	kern_return_t kr;

	m.sreq.Head.msgh_bits = 0;
	m.sreq.NDR = NDR_record;
	m.sreq.arg[0] = name;
	m.sreq.arg[1] = msgt_name;
	kr = mig_call(task, &m, MIG_SIMPLE_REQ_SIZE(2), 3215, &shape);
	if (kr == KERN_SUCCESS) {
		*poly = m.prep.port.name;
		*polyPoly = m.prep.port.disposition;
	}
	return kr;
}

/*
 * Its options would travel out of line in MIG (3231), so libsyscall uses
 * the trap, which only serves the caller's own task; the trap copies the
 * options in first (MACH_SEND_INVALID_DATA) and then checks the task.
 */
kern_return_t
mach_port_construct(ipc_space_t task, mach_port_options_ptr_t options,
    mach_port_context_t context, mach_port_name_t *name)
{
	struct mxp_req req;
	struct mxp_rep rep;
	kern_return_t kr;

	if (options == NULL || name == NULL)
		return MACH_SEND_INVALID_DATA;
	if (task != mach_task_self_)
		return MACH_SEND_INVALID_DEST;
	memset(&req, 0, sizeof(req));
	req.op = MXP_OP_PORT_CONSTRUCT;
	req.a[0] = options->flags;
	req.a[1] = options->mpl.mpl_qlimit;
	req.a[2] = context;
	kr = mxp_trap(&req, &rep, 0);
	if (kr == KERN_SUCCESS)
		*name = (mach_port_name_t)rep.v[0];
	return kr;
}
