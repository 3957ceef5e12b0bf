/*
 * <mach/mig_errors.h> -- MIG result codes and the MIG error reply.
 *
 * Values and the mig_reply_error_t layout follow XNU
 * osfmk/mach/mig_errors.h and spec/mach-ipc.md 2.7 / 7.3: an error
 * reply is the header, the NDR record and RetCode, 36 bytes, packed to 4.
 *
 * Unlike XNU's, this header does not include <mach/mig.h>: machd includes
 * it for mig_reply_error_t and has its own struct mig_subsystem.  The
 * routine pointer types of mig.h are defined here instead, and
 * <mach/mig.h> (pulled in by <mach/mach.h>) includes this header.
 */
#ifndef _MACH_MIG_ERRORS_H_
#define _MACH_MIG_ERRORS_H_

#include <stddef.h>
#include <mach/ndr.h>
#include <mach/message.h>
#include <mach/kern_return.h>
#include <mach/_machxfer_cdefs.h>

#define MIG_TYPE_ERROR          -300    /* client type check failure */
#define MIG_REPLY_MISMATCH      -301    /* wrong reply message ID */
#define MIG_REMOTE_ERROR        -302    /* server detected error */
#define MIG_BAD_ID              -303    /* bad request message ID */
#define MIG_BAD_ARGUMENTS       -304    /* server type check failure */
#define MIG_NO_REPLY            -305    /* no reply should be sent */
#define MIG_EXCEPTION           -306    /* server raised exception */
#define MIG_ARRAY_TOO_LARGE     -307    /* array not large enough */
#define MIG_SERVER_DIED         -308    /* server died */
#define MIG_TRAILER_ERROR       -309    /* unknown trailer format */

/* A server stub: unpack the request, call the routine, build the reply. */
typedef void (*mig_stub_routine_t)(mach_msg_header_t *InHeadP,
    mach_msg_header_t *OutHeadP);
typedef mig_stub_routine_t mig_routine_t;

/* A demux: the stub for a request's msgh_id, or NULL. */
typedef mig_routine_t (*mig_server_routine_t)(mach_msg_header_t *InHeadP);

typedef kern_return_t (*mig_impl_routine_t)(void);

#pragma pack(push, 4)
typedef struct {
	mach_msg_header_t       Head;
	NDR_record_t            NDR;
	kern_return_t           RetCode;
} mig_reply_error_t;
#pragma pack(pop)

_MACH_STATIC_ASSERT(sizeof(mig_reply_error_t) == 36, "mig_reply_error_t layout");
_MACH_STATIC_ASSERT(offsetof(mig_reply_error_t, NDR) == 24, "mig_reply_error_t layout");
_MACH_STATIC_ASSERT(offsetof(mig_reply_error_t, RetCode) == 32, "mig_reply_error_t layout");

#endif /* _MACH_MIG_ERRORS_H_ */
