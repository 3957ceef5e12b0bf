/*
 * plist_test_util.h -- what the plist and job_spec tests share: parsing
 * a string that must succeed or must fail with an exact message, and a
 * deep comparison of two trees.  Header-only (static functions): each
 * test program includes it once.
 */
#ifndef PLIST_TEST_UTIL_H
#define PLIST_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plist.h"

#define TEST_FILE "t.plist"

/* Not every program uses every helper. */
#define TU_FN static __attribute__((unused))

/* Parse bytes with `parse`; must succeed. */
TU_FN struct plist *
parse_bytes_ok(int (*parse)(const void *, size_t, const char *, struct plist **,
    struct plist_error *), const void *bytes, size_t len)
{
	struct plist_error err;
	struct plist *p = NULL;

	memset(&err, 0, sizeof(err));
	if (parse(bytes, len, TEST_FILE, &p, &err) != 0)
		fail_msg("unexpected error: %s", err.message);
	assert_non_null(p);
	return p;
}

/* Parse bytes with `parse`; must fail with exactly `message`, leaving
 * *out NULL.  Returns the error for further checks. */
TU_FN struct plist_error
parse_bytes_fails(int (*parse)(const void *, size_t, const char *, struct plist **,
    struct plist_error *), const void *bytes, size_t len, const char *message)
{
	struct plist_error err;
	struct plist *p = (struct plist *)&err;     /* must be reset to NULL */

	memset(&err, 0, sizeof(err));
	assert_int_equal(parse(bytes, len, TEST_FILE, &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.message, message);
	assert_string_equal(err.file, TEST_FILE);
	return err;
}

/* Deep equality, lines ignored. */
TU_FN bool
plist_equal(const struct plist *a, const struct plist *b)
{
	size_t i;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case PLIST_DICT:
		if (a->v.dict.count != b->v.dict.count)
			return false;
		for (i = 0; i < a->v.dict.count; i++) {
			const struct plist *bv = plist_dict_get(b, a->v.dict.entries[i].key);
			if (bv == NULL || !plist_equal(a->v.dict.entries[i].value, bv))
				return false;
		}
		return true;
	case PLIST_ARRAY:
		if (a->v.array.count != b->v.array.count)
			return false;
		for (i = 0; i < a->v.array.count; i++)
			if (!plist_equal(a->v.array.items[i], b->v.array.items[i]))
				return false;
		return true;
	case PLIST_STRING:
		return a->v.string.len == b->v.string.len &&
		    memcmp(a->v.string.str, b->v.string.str, a->v.string.len) == 0;
	case PLIST_INTEGER:
		return a->v.integer.is_unsigned == b->v.integer.is_unsigned &&
		    a->v.integer.i == b->v.integer.i && a->v.integer.u == b->v.integer.u;
	case PLIST_REAL:
		return memcmp(&a->v.real, &b->v.real, sizeof(double)) == 0;
	case PLIST_BOOL:
		return a->v.boolean == b->v.boolean;
	case PLIST_DATA:
		return a->v.data.len == b->v.data.len &&
		    (a->v.data.len == 0 || memcmp(a->v.data.bytes, b->v.data.bytes, a->v.data.len) == 0);
	case PLIST_DATE:
		return a->v.date == b->v.date;
	}
	return false;
}

/* The value at `key` of a dictionary, which must exist with `type`. */
TU_FN const struct plist *
get_typed(const struct plist *dict, const char *key, enum plist_type type)
{
	const struct plist *v = plist_dict_get(dict, key);

	if (v == NULL)
		fail_msg("no key %s", key);
	assert_int_equal(v->type, type);
	return v;
}

TU_FN void
assert_int_value(const struct plist *v, int64_t value)
{
	assert_int_equal(v->type, PLIST_INTEGER);
	assert_false(v->v.integer.is_unsigned);
	assert_true(v->v.integer.i == value);
}

TU_FN void
assert_uint_value(const struct plist *v, uint64_t value)
{
	assert_int_equal(v->type, PLIST_INTEGER);
	assert_true(v->v.integer.is_unsigned);
	assert_true(v->v.integer.u == value);
}

TU_FN void
assert_str_value(const struct plist *v, const char *s)
{
	assert_int_equal(v->type, PLIST_STRING);
	assert_int_equal(v->v.string.len, strlen(s));
	assert_string_equal(v->v.string.str, s);
}

/* A whole file into memory (fixtures under tests/launchd/data). */
TU_FN void *
read_fixture(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	long size;
	void *buf;

	if (f == NULL)
		fail_msg("cannot open %s (tests run from the project root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*lenp = (size_t)size;
	return buf;
}

#endif /* PLIST_TEST_UTIL_H */
