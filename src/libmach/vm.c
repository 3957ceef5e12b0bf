/*
 * vm.c -- vm_allocate / vm_deallocate and their mach_vm_* forms.
 *
 * Only the caller's own task is supported, as by libsyscall's fast
 * _kernelrpc_mach_vm_* traps (another task would need its address space;
 * that is MACH_SEND_INVALID_DEST here).  Memory is whole pages,
 * zero-filled.
 *
 * Results follow XNU's mach_vm_allocate_external / mach_vm_deallocate:
 * size 0 succeeds (allocate returns address 0); flags outside
 * VM_FLAGS_USER_ALLOCATE or a size that overflows when rounded to pages
 * are KERN_INVALID_ARGUMENT; no room (or a fixed range already in use
 * without VM_FLAGS_OVERWRITE) is KERN_NO_SPACE; a fixed range outside the
 * usable address space is KERN_INVALID_ADDRESS.
 *
 * Memory comes from vm_region.c: regions larger than 16 KiB live in
 * memfds so that mach_msg can move them to another task without copying
 * (see vm_region.h); vm_deallocate tells it what goes away.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include <mach/mach.h>
#include <mach/mach_vm.h>

#include "libmach_internal.h"
#include "vm_region.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000    /* Linux >= 4.17; older ones treat it as a hint */
#endif

/* osfmk/mach/vm_statistics.h: the flags user space may pass. */
#define VM_FLAGS_USER_ALLOCATE \
	(VM_FLAGS_FIXED | VM_FLAGS_ANYWHERE | VM_FLAGS_PURGABLE | \
	 VM_FLAGS_4GB_CHUNK | VM_FLAGS_RANDOM_ADDR | VM_FLAGS_NO_CACHE | \
	 VM_FLAGS_PERMANENT | VM_FLAGS_OVERWRITE | VM_FLAGS_SUPERPAGE_MASK | \
	 VM_FLAGS_TPRO | VM_FLAGS_ALIAS_MASK)

static kern_return_t
mmap_error(int err)
{
	switch (err) {
	case ENOMEM:
	case EEXIST:
		return KERN_NO_SPACE;
	default:
		return KERN_INVALID_ADDRESS;
	}
}

static kern_return_t
vm_alloc(vm_map_t target, uint64_t *addr, uint64_t size, int flags)
{
	uint64_t mask = mxp_page_size() - 1, start = 0, len;
	int fixed = 0;
	void *p;

	if (target != mach_task_self_)
		return MACH_SEND_INVALID_DEST;
	if ((uint32_t)flags & ~(uint32_t)VM_FLAGS_USER_ALLOCATE)
		return KERN_INVALID_ARGUMENT;
	if (size == 0) {
		*addr = 0;
		return KERN_SUCCESS;
	}
	len = (size + mask) & ~mask;
	if (len < size || len > SIZE_MAX)
		return KERN_INVALID_ARGUMENT;
	if (!(flags & VM_FLAGS_ANYWHERE)) {
		start = *addr & ~mask;
		if (start + len < start || start + len - 1 > UINTPTR_MAX)
			return KERN_INVALID_ADDRESS;
		fixed = (flags & VM_FLAGS_OVERWRITE) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	}
	p = vm_region_map((uintptr_t)start, (size_t)len, fixed);
	if (p == MAP_FAILED)
		return mmap_error(errno);
	if (!(flags & VM_FLAGS_ANYWHERE) && (uintptr_t)p != start) {
		vm_region_forget((uintptr_t)p, (size_t)len);
		(void)munmap(p, (size_t)len);   /* an old kernel took it as a hint */
		return KERN_NO_SPACE;
	}
	*addr = (uintptr_t)p;
	return KERN_SUCCESS;
}

static kern_return_t
vm_dealloc(vm_map_t target, uint64_t addr, uint64_t size)
{
	uint64_t mask = mxp_page_size() - 1, start, end;

	if (target != mach_task_self_)
		return MACH_SEND_INVALID_DEST;
	if (size == 0)
		return KERN_SUCCESS;
	start = addr & ~mask;
	end = addr + size;
	if (end < addr || end + mask < end)
		return KERN_INVALID_ARGUMENT;
	end = (end + mask) & ~mask;
	if (end - 1 > UINTPTR_MAX)
		return KERN_INVALID_ARGUMENT;
	/* Holes are fine, as in vm_map_remove. */
	vm_region_forget((uintptr_t)start, (size_t)(end - start));
	if (munmap((void *)(uintptr_t)start, (size_t)(end - start)) < 0)
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

kern_return_t
vm_allocate(vm_map_t target_task, vm_address_t *address, vm_size_t size, int flags)
{
	uint64_t a = *address;
	kern_return_t kr = vm_alloc(target_task, &a, size, flags);

	if (kr == KERN_SUCCESS)
		*address = (vm_address_t)a;
	return kr;
}

kern_return_t
vm_deallocate(vm_map_t target_task, vm_address_t address, vm_size_t size)
{
	return vm_dealloc(target_task, address, size);
}

kern_return_t
mach_vm_allocate(vm_map_t target, mach_vm_address_t *address,
    mach_vm_size_t size, int flags)
{
	return vm_alloc(target, address, size, flags);
}

kern_return_t
mach_vm_deallocate(vm_map_t target, mach_vm_address_t address,
    mach_vm_size_t size)
{
	return vm_dealloc(target, address, size);
}
