/*
 * <servers/bootstrap.h> -- the bootstrap (service name) client calls.
 *
 * Prototypes follow launchd's liblaunch/bootstrap.h (launchd-842; not
 * part of XNU).  Protocol: spec/mach-ipc.md 7.5 (MIG subsystem
 * "bootstrap", 400).
 */
#ifndef __BOOTSTRAP_H__
#define __BOOTSTRAP_H__

#include <stdbool.h>
#include <sys/types.h>
#include <mach/std_types.h>
#include <mach/message.h>
#include <servers/bootstrap_defs.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

/* A send right to the task's bootstrap server; see <mach/mach_init.h>. */
extern mach_port_t bootstrap_port;

/*
 * Service names are name_t on macOS.  They are declared here as plain
 * pointers (the same ABI: an array parameter is a pointer): with a name_t
 * parameter gcc >= 11 warns (-Wstringop-overread) about the usual call
 * with a short string literal, which macOS code does everywhere.  A name
 * is at most BOOTSTRAP_MAX_NAME_LEN bytes including its NUL.
 */

/* Take the receive right of a service launchd declared for this task. */
kern_return_t bootstrap_check_in(mach_port_t bp, const char *service_name,
    mach_port_t *sp);

/* Get a send right to a registered or declared service. */
kern_return_t bootstrap_look_up(mach_port_t bp, const char *service_name,
    mach_port_t *sp);

/*
 * Bind a name to a send right (MACH_PORT_NULL removes the binding).
 * Deprecated on macOS since 10.5 in favour of launchd-declared services.
 */
kern_return_t bootstrap_register(mach_port_t bp, const char *service_name,
    mach_port_t sp);

/* A text for a BOOTSTRAP_* code, or mach_error_string() for others. */
#if defined(__GNUC__)
__attribute__((__nothrow__, __pure__, __warn_unused_result__))
#endif
const char *bootstrap_strerror(kern_return_t r);

__END_DECLS

#endif /* __BOOTSTRAP_H__ */
