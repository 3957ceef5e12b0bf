/*
 * test_plist_binary.c -- src/launchd/plist_binary.c: "bplist00" files
 * (spec launchd.md 2.2).
 *
 * Two sources of inputs: fixtures written by Python's plistlib
 * (tests/launchd/data/NAME.bplist, each with its XML twin, made by
 * make_fixtures.py), which must read to the same tree as the XML; and
 * files assembled byte by byte here (struct bpw), one per marker, per
 * trailer check and per malformation.  Every error text is exact.
 */
#include <math.h>

#include "plist_test_util.h"

/* --- a tiny binary plist assembler ----------------------------------------- */

struct bpw {
	uint8_t  buf[1 << 16];
	size_t   len;
	uint64_t off[1024];
	size_t   n;
};

static struct bpw *
bpw_new(void)
{
	struct bpw *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	memcpy(w->buf, "bplist00", 8);
	w->len = 8;
	return w;
}

/* Append one object; returns its index. */
static size_t
bpw_obj(struct bpw *w, const uint8_t *bytes, size_t len)
{
	assert_true(w->len + len < sizeof(w->buf) - 4096);
	w->off[w->n] = w->len;
	memcpy(w->buf + w->len, bytes, len);
	w->len += len;
	return w->n++;
}

#define OBJ(w, ...) bpw_obj(w, (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void
put_be(uint8_t *p, uint64_t v, unsigned size)
{
	while (size-- > 0) {
		p[size] = (uint8_t)v;
		v >>= 8;
	}
}

/* The offset table and a trailer with these fields, as given. */
static size_t
bpw_finish_raw(struct bpw *w, unsigned offset_size, unsigned ref_size,
    uint64_t nobjects, uint64_t top, uint64_t table)
{
	uint8_t *t;
	size_t i;

	for (i = 0; i < w->n; i++) {
		put_be(w->buf + w->len, w->off[i], offset_size);
		w->len += offset_size;
	}
	t = w->buf + w->len;
	memset(t, 0, 32);
	t[6] = (uint8_t)offset_size;
	t[7] = (uint8_t)ref_size;
	put_be(t + 8, nobjects, 8);
	put_be(t + 16, top, 8);
	put_be(t + 24, table, 8);
	w->len += 32;
	return w->len;
}

static size_t
bpw_finish(struct bpw *w, unsigned offset_size, unsigned ref_size, uint64_t top)
{
	return bpw_finish_raw(w, offset_size, ref_size, w->n, top, w->len);
}

static struct plist *
bin_ok(struct bpw *w)
{
	return parse_bytes_ok(plist_parse_binary, w->buf, w->len);
}

static void
bin_fails(struct bpw *w, const char *message)
{
	parse_bytes_fails(plist_parse_binary, w->buf, w->len, message);
}

/* A one-object file (1-byte offsets and references), parsed. */
static struct plist *
single_ok(const uint8_t *bytes, size_t len)
{
	struct bpw *w = bpw_new();
	struct plist *p;

	bpw_obj(w, bytes, len);
	bpw_finish(w, 1, 1, 0);
	p = bin_ok(w);
	free(w);
	return p;
}

static void
single_fails(const uint8_t *bytes, size_t len, const char *message)
{
	struct bpw *w = bpw_new();

	bpw_obj(w, bytes, len);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, message);
	free(w);
}

#define SINGLE_OK(...) single_ok((const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))
#define SINGLE_FAILS(msg, ...) single_fails((const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }), msg)

/* --- plistlib fixtures ----------------------------------------------------- */

static void
check_twins(const char *name, struct plist **binp)
{
	char path[128];
	size_t blen, xlen;
	void *b, *x;
	struct plist *bp, *xp;

	snprintf(path, sizeof(path), "tests/launchd/data/%s.bplist", name);
	b = read_fixture(path, &blen);
	snprintf(path, sizeof(path), "tests/launchd/data/%s.plist", name);
	x = read_fixture(path, &xlen);
	bp = parse_bytes_ok(plist_parse_binary, b, blen);
	xp = parse_bytes_ok(plist_parse_xml, x, xlen);
	assert_true(plist_equal(bp, xp));
	assert_true(plist_equal(xp, bp));
	plist_free(xp);
	free(b);
	free(x);
	*binp = bp;
}

static void
test_plistlib_types(void **state)
{
	static const uint8_t bigdata[40] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
		20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
	};
	struct plist *p;
	const struct plist *v;

	check_twins("types", &p);
	assert_int_equal(p->type, PLIST_DICT);
	assert_int_equal(p->line, 0);
	assert_int_equal(p->v.dict.count, 27);
	assert_str_value(get_typed(p, "ascii", PLIST_STRING), "hello");
	assert_str_value(get_typed(p, "empty", PLIST_STRING), "");
	assert_str_value(get_typed(p, "long", PLIST_STRING), "a string longer than fifteen characters");
	assert_str_value(get_typed(p, "unicode", PLIST_STRING),
	    "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80");
	assert_int_value(get_typed(p, "int0", PLIST_INTEGER), 0);
	assert_int_value(get_typed(p, "int255", PLIST_INTEGER), 255);
	assert_int_value(get_typed(p, "int256", PLIST_INTEGER), 256);
	assert_int_value(get_typed(p, "int65536", PLIST_INTEGER), 65536);
	assert_int_value(get_typed(p, "int2p32", PLIST_INTEGER), INT64_C(4294967296));
	assert_int_value(get_typed(p, "neg1", PLIST_INTEGER), -1);
	assert_int_value(get_typed(p, "int64min", PLIST_INTEGER), INT64_MIN);
	assert_int_value(get_typed(p, "int64max", PLIST_INTEGER), INT64_MAX);
	assert_uint_value(get_typed(p, "uint64max", PLIST_INTEGER), UINT64_MAX);
	assert_uint_value(get_typed(p, "int2p63", PLIST_INTEGER), UINT64_C(1) << 63);
	assert_true(get_typed(p, "real", PLIST_REAL)->v.real == 3.5);
	assert_true(get_typed(p, "negreal", PLIST_REAL)->v.real == -0.25);
	assert_true(get_typed(p, "yes", PLIST_BOOL)->v.boolean);
	assert_false(get_typed(p, "no", PLIST_BOOL)->v.boolean);
	v = get_typed(p, "data", PLIST_DATA);
	assert_int_equal(v->v.data.len, 4);
	assert_memory_equal(v->v.data.bytes, "\x00\x01\x02\xff", 4);
	v = get_typed(p, "bigdata", PLIST_DATA);
	assert_int_equal(v->v.data.len, 40);
	assert_memory_equal(v->v.data.bytes, bigdata, 40);
	assert_int_equal(get_typed(p, "nodata", PLIST_DATA)->v.data.len, 0);
	assert_true(get_typed(p, "date", PLIST_DATE)->v.date == 86401.0);
	assert_true(get_typed(p, "olddate", PLIST_DATE)->v.date == -978307200.0);
	v = get_typed(p, "array", PLIST_ARRAY);
	assert_int_equal(v->v.array.count, 3);
	assert_int_value(v->v.array.items[0], 1);
	assert_str_value(v->v.array.items[1], "two");
	assert_int_value(v->v.array.items[2]->v.array.items[0], 3);
	assert_int_equal(get_typed(p, "emptyarray", PLIST_ARRAY)->v.array.count, 0);
	assert_int_equal(get_typed(p, "emptydict", PLIST_DICT)->v.dict.count, 0);
	v = get_typed(get_typed(get_typed(p, "nested", PLIST_DICT), "a", PLIST_DICT), "b", PLIST_DICT);
	assert_str_value(get_typed(v, "c", PLIST_STRING), "d");
	plist_free(p);
}

static void
test_plistlib_demo_and_many(void **state)
{
	const struct plist *v;
	struct plist *p;
	char key[8];
	size_t i;

	check_twins("demo", &p);
	assert_str_value(get_typed(p, "Label", PLIST_STRING), "com.example.demo");
	v = get_typed(p, "ProgramArguments", PLIST_ARRAY);
	assert_str_value(v->v.array.items[1], "--verbose");
	plist_free(p);

	check_twins("many", &p);           /* 2-byte references, long counts */
	v = get_typed(p, "strings", PLIST_ARRAY);
	assert_int_equal(v->v.array.count, 300);
	assert_str_value(v->v.array.items[0], "s000");
	assert_str_value(v->v.array.items[299], "s299");
	v = get_typed(p, "dict", PLIST_DICT);
	assert_int_equal(v->v.dict.count, 20);
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%02zu", i);
		assert_int_value(get_typed(v, key, PLIST_INTEGER), (int64_t)i);
	}
	plist_free(p);
}

/* plist_parse picks the binary reader by the magic. */
static void
test_dispatch(void **state)
{
	size_t len;
	void *b = read_fixture("tests/launchd/data/demo.bplist", &len);
	struct plist *p = parse_bytes_ok(plist_parse, b, len);

	assert_int_equal(p->type, PLIST_DICT);
	plist_free(p);
	free(b);
}

/* --- one object per marker -------------------------------------------------- */

static void
test_booleans(void **state)
{
	struct plist *p = SINGLE_OK(0x09);

	assert_int_equal(p->type, PLIST_BOOL);
	assert_true(p->v.boolean);
	plist_free(p);
	p = SINGLE_OK(0x08);
	assert_false(p->v.boolean);
	plist_free(p);
}

static void
test_integers(void **state)
{
	struct plist *p;

	p = SINGLE_OK(0x10, 0xff);                              /* 1 byte, unsigned */
	assert_int_value(p, 255);
	plist_free(p);
	p = SINGLE_OK(0x11, 0xff, 0xfe);
	assert_int_value(p, 0xfffe);
	plist_free(p);
	p = SINGLE_OK(0x12, 0xff, 0xff, 0xff, 0xff);            /* 4 bytes, unsigned */
	assert_int_value(p, INT64_C(0xffffffff));
	plist_free(p);
	p = SINGLE_OK(0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);  /* 8: signed */
	assert_int_value(p, -1);
	plist_free(p);
	p = SINGLE_OK(0x13, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_value(p, INT64_MIN);
	plist_free(p);
	p = SINGLE_OK(0x13, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	assert_int_value(p, INT64_MAX);
	plist_free(p);
}

/* 16-byte integers: CF keeps the low 64 bits as an unsigned value; here
 * the value must lie in INT64_MIN..UINT64_MAX and is read exactly. */
static void
test_integers_128_bit(void **state)
{
	struct plist *p;

	p = SINGLE_OK(0x14, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	assert_uint_value(p, UINT64_MAX);
	plist_free(p);
	p = SINGLE_OK(0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_uint_value(p, UINT64_C(1) << 63);
	plist_free(p);
	p = SINGLE_OK(0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
	assert_int_value(p, 7);
	plist_free(p);
	p = SINGLE_OK(0x14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe);
	assert_int_value(p, -2);
	plist_free(p);
	p = SINGLE_OK(0x14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_value(p, INT64_MIN);
	plist_free(p);
	SINGLE_FAILS("t.plist: binary plist: object 0: 128-bit integer out of range",
	    0x14, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: 128-bit integer out of range",
	    0x14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: integer of 2^5 bytes", 0x15, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: integer runs into the offset table",
	    0x13, 1, 2, 3);
}

static void
test_reals_and_dates(void **state)
{
	struct plist *p;

	p = SINGLE_OK(0x22, 0x3f, 0xc0, 0, 0);                  /* float 1.5 */
	assert_int_equal(p->type, PLIST_REAL);
	assert_true(p->v.real == 1.5);
	plist_free(p);
	p = SINGLE_OK(0x23, 0xc0, 0x04, 0, 0, 0, 0, 0, 0);      /* double -2.5 */
	assert_true(p->v.real == -2.5);
	plist_free(p);
	p = SINGLE_OK(0x23, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0);      /* NaN */
	assert_true(isnan(p->v.real));
	plist_free(p);
	p = SINGLE_OK(0x33, 0x40, 0xf5, 0x18, 0x10, 0, 0, 0, 0); /* 86401.0 */
	assert_int_equal(p->type, PLIST_DATE);
	assert_true(p->v.date == 86401.0);
	plist_free(p);
	SINGLE_FAILS("t.plist: binary plist: object 0: bad real (marker 0x21)", 0x21, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: bad real (marker 0x23)", 0x23, 0, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: bad date (marker 0x32)", 0x32, 0, 0, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: bad date (marker 0x33)", 0x33, 0, 0, 0, 0);
}

static void
test_data_and_lengths(void **state)
{
	uint8_t buf[64];
	struct plist *p;

	p = SINGLE_OK(0x43, 'a', 0, 'c');
	assert_int_equal(p->type, PLIST_DATA);
	assert_int_equal(p->v.data.len, 3);
	assert_memory_equal(p->v.data.bytes, "a\0c", 3);
	plist_free(p);
	p = SINGLE_OK(0x40);
	assert_int_equal(p->v.data.len, 0);
	plist_free(p);
	/* long lengths: 0xF then an integer object of 1, 2, 4 or 8 bytes */
	memset(buf, 'x', sizeof(buf));
	buf[0] = 0x4f;
	buf[1] = 0x10;
	buf[2] = 20;
	p = single_ok(buf, 23);
	assert_int_equal(p->v.data.len, 20);
	plist_free(p);
	memcpy(buf, (const uint8_t[]){ 0x4f, 0x13, 0, 0, 0, 0, 0, 0, 0, 3 }, 10);
	p = single_ok(buf, 13);
	assert_int_equal(p->v.data.len, 3);
	plist_free(p);
	SINGLE_FAILS("t.plist: binary plist: object 0: its length is not a 1, 2, 4 or 8-byte "
	    "integer", 0x4f, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'x');
	SINGLE_FAILS("t.plist: binary plist: object 0: its length is not a 1, 2, 4 or 8-byte "
	    "integer", 0x4f, 0x23, 0, 0, 0, 0, 0, 0, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: its length is not a 1, 2, 4 or 8-byte "
	    "integer", 0x4f);
	SINGLE_FAILS("t.plist: binary plist: object 0: its length runs into the offset table",
	    0x4f, 0x13, 0, 0);
	SINGLE_FAILS("t.plist: binary plist: object 0: 4 items of 1 bytes run into the offset "
	    "table", 0x44, 'a', 'b', 'c');
	SINGLE_FAILS("t.plist: binary plist: object 0: 18446744073709551615 items of 1 bytes "
	    "run into the offset table", 0x4f, 0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
}

static void
test_strings(void **state)
{
	struct plist *p;

	p = SINGLE_OK(0x55, 'h', 'e', 'l', 'l', 'o');
	assert_str_value(p, "hello");
	plist_free(p);
	p = SINGLE_OK(0x50);
	assert_str_value(p, "");
	plist_free(p);
	p = SINGLE_OK(0x53, 'a', 0, 'b');               /* NUL kept in a value */
	assert_int_equal(p->v.string.len, 3);
	assert_memory_equal(p->v.string.str, "a\0b", 4);
	plist_free(p);
	/* UTF-16BE: U+00E9, U+1F600 (a surrogate pair), U+FFFF */
	p = SINGLE_OK(0x64, 0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00, 0xff, 0xff);
	assert_str_value(p, "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbf");
	plist_free(p);
	p = SINGLE_OK(0x60);
	assert_str_value(p, "");
	plist_free(p);
	SINGLE_FAILS("t.plist: binary plist: object 0: byte 0xc3 in an ASCII string",
	    0x52, 0xc3, 0xa9);
	SINGLE_FAILS("t.plist: binary plist: object 0: unpaired UTF-16 surrogate 0xd83d",
	    0x61, 0xd8, 0x3d);
	SINGLE_FAILS("t.plist: binary plist: object 0: unpaired UTF-16 surrogate 0xd83d",
	    0x62, 0xd8, 0x3d, 0x00, 0x41);
	SINGLE_FAILS("t.plist: binary plist: object 0: unpaired UTF-16 surrogate 0xde00",
	    0x61, 0xde, 0x00);
	SINGLE_FAILS("t.plist: binary plist: object 0: 2 items of 2 bytes run into the offset "
	    "table", 0x62, 0x00, 0x41, 0x00);
}

/* Markers with no plist value: null, fill, UIDs, sets, unknown. */
static void
test_unsupported_markers(void **state)
{
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: null (0x00) is not a "
	    "property-list value", 0x00);
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: fill byte (0x0f) is not a "
	    "property-list value", 0x0f);
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: unknown marker (0x0a) is not "
	    "a property-list value", 0x0a);
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: UID (keyed archive) (0x80) is "
	    "not a property-list value", 0x80, 1);
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: set (0xc0) is not a "
	    "property-list value", 0xc0);
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: unknown marker (0x70) is not "
	    "a property-list value", 0x70);
	SINGLE_FAILS("t.plist: binary plist: object 0 at offset 8: unknown marker (0xf0) is not "
	    "a property-list value", 0xf0);
}

static void
test_containers(void **state)
{
	struct bpw *w = bpw_new();
	struct plist *p;

	OBJ(w, 0xa3, 1, 2, 1);          /* 0: [s, d, s] -- s is shared */
	OBJ(w, 0x51, 's');              /* 1 */
	OBJ(w, 0xd2, 3, 4, 5, 1);       /* 2: {k: 7, l: s} */
	OBJ(w, 0x51, 'k');              /* 3 */
	OBJ(w, 0x51, 'l');              /* 4 */
	OBJ(w, 0x10, 7);                /* 5 */
	bpw_finish(w, 1, 1, 0);
	p = bin_ok(w);
	assert_int_equal(p->type, PLIST_ARRAY);
	assert_int_equal(p->v.array.count, 3);
	assert_str_value(p->v.array.items[0], "s");
	assert_str_value(p->v.array.items[2], "s");
	assert_ptr_not_equal(p->v.array.items[0], p->v.array.items[2]);  /* copies */
	assert_int_value(get_typed(p->v.array.items[1], "k", PLIST_INTEGER), 7);
	assert_str_value(get_typed(p->v.array.items[1], "l", PLIST_STRING), "s");
	plist_free(p);
	free(w);
}

/* Wider offsets and references, top object not first. */
static void
test_sizes_and_top(void **state)
{
	struct bpw *w = bpw_new();
	struct plist *p;

	OBJ(w, 0x51, 'x');                      /* 0 */
	OBJ(w, 0xa2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);  /* 1: refs of 8 bytes */
	bpw_finish(w, 4, 8, 1);
	p = bin_ok(w);
	assert_int_equal(p->v.array.count, 2);
	assert_str_value(p->v.array.items[1], "x");
	plist_free(p);
	free(w);

	w = bpw_new();
	OBJ(w, 0xa1, 0, 1);                     /* 0: refs of 2 bytes */
	OBJ(w, 0x09);
	bpw_finish(w, 3, 2, 0);
	p = bin_ok(w);
	assert_true(p->v.array.items[0]->v.boolean);
	plist_free(p);
	free(w);
}

static void
test_dict_keys(void **state)
{
	struct bpw *w = bpw_new();
	struct plist *p;

	OBJ(w, 0xd3, 1, 2, 1, 3, 4, 5);         /* {a: 1, b: 2, a: 3} */
	OBJ(w, 0x51, 'a');
	OBJ(w, 0x51, 'b');
	OBJ(w, 0x10, 1);
	OBJ(w, 0x10, 2);
	OBJ(w, 0x10, 3);
	bpw_finish(w, 1, 1, 0);
	p = bin_ok(w);                          /* last duplicate wins, first place */
	assert_int_equal(p->v.dict.count, 2);
	assert_string_equal(p->v.dict.entries[0].key, "a");
	assert_int_value(p->v.dict.entries[0].value, 3);
	plist_free(p);
	free(w);

	w = bpw_new();
	OBJ(w, 0xd1, 1, 1);
	OBJ(w, 0x10, 1);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: dictionary key (object 1) is not a string (integer)");
	free(w);

	w = bpw_new();
	OBJ(w, 0xd1, 0, 0);                     /* the dictionary as its own key */
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: dictionary key (object 0) is not a string (dictionary)");
	free(w);

	w = bpw_new();
	OBJ(w, 0xd1, 1, 1);
	OBJ(w, 0x00);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: dictionary key (object 1) is not a string (not a value)");
	free(w);

	w = bpw_new();
	OBJ(w, 0xd1, 1, 1);
	OBJ(w, 0x53, 'a', 0, 'b');
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: dictionary key (object 1) contains a NUL character");
	free(w);

	w = bpw_new();                          /* UTF-16 keys are strings too */
	OBJ(w, 0xd1, 1, 2);
	OBJ(w, 0x61, 0x00, 0xe9);
	OBJ(w, 0x09);
	bpw_finish(w, 1, 1, 0);
	p = bin_ok(w);
	assert_true(get_typed(p, "\xc3\xa9", PLIST_BOOL)->v.boolean);
	plist_free(p);
	free(w);
}

/* Errors inside containers name the key path. */
static void
test_error_key_path(void **state)
{
	struct bpw *w = bpw_new();
	struct plist_error err;

	OBJ(w, 0xd1, 1, 2);                     /* {args: ["x", <lone surrogate>]} */
	OBJ(w, 0x54, 'a', 'r', 'g', 's');
	OBJ(w, 0xa2, 3, 4);
	OBJ(w, 0x51, 'x');
	OBJ(w, 0x61, 0xdc, 0x00);
	bpw_finish(w, 1, 1, 0);
	err = parse_bytes_fails(plist_parse_binary, w->buf, w->len, "t.plist: key args[1]: "
	    "binary plist: object 4: unpaired UTF-16 surrogate 0xdc00");
	assert_string_equal(err.key, "args[1]");
	assert_int_equal(err.line, 0);
	free(w);
}

/* --- the trailer ------------------------------------------------------------ */

static void
test_trailer_checks(void **state)
{
	struct bpw *w;

	parse_bytes_fails(plist_parse_binary, "bplist00", 8, "t.plist: binary plist: file is 8 "
	    "bytes, too short for a header, an object and a trailer");

	w = bpw_new();
	OBJ(w, 0x09);
	bpw_finish(w, 1, 1, 0);
	memcpy(w->buf, "bplist15", 8);
	bin_fails(w, "t.plist: binary plist: unsupported format version 0x31 0x35 (want \"00\")");
	memcpy(w->buf, "xplist00", 8);
	bin_fails(w, "t.plist: binary plist: no \"bplist00\" header");
	memcpy(w->buf, "bplist0z", 8);          /* CF reads any "bplist0?" */
	plist_free(bin_ok(w));
	free(w);

	static const struct {
		unsigned offset_size, ref_size;
		uint64_t nobjects, top, table;
		const char *message;
	} cases[] = {
		{ 0, 1, 1, 0, 9, "trailer: offset size 0 and reference size 1 must be 1 to 8" },
		{ 1, 0, 1, 0, 9, "trailer: offset size 1 and reference size 0 must be 1 to 8" },
		{ 9, 1, 1, 0, 9, "trailer: offset size 9 and reference size 1 must be 1 to 8" },
		{ 1, 1, 0, 0, 9, "trailer: no objects" },
		{ 1, 1, 1, 1, 9, "trailer: top object 1 is not below the object count 1" },
		{ 1, 1, 1, 0, 8, "trailer: offset table at 8 is outside the file" },
		{ 1, 1, 1, 0, 10, "trailer: offset table at 10 is outside the file" },
		{ 1, 1, 1, 0, UINT64_MAX, "trailer: offset table at 18446744073709551615 is outside "
		  "the file" },
		{ 1, 1, 2, 0, 9, "trailer: 2 objects do not fit in the offset table" },
		{ 1, 1, UINT64_MAX, 0, 9, "trailer: 18446744073709551615 objects do not fit in the "
		  "offset table" },
	};
	char message[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w = bpw_new();
		OBJ(w, 0x09);
		bpw_finish_raw(w, cases[i].offset_size == 0 ? 1 : cases[i].offset_size > 8 ? 1 :
		    cases[i].offset_size, cases[i].ref_size, cases[i].nobjects, cases[i].top,
		    cases[i].table);
		w->buf[w->len - 32 + 6] = (uint8_t)cases[i].offset_size;
		snprintf(message, sizeof(message), "t.plist: binary plist: %s", cases[i].message);
		bin_fails(w, message);
		free(w);
	}
}

static void
test_trailer_length_and_widths(void **state)
{
	struct bpw *w = bpw_new();
	size_t i;

	/* a byte between the offset table and the trailer */
	OBJ(w, 0x09);
	put_be(w->buf + w->len, 8, 1);
	w->len += 2;
	memset(w->buf + w->len, 0, 32);
	w->buf[w->len + 6] = 1;
	w->buf[w->len + 7] = 1;
	put_be(w->buf + w->len + 8, 1, 8);
	put_be(w->buf + w->len + 24, 9, 8);
	w->len += 32;
	bin_fails(w, "t.plist: binary plist: file length 43 does not match the trailer (expected 42)");
	free(w);

	/* 256 objects cannot be addressed with 1-byte references */
	w = bpw_new();
	for (i = 0; i < 256; i++)
		OBJ(w, 0x09);
	bpw_finish(w, 2, 1, 0);
	bin_fails(w, "t.plist: binary plist: trailer: 1-byte references cannot address 256 objects");
	free(w);

	/* 1-byte offsets cannot reach an offset table at 264 */
	w = bpw_new();
	for (i = 0; i < 256; i++)
		OBJ(w, 0x09);
	bpw_finish(w, 1, 2, 0);
	bin_fails(w, "t.plist: binary plist: trailer: 1-byte offsets cannot reach the offset "
	    "table at 264");
	free(w);
}

static void
test_offsets_and_refs(void **state)
{
	struct bpw *w = bpw_new();

	OBJ(w, 0x09);
	OBJ(w, 0x08);
	bpw_finish(w, 1, 1, 0);
	w->buf[11] = 7;                         /* object 1 in the header */
	bin_fails(w, "t.plist: binary plist: object 1: offset 7 is outside the object table");
	w->buf[11] = 10;                        /* object 1 at the offset table */
	bin_fails(w, "t.plist: binary plist: object 1: offset 10 is outside the object table");
	free(w);

	w = bpw_new();
	OBJ(w, 0xa1, 5);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: key [0]: binary plist: reference to object 5, but there are 1");
	free(w);

	w = bpw_new();
	OBJ(w, 0xa3, 0);                        /* 3 refs, 1 byte before the table */
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: object 0: 3 items of 1 bytes run into the offset table");
	free(w);

	w = bpw_new();                          /* a huge dictionary count */
	OBJ(w, 0xdf, 0x13, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: object 0: 9223372036854775807 items of 2 bytes run "
	    "into the offset table");
	free(w);

	w = bpw_new();
	OBJ(w, 0xdf, 0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: binary plist: object 0: 18446744073709551615 items of 2 bytes run "
	    "into the offset table");
	free(w);
}

/* --- cycles, sharing, depth -------------------------------------------------- */

static void
test_cycles(void **state)
{
	struct bpw *w = bpw_new();

	OBJ(w, 0xa1, 0);                        /* [itself] */
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: key [0]: binary plist: object 0 contains itself (reference cycle)");
	free(w);

	w = bpw_new();
	OBJ(w, 0xa1, 1);                        /* a -> b -> a */
	OBJ(w, 0xa2, 2, 0);
	OBJ(w, 0x09);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: key [0][1]: binary plist: object 0 contains itself (reference cycle)");
	free(w);

	w = bpw_new();
	OBJ(w, 0xd1, 1, 2);                     /* {k: [{...}]} */
	OBJ(w, 0x51, 'k');
	OBJ(w, 0xa1, 0);
	bpw_finish(w, 1, 1, 0);
	bin_fails(w, "t.plist: key k[0]: binary plist: object 0 contains itself (reference cycle)");
	free(w);
}

/* A container referenced twice is read twice (allowed); one that doubles
 * at each of 40 levels would make 2^40 nodes: refused. */
static void
test_shared_containers(void **state)
{
	struct bpw *w = bpw_new();
	struct plist *p;
	size_t i;

	OBJ(w, 0xa2, 1, 1);
	OBJ(w, 0xa1, 2);
	OBJ(w, 0x09);
	bpw_finish(w, 1, 1, 0);
	p = bin_ok(w);
	assert_true(plist_equal(p->v.array.items[0], p->v.array.items[1]));
	plist_free(p);
	free(w);

	w = bpw_new();
	for (i = 0; i < 40; i++)
		OBJ(w, 0xa2, (uint8_t)(i + 1), (uint8_t)(i + 1));
	OBJ(w, 0x09);
	bpw_finish(w, 1, 1, 0);
	/* the budget (one node per byte: 202) runs out on this path */
	bin_fails(w, "t.plist: key [0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	    "[0][0][0][0][0][0][0][0][0][0][0][1][0][1][0][0][1][1]: binary plist: the objects "
	    "expand to more than the file can hold (containers referenced more than once?)");
	free(w);
}

static void
test_depth_limit(void **state)
{
	struct bpw *w = bpw_new();
	struct plist *p;
	size_t i;

	for (i = 0; i < PLIST_MAX_DEPTH; i++)
		OBJ(w, 0xa1, (uint8_t)(i + 1), (uint8_t)((i + 1) >> 8));
	OBJ(w, 0x09);
	/* 2-byte references: rewrite each array's reference big-endian */
	for (i = 0; i < PLIST_MAX_DEPTH; i++)
		put_be(w->buf + w->off[i] + 1, i + 1, 2);
	bpw_finish(w, 2, 2, 0);
	p = bin_ok(w);
	plist_free(p);
	free(w);

	w = bpw_new();
	for (i = 0; i <= PLIST_MAX_DEPTH; i++)
		OBJ(w, 0xa1, 0, 0);
	OBJ(w, 0x09);
	for (i = 0; i <= PLIST_MAX_DEPTH; i++)
		put_be(w->buf + w->off[i] + 1, i + 1, 2);
	bpw_finish(w, 2, 2, 0);
	parse_bytes_fails(plist_parse_binary, w->buf, w->len, "t.plist: key [0][0][0][0][0][0]"
	    "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	    "[0][0][0][0][0][0][0]...: binary plist: nesting deeper than 128 levels");
	free(w);
}

/* --- damaged files: never a crash, never a half tree ------------------------ */

static void
test_every_truncation_fails(void **state)
{
	const char *names[] = { "tests/launchd/data/types.bplist", "tests/launchd/data/many.bplist" };
	struct plist_error err;
	struct plist *p;
	size_t n, len, i;
	uint8_t *b, *copy;

	for (n = 0; n < 2; n++) {
		b = read_fixture(names[n], &len);
		for (i = 1; i < len; i++) {
			copy = malloc(i);               /* exact size: ASan sees overreads */
			assert_non_null(copy);
			memcpy(copy, b, i);
			p = (struct plist *)&err;
			assert_int_equal(plist_parse_binary(copy, i, TEST_FILE, &p, &err), -1);
			assert_null(p);
			assert_true(strncmp(err.message, "t.plist: binary plist: ", 23) == 0);
			free(copy);
		}
		free(b);
	}
}

/* Each byte flipped in turn: some files still parse, none may crash. */
static void
test_every_byte_flipped(void **state)
{
	struct plist_error err;
	struct plist *p;
	size_t len, i;
	uint8_t *b = read_fixture("tests/launchd/data/types.bplist", &len);
	unsigned ok = 0;

	for (i = 0; i < len; i++) {
		b[i] ^= 0xff;
		if (plist_parse_binary(b, len, TEST_FILE, &p, &err) == 0) {
			ok++;
			plist_free(p);
		} else
			assert_null(p);
		b[i] ^= 0xff;
	}
	assert_true(ok > 0 && ok < len);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plistlib_types),
		cmocka_unit_test(test_plistlib_demo_and_many),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_integers_128_bit),
		cmocka_unit_test(test_reals_and_dates),
		cmocka_unit_test(test_data_and_lengths),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unsupported_markers),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_sizes_and_top),
		cmocka_unit_test(test_dict_keys),
		cmocka_unit_test(test_error_key_path),
		cmocka_unit_test(test_trailer_checks),
		cmocka_unit_test(test_trailer_length_and_widths),
		cmocka_unit_test(test_offsets_and_refs),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_shared_containers),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_every_truncation_fails),
		cmocka_unit_test(test_every_byte_flipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
