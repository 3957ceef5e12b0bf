/*
 * bench_stats.c -- statistics over repetitions, the results of a run, the
 * targets, and the Markdown table they print as (see bench.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
bench_stat(double *v, int n, double *median, double *min, double *max)
{
	if (n <= 0) {
		*median = *min = *max = NAN;
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*min = v[0];
	*max = v[n - 1];
}

static struct bench_result *
result_new(struct bench *b, const char *key, const char *family, const char *what)
{
	struct bench_result *r;

	if (b->nresults == BENCH_RESULTS_MAX) {
		fprintf(stderr, "bench: more than %d results; %s dropped\n",
		    BENCH_RESULTS_MAX, key);
		return NULL;
	}
	r = &b->results[b->nresults++];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->family, sizeof(r->family), "%s", family);
	snprintf(r->what, sizeof(r->what), "%s", what);
	return r;
}

struct bench_result *
bench_record(struct bench *b, const char *key, const char *family, const char *what,
    enum bench_unit unit, double *v, int n, const char *baseline)
{
	struct bench_result *r = result_new(b, key, family, what);

	if (r == NULL)
		return NULL;
	r->unit = unit;
	r->n = n;
	bench_stat(v, n, &r->median, &r->min, &r->max);
	if (baseline != NULL)
		snprintf(r->baseline, sizeof(r->baseline), "%s", baseline);
	return r;
}

void
bench_skip(struct bench *b, const char *family, const char *what, const char *why)
{
	struct bench_result *r;
	char key[BENCH_KEY_MAX];

	snprintf(key, sizeof(key), "skip.%d", b->nresults);
	r = result_new(b, key, family, what);
	if (r != NULL) {
		r->skipped = true;
		snprintf(r->baseline, sizeof(r->baseline), "%.*s", BENCH_KEY_MAX - 1, why);
	}
	printf("%s: %s: skipped: %s\n", family, what, why);
	fflush(stdout);
}

void
bench_fail(struct bench *b, const char *family, const char *what, const char *why)
{
	b->nfailed++;
	bench_skip(b, family, what, why);
}

const struct bench_result *
bench_find(const struct bench *b, const char *key)
{
	int i;

	for (i = 0; i < b->nresults; i++)
		if (!b->results[i].skipped && strcmp(b->results[i].key, key) == 0)
			return &b->results[i];
	return NULL;
}

static const char *
unit_name(enum bench_unit u)
{
	static const char *const names[] = {
		[BU_USEC] = "µs", [BU_NSEC] = "ns", [BU_MSEC] = "ms", [BU_GBPS] = "GB/s",
		[BU_MSGPS] = "msg/s", [BU_BYTES] = "B", [BU_KIB] = "KiB",
	};
	return names[u];
}

/* A number with about three significant digits. */
static void
fmt_num(char *buf, size_t size, double x)
{
	double a = fabs(x);

	if (isnan(x))
		snprintf(buf, size, "-");
	else if (a >= 1e5)
		snprintf(buf, size, "%.0f", x);
	else if (a >= 100)
		snprintf(buf, size, "%.0f", x);
	else if (a >= 10)
		snprintf(buf, size, "%.1f", x);
	else if (a >= 1)
		snprintf(buf, size, "%.2f", x);
	else
		snprintf(buf, size, "%.3f", x);
}

static struct bench_target *
target_new(struct bench *b, const char *text)
{
	struct bench_target *t;

	if (b->ntargets == BENCH_TARGETS_MAX)
		return NULL;
	t = &b->targets[b->ntargets++];
	snprintf(t->text, sizeof(t->text), "%s", text);
	t->verdict = -1;
	snprintf(t->got, sizeof(t->got), "not measured");
	return t;
}

void
bench_target_ratio(struct bench *b, const char *text, const char *key, const char *base,
    double limit, bool atmost)
{
	const struct bench_result *r = bench_find(b, key), *s = bench_find(b, base);
	struct bench_target *t = target_new(b, text);
	double ratio;

	if (t == NULL || r == NULL || s == NULL || !(s->median > 0))
		return;
	ratio = r->median / s->median;
	t->verdict = atmost ? ratio <= limit : ratio >= limit;
	snprintf(t->got, sizeof(t->got), "%.2fx (%s / %s)", ratio, key, base);
}

void
bench_target_value(struct bench *b, const char *text, const char *key, double limit,
    bool atmost)
{
	const struct bench_result *r = bench_find(b, key);
	struct bench_target *t = target_new(b, text);
	char num[32];

	if (t == NULL || r == NULL)
		return;
	t->verdict = atmost ? r->median <= limit : r->median >= limit;
	fmt_num(num, sizeof(num), r->median);
	snprintf(t->got, sizeof(t->got), "%s %s (%s)", num, unit_name(r->unit), key);
}

void
bench_target_bool(struct bench *b, const char *text, bool ok, const char *detail)
{
	struct bench_target *t = target_new(b, text);

	if (t == NULL)
		return;
	t->verdict = ok;
	snprintf(t->got, sizeof(t->got), "%s", detail);
}

static void
print_result(const struct bench *b, const struct bench_result *r, FILE *f)
{
	const struct bench_result *base;
	char med[32], lo[32], hi[32], ratio[96] = "";

	if (r->skipped) {
		fprintf(f, "| %s | %s | skipped: %s | | | |\n", r->family, r->what, r->baseline);
		return;
	}
	fmt_num(med, sizeof(med), r->median);
	fmt_num(lo, sizeof(lo), r->min);
	fmt_num(hi, sizeof(hi), r->max);
	base = r->baseline[0] ? bench_find(b, r->baseline) : NULL;
	if (base != NULL && base->median > 0)
		snprintf(ratio, sizeof(ratio), "%.2fx `%s`", r->median / base->median, base->key);
	else if (r->baseline[0])
		snprintf(ratio, sizeof(ratio), "(`%s` not measured)", r->baseline);
	fprintf(f, "| %s | %s `%s` | %s %s | %s – %s | %d | %s |\n", r->family, r->what, r->key,
	    med, unit_name(r->unit), lo, hi, r->n, ratio);
}

void
bench_print(const struct bench *b, FILE *f)
{
	static const char *const verdicts[] = { "not measured", "**missed**", "met" };
	int i;

	fprintf(f, "| family | measurement `key` | median | min – max | reps | ratio to baseline |\n");
	fprintf(f, "|---|---|---:|---:|---:|---|\n");
	for (i = 0; i < b->nresults; i++)
		print_result(b, &b->results[i], f);
	fprintf(f, "\n| target | this run | verdict |\n|---|---|---|\n");
	for (i = 0; i < b->ntargets; i++)
		fprintf(f, "| %s | %s | %s |\n", b->targets[i].text, b->targets[i].got,
		    verdicts[b->targets[i].verdict + 1]);
}
