/*
 * <mach/mach_vm.h> -- 64-bit virtual-memory routines.
 *
 * Prototypes follow the MIG client interface XNU generates from
 * osfmk/mach/mach_vm.defs; only allocation and deallocation are provided.
 */
#ifndef _mach_vm_user_
#define _mach_vm_user_

#include <mach/ndr.h>
#include <mach/kern_return.h>
#include <mach/notify.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/port.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

extern kern_return_t mach_vm_allocate(vm_map_t target,
    mach_vm_address_t *address, mach_vm_size_t size, int flags);

extern kern_return_t mach_vm_deallocate(vm_map_t target,
    mach_vm_address_t address, mach_vm_size_t size);

__END_DECLS

#endif /* _mach_vm_user_ */
