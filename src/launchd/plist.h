/*
 * plist.h -- property lists: a small value tree read from XML (libxml2)
 * or binary ("bplist00") bytes, as CoreFoundation reads them
 * (../shared/spec/launchd.md section 2).
 *
 * A tree is owned by its root: plist_free(root) frees every node.  Nodes
 * are never shared.  Dictionaries keep their keys in file order (a later
 * duplicate key replaces the earlier value, as CF does).  Every node
 * remembers the line of the file it came from (XML; 0 for binary plists)
 * so that errors about a value can name where it is.
 *
 * Errors: every reader returns 0 on success or -1 with *err filled: the
 * file name given, the line where the parser knows it (0 if not), the key
 * being read if any, and what was expected, for example
 *   "agent.plist:12: key ThrottleInterval: expected an integer, found <string>".
 * Nothing is half-returned: on error *out is NULL.
 */
#ifndef LAUNCHD_PLIST_H
#define LAUNCHD_PLIST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits: deeper nesting of containers (arrays, dictionaries, <plist>
 * wrappers) is an error, not a stack overflow; plist_read_file refuses
 * larger files. */
#define PLIST_MAX_DEPTH         128
#define PLIST_MAX_FILE_SIZE     (16u << 20)

enum plist_type {
	PLIST_DICT,
	PLIST_ARRAY,
	PLIST_STRING,
	PLIST_INTEGER,
	PLIST_REAL,
	PLIST_BOOL,
	PLIST_DATA,
	PLIST_DATE,
};

struct plist;

struct plist_dict_entry {
	char         *key;      /* NUL-terminated UTF-8 */
	struct plist *value;
};

struct plist {
	enum plist_type type;
	unsigned        line;            /* 1-based source line; 0 unknown */
	union {
		struct { struct plist_dict_entry *entries; size_t count; } dict;
		struct { struct plist **items; size_t count; } array;
		struct { char *str; size_t len; } string;   /* NUL-terminated too */
		/* CF integers span INT64_MIN..UINT64_MAX: `is_unsigned` marks a
		 * value above INT64_MAX, held in `u`. */
		struct { int64_t i; uint64_t u; bool is_unsigned; } integer;
		double real;
		bool   boolean;
		struct { uint8_t *bytes; size_t len; } data;
		double date;            /* seconds since 2001-01-01T00:00:00Z */
	} v;
};

struct plist_error {
	char     file[256];
	unsigned line;                  /* 0: not known */
	char     key[128];              /* "" when no key is involved */
	char     message[512];          /* complete, human readable, one line */
};

/* XML or binary, chosen by the first bytes ("bplist00" or not). */
int plist_parse(const void *bytes, size_t len, const char *file, struct plist **out,
    struct plist_error *err);
int plist_parse_xml(const void *bytes, size_t len, const char *file, struct plist **out,
    struct plist_error *err);
int plist_parse_binary(const void *bytes, size_t len, const char *file, struct plist **out,
    struct plist_error *err);
/* Read a whole file (at most 16 MiB) and parse it. */
int plist_read_file(const char *path, struct plist **out, struct plist_error *err);

void plist_free(struct plist *p);

/* Dictionary lookup by exact key; NULL if `dict` is not a dictionary or
 * has no such key. */
const struct plist *plist_dict_get(const struct plist *dict, const char *key);

/* "dictionary", "array", "string", "integer", "real", "boolean", "data", "date" */
const char *plist_type_name(enum plist_type type);

/* Fill *err (printf-style message); returns -1 for `return plist_error_set(...)`. */
int plist_error_set(struct plist_error *err, const char *file, unsigned line,
    const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The message line alone, as plist_error_set builds it:
 * "FILE[:LINE]: [key KEY: ]TEXT" (no LINE when 0, no key when NULL or ""),
 * truncated to fit `size`.  For warnings that share the error format. */
void plist_vformat(char *buf, size_t size, const char *file, unsigned line,
    const char *key, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif /* LAUNCHD_PLIST_H */
