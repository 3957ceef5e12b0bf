/*
 * ipc_port.h -- ports.
 *
 * A port is a message queue plus the bookkeeping of the rights that name
 * it.  Its receive right is in exactly one state (spec 5.1):
 *   in a space  ip_receiver != NULL, ip_receiver_name is its name there;
 *   in transit  ip_receiver == NULL, ip_destination = the port on whose
 *               queue the message carrying it waits (for the circularity
 *               check, spec 4.5);
 *   in limbo    ip_receiver == NULL, ip_destination == NULL, not a kobject
 *               (between copy-in and enqueue);
 *   kernel      ip_kotype != IKOT_NONE: the kernel receives (ipc_kobject.h);
 *   dead        !ip_active(port).
 *
 * Counters (spec 5.1, kept exactly):
 *   ip_srights   send rights in existence: ONE per entry holding SEND
 *                (whatever its urefs) plus one per send right in a message
 *                or held by the kernel;
 *   ip_sorights  send-once rights in existence, each entry and each carried;
 *   ip_mscount   make-send count, reset when the receive right moves.
 * ipn_nsrequest / ipn_pdrequest (in ip_notify) are send-once rights held
 * by the kernel (each counted in its own port's ip_sorights).
 * ipn_requests is the dead-name request table: slot 0 is the free-list
 * head, entries point at their slot with ie_request.
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_PORT_H
#define MACHD_IPC_PORT_H

#include "ipc_object.h"
#include "ipc_mqueue.h"

struct ipc_pset_link;
struct ipc_port_request;

/*
 * What a port keeps only once somebody asks it for a notification (most
 * ports never do: keeping it apart keeps struct ipc_port in 152 bytes,
 * docs/performance.md).  Made by ipc_port_notify, freed with the port.
 */
struct ipc_port_notify {
	ipc_port_t               ipn_nsrequest;
	ipc_port_t               ipn_pdrequest;
	struct ipc_port_request *ipn_requests;   /* kept after death, freed with the port */
	uint32_t                 ipn_requests_size;
	uint32_t                 ipn_sp_armed;   /* armed send-possible requests */
};

/* A dead-name (or send-possible) request: spec 5.7. */
struct ipc_port_request {
	mach_port_name_t ipr_name;   /* the requester's name; 0: free slot */
	ipc_port_t       ipr_soright;/* send-once right to notify; next free index when free */
	uint32_t         ipr_next_free;
	uint8_t          ipr_send_possible;
	uint8_t          ipr_armed;        /* send-possible: fire on the next dequeue */
	uint8_t          ipr_dead_fired;   /* the port died and notified this name */
};

struct ipc_port {
	struct ipc_object  ip_object;
	struct ipc_mqueue  ip_messages;

	/* Pointers and 64-bit fields first, then the 32-, 16- and 8-bit
	 * ones: no padding between them (docs/performance.md, memory per port). */
	struct ipc_space  *ip_receiver;
	ipc_port_t         ip_destination;
	void              *ip_kobject;
	uint64_t           ip_context;
	struct ipc_port_notify *ip_notify;   /* NULL until a notification is asked for */
	struct ipc_pset_link *ip_links;      /* sets this port is a member of */

	mach_port_name_t   ip_receiver_name;
	uint32_t           ip_srights;
	uint32_t           ip_sorights;
	uint32_t           ip_mscount;
	uint32_t           ip_serial;        /* "port#N" in traces */

	uint16_t           ip_kotype;        /* IKOT_* (ipc_kobject.h) */
	uint8_t            ip_guarded;
	uint8_t            ip_strict;
	uint8_t            ip_immovable_receive;
};

/* The notification fields, read: absent means none. */
static inline ipc_port_t
ip_nsrequest(ipc_port_t p)
{
	return p->ip_notify != NULL ? p->ip_notify->ipn_nsrequest : IP_NULL;
}

static inline ipc_port_t
ip_pdrequest(ipc_port_t p)
{
	return p->ip_notify != NULL ? p->ip_notify->ipn_pdrequest : IP_NULL;
}

static inline uint32_t
ip_sp_armed(ipc_port_t p)
{
	return p->ip_notify != NULL ? p->ip_notify->ipn_sp_armed : 0;
}

/* The notification fields, to write: made on first use; NULL: no memory. */
struct ipc_port_notify *ipc_port_notify(ipc_port_t port);

#define ip_object_of(p)   (&(p)->ip_object)
#define ip_active(p)      io_active(&(p)->ip_object)
#define ip_is_kobject(p)  ((p)->ip_kotype != 0)
#define ip_in_space(p, s) ((p)->ip_receiver == (s))

/* New port with one reference for the caller, qlimit 5, no rights. */
kern_return_t ipc_port_alloc_object(ipc_port_t *portp);

void ipc_port_reference(ipc_port_t port);
void ipc_port_release(ipc_port_t port);

/* Rights held outside name spaces (in messages and by the kernel). */
ipc_port_t ipc_port_make_send(ipc_port_t port);        /* mscount+1, srights+1, +ref */
ipc_port_t ipc_port_copy_send(ipc_port_t port);        /* srights+1, +ref; IP_DEAD if dead */
ipc_port_t ipc_port_make_sonce(ipc_port_t port);       /* sorights+1, +ref */
void ipc_port_release_send(ipc_port_t port);           /* may fire no-senders */
void ipc_port_release_sonce(ipc_port_t port);          /* the right was used */
/* Drop srights by one for a right that was merged into an entry. */
void ipc_port_release_send_merged(ipc_port_t port);

/* Fire no-senders if srights is 0 and a request is armed. */
void ipc_port_check_nosenders(ipc_port_t port);

/*
 * Destroy a receive right held nakedly (in limbo) by the caller, with one
 * reference that this call consumes: port-destroyed notification if
 * requested, otherwise death (spec 5.5).
 */
void ipc_port_destroy(ipc_port_t port);

/* Clear the receive-side state when a receive right leaves a space or
 * changes hands (spec 5.6): mscount, seqno, context, guard, sets. */
void ipc_port_clear_receiver(ipc_port_t port, bool wake_receivers);

/* Dead-name requests (send_possible: a send-possible request, `armed`
 * when registered with sync != 0). */
kern_return_t ipc_port_request_alloc(ipc_port_t port, mach_port_name_t name,
    ipc_port_t soright, bool send_possible, bool armed, uint32_t *indexp);
/* Did the port's death send a dead-name notification for this request?
 * (Then the converted dead name carries one more uref, spec 5.4.) */
bool ipc_port_request_dead_fired(ipc_port_t port, mach_port_name_t name, uint32_t index);
/* Is the request still waiting (its send-once right not used yet)? */
bool ipc_port_request_pending(ipc_port_t port, mach_port_name_t name, uint32_t index);
/* Slot `index` holds an armed send-possible request. */
bool ipc_port_request_armed(ipc_port_t port, uint32_t index);
/* The port was dequeued from: fire every armed send-possible request. */
void ipc_port_spnotify(ipc_port_t port);
/* Remove request `index`; returns its send-once right (caller disposes). */
ipc_port_t ipc_port_request_cancel(ipc_port_t port, mach_port_name_t name,
    uint32_t index);

/* Circularity check (spec 4.5): would queuing receive right `port` on
 * `dest` create a cycle? */
bool ipc_port_check_circularity(ipc_port_t port, ipc_port_t dest);

/* Count of live ports (kalloc) for tests and STATS. */
uint64_t ipc_port_count(void);

#endif /* MACHD_IPC_PORT_H */
