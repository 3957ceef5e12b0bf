/*
 * machservice.c -- service records and the rights behind them
 * (invariants in machservice.h; rules: launchd.md 4.4-4.9, 4.11).
 */
#include <stdlib.h>
#include <string.h>

#include <mach/mach.h>
#include <mach/notify.h>

#include "job.h"
#include "log.h"
#include "machservice.h"
#include "runloop.h"

struct machservice *
machservice_lookup(struct launchd *ld, const char *name)
{
	struct machservice *ms;

	for (ms = ld->services; ms != NULL; ms = ms->next)
		if (strncmp(ms->name, name, BOOTSTRAP_MAX_NAME_LEN - 1) == 0)
			return ms;
	return NULL;
}

struct machservice *
machservice_find_port(struct launchd *ld, mach_port_t port)
{
	struct machservice *ms;

	for (ms = ld->services; ms != NULL; ms = ms->next)
		if (ms->port == port)
			return ms;
	return NULL;
}

bool
machservice_owned_by(const struct machservice *ms, const struct job *j, pid_t pid)
{
	if (ms->job != NULL)
		return ms->job == j;
	return j == NULL && ms->owner_pid == pid;
}

static struct machservice *
ms_alloc(struct launchd *ld, struct job *j, pid_t pid, const char *name, enum ms_kind kind)
{
	struct machservice *ms = calloc(1, sizeof(*ms));

	if (ms == NULL)
		return NULL;
	strncpy(ms->name, name, sizeof(ms->name) - 1);
	ms->kind = kind;
	ms->job = j;
	ms->owner_pid = j == NULL ? pid : 0;
	ms->next = ld->services;
	ld->services = ms;
	return ms;
}

static void
ms_unlink(struct launchd *ld, struct machservice *ms)
{
	struct machservice **pp;

	for (pp = &ld->services; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == ms) {
			*pp = ms->next;
			return;
		}
	}
}

/* A fresh port: receive right and one send right under one name. */
static kern_return_t
port_new(mach_port_t *out)
{
	mach_port_t p = MACH_PORT_NULL;
	kern_return_t kr;

	kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND);
	if (kr != KERN_SUCCESS) {
		(void)mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
		return kr;
	}
	*out = p;
	return KERN_SUCCESS;
}

struct machservice *
machservice_declare(struct launchd *ld, struct job *j, const char *name, bool hide, bool reset)
{
	struct machservice *ms = machservice_lookup(ld, name);
	mach_port_t p;
	kern_return_t kr;

	if (ms != NULL) {
		job_log(j, "Conflict with job: %s over Mach service: %s",
		    ms->job != NULL ? ms->job->spec->label : "(anonymous)", name);
		return NULL;
	}
	kr = port_new(&p);
	if (kr != KERN_SUCCESS) {
		job_log(j, "cannot make the port of Mach service %s: %s", name, mach_error_string(kr));
		return NULL;
	}
	ms = ms_alloc(ld, j, 0, name, MS_DECLARED);
	if (ms == NULL) {
		(void)mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
		(void)mach_port_deallocate(mach_task_self(), p);
		return NULL;
	}
	ms->port = p;
	ms->hide = hide;
	ms->reset = reset;
	return ms;
}

kern_return_t
machservice_new_dynamic(struct launchd *ld, struct job *j, pid_t pid, const char *name,
    struct machservice **out)
{
	struct machservice *ms;
	mach_port_t p;

	if (port_new(&p) != KERN_SUCCESS)
		return BOOTSTRAP_NO_MEMORY;
	ms = ms_alloc(ld, j, pid, name, MS_DYNAMIC);
	if (ms == NULL) {
		(void)mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
		(void)mach_port_deallocate(mach_task_self(), p);
		return BOOTSTRAP_NO_MEMORY;
	}
	ms->port = p;
	ms->active = true;
	*out = ms;
	return BOOTSTRAP_SUCCESS;
}

/* Another registered or dynamic record already watches this name. */
static bool
dead_name_requested(struct launchd *ld, const struct machservice *self)
{
	const struct machservice *ms;

	for (ms = ld->services; ms != NULL; ms = ms->next)
		if (ms != self && ms->port == self->port && ms->kind != MS_DECLARED)
			return true;
	return false;
}

/* Ask for a dead-name notification on ms->port; false if already dead. */
static bool
request_dead_name(struct launchd *ld, struct machservice *ms)
{
	mach_port_t prev = MACH_PORT_NULL;
	kern_return_t kr;

	if (dead_name_requested(ld, ms))
		return true;
	kr = mach_port_request_notification(mach_task_self(), ms->port, MACH_NOTIFY_DEAD_NAME,
	    0, ld->notify_port, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	if (MACH_PORT_VALID(prev))
		(void)mach_port_deallocate(mach_task_self(), prev);
	return kr == KERN_SUCCESS;
}

kern_return_t
machservice_new_registered(struct launchd *ld, struct job *j, pid_t pid, const char *name,
    mach_port_t port)
{
	struct machservice *ms = ms_alloc(ld, j, pid, name, MS_REGISTERED);

	if (ms == NULL) {
		(void)mach_port_deallocate(mach_task_self(), port);
		return BOOTSTRAP_NO_MEMORY;
	}
	ms->port = port;
	ms->active = true;
	if (!request_dead_name(ld, ms))
		machservice_delete(ld, ms);     /* the port died already */
	return BOOTSTRAP_SUCCESS;
}

void
machservice_dynamic_handed_out(struct launchd *ld, struct machservice *ms)
{
	if (!request_dead_name(ld, ms))
		machservice_delete(ld, ms);
}

void
machservice_watch(struct launchd *ld, struct machservice *ms)
{
	if (ms->kind != MS_DECLARED || ms->active || ms->watched)
		return;
	runloop_watch_port(ld, ms->port);
	ms->watched = true;
}

void
machservice_unwatch(struct launchd *ld, struct machservice *ms)
{
	if (!ms->watched)
		return;
	runloop_unwatch_port(ld, ms->port);
	ms->watched = false;
}

/* Destroy a held receive right and drop launchd's send right. */
static void
port_destroy_held(mach_port_t port)
{
	(void)mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)mach_port_deallocate(mach_task_self(), port);
}

void
machservice_delete(struct launchd *ld, struct machservice *ms)
{
	machservice_unwatch(ld, ms);
	ms_unlink(ld, ms);
	if (ms->kind == MS_DECLARED && !ms->active) {
		port_destroy_held(ms->port);
	} else {
		/* A checked-out declared right comes back to the notify port
		 * and is destroyed there (its service is gone). */
		(void)mach_port_deallocate(mach_task_self(), ms->port);
	}
	free(ms);
}

kern_return_t
machservice_checkin(struct launchd *ld, struct machservice *ms)
{
	mach_port_t prev = MACH_PORT_NULL;
	kern_return_t kr;

	kr = mach_port_request_notification(mach_task_self(), ms->port,
	    MACH_NOTIFY_PORT_DESTROYED, 0, ld->notify_port, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	/* KERN_FAILURE: still armed from a hand-out whose reply failed. */
	if (kr != KERN_SUCCESS && kr != KERN_FAILURE)
		return BOOTSTRAP_NO_MEMORY;
	machservice_unwatch(ld, ms);
	ms->active = true;
	return BOOTSTRAP_SUCCESS;
}

void
machservice_returned(struct launchd *ld, struct machservice *ms)
{
	mach_port_t fresh;

	ms->active = false;
	if (ms->reset) {
		/* ResetAtClose: clients see the old port die; look-ups from
		 * now on get the new one. */
		if (port_new(&fresh) == KERN_SUCCESS) {
			port_destroy_held(ms->port);
			ms->port = fresh;
			ms->gen++;
		} else if (ms->job != NULL) {
			job_log(ms->job, "cannot reset Mach service %s: keeping its port", ms->name);
		}
	}
	if (ms->job != NULL)
		job_service_returned(ms->job);
}

unsigned
machservice_msgcount(const struct machservice *ms)
{
	mach_port_status_t st;
	mach_msg_type_number_t count = MACH_PORT_RECEIVE_STATUS_COUNT;

	if (ms->kind != MS_DECLARED || ms->active)
		return 0;
	if (mach_port_get_attributes(mach_task_self(), ms->port, MACH_PORT_RECEIVE_STATUS,
	    (mach_port_info_t)&st, &count) != KERN_SUCCESS)
		return 0;
	return st.mps_msgcount;
}

void
machservice_dead_name(struct launchd *ld, mach_port_t name)
{
	struct machservice *ms, *next;

	for (ms = ld->services; ms != NULL; ms = next) {
		next = ms->next;
		if (ms->port == name && ms->kind != MS_DECLARED)
			machservice_delete(ld, ms);
	}
	/* The notification itself carries one more uref of the dead name. */
	(void)mach_port_deallocate(mach_task_self(), name);
}
