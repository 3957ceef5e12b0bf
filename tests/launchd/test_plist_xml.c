/*
 * test_plist_xml.c -- src/launchd/plist_xml.c and plist.c: XML property
 * lists read as CoreFoundation reads them (spec launchd.md 2.1), every
 * element type, CF's leniencies, each error text with its line and key,
 * the limits, and that libxml2 neither prints nor keeps anything.
 *
 * Expected values come from CF-1153.18's CFPropertyList.c (texts and
 * accept/reject decisions) and from Python's plistlib for valid inputs;
 * docs/plist.md lists the few places this reader differs from CF.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "plist_test_util.h"

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" " \
	"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"

static struct plist *
xml_ok(const char *xml)
{
	return parse_bytes_ok(plist_parse_xml, xml, strlen(xml));
}

static struct plist_error
xml_fails(const char *xml, const char *message)
{
	return parse_bytes_fails(plist_parse_xml, xml, strlen(xml), message);
}

/* The single value of <plist>VALUE</plist>. */
static struct plist *
value_of(const char *inner)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "<plist>%s</plist>", inner);
	return xml_ok(buf);
}

/* --- every element type --------------------------------------------------- */

static void
test_canonical_demo_agent(void **state)
{
	static const char xml[] = HEAD
	    "<plist version=\"1.0\">\n"
	    "<dict>\n"
	    "  <key>Label</key>            <string>com.example.demo</string>\n"
	    "  <key>ProgramArguments</key> <array><string>/usr/local/libexec/demo-server</string></array>\n"
	    "  <key>MachServices</key>     <dict><key>com.example.demo</key><true/></dict>\n"
	    "  <key>KeepAlive</key>        <dict><key>SuccessfulExit</key><false/></dict>\n"
	    "  <key>ThrottleInterval</key> <integer>10</integer>\n"
	    "  <key>StandardErrorPath</key><string>/tmp/demo.err</string>\n"
	    "</dict>\n"
	    "</plist>\n";
	struct plist *p = xml_ok(xml);
	const struct plist *v;

	assert_int_equal(p->type, PLIST_DICT);
	assert_int_equal(p->line, 4);
	assert_int_equal(p->v.dict.count, 6);
	/* file order */
	assert_string_equal(p->v.dict.entries[0].key, "Label");
	assert_string_equal(p->v.dict.entries[5].key, "StandardErrorPath");
	v = get_typed(p, "Label", PLIST_STRING);
	assert_str_value(v, "com.example.demo");
	assert_int_equal(v->line, 5);
	v = get_typed(p, "ProgramArguments", PLIST_ARRAY);
	assert_int_equal(v->v.array.count, 1);
	assert_str_value(v->v.array.items[0], "/usr/local/libexec/demo-server");
	v = get_typed(get_typed(p, "MachServices", PLIST_DICT), "com.example.demo", PLIST_BOOL);
	assert_true(v->v.boolean);
	v = get_typed(get_typed(p, "KeepAlive", PLIST_DICT), "SuccessfulExit", PLIST_BOOL);
	assert_false(v->v.boolean);
	v = get_typed(p, "ThrottleInterval", PLIST_INTEGER);
	assert_int_value(v, 10);
	assert_int_equal(v->line, 9);
	plist_free(p);
}

static void
test_strings(void **state)
{
	static const struct { const char *xml, *value; } cases[] = {
		{ "<string>plain</string>", "plain" },
		{ "<string>  spaced\n\tout  </string>", "  spaced\n\tout  " },
		{ "<string/>", "" },
		{ "<string></string>", "" },
		{ "<string>&lt;&gt;&amp;&apos;&quot;</string>", "<>&'\"" },
		{ "<string>&#65;&#x42;</string>", "AB" },
		{ "<string>&#x263A;</string>", "\xe2\x98\xba" },
		{ "<string>\xf0\x9f\x98\x80</string>", "\xf0\x9f\x98\x80" },
		{ "<string><![CDATA[<a & b>]]>tail</string>", "<a & b>tail" },
		{ "<string>a\r\nb</string>", "a\nb" },          /* XML line ends */
		{ "<key>a key</key>", "a key" },                /* outside a dict: a string */
		{ "<key/>", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plist *p = value_of(cases[i].xml);
		assert_str_value(p, cases[i].value);
		plist_free(p);
	}
}

static void
test_integers(void **state)
{
	static const struct { const char *text; int64_t value; } cases[] = {
		{ "0", 0 }, { "00", 0 }, { "-0", 0 }, { "0x0", 0 }, { "42", 42 },
		{ "+42", 42 }, { "-42", -42 }, { "007", 7 }, { "0x10", 16 },
		{ "0X1f", 31 }, { "-0x10", -16 }, { " \t\n 5", 5 }, { "- 5", -5 },
		{ "+ \n 0x7fffffffffffffff", INT64_MAX },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
		{ "-0x8000000000000000", INT64_MIN },
		{ "\xe2\x80\x83" "9", 9 },      /* U+2003 EM SPACE is CF white space */
	};
	char xml[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(xml, sizeof(xml), "<integer>%s</integer>", cases[i].text);
		struct plist *p = value_of(xml);
		assert_int_value(p, cases[i].value);
		assert_int_equal(p->v.integer.u, 0);
		plist_free(p);
	}
}

static void
test_integers_above_int64_max(void **state)
{
	struct plist *p = value_of("<integer>9223372036854775808</integer>");

	assert_uint_value(p, (uint64_t)INT64_MAX + 1);
	assert_int_equal(p->v.integer.i, 0);
	plist_free(p);
	p = value_of("<integer>18446744073709551615</integer>");
	assert_uint_value(p, UINT64_MAX);
	plist_free(p);
	p = value_of("<integer>0xffffffffffffffff</integer>");
	assert_uint_value(p, UINT64_MAX);
	plist_free(p);
}

static void
test_reals(void **state)
{
	static const struct { const char *text; double value; } cases[] = {
		{ "1.5", 1.5 }, { "-2.5e3", -2500.0 }, { ".5", 0.5 }, { "5.", 5.0 },
		{ "+1E-2", 0.01 }, { "  7", 7.0 }, { "0", 0.0 }, { "1e999", INFINITY },
		{ "inf", INFINITY }, { "INF", INFINITY }, { "+inf", INFINITY },
		{ "-inf", -INFINITY }, { "Infinity", INFINITY }, { "+infinity", INFINITY },
		{ "-INFINITY", -INFINITY },
	};
	char xml[128];
	struct plist *p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(xml, sizeof(xml), "<real>%s</real>", cases[i].text);
		p = value_of(xml);
		assert_int_equal(p->type, PLIST_REAL);
		assert_true(p->v.real == cases[i].value);
		plist_free(p);
	}
	p = value_of("<real>NaN</real>");
	assert_true(isnan(p->v.real));
	plist_free(p);
}

static void
test_booleans(void **state)
{
	struct plist *p = value_of("<true/>");

	assert_int_equal(p->type, PLIST_BOOL);
	assert_true(p->v.boolean);
	plist_free(p);
	p = value_of("<false/>");
	assert_false(p->v.boolean);
	plist_free(p);
	p = value_of("<true></true>");          /* empty, if not self-closed */
	assert_true(p->v.boolean);
	plist_free(p);
}

static void
test_data(void **state)
{
	static const struct { const char *text; const char *bytes; size_t len; } cases[] = {
		{ "aGVsbG8=", "hello", 5 },
		{ "\n\taGVs\n\tbG8=\n", "hello", 5 },
		{ "aGVsbA==", "hell", 4 },
		{ "aGVsbG8h", "hello!", 6 },
		{ "AAEC/w==", "\x00\x01\x02\xff", 4 },
		{ "+/+/", "\xfb\xff\xbf", 3 },
		{ "", "", 0 },
		{ "  ", "", 0 },
		{ "aGVs bG8 =", "hello", 5 },
	};
	char xml[128];
	struct plist *p;
	size_t i;

	p = value_of("<data/>");        /* CF: "Encountered empty <data>" */
	assert_int_equal(p->type, PLIST_DATA);
	assert_int_equal(p->v.data.len, 0);
	plist_free(p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(xml, sizeof(xml), "<data>%s</data>", cases[i].text);
		p = value_of(xml);
		assert_int_equal(p->type, PLIST_DATA);
		assert_int_equal(p->v.data.len, cases[i].len);
		if (cases[i].len > 0)
			assert_memory_equal(p->v.data.bytes, cases[i].bytes, cases[i].len);
		plist_free(p);
	}
}

static void
test_dates(void **state)
{
	static const struct { const char *text; double value; } cases[] = {
		{ "2001-01-01T00:00:00Z", 0.0 },
		{ "2001-01-02T00:00:01Z", 86401.0 },
		{ "1970-01-01T00:00:00Z", -978307200.0 },
		{ "2000-02-29T12:00:00Z", -26481600.0 },        /* a leap day */
		{ "2024-11-21T22:10:05Z", 753919805.0 },
		{ "2001-02-30T00:00:00Z", 60 * 86400.0 },       /* = March 2, as in CF */
		{ "02001-01-01T00:00:00Z", 0.0 },
	};
	char xml[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(xml, sizeof(xml), "<date>%s</date>", cases[i].text);
		struct plist *p = value_of(xml);
		assert_int_equal(p->type, PLIST_DATE);
		if (p->v.date != cases[i].value)
			fail_msg("%s: %f, expected %f", cases[i].text, p->v.date, cases[i].value);
		plist_free(p);
	}
}

static void
test_arrays_and_dicts(void **state)
{
	struct plist *p = value_of(
	    "<array>\n"
	    "  <array/>\n"
	    "  <dict/>\n"
	    "  <dict><key>k</key><array><integer>1</integer><string>two</string></array></dict>\n"
	    "  <array><array><array><true/></array></array></array>\n"
	    "</array>");
	const struct plist *v;

	assert_int_equal(p->type, PLIST_ARRAY);
	assert_int_equal(p->v.array.count, 4);
	assert_int_equal(p->v.array.items[0]->type, PLIST_ARRAY);
	assert_int_equal(p->v.array.items[0]->v.array.count, 0);
	assert_int_equal(p->v.array.items[1]->type, PLIST_DICT);
	assert_int_equal(p->v.array.items[1]->v.dict.count, 0);
	v = get_typed(p->v.array.items[2], "k", PLIST_ARRAY);
	assert_int_value(v->v.array.items[0], 1);
	assert_str_value(v->v.array.items[1], "two");
	assert_int_equal(v->line, 4);
	v = p->v.array.items[3]->v.array.items[0]->v.array.items[0]->v.array.items[0];
	assert_int_equal(v->type, PLIST_BOOL);
	assert_int_equal(v->line, 5);
	plist_free(p);
}

/* Later duplicates replace earlier values; the key keeps its first place. */
static void
test_duplicate_keys_last_wins(void **state)
{
	struct plist *p = value_of(
	    "<dict><key>a</key><string>first</string><key>b</key><integer>2</integer>"
	    "<key>a</key><string>second</string><key>c</key><true/>"
	    "<key>a</key><string>third</string></dict>");

	assert_int_equal(p->v.dict.count, 3);
	assert_string_equal(p->v.dict.entries[0].key, "a");
	assert_str_value(p->v.dict.entries[0].value, "third");
	assert_string_equal(p->v.dict.entries[1].key, "b");
	assert_string_equal(p->v.dict.entries[2].key, "c");
	plist_free(p);
}

static void
test_large_dict_with_duplicates(void **state)
{
	size_t n = 20000, i, cap = n * 64 + 64, len = 0;
	char *xml = malloc(cap);
	struct plist *p;

	assert_non_null(xml);
	len += (size_t)snprintf(xml + len, cap - len, "<dict>");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(xml + len, cap - len,
		    "<key>k%zu</key><integer>%zu</integer>", i % (n / 2), i);
	len += (size_t)snprintf(xml + len, cap - len, "</dict>");
	p = parse_bytes_ok(plist_parse_xml, xml, len);
	assert_int_equal(p->v.dict.count, n / 2);
	for (i = 0; i < n / 2; i++)
		assert_int_value(p->v.dict.entries[i].value, (int64_t)(i + n / 2));
	plist_free(p);
	free(xml);
}

/* --- CF's leniencies ------------------------------------------------------ */

static void
test_no_wrapper_no_doctype(void **state)
{
	struct plist *p = xml_ok("<dict><key>a</key><string>b</string></dict>");

	assert_str_value(get_typed(p, "a", PLIST_STRING), "b");
	plist_free(p);
	p = xml_ok("  <string>bare</string>");
	assert_str_value(p, "bare");
	plist_free(p);
}

static void
test_comments_and_instructions_anywhere(void **state)
{
	struct plist *p = xml_ok(
	    "<?xml version=\"1.0\"?><!-- a -->\n"
	    "<!DOCTYPE plist PUBLIC \"-//Apple Computer//DTD PLIST 1.0//EN\" "
	    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	    "<plist version=\"1.0\"><!-- b --><?pi x?>\n"
	    "<dict><!-- c --><key>a</key><!-- d --><array><!-- e --><true/><?pi?></array>"
	    "<!-- f --></dict><!-- g --></plist><!-- h -->\n");

	assert_int_equal(get_typed(p, "a", PLIST_ARRAY)->v.array.count, 1);
	plist_free(p);
}

/* CF does not look past the first element (spec 2.1). */
static void
test_trailing_garbage_ignored(void **state)
{
	struct plist *p = xml_ok("<plist><true/></plist>junk <<< &&& </foo>");

	assert_true(p->v.boolean);
	plist_free(p);
	p = xml_ok("<plist><string>x</string></plist><plist><true/></plist>");
	assert_str_value(p, "x");
	plist_free(p);
}

static void
test_attributes_and_default_namespace_ignored(void **state)
{
	struct plist *p = xml_ok("<plist version=\"9\" xmlns=\"urn:x\"><dict id=\"1\">"
	    "<key k=\"v\">a</key><integer base=\"2\">10</integer></dict></plist>");

	assert_int_value(get_typed(p, "a", PLIST_INTEGER), 10);
	plist_free(p);
}

/* CF treats <plist> as a wrapper wherever it appears, and a <key> in a
 * value position as a string. */
static void
test_cf_quirks_nested_plist_and_key_values(void **state)
{
	struct plist *p = value_of("<array><plist><string>in</string></plist></array>");

	assert_str_value(p->v.array.items[0], "in");
	plist_free(p);
	p = value_of("<dict><key>a</key><key>b</key></dict>");
	assert_str_value(get_typed(p, "a", PLIST_STRING), "b");
	plist_free(p);
}

static void
test_encodings(void **state)
{
	/* UTF-8 BOM; ISO-8859-1 declared; UTF-16LE with BOM; UTF-16 without
	 * (CF: a NUL in the first two bytes) */
	static const char bom8[] = "\xef\xbb\xbf<string>caf\xc3\xa9</string>";
	static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    "<string>caf\xe9</string>";
	static const char utf16le_bom[] = "\xff\xfe<\0s\0t\0r\0i\0n\0g\0>\0\xe9\0<\0/\0s\0t\0"
	    "r\0i\0n\0g\0>\0";
	static const char utf16be[] = "\0<\0s\0t\0r\0i\0n\0g\0>\0\xe9\0<\0/\0s\0t\0"
	    "r\0i\0n\0g\0>";
	static const char utf16le[] = "<\0s\0t\0r\0i\0n\0g\0>\0\xe9\0<\0/\0s\0t\0"
	    "r\0i\0n\0g\0>\0";
	/* UTF-32 with a byte order mark, each way */
	static const char utf32le[] = "\xff\xfe\0\0<\0\0\0k\0\0\0e\0\0\0y\0\0\0>\0\0\0\xe9\0\0\0<\0"
	    "\0\0/\0\0\0k\0\0\0e\0\0\0y\0\0\0>\0\0\0";
	static const char utf32be[] = "\0\0\xfe\xff\0\0\0<\0\0\0k\0\0\0e\0\0\0y\0\0\0>\0\0\0\xe9\0"
	    "\0\0<\0\0\0/\0\0\0k\0\0\0e\0\0\0y\0\0\0>";
	struct plist *p;

	p = parse_bytes_ok(plist_parse_xml, bom8, sizeof(bom8) - 1);
	assert_str_value(p, "caf\xc3\xa9");
	plist_free(p);
	p = parse_bytes_ok(plist_parse_xml, latin1, sizeof(latin1) - 1);
	assert_str_value(p, "caf\xc3\xa9");
	plist_free(p);
	p = parse_bytes_ok(plist_parse_xml, utf16le_bom, sizeof(utf16le_bom) - 1);
	assert_str_value(p, "\xc3\xa9");
	plist_free(p);
	p = parse_bytes_ok(plist_parse_xml, utf16le, sizeof(utf16le) - 1);
	assert_str_value(p, "\xc3\xa9");
	plist_free(p);
	p = parse_bytes_ok(plist_parse_xml, utf16be, sizeof(utf16be) - 1);
	assert_str_value(p, "\xc3\xa9");
	plist_free(p);
	p = parse_bytes_ok(plist_parse_xml, utf32le, sizeof(utf32le) - 1);
	assert_str_value(p, "\xc3\xa9");
	plist_free(p);
	p = parse_bytes_ok(plist_parse_xml, utf32be, sizeof(utf32be) - 1);
	assert_str_value(p, "\xc3\xa9");
	plist_free(p);
	parse_bytes_fails(plist_parse_xml, "\xff\xfe\0\0", 4, "t.plist: No XML content found");
}

/* --- errors: CF's texts, the line, the key path --------------------------- */

struct error_case {
	const char *xml;
	const char *message;
};

static void
check_errors(const struct error_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		xml_fails(cases[i].xml, cases[i].message);
}

#define CHECK_ERRORS(cases) check_errors(cases, sizeof(cases) / sizeof(cases[0]))

static void
test_errors_document(void **state)
{
	static const struct error_case cases[] = {
		{ " \n\t ", "t.plist: No XML content found" },
		{ "<!-- only a comment -->", "t.plist: No XML content found" },
		{ "{ Label = x; }", "t.plist:1: Unexpected character { at line 1" },
		{ "\n\n{\"Label\": \"x\"}", "t.plist:3: Unexpected character { at line 3" },
		{ "<plist></plist>", "t.plist:1: Encountered empty plist tag" },
		{ "<plist/>", "t.plist:1: Encountered empty plist tag" },
		{ "<plist>\n  <!-- nothing -->\n</plist>", "t.plist:1: Encountered empty plist tag" },
		{ "<plist><true/>\n<false/></plist>",
		  "t.plist:2: Encountered unexpected element at line 2 (plist can only include one object)" },
		{ "<plist><true/><foo/></plist>", "t.plist:1: Encountered unknown tag foo on line 1" },
		{ "<plist>\n<DICT/></plist>", "t.plist:2: Encountered unknown tag DICT on line 2" },
		{ "<x:dict xmlns:x=\"urn:x\"/>", "t.plist:1: Encountered unknown tag x:dict on line 1" },
		{ "<plist><dict>\n</array></plist>",
		  "t.plist:2: Close tag on line 2 does not match open tag dict" },
		{ "<plist><dict>", "t.plist:1: XML error at line 1: Premature end of data in tag dict line 1" },
		{ "<plist><string>\xff</string></plist>",
		  "t.plist:1: XML error at line 1: Input is not proper UTF-8, indicate encoding !" },
		{ "<?xml version=\"1.0\" encoding=\"bogus\"?><plist/>",
		  "t.plist:1: Encountered unknown encoding (bogus)" },
		/* not XML, though CF would read them */
		{ "<plist a=b><true/></plist>", "t.plist:1: XML error at line 1: AttValue: \" or ' expected" },
		{ "<plist><string>a\x01</string></plist>",
		  "t.plist:1: XML error at line 1: PCDATA invalid Char value 1" },
		{ "<plist><!-- a -- b --><true/></plist>",
		  "t.plist:1: XML error at line 1: Double hyphen within comment: <!-- a" },
	};

	CHECK_ERRORS(cases);
	parse_bytes_fails(plist_parse_xml, "", 0, "t.plist: Cannot parse a NULL or zero-length data");
	parse_bytes_fails(plist_parse, "", 0, "t.plist: Cannot parse a NULL or zero-length data");
}

/* No entity is ever defined or expanded: internal, external (XXE) and
 * nested ("billion laughs") declarations all end as unknown references. */
static void
test_errors_entities(void **state)
{
	static const struct error_case cases[] = {
		{ "<plist><string>a&bogus;b</string></plist>",
		  "t.plist:1: Encountered unknown ampersand-escape sequence at line 1" },
		{ HEAD "<plist>\n<string>a&bogus;</string></plist>",
		  "t.plist:4: Encountered unknown ampersand-escape sequence at line 4" },
		{ "<!DOCTYPE plist [<!ENTITY e \"zz\">]><plist><string>&e;</string></plist>",
		  "t.plist:1: Encountered unknown ampersand-escape sequence at line 1" },
		{ "<!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		  "<plist><string>&x;</string></plist>",
		  "t.plist:1: Encountered unknown ampersand-escape sequence at line 1" },
		{ "<!DOCTYPE plist [<!ENTITY a \"aaaaaaaaaa\">"
		  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		  "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		  "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
		  "<plist><string>&d;</string></plist>",
		  "t.plist:1: Encountered unknown ampersand-escape sequence at line 1" },
		{ HEAD "<plist><dict><key>k</key>\n&bogus;<true/></dict></plist>",
		  "t.plist:4: key k: Encountered unexpected character & on line 4 while looking for open tag" },
	};

	CHECK_ERRORS(cases);
}

static void
test_errors_dict(void **state)
{
	static const struct error_case cases[] = {
		{ "<plist><dict>\n<string>a</string></dict></plist>",
		  "t.plist:2: Found non-key inside <dict> at line 2" },
		{ "<plist><dict><key>a</key></dict></plist>",
		  "t.plist:1: key a: Value missing for key inside <dict> at line 1" },
		{ "<plist><dict><key>a</key><true/>\n<key>b</key>\n</dict></plist>",
		  "t.plist:2: key b: Value missing for key inside <dict> at line 2" },
		{ "<plist><dict><bogus/></dict></plist>",   /* the element's own error first */
		  "t.plist:1: Encountered unknown tag bogus on line 1" },
		{ "<plist><dict><key>a</key>text<true/></dict></plist>",
		  "t.plist:1: key a: Encountered unexpected character t on line 1 while looking for open tag" },
		{ "<plist><dict><key>a<b/></key><true/></dict></plist>",
		  "t.plist:1: Encountered unexpected character b on line 1 while looking for close tag" },
	};

	CHECK_ERRORS(cases);
}

static void
test_errors_integer(void **state)
{
	static const struct error_case cases[] = {
		{ "<plist><integer/></plist>", "t.plist:1: Encountered empty <integer> on line 1" },
		{ "<plist><integer> \n </integer></plist>",
		  "t.plist:2: Encountered empty <integer> on line 2" },
		{ "<plist><integer>-</integer></plist>", "t.plist:1: Incomplete <integer> on line 1" },
		{ "<plist><integer>0x</integer></plist>", "t.plist:1: Incomplete <integer> on line 1" },
		{ "<plist><integer>+ </integer></plist>", "t.plist:1: Incomplete <integer> on line 1" },
		{ "<plist><integer>12z</integer></plist>",
		  "t.plist:1: Unknown character 'z' (0x7a) in <integer> on line 1" },
		{ "<plist><integer>12 </integer></plist>",  /* no trailing space in CF */
		  "t.plist:1: Unknown character ' ' (0x20) in <integer> on line 1" },
		{ "<plist><integer>1.5</integer></plist>",
		  "t.plist:1: Unknown character '.' (0x2e) in <integer> on line 1" },
		{ "<plist><integer>--1</integer></plist>",
		  "t.plist:1: Unknown character '-' (0x2d) in <integer> on line 1" },
		{ "<plist><integer>1\xc3\xa9</integer></plist>",
		  "t.plist:1: Unknown character '?' (0xc3) in <integer> on line 1" },
		{ "<plist>\n<integer>\n\n0x1g</integer></plist>",
		  "t.plist:4: Unknown character 'g' (0x67) in <integer> on line 4" },
		{ "<plist><integer>12abc</integer></plist>",
		  "t.plist:1: Hex digit in non-hex <integer> on line 1" },
		{ "<plist><integer>18446744073709551616</integer></plist>",
		  "t.plist:1: Integer overflow in <integer> on line 1" },
		{ "<plist><integer>0x10000000000000000</integer></plist>",
		  "t.plist:1: Integer overflow in <integer> on line 1" },
		{ "<plist><integer>-9223372036854775809</integer></plist>",
		  "t.plist:1: Integer underflow in <integer> on line 1" },
		{ "<plist><integer><!-- c -->5</integer></plist>",
		  "t.plist:1: Encountered unexpected character ! on line 1 while looking for close tag" },
		{ "<plist><dict><key>n</key><array><integer>1</integer><integer>x</integer>"
		  "</array></dict></plist>",
		  "t.plist:1: key n[1]: Unknown character 'x' (0x78) in <integer> on line 1" },
	};

	CHECK_ERRORS(cases);
}

static void
test_errors_real_date_data_bool(void **state)
{
	static const struct error_case cases[] = {
		{ "<plist><real/></plist>", "t.plist:1: Encountered empty <real> on line 1" },
		{ "<plist><real>abc</real></plist>", "t.plist:1: Encountered misformatted real on line 1" },
		{ "<plist><real>1.5 </real></plist>", "t.plist:1: Encountered misformatted real on line 1" },
		{ "<plist><real>1e</real></plist>", "t.plist:1: Encountered misformatted real on line 1" },
		{ "<plist><real>0x10</real></plist>", "t.plist:1: Encountered misformatted real on line 1" },
		{ "<plist><real>-nan</real></plist>", "t.plist:1: Encountered misformatted real on line 1" },
		{ "<plist><real> </real></plist>", "t.plist:1: Encountered misformatted real on line 1" },
		{ "<plist><date/></plist>", "t.plist:1: Encountered empty <date> on line 1" },
		{ "<plist><date>2001-01-01T00:00:00</date></plist>",
		  "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><date>2001-01-01</date></plist>", "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><date> 2001-01-01T00:00:00Z</date></plist>",
		  "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><date>2001-01-01T00:00:00Z </date></plist>",
		  "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><date>2001-13-01T00:00:00Z</date></plist>",
		  "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><date>2001-1-01T00:00:00Z</date></plist>",
		  "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><date>1234567890-01-01T00:00:00Z</date></plist>",
		  "t.plist:1: Could not interpret <date> at line 1" },
		{ "<plist><data>!!!!</data></plist>",
		  "t.plist:1: Could not interpret <data> at line 1 (should be base64-encoded)" },
		{ "<plist><data>aGVsbG8</data></plist>",
		  "t.plist:1: Could not interpret <data> at line 1 (should be base64-encoded)" },
		{ "<plist><data>aGVsbG8=aGVs</data></plist>",
		  "t.plist:1: Could not interpret <data> at line 1 (should be base64-encoded)" },
		{ "<plist><data>a===</data></plist>",
		  "t.plist:1: Could not interpret <data> at line 1 (should be base64-encoded)" },
		{ "<plist><true>yes</true></plist>", "t.plist:1: Encountered non-empty <true> on line 1" },
		{ "<plist><true> </true></plist>", "t.plist:1: Encountered non-empty <true> on line 1" },
		{ "<plist><false><!-- x --></false></plist>",
		  "t.plist:1: Encountered non-empty <false> on line 1" },
	};

	CHECK_ERRORS(cases);
}

static void
test_errors_stray_text_line(void **state)
{
	static const struct error_case cases[] = {
		{ "<plist>\n<array>\n\n  x\n  </array></plist>",
		  "t.plist:4: Encountered unexpected character x on line 4 while looking for open tag" },
		{ "<plist>\n<array><true/>y</array></plist>",
		  "t.plist:2: Encountered unexpected character y on line 2 while looking for open tag" },
	};

	CHECK_ERRORS(cases);
}

/* Error keys are paths from the root. */
static void
test_error_key_path(void **state)
{
	struct plist_error err = xml_fails(
	    "<plist><dict>\n<key>KeepAlive</key><dict><key>Crashed</key>\n<integer>x</integer>"
	    "</dict></dict></plist>",
	    "t.plist:3: key KeepAlive.Crashed: Unknown character 'x' (0x78) in <integer> on line 3");

	assert_int_equal(err.line, 3);
	assert_string_equal(err.key, "KeepAlive.Crashed");
}

/* --- limits --------------------------------------------------------------- */

static char *
nested_arrays(unsigned n)
{
	char *xml = malloc(n * 15 + 32), *p = xml;
	unsigned i;

	assert_non_null(xml);
	for (i = 0; i < n; i++)
		p += sprintf(p, "<array>");
	p += sprintf(p, "<true/>");
	for (i = 0; i < n; i++)
		p += sprintf(p, "</array>");
	return xml;
}

static void
test_depth_limit(void **state)
{
	char *xml = nested_arrays(PLIST_MAX_DEPTH);
	struct plist *p = xml_ok(xml);

	plist_free(p);
	free(xml);
	xml = nested_arrays(PLIST_MAX_DEPTH + 1);
	xml_fails(xml, "t.plist:1: key [0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	    "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]...: "
	    "Nesting deeper than 128 levels at line 1");
	free(xml);
	/* deeper than libxml2's own limit: the same message */
	xml = nested_arrays(1000);
	xml_fails(xml, "t.plist:1: Nesting deeper than 128 levels at line 1");
	free(xml);
}

static void
test_huge_array(void **state)
{
	size_t n = 100000, i, len = 0;
	char *xml = malloc(n * 7 + 32);
	struct plist *p;

	assert_non_null(xml);
	len += (size_t)sprintf(xml, "<array>");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(xml + len, "<true/>");
	len += (size_t)sprintf(xml + len, "</array>");
	p = parse_bytes_ok(plist_parse_xml, xml, len);
	assert_int_equal(p->v.array.count, n);
	plist_free(p);
	free(xml);
}

/* --- libxml2 stays quiet and leaves no state behind ------------------------ */

static int handler_calls;

static void
counting_handler(void *ctx, const char *msg, ...)
{
	handler_calls++;
}

static void
test_libxml2_prints_nothing_and_restores_handler(void **state)
{
	char path[] = "/tmp/test_plist_xml.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct plist_error err;
	struct plist *p;
	struct stat st;

	assert_true(fd >= 0 && saved >= 0);
	xmlSetGenericErrorFunc(NULL, counting_handler);
	handler_calls = 0;
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(plist_parse_xml("<plist><dict>", 13, "x", &p, &err), -1);
	assert_int_equal(plist_parse_xml("<plist><string>&x;</string></plist>", 35, "x", &p, &err), -1);
	assert_int_equal(plist_parse_xml("<?xml version=\"1.0\" encoding=\"bogus\"?><a/>", 42,
	    "x", &p, &err), -1);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	close(fd);
	unlink(path);
	assert_int_equal(handler_calls, 0);
	assert_ptr_equal(xmlGenericError, counting_handler);
	assert_null(xmlGetLastError());
	xmlSetGenericErrorFunc(NULL, NULL);
}

/* --- plist.c: files, dispatch, lookup, messages ---------------------------- */

static void
write_file(const char *path, const char *bytes, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

static void
test_read_file(void **state)
{
	char dir[] = "/tmp/test_plist_read.XXXXXX", path[64], fifo[64], big[64];
	struct plist_error err;
	struct plist *p;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.plist", dir);
	write_file(path, "<plist><string>ok</string></plist>", 34);
	assert_int_equal(plist_read_file(path, &p, &err), 0);
	assert_str_value(p, "ok");
	plist_free(p);

	write_file(path, "<plist><integer>x</integer></plist>", 35);
	assert_int_equal(plist_read_file(path, &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 1);
	assert_true(strstr(err.message, "/a.plist:1: Unknown character 'x'") != NULL);

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(plist_read_file(fifo, &p, &err), -1);
	assert_true(strstr(err.message, "/fifo: not a regular file") != NULL);
	assert_int_equal(plist_read_file(dir, &p, &err), -1);
	assert_true(strstr(err.message, ": not a regular file") != NULL);

	snprintf(big, sizeof(big), "%s/big", dir);
	fd = open(big, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PLIST_MAX_FILE_SIZE + 1), 0);
	close(fd);
	assert_int_equal(plist_read_file(big, &p, &err), -1);
	assert_true(strstr(err.message, "/big: file is larger than 16777216 bytes") != NULL);

	unlink(big);
	unlink(fifo);
	unlink(path);
	assert_int_equal(plist_read_file(path, &p, &err), -1);
	assert_true(strstr(err.message, "/a.plist: cannot open: No such file or directory") != NULL);
	assert_int_equal(err.line, 0);
	rmdir(dir);
}

static void
test_parse_dispatches_on_magic(void **state)
{
	struct plist *p = parse_bytes_ok(plist_parse, "<string>x</string>", 18);

	assert_str_value(p, "x");
	plist_free(p);
	parse_bytes_fails(plist_parse, "bplist00", 8, "t.plist: binary plist: file is 8 bytes, "
	    "too short for a header, an object and a trailer");
}

static void
test_dict_get_and_type_names(void **state)
{
	struct plist *p = value_of("<dict><key>a</key><true/><key>A</key><false/></dict>");

	assert_true(plist_dict_get(p, "a")->v.boolean);
	assert_false(plist_dict_get(p, "A")->v.boolean);
	assert_null(plist_dict_get(p, "b"));
	assert_null(plist_dict_get(p->v.dict.entries[0].value, "a"));   /* not a dict */
	assert_null(plist_dict_get(NULL, "a"));
	plist_free(p);
	plist_free(NULL);
	assert_string_equal(plist_type_name(PLIST_DICT), "dictionary");
	assert_string_equal(plist_type_name(PLIST_ARRAY), "array");
	assert_string_equal(plist_type_name(PLIST_STRING), "string");
	assert_string_equal(plist_type_name(PLIST_INTEGER), "integer");
	assert_string_equal(plist_type_name(PLIST_REAL), "real");
	assert_string_equal(plist_type_name(PLIST_BOOL), "boolean");
	assert_string_equal(plist_type_name(PLIST_DATA), "data");
	assert_string_equal(plist_type_name(PLIST_DATE), "date");
}

static void
test_error_set_format(void **state)
{
	struct plist_error err;
	char longkey[300];

	assert_int_equal(plist_error_set(&err, "f.plist", 12, "ThrottleInterval",
	    "expected %s, found %s", "an integer", "<string>"), -1);
	assert_string_equal(err.message,
	    "f.plist:12: key ThrottleInterval: expected an integer, found <string>");
	assert_string_equal(err.file, "f.plist");
	assert_int_equal(err.line, 12);
	assert_string_equal(err.key, "ThrottleInterval");
	plist_error_set(&err, "f.plist", 0, NULL, "no line, no key");
	assert_string_equal(err.message, "f.plist: no line, no key");
	assert_string_equal(err.key, "");
	plist_error_set(&err, "f.plist", 0, "", "empty key");
	assert_string_equal(err.message, "f.plist: empty key");
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	plist_error_set(&err, "f.plist", 1, longkey, "%s", longkey);
	assert_int_equal(strlen(err.key), sizeof(err.key) - 1);
	assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
	assert_int_equal(plist_error_set(NULL, "f", 1, NULL, "ignored"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_demo_agent),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_integers_above_int64_max),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_arrays_and_dicts),
		cmocka_unit_test(test_duplicate_keys_last_wins),
		cmocka_unit_test(test_large_dict_with_duplicates),
		cmocka_unit_test(test_no_wrapper_no_doctype),
		cmocka_unit_test(test_comments_and_instructions_anywhere),
		cmocka_unit_test(test_trailing_garbage_ignored),
		cmocka_unit_test(test_attributes_and_default_namespace_ignored),
		cmocka_unit_test(test_cf_quirks_nested_plist_and_key_values),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_errors_document),
		cmocka_unit_test(test_errors_entities),
		cmocka_unit_test(test_errors_dict),
		cmocka_unit_test(test_errors_integer),
		cmocka_unit_test(test_errors_real_date_data_bool),
		cmocka_unit_test(test_errors_stray_text_line),
		cmocka_unit_test(test_error_key_path),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_huge_array),
		cmocka_unit_test(test_libxml2_prints_nothing_and_restores_handler),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_parse_dispatches_on_magic),
		cmocka_unit_test(test_dict_get_and_type_names),
		cmocka_unit_test(test_error_set_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
