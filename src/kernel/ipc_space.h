/*
 * ipc_space.h -- name spaces and their entries.
 *
 * A space maps 32-bit names to rights.  A name is (index << 8) | gen: the
 * index selects a slot of is_table, the low byte is the slot's generation,
 * whose two low bits are always 1, so names read ...03, ...07, ...0b
 * (spec 5.2).  The generation advances by 4 each time a slot is reused and
 * rolls over after is_gen_period uses (16, 32, 48 or 64, chosen at random
 * per space).  Slot 0 is never a name.  Fresh slots are handed out in a
 * random order.
 *
 * An entry's ie_bits hold, as in XNU's ipc_entry.h:
 *   0xff000000 generation, 0x001f0000 MACH_PORT_TYPE_* >> 0 (the right
 *   types), 0x0000ffff urefs.
 * Invariants:
 *  - A free slot has type bits 0 and ie_object NULL and is on the free
 *    list (ie_next / ie_prev are slot indices; 0 ends the list).
 *  - For each port, at most one entry holds SEND and/or RECEIVE for it,
 *    found through is_hash (spec 5.2 coalescing); send-once entries are
 *    never in the hash.
 *  - urefs: RECEIVE-only 0, SEND 1..65535, SEND_ONCE 1, PORT_SET 0,
 *    DEAD_NAME 1..65535 (spec 5.3).
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_SPACE_H
#define MACHD_IPC_SPACE_H

#include "ipc_object.h"

#define IE_BITS_UREFS_MASK  0x0000ffffu
#define IE_BITS_TYPE_MASK   0x001f0000u
#define IE_BITS_GEN_MASK    0xff000000u
#define IE_BITS_GEN_ONE     0x04000000u
#define IE_BITS_GEN_INIT    0x03000000u

#define ie_bits_type(b)     ((b) & IE_BITS_TYPE_MASK)
#define ie_bits_urefs(b)    ((b) & IE_BITS_UREFS_MASK)
#define ie_bits_gen(b)      ((b) & IE_BITS_GEN_MASK)

struct ipc_entry {
	ipc_object_t ie_object;
	uint32_t     ie_bits;
	union {                      /* 24 bytes an entry (docs/performance.md) */
		uint32_t ie_request; /* in use: dead-name request slot in the port, 0: none */
		uint32_t ie_prev;    /* free: the free list, backwards */
	};
	uint32_t     ie_gen_uses;    /* how many times the slot was handed out */
	uint32_t     ie_next;        /* free: the free list */
};
_Static_assert(sizeof(struct ipc_entry) == 24, "ipc_entry: 24 bytes");

/* A reverse-hash slot: the table index of an entry holding a send right
 * (0: empty; slot 0 of is_table is never a name).  The object is the
 * entry's, so an entry leaves the hash before its object changes. */
struct ipc_hash_slot {
	uint32_t     ihs_index;
};

struct ipc_space {
	struct ipc_entry     *is_table;
	uint32_t              is_table_size;    /* slots, including slot 0 */
	uint32_t              is_table_max;
	uint32_t              is_free_head;
	uint32_t              is_inuse;         /* names in use */
	bool                  is_active;
	uint32_t              is_gen_period;
	uint64_t              is_rng;
	struct ipc_hash_slot *is_hash;          /* port -> index, open addressing */
	uint32_t              is_hash_size;     /* power of two */
	uint32_t              is_hash_count;
	struct task          *is_task;
};

/* Default and hard limit of names per space (macOS: 7 MiB of 24-byte
 * entries, spec 5.2). machd --max-names changes it for new spaces. */
#define IPC_SPACE_NAMES_DEFAULT  305834u
extern uint32_t ipc_space_names_max;

kern_return_t ipc_space_create(struct task *task, struct ipc_space **spacep);
/* Destroy every right in the space (task death), then the space. */
void ipc_space_terminate(struct ipc_space *space);

static inline mach_port_name_t
ipc_entry_name_make(uint32_t index, uint32_t bits)
{
	return (index << 8) | (ie_bits_gen(bits) >> 24);
}
#define MACH_PORT_INDEX_K(name) ((name) >> 8)

/* The entry named `name`, or NULL (free slot, wrong generation, index 0,
 * beyond the table). */
ipc_entry_t ipc_entry_lookup(struct ipc_space *space, mach_port_name_t name);
/* A fresh name; KERN_NO_SPACE when the table is at its limit. */
kern_return_t ipc_entry_alloc(struct ipc_space *space, mach_port_name_t *namep,
    ipc_entry_t *entryp);
/* A caller-chosen name (spec 5.2 rules).  Returns KERN_SUCCESS with
 * *entryp free-and-claimed or in use (check the type bits), or
 * KERN_INVALID_VALUE, KERN_FAILURE, KERN_NO_SPACE. */
kern_return_t ipc_entry_alloc_name(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t *entryp);
/* Return a name whose type bits are already 0 to the free list. */
void ipc_entry_dealloc(struct ipc_space *space, mach_port_name_t name,
    ipc_entry_t entry);
static inline mach_port_name_t
ipc_entry_name(struct ipc_space *space, ipc_entry_t entry)
{
	return ipc_entry_name_make((uint32_t)(entry - space->is_table), entry->ie_bits);
}

/* Reverse lookup: the entry holding SEND/RECEIVE for `object`, or NULL. */
ipc_entry_t ipc_hash_lookup(struct ipc_space *space, ipc_object_t object);
kern_return_t ipc_hash_insert(struct ipc_space *space, ipc_object_t object,
    ipc_entry_t entry);
void ipc_hash_delete(struct ipc_space *space, ipc_object_t object);

#endif /* MACHD_IPC_SPACE_H */
