/*
 * <mach/mach.h> -- everything a Mach client usually needs.
 *
 * Mirrors XNU libsyscall/mach/mach/mach.h: pulls in the types, the port,
 * task, semaphore and VM interfaces, the initial ports, MIG support and
 * error strings, and declares the message helpers of libmach.
 */
#ifndef _MACH_H_
#define _MACH_H_

#define __MACH30__
#define MACH_IPC_FLAVOR UNTYPED

#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/mach_interface.h>
#include <mach/mach_port.h>
#include <mach/mach_init.h>
#include <mach/mig.h>
#include <mach/mig_errors.h>
#include <mach/mach_error.h>
#include <mach/_machxfer_cdefs.h>

__BEGIN_DECLS

/* Release every right and out-of-line region a received message holds. */
extern void mach_msg_destroy(mach_msg_header_t *msg);

extern mach_msg_return_t mach_msg_receive(mach_msg_header_t *msg);
extern mach_msg_return_t mach_msg_send(mach_msg_header_t *msg);

/* Receive a request on rcv_name, dispatch it through demux, send the reply. */
extern mach_msg_return_t mach_msg_server_once(
	boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
	mach_msg_size_t max_size,
	mach_port_t rcv_name,
	mach_msg_options_t options);

/* The same, in a loop that only returns on error. */
extern mach_msg_return_t mach_msg_server(
	boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
	mach_msg_size_t max_size,
	mach_port_t rcv_name,
	mach_msg_options_t options);

__END_DECLS

#endif /* _MACH_H_ */
