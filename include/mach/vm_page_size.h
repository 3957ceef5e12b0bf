/*
 * <mach/vm_page_size.h> -- the page size and page rounding macros.
 *
 * Follows XNU libsyscall/mach/mach/vm_page_size.h.  The variables are
 * set up by libmach at start-up.
 */
#ifndef _VM_PAGE_SIZE_H_
#define _VM_PAGE_SIZE_H_

#include <mach/mach_types.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

extern vm_size_t vm_page_size;
extern vm_size_t vm_page_mask;
extern int vm_page_shift;

#define trunc_page(x)   ((x) & (~(vm_page_size - 1)))
#define round_page(x)   trunc_page((x) + (vm_page_size - 1))

#define mach_vm_trunc_page(x) \
	((mach_vm_offset_t)(x) & ~((signed)vm_page_mask))
#define mach_vm_round_page(x) \
	(((mach_vm_offset_t)(x) + vm_page_mask) & ~((signed)vm_page_mask))

extern vm_size_t vm_kernel_page_size;
extern vm_size_t vm_kernel_page_mask;
extern int vm_kernel_page_shift;

#define trunc_page_kernel(x)    ((x) & (~vm_kernel_page_mask))
#define round_page_kernel(x)    trunc_page_kernel((x) + vm_kernel_page_mask)

__END_DECLS

#endif /* _VM_PAGE_SIZE_H_ */
