/*
 * ipc_object.h -- the common head of ports and port sets.
 *
 * Invariants:
 *  - io_references counts every pointer that keeps the object's memory:
 *    name-space entries, rights carried in messages or held by the kernel,
 *    in-transit links and port-set links.  The object is freed when it
 *    drops to zero, never before, so a dead port stays readable while any
 *    entry still names it (dead names are converted lazily, spec 5.4).
 *  - IO_BITS_ACTIVE is cleared exactly once, when a port dies or a set is
 *    destroyed; it is never set again.
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_OBJECT_H
#define MACHD_IPC_OBJECT_H

#include "ipc_types.h"

#define IOT_PORT        0u
#define IOT_PORT_SET    1u
#define IO_BITS_OTYPE   0x0000ffffu
#define IO_BITS_ACTIVE  0x80000000u

struct ipc_object {
	uint32_t io_bits;
	uint32_t io_references;
};

#define io_otype(io)    ((io)->io_bits & IO_BITS_OTYPE)
#define io_active(io)   (((io)->io_bits & IO_BITS_ACTIVE) != 0)

void ipc_object_reference(ipc_object_t object);
void ipc_object_release(ipc_object_t object);

#endif /* MACHD_IPC_OBJECT_H */
