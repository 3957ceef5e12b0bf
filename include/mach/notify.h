/*
 * <mach/notify.h> -- kernel notification message ids and layouts.
 *
 * Values and structures follow XNU osfmk/mach/notify.h (MIG subsystem
 * "notify", base 64 = 0100 octal).  Each structure is the message as
 * received with the default format-0 trailer appended; see spec/mach-ipc.md
 * 2.8 and Appendix B for the byte images.
 */
#ifndef _MACH_NOTIFY_H_
#define _MACH_NOTIFY_H_

#include <stddef.h>
#include <mach/port.h>
#include <mach/message.h>
#include <mach/ndr.h>
#include <mach/_machxfer_cdefs.h>

#define MACH_NOTIFY_FIRST               0100
#define MACH_NOTIFY_PORT_DELETED        (MACH_NOTIFY_FIRST + 001)   /* 65 */
#define MACH_NOTIFY_SEND_POSSIBLE       (MACH_NOTIFY_FIRST + 002)   /* 66 */
#define MACH_NOTIFY_PORT_DESTROYED      (MACH_NOTIFY_FIRST + 005)   /* 69 */
#define MACH_NOTIFY_NO_SENDERS          (MACH_NOTIFY_FIRST + 006)   /* 70 */
#define MACH_NOTIFY_SEND_ONCE           (MACH_NOTIFY_FIRST + 007)   /* 71 */
#define MACH_NOTIFY_DEAD_NAME           (MACH_NOTIFY_FIRST + 010)   /* 72 */
#define MACH_NOTIFY_LAST                (MACH_NOTIFY_FIRST + 015)   /* 77 */

typedef mach_port_t notify_port_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_port_name_t            not_port;       /* MACH_MSG_TYPE_PORT_NAME */
	mach_msg_format_0_trailer_t trailer;
} mach_port_deleted_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_port_name_t            not_port;       /* MACH_MSG_TYPE_PORT_NAME */
	mach_msg_format_0_trailer_t trailer;
} mach_send_possible_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	mach_msg_body_t             not_body;
	mach_msg_port_descriptor_t  not_port;       /* MACH_MSG_TYPE_PORT_RECEIVE */
	mach_msg_format_0_trailer_t trailer;
} mach_port_destroyed_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_msg_type_number_t      not_count;      /* the make-send count */
	mach_msg_format_0_trailer_t trailer;
} mach_no_senders_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	mach_msg_format_0_trailer_t trailer;
} mach_send_once_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_port_name_t            not_port;       /* MACH_MSG_TYPE_PORT_NAME */
	mach_msg_format_0_trailer_t trailer;
} mach_dead_name_notification_t;

/* Layouts: message bytes (before the trailer) are 36 / 40 / 24. */
_MACH_STATIC_ASSERT(offsetof(mach_port_deleted_notification_t, trailer) == 36, "port-deleted layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_deleted_notification_t) == 56, "port-deleted layout");
_MACH_STATIC_ASSERT(offsetof(mach_send_possible_notification_t, trailer) == 36, "send-possible layout");
_MACH_STATIC_ASSERT(offsetof(mach_port_destroyed_notification_t, not_port) == 28, "port-destroyed layout");
_MACH_STATIC_ASSERT(offsetof(mach_port_destroyed_notification_t, trailer) == 40, "port-destroyed layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_destroyed_notification_t) == 60, "port-destroyed layout");
_MACH_STATIC_ASSERT(offsetof(mach_no_senders_notification_t, not_count) == 32, "no-senders layout");
_MACH_STATIC_ASSERT(offsetof(mach_no_senders_notification_t, trailer) == 36, "no-senders layout");
_MACH_STATIC_ASSERT(sizeof(mach_no_senders_notification_t) == 56, "no-senders layout");
_MACH_STATIC_ASSERT(offsetof(mach_send_once_notification_t, trailer) == 24, "send-once layout");
_MACH_STATIC_ASSERT(sizeof(mach_send_once_notification_t) == 44, "send-once layout");
_MACH_STATIC_ASSERT(offsetof(mach_dead_name_notification_t, not_port) == 32, "dead-name layout");
_MACH_STATIC_ASSERT(offsetof(mach_dead_name_notification_t, trailer) == 36, "dead-name layout");

#endif /* _MACH_NOTIFY_H_ */
