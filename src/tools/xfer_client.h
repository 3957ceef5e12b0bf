/*
 * xfer_client.h -- calling xferd (<xfer/xfer.h>): the client side of each
 * routine, as MIG would generate it, plus what a client of a service
 * managed by launchd must do: when xferd dies with a request of ours in
 * hand, the kernel answers with a send-once notification instead of a
 * reply, and the call is sent again to the same port, which launchd kept
 * (with the requests still queued) and gave to the next xferd.  Only
 * calls that can be repeated are sent again: remove, handoff and a moved
 * store return MIG_SERVER_DIED instead (done or not, nobody can say).
 *
 * Every call returns KERN_SUCCESS, the service's result (XFER_E_*), a MIG
 * error, or the mach_msg error.  Data that comes back out of line is a
 * region of ours: release it with xfer_data_free.
 */
#ifndef XFER_CLIENT_H
#define XFER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mach/mach.h>
#include <xfer/xfer.h>

struct xfer_conn {
	mach_port_t service;      /* send right to xferd */
	unsigned    retries;      /* calls sent again after a restart of xferd */
};

/* Bytes that came back: `region` is out-of-line memory (vm_deallocate),
 * else a malloc'd copy of inline bytes. */
struct xfer_data {
	void     *bytes;
	uint64_t  len;
	bool      region;
};
void xfer_data_free(struct xfer_data *d);

/* bootstrap_look_up of `name` (NULL: XFER_SERVICE_NAME). */
kern_return_t xfer_connect(struct xfer_conn *c, const char *name);
void xfer_disconnect(struct xfer_conn *c);

/*
 * Data sent: up to XFER_INLINE_MAX bytes inline, more out of line.  With
 * `move`, the region [data, data + len) -- whole pages from vm_allocate --
 * is moved to xferd (gone from this task once the call succeeds);
 * otherwise it is sent as a virtual copy.
 */
kern_return_t xfer_echo(struct xfer_conn *c, const void *data, uint64_t len,
    struct xfer_data *out);
kern_return_t xfer_store(struct xfer_conn *c, const char *key, const void *data, uint64_t len,
    bool move, uint64_t *stored);
kern_return_t xfer_fetch(struct xfer_conn *c, const char *key, struct xfer_data *out);
kern_return_t xfer_list(struct xfer_conn *c, struct xfer_data *out);
kern_return_t xfer_remove(struct xfer_conn *c, const char *key, uint64_t *size);

/* Move `receive_right` (with its queue) to xferd; *count messages were
 * drained, recs (xfer_drained_t[*count]) says what they were. */
kern_return_t xfer_handoff(struct xfer_conn *c, mach_port_t receive_right, uint64_t *count,
    struct xfer_data *recs);
/* A receive right xferd made, on which events arrive. */
kern_return_t xfer_subscribe(struct xfer_conn *c, mach_port_t *port);
/* Give xferd a send right (made from our receive right `port`) for events. */
kern_return_t xfer_watch(struct xfer_conn *c, mach_port_t port, uint64_t *subscribers);

/* xferd's counters (xfer_stats_reply_t without its header). */
struct xfer_stats {
	uint64_t keys, subscribers, requests, bad_requests, replies_dropped;
	uint64_t ool_bytes_copied, ool_zero_copy;
};
kern_return_t xfer_stats(struct xfer_conn *c, struct xfer_stats *out);

#endif /* XFER_CLIENT_H */
