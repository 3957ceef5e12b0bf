/*
 * <mach/message.h> -- Mach message format, options and return codes.
 *
 * Values and layouts follow XNU osfmk/mach/message.h for a 64-bit (LP64)
 * user task, as summarised in spec/mach-ipc.md sections 1 and 2 and
 * spec/mach-constants.tsv.  All message structures are packed to 4 bytes,
 * as on macOS; each layout is pinned by the static assertions at the end.
 *
 * Besides the public macOS names this header also provides, clearly
 * marked, a few names XNU keeps private (mach_msg2 options, the user
 * option masks, the vector / aux-data structures) because machd needs
 * them.
 */
#ifndef _MACH_MESSAGE_H_
#define _MACH_MESSAGE_H_

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <mach/boolean.h>
#include <mach/kern_return.h>
#include <mach/machine/vm_types.h>
#include <mach/port.h>
#include <mach/_machxfer_cdefs.h>

/* Timeouts are in milliseconds. */
typedef natural_t mach_msg_timeout_t;
#define MACH_MSG_TIMEOUT_NONE           ((mach_msg_timeout_t) 0)

/*
 * msgh_bits: remote disposition in bits 0-4, local in 8-12, voucher in
 * 16-20, flags above.
 */
#define MACH_MSGH_BITS_ZERO             0x00000000
#define MACH_MSGH_BITS_REMOTE_MASK      0x0000001f
#define MACH_MSGH_BITS_LOCAL_MASK       0x00001f00
#define MACH_MSGH_BITS_VOUCHER_MASK     0x001f0000
#define MACH_MSGH_BITS_PORTS_MASK \
	(MACH_MSGH_BITS_REMOTE_MASK | MACH_MSGH_BITS_LOCAL_MASK | \
	 MACH_MSGH_BITS_VOUCHER_MASK)

#define MACH_MSGH_BITS_COMPLEX          0x80000000U /* descriptors follow */
#define MACH_MSGH_BITS_USER             0x801f1f1fU /* honoured from user */
#define MACH_MSGH_BITS_RAISEIMP         0x20000000U /* importance raised */
#define MACH_MSGH_BITS_DENAP            MACH_MSGH_BITS_RAISEIMP
#define MACH_MSGH_BITS_IMPHOLDASRT      0x10000000U /* user-private */
#define MACH_MSGH_BITS_DENAPHOLDASRT    MACH_MSGH_BITS_IMPHOLDASRT
#define MACH_MSGH_BITS_CIRCULAR         0x10000000U /* kernel-private */
#define MACH_MSGH_BITS_USED             0xb01f1f1fU

#define MACH_MSGH_BITS(remote, local)   ((remote) | ((local) << 8))
#define MACH_MSGH_BITS_SET_PORTS(remote, local, voucher) \
	(((remote) & MACH_MSGH_BITS_REMOTE_MASK) | \
	 (((local) << 8) & MACH_MSGH_BITS_LOCAL_MASK) | \
	 (((voucher) << 16) & MACH_MSGH_BITS_VOUCHER_MASK))
#define MACH_MSGH_BITS_SET(remote, local, voucher, other) \
	(MACH_MSGH_BITS_SET_PORTS((remote), (local), (voucher)) | \
	 ((other) & ~MACH_MSGH_BITS_PORTS_MASK))

#define MACH_MSGH_BITS_REMOTE(bits)     ((bits) & MACH_MSGH_BITS_REMOTE_MASK)
#define MACH_MSGH_BITS_LOCAL(bits)      (((bits) & MACH_MSGH_BITS_LOCAL_MASK) >> 8)
#define MACH_MSGH_BITS_VOUCHER(bits)    (((bits) & MACH_MSGH_BITS_VOUCHER_MASK) >> 16)
#define MACH_MSGH_BITS_PORTS(bits)      ((bits) & MACH_MSGH_BITS_PORTS_MASK)
#define MACH_MSGH_BITS_OTHER(bits)      ((bits) & ~MACH_MSGH_BITS_PORTS_MASK)

#define MACH_MSGH_BITS_HAS_REMOTE(bits) \
	(MACH_MSGH_BITS_REMOTE(bits) != MACH_MSGH_BITS_ZERO)
#define MACH_MSGH_BITS_HAS_LOCAL(bits) \
	(MACH_MSGH_BITS_LOCAL(bits) != MACH_MSGH_BITS_ZERO)
#define MACH_MSGH_BITS_HAS_VOUCHER(bits) \
	(MACH_MSGH_BITS_VOUCHER(bits) != MACH_MSGH_BITS_ZERO)
#define MACH_MSGH_BITS_IS_COMPLEX(bits) \
	(((bits) & MACH_MSGH_BITS_COMPLEX) != MACH_MSGH_BITS_ZERO)
#define MACH_MSGH_BITS_RAISED_IMPORTANCE(bits) \
	(((bits) & MACH_MSGH_BITS_RAISEIMP) != MACH_MSGH_BITS_ZERO)
#define MACH_MSGH_BITS_HOLDS_IMPORTANCE_ASSERTION(bits) \
	(((bits) & MACH_MSGH_BITS_IMPHOLDASRT) != MACH_MSGH_BITS_ZERO)

typedef unsigned int    mach_msg_bits_t;
typedef natural_t       mach_msg_size_t;
typedef integer_t       mach_msg_id_t;

#define MACH_MSG_SIZE_NULL              ((mach_msg_size_t *) 0)

typedef unsigned int    mach_msg_priority_t;
#define MACH_MSG_PRIORITY_UNSPECIFIED   ((mach_msg_priority_t) 0)

/* Dispositions: how a right is taken on send, what arrives on receive. */
typedef unsigned int mach_msg_type_name_t;

#define MACH_MSG_TYPE_MOVE_RECEIVE      16  /* needs a receive right */
#define MACH_MSG_TYPE_MOVE_SEND         17  /* needs a send right */
#define MACH_MSG_TYPE_MOVE_SEND_ONCE    18  /* needs a send-once right */
#define MACH_MSG_TYPE_COPY_SEND         19  /* needs a send right */
#define MACH_MSG_TYPE_MAKE_SEND         20  /* needs a receive right */
#define MACH_MSG_TYPE_MAKE_SEND_ONCE    21  /* needs a receive right */
#define MACH_MSG_TYPE_COPY_RECEIVE      22  /* not valid */
#define MACH_MSG_TYPE_DISPOSE_RECEIVE   24
#define MACH_MSG_TYPE_DISPOSE_SEND      25
#define MACH_MSG_TYPE_DISPOSE_SEND_ONCE 26

/* Out-of-line memory copy options. */
typedef unsigned int mach_msg_copy_options_t;

#define MACH_MSG_PHYSICAL_COPY          0
#define MACH_MSG_VIRTUAL_COPY           1
#define MACH_MSG_ALLOCATE               2
#define MACH_MSG_OVERWRITE              3   /* deprecated */
#define MACH_MSG_KALLOC_COPY_T          4   /* kernel-only */

/* Guarded port descriptor flags. */
#define MACH_MSG_GUARD_FLAGS_NONE               0x0000
#define MACH_MSG_GUARD_FLAGS_IMMOVABLE_RECEIVE  0x0001
#define MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND  0x0002
#define MACH_MSG_GUARD_FLAGS_MASK               0x0003
typedef unsigned int mach_msg_guard_flags_t;

/* Descriptor types: the byte at offset +11 of every descriptor. */
typedef unsigned int mach_msg_descriptor_type_t;

#define MACH_MSG_PORT_DESCRIPTOR                0
#define MACH_MSG_OOL_DESCRIPTOR                 1
#define MACH_MSG_OOL_PORTS_DESCRIPTOR           2
#define MACH_MSG_OOL_VOLATILE_DESCRIPTOR        3
#define MACH_MSG_GUARDED_PORT_DESCRIPTOR        4
#define MACH_MSG_DESCRIPTOR_MAX MACH_MSG_GUARDED_PORT_DESCRIPTOR

#pragma pack(push, 4)

/* The common 12-byte prefix view of any descriptor. */
typedef struct {
	natural_t                     pad1;
	mach_msg_size_t               pad2;
	unsigned int                  pad3 : 24;
	mach_msg_descriptor_type_t    type : 8;
} mach_msg_type_descriptor_t;

typedef struct {
	mach_port_t                   name;
	mach_msg_size_t               pad1;
	unsigned int                  pad2 : 16;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
} mach_msg_port_descriptor_t;

/* The 32-bit task forms. */
typedef struct {
	uint32_t                      address;
	mach_msg_size_t               size;
	boolean_t                     deallocate : 8;
	mach_msg_copy_options_t       copy : 8;
	unsigned int                  pad1 : 8;
	mach_msg_descriptor_type_t    type : 8;
} mach_msg_ool_descriptor32_t;

typedef struct {
	uint32_t                      address;
	mach_msg_size_t               count;
	boolean_t                     deallocate : 8;
	mach_msg_copy_options_t       copy : 8;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
} mach_msg_ool_ports_descriptor32_t;

typedef struct {
	uint32_t                      context;
	mach_port_name_t              name;
	mach_msg_guard_flags_t        flags : 16;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
} mach_msg_guarded_port_descriptor32_t;

/* The 64-bit task forms, with explicit 64-bit address / context. */
typedef struct {
	uint64_t                      address;
	boolean_t                     deallocate : 8;
	mach_msg_copy_options_t       copy : 8;
	unsigned int                  pad1 : 8;
	mach_msg_descriptor_type_t    type : 8;
	mach_msg_size_t               size;
} mach_msg_ool_descriptor64_t;

typedef struct {
	uint64_t                      address;
	boolean_t                     deallocate : 8;
	mach_msg_copy_options_t       copy : 8;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
	mach_msg_size_t               count;
} mach_msg_ool_ports_descriptor64_t;

typedef struct {
	uint64_t                      context;
	mach_msg_guard_flags_t        flags : 16;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
	mach_port_name_t              name;
} mach_msg_guarded_port_descriptor64_t;

/*
 * The native (LP64) forms used by ordinary code.  Note the field order:
 * the flags word comes before size / count / name.
 */
typedef struct {
	void                         *address;
	boolean_t                     deallocate : 8;
	mach_msg_copy_options_t       copy : 8;
	unsigned int                  pad1 : 8;
	mach_msg_descriptor_type_t    type : 8;
	mach_msg_size_t               size;
} mach_msg_ool_descriptor_t;

typedef struct {
	void                         *address;
	boolean_t                     deallocate : 8;
	mach_msg_copy_options_t       copy : 8;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
	mach_msg_size_t               count;
} mach_msg_ool_ports_descriptor_t;

typedef struct {
	mach_port_context_t           context;
	mach_msg_guard_flags_t        flags : 16;
	mach_msg_type_name_t          disposition : 8;
	mach_msg_descriptor_type_t    type : 8;
	mach_port_name_t              name;
} mach_msg_guarded_port_descriptor_t;

typedef union {
	mach_msg_port_descriptor_t            port;
	mach_msg_ool_descriptor_t             out_of_line;
	mach_msg_ool_ports_descriptor_t       ool_ports;
	mach_msg_type_descriptor_t            type;
	mach_msg_guarded_port_descriptor_t    guarded_port;
} mach_msg_descriptor_t;

typedef struct {
	mach_msg_size_t               msgh_descriptor_count;
} mach_msg_body_t;

#define MACH_MSG_BODY_NULL              ((mach_msg_body_t *) 0)
#define MACH_MSG_DESCRIPTOR_NULL        ((mach_msg_descriptor_t *) 0)

typedef struct {
	mach_msg_bits_t               msgh_bits;
	mach_msg_size_t               msgh_size;
	mach_port_t                   msgh_remote_port;
	mach_port_t                   msgh_local_port;
	mach_port_name_t              msgh_voucher_port;
	mach_msg_id_t                 msgh_id;
} mach_msg_header_t;

#define msgh_reserved                   msgh_voucher_port
#define MACH_MSG_NULL                   ((mach_msg_header_t *) 0)

typedef struct {
	mach_msg_header_t             header;
	mach_msg_body_t               body;
} mach_msg_base_t;

/* Trailers: all "format 0"; the receiver picks how much it wants. */
typedef unsigned int mach_msg_trailer_type_t;

#define MACH_MSG_TRAILER_FORMAT_0       0

typedef unsigned int mach_msg_trailer_size_t;
typedef char *mach_msg_trailer_info_t;

typedef struct {
	mach_msg_trailer_type_t       msgh_trailer_type;
	mach_msg_trailer_size_t       msgh_trailer_size;
} mach_msg_trailer_t;

typedef struct {
	mach_msg_trailer_type_t       msgh_trailer_type;
	mach_msg_trailer_size_t       msgh_trailer_size;
	mach_port_seqno_t             msgh_seqno;
} mach_msg_seqno_trailer_t;

typedef struct {
	unsigned int                  val[2];
} security_token_t;

typedef struct {
	mach_msg_trailer_type_t       msgh_trailer_type;
	mach_msg_trailer_size_t       msgh_trailer_size;
	mach_port_seqno_t             msgh_seqno;
	security_token_t              msgh_sender;
} mach_msg_security_trailer_t;

/* The sender's audit token: val[5] is its pid, val[7] its pid version. */
typedef struct {
	unsigned int                  val[8];
} audit_token_t;

#define INVALID_AUDIT_TOKEN_VALUE {{ \
	UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX, \
	UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX }}

typedef struct {
	mach_msg_trailer_type_t       msgh_trailer_type;
	mach_msg_trailer_size_t       msgh_trailer_size;
	mach_port_seqno_t             msgh_seqno;
	security_token_t              msgh_sender;
	audit_token_t                 msgh_audit;
} mach_msg_audit_trailer_t;

typedef struct {
	mach_msg_trailer_type_t       msgh_trailer_type;
	mach_msg_trailer_size_t       msgh_trailer_size;
	mach_port_seqno_t             msgh_seqno;
	security_token_t              msgh_sender;
	audit_token_t                 msgh_audit;
	mach_port_context_t           msgh_context;
} mach_msg_context_trailer_t;

typedef struct {
	mach_port_name_t              sender;
} msg_labels_t;

typedef int mach_msg_filter_id;
#define MACH_MSG_FILTER_POLICY_ALLOW    ((mach_msg_filter_id) 0)

typedef struct {
	mach_msg_trailer_type_t       msgh_trailer_type;
	mach_msg_trailer_size_t       msgh_trailer_size;
	mach_port_seqno_t             msgh_seqno;
	security_token_t              msgh_sender;
	audit_token_t                 msgh_audit;
	mach_port_context_t           msgh_context;
	mach_msg_filter_id            msgh_ad;
	msg_labels_t                  msgh_labels;
} mach_msg_mac_trailer_t;

typedef mach_msg_mac_trailer_t mach_msg_max_trailer_t;
typedef mach_msg_security_trailer_t mach_msg_format_0_trailer_t;

#define MACH_MSG_TRAILER_MINIMUM_SIZE   sizeof(mach_msg_trailer_t)
#define MAX_TRAILER_SIZE                ((mach_msg_size_t) sizeof(mach_msg_max_trailer_t))
#define MACH_MSG_TRAILER_FORMAT_0_SIZE  sizeof(mach_msg_format_0_trailer_t)

/* What kernel-originated messages carry in their trailers. */
#define KERNEL_SECURITY_TOKEN_VALUE     { {0, 1} }
#define KERNEL_AUDIT_TOKEN_VALUE        { {0, 0, 0, 0, 0, 0, 0, 0} }

typedef integer_t mach_msg_options_t;

typedef struct {
	mach_msg_header_t             header;
} mach_msg_empty_send_t;

typedef struct {
	mach_msg_header_t             header;
	mach_msg_trailer_t            trailer;
} mach_msg_empty_rcv_t;

typedef union {
	mach_msg_empty_send_t         send;
	mach_msg_empty_rcv_t          rcv;
} mach_msg_empty_t;

/* XNU-private: mach_msg2 vectors and auxiliary data. */
#define MACH_MSGV_IDX_MSG               0
#define MACH_MSGV_IDX_AUX               1
#define MACH_MSGV_MAX_COUNT             (MACH_MSGV_IDX_AUX + 1)
#define LIBSYSCALL_MSGV_AUX_MAX_SIZE    128

typedef uint32_t mach_msgv_index_t;

typedef struct {
	mach_vm_address_t             msgv_data;      /* header or aux header */
	mach_vm_address_t             msgv_rcv_addr;  /* if non-zero, receive here */
	mach_msg_size_t               msgv_send_size;
	mach_msg_size_t               msgv_rcv_size;
} mach_msg_vector_t;

typedef struct {
	mach_msg_size_t               msgdh_size;
	uint32_t                      msgdh_reserved;
} mach_msg_aux_header_t;

#pragma pack(pop)

#define round_msg(x) \
	(((mach_msg_size_t)(x) + sizeof(natural_t) - 1) & ~(sizeof(natural_t) - 1))

#define MACH_MSG_SIZE_MAX               ((mach_msg_size_t) ~0)
#define MACH_MSG_SIZE_RELIABLE          ((mach_msg_size_t) 256 * 1024)

#define MACH_MSGH_KIND_NORMAL           0x00000000
#define MACH_MSGH_KIND_NOTIFICATION     0x00000001
#define msgh_kind                       msgh_seqno
#define mach_msg_kind_t                 mach_port_seqno_t

typedef natural_t mach_msg_type_size_t;
typedef natural_t mach_msg_type_number_t;

/* Types of rights as seen by the receiver, and MIG's extra names. */
#define MACH_MSG_TYPE_PORT_NONE         0
#define MACH_MSG_TYPE_NONE              0
#define MACH_MSG_TYPE_PORT_NAME         15
#define MACH_MSG_TYPE_PORT_RECEIVE      MACH_MSG_TYPE_MOVE_RECEIVE
#define MACH_MSG_TYPE_PORT_SEND         MACH_MSG_TYPE_MOVE_SEND
#define MACH_MSG_TYPE_PORT_SEND_ONCE    MACH_MSG_TYPE_MOVE_SEND_ONCE
#define MACH_MSG_TYPE_LAST              22
#define MACH_MSG_TYPE_POLYMORPHIC       ((mach_msg_type_name_t) -1)

#define MACH_MSG_TYPE_PORT_ANY(x) \
	(((x) >= MACH_MSG_TYPE_MOVE_RECEIVE) && \
	 ((x) <= MACH_MSG_TYPE_MAKE_SEND_ONCE))
#define MACH_MSG_TYPE_PORT_ANY_SEND(x) \
	(((x) >= MACH_MSG_TYPE_MOVE_SEND) && \
	 ((x) <= MACH_MSG_TYPE_MAKE_SEND_ONCE))
#define MACH_MSG_TYPE_PORT_ANY_SEND_ONCE(x) \
	(((x) == MACH_MSG_TYPE_MOVE_SEND_ONCE) || \
	 ((x) == MACH_MSG_TYPE_MAKE_SEND_ONCE))
#define MACH_MSG_TYPE_PORT_ANY_RIGHT(x) \
	(((x) >= MACH_MSG_TYPE_MOVE_RECEIVE) && \
	 ((x) <= MACH_MSG_TYPE_MOVE_SEND_ONCE))

/* mach_msg() options. */
typedef integer_t mach_msg_option_t;

#define MACH_MSG_OPTION_NONE    0x00000000

#define MACH_SEND_MSG           0x00000001
#define MACH_RCV_MSG            0x00000002

#define MACH_RCV_LARGE          0x00000004  /* keep too-large messages queued */
#define MACH_RCV_LARGE_IDENTITY 0x00000008  /* ... and say which port */

#define MACH_SEND_TIMEOUT       0x00000010  /* timeout applies to send */
#define MACH_SEND_OVERRIDE      0x00000020  /* priority override */
#define MACH_SEND_INTERRUPT     0x00000040  /* do not restart interrupted sends */
#define MACH_SEND_NOTIFY        0x00000080  /* arm send-possible */
#define MACH_SEND_ALWAYS        0x00010000  /* ignore qlimits (kernel only) */
#define MACH_SEND_FILTER_NONFATAL 0x00010000 /* filter rejection is an error (user) */
#define MACH_SEND_TRAILER       0x00020000  /* sender-provided trailer */
#define MACH_SEND_NOIMPORTANCE  0x00040000  /* carries no importance */
#define MACH_SEND_NODENAP       MACH_SEND_NOIMPORTANCE
#define MACH_SEND_IMPORTANCE    0x00080000  /* carries importance (kernel only) */
#define MACH_SEND_SYNC_OVERRIDE 0x00100000
#define MACH_SEND_PROPAGATE_QOS 0x00200000
#define MACH_SEND_SYNC_USE_THRPRI MACH_SEND_PROPAGATE_QOS /* old name */
#define MACH_SEND_KERNEL        0x00400000  /* kernel only */
#define MACH_SEND_SYNC_BOOTSTRAP_CHECKIN 0x00800000

#define MACH_RCV_TIMEOUT        0x00000100  /* timeout applies to receive */
#define MACH_RCV_NOTIFY         0x00000000  /* legacy (was 0x200) */
#define MACH_RCV_INTERRUPT      0x00000400  /* do not restart interrupted receives */
#define MACH_RCV_VOUCHER        0x00000800  /* accept a voucher */
#define MACH_RCV_OVERWRITE      0x00000000  /* legacy scatter receive */
#define MACH_RCV_GUARDED_DESC   0x00001000  /* accept guarded descriptors */
#define MACH_RCV_SYNC_WAIT      0x00004000
#define MACH_RCV_SYNC_PEEK      0x00008000

#define MACH_MSG_STRICT_REPLY   0x00000200

/* Trailer selection in the receive options. */
#define MACH_RCV_TRAILER_NULL   0
#define MACH_RCV_TRAILER_SEQNO  1
#define MACH_RCV_TRAILER_SENDER 2
#define MACH_RCV_TRAILER_AUDIT  3
#define MACH_RCV_TRAILER_CTX    4
#define MACH_RCV_TRAILER_AV     7
#define MACH_RCV_TRAILER_LABELS 8

#define MACH_RCV_TRAILER_TYPE(x)        (((x) & 0xf) << 28)
#define MACH_RCV_TRAILER_ELEMENTS(x)    (((x) & 0xf) << 24)
#define MACH_RCV_TRAILER_MASK           ((0xf << 24))

#define GET_RCV_ELEMENTS(y)             (((y) >> 24) & 0xf)

/* Size of the trailer a receive with options y delivers. */
#define REQUESTED_TRAILER_SIZE_NATIVE(y) \
	((mach_msg_trailer_size_t) \
	 ((GET_RCV_ELEMENTS(y) == MACH_RCV_TRAILER_NULL) ? \
	  sizeof(mach_msg_trailer_t) : \
	 ((GET_RCV_ELEMENTS(y) == MACH_RCV_TRAILER_SEQNO) ? \
	  sizeof(mach_msg_seqno_trailer_t) : \
	 ((GET_RCV_ELEMENTS(y) == MACH_RCV_TRAILER_SENDER) ? \
	  sizeof(mach_msg_security_trailer_t) : \
	 ((GET_RCV_ELEMENTS(y) == MACH_RCV_TRAILER_AUDIT) ? \
	  sizeof(mach_msg_audit_trailer_t) : \
	 ((GET_RCV_ELEMENTS(y) == MACH_RCV_TRAILER_CTX) ? \
	  sizeof(mach_msg_context_trailer_t) : \
	 ((GET_RCV_ELEMENTS(y) == MACH_RCV_TRAILER_AV) ? \
	  sizeof(mach_msg_mac_trailer_t) : \
	  sizeof(mach_msg_max_trailer_t))))))))

#define REQUESTED_TRAILER_SIZE(y)       REQUESTED_TRAILER_SIZE_NATIVE(y)

/*
 * XNU-private option names, provided for machd: the option bits the
 * kernel honours from user space (anything else is silently stripped),
 * the library-only bits, and the kernel's own default send options.
 */
#define MACH_SEND_USER (MACH_SEND_MSG | MACH_SEND_TIMEOUT | \
	MACH_SEND_NOTIFY | MACH_SEND_OVERRIDE | MACH_SEND_TRAILER | \
	MACH_SEND_NOIMPORTANCE | MACH_SEND_SYNC_OVERRIDE | \
	MACH_SEND_PROPAGATE_QOS | MACH_SEND_FILTER_NONFATAL | \
	MACH_SEND_SYNC_BOOTSTRAP_CHECKIN | MACH_MSG_STRICT_REPLY | \
	MACH_RCV_GUARDED_DESC)

#define MACH_RCV_USER (MACH_RCV_MSG | MACH_RCV_TIMEOUT | \
	MACH_RCV_LARGE | MACH_RCV_LARGE_IDENTITY | MACH_RCV_VOUCHER | \
	MACH_RCV_TRAILER_MASK | MACH_RCV_SYNC_WAIT | MACH_RCV_SYNC_PEEK | \
	MACH_RCV_GUARDED_DESC | MACH_MSG_STRICT_REPLY)

#define MACH_MSG_OPTION_USER    (MACH_SEND_USER | MACH_RCV_USER)
#define MACH_MSG_OPTION_LIB     (MACH_SEND_INTERRUPT | MACH_RCV_INTERRUPT)
#define MACH_SEND_KERNEL_DEFAULT \
	(MACH_SEND_MSG | MACH_SEND_ALWAYS | MACH_SEND_NOIMPORTANCE)

/* XNU-private: 64-bit options of mach_msg2 (low 32 bits as above). */
typedef uint64_t mach_msg_option64_t;

#define MACH64_MSG_OPTION_NONE          0x0000000000000000ull
#define MACH64_MSG_VECTOR               0x0000000100000000ull
#define MACH64_SEND_KOBJECT_CALL        0x0000000200000000ull
#define MACH64_SEND_MQ_CALL             0x0000000400000000ull
#define MACH64_SEND_ANY                 0x0000000800000000ull
#define MACH64_SEND_DK_CALL             0x0000001000000000ull
#define MACH64_SEND_USER_CALL           MACH64_SEND_MQ_CALL

#define MACH64_POLICY_KERNEL_EXTENSION  0x0002000000000000ull
#define MACH64_POLICY_FILTER_NON_FATAL  0x0004000000000000ull
#define MACH64_POLICY_FILTER_MSG        0x0008000000000000ull
#define MACH64_POLICY_DEFAULT           0x0010000000000000ull
#define MACH64_POLICY_SIMULATED         0x0020000000000000ull
#define MACH64_POLICY_TRANSLATED        0x0040000000000000ull
#define MACH64_POLICY_HARDENED          0x0080000000000000ull
#define MACH64_POLICY_RIGID             0x0100000000000000ull
#define MACH64_POLICY_PLATFORM          0x0200000000000000ull

#define MACH64_RCV_LINEAR_VECTOR        0x1000000000000000ull
#define MACH64_RCV_STACK                0x2000000000000000ull
#define MACH64_PEEK_MSG                 0x4000000000000000ull
#define MACH64_MACH_MSG2                0x8000000000000000ull

#define MACH64_MSG_OPTION_CFI_MASK (MACH64_SEND_KOBJECT_CALL | \
	MACH64_SEND_MQ_CALL | MACH64_SEND_ANY | MACH64_SEND_DK_CALL)
#define MACH64_SEND_USER ((mach_msg_option64_t)MACH_SEND_USER | \
	MACH64_MSG_VECTOR | MACH64_MSG_OPTION_CFI_MASK)
#define MACH64_RCV_USER ((mach_msg_option64_t)MACH_RCV_USER | MACH64_MSG_VECTOR)
#define MACH64_MSG_OPTION_USER (MACH64_SEND_USER | MACH64_RCV_USER)

/* XNU-private: a pseudo-receive (failed send) has no receive name. */
#define MSGR_PSEUDO_RECEIVE     (0xfffffffe)

/*
 * mach_msg() results.  Send errors are err_mach_ipc | err_sub(0) | code,
 * receive errors err_mach_ipc | err_sub(1) | code.  The MACH_MSG_* bits
 * below may be or-ed into a few of them (see spec/mach-ipc.md 2.5).
 */
typedef kern_return_t mach_msg_return_t;

#define MACH_MSG_SUCCESS                0x00000000

#define MACH_MSG_MASK                   0x00003e00
#define MACH_MSG_IPC_SPACE              0x00002000  /* no room for a name */
#define MACH_MSG_VM_SPACE               0x00001000  /* no room for OOL memory */
#define MACH_MSG_IPC_KERNEL             0x00000800  /* kernel short of rights */
#define MACH_MSG_VM_KERNEL              0x00000400  /* kernel short of memory */

#define MACH_SEND_IN_PROGRESS           0x10000001
#define MACH_SEND_INVALID_DATA          0x10000002
#define MACH_SEND_INVALID_DEST          0x10000003
#define MACH_SEND_TIMED_OUT             0x10000004
#define MACH_SEND_INVALID_VOUCHER       0x10000005
#define MACH_SEND_INTERRUPTED           0x10000007
#define MACH_SEND_MSG_TOO_SMALL         0x10000008
#define MACH_SEND_INVALID_REPLY         0x10000009
#define MACH_SEND_INVALID_RIGHT         0x1000000a
#define MACH_SEND_INVALID_NOTIFY        0x1000000b
#define MACH_SEND_INVALID_MEMORY        0x1000000c
#define MACH_SEND_NO_BUFFER             0x1000000d
#define MACH_SEND_TOO_LARGE             0x1000000e
#define MACH_SEND_INVALID_TYPE          0x1000000f
#define MACH_SEND_INVALID_HEADER        0x10000010
#define MACH_SEND_INVALID_TRAILER       0x10000011
#define MACH_SEND_INVALID_CONTEXT       0x10000012
#define MACH_SEND_INVALID_OPTIONS       0x10000013
#define MACH_SEND_INVALID_RT_OOL_SIZE   0x10000015
#define MACH_SEND_NO_GRANT_DEST         0x10000016
#define MACH_SEND_MSG_FILTERED          0x10000017
#define MACH_SEND_AUX_TOO_SMALL         0x10000018
#define MACH_SEND_AUX_TOO_LARGE         0x10000019

#define MACH_RCV_IN_PROGRESS            0x10004001
#define MACH_RCV_INVALID_NAME           0x10004002
#define MACH_RCV_TIMED_OUT              0x10004003
#define MACH_RCV_TOO_LARGE              0x10004004
#define MACH_RCV_INTERRUPTED            0x10004005
#define MACH_RCV_PORT_CHANGED           0x10004006
#define MACH_RCV_INVALID_NOTIFY         0x10004007
#define MACH_RCV_INVALID_DATA           0x10004008
#define MACH_RCV_PORT_DIED              0x10004009
#define MACH_RCV_IN_SET                 0x1000400a
#define MACH_RCV_HEADER_ERROR           0x1000400b
#define MACH_RCV_BODY_ERROR             0x1000400c
#define MACH_RCV_INVALID_TYPE           0x1000400d
#define MACH_RCV_SCATTER_SMALL          0x1000400e
#define MACH_RCV_INVALID_TRAILER        0x1000400f
#define MACH_RCV_IN_PROGRESS_TIMED      0x10004011
#define MACH_RCV_INVALID_REPLY          0x10004012
#define MACH_RCV_INVALID_ARGUMENTS      0x10004013

/* XNU-private (FLIPC peek). */
#define MACH_PEEK_IN_PROGRESS           0x10008001
#define MACH_PEEK_READY                 0x10008002

__BEGIN_DECLS

/* Security / audit tokens carried by kernel-originated messages. */
extern const security_token_t KERNEL_SECURITY_TOKEN;
extern const audit_token_t KERNEL_AUDIT_TOKEN;

extern mach_msg_return_t mach_msg(
	mach_msg_header_t *msg,
	mach_msg_option_t option,
	mach_msg_size_t send_size,
	mach_msg_size_t rcv_size,
	mach_port_name_t rcv_name,
	mach_msg_timeout_t timeout,
	mach_port_name_t notify);

extern mach_msg_return_t mach_msg_overwrite(
	mach_msg_header_t *msg,
	mach_msg_option_t option,
	mach_msg_size_t send_size,
	mach_msg_size_t rcv_size,
	mach_port_name_t rcv_name,
	mach_msg_timeout_t timeout,
	mach_port_name_t notify,
	mach_msg_header_t *rcv_msg,
	mach_msg_size_t rcv_limit);

/*
 * macOS declares the next three in <mach/mach.h>; they are repeated here
 * so that code including only this header finds them too.
 */
extern void mach_msg_destroy(mach_msg_header_t *msg);
extern mach_msg_return_t mach_msg_send(mach_msg_header_t *msg);
extern mach_msg_return_t mach_msg_receive(mach_msg_header_t *msg);

__END_DECLS

/* Layouts (LP64 user), pinned against spec/mach-constants.tsv. */
_MACH_STATIC_ASSERT(sizeof(mach_msg_header_t) == 24, "mach_msg_header_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_header_t, msgh_size) == 4, "mach_msg_header_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_header_t, msgh_remote_port) == 8, "mach_msg_header_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_header_t, msgh_local_port) == 12, "mach_msg_header_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_header_t, msgh_voucher_port) == 16, "mach_msg_header_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_header_t, msgh_id) == 20, "mach_msg_header_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_body_t) == 4, "mach_msg_body_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_base_t) == 28, "mach_msg_base_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_base_t, body) == 24, "mach_msg_base_t layout");

_MACH_STATIC_ASSERT(sizeof(mach_msg_type_descriptor_t) == 12, "type descriptor layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_port_descriptor_t) == 12, "port descriptor layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_port_descriptor_t, pad1) == 4, "port descriptor layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_ool_descriptor_t) == 16, "OOL descriptor layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_ool_descriptor_t, size) == 12, "OOL descriptor layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_ool_ports_descriptor_t) == 16, "OOL ports descriptor layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_ool_ports_descriptor_t, count) == 12, "OOL ports descriptor layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_guarded_port_descriptor_t) == 16, "guarded port descriptor layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_guarded_port_descriptor_t, name) == 12, "guarded port descriptor layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_descriptor_t) == 16, "descriptor union layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_ool_descriptor64_t) == 16, "OOL descriptor64 layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_ool_descriptor64_t, size) == 12, "OOL descriptor64 layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_ool_ports_descriptor64_t) == 16, "OOL ports descriptor64 layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_ool_ports_descriptor64_t, count) == 12, "OOL ports descriptor64 layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_guarded_port_descriptor64_t) == 16, "guarded descriptor64 layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_guarded_port_descriptor64_t, name) == 12, "guarded descriptor64 layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_ool_descriptor32_t) == 12, "OOL descriptor32 layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_ool_descriptor32_t, size) == 4, "OOL descriptor32 layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_ool_ports_descriptor32_t) == 12, "OOL ports descriptor32 layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_ool_ports_descriptor32_t, count) == 4, "OOL ports descriptor32 layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_guarded_port_descriptor32_t) == 12, "guarded descriptor32 layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_guarded_port_descriptor32_t, name) == 4, "guarded descriptor32 layout");

_MACH_STATIC_ASSERT(sizeof(mach_msg_trailer_t) == 8, "trailer layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_seqno_trailer_t) == 12, "seqno trailer layout");
_MACH_STATIC_ASSERT(sizeof(security_token_t) == 8, "security_token_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_security_trailer_t) == 20, "security trailer layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_security_trailer_t, msgh_sender) == 12, "security trailer layout");
_MACH_STATIC_ASSERT(sizeof(audit_token_t) == 32, "audit_token_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_audit_trailer_t) == 52, "audit trailer layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_audit_trailer_t, msgh_audit) == 20, "audit trailer layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_context_trailer_t) == 60, "context trailer layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_context_trailer_t, msgh_context) == 52, "context trailer layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_mac_trailer_t) == 68, "mac trailer layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_mac_trailer_t, msgh_ad) == 60, "mac trailer layout");
_MACH_STATIC_ASSERT(offsetof(mach_msg_mac_trailer_t, msgh_labels) == 64, "mac trailer layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_max_trailer_t) == 68, "max trailer layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_format_0_trailer_t) == 20, "format 0 trailer layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_empty_rcv_t) == 32, "empty receive layout");

_MACH_STATIC_ASSERT(sizeof(mach_msg_aux_header_t) == 8, "aux header layout");
_MACH_STATIC_ASSERT(sizeof(mach_msg_vector_t) == 24, "msg vector layout");

#endif /* _MACH_MESSAGE_H_ */
