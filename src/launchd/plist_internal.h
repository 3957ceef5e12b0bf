/*
 * plist_internal.h -- what the two plist readers (plist_xml.c,
 * plist_binary.c) share with plist.c: building a tree node by node, and
 * naming where in the tree an error is.
 *
 * Building: a container grows one child at a time and takes ownership of
 * it only when the call succeeds; on failure (out of memory) the caller
 * still owns the child.  A dictionary is filled with plist_dict_append in
 * file order and closed with plist_dict_finish, which applies "a later
 * duplicate key replaces the earlier value" in O(n log n).
 */
#ifndef LAUNCHD_PLIST_INTERNAL_H
#define LAUNCHD_PLIST_INTERNAL_H

#include "plist.h"

/*
 * Where a reader is: a chain of stack frames from the value being read up
 * to the root.  `key` names a dictionary value; NULL means array item
 * `index`.  Formatted root first: "KeepAlive.SuccessfulExit",
 * "ProgramArguments[2]".
 */
struct plist_path {
	const struct plist_path *up;
	const char *key;
	size_t index;
};

/* "" for the root (path NULL); truncated to fit `size`. */
void plist_path_format(const struct plist_path *path, char *buf, size_t size);

/* plist_error_set with the key taken from `path`; returns -1. */
int plist_error_at(struct plist_error *err, const char *file, unsigned line,
    const struct plist_path *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A zeroed node of `type` (an empty container); NULL when out of memory. */
struct plist *plist_new(enum plist_type type, unsigned line);

/* A string node holding a copy of bytes[0..len) plus a NUL; NULL when out
 * of memory. */
struct plist *plist_new_string(const char *bytes, size_t len, unsigned line);

/* 0, or -1 when out of memory (then nothing changed). */
int plist_array_append(struct plist *array, struct plist *item);
int plist_dict_append(struct plist *dict, char *key, struct plist *value);

/* Remove duplicate keys: the first occurrence keeps its place and takes
 * the value of the last one.  0, or -1 when out of memory (then the
 * dictionary is unchanged and still valid). */
int plist_dict_finish(struct plist *dict);

#endif /* LAUNCHD_PLIST_INTERNAL_H */
