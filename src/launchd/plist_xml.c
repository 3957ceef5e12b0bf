/*
 * plist_xml.c -- XML property lists, read the way CoreFoundation reads
 * them (CF-1153.18 CFPropertyList.c; spec launchd.md 2.1), with libxml2
 * doing the XML itself.
 *
 * libxml2 builds a document tree, then one recursive walk turns it into a
 * plist tree and applies CF's rules and CF's error texts.  libxml2 is
 * used with no network, no DTD loading and no entity substitution; on top
 * of that this parser never lets libxml2 learn an entity declaration, so
 * every reference other than the five predefined entities and character
 * references is an error (as in CF) and nothing is ever expanded.  libxml2
 * prints nothing: its errors go to a per-parse handler and the thread's
 * generic error function is silenced only while parsing, then restored.
 *
 * Lines: libxml2 gives an element the line of the '>' ending its start
 * tag; errors about an element's content add the newlines before the
 * offending character.  docs/plist.md lists where this reader and CF
 * differ.
 */
#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "plist.h"
#include "plist_internal.h"

struct xml_reader {
	const char         *file;
	struct plist_error *err;
};

/* libxml2's first fatal error, kept by on_xml_error. */
struct xml_first_error {
	bool     set;
	int      code;
	unsigned line;
	char     message[200];
	char     str1[100];
};

typedef int xml_read_fn(struct xml_reader *, xmlNode *, const struct plist_path *,
    unsigned, struct plist **);

static int xml_object(struct xml_reader *, xmlNode *, const struct plist_path *,
    unsigned, struct plist **);

/* --- small helpers -------------------------------------------------------- */

static unsigned
node_line(const xmlNode *node)
{
	long line = xmlGetLineNo(node);

	return line > 0 && line <= (long)UINT_MAX ? (unsigned)line : 0;
}

static const char *
node_name(const xmlNode *node)
{
	return (const char *)node->name;
}

/* CF prints the offending byte; keep messages printable. */
static char
shown(unsigned char c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '?';
}

static unsigned
newlines_before(const char *text, size_t pos)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < pos; i++)
		n += text[i] == '\n';
	return n;
}

/* The line of s, a position in text node c: libxml2 gives a text node
 * the line where its text ended. */
static unsigned
text_line(const xmlNode *c, const char *s)
{
	unsigned end = node_line(c), after = newlines_before(s, strlen(s));

	return end > after ? end - after : end;
}

static int
no_memory(struct xml_reader *r, const struct plist_path *path)
{
	return plist_error_at(r->err, r->file, 0, path, "out of memory");
}

/*
 * The character data of a scalar element (text and CDATA; libxml2 has
 * already replaced the predefined entities and character references), as
 * a NUL-terminated malloc'd copy.  Anything else inside is an error.
 */
static int
xml_text(struct xml_reader *r, xmlNode *elem, const struct plist_path *path,
    char **textp, size_t *lenp)
{
	size_t len = 0, n;
	xmlNode *c;
	char *text;

	for (c = elem->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			n = c->content != NULL ? strlen((const char *)c->content) : 0;
			if (n > SIZE_MAX - 1 - len)
				return no_memory(r, path);
			len += n;
			break;
		case XML_ENTITY_REF_NODE:
			return plist_error_at(r->err, r->file, node_line(c), path,
			    "Encountered unknown ampersand-escape sequence at line %u", node_line(c));
		default:
			return plist_error_at(r->err, r->file, node_line(c), path,
			    "Encountered unexpected character %c on line %u while looking for close tag",
			    c->type == XML_ELEMENT_NODE ? shown((unsigned char)node_name(c)[0]) :
			    c->type == XML_PI_NODE ? '?' : '!', node_line(c));
		}
	}
	if ((text = malloc(len + 1)) == NULL)
		return no_memory(r, path);
	len = 0;
	for (c = elem->children; c != NULL; c = c->next) {
		if (c->content == NULL)
			continue;
		n = strlen((const char *)c->content);
		memcpy(text + len, c->content, n);
		len += n;
	}
	text[len] = '\0';
	*textp = text;
	*lenp = len;
	return 0;
}

/*
 * The next element among the children of a container, skipping comments,
 * processing instructions and whitespace as CF does.  *cursor is the
 * next child to look at; *elemp is NULL at the end.
 */
static int
next_element(struct xml_reader *r, xmlNode **cursor, const struct plist_path *path,
    xmlNode **elemp)
{
	xmlNode *c;
	const char *s;
	unsigned line;

	*elemp = NULL;
	for (c = *cursor; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			*cursor = c->next;
			*elemp = c;
			return 0;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			s = (const char *)c->content;
			for (; s != NULL && *s != '\0'; s++) {
				if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
					continue;
				line = text_line(c, s);
				return plist_error_at(r->err, r->file, line, path,
				    "Encountered unexpected character %c on line %u while looking for open tag",
				    shown((unsigned char)*s), line);
			}
			break;
		case XML_ENTITY_REF_NODE:
			return plist_error_at(r->err, r->file, node_line(c), path,
			    "Encountered unexpected character & on line %u while looking for open tag",
			    node_line(c));
		default:
			break;          /* comments, processing instructions */
		}
	}
	*cursor = NULL;
	return 0;
}

static int
depth_check(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth)
{
	if (depth < PLIST_MAX_DEPTH)
		return 0;
	return plist_error_at(r->err, r->file, node_line(node), path,
	    "Nesting deeper than %d levels at line %u", PLIST_MAX_DEPTH, node_line(node));
}

static bool
is_key_element(const xmlNode *node)
{
	return (node->ns == NULL || node->ns->prefix == NULL) &&
	    strcmp(node_name(node), "key") == 0;
}

/* --- containers ----------------------------------------------------------- */

/* <plist>: exactly one object (CF allows the wrapper at any level). */
static int
read_plist(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	xmlNode *cursor = node->children, *first, *second;
	struct plist *extra = NULL;

	if (depth_check(r, node, path, depth) < 0 ||
	    next_element(r, &cursor, path, &first) < 0)
		return -1;
	if (first == NULL)
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Encountered empty plist tag");
	if (xml_object(r, first, path, depth + 1, out) < 0)
		return -1;
	if (next_element(r, &cursor, path, &second) < 0)
		goto fail_free;
	if (second == NULL)
		return 0;
	/* CF reads the extra object first: its own errors come first. */
	if (xml_object(r, second, path, depth + 1, &extra) < 0)
		goto fail_free;
	plist_free(extra);
	plist_error_at(r->err, r->file, node_line(second), path,
	    "Encountered unexpected element at line %u (plist can only include one object)",
	    node_line(second));
fail_free:
	plist_free(*out);
	*out = NULL;
	return -1;
}

static int
read_array(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	xmlNode *cursor = node->children, *child;
	struct plist *array, *item;
	struct plist_path here = { path, NULL, 0 };

	if (depth_check(r, node, path, depth) < 0)
		return -1;
	if ((array = plist_new(PLIST_ARRAY, node_line(node))) == NULL)
		return no_memory(r, path);
	for (;;) {
		if (next_element(r, &cursor, path, &child) < 0)
			goto fail;
		if (child == NULL)
			break;
		here.index = array->v.array.count;
		if (xml_object(r, child, &here, depth + 1, &item) < 0)
			goto fail;
		if (plist_array_append(array, item) < 0) {
			plist_free(item);
			no_memory(r, path);
			goto fail;
		}
	}
	*out = array;
	return 0;
fail:
	plist_free(array);
	return -1;
}

/* One key/value pair of a <dict>; *keyp is NULL at the end of the dict. */
static int
read_pair(struct xml_reader *r, xmlNode **cursor, const struct plist_path *path,
    unsigned depth, char **keyp, struct plist **valuep)
{
	struct plist_path here = { path, NULL, 0 };
	xmlNode *key, *value;
	struct plist *junk;
	size_t len;

	*keyp = NULL;
	if (next_element(r, cursor, path, &key) < 0)
		return -1;
	if (key == NULL)
		return 0;
	if (!is_key_element(key)) {
		/* CF reads the element first: its own errors come first. */
		if (xml_object(r, key, path, depth + 1, &junk) < 0)
			return -1;
		plist_free(junk);
		return plist_error_at(r->err, r->file, node_line(key), path,
		    "Found non-key inside <dict> at line %u", node_line(key));
	}
	if (xml_text(r, key, path, keyp, &len) < 0)
		return -1;
	here.key = *keyp;
	if (next_element(r, cursor, &here, &value) < 0)
		goto fail;
	if (value == NULL) {
		plist_error_at(r->err, r->file, node_line(key), &here,
		    "Value missing for key inside <dict> at line %u", node_line(key));
		goto fail;
	}
	if (xml_object(r, value, &here, depth + 1, valuep) < 0)
		goto fail;
	return 0;
fail:
	free(*keyp);
	*keyp = NULL;
	return -1;
}

static int
read_dict(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	xmlNode *cursor = node->children;
	struct plist *dict, *value;
	char *key;

	if (depth_check(r, node, path, depth) < 0)
		return -1;
	if ((dict = plist_new(PLIST_DICT, node_line(node))) == NULL)
		return no_memory(r, path);
	for (;;) {
		if (read_pair(r, &cursor, path, depth, &key, &value) < 0)
			goto fail;
		if (key == NULL)
			break;
		if (plist_dict_append(dict, key, value) < 0) {
			free(key);
			plist_free(value);
			no_memory(r, path);
			goto fail;
		}
	}
	if (plist_dict_finish(dict) < 0) {
		no_memory(r, path);
		goto fail;
	}
	*out = dict;
	return 0;
fail:
	plist_free(dict);
	return -1;
}

/* --- scalars -------------------------------------------------------------- */

/* <string> and <key> (a <key> outside a dictionary's key slot is a string). */
static int
read_string(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	struct plist *p;
	char *text;
	size_t len;

	if (xml_text(r, node, path, &text, &len) < 0)
		return -1;
	if ((p = plist_new(PLIST_STRING, node_line(node))) == NULL) {
		free(text);
		return no_memory(r, path);
	}
	p->v.string.str = text;
	p->v.string.len = len;
	*out = p;
	return 0;
}

static int
read_bool(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	bool value = strcmp(node_name(node), "true") == 0;

	if (node->children != NULL)
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Encountered non-empty <%s> on line %u", node_name(node), node_line(node));
	if ((*out = plist_new(PLIST_BOOL, node_line(node))) == NULL)
		return no_memory(r, path);
	(*out)->v.boolean = value;
	return 0;
}

/*
 * Bytes CF's <integer> parser skips as white space: every byte below 0x21,
 * 0x7f..0xa0, and the UTF-8 forms of U+2000..U+200B, U+202F, U+205F and
 * U+3000.  Returns how many bytes at s are white space (0: none).
 */
static size_t
cf_space(const unsigned char *s, const unsigned char *end)
{
	if (s >= end)
		return 0;
	if (s[0] < 0x21 || (s[0] >= 0x7f && s[0] < 0xa1))
		return 1;
	if (end - s >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8b) || s[2] == 0xaf))
		return 3;
	if (end - s >= 3 && ((s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)))
		return 3;
	return 0;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * CF's integer grammar: S* [+-]? S* (0[xX] hex+ | digit+), S = cf_space,
 * nothing after the digits.  Range INT64_MIN..UINT64_MAX.  On error,
 * `pos` is the offending character (or the end of the text).
 */
enum int_error {
	INT_OK, INT_EMPTY, INT_INCOMPLETE, INT_UNKNOWN_CHAR, INT_HEX_DIGIT,
	INT_OVERFLOW, INT_UNDERFLOW,
};

struct int_result {
	bool           neg;
	uint64_t       value;
	enum int_error error;
	size_t         pos;
};

static enum int_error
scan_digits(const unsigned char **pp, const unsigned char *end, unsigned base,
    struct int_result *res)
{
	const unsigned char *p = *pp;
	int d;

	for (; p < end; p++, *pp = p) {
		if ((d = hex_digit(*p)) < 0)
			return INT_UNKNOWN_CHAR;
		if (base == 10 && d > 9)
			return INT_HEX_DIGIT;
		if (res->value > (UINT64_MAX - (unsigned)d) / base)
			return INT_OVERFLOW;
		res->value = res->value * base + (unsigned)d;
		if (res->neg && res->value > (uint64_t)INT64_MAX + 1)
			return INT_UNDERFLOW;
	}
	return INT_OK;
}

static void
scan_integer(const char *text, size_t len, struct int_result *res)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + len, *p = s;
	const unsigned char *digits;
	unsigned base = 10;
	size_t n;

	memset(res, 0, sizeof(*res));
	while ((n = cf_space(p, end)) > 0)
		p += n;
	if (p == end) {
		res->error = INT_EMPTY;
		goto out;
	}
	if (*p == '-' || *p == '+') {
		res->neg = *p++ == '-';
		while ((n = cf_space(p, end)) > 0)
			p += n;
	}
	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	digits = p;
	res->error = scan_digits(&p, end, base, res);
	if (res->error == INT_OK && p == digits)
		res->error = INT_INCOMPLETE;
out:
	res->pos = (size_t)(p - s);
}

static int
read_integer(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	static const char *const why[] = {
		[INT_EMPTY] = "Encountered empty <integer> on line %u",
		[INT_INCOMPLETE] = "Incomplete <integer> on line %u",
		[INT_HEX_DIGIT] = "Hex digit in non-hex <integer> on line %u",
		[INT_OVERFLOW] = "Integer overflow in <integer> on line %u",
		[INT_UNDERFLOW] = "Integer underflow in <integer> on line %u",
	};
	struct int_result res;
	struct plist *p;
	unsigned line;
	unsigned char c;
	char *text;
	size_t len;

	if (xml_text(r, node, path, &text, &len) < 0)
		return -1;
	scan_integer(text, len, &res);
	line = node_line(node) + newlines_before(text, res.pos);
	c = res.pos < len ? (unsigned char)text[res.pos] : 0;
	free(text);
	if (res.error == INT_UNKNOWN_CHAR)
		return plist_error_at(r->err, r->file, line, path,
		    "Unknown character '%c' (0x%x) in <integer> on line %u", shown(c), c, line);
	if (res.error != INT_OK)
		return plist_error_at(r->err, r->file, line, path, why[res.error], line);
	if ((p = plist_new(PLIST_INTEGER, node_line(node))) == NULL)
		return no_memory(r, path);
	if (res.neg)
		p->v.integer.i = res.value > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)res.value;
	else if (res.value > (uint64_t)INT64_MAX) {
		p->v.integer.u = res.value;
		p->v.integer.is_unsigned = true;
	} else
		p->v.integer.i = (int64_t)res.value;
	*out = p;
	return 0;
}

/* White space CF skips before a real: below 0x21, U+007F..U+00A0,
 * U+2000..U+200B, U+3000 (UTF-8).  Returns its length at s. */
static size_t
real_space(const unsigned char *s, const unsigned char *end)
{
	if (s >= end)
		return 0;
	if (s[0] < 0x21 || s[0] == 0x7f)
		return 1;
	if (end - s >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0xa0)
		return 2;
	if (end - s >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0x80 && s[2] <= 0x8b)
		return 3;
	if (end - s >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/*
 * CF's reals: the names below (any case, whole content), or white space
 * then a run of [0-9+-.eE] that strtod (C locale) must consume entirely,
 * and nothing after it.
 */
static bool
scan_real(const char *text, size_t len, double *value)
{
	static const struct { const char *name; double value; } names[] = {
		{ "nan", NAN }, { "inf", INFINITY }, { "+inf", INFINITY },
		{ "-inf", -INFINITY }, { "infinity", INFINITY },
		{ "+infinity", INFINITY }, { "-infinity", -INFINITY },
	};
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	const char *run;
	char *stop;
	locale_t c_locale;
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0 && strlen(names[i].name) == len) {
			*value = names[i].value;
			return true;
		}
	}
	while ((n = real_space(p, end)) > 0)
		p += n;
	run = (const char *)p;
	while (p < end && (isdigit(*p) || *p == '+' || *p == '-' || *p == '.' ||
	    *p == 'e' || *p == 'E'))
		p++;
	if (p != end || run == (const char *)end)
		return false;
	if ((c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		return false;
	*value = strtod_l(run, &stop, c_locale);
	freelocale(c_locale);
	return stop == (const char *)end;
}

static int
read_real(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	double value;
	char *text;
	size_t len;
	bool ok;

	if (xml_text(r, node, path, &text, &len) < 0)
		return -1;
	if (len == 0) {
		free(text);
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Encountered empty <real> on line %u", node_line(node));
	}
	ok = scan_real(text, len, &value);
	free(text);
	if (!ok)
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Encountered misformatted real on line %u", node_line(node));
	if ((*out = plist_new(PLIST_REAL, node_line(node))) == NULL)
		return no_memory(r, path);
	(*out)->v.real = value;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's
 * days_from_civil); d may run past the month's end, as in CF. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static bool
two_digits(const char **p, const char *end, unsigned *v)
{
	if (end - *p < 2 || !isdigit((unsigned char)(*p)[0]) ||
	    !isdigit((unsigned char)(*p)[1]))
		return false;
	*v = (unsigned)((*p)[0] - '0') * 10 + (unsigned)((*p)[1] - '0');
	*p += 2;
	return true;
}

static bool
expect_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/*
 * CF's date: [-]YYYY-MM-DDTHH:MM:SSZ, every field present, nothing around
 * it.  CF checks no range; this reader wants month 1-12, day 1-31, hour
 * 0-23, minute 0-59, second 0-60 and a year of at most 9 digits.
 */
static bool
scan_date(const char *text, size_t len, double *value)
{
	const char *p = text, *end = text + len;
	unsigned mo, d, h, mi, s, ydigits = 0;
	int64_t year = 0;
	bool neg = expect_char(&p, end, '-');

	for (; p < end && isdigit((unsigned char)*p); p++) {
		if (++ydigits > 9)
			return false;
		year = year * 10 + (*p - '0');
	}
	if (!expect_char(&p, end, '-') || !two_digits(&p, end, &mo) ||
	    !expect_char(&p, end, '-') || !two_digits(&p, end, &d) ||
	    !expect_char(&p, end, 'T') || !two_digits(&p, end, &h) ||
	    !expect_char(&p, end, ':') || !two_digits(&p, end, &mi) ||
	    !expect_char(&p, end, ':') || !two_digits(&p, end, &s) ||
	    !expect_char(&p, end, 'Z') || p != end)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	if (neg)
		year = -year;
	*value = (double)(days_from_civil(year, mo, d) - days_from_civil(2001, 1, 1)) * 86400.0 +
	    h * 3600.0 + mi * 60.0 + s;
	return true;
}

static int
read_date(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	double value;
	char *text;
	size_t len;
	bool ok;

	if (xml_text(r, node, path, &text, &len) < 0)
		return -1;
	ok = len > 0 && scan_date(text, len, &value);
	free(text);
	if (len == 0)
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Encountered empty <date> on line %u", node_line(node));
	if (!ok)
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Could not interpret <date> at line %u", node_line(node));
	if ((*out = plist_new(PLIST_DATE, node_line(node))) == NULL)
		return no_memory(r, path);
	(*out)->v.date = value;
	return 0;
}

static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Standard base64 with white space anywhere.  Groups of four; '=' only
 * as padding of the last group.  Decodes in place (the output is never
 * longer than the input); returns the length, or -1.
 */
static long
decode_base64(char *text, size_t len)
{
	uint32_t acc = 0;
	size_t i, out = 0;
	unsigned group = 0, pad = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		int v = base64_value(c);
		if (isspace(c))
			continue;
		if (c == '=' && group >= 2) {
			pad++;
			v = 0;
		} else if (v < 0 || pad > 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		if (++group < 4)
			continue;
		text[out++] = (char)(acc >> 16);
		if (pad < 2)
			text[out++] = (char)(acc >> 8);
		if (pad < 1)
			text[out++] = (char)acc;
		if (pad > 0)
			pad = 3;        /* padding ends the data */
		group = 0;
		acc = 0;
	}
	if (group != 0 || out > (size_t)LONG_MAX)
		return -1;
	return (long)out;
}

static int
read_data(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	struct plist *p;
	char *text;
	size_t len;
	long n;

	if (xml_text(r, node, path, &text, &len) < 0)
		return -1;
	if ((n = decode_base64(text, len)) < 0) {
		free(text);
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Could not interpret <data> at line %u (should be base64-encoded)",
		    node_line(node));
	}
	if ((p = plist_new(PLIST_DATA, node_line(node))) == NULL) {
		free(text);
		return no_memory(r, path);
	}
	p->v.data.bytes = (uint8_t *)text;
	p->v.data.len = (size_t)n;
	*out = p;
	return 0;
}

/* --- dispatch ------------------------------------------------------------- */

static const struct {
	const char  *name;
	xml_read_fn *read;
} xml_tags[] = {
	{ "plist", read_plist },   { "dict", read_dict },
	{ "array", read_array },   { "string", read_string },
	{ "key", read_string },    { "integer", read_integer },
	{ "real", read_real },     { "true", read_bool },
	{ "false", read_bool },    { "data", read_data },
	{ "date", read_date },
};

static int
xml_object(struct xml_reader *r, xmlNode *node, const struct plist_path *path,
    unsigned depth, struct plist **out)
{
	size_t i;

	*out = NULL;
	if (node->ns != NULL && node->ns->prefix != NULL)
		return plist_error_at(r->err, r->file, node_line(node), path,
		    "Encountered unknown tag %s:%s on line %u",
		    (const char *)node->ns->prefix, node_name(node), node_line(node));
	for (i = 0; i < sizeof(xml_tags) / sizeof(xml_tags[0]); i++)
		if (strcmp(node_name(node), xml_tags[i].name) == 0)
			return xml_tags[i].read(r, node, path, depth, out);
	return plist_error_at(r->err, r->file, node_line(node), path,
	    "Encountered unknown tag %s on line %u", node_name(node), node_line(node));
}

/* --- libxml2 -------------------------------------------------------------- */

static void
xml_silent(void *ctx, const char *msg, ...)
{
}

static void
on_xml_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct xml_first_error *first = ctxt != NULL ? ctxt->_private : NULL;
	size_t n;

	if (first == NULL || first->set || e == NULL || e->level != XML_ERR_FATAL)
		return;
	first->set = true;
	first->code = e->code;
	first->line = e->line > 0 ? (unsigned)e->line : 0;
	snprintf(first->message, sizeof(first->message), "%s",
	    e->message != NULL ? e->message : "unknown error");
	first->message[strcspn(first->message, "\n")] = '\0';     /* one line */
	n = strlen(first->message);
	while (n > 0 && first->message[n - 1] == ' ')
		first->message[--n] = '\0';
	snprintf(first->str1, sizeof(first->str1), "%s", e->str1 != NULL ? e->str1 : "");
}

/* Where the content starts: the first byte that is not a UTF-8 BOM or
 * XML white space, and its line. */
static const char *
first_content(const char *s, size_t len, unsigned *line)
{
	const char *end = s + len;

	*line = 1;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	for (; s < end; s++) {
		if (*s == '\n')
			(*line)++;
		else if (*s != ' ' && *s != '\t' && *s != '\r')
			return s;
	}
	return NULL;
}

/* libxml2's first fatal error, in CF's words where CF has words for it. */
static int
xml_parse_error(struct xml_reader *r, const struct xml_first_error *e,
    const char *bytes, size_t len)
{
	const char *first;
	unsigned line;

	if (!e->set)
		return plist_error_set(r->err, r->file, 0, NULL, "No XML content found");
	switch (e->code) {
	case XML_ERR_DOCUMENT_EMPTY:
		first = first_content(bytes, len, &line);
		if (first != NULL && *first != '<')
			return plist_error_set(r->err, r->file, line, NULL,
			    "Unexpected character %c at line %u", shown((unsigned char)*first), line);
		return plist_error_set(r->err, r->file, 0, NULL, "No XML content found");
	case XML_ERR_TAG_NAME_MISMATCH:
		return plist_error_set(r->err, r->file, e->line, NULL,
		    "Close tag on line %u does not match open tag %s", e->line, e->str1);
	case XML_ERR_UNDECLARED_ENTITY:
		return plist_error_set(r->err, r->file, e->line, NULL,
		    "Encountered unknown ampersand-escape sequence at line %u", e->line);
	case XML_ERR_UNSUPPORTED_ENCODING:
		return plist_error_set(r->err, r->file, e->line, NULL,
		    "Encountered unknown encoding (%s)", e->str1);
	case XML_ERR_INTERNAL_ERROR:
		if (strncmp(e->message, "Excessive depth", 15) == 0)
			return plist_error_set(r->err, r->file, e->line, NULL,
			    "Nesting deeper than %d levels at line %u", PLIST_MAX_DEPTH, e->line);
		break;
	default:
		break;
	}
	return plist_error_set(r->err, r->file, e->line, NULL, "XML error at line %u: %s",
	    e->line, e->message);
}

/*
 * Encodings libxml2 does not detect by itself but CF does: UTF-32 with a
 * byte order mark (skipped here), and UTF-16 without one, which CF
 * recognises by a NUL in the first two bytes (libxml2 only when the text
 * starts with "<?").  UTF-32 without a mark ("<" then three NULs, or the
 * reverse) is left to libxml2, which detects it.
 */
static const char *
detect_encoding(const char **bytes, size_t *len)
{
	const unsigned char *b = (const unsigned char *)*bytes;

	if (*len >= 4 && memcmp(b, "\xff\xfe\0\0", 4) == 0) {
		*bytes += 4;
		*len -= 4;
		return "UTF-32LE";
	}
	if (*len >= 4 && memcmp(b, "\0\0\xfe\xff", 4) == 0) {
		*bytes += 4;
		*len -= 4;
		return "UTF-32BE";
	}
	if (*len < 4 || (b[0] == 0xfe && b[1] == 0xff) || (b[0] == 0xff && b[1] == 0xfe) ||
	    (b[1] == 0 && b[2] == 0) || (b[0] == 0 && b[1] == 0))
		return NULL;
	if (b[0] == 0)
		return "UTF-16BE";
	if (b[1] == 0)
		return "UTF-16LE";
	return NULL;
}

/*
 * Parse with libxml2.  CF ignores whatever follows the top-level element,
 * so a document whose only fatal error is "Extra content at the end of
 * the document" is accepted: the tree is complete by then.
 */
static int
xml_document(struct xml_reader *r, const char *bytes, size_t len, struct plist **out)
{
	struct xml_first_error first;
	xmlParserCtxtPtr ctxt;
	xmlNode *root;
	int ret = -1;

	const char *encoding = detect_encoding(&bytes, &len);
	xmlCharEncodingHandlerPtr handler;

	memset(&first, 0, sizeof(first));
	if (len == 0)                   /* nothing after a byte order mark */
		return plist_error_set(r->err, r->file, 0, NULL, "No XML content found");
	if ((ctxt = xmlCreateMemoryParserCtxt(bytes, (int)len)) == NULL)
		return plist_error_set(r->err, r->file, 0, NULL, "out of memory");
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
	if (encoding != NULL && (handler = xmlFindCharEncodingHandler(encoding)) != NULL)
		xmlSwitchToEncoding(ctxt, handler);
	ctxt->_private = &first;
	ctxt->sax->serror = on_xml_error;
	ctxt->sax->error = xml_silent;
	ctxt->sax->fatalError = xml_silent;
	ctxt->sax->warning = xml_silent;
	ctxt->sax->entityDecl = NULL;   /* no entity is ever defined */
	ctxt->sax->unparsedEntityDecl = NULL;
	xmlParseDocument(ctxt);
	root = ctxt->myDoc != NULL ? xmlDocGetRootElement(ctxt->myDoc) : NULL;
	if (root == NULL || (!ctxt->wellFormed &&
	    !(first.set && first.code == XML_ERR_DOCUMENT_END)))
		xml_parse_error(r, &first, bytes, len);
	else
		ret = xml_object(r, root, NULL, 0, out);
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return ret;
}

int
plist_parse_xml(const void *bytes, size_t len, const char *file, struct plist **out,
    struct plist_error *err)
{
	struct xml_reader r = { file, err };
	xmlGenericErrorFunc saved_func;
	void *saved_ctx;
	int ret;

	*out = NULL;
	if (bytes == NULL || len == 0)
		return plist_error_set(err, file, 0, NULL, "Cannot parse a NULL or zero-length data");
	if (len > INT_MAX)
		return plist_error_set(err, file, 0, NULL, "XML plist is larger than %d bytes", INT_MAX);
	xmlInitParser();
	saved_func = xmlGenericError;
	saved_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, xml_silent);
	ret = xml_document(&r, bytes, len, out);
	xmlSetGenericErrorFunc(saved_ctx, saved_func);
	xmlResetLastError();
	if (ret < 0) {
		plist_free(*out);
		*out = NULL;
	}
	return ret;
}
