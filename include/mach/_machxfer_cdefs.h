/*
 * _machxfer_cdefs.h -- private helper shared by the machxfer Mach headers.
 *
 * Not a macOS header; nothing outside include/mach and include/servers
 * should include it.  It supplies the two things XNU's headers take from
 * Darwin's <sys/cdefs.h>: the __BEGIN_DECLS / __END_DECLS pair for C++,
 * and a static assertion that works from both C11 and C++11, used to pin
 * every wire-visible layout to the values of spec/mach-constants.tsv.
 */
#ifndef _MACH_MACHXFER_CDEFS_H_
#define _MACH_MACHXFER_CDEFS_H_

#if defined(__has_include)
#if __has_include(<sys/cdefs.h>)
#include <sys/cdefs.h>
#endif
#endif

#ifndef __BEGIN_DECLS
#ifdef __cplusplus
#define __BEGIN_DECLS   extern "C" {
#define __END_DECLS     }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif
#endif

#ifdef __cplusplus
#define _MACH_STATIC_ASSERT(expr, msg)  static_assert(expr, msg)
#else
#define _MACH_STATIC_ASSERT(expr, msg)  _Static_assert(expr, msg)
#endif

#endif /* _MACH_MACHXFER_CDEFS_H_ */
