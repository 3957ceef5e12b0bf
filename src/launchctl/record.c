/*
 * record.c -- reading the "key\0value\0" records of launch_proto.h.
 */
#include <stdlib.h>
#include <string.h>

#include "lctl.h"

const char *
rec_next(const struct lp_reply *r, const char *key, const char *prev)
{
	const char *p = r->data, *end = r->data + r->len;
	bool after = prev == NULL;

	while (p < end) {
		const char *k = p, *v = k + strlen(k) + 1;
		if (v >= end)
			return NULL;
		p = v + strlen(v) + 1;
		if (!after) {
			after = v == prev;
			continue;
		}
		if (strcmp(k, key) == 0)
			return v;
	}
	return NULL;
}

const char *
rec_get(const struct lp_reply *r, const char *key)
{
	return rec_next(r, key, NULL);
}

long
rec_num(const struct lp_reply *r, const char *key, long dflt)
{
	const char *v = rec_get(r, key);

	return v != NULL ? strtol(v, NULL, 10) : dflt;
}
