/*
 * libmach_private.h (tests) -- makes "libmach_private.h" resolve for test
 * programs, which get -Itests/harness but not -Isrc/libmach.  The real
 * header is src/libmach/libmach_private.h.
 */
#ifndef TESTS_LIBMACH_PRIVATE_H
#define TESTS_LIBMACH_PRIVATE_H

#include "../../src/libmach/libmach_private.h"

#endif /* TESTS_LIBMACH_PRIVATE_H */
