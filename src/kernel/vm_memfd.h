/*
 * vm_memfd.h -- out-of-line memory as sealed memfds (Linux-specific).
 *
 * machd cannot map another process's memory, so out-of-line regions travel
 * as memfds sealed against shrinking, growing and writing: whoever maps
 * one sees the bytes as they were when it was sealed, and a receiver
 * mapping it copy-on-write never copies them (spec 4.3: "the receiver
 * sees the bytes as they were at send time").
 */
#ifndef MACHD_VM_MEMFD_H
#define MACHD_VM_MEMFD_H

#include <stddef.h>

/* A sealed memfd holding `size` bytes of `data`; -1 on failure. */
int vm_memfd_create_sealed(const void *data, size_t size);

#endif /* MACHD_VM_MEMFD_H */
