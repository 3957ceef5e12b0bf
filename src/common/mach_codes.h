/*
 * mach_codes.h -- every return code machxfer knows, with its text.
 *
 * MACH_CODES(X) expands X(NAME, "text") once per code.  The text is what
 * macOS's mach_error_string() prints for the code (XNU libsyscall/mach/
 * err_kern.sub, err_mach_ipc.sub), so codes macOS has no text for read
 * "unknown error code" exactly as they do there: the MACH_MSG_* special
 * bits, MACH_SEND_MSG_FILTERED and later send codes, MACH_RCV_IN_PROGRESS_
 * TIMED and later receive codes.  Send code 0x13 (INVALID_OPTIONS) reads
 * "unused error", as on macOS.  The BOOTSTRAP_* codes are not Mach errors
 * at all: their text is launchd's bootstrap_strerror() (liblaunch/
 * libbootstrap.c), and mach_error_string() does not use it.
 *
 * Values are unique, so the table can build a switch.  The aliases of 0,
 * MACH_MSG_SUCCESS and BOOTSTRAP_SUCCESS, are therefore not rows: 0 is
 * KERN_SUCCESS.
 *
 * Users: machd's trace (names), libmach's mach_error_string() and
 * bootstrap_strerror() (texts), tests (iterating over all codes).
 */
#ifndef MACHXFER_MACH_CODES_H
#define MACHXFER_MACH_CODES_H

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <servers/bootstrap_defs.h>

#define MACH_CODES(X) \
	X(KERN_SUCCESS,                  "(os/kern) successful") \
	X(KERN_INVALID_ADDRESS,          "(os/kern) invalid address") \
	X(KERN_PROTECTION_FAILURE,       "(os/kern) protection failure") \
	X(KERN_NO_SPACE,                 "(os/kern) no space available") \
	X(KERN_INVALID_ARGUMENT,         "(os/kern) invalid argument") \
	X(KERN_FAILURE,                  "(os/kern) failure") \
	X(KERN_RESOURCE_SHORTAGE,        "(os/kern) resource shortage") \
	X(KERN_NOT_RECEIVER,             "(os/kern) not receiver") \
	X(KERN_NO_ACCESS,                "(os/kern) no access") \
	X(KERN_MEMORY_FAILURE,           "(os/kern) memory failure") \
	X(KERN_MEMORY_ERROR,             "(os/kern) memory error") \
	X(KERN_ALREADY_IN_SET,           "(os/kern) already in set") \
	X(KERN_NOT_IN_SET,               "(os/kern) not in set") \
	X(KERN_NAME_EXISTS,              "(os/kern) name exists") \
	X(KERN_ABORTED,                  "(os/kern) aborted") \
	X(KERN_INVALID_NAME,             "(os/kern) invalid name") \
	X(KERN_INVALID_TASK,             "(os/kern) invalid task") \
	X(KERN_INVALID_RIGHT,            "(os/kern) invalid right") \
	X(KERN_INVALID_VALUE,            "(os/kern) invalid value") \
	X(KERN_UREFS_OVERFLOW,           "(os/kern) urefs overflow") \
	X(KERN_INVALID_CAPABILITY,       "(os/kern) invalid capability") \
	X(KERN_RIGHT_EXISTS,             "(os/kern) right exists") \
	X(KERN_INVALID_HOST,             "(os/kern) invalid host") \
	X(KERN_MEMORY_PRESENT,           "(os/kern) memory present") \
	X(KERN_MEMORY_DATA_MOVED,        "(os/kern) memory data moved") \
	X(KERN_MEMORY_RESTART_COPY,      "(os/kern) memory restart copy") \
	X(KERN_INVALID_PROCESSOR_SET,    "(os/kern) invalid processor set") \
	X(KERN_POLICY_LIMIT,             "(os/kern) policy limit") \
	X(KERN_INVALID_POLICY,           "(os/kern) invalid policy") \
	X(KERN_INVALID_OBJECT,           "(os/kern) invalid object") \
	X(KERN_ALREADY_WAITING,          "(os/kern) already waiting") \
	X(KERN_DEFAULT_SET,              "(os/kern) default set") \
	X(KERN_EXCEPTION_PROTECTED,      "(os/kern) exception protected") \
	X(KERN_INVALID_LEDGER,           "(os/kern) invalid ledger") \
	X(KERN_INVALID_MEMORY_CONTROL,   "(os/kern) invalid memory control") \
	X(KERN_INVALID_SECURITY,         "(os/kern) invalid security") \
	X(KERN_NOT_DEPRESSED,            "(os/kern) not depressed") \
	X(KERN_TERMINATED,               "(os/kern) object terminated") \
	X(KERN_LOCK_SET_DESTROYED,       "(os/kern) lock set destroyed") \
	X(KERN_LOCK_UNSTABLE,            "(os/kern) lock unstable") \
	X(KERN_LOCK_OWNED,               "(os/kern) lock owned by another") \
	X(KERN_LOCK_OWNED_SELF,          "(os/kern) lock owned by self") \
	X(KERN_SEMAPHORE_DESTROYED,      "(os/kern) semaphore destroyed") \
	X(KERN_RPC_SERVER_TERMINATED,    "(os/kern) RPC terminated") \
	X(KERN_RPC_TERMINATE_ORPHAN,     "(os/kern) terminate orphan") \
	X(KERN_RPC_CONTINUE_ORPHAN,      "(os/kern) let orphan continue") \
	X(KERN_NOT_SUPPORTED,            "(os/kern) service not supported") \
	X(KERN_NODE_DOWN,                "(os/kern) remote node down") \
	X(KERN_NOT_WAITING,              "(os/kern) thread not waiting") \
	X(KERN_OPERATION_TIMED_OUT,      "(os/kern) operation timed out") \
	X(KERN_CODESIGN_ERROR,           "(os/kern) code signing error") \
	X(KERN_POLICY_STATIC,            "(os/kern) policy is static") \
	X(KERN_INSUFFICIENT_BUFFER_SIZE, "(os/kern) insufficient input buffer size") \
	X(KERN_DENIED,                   "(os/kern) denied by security policy") \
	X(KERN_MISSING_KC,               "(os/kern) missing kernel collection") \
	X(KERN_INVALID_KC,               "(os/kern) invalid kernel collection") \
	X(KERN_NOT_FOUND,                "(os/kern) result not found") \
	\
	X(MACH_MSG_IPC_SPACE,            "unknown error code") \
	X(MACH_MSG_VM_SPACE,             "unknown error code") \
	X(MACH_MSG_IPC_KERNEL,           "unknown error code") \
	X(MACH_MSG_VM_KERNEL,            "unknown error code") \
	\
	X(MACH_SEND_IN_PROGRESS,         "(ipc/send) send in progress") \
	X(MACH_SEND_INVALID_DATA,        "(ipc/send) invalid data") \
	X(MACH_SEND_INVALID_DEST,        "(ipc/send) invalid destination port") \
	X(MACH_SEND_TIMED_OUT,           "(ipc/send) timed out") \
	X(MACH_SEND_INVALID_VOUCHER,     "(ipc/send) invalid voucher") \
	X(MACH_SEND_INTERRUPTED,         "(ipc/send) interrupted") \
	X(MACH_SEND_MSG_TOO_SMALL,       "(ipc/send) msg too small") \
	X(MACH_SEND_INVALID_REPLY,       "(ipc/send) invalid reply port") \
	X(MACH_SEND_INVALID_RIGHT,       "(ipc/send) invalid port right") \
	X(MACH_SEND_INVALID_NOTIFY,      "(ipc/send) invalid notify port") \
	X(MACH_SEND_INVALID_MEMORY,      "(ipc/send) invalid memory") \
	X(MACH_SEND_NO_BUFFER,           "(ipc/send) no msg buffer") \
	X(MACH_SEND_TOO_LARGE,           "(ipc/send) msg too large") \
	X(MACH_SEND_INVALID_TYPE,        "(ipc/send) invalid msg-type") \
	X(MACH_SEND_INVALID_HEADER,      "(ipc/send) invalid msg-header") \
	X(MACH_SEND_INVALID_TRAILER,     "(ipc/send) invalid msg-trailer") \
	X(MACH_SEND_INVALID_CONTEXT,     "(ipc/send) invalid context for reply") \
	X(MACH_SEND_INVALID_OPTIONS,     "(ipc/send) unused error") \
	X(MACH_SEND_INVALID_RT_OOL_SIZE, "(ipc/send) out-of-line buffer too large") \
	X(MACH_SEND_NO_GRANT_DEST,       "(ipc/send) destination does not accept OOL ports") \
	X(MACH_SEND_MSG_FILTERED,        "unknown error code") \
	X(MACH_SEND_AUX_TOO_SMALL,       "unknown error code") \
	X(MACH_SEND_AUX_TOO_LARGE,       "unknown error code") \
	\
	X(MACH_RCV_IN_PROGRESS,          "(ipc/rcv) receive in progress") \
	X(MACH_RCV_INVALID_NAME,         "(ipc/rcv) invalid name") \
	X(MACH_RCV_TIMED_OUT,            "(ipc/rcv) timed out") \
	X(MACH_RCV_TOO_LARGE,            "(ipc/rcv) msg too large") \
	X(MACH_RCV_INTERRUPTED,          "(ipc/rcv) interrupted") \
	X(MACH_RCV_PORT_CHANGED,         "(ipc/rcv) port changed") \
	X(MACH_RCV_INVALID_NOTIFY,       "(ipc/rcv) invalid notify port") \
	X(MACH_RCV_INVALID_DATA,         "(ipc/rcv) invalid data") \
	X(MACH_RCV_PORT_DIED,            "(ipc/rcv) port died") \
	X(MACH_RCV_IN_SET,               "(ipc/rcv) port in set") \
	X(MACH_RCV_HEADER_ERROR,         "(ipc/rcv) header error") \
	X(MACH_RCV_BODY_ERROR,           "(ipc/rcv) body error") \
	X(MACH_RCV_INVALID_TYPE,         "(ipc/rcv) invalid scatter list entry") \
	X(MACH_RCV_SCATTER_SMALL,        "(ipc/rcv) overwrite region too small") \
	X(MACH_RCV_INVALID_TRAILER,      "(ipc/rcv) invalid msg-trailer") \
	X(MACH_RCV_IN_PROGRESS_TIMED,    "unknown error code") \
	X(MACH_RCV_INVALID_REPLY,        "unknown error code") \
	X(MACH_RCV_INVALID_ARGUMENTS,    "unknown error code") \
	\
	X(MIG_TYPE_ERROR,                "(ipc/mig) client type check failure") \
	X(MIG_REPLY_MISMATCH,            "(ipc/mig) wrong reply message ID") \
	X(MIG_REMOTE_ERROR,              "(ipc/mig) server detected error") \
	X(MIG_BAD_ID,                    "(ipc/mig) bad request message ID") \
	X(MIG_BAD_ARGUMENTS,             "(ipc/mig) server type check failure") \
	X(MIG_NO_REPLY,                  "(ipc/mig) no reply should be sent") \
	X(MIG_EXCEPTION,                 "(ipc/mig) server raised exception") \
	X(MIG_ARRAY_TOO_LARGE,           "(ipc/mig) array not large enough") \
	X(MIG_SERVER_DIED,               "(ipc/mig) server died") \
	X(MIG_TRAILER_ERROR,             "(ipc/mig) unknown trailer format") \
	\
	X(BOOTSTRAP_NOT_PRIVILEGED,      "Permission denied") \
	X(BOOTSTRAP_NAME_IN_USE,         "Service name already exists") \
	X(BOOTSTRAP_UNKNOWN_SERVICE,     "Unknown service name") \
	X(BOOTSTRAP_SERVICE_ACTIVE,      "Service name already exists") \
	X(BOOTSTRAP_BAD_COUNT,           "Too many lookups were requested in one request") \
	X(BOOTSTRAP_NO_MEMORY,           "Out of memory") \
	X(BOOTSTRAP_NO_CHILDREN,         "unknown error code")

/* Codes that share a value with a row above (not rows themselves). */
#define MACH_CODE_ALIASES(X) \
	X(MACH_MSG_SUCCESS,              "(os/kern) successful") \
	X(BOOTSTRAP_SUCCESS,             "Success")

/* "KERN_INVALID_NAME" for 15, NULL for a value that is not a row. */
const char *mach_code_name(int code);

/* The row's text, NULL for a value that is not a row. */
const char *mach_code_string(int code);

#endif /* MACHXFER_MACH_CODES_H */
