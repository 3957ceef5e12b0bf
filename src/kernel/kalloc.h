/*
 * kalloc.h -- machd's one allocation wrapper.
 *
 * Every kernel object is allocated here so that (1) each kind has a live
 * counter that tests compare with a baseline to prove nothing leaked, and
 * (2) a test can make the Nth allocation fail (SQLite's fault simulator):
 * every caller must then turn NULL into a Mach error and undo what it did.
 */
#ifndef MACHD_KALLOC_H
#define MACHD_KALLOC_H

#include <stddef.h>
#include <stdint.h>

enum kalloc_kind {
	KA_PORT, KA_PSET, KA_KMSG, KA_SPACE, KA_TABLE, KA_TASK, KA_THREAD,
	KA_SEMAPHORE, KA_OOL, KA_MISC, KA_KIND_COUNT
};

void *kalloc(enum kalloc_kind kind, size_t size);   /* zeroed; NULL on failure */
void *krealloc(enum kalloc_kind kind, void *p, size_t size);
void  kfree(enum kalloc_kind kind, void *p);

/* Objects of this kind currently alive (allocations minus frees). */
uint64_t kalloc_live(enum kalloc_kind kind);

/* Fail the Nth allocation from now (1 = the next), then every `repeat`
 * allocations after it (0: only once).  n = 0 turns fault injection off. */
void kalloc_fault_config(uint64_t n, uint64_t repeat);

#endif /* MACHD_KALLOC_H */
