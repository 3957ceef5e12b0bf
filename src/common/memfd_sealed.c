/*
 * memfd_sealed.c -- bytes frozen in a sealed memfd; see memfd_sealed.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memfd_sealed.h"

int
memfd_create_sealed(const void *data, size_t size)
{
	const char *p = data;
	size_t done = 0;
	int fd = memfd_create("machd-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	while (done < size) {
		ssize_t n = pwrite(fd, p + done, size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
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
