/*
 * <mach/machine/vm_types.h> -- machine-sized Mach scalar types.
 *
 * Mirrors XNU osfmk/mach/i386/vm_types.h and osfmk/mach/arm/vm_types.h for
 * an LP64 user task (x86_64 and aarch64 share one definition here):
 * natural_t is 32 bits on every architecture, vm_offset_t / vm_size_t are
 * pointer sized, the mach_vm_* types are always 64 bits.
 */
#ifndef _MACH_MACHINE_VM_TYPES_H_
#define _MACH_MACHINE_VM_TYPES_H_

#include <stdint.h>

typedef unsigned int    natural_t;
typedef int             integer_t;

typedef uintptr_t       vm_offset_t;
typedef uintptr_t       vm_size_t;

typedef uint64_t        mach_vm_address_t;
typedef uint64_t        mach_vm_offset_t;
typedef uint64_t        mach_vm_size_t;

typedef uint64_t        vm_map_offset_t;
typedef uint64_t        vm_map_address_t;
typedef uint64_t        vm_map_size_t;

/* A port's context / guard value: 64 bits in a 64-bit task. */
typedef mach_vm_address_t mach_port_context_t;

#endif /* _MACH_MACHINE_VM_TYPES_H_ */
