/*
 * plist_binary.c -- binary property lists ("bplist00"), read as
 * CoreFoundation reads them (CF-1153.18 CFBinaryPList.c; spec
 * launchd.md 2.2), but never trusting a byte.
 *
 *   header "bplist0?" | objects | offset table | trailer (32 bytes)
 *
 * The trailer is checked first (the CF checks: sizes, counts, and that
 * the file length is exactly offset table + trailer), then every entry
 * of the offset table.  Objects are then read from the top one down; an
 * object's bytes must end before the offset table, every count is
 * checked against the bytes left before any arithmetic or allocation, and
 * a container met again on its own path is a reference cycle.
 *
 * Writers share equal strings and numbers between references, and a
 * malicious file can share containers too, so that a few bytes reference
 * a huge tree.  The tree here has no sharing: each reference is copied.
 * A valid file without shared containers yields at most one node per
 * byte, so the copy is bounded by that (and by a byte budget for string
 * and data payloads): a file that expands beyond it is refused.
 *
 * Errors are "FILE: binary plist: ..." with the key path where known;
 * binary plists have no lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plist.h"
#include "plist_internal.h"

#define TRAILER_SIZE    32
#define MAX_PAYLOAD     (64u << 20)     /* string and data bytes, in total */

struct bp_reader {
	const uint8_t      *buf;
	size_t              len;
	const char         *file;
	struct plist_error *err;
	unsigned            offset_size;    /* bytes per offset table entry */
	unsigned            ref_size;       /* bytes per object reference */
	uint64_t            nobjects;
	uint64_t            top;
	uint64_t            table;          /* offset of the offset table */
	uint8_t            *on_path;        /* containers being read, by index */
	size_t              nodes_left;
	size_t              payload_left;
};

/* An object's marker and where its payload starts. */
struct bp_object {
	uint64_t index;
	uint64_t offset;
	uint8_t  marker;
	uint64_t pos;           /* first byte after the marker */
};

static int bp_object(struct bp_reader *, uint64_t, const struct plist_path *,
    unsigned, struct plist **);
static int marker_type(uint8_t);

static int
bp_error(struct bp_reader *r, const struct plist_path *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bp_error(struct bp_reader *r, const struct plist_path *path, const char *fmt, ...)
{
	char text[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return plist_error_at(r->err, r->file, 0, path, "binary plist: %s", text);
}

/* Big-endian unsigned integer of `size` (1..8) bytes at buf[pos]; the
 * caller has checked the bounds. */
static uint64_t
be_uint(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v = v << 8 | p[i];
	return v;
}

/* Are `n` bytes available at `pos` before the offset table? */
static bool
in_objects(const struct bp_reader *r, uint64_t pos, uint64_t n)
{
	return pos <= r->table && n <= r->table - pos;
}

/* --- trailer and offset table -------------------------------------------- */

static int
bp_trailer(struct bp_reader *r)
{
	const uint8_t *t;
	uint64_t table_size;

	if (r->len < 8 + 1 + TRAILER_SIZE)
		return bp_error(r, NULL, "file is %zu bytes, too short for a header, "
		    "an object and a trailer", r->len);
	if (memcmp(r->buf, "bplist", 6) != 0)
		return bp_error(r, NULL, "no \"bplist00\" header");
	if (r->buf[6] != '0')
		return bp_error(r, NULL, "unsupported format version 0x%02x 0x%02x (want \"00\")",
		    r->buf[6], r->buf[7]);
	t = r->buf + r->len - TRAILER_SIZE;
	r->offset_size = t[6];
	r->ref_size = t[7];
	r->nobjects = be_uint(t + 8, 8);
	r->top = be_uint(t + 16, 8);
	r->table = be_uint(t + 24, 8);
	if (r->offset_size < 1 || r->offset_size > 8 || r->ref_size < 1 || r->ref_size > 8)
		return bp_error(r, NULL, "trailer: offset size %u and reference size %u "
		    "must be 1 to 8", r->offset_size, r->ref_size);
	if (r->nobjects < 1)
		return bp_error(r, NULL, "trailer: no objects");
	if (r->top >= r->nobjects)
		return bp_error(r, NULL, "trailer: top object %llu is not below the "
		    "object count %llu", (unsigned long long)r->top,
		    (unsigned long long)r->nobjects);
	if (r->table < 9 || r->table >= r->len - TRAILER_SIZE)
		return bp_error(r, NULL, "trailer: offset table at %llu is outside the "
		    "file", (unsigned long long)r->table);
	if (r->nobjects > (r->len - TRAILER_SIZE - r->table) / r->offset_size)
		return bp_error(r, NULL, "trailer: %llu objects do not fit in the offset table",
		    (unsigned long long)r->nobjects);
	table_size = r->nobjects * r->offset_size;
	if (r->table + table_size + TRAILER_SIZE != r->len)
		return bp_error(r, NULL, "file length %zu does not match the trailer "
		    "(expected %llu)", r->len,
		    (unsigned long long)(r->table + table_size + TRAILER_SIZE));
	if (r->ref_size < 8 && r->nobjects >= (uint64_t)1 << (8 * r->ref_size))
		return bp_error(r, NULL, "trailer: %u-byte references cannot address "
		    "%llu objects", r->ref_size, (unsigned long long)r->nobjects);
	if (r->offset_size < 8 && r->table >= (uint64_t)1 << (8 * r->offset_size))
		return bp_error(r, NULL, "trailer: %u-byte offsets cannot reach the "
		    "offset table at %llu", r->offset_size, (unsigned long long)r->table);
	return 0;
}

/* Every offset must point into the object table (CF checks them all). */
static int
bp_offsets(struct bp_reader *r)
{
	uint64_t i, off;

	for (i = 0; i < r->nobjects; i++) {
		off = be_uint(r->buf + r->table + i * r->offset_size, r->offset_size);
		if (off < 8 || off >= r->table)
			return bp_error(r, NULL, "object %llu: offset %llu is outside the "
			    "object table", (unsigned long long)i, (unsigned long long)off);
	}
	return 0;
}

static uint64_t
object_offset(const struct bp_reader *r, uint64_t index)
{
	return be_uint(r->buf + r->table + index * r->offset_size, r->offset_size);
}

/* --- objects -------------------------------------------------------------- */

/* The reference at `pos` (bounds checked by the caller). */
static int
bp_ref(struct bp_reader *r, uint64_t pos, const struct plist_path *path, uint64_t *index)
{
	*index = be_uint(r->buf + pos, r->ref_size);
	if (*index >= r->nobjects)
		return bp_error(r, path, "reference to object %llu, but there are %llu",
		    (unsigned long long)*index, (unsigned long long)r->nobjects);
	return 0;
}

static int
take_node(struct bp_reader *r, const struct plist_path *path, uint64_t payload)
{
	if (r->nodes_left == 0 || payload > r->payload_left)
		return bp_error(r, path, "the objects expand to more than the file can "
		    "hold (containers referenced more than once?)");
	r->nodes_left--;
	r->payload_left -= (size_t)payload;
	return 0;
}

/*
 * The element count of a data, string or container object: the marker's
 * low nibble, or 0xF and an integer object of 1, 2, 4 or 8 bytes after
 * the marker.  Advances o->pos past the count.
 */
static int
bp_count(struct bp_reader *r, struct bp_object *o, const struct plist_path *path,
    uint64_t *count)
{
	unsigned size;

	*count = o->marker & 0x0f;
	if (*count != 0x0f)
		return 0;
	if (!in_objects(r, o->pos, 1) || (r->buf[o->pos] & 0xf0) != 0x10 ||
	    (r->buf[o->pos] & 0x0f) > 3)
		return bp_error(r, path, "object %llu: its length is not a 1, 2, 4 or "
		    "8-byte integer", (unsigned long long)o->index);
	size = 1u << (r->buf[o->pos] & 0x0f);
	if (!in_objects(r, o->pos + 1, size))
		return bp_error(r, path, "object %llu: its length runs into the offset "
		    "table", (unsigned long long)o->index);
	*count = be_uint(r->buf + o->pos + 1, size);
	o->pos += 1 + size;
	return 0;
}

/* `count` items of `size` bytes at o->pos, before the offset table. */
static int
bp_fits(struct bp_reader *r, const struct bp_object *o, const struct plist_path *path,
    uint64_t count, unsigned size)
{
	if (o->pos > r->table || count > (r->table - o->pos) / size)
		return bp_error(r, path, "object %llu: %llu items of %u bytes run into "
		    "the offset table", (unsigned long long)o->index,
		    (unsigned long long)count, size);
	return 0;
}

static int
bp_integer(struct bp_reader *r, const struct bp_object *o, const struct plist_path *path,
    struct plist *p)
{
	unsigned n = o->marker & 0x0f, size;
	uint64_t high, low;

	if (n > 4)
		return bp_error(r, path, "object %llu: integer of 2^%u bytes",
		    (unsigned long long)o->index, n);
	size = 1u << n;
	if (!in_objects(r, o->pos, size))
		return bp_error(r, path, "object %llu: integer runs into the offset table",
		    (unsigned long long)o->index);
	if (size < 8) {                 /* 1, 2, 4 bytes: unsigned */
		p->v.integer.i = (int64_t)be_uint(r->buf + o->pos, size);
		return 0;
	}
	if (size == 8) {                /* signed */
		p->v.integer.i = (int64_t)be_uint(r->buf + o->pos, 8);
		return 0;
	}
	/* 16 bytes, signed: only INT64_MIN..UINT64_MAX is representable. */
	high = be_uint(r->buf + o->pos, 8);
	low = be_uint(r->buf + o->pos + 8, 8);
	if (high == 0 && low > (uint64_t)INT64_MAX) {
		p->v.integer.u = low;
		p->v.integer.is_unsigned = true;
	} else if ((high == 0 && low <= (uint64_t)INT64_MAX) ||
	    (high == UINT64_MAX && low > (uint64_t)INT64_MAX))
		p->v.integer.i = (int64_t)low;
	else
		return bp_error(r, path, "object %llu: 128-bit integer out of range",
		    (unsigned long long)o->index);
	return 0;
}

static double
be_double(const uint8_t *p)
{
	uint64_t bits = be_uint(p, 8);
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static int
bp_real(struct bp_reader *r, const struct bp_object *o, const struct plist_path *path,
    struct plist *p)
{
	unsigned n = o->marker & 0x0f;
	uint32_t bits;
	float f;

	if ((n != 2 && n != 3) || !in_objects(r, o->pos, 1u << n))
		return bp_error(r, path, "object %llu: bad real (marker 0x%02x)",
		    (unsigned long long)o->index, o->marker);
	if (n == 3) {
		p->v.real = be_double(r->buf + o->pos);
		return 0;
	}
	bits = (uint32_t)be_uint(r->buf + o->pos, 4);
	memcpy(&f, &bits, sizeof(f));
	p->v.real = f;
	return 0;
}

static int
bp_date(struct bp_reader *r, const struct bp_object *o, const struct plist_path *path,
    struct plist *p)
{
	if (o->marker != 0x33 || !in_objects(r, o->pos, 8))
		return bp_error(r, path, "object %llu: bad date (marker 0x%02x)",
		    (unsigned long long)o->index, o->marker);
	p->v.date = be_double(r->buf + o->pos);
	return 0;
}

static int
bp_data(struct bp_reader *r, struct bp_object *o, const struct plist_path *path,
    struct plist *p)
{
	uint64_t count;

	if (bp_count(r, o, path, &count) < 0 || bp_fits(r, o, path, count, 1) < 0 ||
	    take_node(r, path, count) < 0)
		return -1;
	if ((p->v.data.bytes = malloc(count > 0 ? (size_t)count : 1)) == NULL)
		return bp_error(r, path, "out of memory");
	memcpy(p->v.data.bytes, r->buf + o->pos, (size_t)count);
	p->v.data.len = (size_t)count;
	return 0;
}

static int
bp_ascii(struct bp_reader *r, struct bp_object *o, const struct plist_path *path,
    struct plist *p)
{
	const uint8_t *s;
	uint64_t count, i;

	if (bp_count(r, o, path, &count) < 0 || bp_fits(r, o, path, count, 1) < 0 ||
	    take_node(r, path, count) < 0)
		return -1;
	s = r->buf + o->pos;
	for (i = 0; i < count; i++)
		if (s[i] >= 0x80)
			return bp_error(r, path, "object %llu: byte 0x%02x in an ASCII string",
			    (unsigned long long)o->index, s[i]);
	if ((p->v.string.str = malloc((size_t)count + 1)) == NULL)
		return bp_error(r, path, "out of memory");
	memcpy(p->v.string.str, s, (size_t)count);
	p->v.string.str[count] = '\0';
	p->v.string.len = (size_t)count;
	return 0;
}

/* One code point as UTF-8 at out; returns its length. */
static size_t
put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* UTF-16BE units to UTF-8; an unpaired surrogate has no UTF-8 form. */
static int
bp_utf16(struct bp_reader *r, struct bp_object *o, const struct plist_path *path,
    struct plist *p)
{
	const uint8_t *s;
	uint64_t count, i;
	size_t n = 0;
	char *out;

	if (bp_count(r, o, path, &count) < 0 || bp_fits(r, o, path, count, 2) < 0 ||
	    take_node(r, path, count * 3) < 0)
		return -1;
	s = r->buf + o->pos;
	if ((out = malloc((size_t)count * 3 + 1)) == NULL)
		return bp_error(r, path, "out of memory");
	for (i = 0; i < count; i++) {
		uint32_t u = (uint32_t)s[2 * i] << 8 | s[2 * i + 1], lo;
		if (u >= 0xd800 && u <= 0xdbff && i + 1 < count &&
		    (lo = (uint32_t)s[2 * i + 2] << 8 | s[2 * i + 3]) >= 0xdc00 && lo <= 0xdfff) {
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		} else if (u >= 0xd800 && u <= 0xdfff) {
			free(out);
			return bp_error(r, path, "object %llu: unpaired UTF-16 surrogate 0x%04x",
			    (unsigned long long)o->index, u);
		}
		n += put_utf8(out + n, u);
	}
	out[n] = '\0';
	p->v.string.str = out;
	p->v.string.len = n;
	return 0;
}

/* Mark a container as being on the current path; a container met again
 * while it is being read contains itself. */
static int
enter(struct bp_reader *r, const struct bp_object *o, const struct plist_path *path,
    unsigned depth)
{
	if (depth >= PLIST_MAX_DEPTH)
		return bp_error(r, path, "nesting deeper than %d levels", PLIST_MAX_DEPTH);
	if (r->on_path[o->index])
		return bp_error(r, path, "object %llu contains itself (reference cycle)",
		    (unsigned long long)o->index);
	r->on_path[o->index] = 1;
	return 0;
}

static int
bp_array(struct bp_reader *r, struct bp_object *o, const struct plist_path *path,
    unsigned depth, struct plist *p)
{
	struct plist_path here = { path, NULL, 0 };
	struct plist *item;
	uint64_t count, i, index;
	int ret = -1;

	if (bp_count(r, o, path, &count) < 0 || bp_fits(r, o, path, count, r->ref_size) < 0 ||
	    enter(r, o, path, depth) < 0)
		return -1;
	for (i = 0; i < count; i++) {
		here.index = (size_t)i;
		if (bp_ref(r, o->pos + i * r->ref_size, &here, &index) < 0 ||
		    bp_object(r, index, &here, depth + 1, &item) < 0)
			goto out;
		if (plist_array_append(p, item) < 0) {
			plist_free(item);
			bp_error(r, path, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	r->on_path[o->index] = 0;
	return ret;
}

/* A dictionary key: a string object without NUL characters. */
static int
bp_key(struct bp_reader *r, uint64_t pos, const struct plist_path *path,
    unsigned depth, char **keyp)
{
	struct plist *key;
	uint64_t index;

	int type;

	*keyp = NULL;
	if (bp_ref(r, pos, path, &index) < 0)
		return -1;
	/* Check the marker first: a container is never read as a key. */
	type = marker_type(r->buf[object_offset(r, index)]);
	if (type != PLIST_STRING)
		return bp_error(r, path, "dictionary key (object %llu) is not a string (%s)",
		    (unsigned long long)index,
		    type < 0 ? "not a value" : plist_type_name((enum plist_type)type));
	if (bp_object(r, index, path, depth + 1, &key) < 0)
		return -1;
	if (strlen(key->v.string.str) != key->v.string.len) {
		bp_error(r, path, "dictionary key (object %llu) contains a NUL character",
		    (unsigned long long)index);
		goto fail;
	}
	*keyp = key->v.string.str;
	key->v.string.str = NULL;
	plist_free(key);
	return 0;
fail:
	plist_free(key);
	return -1;
}

static int
bp_dict(struct bp_reader *r, struct bp_object *o, const struct plist_path *path,
    unsigned depth, struct plist *p)
{
	struct plist_path here = { path, NULL, 0 };
	struct plist *value;
	uint64_t count, i, index, values;
	char *key;
	int ret = -1;

	/* a key reference and a value reference per entry */
	if (bp_count(r, o, path, &count) < 0 || bp_fits(r, o, path, count, 2 * r->ref_size) < 0 ||
	    enter(r, o, path, depth) < 0)
		return -1;
	values = o->pos + count * r->ref_size;
	for (i = 0; i < count; i++) {
		if (bp_key(r, o->pos + i * r->ref_size, path, depth, &key) < 0)
			goto out;
		here.key = key;
		if (bp_ref(r, values + i * r->ref_size, &here, &index) < 0 ||
		    bp_object(r, index, &here, depth + 1, &value) < 0) {
			free(key);
			goto out;
		}
		if (plist_dict_append(p, key, value) < 0) {
			free(key);
			plist_free(value);
			bp_error(r, path, "out of memory");
			goto out;
		}
	}
	if (plist_dict_finish(p) < 0) {
		bp_error(r, path, "out of memory");
		goto out;
	}
	ret = 0;
out:
	r->on_path[o->index] = 0;
	return ret;
}

/* The type of the node a marker makes, or -1 for markers without one. */
static int
marker_type(uint8_t marker)
{
	switch (marker >> 4) {
	case 0x0: return marker == 0x08 || marker == 0x09 ? PLIST_BOOL : -1;
	case 0x1: return PLIST_INTEGER;
	case 0x2: return PLIST_REAL;
	case 0x3: return PLIST_DATE;
	case 0x4: return PLIST_DATA;
	case 0x5: case 0x6: return PLIST_STRING;
	case 0xa: return PLIST_ARRAY;
	case 0xd: return PLIST_DICT;
	default: return -1;
	}
}

static const char *
unsupported_marker(uint8_t marker)
{
	switch (marker >> 4) {
	case 0x0:
		return marker == 0x00 ? "null" : marker == 0x0f ? "fill byte" : "unknown marker";
	case 0x8: return "UID (keyed archive)";
	case 0xc: return "set";
	default: return "unknown marker";
	}
}

static int
bp_object(struct bp_reader *r, uint64_t index, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	struct bp_object o;
	struct plist *p;
	int type, ret;

	*out = NULL;
	o.index = index;
	o.offset = object_offset(r, index);
	o.marker = r->buf[o.offset];
	o.pos = o.offset + 1;
	if ((type = marker_type(o.marker)) < 0)
		return bp_error(r, path, "object %llu at offset %llu: %s (0x%02x) is not a "
		    "property-list value", (unsigned long long)index,
		    (unsigned long long)o.offset, unsupported_marker(o.marker), o.marker);
	if (take_node(r, path, 0) < 0)
		return -1;
	if ((p = plist_new((enum plist_type)type, 0)) == NULL)
		return bp_error(r, path, "out of memory");
	switch (o.marker >> 4) {
	case 0x0: p->v.boolean = o.marker == 0x09; ret = 0; break;
	case 0x1: ret = bp_integer(r, &o, path, p); break;
	case 0x2: ret = bp_real(r, &o, path, p); break;
	case 0x3: ret = bp_date(r, &o, path, p); break;
	case 0x4: ret = bp_data(r, &o, path, p); break;
	case 0x5: ret = bp_ascii(r, &o, path, p); break;
	case 0x6: ret = bp_utf16(r, &o, path, p); break;
	case 0xa: ret = bp_array(r, &o, path, depth, p); break;
	default:  ret = bp_dict(r, &o, path, depth, p); break;
	}
	if (ret < 0) {
		plist_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int
plist_parse_binary(const void *bytes, size_t len, const char *file, struct plist **out,
    struct plist_error *err)
{
	struct bp_reader r;
	int ret = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.buf = bytes;
	r.len = len;
	r.file = file;
	r.err = err;
	if (bytes == NULL || len == 0)
		return plist_error_set(err, file, 0, NULL, "Cannot parse a NULL or zero-length data");
	if (bp_trailer(&r) < 0 || bp_offsets(&r) < 0)
		return -1;
	if ((r.on_path = calloc((size_t)r.nobjects, 1)) == NULL)
		return bp_error(&r, NULL, "out of memory");
	r.nodes_left = len;
	r.payload_left = MAX_PAYLOAD;
	ret = bp_object(&r, r.top, NULL, 0, out);
	free(r.on_path);
	return ret;
}
