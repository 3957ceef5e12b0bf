/*
 * <mach/vm_map.h> -- pointer-sized virtual-memory routines.
 *
 * Prototypes follow the MIG client interface XNU generates from
 * osfmk/mach/vm_map.defs; only allocation and deallocation are provided
 * (enough to release out-of-line memory received in messages).
 */
#ifndef _vm_map_user_
#define _vm_map_user_

#include <mach/ndr.h>
#include <mach/kern_return.h>
#include <mach/notify.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/port.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

/* flags: VM_FLAGS_ANYWHERE or VM_FLAGS_FIXED, plus a VM_MAKE_TAG() tag. */
extern kern_return_t vm_allocate(vm_map_t target_task,
    vm_address_t *address, vm_size_t size, int flags);

extern kern_return_t vm_deallocate(vm_map_t target_task,
    vm_address_t address, vm_size_t size);

__END_DECLS

#endif /* _vm_map_user_ */
