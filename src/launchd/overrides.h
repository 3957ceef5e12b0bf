/*
 * overrides.h -- the persistent enabled/disabled state of labels
 * (launchctl enable/disable, load -w, unload -w), which wins over a
 * plist's Disabled key.  Stored as text, one "enabled\tLABEL" or
 * "disabled\tLABEL" line per label, rewritten whole (write to a
 * temporary file, then rename) on every change.
 */
#ifndef LAUNCHD_OVERRIDES_H
#define LAUNCHD_OVERRIDES_H

#include <stdbool.h>
#include <stddef.h>

struct overrides;

/* Read `path` if it exists (NULL: keep the state in memory only).
 * NULL on a malformed file or out of memory (logged). */
struct overrides *overrides_open(const char *path);
void overrides_free(struct overrides *ov);

/* -1: no override; 0: enabled; 1: disabled. */
int overrides_get(const struct overrides *ov, const char *label);
/* 0, or -1 (errno) if the file could not be written. */
int overrides_set(struct overrides *ov, const char *label, bool disabled);

size_t overrides_count(const struct overrides *ov);
const char *overrides_at(const struct overrides *ov, size_t i, bool *disabled);

#endif /* LAUNCHD_OVERRIDES_H */
