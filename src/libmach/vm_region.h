/*
 * vm_region.h -- memory that can leave the task without being copied.
 *
 * Mach moves out-of-line memory by virtual copy: the pages change hands,
 * the bytes stay where they are.  Linux can do the same between processes
 * only for memory that lives in a file, so libmach keeps such memory in
 * memfds and remembers which mapping belongs to which memfd:
 *
 *   SHARED  a vm_allocate'd region, mapped MAP_SHARED from its own memfd
 *           that nothing else has seen.  Sending it freezes it first.
 *   FROZEN  the memfd is sealed (no one can write, shrink or grow it) and
 *           the task maps it MAP_PRIVATE: its writes go to private
 *           copy-on-write pages and never reach the memfd.  A region
 *           received in a message starts in this state; a SHARED region
 *           enters it when it is first sent.
 *
 * A FROZEN region whose pages the task has not written since is sent as
 * its memfd again (no copy); one it has written is copied once into a new
 * memfd (vm_region_send_fd says which).  /proc/self/pagemap tells
 * untouched file pages from copied-on-write ones.
 *
 * Regions of MSG_OOL_SIZE_SMALL bytes or less are plain anonymous memory:
 * XNU copies such small regions physically anyway (spec 4.2), and an fd per
 * small allocation would be a poor trade.
 *
 * Invariant: every tracked region is mapped at [start, start + maplen)
 * exactly as recorded, until vm_deallocate (or a move) removes it from the
 * table.  Memory from vm_allocate or mach_msg must be released with
 * vm_deallocate, as on macOS; unmapping it behind libmach's back leaves a
 * stale record.  All functions take the table's lock.
 */
#ifndef LIBMACH_VM_REGION_H
#define LIBMACH_VM_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Regions at or below this size are anonymous memory (XNU: KHEAP_MAX_SIZE). */
#define VM_REGION_SMALL  16384u

/*
 * Map `len` (page-rounded) bytes at `start` with mmap flags `fixed` (0, or
 * MAP_FIXED / MAP_FIXED_NOREPLACE), memfd-backed if len > VM_REGION_SMALL
 * and a memfd can be had, anonymous otherwise.  Returns the address or
 * MAP_FAILED with errno set.
 */
void *vm_region_map(uintptr_t start, size_t len, int fixed);

/* [start, start + len) is being unmapped: forget every region in it or
 * overlapping it (closing their memfds). */
void vm_region_forget(uintptr_t start, size_t len);

/*
 * The memfd to send for the OOL region [addr, addr + size), if the whole
 * region is one of ours and can go without a copy (freezing it if it was
 * SHARED); -1 otherwise (the caller copies it).  *offsetp: where the
 * bytes start in the memfd.  The fd stays the region's: do not close it.
 */
int vm_region_send_fd(uintptr_t addr, uint64_t size, uint32_t *offsetp);

/* A received region: `fd`, sealed, holding `size` bytes (the data from
 * `offset` on), mapped privately at `addr` (`maplen` bytes).  The table takes the fd (closes it if it
 * cannot keep it). */
void vm_region_adopt(uintptr_t addr, size_t maplen, uint64_t size, uint32_t offset, int fd);

/* Bytes copied and regions sent without a copy since the process began
 * (libmach_private.h exposes them to tests and benchmarks). */
void vm_region_counters(uint64_t *bytes_copied, uint64_t *zero_copy_sends);
void vm_region_count_copy(uint64_t bytes);

#endif /* LIBMACH_VM_REGION_H */
