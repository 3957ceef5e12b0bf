/*
 * lp_errors.h -- the error numbers users of launchctl see: macOS errno
 * values and launchd's private codes (launch_proto.h LP_E*), with their
 * macOS texts, and the mapping from Linux errno values.  Linux and macOS
 * agree on 1..34 except where the table says otherwise; above that they
 * differ (EALREADY is 114 on Linux, 37 on macOS), so every conversion
 * goes through this one table.
 */
#ifndef LAUNCHD_LP_ERRORS_H
#define LAUNCHD_LP_ERRORS_H

/* The macOS text for a macOS errno or private launchd code ("Unknown
 * error: N" otherwise, as macOS strerror says).  Never NULL; the buffer
 * for unknown codes is thread-local. */
const char *lp_strerror(int code);

/* A Linux errno as the macOS number for the same condition (EIO if the
 * table has none). */
int lp_errno_from_linux(int err);

#endif /* LAUNCHD_LP_ERRORS_H */
