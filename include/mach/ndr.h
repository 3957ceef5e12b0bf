/*
 * <mach/ndr.h> -- the NDR record MIG puts after a message header.
 *
 * Layout and values follow XNU osfmk/mach/ndr.h.  machxfer only runs on
 * little-endian hosts and performs no NDR conversion, so XNU's
 * __NDR_convert__* machinery is left out: NDR_record always describes
 * the host (NDR 2.0, little-endian integers, ASCII, IEEE floats).
 */
#ifndef _MACH_NDR_H_
#define _MACH_NDR_H_

#include <stddef.h>
#include <stdint.h>
#include <mach/_machxfer_cdefs.h>

typedef struct {
	unsigned char       mig_vers;
	unsigned char       if_vers;
	unsigned char       reserved1;
	unsigned char       mig_encoding;
	unsigned char       int_rep;
	unsigned char       char_rep;
	unsigned char       float_rep;
	unsigned char       reserved2;
} NDR_record_t;

#define NDR_PROTOCOL_2_0        0

#define NDR_INT_BIG_ENDIAN      0
#define NDR_INT_LITTLE_ENDIAN   1

#define NDR_FLOAT_IEEE          0
#define NDR_FLOAT_VAX           1
#define NDR_FLOAT_CRAY          2
#define NDR_FLOAT_IBM           3

#define NDR_CHAR_ASCII          0
#define NDR_CHAR_EBCDIC         1

#ifndef __NDR_convert__
#define __NDR_convert__ 0
#endif

__BEGIN_DECLS

extern NDR_record_t NDR_record;

__END_DECLS

_MACH_STATIC_ASSERT(sizeof(NDR_record_t) == 8, "NDR_record_t layout");
_MACH_STATIC_ASSERT(offsetof(NDR_record_t, int_rep) == 4, "NDR_record_t layout");

#endif /* _MACH_NDR_H_ */
