/*
 * ipc_pset.c -- port sets: membership links, the prepost list that finds
 * a member with messages in O(1), and the set's receivers.  Invariants are
 * in ipc_pset.h.
 */
#include "ipc_pset.h"
#include "ipc_port.h"
#include "ipc_mqueue.h"
#include "kalloc.h"

kern_return_t
ipc_pset_alloc_object(ipc_pset_t *psetp)
{
	ipc_pset_t pset = kalloc(KA_PSET, sizeof(*pset));

	if (pset == NULL)
		return KERN_RESOURCE_SHORTAGE;
	pset->ips_object.io_bits = IOT_PORT_SET | IO_BITS_ACTIVE;
	pset->ips_object.io_references = 1;
	waitq_init(&pset->ips_receivers);
	*psetp = pset;
	return KERN_SUCCESS;
}

static void
pp_append(ipc_pset_t pset, struct ipc_pset_link *l)
{
	l->ipl_pp_next = NULL;
	l->ipl_pp_prev = pset->ips_pp_last;
	if (pset->ips_pp_last)
		pset->ips_pp_last->ipl_pp_next = l;
	else
		pset->ips_pp_first = l;
	pset->ips_pp_last = l;
	l->ipl_preposted = true;
}

static void
pp_remove(ipc_pset_t pset, struct ipc_pset_link *l)
{
	if (!l->ipl_preposted)
		return;
	if (l->ipl_pp_prev)
		l->ipl_pp_prev->ipl_pp_next = l->ipl_pp_next;
	else
		pset->ips_pp_first = l->ipl_pp_next;
	if (l->ipl_pp_next)
		l->ipl_pp_next->ipl_pp_prev = l->ipl_pp_prev;
	else
		pset->ips_pp_last = l->ipl_pp_prev;
	l->ipl_pp_next = l->ipl_pp_prev = NULL;
	l->ipl_preposted = false;
}

/* Unlink `l` from its set's lists and free it (the port list is the
 * caller's business). */
static void
link_free(struct ipc_pset_link *l)
{
	ipc_pset_t pset = l->ipl_pset;

	pp_remove(pset, l);
	if (l->ipl_set_prev)
		l->ipl_set_prev->ipl_set_next = l->ipl_set_next;
	else
		pset->ips_members = l->ipl_set_next;
	if (l->ipl_set_next)
		l->ipl_set_next->ipl_set_prev = l->ipl_set_prev;
	ipc_port_release(l->ipl_port);
	ipc_object_release(&pset->ips_object);
	kfree(KA_MISC, l);
}

void
ipc_pset_destroy(ipc_pset_t pset)
{
	pset->ips_object.io_bits &= ~IO_BITS_ACTIVE;
	while (pset->ips_members != NULL) {
		struct ipc_pset_link *l = pset->ips_members, **pp;
		ipc_port_t port = l->ipl_port;
		for (pp = &port->ip_links; *pp != l; pp = &(*pp)->ipl_port_next)
			;
		*pp = l->ipl_port_next;
		link_free(l);
	}
	waitq_wakeup_all(&pset->ips_receivers, THREAD_RESTART);
}

bool
ipc_pset_member(ipc_pset_t pset, ipc_port_t port)
{
	struct ipc_pset_link *l;

	for (l = port->ip_links; l != NULL; l = l->ipl_port_next)
		if (l->ipl_pset == pset)
			return true;
	return false;
}

kern_return_t
ipc_pset_add(ipc_pset_t pset, ipc_port_t port)
{
	struct ipc_pset_link *l;

	if (ipc_pset_member(pset, port))
		return KERN_ALREADY_IN_SET;
	l = kalloc(KA_MISC, sizeof(*l));
	if (l == NULL)
		return KERN_RESOURCE_SHORTAGE;
	l->ipl_port = port;
	l->ipl_pset = pset;
	ipc_port_reference(port);
	ipc_object_reference(&pset->ips_object);
	l->ipl_port_next = port->ip_links;
	port->ip_links = l;
	l->ipl_set_prev = NULL;
	l->ipl_set_next = pset->ips_members;
	if (pset->ips_members)
		pset->ips_members->ipl_set_prev = l;
	pset->ips_members = l;
	if (port->ip_messages.imq_msgcount > 0) {
		pp_append(pset, l);
		/* A thread waiting on the set can take these messages now. */
		if (!waitq_empty(&pset->ips_receivers))
			ipc_mqueue_deliver(port);
	}
	return KERN_SUCCESS;
}

kern_return_t
ipc_pset_remove(ipc_pset_t pset, ipc_port_t port)
{
	struct ipc_pset_link **pp, *l;

	for (pp = &port->ip_links; (l = *pp) != NULL; pp = &l->ipl_port_next) {
		if (l->ipl_pset == pset) {
			*pp = l->ipl_port_next;
			link_free(l);
			return KERN_SUCCESS;
		}
	}
	return KERN_NOT_IN_SET;
}

kern_return_t
ipc_pset_remove_from_all(ipc_port_t port)
{
	if (port->ip_links == NULL)
		return KERN_NOT_IN_SET;
	while (port->ip_links != NULL) {
		struct ipc_pset_link *l = port->ip_links;
		port->ip_links = l->ipl_port_next;
		link_free(l);
	}
	return KERN_SUCCESS;
}

void
ipc_pset_prepost(ipc_port_t port)
{
	struct ipc_pset_link *l;

	for (l = port->ip_links; l != NULL; l = l->ipl_port_next)
		if (!l->ipl_preposted)
			pp_append(l->ipl_pset, l);
}

void
ipc_pset_unprepost(ipc_port_t port)
{
	struct ipc_pset_link *l;

	for (l = port->ip_links; l != NULL; l = l->ipl_port_next)
		pp_remove(l->ipl_pset, l);
}

ipc_port_t
ipc_pset_select(ipc_pset_t pset)
{
	struct ipc_pset_link *l = pset->ips_pp_first;

	if (l == NULL)
		return IP_NULL;
	/* Round-robin: the member goes to the back (spec 6.2). */
	if (l->ipl_pp_next != NULL) {
		pp_remove(pset, l);
		pp_append(pset, l);
	}
	return l->ipl_port;
}

uint32_t
ipc_pset_member_count(ipc_pset_t pset)
{
	struct ipc_pset_link *l;
	uint32_t n = 0;

	for (l = pset->ips_members; l != NULL; l = l->ipl_set_next)
		n++;
	return n;
}

struct thread *
ipc_pset_first_receiver(ipc_port_t port)
{
	struct ipc_pset_link *l;

	for (l = port->ip_links; l != NULL; l = l->ipl_port_next)
		if (!waitq_empty(&l->ipl_pset->ips_receivers))
			return waitq_first(&l->ipl_pset->ips_receivers);
	return NULL;
}
