/*
 * xfer/xfer.h -- the wire format of xferd, machxfer's demonstration
 * service: every request and reply as a C struct, MIG style (packed to 4
 * bytes, NDR record after the descriptors, reply id = request id + 100).
 * docs/xferd.md has the same table in the shape of a .defs file.
 *
 *   id    routine     request             reply (id + 100)
 *   7700  echo        xfer_data_msg_t     xfer_data_msg_t: the same bytes
 *   7701  store       xfer_data_msg_t     xfer_simple_reply_t: value = size
 *   7702  fetch       xfer_key_request_t  xfer_data_msg_t
 *   7703  list        xfer_key_request_t  xfer_data_msg_t: "key\tsize\n" lines
 *   7704  remove      xfer_key_request_t  xfer_simple_reply_t: value = size
 *   7705  handoff     xfer_port_request_t xfer_data_msg_t: total = messages
 *                     (MOVE_RECEIVE)      drained, data = xfer_drained_t[]
 *   7706  subscribe   xfer_key_request_t  xfer_port_reply_t (MOVE_RECEIVE of
 *                                         a port xferd sends events to)
 *   7707  watch       xfer_port_request_t xfer_simple_reply_t: value =
 *                     (a send right for   subscribers now
 *                     events)
 *   7708  stats       xfer_key_request_t  xfer_stats_reply_t
 *   7790  event       (xferd -> client)   xfer_event_t, one-way
 *
 * Data: up to XFER_INLINE_MAX bytes travel inline (inline_len, and the
 * data descriptor has size 0); more travel as out-of-line memory in the
 * data descriptor (inline_len 0).  A message is sent with only the inline
 * bytes it uses: xfer_data_msg_size().
 *
 * Errors: a data or port reply carries its result in `ret`; any request
 * xferd cannot parse gets a mig_reply_error_t (MIG_BAD_ID for an unknown
 * id, MIG_BAD_ARGUMENTS for a malformed message).  Service errors:
 * KERN_INVALID_ARGUMENT (bad key), KERN_NOT_FOUND... see XFER_E_*.
 */
#ifndef XFER_XFER_H
#define XFER_XFER_H

#include <stddef.h>
#include <stdint.h>

#include <mach/mach.h>
#include <mach/mig_errors.h>
#include <mach/ndr.h>

#define XFER_SERVICE_NAME   "com.machxfer.xferd"

#define XFER_ID_BASE        7700
#define XFER_ID_ECHO        7700
#define XFER_ID_STORE       7701
#define XFER_ID_FETCH       7702
#define XFER_ID_LIST        7703
#define XFER_ID_REMOVE      7704
#define XFER_ID_HANDOFF     7705
#define XFER_ID_SUBSCRIBE   7706
#define XFER_ID_WATCH       7707
#define XFER_ID_STATS       7708
#define XFER_ID_LAST        7708
#define XFER_ID_EVENT       7790
#define XFER_REPLY(id)      ((id) + 100)

#define XFER_INLINE_MAX     1024u
#define XFER_KEY_MAX        124u     /* bytes, NUL included: hex file names fit NAME_MAX */

/* Service results besides the Mach codes. */
#define XFER_E_NO_KEY       KERN_INVALID_NAME     /* fetch/remove: no such key */
#define XFER_E_BAD_KEY      KERN_INVALID_ARGUMENT /* empty, too long, or a NUL inside */
#define XFER_E_QUOTA        KERN_NO_SPACE         /* the client's byte limit */
#define XFER_E_IO           KERN_FAILURE          /* the state directory failed */

#pragma pack(push, 4)

typedef struct {
	mach_msg_header_t         head;
	mach_msg_body_t           body;         /* msgh_descriptor_count = 1 */
	mach_msg_ool_descriptor_t data;         /* > XFER_INLINE_MAX bytes, else size 0 */
	NDR_record_t              ndr;
	kern_return_t             ret;          /* replies: the result; requests: 0 */
	uint32_t                  key_len;      /* bytes of key, NUL excluded */
	char                      key[XFER_KEY_MAX];
	uint64_t                  total;        /* data bytes (handoff: messages drained) */
	uint32_t                  inline_len;
	uint8_t                   inline_data[XFER_INLINE_MAX];
} xfer_data_msg_t;

typedef struct {
	mach_msg_header_t         head;
	NDR_record_t              ndr;
	uint32_t                  key_len;
	char                      key[XFER_KEY_MAX];
} xfer_key_request_t;

typedef struct {
	mach_msg_header_t          head;
	mach_msg_body_t            body;        /* msgh_descriptor_count = 1 */
	mach_msg_port_descriptor_t port;
	NDR_record_t               ndr;
} xfer_port_request_t;

typedef struct {
	mach_msg_header_t          head;
	mach_msg_body_t            body;
	mach_msg_port_descriptor_t port;        /* MACH_PORT_NULL on error */
	NDR_record_t               ndr;
	kern_return_t              ret;
} xfer_port_reply_t;

typedef struct {
	mach_msg_header_t         head;
	NDR_record_t              ndr;
	kern_return_t             ret;
	uint64_t                  value;
} xfer_simple_reply_t;

typedef struct {
	mach_msg_header_t         head;
	NDR_record_t              ndr;
	kern_return_t             ret;
	uint64_t                  keys;
	uint64_t                  subscribers;
	uint64_t                  requests;         /* since xferd started */
	uint64_t                  bad_requests;
	uint64_t                  replies_dropped;  /* the client was not receiving */
	uint64_t                  ool_bytes_copied; /* by xferd's libmach, sending */
	uint64_t                  ool_zero_copy;    /* regions xferd sent without a copy */
} xfer_stats_reply_t;

/* handoff: one record per drained message, in queue order. */
typedef struct {
	mach_msg_id_t             id;
	uint32_t                  size;         /* msgh_size as received */
	uint32_t                  checksum;     /* xfer_checksum of the body after the header */
} xfer_drained_t;

#define XFER_EVENT_STORE    1
#define XFER_EVENT_REMOVE   2
#define XFER_EVENT_HELLO    3              /* first message on a subscription */

typedef struct {
	mach_msg_header_t         head;
	NDR_record_t              ndr;
	uint32_t                  kind;         /* XFER_EVENT_* */
	uint64_t                  size;
	uint32_t                  key_len;
	char                      key[XFER_KEY_MAX];
} xfer_event_t;

#pragma pack(pop)

/* Room for any reply of xferd's, and its trailer. */
typedef union {
	mach_msg_header_t         head;
	mig_reply_error_t         error;
	xfer_simple_reply_t       simple;
	xfer_stats_reply_t        stats;
	xfer_port_reply_t         port;
	xfer_data_msg_t           data;
	uint8_t                   room[sizeof(xfer_data_msg_t) + MAX_TRAILER_SIZE];
} xfer_reply_t;

/* Bytes to send for a data message carrying `inline_len` inline bytes. */
static inline mach_msg_size_t
xfer_data_msg_size(uint32_t inline_len)
{
	return (mach_msg_size_t)(offsetof(xfer_data_msg_t, inline_data) +
	    ((inline_len + 3u) & ~3u));
}

/* FNV-1a, 32 bits: the checksum handoff reports for each message. */
static inline uint32_t
xfer_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

#endif /* XFER_XFER_H */
