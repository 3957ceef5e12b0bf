/*
 * mach_msg.c -- the mach_msg trap, XNU's mach_msg_overwrite_trap: the send
 * half (get -> copyin_header -> copyin_body -> kobject server or enqueue),
 * then the receive half (select or park -> copyout), each with its
 * continuation for when the thread had to wait.  The whole path is drawn
 * in docs/architecture.md.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mach_msg.h"
#include "machd_server.h"
#include "ipc_kmsg.h"
#include "ipc_kobject.h"
#include "ipc_mqueue.h"
#include "ipc_port.h"
#include "ipc_pset.h"
#include "ipc_space.h"
#include "ipc_trace.h"
#include "task.h"
#include "memfd_sealed.h"

/* One buffer for every copyout: the kernel runs one call at a time. */
static uint8_t scratch[MXP_PAYLOAD_MAX + sizeof(mach_msg_max_trailer_t)];

#define IPC_KMSG_MAX_BODY_SPACE 50331580u

uint8_t *
mach_msg_scratch(void)
{
	return scratch;
}

static void mach_msg_trap_receive(struct thread *thread);

/* A buffer for a copyout of `size` bytes: the scratch, or a fresh one for
 * messages larger than a datagram (freed by reply_message). */
static uint8_t *
copyout_buffer(uint32_t size)
{
	if (size <= sizeof(scratch))
		return scratch;
	return malloc(size);
}

/*
 * Send the thread the message it receives (or gets back): inline, or as a
 * sealed memfd when it is larger than a datagram; the OOL memfds of the
 * copyout follow.  Frees a buffer from copyout_buffer.
 */
static void
reply_message(struct thread *thread, mach_msg_return_t mr, uint32_t flags, uint8_t *buf,
    uint32_t len)
{
	int fds[IKM_COPYOUT_FDS_MAX], nfds = 0;
	uint64_t v[6] = { 0 };
	const uint8_t *payload = buf;
	uint32_t plen = len;

	if (len > MXP_PAYLOAD_MAX) {
		int fd = memfd_create_sealed(buf, len);
		if (fd < 0) {
			nfds = ipc_kmsg_take_copyout_fds(fds, IKM_COPYOUT_FDS_MAX);
			while (nfds > 0)
				close(fds[--nfds]);
			if (buf != scratch)
				free(buf);
			thread_reply(thread, MACH_RCV_INVALID_DATA, 0, NULL, NULL, 0);
			return;
		}
		fds[nfds++] = fd;
		flags |= MXP_REP_BIG;
		v[5] = len;
		payload = NULL;
		plen = 0;
	}
	nfds += ipc_kmsg_take_copyout_fds(fds + nfds, IKM_COPYOUT_FDS_MAX - nfds);
	thread_reply_fds(thread, mr, flags, v, payload, plen, fds, nfds);
	if (buf != scratch)
		free(buf);
}

/* Spec 6.7: a fully copied-in message goes back into the sender. */
static void
mach_msg_pseudo_receive(struct thread *thread, ipc_kmsg_t kmsg, mach_msg_return_t mr)
{
	uint32_t len = 0;
	uint8_t *buf = copyout_buffer(ipc_kmsg_user_size(kmsg));

	if (buf == NULL) {
		ipc_kmsg_destroy(kmsg);
		thread_reply(thread, mr | MACH_MSG_VM_KERNEL, 0, NULL, NULL, 0);
		return;
	}
	mr |= ipc_kmsg_copyout(thread->th_task->itk_space, kmsg, thread->th_option,
	    MACH_PORT_NULL, true, 0, buf, &len);
	ipc_trace_step("pseudo-receive");
	ipc_trace_end(mr);
	reply_message(thread, mr, MXP_REP_TO_SENDBUF, buf, len);
}

static void
mach_msg_send_continue(struct thread *thread, enum wait_result wr)
{
	ipc_kmsg_t kmsg = thread->th_kmsg;

	if (wr == THREAD_AWAKENED && kmsg == IKM_NULL) {
		if (thread->th_option & MACH_RCV_MSG)
			mach_msg_trap_receive(thread);
		else
			thread_reply(thread, MACH_MSG_SUCCESS, 0, NULL, NULL, 0);
		return;
	}
	thread->th_kmsg = IKM_NULL;
	ipc_trace_begin(thread, "mach_msg", "blocked send ended");
	mach_msg_pseudo_receive(thread, kmsg,
	    wr == THREAD_TIMED_OUT ? MACH_SEND_TIMED_OUT : MACH_SEND_INTERRUPTED);
}

/*
 * The send half.  Returns MACH_MSG_SUCCESS (done: go on to receive),
 * MACH_SEND_IN_PROGRESS (parked, or already answered by pseudo-receive),
 * or an error to answer with.
 */
static void
close_all(const int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

/*
 * The send half.  `fds`: the memfds of the message's out-of-line regions
 * (always consumed).  *takenp: for a send error, how many descriptors had
 * their memory taken (machd_proto.h, v2).
 */
static mach_msg_return_t
mach_msg_trap_send(struct thread *thread, const uint8_t *msg, uint32_t send_size,
    mach_msg_timeout_t timeout, const int *fds, int nfds, uint32_t *takenp)
{
	struct task *task = thread->th_task;
	mach_msg_header_t hdr;
	ipc_kmsg_t kmsg;
	ipc_port_t dest;
	mach_msg_return_t mr;

	mr = ipc_kmsg_get(msg, send_size, &kmsg);
	if (mr != MACH_MSG_SUCCESS) {
		close_all(fds, nfds);
		return mr;
	}
	mr = ipc_kmsg_get_ool(kmsg, fds, nfds);
	if (mr != MACH_MSG_SUCCESS) {
		ipc_kmsg_free(kmsg);
		return mr;
	}
	mr = ipc_kmsg_charge(kmsg, task->t_ledger);
	if (mr != MACH_MSG_SUCCESS) {
		ipc_kmsg_free(kmsg);
		return mr;                     /* over the task's limit (step 2) */
	}
	memcpy(&hdr, msg, sizeof(hdr));
	mr = ipc_kmsg_copyin_header(task->itk_space, kmsg, &hdr, thread->th_option);
	if (mr != MACH_MSG_SUCCESS) {
		ipc_kmsg_free(kmsg);
		return mr;
	}
	dest = kmsg->ikm_remote;
	ipc_trace_step("copyin_header dest 0x%x %s->port#%llu reply 0x%x %s",
	    hdr.msgh_remote_port, ipc_trace_disposition(MACH_MSGH_BITS_REMOTE(hdr.msgh_bits)),
	    IP_VALID(dest) ? (unsigned long long)dest->ip_serial : 0ull,
	    hdr.msgh_local_port, ipc_trace_disposition(MACH_MSGH_BITS_LOCAL(hdr.msgh_bits)));
	mr = ipc_kmsg_copyin_body(task->itk_space, kmsg, takenp);
	if (mr != MACH_MSG_SUCCESS)
		return mr;                     /* the kmsg was destroyed */
	if (ipc_trace_enabled) {
		uint64_t bytes = 0;
		uint32_t i, regions = 0;
		for (i = 0; i < kmsg->ikm_dsc_count; i++)
			if (kmsg->ikm_dsc[i].memfd >= 0) {
				regions++;
				bytes += kmsg->ikm_dsc[i].size;
			}
		if (regions > 0)
			ipc_trace_step("copyin_body %u desc, %u OOL region%s %llu bytes (sealed memfd)",
			    kmsg->ikm_dsc_count, regions, regions > 1 ? "s" : "",
			    (unsigned long long)bytes);
		else
			ipc_trace_step("copyin_body %u desc", kmsg->ikm_dsc_count);
	}
	kmsg->ikm_sender = task->t_sec;
	kmsg->ikm_audit = task->t_audit;

	if (IP_VALID(dest) && ip_active(dest) && ip_is_kobject(dest)) {
		ipc_kobject_server(kmsg);
		return MACH_MSG_SUCCESS;
	}
	if (kmsg->ikm_circular) {
		ipc_trace_step("circular: destroyed");
		ipc_kmsg_destroy(kmsg);
		return MACH_MSG_SUCCESS;
	}
	ipc_trace_step("enqueue port#%llu", IP_VALID(dest) ? (unsigned long long)dest->ip_serial : 0ull);
	mr = ipc_mqueue_send(kmsg, thread->th_option, timeout, thread, mach_msg_send_continue);
	if (mr == MACH_SEND_TIMED_OUT || mr == MACH_SEND_NO_BUFFER) {
		mach_msg_pseudo_receive(thread, kmsg, mr);
		return MACH_SEND_IN_PROGRESS;
	}
	if (mr == MACH_SEND_IN_PROGRESS) {
		ipc_trace_step("blocked: queue full");
		ipc_trace_end(mr);       /* one line per call; the rest comes later */
	}
	return mr;
}

static void
mach_msg_receive_results(struct thread *thread)
{
	struct ipc_space *space = thread->th_task->itk_space;
	ipc_kmsg_t kmsg = thread->th_rcv_kmsg;
	uint64_t option = thread->th_option, context = 0;
	uint32_t rcv_size = thread->th_rcv_size, len = 0, size, tsize;
	uint8_t *buf;
	mach_msg_return_t mr;

	thread->th_rcv_kmsg = IKM_NULL;
	if (kmsg == IKM_NULL) {
		/* MACH_RCV_LARGE: the message stays; report its size. */
		uint64_t v[6] = { thread->th_rcv_large_size, thread->th_rcv_large_name };
		uint32_t flags = 0;
		if (rcv_size >= 8)
			flags |= MXP_REP_LARGE_SIZE;
		if ((option & MACH_RCV_LARGE_IDENTITY) && rcv_size >= 16)
			flags |= MXP_REP_LARGE_NAME;
		ipc_trace_step("too large (%u bytes): kept", thread->th_rcv_large_size);
		ipc_trace_end(MACH_RCV_TOO_LARGE);
		thread_reply(thread, MACH_RCV_TOO_LARGE, flags, v, NULL, 0);
		return;
	}
	if (IP_VALID(kmsg->ikm_remote))
		context = kmsg->ikm_remote->ip_context;
	if (thread->th_rcv_mr == MACH_RCV_TOO_LARGE) {
		if (rcv_size < sizeof(mach_msg_header_t)) {
			mr = ipc_kmsg_copyout_too_large(space, kmsg, option, context, scratch, 0, &len);
			ipc_trace_end(MACH_RCV_INVALID_DATA);
			thread_reply(thread, MACH_RCV_INVALID_DATA, 0, NULL, NULL, 0);
			return;
		}
		mr = ipc_kmsg_copyout_too_large(space, kmsg, option, context, scratch, rcv_size, &len);
		ipc_trace_step("too large: destroyed");
		ipc_trace_end(mr);
		thread_reply(thread, mr, MXP_REP_TO_RCVBUF, NULL, scratch, len);
		return;
	}
	size = ipc_kmsg_user_size(kmsg);
	tsize = ipc_kmsg_trailer_size(option);
	buf = copyout_buffer(size + tsize);
	if (buf == NULL) {
		/* No memory for the copy: the message is lost, as on a fault. */
		ipc_kmsg_destroy(kmsg);
		thread_reply(thread, MACH_RCV_INVALID_DATA, 0, NULL, NULL, 0);
		return;
	}
	ipc_kmsg_write_trailer(kmsg, option, context, buf + size);
	ipc_trace_step("copyout id %d seqno %u", kmsg->ikm_id, kmsg->ikm_seqno);
	mr = ipc_kmsg_copyout(space, kmsg, option, MACH_PORT_NULL, false,
	    thread->th_rcv_addr, buf, &len);
	if ((mr & ~MACH_MSG_MASK) == MACH_RCV_HEADER_ERROR)
		tsize = 0;                     /* a bare header (6.6): no trailer */
	ipc_trace_end(mr);
	reply_message(thread, mr, MXP_REP_TO_RCVBUF, buf, len + tsize);
}

static void
mach_msg_receive_continue(struct thread *thread, enum wait_result wr)
{
	mach_msg_return_t mr;

	switch (wr) {
	case THREAD_AWAKENED:
		ipc_trace_begin(thread, "mach_msg", "receive woke");
		mach_msg_receive_results(thread);
		return;
	case THREAD_TIMED_OUT:   mr = MACH_RCV_TIMED_OUT; break;
	case THREAD_INTERRUPTED: mr = MACH_RCV_INTERRUPTED; break;
	default:                 mr = MACH_RCV_PORT_CHANGED; break;
	}
	thread_reply(thread, mr, 0, NULL, NULL, 0);
}

static void
mach_msg_trap_receive(struct thread *thread)
{
	struct ipc_space *space = thread->th_task->itk_space;
	ipc_entry_t entry = ipc_entry_lookup(space, thread->th_rcv_name);
	ipc_object_t object;
	mach_msg_return_t mr;

	if (entry == IE_NULL || !(entry->ie_bits &
	    (MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_PORT_SET))) {
		ipc_trace_step("receive 0x%x", thread->th_rcv_name);
		ipc_trace_end(MACH_RCV_INVALID_NAME);
		thread_reply(thread, MACH_RCV_INVALID_NAME, 0, NULL, NULL, 0);
		return;
	}
	object = entry->ie_object;
	ipc_trace_step("receive 0x%x", thread->th_rcv_name);
	mr = ipc_mqueue_receive(thread, object, thread->th_rcv_timeout, mach_msg_receive_continue);
	if (mr == MACH_MSG_SUCCESS) {
		mach_msg_receive_results(thread);
		return;
	}
	if (mr == MACH_RCV_IN_PROGRESS) {
		ipc_trace_step("waiting");
		ipc_trace_end(mr);
		return;
	}
	ipc_trace_end(mr);
	thread_reply(thread, mr, 0, NULL, NULL, 0);
}

static const char *
option_name(uint64_t option)
{
	switch (option & (MACH_SEND_MSG | MACH_RCV_MSG)) {
	case MACH_SEND_MSG | MACH_RCV_MSG: return "mach_msg(SEND|RCV)";
	case MACH_SEND_MSG:                return "mach_msg(SEND)";
	case MACH_RCV_MSG:                 return "mach_msg(RCV)";
	default:                           return "mach_msg()";
	}
}

void
mach_msg_trap(struct thread *thread, const struct mxp_req *req, const uint8_t *msg,
    uint32_t len, const int *fds, int nfds)
{
	uint64_t option = req->a[0] & (uint64_t)(MACH_SEND_USER | MACH_RCV_USER);
	uint64_t send_size = req->a[1];
	mach_msg_return_t mr;

	thread->th_option = option;
	thread->th_rcv_size = req->a[2] > UINT32_MAX ? UINT32_MAX : (uint32_t)req->a[2];
	thread->th_rcv_name = (mach_port_name_t)req->a[3];
	thread->th_rcv_timeout = (uint32_t)req->a[4];
	thread->th_rcv_addr = req->a[6];

	if (!(option & MACH_SEND_MSG))
		close_all(fds, nfds);
	if (option & MACH_SEND_MSG) {
		mach_msg_header_t hdr;
		uint64_t v[6] = { 0 };
		uint32_t taken = 0;
		memset(&hdr, 0, sizeof(hdr));
		memcpy(&hdr, msg, len < sizeof(hdr) ? len : sizeof(hdr));
		ipc_trace_begin(thread, option_name(option), "id %d size %llu", hdr.msgh_id,
		    (unsigned long long)send_size);
		/* The size checks come first (spec 3.1 step 1); then the bytes
		 * must all be there, as a fault would say otherwise. */
		if (send_size < sizeof(mach_msg_header_t) || (send_size & 3u))
			mr = MACH_SEND_MSG_TOO_SMALL;
		else if (send_size > IPC_KMSG_MAX_BODY_SPACE)
			mr = MACH_SEND_TOO_LARGE;
		else if (len != send_size)
			mr = MACH_SEND_INVALID_DATA;
		else
			mr = MACH_MSG_SUCCESS;
		if (mr == MACH_MSG_SUCCESS)
			mr = mach_msg_trap_send(thread, msg, (uint32_t)send_size,
			    (mach_msg_timeout_t)req->a[4], fds, nfds, &taken);
		else
			close_all(fds, nfds);
		if (mr == MACH_SEND_IN_PROGRESS)
			return;
		if (mr != MACH_MSG_SUCCESS) {
			ipc_trace_end(mr);
			v[2] = taken;
			thread_reply(thread, mr, 0, v, NULL, 0);
			return;
		}
	} else {
		ipc_trace_begin(thread, option_name(option), NULL);
	}
	if (option & MACH_RCV_MSG) {
		mach_msg_trap_receive(thread);
		return;
	}
	ipc_trace_end(MACH_MSG_SUCCESS);
	thread_reply(thread, MACH_MSG_SUCCESS, 0, NULL, NULL, 0);
}

void
mach_msg_trap_memfd(struct thread *thread, const struct mxp_req *req, int memfd,
    const int *fds, int nfds)
{
	uint64_t size = req->a[1];
	void *msg = MAP_FAILED;

	if (size <= IPC_KMSG_MAX_BODY_SPACE && memfd_sealed_check(memfd, size))
		msg = mmap(NULL, size, PROT_READ, MAP_PRIVATE, memfd, 0);
	close(memfd);
	if (msg == MAP_FAILED) {
		/* Too large is refused by the size checks; anything else the
		 * kernel could not read. */
		close_all(fds, nfds);
		thread_reply(thread, size > IPC_KMSG_MAX_BODY_SPACE ? MACH_SEND_TOO_LARGE
		    : MACH_SEND_INVALID_DATA, 0, NULL, NULL, 0);
		return;
	}
	mach_msg_trap(thread, req, msg, (uint32_t)size, fds, nfds);
	munmap(msg, size);
}
