/*
 * kalloc.c -- counted allocation with fault injection; see kalloc.h.
 */
#include <stdlib.h>

#include "kalloc.h"

static uint64_t kalloc_count[KA_KIND_COUNT];
static uint64_t fault_countdown;   /* 0: off */
static uint64_t fault_repeat;

static int
kalloc_should_fail(void)
{
	if (fault_countdown == 0)
		return 0;
	if (--fault_countdown > 0)
		return 0;
	fault_countdown = fault_repeat;
	return 1;
}

void *
kalloc(enum kalloc_kind kind, size_t size)
{
	void *p;

	if (kalloc_should_fail())
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p != NULL)
		kalloc_count[kind]++;
	return p;
}

/* Tables grow in place; they are counted once, at their first allocation. */
void *
krealloc(enum kalloc_kind kind, void *p, size_t size)
{
	void *n;

	if (kalloc_should_fail())
		return NULL;
	n = realloc(p, size ? size : 1);
	if (n != NULL && p == NULL)
		kalloc_count[kind]++;
	return n;
}

void
kfree(enum kalloc_kind kind, void *p)
{
	if (p == NULL)
		return;
	kalloc_count[kind]--;
	free(p);
}

uint64_t
kalloc_live(enum kalloc_kind kind)
{
	return kalloc_count[kind];
}

void
kalloc_fault_config(uint64_t n, uint64_t repeat)
{
	fault_countdown = n;
	fault_repeat = repeat;
}
