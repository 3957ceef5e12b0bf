/*
 * log.c -- launchd's log lines (see log.h).  A line is formatted once
 * and written whole with one write() per destination, so lines from
 * launchd and from children reporting exec failures never interleave
 * inside a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_procname = "launchd";
static int log_file_fd = -1;

int
log_open(const char *procname, const char *file)
{
	log_procname = procname;
	if (file == NULL)
		return 0;
	log_file_fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return log_file_fd < 0 ? -1 : 0;
}

void
log_close(void)
{
	if (log_file_fd >= 0)
		close(log_file_fd);
	log_file_fd = -1;
}

void
log_fds(int *err_fd, int *file_fd)
{
	*err_fd = STDERR_FILENO;
	*file_fd = log_file_fd;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;         /* nowhere else to report it */
		buf += n;
		len -= (size_t)n;
	}
}

/* Format "procname: message" (plus the errno text when err != 0). */
static void
log_emit(int err, const char *fmt, va_list ap)
{
	char line[2048], stamp[64];
	struct timespec ts;
	struct tm tm;
	int n;

	n = snprintf(line, sizeof(line), "%s: ", log_procname);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	if (err != 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ": %s", strerror(err));
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	write_all(STDERR_FILENO, line, (size_t)n);
	if (log_file_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S ", &tm);
	write_all(log_file_fd, stamp, strlen(stamp));
	write_all(log_file_fd, line, (size_t)n);
}

void
log_vline(const char *fmt, va_list ap)
{
	log_emit(0, fmt, ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(0, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(err, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(0, fmt, ap);
	va_end(ap);
	exit(1);
}
