/*
 * ipc_trace.h -- `machd --trace`: one line per message showing the path it
 * took through the kernel, with XNU's step names, and its result.
 *
 *   trace pid 4242 mach_msg(SEND|RCV) id 3204 size 36
 *     > copyin_header dest 0x103 COPY_SEND->port#7 reply 0x207 MAKE_SEND_ONCE
 *     > copyin_body 0 desc > kobject mach_port_allocate = KERN_SUCCESS
 *     > receive port#9 > copyout id 3304 seqno 0 = MACH_MSG_SUCCESS
 *
 * Every call is cheap when tracing is off (one branch).
 */
#ifndef MACHD_IPC_TRACE_H
#define MACHD_IPC_TRACE_H

#include "ipc_types.h"

struct thread;
struct ipc_kmsg;

extern bool ipc_trace_enabled;

void ipc_trace_begin(struct thread *thread, const char *call, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ipc_trace_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ipc_trace_end(kern_return_t code);
void ipc_trace_notify(mach_msg_id_t id, ipc_port_t port, uint32_t arg);
void ipc_trace_kobject(struct ipc_kmsg *kmsg, const char *routine, kern_return_t kr);
const char *ipc_trace_disposition(mach_msg_type_name_t t);

#endif /* MACHD_IPC_TRACE_H */
