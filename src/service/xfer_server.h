/*
 * xfer_server.h -- one xferd request in, one reply out (xfer_server.c).
 *
 * xfer_server_handle checks the request strictly against its struct in
 * <xfer/xfer.h> (a malformed one gets MIG_BAD_ARGUMENTS, an unknown id
 * MIG_BAD_ID), runs the routine, and sends the reply with a zero timeout:
 * a client that is not receiving loses its reply (with a log line) and
 * never holds a worker thread.  Whatever the request carried and xferd
 * did not keep is destroyed.
 */
#ifndef XFERD_XFER_SERVER_H
#define XFERD_XFER_SERVER_H

#include <mach/mach.h>
#include <xfer/xfer.h>

/* Room a worker needs to receive any well-formed request. */
#define XFER_SERVER_RCV_SIZE  (sizeof(xfer_data_msg_t) + MAX_TRAILER_SIZE)

/* `notify`: the port in xferd's set where the kernel's dead-name
 * notifications arrive; nothing else is believed to be one. */
void xfer_server_init(mach_port_t notify);

/* `msg` was received with an audit trailer (MACH_RCV_TRAILER_AUDIT); it
 * is consumed. */
void xfer_server_handle(mach_msg_header_t *msg);

/* Counters for the log and the tests. */
struct xfer_server_stats {
	uint64_t requests, bad_requests, replies_dropped;
};
void xfer_server_stats(struct xfer_server_stats *out);

#endif /* XFERD_XFER_SERVER_H */
