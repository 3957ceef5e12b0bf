/*
 * lp_errors.c -- one table of the error numbers launchctl prints: the
 * Linux errno, the macOS number and the macOS text (see lp_errors.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "launch_proto.h"
#include "lp_errors.h"

struct lp_error {
	int         linux_errno;        /* 0: launchd-private, no Linux twin */
	int         macos;
	const char *text;
};

static const struct lp_error lp_errors[] = {
	{ EPERM,        1,   "Operation not permitted" },
	{ ENOENT,       2,   "No such file or directory" },
	{ ESRCH,        3,   "No such process" },
	{ EINTR,        4,   "Interrupted system call" },
	{ EIO,          5,   "Input/output error" },
	{ E2BIG,        7,   "Argument list too long" },
	{ ENOEXEC,      8,   "Exec format error" },
	{ EBADF,        9,   "Bad file descriptor" },
	{ ENOMEM,       12,  "Cannot allocate memory" },
	{ EACCES,       13,  "Permission denied" },
	{ EBUSY,        16,  "Resource busy" },
	{ EEXIST,       17,  "File exists" },
	{ ENOTDIR,      20,  "Not a directory" },
	{ EISDIR,       21,  "Is a directory" },
	{ EINVAL,       22,  "Invalid argument" },
	{ EMFILE,       24,  "Too many open files" },
	{ EFBIG,        27,  "File too large" },
	{ ENOSPC,       28,  "No space left on device" },
	{ EROFS,        30,  "Read-only file system" },
	{ EALREADY,     37,  "Operation already in progress" },
	{ ENOTSUP,      45,  "Operation not supported" },
	{ ELOOP,        62,  "Too many levels of symbolic links" },
	{ ENAMETOOLONG, 63,  "File name too long" },
	{ 0, LP_ENODOMAIN,  "Could not find domain" },
	{ 0, LP_ENOSERVICE, "Could not find specified service" },
	{ 0, LP_EBADRESP,   "Bad response from server" },
	{ 0, LP_EDISABLED,  "Service is disabled" },
	{ 0, LP_EBADPLIST,  "Invalid property list" },
};

#define NERRORS (sizeof(lp_errors) / sizeof(lp_errors[0]))

const char *
lp_strerror(int code)
{
	static __thread char unknown[32];
	size_t i;

	if (code == 0)
		return "Success";
	for (i = 0; i < NERRORS; i++)
		if (lp_errors[i].macos == code)
			return lp_errors[i].text;
	snprintf(unknown, sizeof(unknown), "Unknown error: %d", code);
	return unknown;
}

int
lp_errno_from_linux(int err)
{
	size_t i;

	for (i = 0; i < NERRORS; i++)
		if (lp_errors[i].linux_errno == err && err != 0)
			return lp_errors[i].macos;
	return LP_EIO;
}
