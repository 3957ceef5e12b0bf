/*
 * launch_proto.h -- the private launchctl <-> launchd protocol: a small
 * MIG-style subsystem served on launchd's bootstrap port, next to the
 * bootstrap routines (subsystem 400).  launchctl finds launchd through
 * its own bootstrap_port and sends one request; the reply comes back on
 * the send-once right in msgh_local_port with msgh_id = request id + 100.
 *
 * Invariants:
 * - Every message is simple (no descriptors) and travels inline.
 * - `data` is a NUL-terminated string (request) or a string area
 *   (reply) of exactly `len` bytes; the message size is the fixed part
 *   plus `len` rounded up to 4.  launchd refuses any other size with
 *   MIG_BAD_ARGUMENTS, an unknown id with MIG_BAD_ID.
 * - `code` is 0 or one of the LP_E* numbers below, which are macOS errno
 *   values (or launchd's private ones), never Linux errno values.
 *
 * Request (LP_REQ_FIXED = 44 bytes + data):
 *   OFFSET SIZE FIELD
 *        0   24 mach_msg_header_t
 *       24    8 NDR_record_t
 *       32    4 flags        LP_F_*
 *       36    4 arg          signal number (KILL), index (INFO)
 *       40    4 len          bytes of data, NUL included, <= LP_DATA_MAX
 *       44  len data         label or absolute path
 *
 * Reply (LP_REP_FIXED = 48 bytes + data):
 *        0   24 mach_msg_header_t
 *       24    8 NDR_record_t
 *       32    4 code         0 or LP_E*
 *       36    4 pid          the job's pid (START, INFO), launchd's (DOMAIN)
 *       40    4 arg          spare, 0
 *       44    4 len          bytes of data
 *       48  len data         label, error text or a record (below)
 *
 * Records (INFO, DOMAIN): a sequence of "key\0value\0" pairs; keys may
 * repeat (argument, env, endpoint).  An endpoint value is
 * "name\x1f" followed by flags letters: a active, h hide, r reset,
 * d declared (launchd created the port), and "\x1f" plus the owner.
 */
#ifndef LAUNCHD_LAUNCH_PROTO_H
#define LAUNCHD_LAUNCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <mach/message.h>
#include <mach/ndr.h>

#define LP_BASE         7600            /* unused by Apple's subsystems */

enum lp_routine {
	LP_LOAD = LP_BASE,      /* data: path.  reply data: label or error */
	LP_UNLOAD_PATH,         /* data: path; replies once the job is gone */
	LP_REMOVE,              /* data: label; replies once the job is gone */
	LP_ENABLE,              /* data: label */
	LP_DISABLE,             /* data: label */
	LP_START,               /* data: label; reply pid (KICK: once started) */
	LP_STOP,                /* data: label */
	LP_KILL,                /* data: label, arg: signal */
	LP_INFO,                /* data: label, or LP_F_INDEX and arg: index */
	LP_DOMAIN,              /* reply: domain record */
	LP_END
};

/* flags */
#define LP_F_ENABLE     0x01u   /* LOAD: -w, persist "enabled" first */
#define LP_F_FORCE      0x02u   /* LOAD: -F, ignore Disabled */
#define LP_F_DISABLE    0x04u   /* UNLOAD_PATH/REMOVE: -w, persist "disabled" */
#define LP_F_KILL       0x08u   /* START: -k, stop a running instance first */
#define LP_F_KICK       0x10u   /* START: kickstart (no throttle, reply when started) */
#define LP_F_INDEX      0x20u   /* INFO: by index rather than label */

/* Reply codes: macOS errno values and launchd's private ones. */
#define LP_EPERM        1
#define LP_ENOENT       2
#define LP_ESRCH        3
#define LP_EIO          5
#define LP_ENOMEM       12
#define LP_EEXIST       17
#define LP_EINVAL       22
#define LP_EALREADY     37
#define LP_ENOTSUP      45
#define LP_ENODOMAIN    112     /* Could not find domain */
#define LP_ENOSERVICE   113     /* Could not find specified service */
#define LP_EBADRESP     118     /* Bad response from server */
#define LP_EDISABLED    119     /* Service is disabled */
#define LP_EBADPLIST    133     /* Invalid property list (observed exit status) */

#define LP_DATA_MAX     4096
#define LP_REPLY_MAX    (60 * 1024)

#pragma pack(push, 4)
struct lp_request {
	mach_msg_header_t head;
	NDR_record_t      ndr;
	uint32_t          flags;
	int32_t           arg;
	uint32_t          len;
	char              data[LP_DATA_MAX];
};

struct lp_reply {
	mach_msg_header_t head;
	NDR_record_t      ndr;
	int32_t           code;
	int32_t           pid;
	int32_t           arg;
	uint32_t          len;
	char              data[LP_REPLY_MAX];
};
#pragma pack(pop)

#define LP_REQ_FIXED    ((mach_msg_size_t)offsetof(struct lp_request, data))
#define LP_REP_FIXED    ((mach_msg_size_t)offsetof(struct lp_reply, data))
#define LP_ROUND4(n)    (((n) + 3u) & ~3u)

_Static_assert(offsetof(struct lp_request, flags) == 32, "lp_request layout");
_Static_assert(offsetof(struct lp_request, data) == 44, "lp_request layout");
_Static_assert(offsetof(struct lp_reply, code) == 32, "lp_reply layout");
_Static_assert(offsetof(struct lp_reply, data) == 48, "lp_reply layout");

#define LP_EP_SEP       '\x1f'

#endif /* LAUNCHD_LAUNCH_PROTO_H */
