/*
 * <mach/mach_port.h> -- the port-management routines (MIG subsystem
 * "mach_port", 3200).
 *
 * Prototypes follow the MIG client interface XNU generates from
 * osfmk/mach/mach_port.defs (the libsyscall flavour, where guards and
 * contexts are mach_port_context_t).  Behaviour: spec/mach-ipc.md
 * Appendix A.  Out-of-line arrays returned by mach_port_names() and
 * mach_port_get_set_status() are released with vm_deallocate().
 */
#ifndef _mach_port_user_
#define _mach_port_user_

#include <stdint.h>
#include <mach/ndr.h>
#include <mach/kern_return.h>
#include <mach/notify.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/port.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

extern kern_return_t mach_port_names(ipc_space_t task,
    mach_port_name_array_t *names, mach_msg_type_number_t *namesCnt,
    mach_port_type_array_t *types, mach_msg_type_number_t *typesCnt);

extern kern_return_t mach_port_type(ipc_space_t task,
    mach_port_name_t name, mach_port_type_t *ptype);

extern kern_return_t mach_port_rename(ipc_space_t task,
    mach_port_name_t old_name, mach_port_name_t new_name);

extern kern_return_t mach_port_allocate_name(ipc_space_t task,
    mach_port_right_t right, mach_port_name_t name);

extern kern_return_t mach_port_allocate(ipc_space_t task,
    mach_port_right_t right, mach_port_name_t *name);

extern kern_return_t mach_port_destroy(ipc_space_t task,
    mach_port_name_t name);

extern kern_return_t mach_port_deallocate(ipc_space_t task,
    mach_port_name_t name);

extern kern_return_t mach_port_get_refs(ipc_space_t task,
    mach_port_name_t name, mach_port_right_t right, mach_port_urefs_t *refs);

extern kern_return_t mach_port_mod_refs(ipc_space_t task,
    mach_port_name_t name, mach_port_right_t right, mach_port_delta_t delta);

extern kern_return_t mach_port_peek(ipc_space_t task,
    mach_port_name_t name, mach_msg_trailer_type_t trailer_type,
    mach_port_seqno_t *request_seqnop, mach_msg_size_t *msg_sizep,
    mach_msg_id_t *msg_idp, mach_msg_trailer_info_t trailer_infop,
    mach_msg_type_number_t *trailer_infopCnt);

extern kern_return_t mach_port_set_mscount(ipc_space_t task,
    mach_port_name_t name, mach_port_mscount_t mscount);

extern kern_return_t mach_port_get_set_status(ipc_space_read_t task,
    mach_port_name_t name, mach_port_name_array_t *members,
    mach_msg_type_number_t *membersCnt);

extern kern_return_t mach_port_move_member(ipc_space_t task,
    mach_port_name_t member, mach_port_name_t after);

extern kern_return_t mach_port_request_notification(ipc_space_t task,
    mach_port_name_t name, mach_msg_id_t msgid, mach_port_mscount_t sync,
    mach_port_t notify, mach_msg_type_name_t notifyPoly,
    mach_port_t *previous);

extern kern_return_t mach_port_insert_right(ipc_space_t task,
    mach_port_name_t name, mach_port_t poly, mach_msg_type_name_t polyPoly);

extern kern_return_t mach_port_extract_right(ipc_space_t task,
    mach_port_name_t name, mach_msg_type_name_t msgt_name,
    mach_port_t *poly, mach_msg_type_name_t *polyPoly);

extern kern_return_t mach_port_set_seqno(ipc_space_t task,
    mach_port_name_t name, mach_port_seqno_t seqno);

extern kern_return_t mach_port_get_attributes(ipc_space_read_t task,
    mach_port_name_t name, mach_port_flavor_t flavor,
    mach_port_info_t port_info_out, mach_msg_type_number_t *port_info_outCnt);

extern kern_return_t mach_port_set_attributes(ipc_space_t task,
    mach_port_name_t name, mach_port_flavor_t flavor,
    mach_port_info_t port_info, mach_msg_type_number_t port_infoCnt);

extern kern_return_t mach_port_allocate_qos(ipc_space_t task,
    mach_port_right_t right, mach_port_qos_t *qos, mach_port_name_t *name);

extern kern_return_t mach_port_allocate_full(ipc_space_t task,
    mach_port_right_t right, mach_port_t proto, mach_port_qos_t *qos,
    mach_port_name_t *name);

extern kern_return_t mach_port_get_srights(ipc_space_t task,
    mach_port_name_t name, mach_port_rights_t *srights);

extern kern_return_t mach_port_insert_member(ipc_space_t task,
    mach_port_name_t name, mach_port_name_t pset);

extern kern_return_t mach_port_extract_member(ipc_space_t task,
    mach_port_name_t name, mach_port_name_t pset);

extern kern_return_t mach_port_get_context(ipc_space_read_t task,
    mach_port_name_t name, mach_port_context_t *context);

extern kern_return_t mach_port_set_context(ipc_space_t task,
    mach_port_name_t name, mach_port_context_t context);

extern kern_return_t mach_port_construct(ipc_space_t task,
    mach_port_options_ptr_t options, mach_port_context_t context,
    mach_port_name_t *name);

extern kern_return_t mach_port_destruct(ipc_space_t task,
    mach_port_name_t name, mach_port_delta_t srdelta,
    mach_port_context_t guard);

extern kern_return_t mach_port_guard(ipc_space_t task,
    mach_port_name_t name, mach_port_context_t guard, boolean_t strict);

extern kern_return_t mach_port_unguard(ipc_space_t task,
    mach_port_name_t name, mach_port_context_t guard);

extern kern_return_t mach_port_guard_with_flags(ipc_space_t task,
    mach_port_name_t name, mach_port_context_t guard, uint64_t flags);

extern kern_return_t mach_port_swap_guard(ipc_space_t task,
    mach_port_name_t name, mach_port_context_t old_guard,
    mach_port_context_t new_guard);

__END_DECLS

#endif /* _mach_port_user_ */
