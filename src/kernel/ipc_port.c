/*
 * ipc_port.c -- port lifetime, right counters, no-senders, dead-name
 * requests, receive-right moves, port death and the circularity check.
 * Invariants are in ipc_port.h; the rules are spec 4.5, 5.1, 5.5-5.8.
 */
#include <stdlib.h>

#include "ipc_port.h"
#include "ipc_pset.h"
#include "ipc_notify.h"
#include "ipc_kobject.h"
#include "kalloc.h"

static uint64_t ipc_port_serial;

void
ipc_object_reference(ipc_object_t object)
{
	object->io_references++;
}

void
ipc_object_release(ipc_object_t object)
{
	if (--object->io_references > 0)
		return;
	if (io_otype(object) == IOT_PORT) {
		ipc_port_t port = (ipc_port_t)object;
		if (port->ip_notify != NULL) {
			free(port->ip_notify->ipn_requests);
			free(port->ip_notify);
		}
		kfree(KA_PORT, port);
	} else {
		kfree(KA_PSET, object);
	}
}

kern_return_t
ipc_port_alloc_object(ipc_port_t *portp)
{
	ipc_port_t port = kalloc(KA_PORT, sizeof(*port));

	if (port == NULL)
		return KERN_RESOURCE_SHORTAGE;
	port->ip_object.io_bits = IOT_PORT | IO_BITS_ACTIVE;
	port->ip_object.io_references = 1;
	ipc_mqueue_init(&port->ip_messages);
	port->ip_serial = ++ipc_port_serial;
	*portp = port;
	return KERN_SUCCESS;
}

void
ipc_port_reference(ipc_port_t port)
{
	ipc_object_reference(&port->ip_object);
}

void
ipc_port_release(ipc_port_t port)
{
	ipc_object_release(&port->ip_object);
}

ipc_port_t
ipc_port_make_send(ipc_port_t port)
{
	port->ip_mscount++;
	port->ip_srights++;
	ipc_port_reference(port);
	return port;
}

ipc_port_t
ipc_port_copy_send(ipc_port_t port)
{
	if (!ip_active(port))
		return IP_DEAD;
	port->ip_srights++;
	ipc_port_reference(port);
	return port;
}

ipc_port_t
ipc_port_make_sonce(ipc_port_t port)
{
	port->ip_sorights++;
	ipc_port_reference(port);
	return port;
}

void
ipc_port_check_nosenders(ipc_port_t port)
{
	ipc_port_t nsrequest;

	if (port->ip_srights != 0 || !ip_active(port))
		return;
	if (ip_is_kobject(port))
		ipc_kobject_no_senders(port);
	nsrequest = ip_nsrequest(port);
	if (nsrequest == IP_NULL)
		return;
	port->ip_notify->ipn_nsrequest = IP_NULL;
	ipc_notify_no_senders(nsrequest, port->ip_mscount);
}

struct ipc_port_notify *
ipc_port_notify(ipc_port_t port)
{
	if (port->ip_notify == NULL)
		port->ip_notify = calloc(1, sizeof(*port->ip_notify));
	return port->ip_notify;
}

void
ipc_port_release_send_merged(ipc_port_t port)
{
	port->ip_srights--;
	ipc_port_check_nosenders(port);
}

void
ipc_port_release_send(ipc_port_t port)
{
	ipc_port_reference(port);      /* no-senders may drop the last other one */
	ipc_port_release_send_merged(port);
	ipc_port_release(port);
	ipc_port_release(port);
}

void
ipc_port_release_sonce(ipc_port_t port)
{
	port->ip_sorights--;
	ipc_port_release(port);
}

void
ipc_port_clear_receiver(ipc_port_t port, bool wake_receivers)
{
	port->ip_receiver = NULL;
	port->ip_receiver_name = MACH_PORT_NULL;
	port->ip_mscount = 0;
	port->ip_messages.imq_seqno = 0;
	port->ip_context = 0;
	port->ip_guarded = 0;
	port->ip_strict = 0;
	port->ip_immovable_receive = 0;
	(void)ipc_pset_remove_from_all(port);   /* KERN_NOT_IN_SET is fine */
	if (wake_receivers)
		waitq_wakeup_all(&port->ip_messages.imq_receivers, THREAD_RESTART);
}

/* Send a dead-name notification for every pending request (the port
 * died).  The table stays, marked, until the port's memory goes: the
 * entries that name this port convert lazily and look at it (5.4). */
static void
ipc_port_dnnotify(ipc_port_t port)
{
	struct ipc_port_notify *n = port->ip_notify;
	struct ipc_port_request *t;
	uint32_t i;

	if (n == NULL)
		return;
	t = n->ipn_requests;
	n->ipn_sp_armed = 0;
	for (i = 1; i < n->ipn_requests_size; i++) {
		ipc_port_t soright = t[i].ipr_soright;
		if (t[i].ipr_name == MACH_PORT_NULL || soright == IP_NULL)
			continue;
		t[i].ipr_soright = IP_NULL;
		t[i].ipr_dead_fired = 1;
		ipc_notify_dead_name(soright, t[i].ipr_name);
	}
}

/* Request slot `index` of the port, if it is one and names `name`. */
static struct ipc_port_request *
request_slot(ipc_port_t port, mach_port_name_t name, uint32_t index)
{
	struct ipc_port_notify *n = port->ip_notify;

	if (n == NULL || index == 0 || index >= n->ipn_requests_size ||
	    n->ipn_requests[index].ipr_name != name)
		return NULL;
	return &n->ipn_requests[index];
}

bool
ipc_port_request_dead_fired(ipc_port_t port, mach_port_name_t name, uint32_t index)
{
	struct ipc_port_request *r = request_slot(port, name, index);

	return r != NULL && r->ipr_dead_fired;
}

bool
ipc_port_request_pending(ipc_port_t port, mach_port_name_t name, uint32_t index)
{
	struct ipc_port_request *r = request_slot(port, name, index);

	return r != NULL && r->ipr_soright != IP_NULL;
}

bool
ipc_port_request_armed(ipc_port_t port, uint32_t index)
{
	struct ipc_port_notify *n = port->ip_notify;

	return n != NULL && index < n->ipn_requests_size && n->ipn_requests[index].ipr_armed;
}

static void
request_free_slot(ipc_port_t port, uint32_t index)
{
	struct ipc_port_request *t = port->ip_notify->ipn_requests;

	if (t[index].ipr_armed)
		port->ip_notify->ipn_sp_armed--;
	t[index].ipr_name = MACH_PORT_NULL;
	t[index].ipr_soright = IP_NULL;
	t[index].ipr_armed = 0;
	t[index].ipr_send_possible = 0;
	t[index].ipr_dead_fired = 0;
	t[index].ipr_next_free = t[0].ipr_next_free;
	t[0].ipr_next_free = index;
}

void
ipc_port_spnotify(ipc_port_t port)
{
	struct ipc_port_notify *n = port->ip_notify;
	struct ipc_port_request *t;
	uint32_t i;

	if (n == NULL)
		return;
	t = n->ipn_requests;
	for (i = 1; i < n->ipn_requests_size && n->ipn_sp_armed > 0; i++) {
		ipc_port_t soright = t[i].ipr_soright;
		mach_port_name_t name = t[i].ipr_name;
		if (name == MACH_PORT_NULL || !t[i].ipr_armed)
			continue;
		/* One-shot: the slot goes; the requester's entry finds its
		 * index stale and cancels nothing later. */
		request_free_slot(port, i);
		ipc_notify_send_possible_fire(soright, name);
	}
}

void
ipc_port_destroy(ipc_port_t port)
{
	ipc_port_t pdrequest = ip_pdrequest(port), nsrequest;

	if (pdrequest != IP_NULL && !ip_is_kobject(port)) {
		/* Spec 5.5 step 1: the port lives on, its receive right (with
		 * its queue) travels to the port-destroyed notify port. */
		port->ip_notify->ipn_pdrequest = IP_NULL;
		ipc_port_clear_receiver(port, true);
		ipc_notify_port_destroyed(pdrequest, port);
		return;
	}
	port->ip_object.io_bits &= ~IO_BITS_ACTIVE;
	ipc_port_clear_receiver(port, true);
	ipc_mqueue_destroy(port);
	if (pdrequest != IP_NULL) {
		port->ip_notify->ipn_pdrequest = IP_NULL;
		ipc_notify_send_once_and_release(pdrequest);
	}
	nsrequest = ip_nsrequest(port);
	if (nsrequest != IP_NULL) {
		port->ip_notify->ipn_nsrequest = IP_NULL;
		ipc_notify_send_once_and_release(nsrequest);
	}
	ipc_port_dnnotify(port);
	if (ip_is_kobject(port))
		ipc_kobject_port_died(port);
	ipc_port_release(port);
}

kern_return_t
ipc_port_request_alloc(ipc_port_t port, mach_port_name_t name, ipc_port_t soright,
    bool send_possible, bool armed, uint32_t *indexp)
{
	struct ipc_port_notify *n = ipc_port_notify(port);
	struct ipc_port_request *t;
	uint32_t index;

	if (n == NULL)
		return KERN_NO_SPACE;
	t = n->ipn_requests;
	if (t == NULL || t[0].ipr_next_free == 0) {
		uint32_t old = n->ipn_requests_size, size = old ? old * 2 : 4, i;
		t = realloc(t, size * sizeof(*t));
		if (t == NULL)
			return KERN_NO_SPACE;
		if (old == 0) {
			t[0].ipr_name = MACH_PORT_NULL;
			t[0].ipr_next_free = 0;
			old = 1;
		}
		for (i = size - 1; i >= old; i--) {
			t[i].ipr_name = MACH_PORT_NULL;
			t[i].ipr_soright = IP_NULL;
			t[i].ipr_armed = 0;
			t[i].ipr_dead_fired = 0;
			t[i].ipr_next_free = t[0].ipr_next_free;
			t[0].ipr_next_free = i;
		}
		n->ipn_requests = t;
		n->ipn_requests_size = size;
	}
	index = t[0].ipr_next_free;
	t[0].ipr_next_free = t[index].ipr_next_free;
	t[index].ipr_name = name;
	t[index].ipr_soright = soright;
	t[index].ipr_send_possible = send_possible;
	t[index].ipr_armed = send_possible && armed;
	t[index].ipr_dead_fired = 0;
	if (t[index].ipr_armed)
		n->ipn_sp_armed++;
	*indexp = index;
	return KERN_SUCCESS;
}

ipc_port_t
ipc_port_request_cancel(ipc_port_t port, mach_port_name_t name, uint32_t index)
{
	struct ipc_port_request *r = request_slot(port, name, index);
	ipc_port_t soright;

	if (r == NULL)
		return IP_NULL;       /* already fired (send-possible) */
	soright = r->ipr_soright;
	request_free_slot(port, index);
	return soright;
}

bool
ipc_port_check_circularity(ipc_port_t port, ipc_port_t dest)
{
	ipc_port_t d;

	for (d = dest; d != IP_NULL; d = d->ip_destination) {
		if (d == port)
			return true;
		if (!ip_active(d) || d->ip_receiver != NULL || ip_is_kobject(d))
			break;
	}
	/* No cycle: the port is now in transit towards `dest`. */
	if (port->ip_destination != IP_NULL)
		ipc_port_release(port->ip_destination);
	ipc_port_reference(dest);
	port->ip_destination = dest;
	return false;
}

uint64_t
ipc_port_count(void)
{
	return kalloc_live(KA_PORT);
}
