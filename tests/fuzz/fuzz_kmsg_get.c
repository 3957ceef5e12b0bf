/*
 * fuzz_kmsg_get.c -- fuzz target: message intake and copy-in
 * (src/kernel/ipc_kmsg.c) without the trap around them.
 *
 * The input is the message: ipc_kmsg_get reads it with send_size = the
 * input size, capped at FZ_SEND_SIZE_MAX to keep every input cheap (the
 * size limits themselves are fuzz_mach_msg's FZ_CALL_RAW_SIZE calls).  A
 * message it accepts has its header and descriptor names mapped onto the
 * fixture (fz_map_header, fz_map_kmsg) and goes through
 * ipc_kmsg_copyin_header and ipc_kmsg_copyin_body as task 1's; a message
 * fully copied in is then destroyed.  fz_end drains the queues (send-once
 * notifications), restores the fixture and checks for leaks.
 */
#include <string.h>

#include "fuzz_fixture.h"
#include "ipc_kmsg.h"
#include "task.h"

#define FZ_SEND_SIZE_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Steps 8-10 of spec 3.1 for a message ipc_kmsg_get accepted. */
static void
fz_copyin(ipc_kmsg_t kmsg, const uint8_t *data)
{
	struct ipc_space *space = fz_task(0)->itk_space;
	mach_msg_header_t hdr;

	memcpy(&hdr, data, sizeof(hdr));        /* send_size >= 24 was checked */
	fz_map_header(&hdr);
	fz_map_kmsg(kmsg);
	if (ipc_kmsg_copyin_header(space, kmsg, &hdr, 0) != MACH_MSG_SUCCESS) {
		ipc_kmsg_free(kmsg);                /* nothing was taken */
		return;
	}
	if (ipc_kmsg_copyin_body(space, kmsg, NULL) != MACH_MSG_SUCCESS)
		return;                             /* the kmsg was destroyed */
	ipc_kmsg_destroy(kmsg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t send_size = size > FZ_SEND_SIZE_MAX ? FZ_SEND_SIZE_MAX : (uint32_t)size;
	ipc_kmsg_t kmsg = IKM_NULL;

	fz_begin();
	if (ipc_kmsg_get(data, send_size, &kmsg) == MACH_MSG_SUCCESS)
		fz_copyin(kmsg, data);
	fz_end();
	return 0;
}
