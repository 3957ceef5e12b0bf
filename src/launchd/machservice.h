/*
 * machservice.h -- the bootstrap namespace: one record per service name
 * (launchd.md 4.3), whoever owns it.
 *
 * Kinds:
 *   declared    from a job's MachServices: launchd allocated the port at
 *               load time and holds its receive right whenever the job
 *               has not checked it in.  launchd always keeps one send
 *               right under the same name (ms_port), so a right that
 *               comes back (port-destroyed notification) lands on that
 *               name again.
 *   dynamic     a check-in of a name nobody declared: launchd made the
 *               port, moved the receive right to the caller and keeps a
 *               send right with a dead-name request; the name goes away
 *               when the port dies.
 *   registered  bootstrap_register: launchd keeps the caller's send
 *               right with a dead-name request.
 *
 * Invariants:
 * - Names are unique in ld->services and at most 127 bytes.
 * - declared && !active <=> launchd holds the receive right.
 * - watched (member of ld->pset) implies declared && !active.
 * - A port-destroyed request is armed on a declared port exactly while
 *   it is active (armed at check-in, consumed when it comes back).
 * - owner: `job` for a plist job, else the anonymous process `owner_pid`.
 */
#ifndef LAUNCHD_MACHSERVICE_H
#define LAUNCHD_MACHSERVICE_H

#include <stdbool.h>
#include <sys/types.h>

#include <mach/mach.h>
#include <servers/bootstrap_defs.h>

struct launchd;
struct job;

enum ms_kind { MS_DECLARED, MS_DYNAMIC, MS_REGISTERED };

struct machservice {
	struct machservice *next;       /* ld->services */
	char            name[BOOTSTRAP_MAX_NAME_LEN];
	enum ms_kind    kind;
	struct job     *job;            /* owning plist job, or NULL */
	pid_t           owner_pid;      /* anonymous owner when job == NULL */
	mach_port_t     port;           /* launchd's name (send, + receive when held) */
	bool            active;
	bool            watched;
	bool            hide;           /* HideUntilCheckIn */
	bool            reset;          /* ResetAtClose */
	unsigned        gen;            /* bumped by ResetAtClose */
};

struct machservice *machservice_lookup(struct launchd *ld, const char *name);
struct machservice *machservice_find_port(struct launchd *ld, mach_port_t port);

/* A declared service of `j`: new port, receive right held.  NULL if the
 * name is taken (logged as a conflict) or no port could be made. */
struct machservice *machservice_declare(struct launchd *ld, struct job *j,
    const char *name, bool hide, bool reset);

/* A dynamic service for a check-in: *recv is the receive right to move
 * to the caller.  BOOTSTRAP_SUCCESS or BOOTSTRAP_NO_MEMORY. */
kern_return_t machservice_new_dynamic(struct launchd *ld, struct job *j, pid_t pid,
    const char *name, struct machservice **out);

/* A registered send right (launchd now owns one uref of `port`). */
kern_return_t machservice_new_registered(struct launchd *ld, struct job *j, pid_t pid,
    const char *name, mach_port_t port);

/* Arm the dead-name request of a dynamic service whose receive right
 * was just handed out; deletes it if the port is already dead. */
void machservice_dynamic_handed_out(struct launchd *ld, struct machservice *ms);

/* Remove the name and release launchd's rights (a held receive right is
 * destroyed: queued messages go, clients see a dead name). */
void machservice_delete(struct launchd *ld, struct machservice *ms);

/* A declared service is checked in: arm port-destroyed, stop watching,
 * mark active.  The caller moves the receive right out. */
kern_return_t machservice_checkin(struct launchd *ld, struct machservice *ms);

/* Its receive right came back (port-destroyed): inactive again; with
 * ResetAtClose the old port is destroyed and a fresh one made. */
void machservice_returned(struct launchd *ld, struct machservice *ms);

/* Demand watching of a held declared port. */
void machservice_watch(struct launchd *ld, struct machservice *ms);
void machservice_unwatch(struct launchd *ld, struct machservice *ms);

/* Messages queued on a port launchd holds (0 if it does not). */
unsigned machservice_msgcount(const struct machservice *ms);

/* A dead-name notification for launchd's name `name`. */
void machservice_dead_name(struct launchd *ld, mach_port_t name);

/* Owner check: does (j, pid) own ms? */
bool machservice_owned_by(const struct machservice *ms, const struct job *j, pid_t pid);

#endif /* LAUNCHD_MACHSERVICE_H */
