/*
 * ipc_mqueue.c -- queueing, hand-off to parked receivers, blocked senders,
 * and queue destruction.  Invariants are in ipc_mqueue.h; the rules are
 * spec 6.1-6.5.
 */
#include "ipc_mqueue.h"
#include "ipc_port.h"
#include "ipc_pset.h"
#include "ipc_kmsg.h"

void
ipc_mqueue_init(struct ipc_mqueue *mq)
{
	mq->imq_head = mq->imq_tail = IKM_NULL;
	mq->imq_msgcount = 0;
	mq->imq_qlimit = MACH_PORT_QLIMIT_DEFAULT;
	mq->imq_seqno = 0;
	waitq_init(&mq->imq_receivers);
	waitq_init(&mq->imq_senders);
}

static void
enqueue_tail(ipc_port_t port, ipc_kmsg_t kmsg)
{
	struct ipc_mqueue *mq = &port->ip_messages;

	kmsg->ikm_next = IKM_NULL;
	if (mq->imq_tail)
		mq->imq_tail->ikm_next = kmsg;
	else
		mq->imq_head = kmsg;
	mq->imq_tail = kmsg;
	if (mq->imq_msgcount++ == 0)
		ipc_pset_prepost(port);
}

ipc_kmsg_t
ipc_mqueue_dequeue(ipc_port_t port)
{
	struct ipc_mqueue *mq = &port->ip_messages;
	ipc_kmsg_t kmsg = mq->imq_head;

	mq->imq_head = kmsg->ikm_next;
	if (mq->imq_head == IKM_NULL)
		mq->imq_tail = IKM_NULL;
	kmsg->ikm_next = IKM_NULL;
	if (--mq->imq_msgcount == 0)
		ipc_pset_unprepost(port);
	kmsg->ikm_seqno = mq->imq_seqno++;
	if (ip_sp_armed(port) > 0)
		ipc_port_spnotify(port);     /* room now: send-possible fires */
	return kmsg;
}

/*
 * The head message of `port` goes to `thread` (spec 6.5): it fits; or it
 * does not and MACH_RCV_LARGE keeps it queued; or it does not and it is
 * dequeued to be destroyed.
 */
static void
select_on_thread(ipc_port_t port, struct thread *thread)
{
	ipc_kmsg_t kmsg = port->ip_messages.imq_head;
	uint32_t size = ipc_kmsg_user_size(kmsg);
	uint64_t need = (uint64_t)size + ipc_kmsg_trailer_size(thread->th_option);

	if (thread->th_rcv_size < need) {
		thread->th_rcv_mr = MACH_RCV_TOO_LARGE;
		if (thread->th_option & MACH_RCV_LARGE) {
			thread->th_rcv_kmsg = IKM_NULL;
			thread->th_rcv_large_size = size;
			thread->th_rcv_large_name = port->ip_receiver_name;
			return;
		}
	} else {
		thread->th_rcv_mr = MACH_MSG_SUCCESS;
	}
	thread->th_rcv_kmsg = ipc_mqueue_dequeue(port);
	ipc_mqueue_release_senders(port);
}

void
ipc_mqueue_deliver(ipc_port_t port)
{
	while (port->ip_messages.imq_msgcount > 0) {
		struct thread *t = waitq_first(&port->ip_messages.imq_receivers);
		if (t == NULL)
			t = ipc_pset_first_receiver(port);
		if (t == NULL)
			return;
		select_on_thread(port, t);
		thread_wakeup(t, THREAD_AWAKENED);
	}
}

static void
ipc_mqueue_post(ipc_port_t port, ipc_kmsg_t kmsg)
{
	enqueue_tail(port, kmsg);
	ipc_mqueue_deliver(port);
}

mach_msg_return_t
ipc_mqueue_send(ipc_kmsg_t kmsg, uint64_t option, mach_msg_timeout_t timeout,
    struct thread *thread, thread_continue_t cont)
{
	ipc_port_t port = kmsg->ikm_remote;
	struct ipc_mqueue *mq = &port->ip_messages;
	bool sonce = MACH_MSGH_BITS_REMOTE(kmsg->ikm_bits) == MACH_MSG_TYPE_PORT_SEND_ONCE;

	if (!ip_active(port)) {
		/* Spec 6.1: the sender never learns the port died. */
		ipc_kmsg_destroy(kmsg);
		return MACH_MSG_SUCCESS;
	}
	if (!sonce && !kmsg->ikm_kernel && mq->imq_msgcount >= mq->imq_qlimit) {
		if ((option & MACH_SEND_TIMEOUT) && timeout == 0)
			return MACH_SEND_TIMED_OUT;
		if (mq->imq_msgcount >= MACH_PORT_QLIMIT_KERNEL)
			return MACH_SEND_NO_BUFFER;
		thread->th_kmsg = kmsg;
		thread_block(thread, &mq->imq_senders,
		    (option & MACH_SEND_TIMEOUT) ? (int64_t)timeout : -1, cont);
		return MACH_SEND_IN_PROGRESS;
	}
	if (mq->imq_msgcount >= MACH_PORT_QLIMIT_KERNEL)
		return MACH_SEND_NO_BUFFER;
	ipc_mqueue_post(port, kmsg);
	return MACH_MSG_SUCCESS;
}

void
ipc_mqueue_send_always(ipc_kmsg_t kmsg)
{
	ipc_port_t port = kmsg->ikm_remote;

	if (kmsg->ikm_circular || !ip_active(port) || ip_is_kobject(port) ||
	    port->ip_messages.imq_msgcount >= MACH_PORT_QLIMIT_KERNEL) {
		ipc_kmsg_destroy(kmsg);     /* circular (4.5), or nowhere to go */
		return;
	}
	ipc_mqueue_post(port, kmsg);
}

void
ipc_mqueue_release_senders(ipc_port_t port)
{
	struct ipc_mqueue *mq = &port->ip_messages;

	while (ip_active(port) && mq->imq_msgcount < mq->imq_qlimit &&
	    !waitq_empty(&mq->imq_senders)) {
		struct thread *t = waitq_first(&mq->imq_senders);
		ipc_kmsg_t kmsg = t->th_kmsg;

		t->th_kmsg = IKM_NULL;
		thread_wakeup(t, THREAD_AWAKENED);
		ipc_mqueue_post(port, kmsg);
	}
}

mach_msg_return_t
ipc_mqueue_receive(struct thread *thread, ipc_object_t object, uint32_t timeout,
    thread_continue_t cont)
{
	ipc_port_t port = IP_NULL;
	struct waitq *wq;

	if (io_otype(object) == IOT_PORT) {
		port = (ipc_port_t)object;
		wq = &port->ip_messages.imq_receivers;
		if (port->ip_messages.imq_msgcount == 0)
			port = IP_NULL;
	} else {
		ipc_pset_t pset = (ipc_pset_t)object;
		wq = &pset->ips_receivers;
		port = ipc_pset_select(pset);
	}
	if (port != IP_NULL) {
		select_on_thread(port, thread);
		return MACH_MSG_SUCCESS;
	}
	if ((thread->th_option & MACH_RCV_TIMEOUT) && timeout == 0)
		return MACH_RCV_TIMED_OUT;
	thread->th_rcv_kmsg = IKM_NULL;
	thread_block(thread, wq,
	    (thread->th_option & MACH_RCV_TIMEOUT) ? (int64_t)timeout : -1, cont);
	return MACH_RCV_IN_PROGRESS;
}

void
ipc_mqueue_destroy(ipc_port_t port)
{
	struct ipc_mqueue *mq = &port->ip_messages;

	/* Blocked senders: their messages are destroyed, the send "succeeds". */
	while (!waitq_empty(&mq->imq_senders)) {
		struct thread *t = waitq_first(&mq->imq_senders);
		ipc_kmsg_t kmsg = t->th_kmsg;

		t->th_kmsg = IKM_NULL;
		thread_wakeup(t, THREAD_AWAKENED);
		if (kmsg != IKM_NULL)
			ipc_kmsg_destroy(kmsg);
	}
	waitq_wakeup_all(&mq->imq_receivers, THREAD_RESTART);
	while (mq->imq_head != IKM_NULL) {
		ipc_kmsg_t kmsg = mq->imq_head;
		mq->imq_head = kmsg->ikm_next;
		mq->imq_msgcount--;
		ipc_kmsg_destroy(kmsg);
	}
	mq->imq_tail = IKM_NULL;
	ipc_pset_unprepost(port);
}
