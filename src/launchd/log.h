/*
 * log.h -- launchd's log: one short line per event, on stderr and, when
 * log_open() was given a file, appended to that file too (with a time
 * stamp).  The OpenBSD API: log_warn adds strerror(errno), log_warnx
 * does not; fatal/fatalx log and exit(1).
 *
 * Lines about a job start with its label, "com.example.demo[4242]: ...".
 * Not thread-safe by design: only launchd's main thread logs.
 */
#ifndef LAUNCHD_LOG_H
#define LAUNCHD_LOG_H

#include <stdarg.h>
#include <stdnoreturn.h>

/* `procname` prefixes every line; `file` may be NULL.  -1 if the file
 * cannot be opened (errno set), 0 otherwise. */
int log_open(const char *procname, const char *file);
void log_close(void);

/* The descriptors log lines go to (stderr, and the file or -1), for a
 * spawned child that must report its own failure before exec. */
void log_fds(int *err_fd, int *file_fd);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LAUNCHD_LOG_H */
