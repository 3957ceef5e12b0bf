/*
 * ld_test_proto.h -- the messages the launchd tests exchange with their
 * job program (ld_testjob.c).
 */
#ifndef LD_TEST_PROTO_H
#define LD_TEST_PROTO_H

#include <stdint.h>

#include <mach/message.h>

#define LD_MSG_ECHO     1000    /* reply LD_MSG_ECHO + 100 {pid, seq} */
#define LD_MSG_CRASH    1001    /* abort() */
#define LD_MSG_EXIT     1002    /* exit(seq) */

struct ld_echo {
	mach_msg_header_t h;
	int32_t           pid;          /* replies: the job's pid */
	uint32_t          seq;
};

#endif /* LD_TEST_PROTO_H */
