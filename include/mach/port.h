/*
 * <mach/port.h> -- port names, rights, port types and port attributes.
 *
 * Values and layouts follow XNU osfmk/mach/port.h (user-space view: a
 * mach_port_t is a 32-bit name in the caller's IPC space, the same type
 * as mach_port_name_t) and spec/mach-constants.tsv.  MACH_PORT_UREFS_MAX
 * comes from osfmk/ipc/port.h; MACH_PORT_SPECIAL_DEFAULT and
 * MACH_PORT_TYPE_EX_RECEIVE are XNU-private and provided for machd.
 */
#ifndef _MACH_PORT_H_
#define _MACH_PORT_H_

#include <stddef.h>
#include <stdint.h>
#include <mach/boolean.h>
#include <mach/machine/vm_types.h>
#include <mach/_machxfer_cdefs.h>

typedef natural_t               mach_port_name_t;
typedef mach_port_name_t        *mach_port_name_array_t;

typedef natural_t               mach_port_t;
typedef mach_port_t             *mach_port_array_t;

#define MACH_PORT_NULL          0       /* loosely typed on purpose */
#define MACH_PORT_DEAD          ((mach_port_name_t) ~0)
#define MACH_PORT_VALID(name) \
	(((name) != MACH_PORT_NULL) && ((name) != MACH_PORT_DEAD))

/* The name the kernel uses for "the default" in special-port calls. */
#define MACH_PORT_SPECIAL_DEFAULT ((mach_port_name_t) 1)

/* A name is an index (high 24 bits) and a generation (low 8 bits). */
#define MACH_PORT_INDEX(name)           ((name) >> 8)
#define MACH_PORT_GEN(name)             (((name) & 0xff) << 24)
#define MACH_PORT_MAKE(index, gen)      (((index) << 8) | (gen) >> 24)

/* Rights, as named in mach_port_allocate(), mach_port_get_refs() ... */
typedef natural_t mach_port_right_t;

#define MACH_PORT_RIGHT_SEND            ((mach_port_right_t) 0)
#define MACH_PORT_RIGHT_RECEIVE         ((mach_port_right_t) 1)
#define MACH_PORT_RIGHT_SEND_ONCE       ((mach_port_right_t) 2)
#define MACH_PORT_RIGHT_PORT_SET        ((mach_port_right_t) 3)
#define MACH_PORT_RIGHT_DEAD_NAME       ((mach_port_right_t) 4)
#define MACH_PORT_RIGHT_LABELH          ((mach_port_right_t) 5) /* obsolete */
#define MACH_PORT_RIGHT_NUMBER          ((mach_port_right_t) 6) /* first invalid */

/* Type bits of a name, as returned by mach_port_type(). */
typedef natural_t mach_port_type_t;
typedef mach_port_type_t *mach_port_type_array_t;

#define MACH_PORT_TYPE(right) \
	((mach_port_type_t)(((mach_port_type_t) 1) << \
	((right) + ((mach_port_right_t) 16))))

#define MACH_PORT_TYPE_NONE             ((mach_port_type_t) 0L)
#define MACH_PORT_TYPE_SEND             MACH_PORT_TYPE(MACH_PORT_RIGHT_SEND)
#define MACH_PORT_TYPE_RECEIVE          MACH_PORT_TYPE(MACH_PORT_RIGHT_RECEIVE)
#define MACH_PORT_TYPE_SEND_ONCE        MACH_PORT_TYPE(MACH_PORT_RIGHT_SEND_ONCE)
#define MACH_PORT_TYPE_PORT_SET         MACH_PORT_TYPE(MACH_PORT_RIGHT_PORT_SET)
#define MACH_PORT_TYPE_DEAD_NAME        MACH_PORT_TYPE(MACH_PORT_RIGHT_DEAD_NAME)
#define MACH_PORT_TYPE_LABELH           MACH_PORT_TYPE(MACH_PORT_RIGHT_LABELH)
/* Kernel-private reuse of the LABELH bit: "this name once held receive". */
#define MACH_PORT_TYPE_EX_RECEIVE       MACH_PORT_TYPE_LABELH

/* Request bits that mach_port_type() / mach_port_names() may add. */
#define MACH_PORT_TYPE_DNREQUEST        0x80000000
#define MACH_PORT_TYPE_SPREQUEST        0x40000000
#define MACH_PORT_TYPE_SPREQUEST_DELAYED 0x20000000

#define MACH_PORT_TYPE_SEND_RECEIVE \
	(MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)
#define MACH_PORT_TYPE_SEND_RIGHTS \
	(MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE)
#define MACH_PORT_TYPE_PORT_RIGHTS \
	(MACH_PORT_TYPE_SEND_RIGHTS | MACH_PORT_TYPE_RECEIVE)
#define MACH_PORT_TYPE_PORT_OR_DEAD \
	(MACH_PORT_TYPE_PORT_RIGHTS | MACH_PORT_TYPE_DEAD_NAME)
#define MACH_PORT_TYPE_ALL_RIGHTS \
	(MACH_PORT_TYPE_PORT_OR_DEAD | MACH_PORT_TYPE_PORT_SET)

/* Counters. */
typedef natural_t mach_port_urefs_t;     /* user references on a name */
typedef integer_t mach_port_delta_t;     /* change in urefs */
typedef natural_t mach_port_seqno_t;     /* sequence number */
typedef natural_t mach_port_mscount_t;   /* make-send count */
typedef natural_t mach_port_msgcount_t;  /* messages queued */
typedef natural_t mach_port_rights_t;    /* number of rights */

/* urefs saturate ("peg") at this value instead of overflowing. */
#define MACH_PORT_UREFS_MAX     ((mach_port_urefs_t) ((1 << 16) - 1))

#define MACH_PORT_SRIGHTS_NONE          0
#define MACH_PORT_SRIGHTS_PRESENT       1
typedef unsigned int mach_port_srights_t;

/* MACH_PORT_RECEIVE_STATUS: the state of a receive right. */
typedef struct mach_port_status {
	mach_port_rights_t      mps_pset;       /* number of containing sets */
	mach_port_seqno_t       mps_seqno;      /* sequence number */
	mach_port_mscount_t     mps_mscount;    /* make-send count */
	mach_port_msgcount_t    mps_qlimit;     /* queue limit */
	mach_port_msgcount_t    mps_msgcount;   /* messages queued */
	mach_port_rights_t      mps_sorights;   /* send-once rights */
	boolean_t               mps_srights;    /* any send rights? */
	boolean_t               mps_pdrequest;  /* port-destroyed requested? */
	boolean_t               mps_nsrequest;  /* no-senders requested? */
	natural_t               mps_flags;      /* MACH_PORT_STATUS_FLAG_* */
} mach_port_status_t;

#define MACH_PORT_QLIMIT_ZERO           (0)
#define MACH_PORT_QLIMIT_BASIC          (5)
#define MACH_PORT_QLIMIT_SMALL          (16)
#define MACH_PORT_QLIMIT_LARGE          (1024)
#define MACH_PORT_QLIMIT_KERNEL         (65534)
#define MACH_PORT_QLIMIT_MIN            MACH_PORT_QLIMIT_ZERO
#define MACH_PORT_QLIMIT_DEFAULT        MACH_PORT_QLIMIT_BASIC
#define MACH_PORT_QLIMIT_MAX            MACH_PORT_QLIMIT_LARGE

/* MACH_PORT_LIMITS_INFO. */
typedef struct mach_port_limits {
	mach_port_msgcount_t    mpl_qlimit;
} mach_port_limits_t;

/* mps_flags bits. */
#define MACH_PORT_STATUS_FLAG_TEMPOWNER         0x01
#define MACH_PORT_STATUS_FLAG_GUARDED           0x02
#define MACH_PORT_STATUS_FLAG_STRICT_GUARD      0x04
#define MACH_PORT_STATUS_FLAG_IMP_DONATION      0x08
#define MACH_PORT_STATUS_FLAG_REVIVE            0x10
#define MACH_PORT_STATUS_FLAG_TASKPTR           0x20
#define MACH_PORT_STATUS_FLAG_GUARD_IMMOVABLE_RECEIVE 0x40
#define MACH_PORT_STATUS_FLAG_NO_GRANT          0x80

/* MACH_PORT_INFO_EXT. */
typedef struct mach_port_info_ext {
	mach_port_status_t      mpie_status;
	mach_port_msgcount_t    mpie_boost_cnt;
	uint32_t                reserved[6];
} mach_port_info_ext_t;

/* MACH_PORT_GUARD_INFO. */
typedef struct mach_port_guard_info {
	uint64_t                mpgi_guard;
} mach_port_guard_info_t;

typedef integer_t *mach_port_info_t;    /* array of natural_t, by flavor */
typedef int mach_port_flavor_t;

#define MACH_PORT_LIMITS_INFO           1   /* mach_port_limits_t */
#define MACH_PORT_RECEIVE_STATUS        2   /* mach_port_status_t */
#define MACH_PORT_DNREQUESTS_SIZE       3   /* int */
#define MACH_PORT_TEMPOWNER             4   /* no data */
#define MACH_PORT_IMPORTANCE_RECEIVER   5   /* no data */
#define MACH_PORT_DENAP_RECEIVER        6   /* no data */
#define MACH_PORT_INFO_EXT              7   /* mach_port_info_ext_t */
#define MACH_PORT_GUARD_INFO            8   /* mach_port_guard_info_t */
#define MACH_PORT_SERVICE_THROTTLED     9   /* int */

#define MACH_PORT_LIMITS_INFO_COUNT \
	((natural_t)(sizeof(mach_port_limits_t) / sizeof(natural_t)))
#define MACH_PORT_RECEIVE_STATUS_COUNT \
	((natural_t)(sizeof(mach_port_status_t) / sizeof(natural_t)))
#define MACH_PORT_DNREQUESTS_SIZE_COUNT 1
#define MACH_PORT_INFO_EXT_COUNT \
	((natural_t)(sizeof(mach_port_info_ext_t) / sizeof(natural_t)))
#define MACH_PORT_GUARD_INFO_COUNT \
	((natural_t)(sizeof(mach_port_guard_info_t) / sizeof(natural_t)))
#define MACH_PORT_SERVICE_THROTTLED_COUNT 1

/* mach_port_allocate_qos() / mach_port_allocate_full(). */
typedef struct mach_port_qos {
	unsigned int            name:1;         /* caller supplies the name */
	unsigned int            prealloc:1;     /* preallocated message */
	boolean_t               pad1:30;
	natural_t               len;
} mach_port_qos_t;

/* MPO_SERVICE_PORT payload of mach_port_construct(). */
#define MACH_SERVICE_PORT_INFO_STRING_NAME_MAX_BUF_LEN 255
typedef struct mach_service_port_info {
	char                    mspi_string_name[MACH_SERVICE_PORT_INFO_STRING_NAME_MAX_BUF_LEN];
	uint8_t                 mspi_domain_type;
} mach_service_port_info_data_t;
#define MACH_SERVICE_PORT_INFO_COUNT \
	((char)(sizeof(mach_service_port_info_data_t) / sizeof(char)))
typedef struct mach_service_port_info *mach_service_port_info_t;

/* mach_port_construct() options. */
#define MPO_CONTEXT_AS_GUARD             0x01    /* context is the guard */
#define MPO_QLIMIT                       0x02    /* use mpl.mpl_qlimit */
#define MPO_TEMPOWNER                    0x04
#define MPO_IMPORTANCE_RECEIVER          0x08
#define MPO_INSERT_SEND_RIGHT            0x10    /* also make a send right */
#define MPO_STRICT                       0x20    /* strict guarding */
#define MPO_DENAP_RECEIVER               0x40
#define MPO_IMMOVABLE_RECEIVE            0x80    /* guarded and immovable */
#define MPO_FILTER_MSG                   0x100
#define MPO_TG_BLOCK_TRACKING            0x200
#define MPO_SERVICE_PORT                 0x400
#define MPO_CONNECTION_PORT              0x800
#define MPO_REPLY_PORT                   0x1000
#define MPO_ENFORCE_REPLY_PORT_SEMANTICS 0x2000
#define MPO_PROVISIONAL_REPLY_PORT       0x4000
#define MPO_EXCEPTION_PORT               0x8000

typedef struct mach_port_options {
	uint32_t                flags;          /* MPO_* */
	mach_port_limits_t      mpl;            /* queue limit, with MPO_QLIMIT */
	union {
		uint64_t                 reserved[2];
		mach_port_name_t         work_interval_port;
		mach_service_port_info_t service_port_info;  /* MPO_SERVICE_PORT */
		mach_port_name_t         service_port_name;  /* MPO_CONNECTION_PORT */
	};
} mach_port_options_t;
typedef mach_port_options_t *mach_port_options_ptr_t;

/* Guards and guard exceptions (EXC_GUARD codes of type GUARD_TYPE_MACH_PORT). */
#define GUARD_TYPE_MACH_PORT    0x1

enum mach_port_guard_exception_codes {
	kGUARD_EXC_DESTROY                          = 1,
	kGUARD_EXC_MOD_REFS                         = 2,
	kGUARD_EXC_INVALID_OPTIONS                  = 3,
	kGUARD_EXC_SET_CONTEXT                      = 4,
	kGUARD_EXC_THREAD_SET_STATE                 = 5,
	kGUARD_EXC_EXCEPTION_BEHAVIOR_ENFORCE       = 6,
	kGUARD_EXC_SERVICE_PORT_VIOLATION_FATAL     = 7,
	kGUARD_EXC_UNGUARDED                        = 8,
	kGUARD_EXC_INCORRECT_GUARD                  = 16,
	kGUARD_EXC_IMMOVABLE                        = 32,
	kGUARD_EXC_STRICT_REPLY                     = 64,
	kGUARD_EXC_MSG_FILTERED                     = 128,
	kGUARD_EXC_INVALID_RIGHT                    = 256,
	kGUARD_EXC_INVALID_NAME                     = 512,
	kGUARD_EXC_INVALID_VALUE                    = 1 << 10,
	kGUARD_EXC_INVALID_ARGUMENT                 = 1 << 11,
	kGUARD_EXC_RIGHT_EXISTS                     = 1 << 12,
	kGUARD_EXC_KERN_NO_SPACE                    = 1 << 13,
	kGUARD_EXC_KERN_FAILURE                     = 1 << 14,
	kGUARD_EXC_KERN_RESOURCE                    = 1 << 15,
	kGUARD_EXC_SEND_INVALID_REPLY               = 1 << 16,
	kGUARD_EXC_SEND_INVALID_VOUCHER             = 1 << 17,
	kGUARD_EXC_SEND_INVALID_RIGHT               = 1 << 18,
	kGUARD_EXC_RCV_INVALID_NAME                 = 1 << 19,
	kGUARD_EXC_RCV_GUARDED_DESC                 = 0x00100000,
	kGUARD_EXC_SERVICE_PORT_VIOLATION_NON_FATAL = 0x00100001,
	kGUARD_EXC_PROVISIONAL_REPLY_PORT           = 0x00100002,
	kGUARD_EXC_MOD_REFS_NON_FATAL               = 1 << 21,
	kGUARD_EXC_IMMOVABLE_NON_FATAL              = 1 << 22,
	kGUARD_EXC_REQUIRE_REPLY_PORT_SEMANTICS     = 1 << 23
};

#define MAX_FATAL_kGUARD_EXC_CODE       kGUARD_EXC_MSG_FILTERED
#define MAX_OPTIONAL_kGUARD_EXC_CODE    kGUARD_EXC_RCV_INVALID_NAME

/* Extra bits in the EXC_GUARD subcode. */
#define MPG_FLAGS_NONE                             (0x00ull)
#define MPG_FLAGS_STRICT_REPLY_INVALID_REPLY_DISP  (0x01ull << 56)
#define MPG_FLAGS_STRICT_REPLY_INVALID_REPLY_PORT  (0x02ull << 56)
#define MPG_FLAGS_STRICT_REPLY_INVALID_VOUCHER     (0x04ull << 56)
#define MPG_FLAGS_STRICT_REPLY_NO_BANK_ATTR        (0x08ull << 56)
#define MPG_FLAGS_STRICT_REPLY_MISMATCHED_PERSONA  (0x10ull << 56)
#define MPG_FLAGS_STRICT_REPLY_MASK                (0xffull << 56)
#define MPG_FLAGS_MOD_REFS_PINNED_DEALLOC          (0x01ull << 56)
#define MPG_FLAGS_MOD_REFS_PINNED_DESTROY          (0x02ull << 56)
#define MPG_FLAGS_MOD_REFS_PINNED_COPYIN           (0x04ull << 56)
#define MPG_FLAGS_IMMOVABLE_PINNED                 (0x01ull << 56)

/* mach_port_guard_with_flags() flags. */
#define MPG_STRICT              0x01    /* strict guarding */
#define MPG_IMMOVABLE_RECEIVE   0x02    /* receive right may not move */

/* Layouts (LP64 user), pinned against spec/mach-constants.tsv. */
_MACH_STATIC_ASSERT(sizeof(mach_port_name_t) == 4, "mach_port_name_t is 32 bits");
_MACH_STATIC_ASSERT(sizeof(mach_port_t) == 4, "user mach_port_t is a 32-bit name");
_MACH_STATIC_ASSERT(sizeof(mach_port_status_t) == 40, "mach_port_status_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_port_status_t, mps_srights) == 24, "mach_port_status_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_port_status_t, mps_flags) == 36, "mach_port_status_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_info_ext_t) == 68, "mach_port_info_ext_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_limits_t) == 4, "mach_port_limits_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_guard_info_t) == 8, "mach_port_guard_info_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_qos_t) == 8, "mach_port_qos_t layout");
_MACH_STATIC_ASSERT(sizeof(mach_port_options_t) == 24, "mach_port_options_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_port_options_t, mpl) == 4, "mach_port_options_t layout");
_MACH_STATIC_ASSERT(offsetof(mach_port_options_t, reserved) == 8, "mach_port_options_t layout");

#endif /* _MACH_PORT_H_ */
