/*
 * fuzz_plist_binary.c -- fuzz target: the binary plist reader
 * (src/launchd/plist_binary.c) and job_spec_from_plist on what it
 * returns.  The input is the file's bytes; fuzz_plist_check.h checks the
 * results.  Inputs need not start with "bplist00": the reader must refuse
 * them cleanly too.
 */
#include "fuzz_plist_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(plist_parse_binary, data, size, 1);
	return 0;
}
