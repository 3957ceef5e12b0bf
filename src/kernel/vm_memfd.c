/*
 * vm_memfd.c -- sealed memfds for out-of-line memory; see vm_memfd.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_memfd.h"

int
vm_memfd_create_sealed(const void *data, size_t size)
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
	close(fd);
	return -1;
}
