/*
 * plist.c -- the property-list tree (plist.h): building, freeing, lookup,
 * error messages, and the entry points that pick a reader (XML or binary)
 * or read a file first.
 *
 * The readers live in plist_xml.c and plist_binary.c; what they share
 * with this file is in plist_internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plist.h"
#include "plist_internal.h"

/* --- the tree ------------------------------------------------------------- */

struct plist *
plist_new(enum plist_type type, unsigned line)
{
	struct plist *p = calloc(1, sizeof(*p));

	if (p != NULL) {
		p->type = type;
		p->line = line;
	}
	return p;
}

struct plist *
plist_new_string(const char *bytes, size_t len, unsigned line)
{
	struct plist *p;
	char *copy;

	if (len == SIZE_MAX || (copy = malloc(len + 1)) == NULL)
		return NULL;
	if (len > 0)
		memcpy(copy, bytes, len);
	copy[len] = '\0';
	if ((p = plist_new(PLIST_STRING, line)) == NULL) {
		free(copy);
		return NULL;
	}
	p->v.string.str = copy;
	p->v.string.len = len;
	return p;
}

/*
 * Containers grow by doubling without storing a capacity: the capacity
 * is 4 while count <= 4, then the next power of two >= count.  Returns
 * true when slot `count` is not allocated yet.
 */
static bool
needs_growth(size_t count)
{
	return count == 0 || (count >= 4 && (count & (count - 1)) == 0);
}

/* Make room for element `count` in *arrayp (elements of `size` bytes). */
static int
grow(void **arrayp, size_t count, size_t size)
{
	size_t cap = count == 0 ? 4 : count * 2;
	void *bigger;

	if (!needs_growth(count))
		return 0;
	if (count > SIZE_MAX / 2 || cap > SIZE_MAX / size)
		return -1;
	if ((bigger = realloc(*arrayp, cap * size)) == NULL)
		return -1;
	*arrayp = bigger;
	return 0;
}

int
plist_array_append(struct plist *array, struct plist *item)
{
	void *items = array->v.array.items;

	if (grow(&items, array->v.array.count, sizeof(struct plist *)) < 0)
		return -1;
	array->v.array.items = items;
	array->v.array.items[array->v.array.count++] = item;
	return 0;
}

int
plist_dict_append(struct plist *dict, char *key, struct plist *value)
{
	void *entries = dict->v.dict.entries;
	struct plist_dict_entry *e;

	if (grow(&entries, dict->v.dict.count, sizeof(struct plist_dict_entry)) < 0)
		return -1;
	dict->v.dict.entries = entries;
	e = &dict->v.dict.entries[dict->v.dict.count++];
	e->key = key;
	e->value = value;
	return 0;
}

struct key_slot {
	const char *key;
	size_t      index;
};

static int
key_slot_cmp(const void *a, const void *b)
{
	const struct key_slot *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/* Sort the keys (ties in file order); in each run of equal keys the first
 * entry takes the last value and the others are dropped. */
int
plist_dict_finish(struct plist *dict)
{
	struct plist_dict_entry *entries = dict->v.dict.entries;
	size_t count = dict->v.dict.count, i, j, out;
	struct key_slot *slots;
	bool *drop;

	if (count < 2)
		return 0;
	slots = calloc(count, sizeof(*slots));
	drop = calloc(count, sizeof(*drop));
	if (slots == NULL || drop == NULL)
		goto fail_nomem;
	for (i = 0; i < count; i++) {
		slots[i].key = entries[i].key;
		slots[i].index = i;
	}
	qsort(slots, count, sizeof(*slots), key_slot_cmp);
	for (i = 0; i < count; i = j) {
		struct plist_dict_entry *first = &entries[slots[i].index];
		for (j = i + 1; j < count && strcmp(slots[j].key, slots[i].key) == 0; j++) {
			struct plist_dict_entry *later = &entries[slots[j].index];
			struct plist *old = first->value;
			first->value = later->value;
			later->value = old;
			drop[slots[j].index] = true;
		}
	}
	for (i = out = 0; i < count; i++) {
		if (drop[i]) {
			free(entries[i].key);
			plist_free(entries[i].value);
		} else {
			entries[out++] = entries[i];
		}
	}
	dict->v.dict.count = out;
	free(slots);
	free(drop);
	return 0;
fail_nomem:
	free(slots);
	free(drop);
	return -1;
}

void
plist_free(struct plist *p)
{
	size_t i;

	if (p == NULL)
		return;
	switch (p->type) {
	case PLIST_DICT:
		for (i = 0; i < p->v.dict.count; i++) {
			free(p->v.dict.entries[i].key);
			plist_free(p->v.dict.entries[i].value);
		}
		free(p->v.dict.entries);
		break;
	case PLIST_ARRAY:
		for (i = 0; i < p->v.array.count; i++)
			plist_free(p->v.array.items[i]);
		free(p->v.array.items);
		break;
	case PLIST_STRING:
		free(p->v.string.str);
		break;
	case PLIST_DATA:
		free(p->v.data.bytes);
		break;
	case PLIST_INTEGER:
	case PLIST_REAL:
	case PLIST_BOOL:
	case PLIST_DATE:
		break;
	}
	free(p);
}

const struct plist *
plist_dict_get(const struct plist *dict, const char *key)
{
	size_t i;

	if (dict == NULL || dict->type != PLIST_DICT)
		return NULL;
	for (i = 0; i < dict->v.dict.count; i++)
		if (strcmp(dict->v.dict.entries[i].key, key) == 0)
			return dict->v.dict.entries[i].value;
	return NULL;
}

const char *
plist_type_name(enum plist_type type)
{
	static const char *const names[] = {
		[PLIST_DICT] = "dictionary", [PLIST_ARRAY] = "array",
		[PLIST_STRING] = "string",   [PLIST_INTEGER] = "integer",
		[PLIST_REAL] = "real",       [PLIST_BOOL] = "boolean",
		[PLIST_DATA] = "data",       [PLIST_DATE] = "date",
	};

	if ((unsigned)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}

/* --- messages ------------------------------------------------------------- */

void
plist_vformat(char *buf, size_t size, const char *file, unsigned line,
    const char *key, const char *fmt, va_list ap)
{
	size_t n = 0;
	int r;

	if (size == 0)
		return;
	if (file == NULL)
		file = "plist";
	if (line != 0)
		r = snprintf(buf, size, "%s:%u: ", file, line);
	else
		r = snprintf(buf, size, "%s: ", file);
	if (r > 0)
		n = (size_t)r < size ? (size_t)r : size - 1;
	if (key != NULL && key[0] != '\0' && n < size - 1) {
		r = snprintf(buf + n, size - n, "key %s: ", key);
		if (r > 0)
			n += (size_t)r < size - n ? (size_t)r : size - n - 1;
	}
	if (n < size - 1)
		vsnprintf(buf + n, size - n, fmt, ap);
	/* Keys and values quoted in messages may hold anything: keep the
	 * message one printable line. */
	for (n = 0; buf[n] != '\0'; n++)
		if ((unsigned char)buf[n] < 0x20 || buf[n] == 0x7f)
			buf[n] = '?';
}

static void
copy_truncated(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

static int
error_vset(struct plist_error *err, const char *file, unsigned line,
    const char *key, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	copy_truncated(err->file, sizeof(err->file), file != NULL ? file : "plist");
	err->line = line;
	copy_truncated(err->key, sizeof(err->key), key);
	plist_vformat(err->message, sizeof(err->message), file, line, key, fmt, ap);
	return -1;
}

int
plist_error_set(struct plist_error *err, const char *file, unsigned line,
    const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, file, line, key, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append the path from the root down to `path` at buf[*n]: whole
 * components only, then "..." when the rest does not fit. */
static void
path_append(const struct plist_path *path, char *buf, size_t size, size_t *n)
{
	char index[32];
	const char *dot, *part;
	size_t len;

	if (path == NULL)
		return;
	path_append(path->up, buf, size, n);
	if (*n >= size - 1)
		return;                 /* full: "..." is already there */
	if (path->key != NULL) {
		dot = *n > 0 ? "." : "";
		part = path->key;
	} else {
		dot = "";
		snprintf(index, sizeof(index), "[%zu]", path->index);
		part = index;
	}
	len = strlen(dot) + strlen(part);
	if (len < size - 4 - *n) {
		snprintf(buf + *n, size - *n, "%s%s", dot, part);
		*n += len;
		return;
	}
	snprintf(buf + *n, size - *n, "...");
	*n = size - 1;
}

void
plist_path_format(const struct plist_path *path, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	path_append(path, buf, size, &n);
}

int
plist_error_at(struct plist_error *err, const char *file, unsigned line,
    const struct plist_path *path, const char *fmt, ...)
{
	char key[sizeof(err->key)];
	va_list ap;

	plist_path_format(path, key, sizeof(key));
	va_start(ap, fmt);
	error_vset(err, file, line, key, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- entry points --------------------------------------------------------- */

int
plist_parse(const void *bytes, size_t len, const char *file, struct plist **out,
    struct plist_error *err)
{
	*out = NULL;
	if (bytes == NULL || len == 0)
		return plist_error_set(err, file, 0, NULL,
		    "Cannot parse a NULL or zero-length data");
	if (len >= 6 && memcmp(bytes, "bplist", 6) == 0)
		return plist_parse_binary(bytes, len, file, out, err);
	return plist_parse_xml(bytes, len, file, out, err);
}

/* The whole of a regular file of at most PLIST_MAX_FILE_SIZE bytes. */
static int
slurp(const char *path, void **bytesp, size_t *lenp, struct plist_error *err)
{
	/* O_NONBLOCK: opening a FIFO must not hang; fstat rejects it next. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	size_t size, done = 0;

	if (fd < 0)
		return plist_error_set(err, path, 0, NULL, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		plist_error_set(err, path, 0, NULL, "cannot stat: %s", strerror(errno));
		goto fail_close;
	}
	if (!S_ISREG(st.st_mode)) {
		plist_error_set(err, path, 0, NULL, "not a regular file");
		goto fail_close;
	}
	if (st.st_size > (off_t)PLIST_MAX_FILE_SIZE) {
		plist_error_set(err, path, 0, NULL, "file is larger than %u bytes",
		    PLIST_MAX_FILE_SIZE);
		goto fail_close;
	}
	size = (size_t)st.st_size;
	if ((buf = malloc(size > 0 ? size : 1)) == NULL) {
		plist_error_set(err, path, 0, NULL, "out of memory");
		goto fail_close;
	}
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			plist_error_set(err, path, 0, NULL, "cannot read: %s", strerror(errno));
			goto fail_free;
		}
		if (n == 0)
			break;          /* shrank under us: parse what is there */
		done += (size_t)n;
	}
	close(fd);
	*bytesp = buf;
	*lenp = done;
	return 0;
fail_free:
	free(buf);
fail_close:
	close(fd);
	return -1;
}

int
plist_read_file(const char *path, struct plist **out, struct plist_error *err)
{
	void *bytes = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if (slurp(path, &bytes, &len, err) < 0)
		return -1;
	r = plist_parse(bytes, len, path, out, err);
	free(bytes);
	return r;
}
