/*
 * overrides.c -- the enabled/disabled database (see overrides.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "overrides.h"

struct ov_entry {
	char   *label;
	bool    disabled;
};

struct overrides {
	char           *path;           /* NULL: memory only */
	struct ov_entry *v;
	size_t          n, cap;
};

static struct ov_entry *
ov_find(const struct overrides *ov, const char *label)
{
	size_t i;

	for (i = 0; i < ov->n; i++)
		if (strcmp(ov->v[i].label, label) == 0)
			return &ov->v[i];
	return NULL;
}

static int
ov_put(struct overrides *ov, const char *label, bool disabled)
{
	struct ov_entry *e = ov_find(ov, label), *nv;

	if (e != NULL) {
		e->disabled = disabled;
		return 0;
	}
	if (ov->n == ov->cap) {
		size_t cap = ov->cap ? ov->cap * 2 : 8;
		nv = realloc(ov->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		ov->v = nv;
		ov->cap = cap;
	}
	ov->v[ov->n].label = strdup(label);
	if (ov->v[ov->n].label == NULL)
		return -1;
	ov->v[ov->n++].disabled = disabled;
	return 0;
}

static int
ov_read(struct overrides *ov, FILE *f)
{
	char line[1024];
	unsigned lineno = 0;
	size_t len;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (strncmp(line, "enabled\t", 8) == 0 && line[8] != '\0') {
			if (ov_put(ov, line + 8, false) < 0)
				return -1;
		} else if (strncmp(line, "disabled\t", 9) == 0 && line[9] != '\0') {
			if (ov_put(ov, line + 9, true) < 0)
				return -1;
		} else {
			log_warnx("%s:%u: expected \"enabled<TAB>label\" or \"disabled<TAB>label\"",
			    ov->path, lineno);
			return -1;
		}
	}
	return 0;
}

struct overrides *
overrides_open(const char *path)
{
	struct overrides *ov = calloc(1, sizeof(*ov));
	FILE *f;

	if (ov == NULL)
		return NULL;
	if (path == NULL)
		return ov;
	ov->path = strdup(path);
	if (ov->path == NULL)
		goto fail;
	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return ov;
		log_warn("cannot read %s", path);
		goto fail;
	}
	if (ov_read(ov, f) < 0) {
		fclose(f);
		goto fail;
	}
	fclose(f);
	return ov;
fail:
	overrides_free(ov);
	return NULL;
}

void
overrides_free(struct overrides *ov)
{
	size_t i;

	if (ov == NULL)
		return;
	for (i = 0; i < ov->n; i++)
		free(ov->v[i].label);
	free(ov->v);
	free(ov->path);
	free(ov);
}

int
overrides_get(const struct overrides *ov, const char *label)
{
	const struct ov_entry *e = ov_find(ov, label);

	return e == NULL ? -1 : e->disabled;
}

static int
ov_write(const struct overrides *ov)
{
	char tmp[4096];
	size_t i;
	FILE *f;

	if (ov->path == NULL)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s.new", ov->path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "we");
	if (f == NULL)
		return -1;
	for (i = 0; i < ov->n; i++)
		fprintf(f, "%s\t%s\n", ov->v[i].disabled ? "disabled" : "enabled", ov->v[i].label);
	if (fclose(f) != 0 || rename(tmp, ov->path) < 0) {
		int err = errno;
		(void)unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

int
overrides_set(struct overrides *ov, const char *label, bool disabled)
{
	if (ov_put(ov, label, disabled) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return ov_write(ov);
}

size_t
overrides_count(const struct overrides *ov)
{
	return ov->n;
}

const char *
overrides_at(const struct overrides *ov, size_t i, bool *disabled)
{
	*disabled = ov->v[i].disabled;
	return ov->v[i].label;
}
