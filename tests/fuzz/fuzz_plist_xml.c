/*
 * fuzz_plist_xml.c -- fuzz target: the XML plist reader
 * (src/launchd/plist_xml.c) and job_spec_from_plist on what it returns.
 * The input is the file's bytes; fuzz_plist_check.h checks the results.
 */
#include "fuzz_plist_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(plist_parse_xml, data, size, 0);
	return 0;
}
