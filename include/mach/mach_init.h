/*
 * <mach/mach_init.h> -- the ports every task starts with.
 *
 * Follows XNU libsyscall/mach/mach/mach_init.h.  mach_task_self_ and
 * bootstrap_port are filled in by libmach when the process first talks
 * to machd.
 */
#ifndef _MACH_INIT_
#define _MACH_INIT_     1

#include <mach/mach_types.h>
#include <mach/vm_page_size.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

extern mach_port_t mach_host_self(void);
extern mach_port_t mach_thread_self(void);

/* The caller's own task port; a name, not a call, as on macOS. */
extern mach_port_t mach_task_self_;
#define mach_task_self()        mach_task_self_
#define current_task()          mach_task_self()

__END_DECLS

#include <mach/mach_traps.h>

__BEGIN_DECLS

/* A send right to the bootstrap server (TASK_BOOTSTRAP_PORT). */
extern mach_port_t bootstrap_port;

/* Historic slots of mach_ports_register(). */
#define NAME_SERVER_SLOT        0
#define ENVIRONMENT_SLOT        1
#define SERVICE_SLOT            2
#define MACH_PORTS_SLOTS_USED   3

__END_DECLS

#endif /* _MACH_INIT_ */
