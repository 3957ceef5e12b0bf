/*
 * <mach/mig.h> -- types used by MIG-generated client and server code.
 *
 * Names and shapes follow XNU osfmk/mach/mig.h (user-space part).  The
 * routine pointer types (mig_routine_t ...) live in <mach/mig_errors.h>,
 * which this header includes.  The reply-port and allocation helpers at
 * the end are libmach routines.
 */
#ifndef _MACH_MIG_H_
#define _MACH_MIG_H_

#include <stdint.h>
#include <mach/port.h>
#include <mach/message.h>
#include <mach/vm_types.h>
#include <mach/mig_errors.h>
#include <mach/_machxfer_cdefs.h>

#ifndef __MigTypeCheck
#define __MigTypeCheck 1
#endif
#define __MigPackStructs 1

typedef mach_msg_type_descriptor_t routine_arg_descriptor;
typedef mach_msg_type_descriptor_t *routine_arg_descriptor_t;
typedef mach_msg_type_descriptor_t *mig_routine_arg_descriptor_t;

#define MIG_ROUTINE_ARG_DESCRIPTOR_NULL ((mig_routine_arg_descriptor_t)0)

struct routine_descriptor {
	mig_impl_routine_t          impl_routine;   /* the work function */
	mig_stub_routine_t          stub_routine;   /* the unpacking stub */
	unsigned int                argc;           /* argument words */
	unsigned int                descr_count;    /* complex descriptors */
	routine_arg_descriptor_t    arg_descr;      /* descriptor array */
	unsigned int                max_reply_msg;  /* largest reply */
};
typedef struct routine_descriptor *routine_descriptor_t;

typedef struct routine_descriptor mig_routine_descriptor;
typedef mig_routine_descriptor *mig_routine_descriptor_t;

#define MIG_ROUTINE_DESCRIPTOR_NULL ((mig_routine_descriptor_t)0)

typedef struct mig_subsystem {
	mig_server_routine_t        server;         /* demux routine */
	mach_msg_id_t               start;          /* first msgh_id */
	mach_msg_id_t               end;            /* last msgh_id + 1 */
	mach_msg_size_t             maxsize;        /* largest reply */
	vm_address_t                reserved;
	mig_routine_descriptor      routine[1];     /* one per msgh_id */
} *mig_subsystem_t;

#define MIG_SUBSYSTEM_NULL ((mig_subsystem_t)0)

typedef struct mig_symtab {
	char                        *ms_routine_name;
	int                         ms_routine_number;
	void                        (*ms_routine)(void);
} mig_symtab_t;

#define MIG_SERVER_ROUTINE

__BEGIN_DECLS

extern mach_port_t mig_get_reply_port(void);
extern void mig_dealloc_reply_port(mach_port_t reply_port);
extern void mig_put_reply_port(mach_port_t reply_port);
extern int mig_strncpy(char *dest, const char *src, int len);
extern int mig_strncpy_zerofill(char *dest, const char *src, int len);
extern void mig_allocate(vm_address_t *addr, vm_size_t size);
extern void mig_deallocate(vm_address_t addr, vm_size_t size);

__END_DECLS

#endif /* _MACH_MIG_H_ */
