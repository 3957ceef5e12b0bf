/*
 * ipc_right.c -- what a name in a space can do: lookup, lazy dead-name
 * conversion, copyin/copyout of dispositions, deallocation, destruction,
 * uref arithmetic and dead-name requests.  Rules: spec 3.4, 4.3, 5.2-5.5,
 * 5.7 and Appendix A; invariants in ipc_space.h and ipc_port.h.
 */
#include "ipc_right.h"
#include "ipc_notify.h"
#include "ipc_pset.h"

#define TYPE_SEND       MACH_PORT_TYPE_SEND
#define TYPE_RECEIVE    MACH_PORT_TYPE_RECEIVE
#define TYPE_SEND_ONCE  MACH_PORT_TYPE_SEND_ONCE
#define TYPE_PORT_SET   MACH_PORT_TYPE_PORT_SET
#define TYPE_DEAD_NAME  MACH_PORT_TYPE_DEAD_NAME

static inline ipc_port_t
entry_port(ipc_entry_t entry)
{
	return (ipc_port_t)entry->ie_object;
}

/* Free the name; the caller already disposed of the rights it held. */
static void
entry_free(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	ipc_object_t object = entry->ie_object;

	entry->ie_bits &= IE_BITS_GEN_MASK;
	ipc_entry_dealloc(space, name, entry);
	if (object != IO_NULL)
		ipc_object_release(object);
}

/* Cancel the entry's dead-name request with a port-deleted notification
 * (spec 5.7: the right went away while the port lives). */
static void
entry_request_cancel(ipc_port_t port, mach_port_name_t name, ipc_entry_t entry)
{
	ipc_port_t soright;

	if (entry->ie_request == 0)
		return;
	soright = ipc_port_request_cancel(port, name, entry->ie_request);
	entry->ie_request = 0;
	if (soright != IP_NULL)
		ipc_notify_port_deleted(soright, name);
}

bool
ipc_right_check(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	uint32_t bits = entry->ie_bits, urefs;
	ipc_port_t port;

	if ((bits & (TYPE_SEND | TYPE_SEND_ONCE)) == 0 || (bits & TYPE_RECEIVE))
		return false;
	port = entry_port(entry);
	if (ip_active(port))
		return false;
	if (bits & TYPE_SEND) {
		ipc_hash_delete(space, &port->ip_object);
		urefs = ie_bits_urefs(bits);
		port->ip_srights--;
	} else {
		urefs = 1;
		port->ip_sorights--;
	}
	if (entry->ie_request != 0) {
		/* The dead-name notification carries this extra uref. */
		if (ipc_port_request_dead_fired(port, name, entry->ie_request) &&
		    urefs < MACH_PORT_UREFS_MAX)
			urefs++;
		entry->ie_request = 0;
	}
	entry->ie_bits = ie_bits_gen(bits) | TYPE_DEAD_NAME | urefs;
	entry->ie_object = IO_NULL;
	ipc_port_release(port);
	return true;
}

kern_return_t
ipc_right_lookup(struct ipc_space *space, mach_port_name_t name, ipc_entry_t *entryp)
{
	ipc_entry_t entry;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	entry = ipc_entry_lookup(space, name);
	if (entry == IE_NULL)
		return KERN_INVALID_NAME;
	(void)ipc_right_check(space, name, entry);   /* converted or not, it exists */
	*entryp = entry;
	return KERN_SUCCESS;
}

kern_return_t
ipc_right_info(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    mach_port_type_t *typep, mach_port_urefs_t *urefsp)
{
	(void)ipc_right_check(space, name, entry);
	*typep = ie_bits_type(entry->ie_bits);
	if (entry->ie_request != 0)
		*typep |= MACH_PORT_TYPE_DNREQUEST;
	*urefsp = ie_bits_urefs(entry->ie_bits);
	return KERN_SUCCESS;
}

/* Remove one dead-name uref (pegged names keep theirs). */
static void
dead_name_dec(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	uint32_t urefs = ie_bits_urefs(entry->ie_bits);

	if (urefs == MACH_PORT_UREFS_MAX)
		return;
	if (urefs <= 1)
		entry_free(space, name, entry);
	else
		entry->ie_bits--;
}

/* Drop the entry's SEND bit (its last uref is gone); frees the name if
 * nothing else is left.  The srights count the entry held is released. */
static void
entry_drop_send(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	ipc_port_t port = entry_port(entry);

	if (entry->ie_bits & TYPE_RECEIVE) {
		entry->ie_bits &= ~(TYPE_SEND | IE_BITS_UREFS_MASK);
		ipc_port_release_send_merged(port);
		return;
	}
	ipc_hash_delete(space, &port->ip_object);
	entry_request_cancel(port, name, entry);
	ipc_port_reference(port);
	entry_free(space, name, entry);
	ipc_port_release_send(port);
}

kern_return_t
ipc_right_dealloc(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	uint32_t bits;
	ipc_port_t port;

	(void)ipc_right_check(space, name, entry);
	bits = entry->ie_bits;
	switch (ie_bits_type(bits)) {
	case TYPE_PORT_SET: {
		ipc_pset_t pset = (ipc_pset_t)entry->ie_object;
		ipc_pset_destroy(pset);
		entry_free(space, name, entry);
		return KERN_SUCCESS;
	}
	case TYPE_DEAD_NAME:
		dead_name_dec(space, name, entry);
		return KERN_SUCCESS;
	case TYPE_SEND_ONCE:
		port = entry_port(entry);
		entry_request_cancel(port, name, entry);
		ipc_port_reference(port);
		entry_free(space, name, entry);
		ipc_notify_send_once_and_release(port);
		return KERN_SUCCESS;
	case TYPE_SEND:
	case TYPE_SEND | TYPE_RECEIVE:
		if (ie_bits_urefs(bits) == MACH_PORT_UREFS_MAX)
			return KERN_SUCCESS;       /* pegged (spec 5.3) */
		if (ie_bits_urefs(bits) > 1) {
			entry->ie_bits--;
			return KERN_SUCCESS;
		}
		entry_drop_send(space, name, entry);
		return KERN_SUCCESS;
	default:
		return KERN_INVALID_RIGHT;
	}
}

/*
 * Destroy the receive right held by `entry` (mod_refs RECEIVE -1, destroy,
 * destruct).  The entry keeps SEND if a port-destroyed request will carry
 * the port away; becomes a dead name if it had SEND; else is freed.
 */
static void
entry_destroy_receive(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	ipc_port_t port = entry_port(entry);
	uint32_t bits = entry->ie_bits;

	ipc_port_reference(port);             /* the naked receive right */
	if (bits & TYPE_SEND) {
		if (ip_pdrequest(port) != IP_NULL) {
			entry->ie_bits &= ~TYPE_RECEIVE;
		} else {
			uint32_t urefs = ie_bits_urefs(bits);
			if (entry->ie_request != 0) {
				/* The request fires below with the port's death. */
				if (ipc_port_request_pending(port, name, entry->ie_request) &&
				    urefs < MACH_PORT_UREFS_MAX)
					urefs++;
				entry->ie_request = 0;
			}
			ipc_hash_delete(space, &port->ip_object);
			entry->ie_bits = ie_bits_gen(bits) | TYPE_DEAD_NAME | urefs;
			entry->ie_object = IO_NULL;
			port->ip_srights--;
			ipc_port_release(port);
		}
	} else {
		ipc_hash_delete(space, &port->ip_object);
		entry_request_cancel(port, name, entry);
		entry_free(space, name, entry);
	}
	ipc_port_clear_receiver(port, true);
	ipc_port_destroy(port);
}

kern_return_t
ipc_right_destroy(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	uint32_t bits;
	ipc_port_t port;

	(void)ipc_right_check(space, name, entry);
	bits = entry->ie_bits;
	switch (ie_bits_type(bits)) {
	case TYPE_PORT_SET:
		ipc_pset_destroy((ipc_pset_t)entry->ie_object);
		entry_free(space, name, entry);
		return KERN_SUCCESS;
	case TYPE_DEAD_NAME:
		entry_free(space, name, entry);
		return KERN_SUCCESS;
	}
	port = entry_port(entry);
	if ((bits & TYPE_RECEIVE) && port->ip_guarded)
		return KERN_INVALID_RIGHT;
	if (bits & TYPE_RECEIVE) {
		/* Take the send urefs away first: the whole name goes. */
		if (bits & TYPE_SEND) {
			entry->ie_bits &= ~(TYPE_SEND | IE_BITS_UREFS_MASK);
			ipc_port_release_send_merged(port);
		}
		entry_destroy_receive(space, name, entry);
		return KERN_SUCCESS;
	}
	entry_request_cancel(port, name, entry);
	if (bits & TYPE_SEND)
		ipc_hash_delete(space, &port->ip_object);
	ipc_port_reference(port);
	entry_free(space, name, entry);
	if (bits & TYPE_SEND_ONCE)
		ipc_notify_send_once_and_release(port);
	else
		ipc_port_release_send(port);
	return KERN_SUCCESS;
}

void
ipc_right_terminate(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	uint32_t bits = entry->ie_bits;
	ipc_port_t port;

	switch (ie_bits_type(bits)) {
	case 0:
		return;
	case TYPE_PORT_SET:
		ipc_pset_destroy((ipc_pset_t)entry->ie_object);
		ipc_object_release(entry->ie_object);
		break;
	case TYPE_DEAD_NAME:
		break;
	default:
		port = entry_port(entry);
		if (!ip_active(port)) {
			/* Already dead: just drop what the entry held. */
			if (bits & TYPE_SEND)
				port->ip_srights--;
			else if (bits & TYPE_SEND_ONCE)
				port->ip_sorights--;
			ipc_port_release(port);
			break;
		}
		if (bits & TYPE_RECEIVE) {
			if (bits & TYPE_SEND)
				ipc_port_release_send_merged(port);
			ipc_port_clear_receiver(port, true);
			ipc_port_destroy(port);        /* consumes the entry's ref */
			break;
		}
		entry_request_cancel(port, name, entry);
		if (bits & TYPE_SEND_ONCE)
			ipc_notify_send_once_and_release(port);
		else
			ipc_port_release_send(port);
		break;
	}
	entry->ie_bits &= IE_BITS_GEN_MASK;
	entry->ie_object = IO_NULL;
}

kern_return_t
ipc_right_delta(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    mach_port_right_t right, mach_port_delta_t delta)
{
	uint32_t bits, urefs;
	ipc_port_t port;

	switch (right) {
	case MACH_PORT_RIGHT_RECEIVE:
		bits = entry->ie_bits;
		if (!(bits & TYPE_RECEIVE))
			return KERN_INVALID_RIGHT;
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		if (entry_port(entry)->ip_guarded)
			return KERN_INVALID_RIGHT;
		entry_destroy_receive(space, name, entry);
		return KERN_SUCCESS;

	case MACH_PORT_RIGHT_PORT_SET:
		if (ie_bits_type(entry->ie_bits) != TYPE_PORT_SET)
			return KERN_INVALID_RIGHT;
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		ipc_pset_destroy((ipc_pset_t)entry->ie_object);
		entry_free(space, name, entry);
		return KERN_SUCCESS;

	case MACH_PORT_RIGHT_SEND_ONCE:
		if (ipc_right_check(space, name, entry) ||
		    !(entry->ie_bits & TYPE_SEND_ONCE))
			return KERN_INVALID_RIGHT;
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		return ipc_right_dealloc(space, name, entry);

	case MACH_PORT_RIGHT_DEAD_NAME:
		(void)ipc_right_check(space, name, entry);
		bits = entry->ie_bits;
		if (ie_bits_type(bits) != TYPE_DEAD_NAME)
			return KERN_INVALID_RIGHT;
		goto urefs_delta;

	case MACH_PORT_RIGHT_SEND:
		if (ipc_right_check(space, name, entry) ||
		    !(entry->ie_bits & TYPE_SEND))
			return KERN_INVALID_RIGHT;
		bits = entry->ie_bits;
		goto urefs_delta;

	default:   /* LABELH and anything the routine let through */
		return KERN_INVALID_RIGHT;
	}

urefs_delta:
	if (delta > (mach_port_delta_t)MACH_PORT_UREFS_MAX || delta < -(mach_port_delta_t)MACH_PORT_UREFS_MAX)
		return KERN_INVALID_VALUE;
	urefs = ie_bits_urefs(bits);
	if ((int64_t)urefs + delta < 0)
		return KERN_INVALID_VALUE;
	if (delta == 0)
		return KERN_SUCCESS;
	if (urefs == MACH_PORT_UREFS_MAX && delta != -(mach_port_delta_t)MACH_PORT_UREFS_MAX)
		return KERN_SUCCESS;          /* pegged (spec 5.3) */
	if ((int64_t)urefs + delta >= MACH_PORT_UREFS_MAX) {
		entry->ie_bits = (bits & ~IE_BITS_UREFS_MASK) | MACH_PORT_UREFS_MAX;
		return KERN_SUCCESS;
	}
	urefs = (uint32_t)((int64_t)urefs + delta);
	if (urefs > 0) {
		entry->ie_bits = (bits & ~IE_BITS_UREFS_MASK) | urefs;
		return KERN_SUCCESS;
	}
	if (ie_bits_type(bits) == TYPE_DEAD_NAME) {
		entry_free(space, name, entry);
		return KERN_SUCCESS;
	}
	port = entry_port(entry);
	(void)port;
	entry_drop_send(space, name, entry);
	return KERN_SUCCESS;
}

kern_return_t
ipc_right_destruct(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    mach_port_delta_t srdelta, uint64_t guard)
{
	uint32_t bits = entry->ie_bits;
	ipc_port_t port;
	kern_return_t kr;

	if (!(bits & TYPE_RECEIVE))
		return KERN_INVALID_RIGHT;
	if (srdelta != 0 && !(bits & TYPE_SEND))
		return KERN_INVALID_RIGHT;
	if (srdelta > 0)
		return KERN_INVALID_VALUE;
	port = entry_port(entry);
	if (port->ip_guarded && port->ip_context != guard)
		return KERN_INVALID_ARGUMENT;
	if (srdelta != 0) {
		uint32_t urefs = ie_bits_urefs(bits);
		if ((int64_t)urefs + srdelta < 0)
			return KERN_INVALID_VALUE;
		kr = ipc_right_delta(space, name, entry, MACH_PORT_RIGHT_SEND, srdelta);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	entry_destroy_receive(space, name, entry);
	return KERN_SUCCESS;
}

bool
ipc_right_copyin_check_reply(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry, mach_msg_type_name_t msgt_name)
{
	uint32_t bits = entry->ie_bits;

	(void)space;
	(void)name;
	if ((bits & (TYPE_SEND | TYPE_RECEIVE | TYPE_SEND_ONCE)) == 0)
		return false;
	switch (msgt_name) {
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return (bits & TYPE_RECEIVE) != 0;
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MOVE_SEND:
		return (bits & TYPE_SEND) != 0;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		return (bits & TYPE_SEND_ONCE) != 0;
	default:
		return false;
	}
}

/* A dead-name entry seen by a DEADOK copyin of a send or send-once
 * disposition: MOVE consumes one uref, COPY none (spec 4.3). */
static kern_return_t
copyin_dead(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    mach_msg_type_name_t msgt_name, uint32_t flags, ipc_port_t *portp)
{
	if (!(flags & IPC_COPYIN_DEADOK))
		return KERN_INVALID_CAPABILITY;
	if (msgt_name != MACH_MSG_TYPE_COPY_SEND)
		dead_name_dec(space, name, entry);
	*portp = IP_DEAD;
	return KERN_SUCCESS;
}

kern_return_t
ipc_right_copyin(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    mach_msg_type_name_t msgt_name, uint32_t flags, ipc_port_t *portp)
{
	uint32_t bits = entry->ie_bits;
	ipc_port_t port = entry_port(entry);

	switch (msgt_name) {
	case MACH_MSG_TYPE_MAKE_SEND:
		if (!(bits & TYPE_RECEIVE))
			return KERN_INVALID_RIGHT;
		*portp = ipc_port_make_send(port);
		return KERN_SUCCESS;

	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		if (!(bits & TYPE_RECEIVE))
			return KERN_INVALID_RIGHT;
		*portp = ipc_port_make_sonce(port);
		return KERN_SUCCESS;

	case MACH_MSG_TYPE_MOVE_RECEIVE:
		if (!(bits & TYPE_RECEIVE) || port->ip_immovable_receive ||
		    ip_is_kobject(port))
			return KERN_INVALID_RIGHT;
		if (bits & TYPE_SEND) {
			entry->ie_bits &= ~TYPE_RECEIVE;   /* keeps the name as SEND */
			ipc_port_reference(port);
		} else {
			ipc_hash_delete(space, &port->ip_object);
			entry_request_cancel(port, name, entry);
			ipc_port_reference(port);
			entry_free(space, name, entry);
		}
		ipc_port_clear_receiver(port, true);
		*portp = port;
		return KERN_SUCCESS;

	case MACH_MSG_TYPE_COPY_SEND:
		if (ie_bits_type(bits) == TYPE_DEAD_NAME)
			return copyin_dead(space, name, entry, msgt_name, flags, portp);
		if (!(bits & TYPE_SEND))
			return KERN_INVALID_RIGHT;
		if (ipc_right_check(space, name, entry))
			return copyin_dead(space, name, entry, msgt_name, flags, portp);
		*portp = ipc_port_copy_send(port);
		return KERN_SUCCESS;

	case MACH_MSG_TYPE_MOVE_SEND:
		if (ie_bits_type(bits) == TYPE_DEAD_NAME)
			return copyin_dead(space, name, entry, msgt_name, flags, portp);
		if (!(bits & TYPE_SEND))
			return KERN_INVALID_RIGHT;
		if (ipc_right_check(space, name, entry))
			return copyin_dead(space, name, entry, msgt_name, flags, portp);
		if (ie_bits_urefs(bits) == MACH_PORT_UREFS_MAX) {
			*portp = ipc_port_copy_send(port);   /* pegged: not decremented */
		} else if (ie_bits_urefs(bits) > 1) {
			entry->ie_bits--;
			*portp = ipc_port_copy_send(port);
		} else if (bits & TYPE_RECEIVE) {
			/* The entry's send right itself moves into the message. */
			entry->ie_bits &= ~(TYPE_SEND | IE_BITS_UREFS_MASK);
			ipc_port_reference(port);
			*portp = port;
		} else {
			ipc_hash_delete(space, &port->ip_object);
			entry_request_cancel(port, name, entry);
			ipc_port_reference(port);
			entry_free(space, name, entry);
			*portp = port;
		}
		return KERN_SUCCESS;

	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		if (ie_bits_type(bits) == TYPE_DEAD_NAME)
			return copyin_dead(space, name, entry, msgt_name, flags, portp);
		if (!(bits & TYPE_SEND_ONCE))
			return KERN_INVALID_RIGHT;
		if (!ip_active(port) && (flags & IPC_COPYIN_ALLOW_DEAD_SONCE) &&
		    entry->ie_request == 0) {
			/* Spec 3.4: accepted; the message is thrown away later. */
			ipc_port_reference(port);
			entry_free(space, name, entry);
			*portp = port;
			return KERN_SUCCESS;
		}
		if (ipc_right_check(space, name, entry))
			return copyin_dead(space, name, entry, msgt_name, flags, portp);
		entry_request_cancel(port, name, entry);
		ipc_port_reference(port);
		entry_free(space, name, entry);
		*portp = port;
		return KERN_SUCCESS;

	default:
		return KERN_INVALID_RIGHT;
	}
}

kern_return_t
ipc_object_copyin(struct ipc_space *space, mach_port_name_t name,
    mach_msg_type_name_t msgt_name, uint32_t flags, ipc_port_t *portp)
{
	ipc_entry_t entry;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	entry = ipc_entry_lookup(space, name);
	if (entry == IE_NULL)
		return KERN_INVALID_NAME;
	return ipc_right_copyin(space, name, entry, msgt_name, flags, portp);
}

/* Merge the right into an entry that already names the port (coalescing). */
static void
copyout_merge(ipc_entry_t entry, ipc_port_t port, mach_msg_type_name_t msgt_name,
    struct ipc_space *space, mach_port_name_t name)
{
	if (msgt_name == MACH_MSG_TYPE_PORT_SEND) {
		if (entry->ie_bits & TYPE_SEND) {
			entry->ie_bits = ipc_urefs_inc(entry->ie_bits);
			ipc_port_release_send_merged(port);
		} else {
			entry->ie_bits |= TYPE_SEND | 1u;   /* the right becomes the entry's */
		}
	} else {   /* RECEIVE joins an existing SEND name */
		entry->ie_bits |= TYPE_RECEIVE;
		port->ip_receiver = space;
		port->ip_receiver_name = name;
	}
	ipc_port_release(port);   /* the entry already holds a reference */
}

static void
copyout_install(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    ipc_port_t port, mach_msg_type_name_t msgt_name)
{
	uint32_t gen = ie_bits_gen(entry->ie_bits);

	entry->ie_object = &port->ip_object;       /* takes the right's reference */
	switch (msgt_name) {
	case MACH_MSG_TYPE_PORT_SEND:
		entry->ie_bits = gen | TYPE_SEND | 1u;
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		entry->ie_bits = gen | TYPE_SEND_ONCE | 1u;
		break;
	default:
		entry->ie_bits = gen | TYPE_RECEIVE;
		port->ip_receiver = space;
		port->ip_receiver_name = name;
		break;
	}
}

/* The right arrives: a receive right is no longer in transit. */
static void
copyout_receive_arrives(ipc_port_t port)
{
	if (port->ip_destination != IP_NULL) {
		ipc_port_t dest = port->ip_destination;
		port->ip_destination = IP_NULL;
		ipc_port_release(dest);
	}
}

/* A dead port's right cannot be delivered: release it, deliver DEAD. */
static bool
copyout_dead(ipc_port_t port, mach_msg_type_name_t msgt_name, mach_port_name_t *namep)
{
	if (port == IP_NULL || port == IP_DEAD) {
		*namep = port == IP_NULL ? MACH_PORT_NULL : MACH_PORT_DEAD;
		return true;
	}
	if (ip_active(port))
		return false;
	if (msgt_name == MACH_MSG_TYPE_PORT_SEND)
		port->ip_srights--;
	else if (msgt_name == MACH_MSG_TYPE_PORT_SEND_ONCE)
		port->ip_sorights--;
	ipc_port_release(port);
	*namep = MACH_PORT_DEAD;
	return true;
}

/* The right joins the entry that already names its port (coalescing). */
static void
copyout_existing(struct ipc_space *space, ipc_entry_t entry, ipc_port_t port,
    mach_msg_type_name_t msgt_name)
{
	if (msgt_name == MACH_MSG_TYPE_PORT_RECEIVE)
		copyout_receive_arrives(port);
	copyout_merge(entry, port, msgt_name, space, ipc_entry_name(space, entry));
}

/* The right gets the fresh entry `name`; on failure the entry is freed. */
static kern_return_t
copyout_new(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry,
    ipc_port_t port, mach_msg_type_name_t msgt_name)
{
	kern_return_t kr;

	if (msgt_name != MACH_MSG_TYPE_PORT_SEND_ONCE) {
		kr = ipc_hash_insert(space, &port->ip_object, entry);
		if (kr != KERN_SUCCESS) {
			ipc_entry_dealloc(space, name, entry);
			return kr;
		}
	}
	if (msgt_name == MACH_MSG_TYPE_PORT_RECEIVE)
		copyout_receive_arrives(port);
	copyout_install(space, name, entry, port, msgt_name);
	return KERN_SUCCESS;
}

/* Send and receive rights coalesce; send-once rights never do (5.2). */
static ipc_entry_t
copyout_lookup_existing(struct ipc_space *space, ipc_port_t port,
    mach_msg_type_name_t msgt_name)
{
	if (msgt_name == MACH_MSG_TYPE_PORT_SEND_ONCE)
		return IE_NULL;
	return ipc_hash_lookup(space, &port->ip_object);
}

kern_return_t
ipc_object_copyout(struct ipc_space *space, ipc_port_t port,
    mach_msg_type_name_t msgt_name, mach_port_name_t *namep)
{
	ipc_entry_t entry;
	mach_port_name_t name;
	kern_return_t kr;

	if (copyout_dead(port, msgt_name, namep))
		return KERN_SUCCESS;
	if (!space->is_active)
		return KERN_INVALID_TASK;
	entry = copyout_lookup_existing(space, port, msgt_name);
	if (entry != IE_NULL) {
		*namep = ipc_entry_name(space, entry);
		copyout_existing(space, entry, port, msgt_name);
		return KERN_SUCCESS;
	}
	kr = ipc_entry_alloc(space, &name, &entry);
	if (kr == KERN_SUCCESS)
		kr = copyout_new(space, name, entry, port, msgt_name);
	if (kr == KERN_SUCCESS)
		*namep = name;
	return kr;
}

kern_return_t
ipc_object_copyout_name(struct ipc_space *space, ipc_port_t port,
    mach_msg_type_name_t msgt_name, mach_port_name_t name)
{
	uint32_t index = MACH_PORT_INDEX_K(name);
	ipc_entry_t entry;
	kern_return_t kr;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if ((name & 3u) != 3u)
		return KERN_INVALID_VALUE;
	if (index == 0)
		return KERN_FAILURE;
	if (index > space->is_table_max)
		return KERN_NO_SPACE;
	entry = copyout_lookup_existing(space, port, msgt_name);
	if (entry != IE_NULL) {
		if (ipc_entry_name(space, entry) != name)
			return KERN_RIGHT_EXISTS;
		copyout_existing(space, entry, port, msgt_name);
		return KERN_SUCCESS;
	}
	kr = ipc_entry_alloc_name(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	if (ie_bits_type(entry->ie_bits) != 0)
		return KERN_NAME_EXISTS;
	return copyout_new(space, name, entry, port, msgt_name);
}

void
ipc_object_destroy(ipc_port_t port, mach_msg_type_name_t msgt_name)
{
	if (!IP_VALID(port))
		return;
	switch (msgt_name) {
	case MACH_MSG_TYPE_PORT_SEND:
		ipc_port_release_send(port);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		ipc_notify_send_once_and_release(port);
		break;
	case MACH_MSG_TYPE_PORT_RECEIVE:
		copyout_receive_arrives(port);        /* leaves transit for limbo */
		ipc_port_destroy(port);
		break;
	default:
		break;
	}
}

kern_return_t
ipc_right_request_alloc(struct ipc_space *space, mach_port_name_t name,
    bool send_possible, bool armed, ipc_port_t notify, ipc_port_t *previousp)
{
	ipc_entry_t entry;
	ipc_port_t port, previous = IP_NULL;
	uint32_t index;
	kern_return_t kr;

	kr = ipc_right_lookup(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	if (ie_bits_type(entry->ie_bits) == TYPE_DEAD_NAME) {
		if (!send_possible || notify == IP_NULL)
			return KERN_INVALID_ARGUMENT;
		/* Spec 5.7: immediate dead-name notification, urefs + 1. */
		entry->ie_bits = ipc_urefs_inc(entry->ie_bits);
		ipc_notify_dead_name(notify, name);
		*previousp = IP_NULL;
		return KERN_SUCCESS;
	}
	if (!(entry->ie_bits & (TYPE_SEND | TYPE_RECEIVE | TYPE_SEND_ONCE)))
		return KERN_INVALID_RIGHT;
	port = entry_port(entry);
	if (entry->ie_request != 0) {
		previous = ipc_port_request_cancel(port, name, entry->ie_request);
		entry->ie_request = 0;
	}
	if (notify != IP_NULL) {
		kr = ipc_port_request_alloc(port, name, notify, send_possible, armed, &index);
		if (kr != KERN_SUCCESS) {
			if (previous != IP_NULL)     /* put the old request back */
				(void)ipc_port_request_alloc(port, name, previous, false, false,
				    &entry->ie_request);
			return kr;
		}
		entry->ie_request = index;
		if (send_possible && ipc_notify_send_possible(port, name, index,
		    (entry->ie_bits & TYPE_SEND_ONCE) != 0))
			entry->ie_request = 0;
	}
	*previousp = previous;
	return KERN_SUCCESS;
}
