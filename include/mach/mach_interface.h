/*
 * <mach/mach_interface.h> -- the MIG client interfaces of the kernel
 * objects, as XNU libsyscall/mach/mach/mach_interface.h gathers them
 * (restricted to those machxfer provides).
 */
#ifndef _MACH_INTERFACE_H_
#define _MACH_INTERFACE_H_

#include <mach/semaphore.h>
#include <mach/task.h>
#include <mach/vm_map.h>

#endif /* _MACH_INTERFACE_H_ */
