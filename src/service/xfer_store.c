/*
 * xfer_store.c -- xferd's keys and values, in memory and in the state
 * directory; see xfer_store.h for the rules.
 *
 * The table is a sorted array of entries (binary search; inserts shift):
 * xferd holds few keys, and listing them sorted is then free.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xfer/xfer.h>

#include "xfer_store.h"

struct entry {
	char              *key;
	struct xfer_value *value;
};

struct charge {
	uint64_t client;
	uint64_t bytes;
};

/*
 * Two locks.  store_lock guards the table and the charges and is never
 * held across I/O, so fetches, lists and stats never wait for a disk.
 * disk_lock serializes the changes that touch the state directory (put,
 * remove) with their table update, so that the directory and the table
 * agree on the order of changes to a key.  Order: disk_lock, then store_lock.
 */
static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t disk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries;
static size_t nentries, centries;
static struct charge *charges;
static size_t ncharges, ccharges;
static char *state_dir;
static int state_dirfd = -1;
static uint64_t client_limit;

static uint64_t
client_key(struct xfer_client_id c)
{
	return (uint64_t)c.pid << 32 | c.pidversion;
}

/* --- values ----------------------------------------------------------------- */

static struct xfer_value *
value_new(void *bytes, uint64_t size, bool region, uint64_t owner)
{
	struct xfer_value *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->refs = 1;
	v->bytes = bytes;
	v->size = size;
	v->region = region;
	v->owner = owner;
	return v;
}

static void
value_free(struct xfer_value *v)
{
	if (v->region)
		(void)vm_deallocate(mach_task_self(), (vm_address_t)v->bytes, (vm_size_t)v->size);
	else
		free(v->bytes);
	free(v);
}

void
xfer_value_release(struct xfer_value *v)
{
	bool last;

	pthread_mutex_lock(&store_lock);
	last = --v->refs == 0;
	pthread_mutex_unlock(&store_lock);
	if (last)
		value_free(v);
}

/* --- charges (lock held) --------------------------------------------------------- */

static struct charge *
charge_find(uint64_t client, bool create)
{
	size_t i;

	for (i = 0; i < ncharges; i++)
		if (charges[i].client == client)
			return &charges[i];
	if (!create)
		return NULL;
	if (ncharges == ccharges) {
		size_t n = ccharges ? 2 * ccharges : 16;
		struct charge *c = realloc(charges, n * sizeof(*c));
		if (c == NULL)
			return NULL;
		charges = c;
		ccharges = n;
	}
	charges[ncharges].client = client;
	charges[ncharges].bytes = 0;
	return &charges[ncharges++];
}

static void
charge_drop(uint64_t client, uint64_t bytes)
{
	struct charge *c = charge_find(client, false);

	if (c != NULL)
		c->bytes -= bytes < c->bytes ? bytes : c->bytes;
}

/* --- the table (lock held) -------------------------------------------------------- */

/* Index of `key`, or where it would go (*found false). */
static size_t
entry_search(const char *key, bool *found)
{
	size_t lo = 0, hi = nentries;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(entries[mid].key, key);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int
entry_insert(size_t at, const char *key, struct xfer_value *v)
{
	char *k;

	if (nentries == centries) {
		size_t n = centries ? 2 * centries : 32;
		struct entry *e = realloc(entries, n * sizeof(*e));
		if (e == NULL)
			return -1;
		entries = e;
		centries = n;
	}
	if ((k = strdup(key)) == NULL)
		return -1;
	memmove(&entries[at + 1], &entries[at], (nentries - at) * sizeof(*entries));
	entries[at].key = k;
	entries[at].value = v;
	nentries++;
	return 0;
}

/* Unlink entry `at`; returns its value (the table's reference). */
static struct xfer_value *
entry_delete(size_t at)
{
	struct xfer_value *v = entries[at].value;

	free(entries[at].key);
	memmove(&entries[at], &entries[at + 1], (nentries - at - 1) * sizeof(*entries));
	nentries--;
	return v;
}

/* Drop one reference under the lock; frees outside it. */
static void
value_unref_locked(struct xfer_value *v, struct xfer_value **to_free)
{
	*to_free = --v->refs == 0 ? v : NULL;
}

/* --- the state directory ---------------------------------------------------------- */

static void
key_to_file(const char *key, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (; *key != '\0'; key++) {
		*out++ = hex[(unsigned char)*key >> 4];
		*out++ = hex[(unsigned char)*key & 15];
	}
	*out = '\0';
}

static int
file_to_key(const char *name, char *key)
{
	size_t len = strlen(name), i;

	if (len == 0 || len % 2 != 0 || len / 2 >= XFER_KEY_MAX)
		return -1;
	for (i = 0; i < len; i += 2) {
		unsigned v;
		if (sscanf(name + i, "%2x", &v) != 1 || v == 0)
			return -1;
		key[i / 2] = (char)v;
	}
	key[len / 2] = '\0';
	return 0;
}

static int
write_all(int fd, const void *p, uint64_t len)
{
	const char *b = p;

	while (len > 0) {
		ssize_t n = write(fd, b, len > (1u << 30) ? (1u << 30) : (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* Durable before it returns 0: data, rename, directory. */
static int
state_write(const char *key, const void *bytes, uint64_t size)
{
	char name[2 * XFER_KEY_MAX + 8], tmp[sizeof(name) + 8];
	int fd;

	if (state_dirfd < 0)
		return 0;
	key_to_file(key, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(state_dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, bytes, size) < 0 || fsync(fd) < 0) {
		close(fd);
		(void)unlinkat(state_dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(state_dirfd, tmp, state_dirfd, name) < 0 || fsync(state_dirfd) < 0)
		return -1;
	return 0;
}

static int
state_remove(const char *key)
{
	char name[2 * XFER_KEY_MAX + 8];

	if (state_dirfd < 0)
		return 0;
	key_to_file(key, name);
	if (unlinkat(state_dirfd, name, 0) < 0 && errno != ENOENT)
		return -1;
	return fsync(state_dirfd);
}

/* Read one stored file into memory xferd can send without copying. */
static struct xfer_value *
state_load_file(int fd, uint64_t size)
{
	void *bytes = NULL;
	bool region = size > XFER_INLINE_MAX;
	uint64_t done = 0;
	struct xfer_value *v;

	if (region) {
		vm_address_t a = 0;
		if (vm_allocate(mach_task_self(), &a, (vm_size_t)size, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
			return NULL;
		bytes = (void *)a;
	} else if ((bytes = malloc(size ? size : 1)) == NULL) {
		return NULL;
	}
	while (done < size) {
		ssize_t n = read(fd, (char *)bytes + done, size - done > (1u << 30) ? (1u << 30)
		    : (size_t)(size - done));
		if (n <= 0)
			break;
		done += (uint64_t)n;
	}
	if (done != size || (v = value_new(bytes, size, region, 0)) == NULL) {
		if (region)
			(void)vm_deallocate(mach_task_self(), (vm_address_t)bytes, (vm_size_t)size);
		else
			free(bytes);
		return NULL;
	}
	return v;
}

static int
state_load(void)
{
	DIR *d = fdopendir(dup(state_dirfd));
	struct dirent *de;
	int loaded = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char key[XFER_KEY_MAX];
		struct xfer_value *v;
		struct stat st;
		size_t at;
		bool found;
		int fd;

		if (strlen(de->d_name) > 4 &&
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".tmp") == 0) {
			/* A store that died before its rename: never acknowledged. */
			(void)unlinkat(state_dirfd, de->d_name, 0);
			continue;
		}
		if (de->d_name[0] == '.' || file_to_key(de->d_name, key) < 0)
			continue;             /* strangers are not values */
		fd = openat(state_dirfd, de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? state_load_file(fd, (uint64_t)st.st_size)
		    : NULL;
		close(fd);
		if (v == NULL) {
			fprintf(stderr, "xferd: cannot load %s from the state directory\n", de->d_name);
			continue;
		}
		at = entry_search(key, &found);
		if (found || entry_insert(at, key, v) < 0) {
			value_free(v);
			continue;
		}
		loaded++;
	}
	closedir(d);
	return loaded;
}

/* --- the interface ---------------------------------------------------------------- */

/* mkdir -p, each new directory 0700. */
static int
mkdirs(const char *dir)
{
	char path[4096];
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return errno = ENAMETOOLONG, -1;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

int
xfer_store_open(const char *dir, uint64_t limit)
{
	client_limit = limit;
	if (dir == NULL)
		return 0;
	if (mkdirs(dir) < 0)
		return -1;
	state_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (state_dirfd < 0 || (state_dir = strdup(dir)) == NULL)
		return -1;
	return state_load() < 0 ? -1 : 0;
}

void
xfer_store_close(void)
{
	while (nentries > 0) {
		struct xfer_value *v = entry_delete(nentries - 1), *f;
		value_unref_locked(v, &f);
		if (f != NULL)
			value_free(f);
	}
	free(entries);
	free(charges);
	entries = NULL;
	charges = NULL;
	centries = ccharges = ncharges = 0;
	if (state_dirfd >= 0)
		close(state_dirfd);
	state_dirfd = -1;
	free(state_dir);
	state_dir = NULL;
}

/* Bytes `owner` would have charged if `key` took `size` bytes from them:
 * a client replacing its own value is credited the old one (lock held). */
static uint64_t
charge_after(const struct charge *c, const char *key, uint64_t owner, uint64_t size)
{
	bool found;
	size_t at = entry_search(key, &found);
	uint64_t old = found && entries[at].value->owner == owner ? entries[at].value->size : 0;

	return c->bytes - old + size;
}

kern_return_t
xfer_store_put(const char *key, void *bytes, uint64_t size, bool region,
    struct xfer_client_id client)
{
	uint64_t owner = client_key(client);
	struct xfer_value *v, *old = NULL, *to_free = NULL;
	struct charge *c;
	void *own = bytes;
	kern_return_t kr = KERN_SUCCESS;
	size_t at;
	bool found;

	if (!region) {
		if ((own = malloc(size ? size : 1)) == NULL)
			return KERN_RESOURCE_SHORTAGE;
		memcpy(own, bytes, size);
	}
	if ((v = value_new(own, size, region, owner)) == NULL) {
		if (!region)
			free(own);
		return KERN_RESOURCE_SHORTAGE;
	}
	pthread_mutex_lock(&disk_lock);
	pthread_mutex_lock(&store_lock);
	c = charge_find(owner, true);
	if (c == NULL)
		kr = KERN_RESOURCE_SHORTAGE;
	else if (charge_after(c, key, owner, size) > client_limit)
		kr = XFER_E_QUOTA;
	pthread_mutex_unlock(&store_lock);
	if (kr != KERN_SUCCESS)
		goto fail;
	/* Durable first (without the table locked): a crash after this
	 * leaves the new bytes on disk, which is what the client is told. */
	if (state_write(key, own, size) < 0) {
		kr = XFER_E_IO;
		goto fail;
	}
	pthread_mutex_lock(&store_lock);
	at = entry_search(key, &found);
	if (found) {
		old = entries[at].value;
		entries[at].value = v;
		charge_drop(old->owner, old->size);
		value_unref_locked(old, &to_free);
	} else if (entry_insert(at, key, v) < 0) {
		pthread_mutex_unlock(&store_lock);
		kr = KERN_RESOURCE_SHORTAGE;
		goto fail;
	}
	c = charge_find(owner, true);
	if (c != NULL)
		c->bytes += size;
	pthread_mutex_unlock(&store_lock);
	pthread_mutex_unlock(&disk_lock);
	if (to_free != NULL)
		value_free(to_free);
	return KERN_SUCCESS;
fail:
	pthread_mutex_unlock(&disk_lock);
	v->region = false;
	v->bytes = region ? NULL : own;       /* a region stays the caller's */
	value_free(v);
	return kr;
}

struct xfer_value *
xfer_store_get(const char *key)
{
	struct xfer_value *v = NULL;
	size_t at;
	bool found;

	pthread_mutex_lock(&store_lock);
	at = entry_search(key, &found);
	if (found) {
		v = entries[at].value;
		v->refs++;
	}
	pthread_mutex_unlock(&store_lock);
	return v;
}

kern_return_t
xfer_store_remove(const char *key, uint64_t *sizep)
{
	struct xfer_value *v, *to_free = NULL;
	kern_return_t kr = KERN_SUCCESS;
	size_t at;
	bool found;

	pthread_mutex_lock(&disk_lock);
	pthread_mutex_lock(&store_lock);
	(void)entry_search(key, &found);
	pthread_mutex_unlock(&store_lock);
	if (!found) {
		kr = XFER_E_NO_KEY;
	} else if (state_remove(key) < 0) {
		kr = XFER_E_IO;
	} else {
		pthread_mutex_lock(&store_lock);
		at = entry_search(key, &found);   /* still there: disk_lock is held */
		v = entry_delete(at);
		*sizep = v->size;
		charge_drop(v->owner, v->size);
		value_unref_locked(v, &to_free);
		pthread_mutex_unlock(&store_lock);
	}
	pthread_mutex_unlock(&disk_lock);
	if (to_free != NULL)
		value_free(to_free);
	return kr;
}

char *
xfer_store_list(size_t *lenp)
{
	size_t cap = 1, len = 0, i;
	char *out;

	pthread_mutex_lock(&store_lock);
	for (i = 0; i < nentries; i++)
		cap += strlen(entries[i].key) + 24;
	out = malloc(cap);
	if (out != NULL) {
		for (i = 0; i < nentries; i++)
			len += (size_t)snprintf(out + len, cap - len, "%s\t%llu\n", entries[i].key,
			    (unsigned long long)entries[i].value->size);
		out[len] = '\0';
	}
	pthread_mutex_unlock(&store_lock);
	*lenp = len;
	return out;
}

size_t
xfer_store_count(void)
{
	size_t n;

	pthread_mutex_lock(&store_lock);
	n = nentries;
	pthread_mutex_unlock(&store_lock);
	return n;
}

uint64_t
xfer_store_charged(struct xfer_client_id client)
{
	struct charge *c;
	uint64_t bytes;

	pthread_mutex_lock(&store_lock);
	c = charge_find(client_key(client), false);
	bytes = c != NULL ? c->bytes : 0;
	pthread_mutex_unlock(&store_lock);
	return bytes;
}
