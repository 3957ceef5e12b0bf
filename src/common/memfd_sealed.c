/*
 * memfd_sealed.c -- bytes frozen in a sealed memfd; see memfd_sealed.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include "memfd_sealed.h"

int
memfd_create_sealed(const void *data, size_t size)
{
	struct iovec iov = { (void *)(uintptr_t)data, size };

	return memfd_create_sealed_iov(&iov, 1);
}

/* pwrite the whole of `p`, `len` bytes at `off`; -1 with errno on failure
 * (EFAULT when the bytes cannot be read). */
static int
write_all(int fd, const char *p, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int
memfd_create_sealed_iov(const struct iovec *iov, int iovcnt)
{
	size_t size = 0;
	off_t off = 0;
	int fd, i;

	for (i = 0; i < iovcnt; i++)
		size += iov[i].iov_len;
	fd = memfd_create("machd-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	for (i = 0; i < iovcnt; i++) {
		if (write_all(fd, iov[i].iov_base, iov[i].iov_len, off) < 0)
			goto fail;
		off += (off_t)iov[i].iov_len;
	}
	if (fcntl(fd, F_ADD_SEALS, MEMFD_SEALS_REQUIRED | F_SEAL_SEAL) < 0)
		goto fail;
	return fd;
fail:
	{
		int err = errno;
		close(fd);
		errno = err;
	}
	return -1;
}

bool
memfd_sealed_check(int fd, uint64_t size)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);   /* EINVAL for anything but a memfd */

	return seals >= 0 && (seals & MEMFD_SEALS_REQUIRED) == MEMFD_SEALS_REQUIRED &&
	    fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
}
