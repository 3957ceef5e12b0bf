/*
 * xfer_events.h -- the clients xferd tells about stores and removals.
 *
 * A subscriber is a send right xferd holds: to a port a client gave it
 * (watch), or to a port xferd made and whose receive right it handed to
 * the client (subscribe).  For each, xferd asks for a dead-name
 * notification on its notify port, so a client that dies is forgotten
 * (xfer_events_dead_name).  Events are sent with a zero timeout: a client
 * that does not read its events loses them (with a log line), it never
 * slows xferd down.
 *
 * Thread safety: one mutex guards the list; sends happen under it, and
 * cannot block (timeout 0).
 */
#ifndef XFERD_XFER_EVENTS_H
#define XFERD_XFER_EVENTS_H

#include <stdint.h>

#include <mach/mach.h>

/* `notify_port`: receive right in xferd's port set for dead-name
 * notifications. */
void xfer_events_init(mach_port_t notify_port);

/* Take `port` (a send right xferd now owns) as a subscriber. */
kern_return_t xfer_events_add(mach_port_t port);

/* Tell every subscriber. */
void xfer_events_publish(uint32_t kind, const char *key, uint64_t size);

/* A dead-name notification for `name` arrived: forget it. */
void xfer_events_dead_name(mach_port_t name);

/* Subscribers now. */
unsigned xfer_events_count(void);

#endif /* XFERD_XFER_EVENTS_H */
