/*
 * ipc_kobject.c -- the kernel as a MIG server: the msgh_id dispatch hash
 * (XNU's mig_buckets), request type checking, ownership of the request's
 * rights, and reply construction.  See ipc_kobject.h and spec 7.1-7.3.
 */
#include <stdio.h>
#include <string.h>

#include <mach/mig_errors.h>
#include <mach/ndr.h>

#include "ipc_kobject.h"
#include "ipc_kmsg.h"
#include "ipc_port.h"
#include "ipc_right.h"
#include "ipc_mqueue.h"
#include "ipc_notify.h"
#include "ipc_trace.h"
#include "sync_sema.h"
#include "task.h"
#include "memfd_sealed.h"
#include <unistd.h>

#define MAX_MIG_ENTRIES 1031u

static const struct mig_routine *mig_buckets[MAX_MIG_ENTRIES];

bool
mig_init(const struct mig_subsystem *const *subsystems, size_t count)
{
	size_t s;
	uint32_t i, n = 0;

	memset(mig_buckets, 0, sizeof(mig_buckets));
	for (s = 0; s < count; s++) {
		const struct mig_subsystem *ss = subsystems[s];
		for (i = 0; i < ss->count; i++) {
			const struct mig_routine *r = &ss->routines[i];
			uint32_t h = (uint32_t)r->id % MAX_MIG_ENTRIES, probes = 0;

			if (r->id < ss->start || r->id >= ss->end) {
				fprintf(stderr, "machd: mig_init: routine %s (%d) outside subsystem "
				    "%s [%d, %d)\n", r->name, r->id, ss->name, ss->start, ss->end);
				return false;
			}
			while (mig_buckets[h] != NULL) {
				if (mig_buckets[h]->id == r->id) {
					fprintf(stderr, "machd: mig_init: duplicate msgh_id %d (%s and %s)\n",
					    r->id, mig_buckets[h]->name, r->name);
					return false;
				}
				h = (h + 1) % MAX_MIG_ENTRIES;
				if (++probes >= MAX_MIG_ENTRIES)
					break;
			}
			if (++n >= MAX_MIG_ENTRIES) {
				fprintf(stderr, "machd: mig_init: more than %u routines: table full\n",
				    MAX_MIG_ENTRIES - 1);
				return false;
			}
			mig_buckets[h] = r;
		}
	}
	return true;
}

const struct mig_routine *
mig_lookup(mach_msg_id_t id)
{
	uint32_t h = (uint32_t)id % MAX_MIG_ENTRIES, probes;

	for (probes = 0; probes < MAX_MIG_ENTRIES && mig_buckets[h] != NULL; probes++) {
		if (mig_buckets[h]->id == id)
			return mig_buckets[h];
		h = (h + 1) % MAX_MIG_ENTRIES;
	}
	return NULL;
}

/*
 * MIG's server-side type check (spec 7.2): the COMPLEX bit, the number of
 * port descriptors and the size of the scalar arguments must match.
 * Returns the arguments after the NDR record, or NULL.
 */
static const uint8_t *
mig_check_request(const struct mig_routine *r, ipc_kmsg_t kmsg, uint32_t *argsp)
{
	bool complex = (kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX) != 0;
	uint32_t i;

	if (r->ports_in > 0) {
		if (!complex || kmsg->ikm_dsc_count != r->ports_in)
			return NULL;
		for (i = 0; i < kmsg->ikm_dsc_count; i++)
			if (kmsg->ikm_dsc[i].type != MACH_MSG_PORT_DESCRIPTOR)
				return NULL;
	} else if (complex) {
		return NULL;
	}
	if (kmsg->ikm_body_size < sizeof(NDR_record_t))
		return r->args_min == 0 && kmsg->ikm_body_size == 0 ? kmsg->ikm_body : NULL;
	*argsp = kmsg->ikm_body_size - (uint32_t)sizeof(NDR_record_t);
	if (*argsp < r->args_min || *argsp > r->args_max)
		return NULL;
	return kmsg->ikm_body + sizeof(NDR_record_t);
}

/* Build the reply kmsg to `reply_port` (type as held). */
static ipc_kmsg_t
mig_build_reply(ipc_kmsg_t request, kern_return_t kr, struct mig_reply *rep)
{
	ipc_port_t reply_port = request->ikm_local;
	mach_msg_type_name_t reply_type = MACH_MSGH_BITS_LOCAL(request->ikm_bits);
	mach_msg_id_t id = (mach_msg_id_t)((uint32_t)request->ikm_id + 100u);   /* wraps, as in MIG */
	ipc_kmsg_t kmsg;
	uint32_t i;

	if (kr != KERN_SUCCESS || rep->desc_count == 0) {
		/* Simple reply: NDR, RetCode, and on success the outputs. */
		uint8_t body[sizeof(NDR_record_t) + 4 + MIG_REPLY_BODY_MAX];
		uint32_t size = (uint32_t)sizeof(NDR_record_t) + 4;

		memcpy(body, &NDR_record, sizeof(NDR_record_t));
		memcpy(body + sizeof(NDR_record_t), &kr, 4);
		if (kr == KERN_SUCCESS) {
			memcpy(body + size, rep->out, rep->size);
			size += rep->size;
		}
		kmsg = ipc_kmsg_kernel_alloc(reply_port, reply_type, id, body, size);
	} else {
		/* Complex reply: descriptors, then NDR + outputs if any. */
		uint32_t size = rep->size ? (uint32_t)sizeof(NDR_record_t) + rep->size : 0;
		kmsg = ipc_kmsg_alloc(rep->desc_count, size);
		if (kmsg != IKM_NULL) {
			kmsg->ikm_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(reply_type, 0);
			kmsg->ikm_remote = reply_port;
			kmsg->ikm_id = id;
			kmsg->ikm_kernel = true;
			kmsg->ikm_sender = KERNEL_SECURITY_TOKEN_K;
			kmsg->ikm_audit = KERNEL_AUDIT_TOKEN_K;
			for (i = 0; i < rep->desc_count; i++) {
				struct ipc_kmsg_desc *d = &kmsg->ikm_dsc[i];
				d->type = rep->desc_type[i];
				if (d->type == MACH_MSG_PORT_DESCRIPTOR) {
					d->port = rep->port[i];
					d->disposition = (uint8_t)rep->port_type[i];
					rep->port[i] = IP_NULL;
					/* A receive right replied into its own port (e.g.
					 * extract_right of the reply port): circular (4.5). */
					if (d->disposition == MACH_MSG_TYPE_PORT_RECEIVE && IP_VALID(d->port) &&
					    IP_VALID(reply_port) &&
					    ipc_port_check_circularity(d->port, reply_port))
						kmsg->ikm_circular = true;
				} else {
					/* MIG out arrays: a virtual copy (spec 1.3). */
					d->copy = MACH_MSG_VIRTUAL_COPY;
					d->size = rep->ool_size[i];
					ipc_kmsg_desc_set_memfd(d, rep->ool_fd[i]);
					rep->ool_fd[i] = -1;
				}
			}
			if (size) {
				memcpy(kmsg->ikm_body, &NDR_record, sizeof(NDR_record_t));
				memcpy(kmsg->ikm_body + sizeof(NDR_record_t), rep->out, rep->size);
			}
		}
	}
	return kmsg;
}

void
ipc_kobject_server(ipc_kmsg_t request)
{
	ipc_port_t target = request->ikm_remote;
	const struct mig_routine *r;
	const uint8_t *args = NULL;
	uint32_t nargs = 0;
	struct mig_reply rep;
	kern_return_t kr;
	ipc_kmsg_t reply;

	memset(&rep, 0, sizeof(rep));
	rep.ool_fd[0] = rep.ool_fd[1] = -1;
	target->ip_messages.imq_seqno++;
	r = mig_lookup(request->ikm_id);
	if (r == NULL) {
		kr = MIG_BAD_ID;
	} else if ((args = mig_check_request(r, request, &nargs)) == NULL) {
		kr = MIG_BAD_ARGUMENTS;
	} else {
		kr = r->impl(target, request, args, &rep);
	}
	ipc_trace_kobject(request, r ? r->name : NULL, kr);

	/* Ownership (spec 7.3): on error the body is destroyed here, once;
	 * on success the routine took what it kept and the rest goes. */
	ipc_kmsg_clean_body(request);
	if (kr != KERN_SUCCESS)
		mig_reply_discard(&rep);
	ipc_object_destroy(request->ikm_remote, MACH_MSGH_BITS_REMOTE(request->ikm_bits));
	request->ikm_remote = IP_NULL;

	if (kr == MIG_NO_REPLY || !IP_VALID(request->ikm_local)) {
		mig_reply_discard(&rep);
		ipc_kmsg_destroy(request);
		return;
	}
	reply = mig_build_reply(request, kr, &rep);
	if (reply == IKM_NULL) {
		mig_reply_discard(&rep);
		ipc_kmsg_destroy(request);   /* releases the reply right */
		return;
	}
	request->ikm_local = IP_NULL;        /* the reply carries it now */
	ipc_kmsg_destroy(request);
	ipc_mqueue_send_always(reply);
}

bool
mig_reply_add_ool(struct mig_reply *rep, const void *data, uint32_t size)
{
	int fd = -1;

	if (size > 0 && (fd = memfd_create_sealed(data, size)) < 0)
		return false;
	rep->desc_type[rep->desc_count] = MACH_MSG_OOL_DESCRIPTOR;
	rep->ool_fd[rep->desc_count] = fd;
	rep->ool_size[rep->desc_count] = size;
	rep->desc_count++;
	return true;
}

void
mig_reply_discard(struct mig_reply *rep)
{
	uint32_t i;

	for (i = 0; i < rep->desc_count; i++) {
		if (rep->desc_type[i] == MACH_MSG_PORT_DESCRIPTOR)
			ipc_object_destroy(rep->port[i], rep->port_type[i]);
		else if (rep->ool_fd[i] >= 0)
			close(rep->ool_fd[i]);
		rep->port[i] = IP_NULL;
		rep->ool_fd[i] = -1;
	}
	rep->desc_count = 0;
}

kern_return_t
ipc_kobject_alloc_port(void *object, enum ipc_kobject_type type, ipc_port_t *portp)
{
	ipc_port_t port;
	kern_return_t kr = ipc_port_alloc_object(&port);

	if (kr != KERN_SUCCESS)
		return kr;
	port->ip_kotype = (uint16_t)type;
	port->ip_kobject = object;
	*portp = port;
	return KERN_SUCCESS;
}

void
ipc_kobject_dealloc_port(ipc_port_t port)
{
	port->ip_kobject = NULL;
	ipc_port_destroy(port);      /* consumes the kernel's reference */
}

void
ipc_kobject_no_senders(ipc_port_t port)
{
	if (port->ip_kotype == IKOT_SEMAPHORE && port->ip_kobject != NULL)
		semaphore_no_senders(port);
}

void
ipc_kobject_port_died(ipc_port_t port)
{
	(void)port;
}

struct task *
ipc_kobject_task(ipc_port_t port)
{
	if (!IP_VALID(port) || !ip_active(port) || port->ip_kotype != IKOT_TASK)
		return NULL;
	return port->ip_kobject;
}
