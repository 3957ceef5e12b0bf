/*
 * vm_region.c -- memfd-backed memory and the table of who maps what; see
 * vm_region.h for the two states a region goes through.
 *
 * The table is a glibc tsearch tree (a red-black tree) ordered by address
 * range: regions never overlap, so "compares equal" means "overlaps",
 * and a lookup of one address finds the region containing it in
 * O(log n).  One mutex guards it; fork freezes every SHARED region first,
 * so that parent and child each keep a copy-on-write view, as a Mach task
 * inherits its memory by copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <search.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libmach_internal.h"
#include "memfd_sealed.h"
#include "vm_region.h"
#include "libmach_private.h"

/* VR_PLAIN: freezing failed half-way; the mapping is private memory and
 * the memfd is of no more use (the region is sent by copy). */
enum vm_region_state { VR_SHARED, VR_FROZEN, VR_PLAIN };

struct vm_region {
	uintptr_t start;
	size_t    maplen;      /* mapped bytes (whole pages) */
	uint64_t  size;        /* bytes in the memfd (maplen for SHARED) */
	uint32_t  offset;      /* where the data starts in it (received regions) */
	int       fd;
	enum vm_region_state state;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static void *table;                     /* tsearch root */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t bytes_copied, zero_copy_sends;

static int
region_cmp(const void *a, const void *b)
{
	const struct vm_region *x = a, *y = b;

	if (x->start + x->maplen <= y->start)
		return -1;
	if (y->start + y->maplen <= x->start)
		return 1;
	return 0;                       /* overlap */
}

/* Insert `r`; false (and nothing inserted) if it cannot be. */
static bool
region_insert(struct vm_region *r)
{
	void **node = tsearch(r, &table, region_cmp);

	return node != NULL && *node == r;
}

static struct vm_region *
region_find(uintptr_t start, size_t len)
{
	struct vm_region key = { .start = start, .maplen = len ? len : 1 };
	void *node = tfind(&key, &table, region_cmp);

	return node != NULL ? *(struct vm_region **)node : NULL;
}

static void
region_remove(struct vm_region *r)
{
	(void)tdelete(r, &table, region_cmp);
	close(r->fd);
	free(r);
}

/* Seal the memfd and map it privately over the shared mapping, in one
 * step for the task (MAP_FIXED replaces the mapping atomically). */
static int
region_freeze(struct vm_region *r)
{
	void *p = mmap((void *)r->start, r->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_FIXED, r->fd, 0);

	if (p == MAP_FAILED)
		return -1;              /* still SHARED, untouched */
	if (fcntl(r->fd, F_ADD_SEALS, MEMFD_SEALS_REQUIRED) < 0) {
		r->state = VR_PLAIN;
		return -1;
	}
	r->state = VR_FROZEN;
	return 0;
}

/* --- fork --------------------------------------------------------------- */

static void
freeze_action(const void *node, VISIT which, int depth)
{
	struct vm_region *r = *(struct vm_region *const *)node;

	(void)depth;
	if ((which == postorder || which == leaf) && r->state == VR_SHARED)
		(void)region_freeze(r);
}

static void
atfork_prepare(void)
{
	pthread_mutex_lock(&table_lock);
	twalk(table, freeze_action);
}

static void
atfork_release(void)
{
	pthread_mutex_unlock(&table_lock);
}

static void
atfork_register(void)
{
	(void)pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

/* --- allocation --------------------------------------------------------- */

static void *
map_anonymous(uintptr_t start, size_t len, int fixed)
{
	return mmap((void *)start, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
}

/*
 * Record [start, start + maplen), mapped from `fd` (which the table now
 * owns), replacing any stale record of that range.  Without memory for
 * the record, the mapping stays valid, only untracked (sent by copy).
 */
static void
region_track(uintptr_t start, size_t maplen, uint64_t size, uint32_t offset, int fd,
    enum vm_region_state state)
{
	struct vm_region *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		close(fd);
		return;
	}
	(void)pthread_once(&atfork_once, atfork_register);
	r->start = start;
	r->maplen = maplen;
	r->size = size;
	r->offset = offset;
	r->fd = fd;
	r->state = state;
	pthread_mutex_lock(&table_lock);
	for (struct vm_region *old; (old = region_find(start, maplen)) != NULL; )
		region_remove(old);
	if (!region_insert(r)) {
		close(fd);
		free(r);
	}
	pthread_mutex_unlock(&table_lock);
}

void *
vm_region_map(uintptr_t start, size_t len, int fixed)
{
	void *p;
	int fd;

	if (fixed == MAP_FIXED)
		vm_region_forget(start, len);   /* whatever was there is replaced */
	if (len <= VM_REGION_SMALL)
		return map_anonymous(start, len, fixed);
	fd = memfd_create("vm_allocate", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
		/* No memfd to be had: plain memory, sent by copy later. */
		if (fd >= 0)
			close(fd);
		return map_anonymous(start, len, fixed);
	}
	p = mmap((void *)start, len, PROT_READ | PROT_WRITE, MAP_SHARED | fixed, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;
		close(fd);
		errno = err;
		return MAP_FAILED;
	}
	region_track((uintptr_t)p, len, len, 0, fd, VR_SHARED);
	return p;
}

void
vm_region_forget(uintptr_t start, size_t len)
{
	struct vm_region *r;

	if (len == 0)
		return;
	pthread_mutex_lock(&table_lock);
	while ((r = region_find(start, len)) != NULL)
		region_remove(r);
	pthread_mutex_unlock(&table_lock);
}

void
vm_region_adopt(uintptr_t addr, size_t maplen, uint64_t size, uint32_t offset, int fd)
{
	region_track(addr, maplen, size, offset, fd, VR_FROZEN);
}

/* --- sending ------------------------------------------------------------ */

#define PM_PRESENT  (1ull << 63)
#define PM_SWAP     (1ull << 62)
#define PM_FILE     (1ull << 61)

/*
 * True if no page of a FROZEN region was written since it was frozen:
 * every page is either not mapped yet or still the memfd's own page
 * (pagemap's "file page" bit); a written page is an anonymous copy.
 */
static bool
region_clean(const struct vm_region *r)
{
	uint64_t entries[512];
	size_t page = mxp_page_size(), pages = r->maplen / page, done = 0;
	bool clean = true;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while (clean && done < pages) {
		size_t n = pages - done < 512 ? pages - done : 512, i;
		off_t off = (off_t)((r->start / page + done) * sizeof(uint64_t));
		ssize_t got = pread(fd, entries, n * sizeof(uint64_t), off);
		if (got != (ssize_t)(n * sizeof(uint64_t))) {
			clean = false;
			break;
		}
		for (i = 0; i < n; i++)
			if ((entries[i] & (PM_PRESENT | PM_SWAP)) && !(entries[i] & PM_FILE))
				clean = false;
		done += n;
	}
	close(fd);
	return clean;
}

/*
 * A SHARED region sent without its tail (a file of 3,000,000 bytes in a
 * 3,002,368-byte allocation): if the rest of the last page is zeros, the
 * memfd can end where the data ends, and the region go without a copy
 * all the same.  Whole pages past the size, or bytes in the tail, and the
 * region is not trimmed (the caller copies).
 */
static void
region_trim(struct vm_region *r, uint64_t size)
{
	size_t page = mxp_page_size();
	const uint8_t *tail = (const uint8_t *)r->start + size;
	uint64_t n = r->size - size, i;

	if (r->state != VR_SHARED || ((size + page - 1) & ~(uint64_t)(page - 1)) != r->maplen)
		return;
	for (i = 0; i < n; i++)
		if (tail[i] != 0)
			return;
	if (ftruncate(r->fd, (off_t)size) == 0)
		r->size = size;
}

int
vm_region_send_fd(uintptr_t addr, uint64_t size, uint32_t *offsetp)
{
	struct vm_region *r;
	int fd = -1;

	if (size <= VM_REGION_SMALL)
		return -1;
	pthread_mutex_lock(&table_lock);
	r = region_find(addr, 1);
	if (r != NULL && r->start == addr && r->offset == 0 && size < r->size)
		region_trim(r, size);
	if (r != NULL && r->start + r->offset == addr && r->size - r->offset == size) {
		*offsetp = r->offset;
		if (r->state == VR_SHARED)
			fd = region_freeze(r) == 0 ? r->fd : -1;
		else if (region_clean(r))
			fd = r->fd;
	}
	pthread_mutex_unlock(&table_lock);
	if (fd >= 0)
		atomic_fetch_add(&zero_copy_sends, 1);
	return fd;
}

void
vm_region_count_copy(uint64_t bytes)
{
	atomic_fetch_add(&bytes_copied, bytes);
}

void
vm_region_counters(uint64_t *copied, uint64_t *zero_copy)
{
	*copied = atomic_load(&bytes_copied);
	*zero_copy = atomic_load(&zero_copy_sends);
}

void
libmach_ool_counters(uint64_t *copied, uint64_t *zero_copy)
{
	vm_region_counters(copied, zero_copy);
}
