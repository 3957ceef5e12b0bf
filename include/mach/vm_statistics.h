/*
 * <mach/vm_statistics.h> -- vm_allocate() flags and memory tags.
 *
 * Values follow XNU osfmk/mach/vm_statistics.h.  Only the allocation
 * flags and the memory tags are provided; the statistics structures are
 * not.  VM_MEMORY_MACH_MSG is the tag of out-of-line memory the kernel
 * creates in a receiver.
 */
#ifndef _MACH_VM_STATISTICS_H_
#define _MACH_VM_STATISTICS_H_

#define VM_FLAGS_FIXED                  0x00000000
#define VM_FLAGS_ANYWHERE               0x00000001
#define VM_FLAGS_PURGABLE               0x00000002
#define VM_FLAGS_4GB_CHUNK              0x00000004
#define VM_FLAGS_RANDOM_ADDR            0x00000008
#define VM_FLAGS_NO_CACHE               0x00000010
#define VM_FLAGS_RESILIENT_CODESIGN     0x00000020
#define VM_FLAGS_RESILIENT_MEDIA        0x00000040
#define VM_FLAGS_PERMANENT              0x00000080
#define VM_FLAGS_TPRO                   0x00001000
#define VM_FLAGS_OVERWRITE              0x00004000
#define VM_FLAGS_SUPERPAGE_MASK         0x00070000
#define VM_FLAGS_RETURN_DATA_ADDR       0x00100000
#define VM_FLAGS_RETURN_4K_DATA_ADDR    0x00800000
#define VM_FLAGS_ALIAS_MASK             0xFF000000

#define VM_GET_FLAGS_ALIAS(flags, alias) \
	(alias) = (((flags) >> 24) & 0xff)
#define VM_SET_FLAGS_ALIAS(flags, alias) \
	(flags) = (((flags) & ~VM_FLAGS_ALIAS_MASK) | \
	(((alias) & ~VM_FLAGS_ALIAS_MASK) << 24))

#define VM_MEMORY_MALLOC                1
#define VM_MEMORY_MALLOC_SMALL          2
#define VM_MEMORY_MALLOC_LARGE          3
#define VM_MEMORY_MALLOC_HUGE           4
#define VM_MEMORY_SBRK                  5
#define VM_MEMORY_REALLOC               6
#define VM_MEMORY_MALLOC_TINY           7
#define VM_MEMORY_MALLOC_LARGE_REUSABLE 8
#define VM_MEMORY_MALLOC_LARGE_REUSED   9
#define VM_MEMORY_ANALYSIS_TOOL         10
#define VM_MEMORY_MALLOC_NANO           11
#define VM_MEMORY_MALLOC_MEDIUM         12
#define VM_MEMORY_MALLOC_PROB_GUARD     13
#define VM_MEMORY_MACH_MSG              20
#define VM_MEMORY_IOKIT                 21
#define VM_MEMORY_STACK                 30
#define VM_MEMORY_GUARD                 31
#define VM_MEMORY_SHARED_PMAP           32
#define VM_MEMORY_DYLIB                 33
#define VM_MEMORY_UNSHARED_PMAP         35
#define VM_MEMORY_DYLD                  60
#define VM_MEMORY_DYLD_MALLOC           61
#define VM_MEMORY_SQLITE                62
#define VM_MEMORY_OS_ALLOC_ONCE         73
#define VM_MEMORY_LIBDISPATCH           74
#define VM_MEMORY_APPLICATION_SPECIFIC_1  240
#define VM_MEMORY_APPLICATION_SPECIFIC_16 255
#define VM_MEMORY_COUNT                 256

#define VM_MAKE_TAG(tag)                ((tag) << 24)

#endif /* _MACH_VM_STATISTICS_H_ */
