/*
 * fuzz_plist_check.h -- what the two plist fuzz targets share: run one
 * reader on the input, check its contract (a tree, or -1 with NULL and a
 * one-line message naming the file), check the tree's invariants, turn
 * the tree into a job_spec, and free everything.  A broken contract
 * aborts, which the fuzzer (or the replay driver) reports.
 */
#ifndef FUZZ_PLIST_CHECK_H
#define FUZZ_PLIST_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job_spec.h"
#include "plist.h"

#define FZ_FILE "fuzz.plist"

static void
fz_check(int ok)
{
	if (!ok)
		abort();
}

/* Every node well formed; `binary` trees have no lines. */
static void
fz_check_tree(const struct plist *p, int binary, unsigned depth)
{
	size_t i, j;

	fz_check(p != NULL && depth <= PLIST_MAX_DEPTH);
	fz_check(!binary || p->line == 0);
	switch (p->type) {
	case PLIST_DICT:
		for (i = 0; i < p->v.dict.count; i++) {
			fz_check(p->v.dict.entries[i].key != NULL);
			fz_check_tree(p->v.dict.entries[i].value, binary, depth + 1);
			for (j = 0; j < i && p->v.dict.count < 512; j++)
				fz_check(strcmp(p->v.dict.entries[i].key, p->v.dict.entries[j].key) != 0);
			fz_check(plist_dict_get(p, p->v.dict.entries[i].key) == p->v.dict.entries[i].value);
		}
		break;
	case PLIST_ARRAY:
		for (i = 0; i < p->v.array.count; i++)
			fz_check_tree(p->v.array.items[i], binary, depth + 1);
		break;
	case PLIST_STRING:
		fz_check(p->v.string.str != NULL && p->v.string.str[p->v.string.len] == '\0');
		break;
	case PLIST_INTEGER:
		fz_check(p->v.integer.is_unsigned ? p->v.integer.u > (uint64_t)INT64_MAX &&
		    p->v.integer.i == 0 : p->v.integer.u == 0);
		break;
	case PLIST_DATA:
		fz_check(p->v.data.len == 0 || p->v.data.bytes != NULL);
		break;
	case PLIST_REAL:
	case PLIST_BOOL:
	case PLIST_DATE:
		break;
	default:
		abort();
	}
}

static void
fz_check_error(const struct plist_error *err)
{
	size_t n = strlen(err->message);

	fz_check(n > 0 && n < sizeof(err->message));
	fz_check(strchr(err->message, '\n') == NULL);
	fz_check(strncmp(err->message, FZ_FILE, strlen(FZ_FILE)) == 0);
	fz_check(strcmp(err->file, FZ_FILE) == 0);
}

static void
fz_warning(void *ctx, const char *line)
{
	fz_check(strncmp(line, FZ_FILE, strlen(FZ_FILE)) == 0);
	fz_check(strchr(line, '\n') == NULL);
	(*(unsigned *)ctx)++;
}

static void
fz_job(const struct plist *p)
{
	struct plist_error err;
	struct job_spec *spec = NULL;
	unsigned warnings = 0;
	size_t i;

	if (job_spec_from_plist(p, FZ_FILE, &spec, &err, fz_warning, &warnings) < 0) {
		fz_check(spec == NULL);
		fz_check_error(&err);
		return;
	}
	fz_check(spec->label != NULL && spec->label[0] != '\0');
	fz_check(spec->argc >= 1 && spec->argv[spec->argc] == NULL);
	fz_check(spec->env != NULL && spec->env[spec->envc] == NULL);
	for (i = 0; i < spec->nservices; i++)
		fz_check(strlen(spec->services[i].name) <= JOB_NAME_MAX);
	job_spec_free(spec);
}

static void
fz_run(int (*parse)(const void *, size_t, const char *, struct plist **,
    struct plist_error *), const uint8_t *data, size_t size, int binary)
{
	struct plist_error err;
	struct plist *p = (struct plist *)&err;     /* must be replaced */

	if (parse(data, size, FZ_FILE, &p, &err) < 0) {
		fz_check(p == NULL);
		fz_check_error(&err);
		return;
	}
	fz_check_tree(p, binary, 0);
	fz_job(p);
	plist_free(p);
}

#endif /* FUZZ_PLIST_CHECK_H */
