/*
 * xfer_store.h -- xferd's keys and their bytes.
 *
 * A value is either a small heap buffer (data that came inline) or the
 * very out-of-line region a client sent: xferd keeps the region mach_msg
 * mapped for it and sends it back as a virtual copy, so a value is never
 * copied on the server side (libmach sends an untouched received region
 * as its memfd again; see src/libmach/vm_region.h).
 *
 * With a state directory, a store is durable before it is acknowledged:
 * the bytes go to <dir>/<hex key>.tmp, are fsync'ed and renamed over
 * <dir>/<hex key>, and the directory is fsync'ed; xfer_store_open loads
 * them back after a crash.
 *
 * Each value is charged to the client that stored it (its audit token's
 * pid and pid version); a client over its limit gets XFER_E_QUOTA.
 *
 * Thread safety: one mutex guards the table and the charges; the bytes of
 * a value are immutable once stored, and a value being sent is held by a
 * reference so that a concurrent remove cannot free it under the send.
 */
#ifndef XFERD_XFER_STORE_H
#define XFERD_XFER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mach/mach.h>

struct xfer_value {
	uint32_t  refs;
	void     *bytes;
	uint64_t  size;
	bool      region;        /* vm_deallocate when the last ref goes, not free */
	uint64_t  owner;         /* the client charged for it; 0 = loaded from disk */
};

struct xfer_client_id {
	uint32_t pid;
	uint32_t pidversion;
};

/* Open the store; `state_dir` may be NULL (memory only).  Loads what the
 * directory holds.  `client_limit`: bytes one client may store. */
int xfer_store_open(const char *state_dir, uint64_t client_limit);
void xfer_store_close(void);

/*
 * Store `bytes` (`size` of them) under `key`, replacing any old value.
 * `region`: the bytes are an out-of-line region the store now owns
 * (vm_deallocate'd when replaced or removed); else they are copied.
 * KERN_SUCCESS once durable; XFER_E_QUOTA, XFER_E_IO, KERN_RESOURCE_SHORTAGE.
 * On failure a region stays the caller's.
 */
kern_return_t xfer_store_put(const char *key, void *bytes, uint64_t size, bool region,
    struct xfer_client_id client);

/* The value of `key` with a reference (xfer_value_release), or NULL. */
struct xfer_value *xfer_store_get(const char *key);
void xfer_value_release(struct xfer_value *v);

/* Remove `key`; its size in *sizep.  XFER_E_NO_KEY if absent. */
kern_return_t xfer_store_remove(const char *key, uint64_t *sizep);

/* "key\tsize\n" for every key, sorted, in a malloc'd buffer (*lenp bytes). */
char *xfer_store_list(size_t *lenp);

/* Keys, and bytes charged to `client`. */
size_t xfer_store_count(void);
uint64_t xfer_store_charged(struct xfer_client_id client);

#endif /* XFERD_XFER_STORE_H */
