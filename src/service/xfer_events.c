/*
 * xfer_events.c -- subscribers and the events xferd sends them; see
 * xfer_events.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mach/mach.h>
#include <mach/notify.h>
#include <xfer/xfer.h>

#include "xfer_events.h"

static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static mach_port_t *subs;
static unsigned nsubs, csubs;
static mach_port_t notify;

void
xfer_events_init(mach_port_t notify_port)
{
	notify = notify_port;
}

static void
event_fill(xfer_event_t *e, mach_port_t dest, uint32_t kind, const char *key, uint64_t size)
{
	size_t len = key != NULL ? strlen(key) : 0;

	memset(e, 0, sizeof(*e));
	e->head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	e->head.msgh_size = (mach_msg_size_t)sizeof(*e);
	e->head.msgh_remote_port = dest;
	e->head.msgh_id = XFER_ID_EVENT;
	e->ndr = NDR_record;
	e->kind = kind;
	e->size = size;
	e->key_len = (uint32_t)len;
	memcpy(e->key, key != NULL ? key : "", len);
}

/* Send one event without waiting; false if the subscriber is gone. */
static bool
event_send(mach_port_t dest, uint32_t kind, const char *key, uint64_t size)
{
	xfer_event_t e;
	mach_msg_return_t mr;

	event_fill(&e, dest, kind, key, size);
	mr = mach_msg(&e.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(e), 0, MACH_PORT_NULL,
	    0, MACH_PORT_NULL);
	if (mr == MACH_SEND_TIMED_OUT) {
		/* Its queue is full: the event is dropped, xferd goes on. */
		fprintf(stderr, "xferd: subscriber 0x%x is not reading; event dropped\n", dest);
		mach_msg_destroy(&e.head);
		return true;
	}
	return mr != MACH_SEND_INVALID_DEST;
}

static bool
sub_known(mach_port_t port)
{
	for (unsigned i = 0; i < nsubs; i++)
		if (subs[i] == port)
			return true;
	return false;
}

kern_return_t
xfer_events_add(mach_port_t port)
{
	mach_port_t prev = MACH_PORT_NULL;
	kern_return_t kr;

	pthread_mutex_lock(&events_lock);
	if (sub_known(port)) {
		/* The same port again (names coalesce): one subscriber, and
		 * the extra uref it brought goes. */
		pthread_mutex_unlock(&events_lock);
		(void)mach_port_deallocate(mach_task_self(), port);
		return KERN_SUCCESS;
	}
	pthread_mutex_unlock(&events_lock);

	kr = mach_port_request_notification(mach_task_self(), port, MACH_NOTIFY_DEAD_NAME, 0,
	    notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	if (kr != KERN_SUCCESS)
		return kr;              /* already dead: nothing to keep */
	if (prev != MACH_PORT_NULL)
		(void)mach_port_deallocate(mach_task_self(), prev);
	pthread_mutex_lock(&events_lock);
	if (nsubs == csubs) {
		unsigned n = csubs ? 2 * csubs : 8;
		mach_port_t *s = realloc(subs, n * sizeof(*s));
		if (s == NULL) {
			pthread_mutex_unlock(&events_lock);
			return KERN_RESOURCE_SHORTAGE;
		}
		subs = s;
		csubs = n;
	}
	subs[nsubs++] = port;
	(void)event_send(port, XFER_EVENT_HELLO, NULL, 0);
	pthread_mutex_unlock(&events_lock);
	return KERN_SUCCESS;
}

/* Remove subscriber i (lock held); the caller releases its right. */
static mach_port_t
sub_remove(unsigned i)
{
	mach_port_t port = subs[i];

	subs[i] = subs[--nsubs];
	return port;
}

void
xfer_events_publish(uint32_t kind, const char *key, uint64_t size)
{
	unsigned i;

	pthread_mutex_lock(&events_lock);
	for (i = 0; i < nsubs; i++)
		(void)event_send(subs[i], kind, key, size);
	pthread_mutex_unlock(&events_lock);
}

void
xfer_events_dead_name(mach_port_t name)
{
	bool found = false;
	unsigned i;

	pthread_mutex_lock(&events_lock);
	for (i = 0; i < nsubs; i++) {
		if (subs[i] == name) {
			(void)sub_remove(i);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&events_lock);
	/* The notification brought one more uref for the dead name (spec
	 * 5.7); our own right is the other. */
	(void)mach_port_deallocate(mach_task_self(), name);
	if (found)
		(void)mach_port_deallocate(mach_task_self(), name);
}

unsigned
xfer_events_count(void)
{
	unsigned n;

	pthread_mutex_lock(&events_lock);
	n = nsubs;
	pthread_mutex_unlock(&events_lock);
	return n;
}
