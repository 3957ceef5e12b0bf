/*
 * mach_msg_ool.c -- the library's half of out-of-line memory and port
 * arrays (spec 4.3, 6.6): what XNU's copyin and copyout do with the
 * sender's and the receiver's address spaces, which machd cannot touch.
 *
 * Sending (ool_send_prepare / ool_send_finish): each OOL region with a
 * non-zero size goes to machd as a sealed memfd (machd_proto.h,
 * MXP_OOL_*): a region of our own (vm_region.h) as its memfd, without a
 * copy; anything else copied once into a new memfd, which is the copy
 * XNU's copyin makes.  An unreadable region is marked, and machd reports
 * MACH_SEND_INVALID_MEMORY when its turn comes, so errors keep XNU's
 * order.  After the call, `deallocate` is honoured for exactly the
 * descriptors machd says it took (4.3: even when a later one failed).
 *
 * Receiving (ool_receive_map): each memfd that comes with a message is
 * mapped copy-on-write at an address of the library's choosing (the
 * MACH_MSG_ALLOCATE semantics of 6.6) and its address written into the
 * descriptor.  Memory regions are remembered (vm_region_adopt) so that
 * sending them on is again free of copies.
 *
 * Like libsyscall's mach_msg2 wrapper, this reads the message header (and
 * here the descriptors) in user space before the trap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <mach/mach.h>

#include "libmach_internal.h"
#include "mach_msg_ool.h"
#include "memfd_sealed.h"
#include "vm_region.h"

#define BASE_SIZE   ((uint32_t)(sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t)))
#define PORTS_MAX   16383u      /* IPC_KMSG_MAX_OOL_PORT_COUNT: machd refuses more */

static uint32_t
desc_size(uint8_t type)
{
	return type == MACH_MSG_PORT_DESCRIPTOR ? 12 : 16;
}

static bool
is_ool_memory(uint8_t type)
{
	return type == MACH_MSG_OOL_DESCRIPTOR || type == MACH_MSG_OOL_VOLATILE_DESCRIPTOR;
}

/*
 * The descriptors that have a region, found the way machd will measure
 * them (spec 4.1).  A malformed message stops the walk: machd refuses it
 * before looking at any region.  Returns where the descriptors end.
 */
static uint32_t
walk_regions(struct ool_send **sp, const uint8_t *msg, uint32_t send_size)
{
	struct ool_send *s = NULL;
	uint32_t count, i, pos = BASE_SIZE;
	uint64_t ports = 0;               /* 64 bits: counts are the sender's */

	memcpy(&count, msg + sizeof(mach_msg_header_t), sizeof(count));
	if (count > (send_size - BASE_SIZE) / 12)
		return 0;
	for (i = 0; i < count; i++) {
		const uint8_t *d = msg + pos;
		struct ool_item *it;
		uint32_t size;

		if (pos + 12 > send_size || d[11] > MACH_MSG_GUARDED_PORT_DESCRIPTOR ||
		    pos + desc_size(d[11]) > send_size)
			return 0;
		pos += desc_size(d[11]);
		if (!is_ool_memory(d[11]) && d[11] != MACH_MSG_OOL_PORTS_DESCRIPTOR)
			continue;
		memcpy(&size, d + 12, sizeof(size));
		if (size == 0)
			continue;
		if (d[11] == MACH_MSG_OOL_PORTS_DESCRIPTOR && (ports += size) > PORTS_MAX)
			return 0;               /* MACH_SEND_TOO_LARGE: nothing to prepare */
		/* Allocated at the first region: most complex messages (MIG
		 * replies with a port) have none and cost nothing here. */
		if (s == NULL && (s = *sp = calloc(1, sizeof(*s))) == NULL)
			return 0;               /* machd will find the regions missing */
		if (s->nitems == MXP_OOL_MAX)
			return 0;               /* MACH_SEND_TOO_LARGE too */
		it = &s->items[s->nitems++];
		it->index = i;
		it->offset = (uint32_t)(d - msg);
		it->type = d[11];
		it->dealloc = d[8] != 0;
		it->copy = d[9];
		memcpy(&it->addr, d, sizeof(it->addr));
		it->len = d[11] == MACH_MSG_OOL_PORTS_DESCRIPTOR
		    ? (uint64_t)size * sizeof(mach_port_name_t) : size;
		it->fd = -1;
	}
	return pos;
}

/*
 * Where a copied region starts in its memfd: XNU copies small regions
 * into a kernel buffer (they arrive page-aligned) and large ones by
 * virtual copy (they keep their offset within the page, spec 6.6).
 */
static uint32_t
copy_offset(const struct ool_item *it)
{
	if (!is_ool_memory(it->type) || it->len <= VM_REGION_SMALL)
		return 0;
	return (uint32_t)(it->addr & (mxp_page_size() - 1));
}

/* The memfd for one region, or the marker machd reads instead. */
static uint64_t
region_memfd(struct ool_item *it)
{
	static const uint8_t zeros[MXP_OOL_OFFSET_MAX + 1];
	struct iovec iov[2];
	uint32_t offset = 0;
	int fd;

	if (it->addr + it->len < it->addr)
		return MXP_OOL_UNREADABLE;      /* wraps around: spec 9.1 #4 */
	if (is_ool_memory(it->type)) {
		if (it->copy != MACH_MSG_PHYSICAL_COPY && it->copy != MACH_MSG_VIRTUAL_COPY)
			return MXP_OOL_UNREADABLE;   /* machd says INVALID_TYPE first */
		fd = vm_region_send_fd((uintptr_t)it->addr, it->len, &offset);
		if (fd >= 0) {
			it->fd = fd;
			return offset;          /* MXP_OOL_ATTACHED at that offset */
		}
	}
	offset = copy_offset(it);
	iov[0].iov_base = (void *)(uintptr_t)zeros;
	iov[0].iov_len = offset;
	iov[1].iov_base = (void *)(uintptr_t)it->addr;
	iov[1].iov_len = (size_t)it->len;
	fd = memfd_create_sealed_iov(iov, 2);
	if (fd < 0)
		return errno == EFAULT ? MXP_OOL_UNREADABLE : MXP_OOL_NO_MEMORY;
	if (is_ool_memory(it->type))
		vm_region_count_copy(it->len);
	it->fd = fd;
	it->owned = true;
	return offset;
}

struct ool_send *
ool_send_prepare(const mach_msg_header_t *msg, uint32_t send_size)
{
	const uint8_t *m = (const uint8_t *)msg;
	struct ool_send *s = NULL;
	uint32_t end;
	int i;

	if (send_size < BASE_SIZE || (send_size & 3u) ||
	    !(msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return NULL;
	end = walk_regions(&s, m, send_size);
	if (end == 0 || s == NULL) {
		free(s);
		return NULL;
	}
	s->head = malloc(end);
	if (s->head == NULL) {
		free(s);
		return NULL;
	}
	memcpy(s->head, m, end);
	s->head_len = end;
	for (i = 0; i < s->nitems; i++) {
		struct ool_item *it = &s->items[i];
		uint64_t mark = region_memfd(it);
		memcpy(s->head + it->offset, &mark, sizeof(mark));
		if (it->fd >= 0)
			s->fds[s->nfds++] = it->fd;
	}
	return s;
}

/*
 * How many descriptors machd took (machd_proto.h): all of them when the
 * send half succeeded or the message came back by pseudo-receive, else
 * what the reply says.
 */
/* A MACH_RCV_* code (with or without error bits): the send half is done. */
static bool
is_receive_code(mach_msg_return_t mr)
{
	return ((uint32_t)mr & ~(uint32_t)MACH_MSG_MASK & ~0xffu) ==
	    ((uint32_t)MACH_RCV_IN_PROGRESS & ~0xffu);
}

static uint32_t
descriptors_taken(mach_msg_return_t mr, const struct mxp_rep *rep)
{
	if (mr == MACH_MSG_SUCCESS || is_receive_code(mr) || (rep->flags & MXP_REP_TO_SENDBUF))
		return UINT32_MAX;
	return (uint32_t)rep->v[2];
}

void
ool_send_finish(struct ool_send *s, mach_msg_return_t mr, const struct mxp_rep *rep)
{
	uint32_t taken;
	int i;

	if (s == NULL)
		return;
	taken = descriptors_taken(mr, rep);
	for (i = 0; i < s->nitems; i++) {
		struct ool_item *it = &s->items[i];
		if (it->owned)
			close(it->fd);
		/* vm_deallocate's page rounding is XNU's too (spec 4.3). */
		if (it->dealloc && it->index < taken)
			(void)vm_deallocate(mach_task_self_, (vm_address_t)it->addr,
			    (vm_size_t)it->len);
	}
	free(s->head);
	free(s);
}

/* --- receiving ------------------------------------------------------------ */

/*
 * An OOL ports array that cannot be mapped: its rights are in our space
 * under names only the memfd knows; destroy them (spec 6.6).
 */
static void
ool_ports_unmappable(int fd, uint32_t count, mach_msg_type_name_t disp)
{
	mach_port_name_t names[256];
	uint32_t done = 0, i;

	while (done < count) {
		uint32_t n = count - done < 256 ? count - done : 256;
		ssize_t got = pread(fd, names, n * sizeof(names[0]),
		    (off_t)done * (off_t)sizeof(names[0]));
		if (got != (ssize_t)(n * sizeof(names[0])))
			return;
		for (i = 0; i < n; i++)
			libmach_destroy_right(names[i], disp);
		done += n;
	}
}

/* Map one region whose bytes start `offset` into its memfd; the address
 * of the bytes, or NULL if it cannot be mapped (the caller reports
 * VM_SPACE).  A memory region keeps its memfd (vm_region_adopt takes *fdp). */
static void *
map_region(int *fdp, uint64_t len, uint32_t offset, bool keep)
{
	size_t page = mxp_page_size();
	uint64_t total = len + offset;
	size_t maplen = (size_t)((total + page - 1) & ~(uint64_t)(page - 1));
	char *p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE, *fdp, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (keep && len > VM_REGION_SMALL) {
		vm_region_adopt((uintptr_t)p, maplen, total, offset, *fdp);
		*fdp = -1;
	}
	return p + offset;
}

mach_msg_return_t
ool_receive_map(mach_msg_header_t *m, uint32_t len)
{
	mach_msg_return_t bits = 0;
	uint8_t *p = (uint8_t *)m, *d, *end = p + len;
	uint32_t count, i;
	int next = 0;

	if (!(m->msgh_bits & MACH_MSGH_BITS_COMPLEX) || len < BASE_SIZE)
		return 0;
	memcpy(&count, p + sizeof(*m), sizeof(count));
	d = p + BASE_SIZE;
	for (i = 0; i < count && d + 16 <= end; d += desc_size(d[11]), i++) {
		mach_msg_ool_descriptor_t od;
		bool ports = d[11] == MACH_MSG_OOL_PORTS_DESCRIPTOR;
		uint64_t bytes;
		void *addr = NULL;

		if (!ports && !is_ool_memory(d[11]))
			continue;
		memcpy(&od, d, sizeof(od));
		bytes = ports ? (uint64_t)od.size * sizeof(mach_port_name_t) : od.size;
		if (bytes > 0 && next < libmach_rcv_nfds) {
			int *fdp = &libmach_rcv_fds[next++];
			/* machd_proto.h: the address field holds the offset. */
			uint64_t off = (uintptr_t)od.address;
			addr = off <= MXP_OOL_OFFSET_MAX
			    ? map_region(fdp, bytes, (uint32_t)off, !ports) : NULL;
			if (addr == NULL && ports)
				ool_ports_unmappable(*fdp, od.size, d[10]);
		}
		if (bytes > 0 && addr == NULL) {
			od.size = 0;            /* size, or count for ports */
			bits |= MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE;
		}
		od.address = addr;
		memcpy(d, &od, sizeof(od));
	}
	libmach_rcv_fds_close();
	return bits;
}
