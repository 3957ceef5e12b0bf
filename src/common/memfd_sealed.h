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

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A sealed memfd holding `size` bytes of `data`; -1 on failure with errno
 * set (EFAULT: `data` could not be read). */
int memfd_create_sealed(const void *data, size_t size);
/* The same for the concatenation of `iovcnt` pieces. */
struct iovec;
int memfd_create_sealed_iov(const struct iovec *iov, int iovcnt);

/* The seals every memfd machd accepts carries. */
#define MEMFD_SEALS_REQUIRED (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* True if `fd` is a memfd of exactly `size` bytes carrying
 * MEMFD_SEALS_REQUIRED: no one can change, shrink or grow it any more. */
bool memfd_sealed_check(int fd, uint64_t size);

#endif /* MACHXFER_MEMFD_SEALED_H */
