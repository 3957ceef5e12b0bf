/*
 * abi_check.c -- compile-time checks of the public Mach headers.
 *
 * Includes every header under include/mach and include/servers, so that a
 * header that stops compiling on its own breaks the build, and pins the
 * numeric values that are easy to get wrong against spec/mach-constants.tsv
 * (composite masks, octal notification ids, sizeof-derived counts,
 * negative MIG codes).  The layouts themselves are asserted in each header.
 *
 * The object file defines no symbols.
 */
#include <mach/mach.h>
#include <mach/boolean.h>
#include <mach/clock_types.h>
#include <mach/error.h>
#include <mach/host_special_ports.h>
#include <mach/kern_return.h>
#include <mach/mach_error.h>
#include <mach/mach_init.h>
#include <mach/mach_interface.h>
#include <mach/mach_port.h>
#include <mach/mach_traps.h>
#include <mach/mach_types.h>
#include <mach/mach_vm.h>
#include <mach/machine/vm_types.h>
#include <mach/message.h>
#include <mach/mig.h>
#include <mach/mig_errors.h>
#include <mach/ndr.h>
#include <mach/notify.h>
#include <mach/port.h>
#include <mach/semaphore.h>
#include <mach/std_types.h>
#include <mach/sync_policy.h>
#include <mach/task.h>
#include <mach/task_special_ports.h>
#include <mach/vm_map.h>
#include <mach/vm_page_size.h>
#include <mach/vm_prot.h>
#include <mach/vm_statistics.h>
#include <mach/vm_types.h>
#include <servers/bootstrap.h>
#include <servers/bootstrap_defs.h>

#include "mach_codes.h"

#define CHECK(expr) _Static_assert(expr, #expr)

/* Scalar types. */
CHECK(sizeof(natural_t) == 4 && sizeof(integer_t) == 4);
CHECK(sizeof(mach_port_t) == 4 && sizeof(mach_port_name_t) == 4);
CHECK(sizeof(kern_return_t) == 4 && sizeof(boolean_t) == 4);
CHECK(sizeof(vm_address_t) == sizeof(void *));
CHECK(sizeof(mach_vm_address_t) == 8 && sizeof(mach_port_context_t) == 8);
CHECK(sizeof(name_t) == 128);

/* Header bits. */
CHECK(MACH_MSGH_BITS_PORTS_MASK == 0x001f1f1f);
CHECK(MACH_MSGH_BITS_USER == 0x801f1f1fU);
CHECK(MACH_MSGH_BITS_USED == 0xb01f1f1fU);
CHECK(MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) == 0x1513);
CHECK(MACH_MSGH_BITS_SET(17, 18, 19, 0x80000000U | 0x1f) == 0x80131211U);
CHECK(MACH_MSGH_BITS_LOCAL(0x80001200U) == 18);
CHECK(MACH_MSG_TYPE_POLYMORPHIC == 0xffffffffU);

/* Options. */
CHECK(MACH_SEND_USER == 0x00b712b1);
CHECK(MACH_RCV_USER == 0x0f00db0e);
CHECK(MACH_MSG_OPTION_LIB == 0x00000440);
CHECK(MACH_SEND_KERNEL_DEFAULT == 0x00050001);
CHECK(MACH_RCV_TRAILER_MASK == 0x0f000000);
CHECK(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT) == 0x03000000);
CHECK(MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) == 0);
CHECK(MACH64_SEND_USER == 0x0000001f00b712b1ull);

/* Trailer sizes by requested element count. */
CHECK(REQUESTED_TRAILER_SIZE(0) == 8);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO)) == 12);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER)) == 20);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)) == 52);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX)) == 60);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AV)) == 68);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(5)) == 68);
CHECK(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(15)) == 68);
CHECK(MAX_TRAILER_SIZE == 68);
CHECK(MACH_MSG_TRAILER_MINIMUM_SIZE == 8);
CHECK(MACH_MSG_TRAILER_FORMAT_0_SIZE == 20);

/* Return codes. */
CHECK(err_mach_ipc == 0x10000000);
CHECK((err_mach_ipc | err_sub(1)) == 0x10004000);
CHECK((err_mach_ipc | err_sub(2)) == 0x10008000);
CHECK(MACH_SEND_INVALID_DEST == (err_mach_ipc | 3));
CHECK(MACH_RCV_PORT_CHANGED == (err_mach_ipc | err_sub(1) | 6));
CHECK(MACH_MSG_MASK == (MACH_MSG_IPC_SPACE | MACH_MSG_VM_SPACE |
    MACH_MSG_IPC_KERNEL | MACH_MSG_VM_KERNEL | 0x200));
CHECK(MIG_BAD_ID == -303 && MIG_TRAILER_ERROR == -309);
CHECK(KERN_NOT_FOUND == 56);
CHECK(BOOTSTRAP_UNKNOWN_SERVICE == 1102);

/* Ports. */
CHECK(MACH_PORT_DEAD == 0xffffffffU);
CHECK(MACH_PORT_TYPE_SEND_RECEIVE == 0x00030000);
CHECK(MACH_PORT_TYPE_PORT_OR_DEAD == 0x00170000);
CHECK(MACH_PORT_TYPE_ALL_RIGHTS == 0x001f0000);
CHECK(MACH_PORT_TYPE(MACH_PORT_RIGHT_DEAD_NAME) == 0x00100000);
CHECK(MACH_PORT_UREFS_MAX == 65535);
CHECK(MACH_PORT_INDEX(0x1203) == 0x12 && MACH_PORT_GEN(0x1203) == 0x03000000);
CHECK(MACH_PORT_MAKE(0x12, 0x03000000) == 0x1203);
CHECK(MACH_PORT_LIMITS_INFO_COUNT == 1);
CHECK(MACH_PORT_RECEIVE_STATUS_COUNT == 10);
CHECK(MACH_PORT_INFO_EXT_COUNT == 17);
CHECK(MACH_PORT_GUARD_INFO_COUNT == 2);
CHECK(kGUARD_EXC_INVALID_VALUE == 1024 && kGUARD_EXC_REQUIRE_REPLY_PORT_SEMANTICS == 0x00800000);

/* Notifications (octal in the header). */
CHECK(MACH_NOTIFY_FIRST == 64);
CHECK(MACH_NOTIFY_PORT_DELETED == 65 && MACH_NOTIFY_SEND_POSSIBLE == 66);
CHECK(MACH_NOTIFY_PORT_DESTROYED == 69 && MACH_NOTIFY_NO_SENDERS == 70);
CHECK(MACH_NOTIFY_SEND_ONCE == 71 && MACH_NOTIFY_DEAD_NAME == 72);
CHECK(MACH_NOTIFY_LAST == 77);

/* Semaphores, special ports, VM. */
CHECK(SYNC_POLICY_LIFO == 2 && SYNC_POLICY_USER_MASK == 6);
CHECK(TASK_BOOTSTRAP_PORT == 4);
CHECK(VM_MEMORY_MACH_MSG == 20 && VM_MAKE_TAG(VM_MEMORY_MACH_MSG) == 0x14000000);
CHECK(VM_FLAGS_ANYWHERE == 1 && VM_FLAGS_FIXED == 0);

/* The error-text table is keyed by the same values. */
CHECK(MACH_MSG_SUCCESS == KERN_SUCCESS && BOOTSTRAP_SUCCESS == KERN_SUCCESS);
