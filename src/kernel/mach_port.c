/*
 * mach_port.c -- the kernel half of mach_port.defs: one small routine per
 * MIG message, each translating the task port to its space and calling
 * the ipc_right / ipc_port layer.  Return codes and their order follow
 * spec Appendix A and 5.3-5.7.
 */
#include <stdlib.h>
#include <string.h>

#include <mach/mig_errors.h>
#include <mach/notify.h>

#include "mach_port.h"
#include "machd_server.h"
#include "ipc_right.h"
#include "ipc_pset.h"
#include "ipc_kmsg.h"
#include "ipc_mqueue.h"
#include "ipc_notify.h"
#include "task.h"

/* --- argument helpers ----------------------------------------------------- */

static struct ipc_space *
target_space(ipc_port_t target)
{
	struct task *task = ipc_kobject_task(target);

	return task != NULL && task->t_active ? task->itk_space : NULL;
}

/* The receive right named `name` (ipc_port_translate_receive).  The
 * routines that use it refuse NULL/DEAD with KERN_INVALID_RIGHT first. */
static kern_return_t
translate_receive(struct ipc_space *space, mach_port_name_t name, ipc_port_t *portp)
{
	ipc_entry_t entry;
	kern_return_t kr;

	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_RIGHT;
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	if (!(entry->ie_bits & MACH_PORT_TYPE_RECEIVE))
		return KERN_INVALID_RIGHT;
	*portp = (ipc_port_t)entry->ie_object;
	return KERN_SUCCESS;
}

static kern_return_t
translate_pset(struct ipc_space *space, mach_port_name_t name, ipc_pset_t *psetp)
{
	ipc_entry_t entry;
	kern_return_t kr = ipc_right_lookup(space, name, &entry);

	if (kr != KERN_SUCCESS)
		return kr;
	if (ie_bits_type(entry->ie_bits) != MACH_PORT_TYPE_PORT_SET)
		return KERN_INVALID_RIGHT;
	*psetp = (ipc_pset_t)entry->ie_object;
	return KERN_SUCCESS;
}

/* The receive right named by a routine's first argument. */
static kern_return_t
receive_arg(ipc_port_t target, const uint8_t *args, ipc_port_t *portp)
{
	struct ipc_space *space = target_space(target);

	if (space == NULL)
		return KERN_INVALID_TASK;
	return translate_receive(space, mig_arg32(args, 0), portp);
}

#define SPACE_OR_FAIL(space, target) \
	struct ipc_space *space = target_space(target); \
	if (space == NULL) \
		return KERN_INVALID_TASK

/* --- allocation ------------------------------------------------------------ */

kern_return_t
mach_port_allocate_receive(struct ipc_space *space, mach_port_name_t *namep)
{
	ipc_port_t port;
	kern_return_t kr = ipc_port_alloc_object(&port);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = ipc_object_copyout(space, port, MACH_MSG_TYPE_PORT_RECEIVE, namep);
	if (kr != KERN_SUCCESS) {
		ipc_port_destroy(port);
	}
	return kr;
}

/* Fill a fresh (claimed) entry with a new object of kind `right`. */
static kern_return_t
allocate_into(struct ipc_space *space, mach_port_right_t right, mach_port_name_t name,
    ipc_entry_t entry)
{
	uint32_t gen = ie_bits_gen(entry->ie_bits);
	kern_return_t kr;

	switch (right) {
	case MACH_PORT_RIGHT_RECEIVE: {
		ipc_port_t port;
		kr = ipc_port_alloc_object(&port);
		if (kr == KERN_SUCCESS)
			kr = ipc_hash_insert(space, &port->ip_object, entry);
		if (kr != KERN_SUCCESS)
			return kr;
		entry->ie_object = &port->ip_object;
		entry->ie_bits = gen | MACH_PORT_TYPE_RECEIVE;
		port->ip_receiver = space;
		port->ip_receiver_name = name;
		return KERN_SUCCESS;
	}
	case MACH_PORT_RIGHT_PORT_SET: {
		ipc_pset_t pset;
		kr = ipc_pset_alloc_object(&pset);
		if (kr != KERN_SUCCESS)
			return kr;
		pset->ips_space = space;
		pset->ips_name = name;
		entry->ie_object = &pset->ips_object;
		entry->ie_bits = gen | MACH_PORT_TYPE_PORT_SET;
		return KERN_SUCCESS;
	}
	default:   /* DEAD_NAME */
		entry->ie_object = IO_NULL;
		entry->ie_bits = gen | MACH_PORT_TYPE_DEAD_NAME | 1u;
		return KERN_SUCCESS;
	}
}

static bool
right_allocatable(mach_port_right_t right)
{
	return right == MACH_PORT_RIGHT_RECEIVE || right == MACH_PORT_RIGHT_PORT_SET ||
	    right == MACH_PORT_RIGHT_DEAD_NAME;
}

static kern_return_t
mach_port_allocate_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_right_t right = mig_arg32(args, 0);
	mach_port_name_t name;
	ipc_entry_t entry;
	kern_return_t kr;

	(void)req;
	if (!right_allocatable(right))
		return KERN_INVALID_VALUE;
	kr = ipc_entry_alloc(space, &name, &entry);
	if (kr != KERN_SUCCESS)
		return kr == KERN_RESOURCE_SHORTAGE ? KERN_RESOURCE_SHORTAGE : KERN_NO_SPACE;
	kr = allocate_into(space, right, name, entry);
	if (kr != KERN_SUCCESS) {
		ipc_entry_dealloc(space, name, entry);
		return kr;
	}
	mig_out32(rep, name);
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_allocate_name_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_right_t right = mig_arg32(args, 0);
	mach_port_name_t name = mig_arg32(args, 1);
	ipc_entry_t entry;
	kern_return_t kr;

	(void)req;
	(void)rep;
	if (!right_allocatable(right) || !MACH_PORT_VALID(name))
		return KERN_INVALID_VALUE;
	kr = ipc_entry_alloc_name(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	if (ie_bits_type(entry->ie_bits) != 0)
		return KERN_NAME_EXISTS;
	kr = allocate_into(space, right, name, entry);
	if (kr != KERN_SUCCESS)
		ipc_entry_dealloc(space, name, entry);
	return kr;
}

/* --- names, types and references ------------------------------------------ */

static kern_return_t
mach_port_type_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	mach_port_type_t type;
	mach_port_urefs_t urefs;
	ipc_entry_t entry;
	kern_return_t kr;

	(void)req;
	if (name == MACH_PORT_NULL)
		return KERN_INVALID_NAME;
	if (name == MACH_PORT_DEAD) {
		mig_out32(rep, MACH_PORT_TYPE_DEAD_NAME);
		return KERN_SUCCESS;
	}
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	ipc_right_info(space, name, entry, &type, &urefs);
	mig_out32(rep, type);
	return KERN_SUCCESS;
}

/* mach_port_names: every name and its type, as two out-of-line arrays. */
static kern_return_t
mach_port_names_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_port_urefs_t urefs;
	uint32_t i, n = 0;
	bool ok;

	(void)req;
	(void)args;
	names = malloc((size_t)space->is_inuse * sizeof(*names) + 1);
	types = malloc((size_t)space->is_inuse * sizeof(*types) + 1);
	if (names == NULL || types == NULL) {
		free(names);
		free(types);
		return KERN_RESOURCE_SHORTAGE;
	}
	for (i = 1; i < space->is_table_size && n < space->is_inuse; i++) {
		ipc_entry_t entry = &space->is_table[i];
		if (ie_bits_type(entry->ie_bits) == 0)
			continue;
		names[n] = ipc_entry_name(space, entry);
		ipc_right_info(space, names[n], entry, &types[n], &urefs);
		n++;
	}
	ok = mig_reply_add_ool(rep, names, n * (uint32_t)sizeof(*names)) &&
	    mig_reply_add_ool(rep, types, n * (uint32_t)sizeof(*types));
	free(names);
	free(types);
	if (!ok)
		return KERN_RESOURCE_SHORTAGE;
	mig_out32(rep, n);
	mig_out32(rep, n);
	return KERN_SUCCESS;
}

/* destroy and deallocate: NULL/DEAD are no-ops (Appendix A). */
static kern_return_t
name_op(ipc_port_t target, const uint8_t *args,
    kern_return_t (*op)(struct ipc_space *, mach_port_name_t, ipc_entry_t))
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	ipc_entry_t entry;
	kern_return_t kr;

	if (!MACH_PORT_VALID(name))
		return KERN_SUCCESS;
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	return op(space, name, entry);
}

static kern_return_t
mach_port_destroy_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	(void)req;
	(void)rep;
	return name_op(target, args, ipc_right_destroy);
}

static kern_return_t
mach_port_deallocate_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	(void)req;
	(void)rep;
	return name_op(target, args, ipc_right_dealloc);
}

static kern_return_t
mach_port_get_refs_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	mach_port_right_t right = mig_arg32(args, 1);
	mach_port_type_t type;
	mach_port_urefs_t urefs, refs = 0;
	ipc_entry_t entry;
	kern_return_t kr;

	(void)req;
	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	if (!MACH_PORT_VALID(name)) {
		if (right != MACH_PORT_RIGHT_SEND && right != MACH_PORT_RIGHT_SEND_ONCE)
			return KERN_INVALID_NAME;
		mig_out32(rep, 1);
		return KERN_SUCCESS;
	}
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	ipc_right_info(space, name, entry, &type, &urefs);
	if (type & MACH_PORT_TYPE(right))
		refs = (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_DEAD_NAME) ? urefs : 1;
	mig_out32(rep, refs);
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_mod_refs_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	mach_port_right_t right = mig_arg32(args, 1);
	mach_port_delta_t delta = (mach_port_delta_t)mig_arg32(args, 2);
	ipc_entry_t entry;
	kern_return_t kr;

	(void)req;
	(void)rep;
	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	if (!MACH_PORT_VALID(name)) {
		if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_SEND_ONCE)
			return KERN_SUCCESS;
		return KERN_INVALID_NAME;
	}
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	return ipc_right_delta(space, name, entry, right, delta);
}

/* --- receive-right attributes --------------------------------------------- */

static kern_return_t
mach_port_set_mscount_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr = receive_arg(target, args, &port);

	(void)req;
	(void)rep;
	if (kr == KERN_SUCCESS)
		port->ip_mscount = mig_arg32(args, 1);
	return kr;
}

static kern_return_t
mach_port_set_seqno_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr = receive_arg(target, args, &port);

	(void)req;
	(void)rep;
	if (kr == KERN_SUCCESS)
		port->ip_messages.imq_seqno = mig_arg32(args, 1);
	return kr;
}

static void
port_status(ipc_port_t port, mach_port_status_t *st)
{
	memset(st, 0, sizeof(*st));
	st->mps_pset = port->ip_links != NULL;
	st->mps_seqno = port->ip_messages.imq_seqno;
	st->mps_mscount = port->ip_mscount;
	st->mps_qlimit = port->ip_messages.imq_qlimit;
	st->mps_msgcount = port->ip_messages.imq_msgcount;
	st->mps_sorights = port->ip_sorights;
	st->mps_srights = port->ip_srights > 0;
	st->mps_pdrequest = ip_pdrequest(port) != IP_NULL;
	st->mps_nsrequest = ip_nsrequest(port) != IP_NULL;
	if (port->ip_guarded)
		st->mps_flags |= MACH_PORT_STATUS_FLAG_GUARDED;
	if (port->ip_strict)
		st->mps_flags |= MACH_PORT_STATUS_FLAG_STRICT_GUARD;
	if (port->ip_immovable_receive)
		st->mps_flags |= MACH_PORT_STATUS_FLAG_GUARD_IMMOVABLE_RECEIVE;
}

static kern_return_t
mach_port_get_attributes_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	int flavor = (int)mig_arg32(args, 1);
	uint32_t count = mig_arg32(args, 2), n = 0, i;
	uint32_t info[MACH_PORT_INFO_EXT_COUNT];
	ipc_port_t port;
	kern_return_t kr;

	(void)req;
	memset(info, 0, sizeof(info));
	switch (flavor) {
	case MACH_PORT_LIMITS_INFO:
		if (count < MACH_PORT_LIMITS_INFO_COUNT)
			return KERN_FAILURE;
		if (!MACH_PORT_VALID(name))
			break;                         /* count 0 (spec Appendix A) */
		if ((kr = translate_receive(space, name, &port)) != KERN_SUCCESS)
			return kr;
		info[0] = port->ip_messages.imq_qlimit;
		n = MACH_PORT_LIMITS_INFO_COUNT;
		break;
	case MACH_PORT_RECEIVE_STATUS:
	case MACH_PORT_INFO_EXT: {
		mach_port_info_ext_t ext;
		uint32_t need = flavor == MACH_PORT_INFO_EXT ? MACH_PORT_INFO_EXT_COUNT
		    : MACH_PORT_RECEIVE_STATUS_COUNT;
		if (count < need)
			return KERN_FAILURE;
		if (!MACH_PORT_VALID(name))
			return KERN_INVALID_RIGHT;
		if ((kr = translate_receive(space, name, &port)) != KERN_SUCCESS)
			return kr;
		memset(&ext, 0, sizeof(ext));
		port_status(port, &ext.mpie_status);
		memcpy(info, &ext, need * 4);
		n = need;
		break;
	}
	case MACH_PORT_DNREQUESTS_SIZE:
		if (count < MACH_PORT_DNREQUESTS_SIZE_COUNT)
			return KERN_FAILURE;
		if (!MACH_PORT_VALID(name))
			break;
		if ((kr = translate_receive(space, name, &port)) != KERN_SUCCESS)
			return kr;
		info[0] = port->ip_notify != NULL ? port->ip_notify->ipn_requests_size : 0;
		n = 1;
		break;
	default:
		return KERN_INVALID_ARGUMENT;
	}
	mig_out32(rep, n);
	for (i = 0; i < n; i++)
		mig_out32(rep, info[i]);
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_set_attributes_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	int flavor = (int)mig_arg32(args, 1);
	uint32_t count = mig_arg32(args, 2);
	uint32_t avail = (req->ikm_body_size - 8u - 12u) / 4u;
	ipc_port_t port;
	kern_return_t kr;

	(void)rep;
	if (count > avail)
		return MIG_BAD_ARGUMENTS;
	switch (flavor) {
	case MACH_PORT_LIMITS_INFO:
		if (count < MACH_PORT_LIMITS_INFO_COUNT)
			return KERN_FAILURE;
		if (mig_arg32(args, 3) > MACH_PORT_QLIMIT_MAX)
			return KERN_INVALID_VALUE;
		if ((kr = translate_receive(space, name, &port)) != KERN_SUCCESS)
			return kr;
		port->ip_messages.imq_qlimit = mig_arg32(args, 3);
		/* Raising the limit lets blocked senders in (spec 6.1). */
		ipc_mqueue_release_senders(port);
		return KERN_SUCCESS;
	case MACH_PORT_TEMPOWNER:
	case MACH_PORT_IMPORTANCE_RECEIVER:
	case MACH_PORT_DENAP_RECEIVER:
		/* Importance donation is not modelled: accepted, no effect. */
		if (!MACH_PORT_VALID(name))
			return KERN_INVALID_RIGHT;
		return translate_receive(space, name, &port);
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

static kern_return_t
mach_port_get_context_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr = receive_arg(target, args, &port);

	(void)req;
	if (kr == KERN_SUCCESS)
		mig_out64(rep, port->ip_strict ? 0 : port->ip_context);
	return kr;
}

static kern_return_t
mach_port_set_context_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr = receive_arg(target, args, &port);

	(void)req;
	(void)rep;
	if (kr != KERN_SUCCESS)
		return kr;
	if (port->ip_strict)
		return KERN_INVALID_ARGUMENT;
	port->ip_context = mig_arg64(args, 4);
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_guard_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr;

	(void)req;
	(void)rep;
	if (!MACH_PORT_VALID(mig_arg32(args, 0)))
		return KERN_INVALID_NAME;
	if ((kr = receive_arg(target, args, &port)) != KERN_SUCCESS)
		return kr;
	if (port->ip_guarded || port->ip_context != 0)
		return KERN_INVALID_ARGUMENT;
	port->ip_context = mig_arg64(args, 4);
	port->ip_guarded = 1;
	port->ip_strict = mig_arg32(args, 3) != 0;
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_unguard_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr;

	(void)req;
	(void)rep;
	if (!MACH_PORT_VALID(mig_arg32(args, 0)))
		return KERN_INVALID_NAME;
	if ((kr = receive_arg(target, args, &port)) != KERN_SUCCESS)
		return kr;
	if (!port->ip_guarded || port->ip_context != mig_arg64(args, 4))
		return KERN_INVALID_ARGUMENT;
	port->ip_guarded = 0;
	port->ip_strict = 0;
	port->ip_context = 0;
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_destruct_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	mach_port_delta_t srdelta = (mach_port_delta_t)mig_arg32(args, 1);
	ipc_entry_t entry;
	kern_return_t kr;

	(void)req;
	(void)rep;
	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_NAME;
	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	return ipc_right_destruct(space, name, entry, srdelta, mig_arg64(args, 8));
}

/* --- port sets -------------------------------------------------------------- */

static kern_return_t
mach_port_move_member_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t member = mig_arg32(args, 0), after = mig_arg32(args, 1);
	ipc_port_t port;
	ipc_pset_t pset = IPS_NULL;
	kern_return_t kr;

	(void)req;
	(void)rep;
	if (!MACH_PORT_VALID(member) || after == MACH_PORT_DEAD)
		return KERN_INVALID_RIGHT;
	if ((kr = translate_receive(space, member, &port)) != KERN_SUCCESS)
		return kr;
	if (after != MACH_PORT_NULL && (kr = translate_pset(space, after, &pset)) != KERN_SUCCESS)
		return kr;
	if (pset == IPS_NULL)
		return ipc_pset_remove_from_all(port);
	(void)ipc_pset_remove_from_all(port);
	return ipc_pset_add(pset, port);
}

/* mach_port_get_set_status: the members' names, out of line. */
static kern_return_t
mach_port_get_set_status_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0), *members;
	struct ipc_pset_link *l;
	ipc_pset_t pset;
	uint32_t n = 0;
	kern_return_t kr;
	bool ok;

	(void)req;
	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_RIGHT;
	if ((kr = translate_pset(space, name, &pset)) != KERN_SUCCESS)
		return kr;
	members = malloc((size_t)ipc_pset_member_count(pset) * sizeof(*members) + 1);
	if (members == NULL)
		return KERN_RESOURCE_SHORTAGE;
	/* Members are receive rights of this space (a moved port leaves its
	 * sets), so each has its name here. */
	for (l = pset->ips_members; l != NULL; l = l->ipl_set_next)
		members[n++] = l->ipl_port->ip_receiver_name;
	ok = mig_reply_add_ool(rep, members, n * (uint32_t)sizeof(*members));
	free(members);
	if (!ok)
		return KERN_RESOURCE_SHORTAGE;
	mig_out32(rep, n);
	return KERN_SUCCESS;
}

static kern_return_t
member_args(ipc_port_t target, const uint8_t *args, ipc_port_t *portp, ipc_pset_t *psetp)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0), psname = mig_arg32(args, 1);
	kern_return_t kr;

	if (!MACH_PORT_VALID(name) || !MACH_PORT_VALID(psname))
		return KERN_INVALID_RIGHT;
	if ((kr = translate_receive(space, name, portp)) != KERN_SUCCESS)
		return kr;
	return translate_pset(space, psname, psetp);
}

static kern_return_t
mach_port_insert_member_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	ipc_pset_t pset;
	kern_return_t kr = member_args(target, args, &port, &pset);

	(void)req;
	(void)rep;
	return kr != KERN_SUCCESS ? kr : ipc_pset_add(pset, port);
}

static kern_return_t
mach_port_extract_member_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	ipc_port_t port;
	ipc_pset_t pset;
	kern_return_t kr = member_args(target, args, &port, &pset);

	(void)req;
	(void)rep;
	return kr != KERN_SUCCESS ? kr : ipc_pset_remove(pset, port);
}

/* --- rights in and out ------------------------------------------------------ */

/* mach_port_insert_right after the poly right was copied in (trap or MIG).
 * On failure the right is still the caller's. */
static kern_return_t
insert_right_internal(struct ipc_space *space, mach_port_name_t name, ipc_port_t port,
    mach_msg_type_name_t type)
{
	if (!MACH_PORT_VALID(name) || type < MACH_MSG_TYPE_PORT_RECEIVE ||
	    type > MACH_MSG_TYPE_PORT_SEND_ONCE)
		return KERN_INVALID_VALUE;
	if (!IP_VALID(port) || !ip_active(port))
		return KERN_INVALID_CAPABILITY;
	return ipc_object_copyout_name(space, port, type, name);
}

static kern_return_t
mach_port_insert_right_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	struct ipc_kmsg_desc *d = &req->ikm_dsc[0];
	kern_return_t kr;

	(void)rep;
	kr = insert_right_internal(space, mig_arg32(args, 0), d->port, d->disposition);
	if (kr == KERN_SUCCESS)
		d->port = IP_NULL;
	return kr;
}

static kern_return_t
mach_port_extract_right_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	mach_msg_type_name_t msgt = mig_arg32(args, 1);
	ipc_port_t port;
	kern_return_t kr;

	(void)req;
	if (msgt < MACH_MSG_TYPE_MOVE_RECEIVE || msgt > MACH_MSG_TYPE_MAKE_SEND_ONCE)
		return KERN_INVALID_VALUE;
	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_RIGHT;
	kr = ipc_object_copyin(space, name, msgt, 0, &port);
	if (kr != KERN_SUCCESS)
		return kr;
	rep->desc_count = 1;
	rep->port[0] = port;
	rep->port_type[0] = msgt == MACH_MSG_TYPE_MOVE_RECEIVE ? MACH_MSG_TYPE_PORT_RECEIVE
	    : (msgt == MACH_MSG_TYPE_MOVE_SEND_ONCE || msgt == MACH_MSG_TYPE_MAKE_SEND_ONCE)
	    ? MACH_MSG_TYPE_PORT_SEND_ONCE : MACH_MSG_TYPE_PORT_SEND;
	return KERN_SUCCESS;
}

/* --- notifications ---------------------------------------------------------- */

static kern_return_t
request_receive_notification(struct ipc_space *space, mach_port_name_t name,
    mach_msg_id_t id, uint32_t sync, ipc_port_t notify, ipc_port_t *previousp)
{
	struct ipc_port_notify *n;
	ipc_port_t port;
	kern_return_t kr;

	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_RIGHT;
	if ((kr = translate_receive(space, name, &port)) != KERN_SUCCESS)
		return kr;
	if (id == MACH_NOTIFY_PORT_DESTROYED && ip_pdrequest(port) != IP_NULL)
		return KERN_FAILURE;        /* current XNU (spec 5.7) */
	if (notify == IP_NULL && port->ip_notify == NULL) {
		*previousp = IP_NULL;       /* nothing to cancel, nothing to keep */
		return KERN_SUCCESS;
	}
	if ((n = ipc_port_notify(port)) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (id == MACH_NOTIFY_PORT_DESTROYED) {
		n->ipn_pdrequest = notify;
		*previousp = IP_NULL;
		return KERN_SUCCESS;
	}
	*previousp = n->ipn_nsrequest;
	n->ipn_nsrequest = notify;
	/* Fire at once if nobody holds a send right and sync allows it. */
	if (notify != IP_NULL && port->ip_srights == 0 && sync <= port->ip_mscount) {
		n->ipn_nsrequest = IP_NULL;
		ipc_notify_no_senders(notify, port->ip_mscount);
	}
	return KERN_SUCCESS;
}

static kern_return_t
mach_port_request_notification_impl(ipc_port_t target, struct ipc_kmsg *req,
    const uint8_t *args, struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	struct ipc_kmsg_desc *d = &req->ikm_dsc[0];
	mach_port_name_t name = mig_arg32(args, 0);
	mach_msg_id_t id = (mach_msg_id_t)mig_arg32(args, 1);
	uint32_t sync = mig_arg32(args, 2);
	ipc_port_t notify = d->port, previous = IP_NULL;
	kern_return_t kr;

	if (notify == IP_DEAD)
		return KERN_INVALID_CAPABILITY;
	if (notify != IP_NULL && d->disposition != MACH_MSG_TYPE_PORT_SEND_ONCE)
		return KERN_INVALID_CAPABILITY;
	switch (id) {
	case MACH_NOTIFY_PORT_DESTROYED:
		if (sync != 0)
			return KERN_INVALID_VALUE;
		/* FALLTHROUGH */
	case MACH_NOTIFY_NO_SENDERS:
		kr = request_receive_notification(space, name, id, sync, notify, &previous);
		break;
	case MACH_NOTIFY_DEAD_NAME:
	case MACH_NOTIFY_SEND_POSSIBLE:
		if (!MACH_PORT_VALID(name))
			return KERN_INVALID_ARGUMENT;
		kr = ipc_right_request_alloc(space, name, id == MACH_NOTIFY_SEND_POSSIBLE,
		    sync != 0, notify, &previous);
		break;
	default:
		return KERN_INVALID_VALUE;
	}
	if (kr != KERN_SUCCESS)
		return kr;
	d->port = IP_NULL;                  /* the kernel holds it now */
	rep->desc_count = 1;
	rep->port[0] = previous;
	rep->port_type[0] = MACH_MSG_TYPE_PORT_SEND_ONCE;
	return KERN_SUCCESS;
}

/* --- peek -------------------------------------------------------------------- */

static kern_return_t
mach_port_peek_impl(ipc_port_t target, struct ipc_kmsg *req, const uint8_t *args,
    struct mig_reply *rep)
{
	SPACE_OR_FAIL(space, target);
	mach_port_name_t name = mig_arg32(args, 0);
	uint32_t trailer_type = mig_arg32(args, 1), seqno = mig_arg32(args, 2);
	uint32_t max = mig_arg32(args, 3), tsize, i, ports = 0;
	uint8_t trailer[sizeof(mach_msg_max_trailer_t)];
	ipc_port_t port;
	ipc_kmsg_t kmsg;
	kern_return_t kr;

	(void)req;
	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_RIGHT;
	tsize = ipc_kmsg_trailer_size(trailer_type);
	if (GET_RCV_ELEMENTS(trailer_type) > MACH_RCV_TRAILER_AUDIT || max < tsize)
		return KERN_INVALID_VALUE;
	if ((kr = translate_receive(space, name, &port)) != KERN_SUCCESS)
		return kr;
	kmsg = port->ip_messages.imq_head;
	if (seqno != 0) {
		uint32_t skip = seqno - port->ip_messages.imq_seqno;
		for (i = 0; kmsg != IKM_NULL && i < skip; i++)
			kmsg = kmsg->ikm_next;
		if (seqno < port->ip_messages.imq_seqno)
			kmsg = IKM_NULL;
	} else {
		seqno = port->ip_messages.imq_seqno;
	}
	if (kmsg == IKM_NULL)
		return KERN_FAILURE;
	for (i = 0; i < kmsg->ikm_dsc_count; i++)
		ports += kmsg->ikm_dsc[i].type == MACH_MSG_PORT_DESCRIPTOR;
	kmsg->ikm_seqno = seqno;
	ipc_kmsg_write_trailer(kmsg, trailer_type, port->ip_context, trailer);
	mig_out32(rep, seqno);
	/* The in-kernel size leaks here, as on macOS (spec 1.1, 6.4). */
	mig_out32(rep, ipc_kmsg_user_size(kmsg) + 8u + 4u * ports);
	mig_out32(rep, (uint32_t)kmsg->ikm_id);
	mig_out32(rep, tsize);
	memcpy(rep->out + rep->size, trailer, tsize);
	rep->size += (tsize + 3u) & ~3u;
	return KERN_SUCCESS;
}

static const struct mig_routine mach_port_routines[] = {
	{ 3200, "mach_port_names",                mach_port_names_impl,                0,  0,  0 },
	{ 3201, "mach_port_type",                 mach_port_type_impl,                 4,  4,  0 },
	{ 3203, "mach_port_allocate_name",        mach_port_allocate_name_impl,        8,  8,  0 },
	{ 3204, "mach_port_allocate",             mach_port_allocate_impl,             4,  4,  0 },
	{ 3205, "mach_port_destroy",              mach_port_destroy_impl,              4,  4,  0 },
	{ 3206, "mach_port_deallocate",           mach_port_deallocate_impl,           4,  4,  0 },
	{ 3207, "mach_port_get_refs",             mach_port_get_refs_impl,             8,  8,  0 },
	{ 3208, "mach_port_mod_refs",             mach_port_mod_refs_impl,             12, 12, 0 },
	{ 3209, "mach_port_peek",                 mach_port_peek_impl,                 16, 16, 0 },
	{ 3210, "mach_port_set_mscount",          mach_port_set_mscount_impl,          8,  8,  0 },
	{ 3211, "mach_port_get_set_status",       mach_port_get_set_status_impl,       4,  4,  0 },
	{ 3212, "mach_port_move_member",          mach_port_move_member_impl,          8,  8,  0 },
	{ 3213, "mach_port_request_notification", mach_port_request_notification_impl, 12, 12, 1 },
	{ 3214, "mach_port_insert_right",         mach_port_insert_right_impl,         4,  4,  1 },
	{ 3215, "mach_port_extract_right",        mach_port_extract_right_impl,        8,  8,  0 },
	{ 3216, "mach_port_set_seqno",            mach_port_set_seqno_impl,            8,  8,  0 },
	{ 3217, "mach_port_get_attributes",       mach_port_get_attributes_impl,       12, 12, 0 },
	{ 3218, "mach_port_set_attributes",       mach_port_set_attributes_impl,       12, 12 + 4 * 17, 0 },
	{ 3226, "mach_port_insert_member",        mach_port_insert_member_impl,        8,  8,  0 },
	{ 3227, "mach_port_extract_member",       mach_port_extract_member_impl,       8,  8,  0 },
	{ 3228, "mach_port_get_context",          mach_port_get_context_impl,          4,  4,  0 },
	{ 3229, "mach_port_set_context",          mach_port_set_context_impl,          12, 12, 0 },
	{ 3232, "mach_port_destruct",             mach_port_destruct_impl,             16, 16, 0 },
	{ 3233, "mach_port_guard",                mach_port_guard_impl,                16, 16, 0 },
	{ 3234, "mach_port_unguard",              mach_port_unguard_impl,              12, 12, 0 },
};

const struct mig_subsystem mach_port_subsystem = {
	"mach_port", 3200, 3240, mach_port_routines,
	sizeof(mach_port_routines) / sizeof(mach_port_routines[0]),
};

/* --- traps ---------------------------------------------------------------------- */

static kern_return_t
construct_trap(struct ipc_space *space, uint32_t flags, uint32_t qlimit, uint64_t context,
    mach_port_name_t *namep)
{
	mach_port_name_t name;
	ipc_entry_t entry;
	ipc_port_t port;
	kern_return_t kr;

	if ((flags & MPO_QLIMIT) && qlimit > MACH_PORT_QLIMIT_MAX)
		return KERN_INVALID_VALUE;
	if ((flags & (MPO_SERVICE_PORT | MPO_CONNECTION_PORT | MPO_REPLY_PORT)) &&
	    __builtin_popcount(flags & (MPO_SERVICE_PORT | MPO_CONNECTION_PORT | MPO_REPLY_PORT)) > 1)
		return KERN_INVALID_ARGUMENT;
	kr = mach_port_allocate_receive(space, &name);
	if (kr != KERN_SUCCESS)
		return kr;
	entry = ipc_entry_lookup(space, name);
	port = (ipc_port_t)entry->ie_object;
	if (flags & MPO_QLIMIT)
		port->ip_messages.imq_qlimit = qlimit;
	if (flags & (MPO_CONTEXT_AS_GUARD | MPO_IMMOVABLE_RECEIVE)) {
		port->ip_guarded = 1;
		port->ip_strict = (flags & MPO_STRICT) != 0;
		port->ip_immovable_receive = (flags & MPO_IMMOVABLE_RECEIVE) != 0;
	}
	port->ip_context = context;
	if (flags & MPO_INSERT_SEND_RIGHT) {
		port->ip_mscount++;
		port->ip_srights++;
		entry->ie_bits |= MACH_PORT_TYPE_SEND | 1u;
	}
	*namep = name;
	return KERN_SUCCESS;
}

void
mach_port_trap(struct thread *thread, const struct mxp_req *req)
{
	struct ipc_space *space = thread->th_task->itk_space;
	uint64_t v[6] = { 0 };
	mach_port_name_t name;
	ipc_port_t port;
	kern_return_t kr;

	switch (req->op) {
	case MXP_OP_PORT_CONSTRUCT:
		kr = construct_trap(space, (uint32_t)req->a[0], (uint32_t)req->a[1], req->a[2], &name);
		v[0] = kr == KERN_SUCCESS ? name : 0;
		break;
	case MXP_OP_PORT_INSERT_RIGHT: {
		mach_msg_type_name_t disp = (mach_msg_type_name_t)req->a[2];
		name = (mach_port_name_t)req->a[0];
		if (disp < MACH_MSG_TYPE_MOVE_RECEIVE || disp > MACH_MSG_TYPE_MAKE_SEND_ONCE) {
			kr = KERN_INVALID_VALUE;
			break;
		}
		if (!MACH_PORT_VALID((mach_port_name_t)req->a[1])) {
			kr = KERN_INVALID_CAPABILITY;
			break;
		}
		kr = ipc_object_copyin(space, (mach_port_name_t)req->a[1], disp, 0, &port);
		if (kr != KERN_SUCCESS)
			break;
		disp = disp == MACH_MSG_TYPE_MOVE_RECEIVE ? MACH_MSG_TYPE_PORT_RECEIVE
		    : (disp == MACH_MSG_TYPE_MOVE_SEND_ONCE || disp == MACH_MSG_TYPE_MAKE_SEND_ONCE)
		    ? MACH_MSG_TYPE_PORT_SEND_ONCE : MACH_MSG_TYPE_PORT_SEND;
		kr = insert_right_internal(space, name, port, disp);
		if (kr != KERN_SUCCESS)
			ipc_object_destroy(port, disp);
		break;
	}
	default:
		kr = KERN_INVALID_ARGUMENT;
		break;
	}
	thread_reply(thread, kr, 0, v, NULL, 0);
}
