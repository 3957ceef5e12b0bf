/*
 * <mach/mach_error.h> -- printable forms of Mach error codes.
 *
 * Mirrors the prototypes of XNU libsyscall/mach/mach/mach_error.h; the
 * texts are macOS's (see src/common/mach_codes.h).
 */
#ifndef _MACH_ERROR_
#define _MACH_ERROR_    1

#include <mach/error.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

/* "(os/kern) invalid name"; "unknown error code" for codes macOS lacks. */
char *mach_error_string(mach_error_t error_value);

/* Prints "<str> <mach_error_string>" (plus type and hex code for unknown
 * codes) on stderr. */
void mach_error(const char *str, mach_error_t error_value);

/* The subsystem part of the text, e.g. "(os/kern)", "(ipc/send)". */
char *mach_error_type(mach_error_t error_value);

__END_DECLS

#endif /* _MACH_ERROR_ */
