/*
 * ipc_space.c -- name spaces: the entry table, name generation, the
 * reverse (port -> name) hash, and space teardown.  Invariants are in
 * ipc_space.h.
 *
 * Note for callers: ipc_entry_alloc and ipc_entry_alloc_name may grow (and
 * so move) the table; entry pointers taken before them must be looked up
 * again afterwards.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ipc_space.h"
#include "ipc_right.h"
#include "kalloc.h"

#define IPC_ENTRY_TABLE_MIN 32u

uint32_t ipc_space_names_max = IPC_SPACE_NAMES_DEFAULT;

static uint64_t
space_rng_next(struct ipc_space *space)
{
	/* splitmix64: a few cycles, good enough to scatter slot order. */
	uint64_t z = (space->is_rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
free_list_push(struct ipc_space *space, uint32_t index)
{
	struct ipc_entry *e = &space->is_table[index];
	uint32_t head = space->is_free_head;

	e->ie_prev = 0;
	e->ie_next = head;
	if (head != 0)
		space->is_table[head].ie_prev = index;
	space->is_free_head = index;
}

static void
free_list_remove(struct ipc_space *space, uint32_t index)
{
	struct ipc_entry *e = &space->is_table[index];

	if (e->ie_prev != 0)
		space->is_table[e->ie_prev].ie_next = e->ie_next;
	else
		space->is_free_head = e->ie_next;
	if (e->ie_next != 0)
		space->is_table[e->ie_next].ie_prev = e->ie_prev;
	e->ie_next = e->ie_prev = 0;
}

/* Grow the table to at least `want` slots (bounded by the limit); the new
 * slots join the free list in a random order. */
static kern_return_t
ipc_space_grow(struct ipc_space *space, uint32_t want)
{
	uint32_t old = space->is_table_size, size, i, n;
	uint32_t limit = space->is_table_max + 1;   /* + slot 0 */
	struct ipc_entry *t;
	uint32_t *order;

	if (old >= limit)
		return KERN_NO_SPACE;
	size = old ? old : IPC_ENTRY_TABLE_MIN;
	while (size < want || size == old)
		size = size > limit / 2 ? limit : size * 2;
	if (size > limit)
		size = limit;
	t = krealloc(KA_TABLE, space->is_table, (size_t)size * sizeof(*t));
	if (t == NULL)
		return KERN_RESOURCE_SHORTAGE;
	memset(&t[old], 0, (size_t)(size - old) * sizeof(*t));
	space->is_table = t;
	space->is_table_size = size;

	n = size - (old ? old : 1);
	order = malloc((size_t)n * sizeof(*order));
	if (order == NULL) {
		/* Fall back to ascending order: correct, just predictable. */
		for (i = size - 1; i >= (old ? old : 1); i--) {
			t[i].ie_bits = IE_BITS_GEN_INIT;
			free_list_push(space, i);
		}
		return KERN_SUCCESS;
	}
	for (i = 0; i < n; i++)
		order[i] = (old ? old : 1) + i;
	for (i = n; i > 1; i--) {
		uint32_t j = (uint32_t)(space_rng_next(space) % i);
		uint32_t tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		t[order[i]].ie_bits = IE_BITS_GEN_INIT;
		free_list_push(space, order[i]);
	}
	free(order);
	return KERN_SUCCESS;
}

kern_return_t
ipc_space_create(struct task *task, struct ipc_space **spacep)
{
	struct ipc_space *space;
	uint64_t seed = 0;

	space = kalloc(KA_SPACE, sizeof(*space));
	if (space == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)(uintptr_t)space ^ 0x5eed5eed5eedull;
	space->is_rng = seed;
	space->is_gen_period = 16u * (uint32_t)(1 + space_rng_next(space) % 4);
	space->is_table_max = ipc_space_names_max;
	space->is_active = true;
	space->is_task = task;
	*spacep = space;
	return KERN_SUCCESS;
}

ipc_entry_t
ipc_entry_lookup(struct ipc_space *space, mach_port_name_t name)
{
	uint32_t index = MACH_PORT_INDEX_K(name);
	ipc_entry_t entry;

	if (index == 0 || index >= space->is_table_size)
		return IE_NULL;
	entry = &space->is_table[index];
	if (ie_bits_type(entry->ie_bits) == 0)
		return IE_NULL;
	if ((ie_bits_gen(entry->ie_bits) >> 24) != (name & 0xffu))
		return IE_NULL;
	return entry;
}

/* Advance a slot's generation for its next use (spec 5.2). */
static void
entry_next_gen(struct ipc_space *space, ipc_entry_t entry)
{
	entry->ie_gen_uses++;
	if (entry->ie_gen_uses % space->is_gen_period == 0)
		entry->ie_bits = IE_BITS_GEN_INIT;
	else
		entry->ie_bits = (entry->ie_bits + IE_BITS_GEN_ONE) & IE_BITS_GEN_MASK;
}

kern_return_t
ipc_entry_alloc(struct ipc_space *space, mach_port_name_t *namep, ipc_entry_t *entryp)
{
	uint32_t index;
	ipc_entry_t entry;
	kern_return_t kr;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if (space->is_free_head == 0) {
		kr = ipc_space_grow(space, space->is_table_size + 1);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	index = space->is_free_head;
	free_list_remove(space, index);
	entry = &space->is_table[index];
	entry->ie_object = IO_NULL;
	entry->ie_request = 0;
	space->is_inuse++;
	*namep = ipc_entry_name_make(index, entry->ie_bits);
	*entryp = entry;
	return KERN_SUCCESS;
}

kern_return_t
ipc_entry_alloc_name(struct ipc_space *space, mach_port_name_t name, ipc_entry_t *entryp)
{
	uint32_t index = MACH_PORT_INDEX_K(name);
	ipc_entry_t entry;
	kern_return_t kr;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if ((name & 3u) != 3u)
		return KERN_INVALID_VALUE;
	if (index == 0)
		return KERN_FAILURE;
	if (index > space->is_table_max)
		return KERN_NO_SPACE;
	if (index >= space->is_table_size) {
		kr = ipc_space_grow(space, index + 1);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	entry = &space->is_table[index];
	if (ie_bits_type(entry->ie_bits) != 0) {
		if ((ie_bits_gen(entry->ie_bits) >> 24) != (name & 0xffu))
			return KERN_FAILURE;   /* names cannot be renamed */
		*entryp = entry;
		return KERN_SUCCESS;
	}
	free_list_remove(space, index);
	entry->ie_bits = (name & 0xffu) << 24;
	entry->ie_object = IO_NULL;
	entry->ie_request = 0;
	space->is_inuse++;
	*entryp = entry;
	return KERN_SUCCESS;
}

void
ipc_entry_dealloc(struct ipc_space *space, mach_port_name_t name, ipc_entry_t entry)
{
	uint32_t index = MACH_PORT_INDEX_K(name);

	(void)name;
	entry->ie_object = IO_NULL;
	entry->ie_request = 0;
	entry_next_gen(space, entry);
	free_list_push(space, index);
	space->is_inuse--;
}

/* --- reverse hash: object -> entry index ------------------------------- */

static uint32_t
hash_of(const void *object, uint32_t size)
{
	uint64_t h = (uint64_t)(uintptr_t)object;
	h = (h >> 4) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32) & (size - 1);
}

/* The object a slot stands for (IO_NULL: empty slot). */
static ipc_object_t
slot_object(const struct ipc_space *space, uint32_t h)
{
	uint32_t index = space->is_hash[h].ihs_index;

	return index != 0 ? space->is_table[index].ie_object : IO_NULL;
}

static kern_return_t
ipc_hash_resize(struct ipc_space *space, uint32_t size)
{
	struct ipc_hash_slot *old = space->is_hash, *t;
	uint32_t oldsize = space->is_hash_size, i;

	t = kalloc(KA_TABLE, (size_t)size * sizeof(*t));
	if (t == NULL)
		return KERN_RESOURCE_SHORTAGE;
	for (i = 0; i < oldsize; i++) {
		uint32_t h;
		if (old[i].ihs_index == 0)
			continue;
		h = hash_of(space->is_table[old[i].ihs_index].ie_object, size);
		while (t[h].ihs_index != 0)
			h = (h + 1) & (size - 1);
		t[h] = old[i];
	}
	space->is_hash = t;
	space->is_hash_size = size;
	kfree(KA_TABLE, old);
	return KERN_SUCCESS;
}

ipc_entry_t
ipc_hash_lookup(struct ipc_space *space, ipc_object_t object)
{
	uint32_t h, mask = space->is_hash_size - 1;
	ipc_object_t o;

	if (space->is_hash_count == 0)
		return IE_NULL;
	for (h = hash_of(object, space->is_hash_size); (o = slot_object(space, h)) != IO_NULL;
	    h = (h + 1) & mask) {
		if (o == object)
			return &space->is_table[space->is_hash[h].ihs_index];
	}
	return IE_NULL;
}

kern_return_t
ipc_hash_insert(struct ipc_space *space, ipc_object_t object, ipc_entry_t entry)
{
	uint32_t h, mask;
	kern_return_t kr;

	if ((space->is_hash_count + 1) * 4 > space->is_hash_size * 3) {
		kr = ipc_hash_resize(space, space->is_hash_size ? space->is_hash_size * 2 : 64);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	mask = space->is_hash_size - 1;
	for (h = hash_of(object, space->is_hash_size); space->is_hash[h].ihs_index != 0;
	    h = (h + 1) & mask)
		;
	space->is_hash[h].ihs_index = (uint32_t)(entry - space->is_table);
	space->is_hash_count++;
	return KERN_SUCCESS;
}

void
ipc_hash_delete(struct ipc_space *space, ipc_object_t object)
{
	uint32_t h, j, k, mask = space->is_hash_size - 1;
	ipc_object_t o;

	if (space->is_hash_count == 0)
		return;
	for (h = hash_of(object, space->is_hash_size); (o = slot_object(space, h)) != object;
	    h = (h + 1) & mask) {
		if (o == IO_NULL)
			return;
	}
	/* Backward-shift deletion keeps probe chains unbroken. */
	j = h;
	for (;;) {
		space->is_hash[j].ihs_index = 0;
		for (;;) {
			j = (j + 1) & mask;
			if ((o = slot_object(space, j)) == IO_NULL)
				goto done;
			k = hash_of(o, space->is_hash_size);
			/* stay if k is cyclically in (h, j] */
			if (h <= j ? (h < k && k <= j) : (h < k || k <= j))
				continue;
			break;
		}
		space->is_hash[h] = space->is_hash[j];
		h = j;
	}
done:
	space->is_hash_count--;
}

void
ipc_space_terminate(struct ipc_space *space)
{
	uint32_t index;

	if (!space->is_active)
		return;
	space->is_active = false;
	/* Rights are destroyed in index order; every step may queue
	 * notifications to other spaces but never touches this table's
	 * layout (the space is inactive: no new names). */
	for (index = 1; index < space->is_table_size; index++) {
		ipc_entry_t entry = &space->is_table[index];
		if (ie_bits_type(entry->ie_bits) == 0)
			continue;
		ipc_right_terminate(space, ipc_entry_name_make(index, entry->ie_bits), entry);
	}
	kfree(KA_TABLE, space->is_table);
	kfree(KA_TABLE, space->is_hash);
	kfree(KA_SPACE, space);
}
