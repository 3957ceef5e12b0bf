/*
 * memfd_sealed.h -- bytes frozen in a sealed memfd (Linux-specific).
 *
 * machd cannot map another process's memory, so message bytes that do
 * not fit a datagram, and out-of-line regions, travel as memfds sealed
 * against shrinking, growing and writing: whoever maps one sees the bytes
 * as they were when it was sealed, and a receiver mapping it copy-on-write
 * never copies them (spec 4.3: "the receiver sees the bytes as they were
 * at send time").  Shared by machd and libmach.
 */
#ifndef MACHXFER_MEMFD_SEALED_H
#define MACHXFER_MEMFD_SEALED_H

#include <stddef.h>

/* A sealed memfd holding `size` bytes of `data`; -1 on failure with errno
 * set (EFAULT: `data` could not be read). */
int memfd_create_sealed(const void *data, size_t size);

#endif /* MACHXFER_MEMFD_SEALED_H */
