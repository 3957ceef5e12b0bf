/*
 * ipc_trace.c -- the message-path trace (see ipc_trace.h).  Lines go to
 * stderr whole, so traces of concurrent calls never interleave mid-line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mach/notify.h>

#include "ipc_trace.h"
#include "ipc_kmsg.h"
#include "ipc_port.h"
#include "mach_codes.h"
#include "task.h"
#include "thread.h"

bool ipc_trace_enabled;

static char trace_line[2048];
static size_t trace_len;
static bool trace_open;

static void
trace_vappend(const char *fmt, va_list ap)
{
	int n;

	if (trace_len >= sizeof(trace_line) - 1)
		return;
	n = vsnprintf(trace_line + trace_len, sizeof(trace_line) - trace_len, fmt, ap);
	if (n > 0)
		trace_len += (size_t)n;
	if (trace_len >= sizeof(trace_line))
		trace_len = sizeof(trace_line) - 1;
}

static void
trace_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace_vappend(fmt, ap);
	va_end(ap);
}

void
ipc_trace_begin(struct thread *thread, const char *call, const char *fmt, ...)
{
	va_list ap;

	if (!ipc_trace_enabled)
		return;
	trace_len = 0;
	trace_open = true;
	trace_append("machd: trace pid %d %s",
	    thread && thread->th_task ? (int)thread->th_task->t_pid : -1, call);
	if (fmt != NULL) {
		trace_append(" ");
		va_start(ap, fmt);
		trace_vappend(fmt, ap);
		va_end(ap);
	}
}

void
ipc_trace_step(const char *fmt, ...)
{
	va_list ap;

	if (!ipc_trace_enabled || !trace_open)
		return;
	trace_append(" > ");
	va_start(ap, fmt);
	trace_vappend(fmt, ap);
	va_end(ap);
}

static const char *
code_name(kern_return_t code)
{
	const char *name = code == 0 ? "MACH_MSG_SUCCESS" : mach_code_name(code);
	static char buf[32];

	if (name != NULL)
		return name;
	snprintf(buf, sizeof(buf), "0x%x", (unsigned)code);
	return buf;
}

void
ipc_trace_end(kern_return_t code)
{
	if (!ipc_trace_enabled || !trace_open)
		return;
	trace_append(" = %s\n", code_name(code));
	fputs(trace_line, stderr);
	trace_open = false;
}

void
ipc_trace_notify(mach_msg_id_t id, ipc_port_t port, uint32_t arg)
{
	static const char *const names[] = {
		[MACH_NOTIFY_PORT_DELETED - MACH_NOTIFY_FIRST] = "port-deleted",
		[MACH_NOTIFY_SEND_POSSIBLE - MACH_NOTIFY_FIRST] = "send-possible",
		[MACH_NOTIFY_PORT_DESTROYED - MACH_NOTIFY_FIRST] = "port-destroyed",
		[MACH_NOTIFY_NO_SENDERS - MACH_NOTIFY_FIRST] = "no-senders",
		[MACH_NOTIFY_SEND_ONCE - MACH_NOTIFY_FIRST] = "send-once",
		[MACH_NOTIFY_DEAD_NAME - MACH_NOTIFY_FIRST] = "dead-name",
	};
	const char *name = NULL;

	if (!ipc_trace_enabled)
		return;
	if (id >= MACH_NOTIFY_FIRST && id <= MACH_NOTIFY_DEAD_NAME)
		name = names[id - MACH_NOTIFY_FIRST];
	if (trace_open) {
		ipc_trace_step("notify %s(%u) to port#%llu", name ? name : "?", arg,
		    (unsigned long long)port->ip_serial);
		return;
	}
	fprintf(stderr, "machd: trace notify %s(%u) id %d to port#%llu\n",
	    name ? name : "?", arg, id, (unsigned long long)port->ip_serial);
}

void
ipc_trace_kobject(struct ipc_kmsg *kmsg, const char *routine, kern_return_t kr)
{
	if (!ipc_trace_enabled)
		return;
	ipc_trace_step("kobject %s(id %d) = %s", routine ? routine : "<no routine>",
	    kmsg->ikm_id, kr == KERN_SUCCESS ? "KERN_SUCCESS" : code_name(kr));
}

const char *
ipc_trace_disposition(mach_msg_type_name_t t)
{
	static const char *const names[] = {
		[MACH_MSG_TYPE_MOVE_RECEIVE] = "MOVE_RECEIVE",
		[MACH_MSG_TYPE_MOVE_SEND] = "MOVE_SEND",
		[MACH_MSG_TYPE_MOVE_SEND_ONCE] = "MOVE_SEND_ONCE",
		[MACH_MSG_TYPE_COPY_SEND] = "COPY_SEND",
		[MACH_MSG_TYPE_MAKE_SEND] = "MAKE_SEND",
		[MACH_MSG_TYPE_MAKE_SEND_ONCE] = "MAKE_SEND_ONCE",
	};

	if (t < sizeof(names) / sizeof(names[0]) && names[t] != NULL)
		return names[t];
	return t == 0 ? "NONE" : "?";
}
