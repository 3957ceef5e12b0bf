/*
 * mach_error.c -- mach_error_string(), mach_error_type(), mach_error()
 * and bootstrap_strerror().
 *
 * Follows what macOS's libsystem_kernel does (XNU libsyscall/mach/
 * mach_error_string.c, mach_error.c; launchd liblaunch/libbootstrap.c):
 *
 *   - Old-style codes are first folded into the system/subsystem scheme:
 *     -100..-199 -> (ipc/send), -200..-299 -> (ipc/rcv), -300..-399 ->
 *     (ipc/mig) of err_mach_ipc, 1000..1099 / 1600..1699 / 27600..27699
 *     -> server subsystems.  So MIG_BAD_ID (-303) and 0x10008003 print
 *     the same text.
 *   - Codes are looked up exactly.  The MACH_MSG_* special bits are not
 *     stripped: MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE is "unknown error
 *     code", as on macOS.
 *   - BOOTSTRAP_* codes are not Mach errors: mach_error_string() calls them
 *     "unknown error code"; only bootstrap_strerror() knows their texts.
 *
 * The texts themselves come from the shared table in mach_codes.h.  Codes
 * of systems machxfer never produces (legacy err_ipc, servers, IOKit ...)
 * get the subsystem-level fallback texts only.  Where macOS would return
 * NULL (a code of an unassigned system), "unknown error code" is returned
 * instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include "mach_codes.h"

#define NO_SUCH_ERROR   "unknown error code"

#define IPC_SEND_MOD    (err_ipc | err_sub(0))
#define IPC_RCV_MOD     (err_ipc | err_sub(1))
#define MACH_MIG_MOD    (err_mach_ipc | err_sub(2))
#define SERV_NETNAME_MOD (err_server | err_sub(0))
#define SERV_ENV_MOD    (err_server | err_sub(1))
#define SERV_EXECD_MOD  (err_server | err_sub(2))

/* A subsystem name, by system; NULL past the end of a system's list. */
static const char *const os_subs[] = {
	"(os/kern)", "(os/?)", "(os/?)", "(os/unix)",
};
static const char *const server_subs[] = {
	"(server/netname)", "(server/env_mgr)", "(server/execd)",
	"(server/netmemory)", "(server/ufs)", "(server/task_master)",
	"(server/ns)", "(server/io)", "(server/auth)", "(server/us)",
	"(server/sunrpc)", "(server/object system)", "(server/loader)",
	"(server/exception)", "(server/unix-signal)", "(server/xkernel)",
};
static const char *const ipc_subs[] = {
	"(ipc/send)", "(ipc/rcv)", "(ipc/mig)",
};
static const char *const vm_subs[] = {
	"(vm/kernel)", "(vm/reclaim)",
};
static const char *const libkern_subs[] = {
	"(libkern/common)", "(libkern/metaclass)", "(libkern/kext)",
};

struct err_system {
	int                     sys;
	const char *const       *subs;
	unsigned                nsubs;
	const char              *bad_sub;
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct err_system systems[] = {
	{ 0x00, os_subs, NELEM(os_subs),
	  "(operating system/?) unknown subsystem error" },
	{ 0x01, NULL, 1, "(user space/?) unknown subsystem error" },
	{ 0x02, server_subs, NELEM(server_subs),
	  "(server/?) unknown subsystem error" },
	{ 0x03, ipc_subs, NELEM(ipc_subs), "(ipc/?) unknown subsystem error" },
	{ 0x04, ipc_subs, NELEM(ipc_subs), "(ipc/?) unknown subsystem error" },
	{ 0x07, vm_subs, NELEM(vm_subs), "(vm/?) unknown subsystem error" },
	{ 0x37, libkern_subs, NELEM(libkern_subs),
	  "(libkern/?) unknown subsystem error" },
};

/* The interface returns char *; the texts are read-only all the same. */
static char *
unconst(const char *s)
{
	return (char *)(uintptr_t)s;
}

static const struct err_system *
find_system(int sys)
{
	size_t i;

	for (i = 0; i < NELEM(systems); i++) {
		if (systems[i].sys == sys)
			return &systems[i];
	}
	return NULL;
}

/* Fold pre-system/subsystem codes into the modern encoding. */
static mach_error_t
compat(mach_error_t err)
{
	if (err > -200 && err <= -100)
		return -(err + 100) | IPC_SEND_MOD;
	if (err > -300 && err <= -200)
		return -(err + 200) | IPC_RCV_MOD;
	if (err > -400 && err <= -300)
		return -(err + 300) | MACH_MIG_MOD;
	if (err >= 1000 && err < 1100)
		return (err - 1000) | SERV_NETNAME_MOD;
	if (err >= 1600 && err < 1700)
		return (err - 1600) | SERV_ENV_MOD;
	if (err >= 27600 && err < 27700)
		return (err - 27600) | SERV_EXECD_MOD;
	return err;
}

/*
 * The text of a code and whether mach_error() should add the type and the
 * hex value (macOS does so whenever the code has no text of its own).
 */
static const char *
error_text(mach_error_t err, int *diag)
{
	const struct err_system *sys;
	const char *text = NULL;
	mach_error_t key;

	key = compat(err);
	if ((key & ~code_emask) == MACH_MIG_MOD)
		key = -300 - err_get_code(key);     /* table rows use -3xx */
	if (!(key >= BOOTSTRAP_NOT_PRIVILEGED && key <= BOOTSTRAP_NO_CHILDREN))
		text = mach_code_string(key);
	if (text != NULL && strcmp(text, NO_SUCH_ERROR) != 0) {
		*diag = 0;
		return text;
	}

	*diag = 1;
	key = compat(err);
	sys = find_system(err_get_system(key));
	if (sys != NULL && (unsigned)err_get_sub(key) >= sys->nsubs)
		return sys->bad_sub;
	return NO_SUCH_ERROR;
}

char *
mach_error_string(mach_error_t err)
{
	int diag;

	return unconst(error_text(err, &diag));
}

char *
mach_error_type(mach_error_t err)
{
	const struct err_system *sys;
	unsigned sub;

	err = compat(err);
	sys = find_system(err_get_system(err));
	sub = (unsigned)err_get_sub(err);
	if (sys == NULL || sys->subs == NULL || sub >= sys->nsubs)
		return unconst("(?/?)");
	return unconst(sys->subs[sub]);
}

void
mach_error(const char *str, mach_error_t err)
{
	const char *text;
	int diag;

	text = error_text(err, &diag);
	if (diag)
		fprintf(stderr, "%s %s %s (%x)\n", str, mach_error_type(err),
		    text, (unsigned)err);
	else
		fprintf(stderr, "%s %s\n", str, text);
}

const char *
bootstrap_strerror(kern_return_t r)
{
	if (r == BOOTSTRAP_SUCCESS)
		return "Success";
	if (r >= BOOTSTRAP_NOT_PRIVILEGED && r <= BOOTSTRAP_NO_CHILDREN)
		return mach_code_string(r);
	return mach_error_string(r);
}
