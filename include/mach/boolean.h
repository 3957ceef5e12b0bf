/*
 * <mach/boolean.h> -- boolean_t, TRUE and FALSE.
 *
 * Mirrors XNU osfmk/mach/boolean.h and osfmk/mach/arm/boolean.h.  machxfer
 * uses `int` on every architecture (XNU: int on arm64; unsigned int for
 * x86_64 user space).  TRUE / FALSE are only defined if nobody else did.
 */
#ifndef _MACH_BOOLEAN_H_
#define _MACH_BOOLEAN_H_

typedef int boolean_t;

#ifndef TRUE
#define TRUE    1
#endif
#ifndef FALSE
#define FALSE   0
#endif

#endif /* _MACH_BOOLEAN_H_ */
