/*
 * mach_codes.c -- name and text look-ups over the MACH_CODES table.
 *
 * Both are exact: a code with MACH_MSG_* special bits or-ed in is not a
 * row (callers that want the base code mask with ~MACH_MSG_MASK first).
 */
#include <stddef.h>

#include "mach_codes.h"

const char *
mach_code_name(int code)
{
	switch (code) {
#define X(name, text) case name: return #name;
	MACH_CODES(X)
#undef X
	default:
		return NULL;
	}
}

const char *
mach_code_string(int code)
{
	switch (code) {
#define X(name, text) case name: return text;
	MACH_CODES(X)
#undef X
	default:
		return NULL;
	}
}
