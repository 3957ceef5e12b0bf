/*
 * ipc_mqueue.h -- message queues of ports, and the receive side of sets.
 *
 * A port's mqueue holds its queued kmsgs in FIFO order (spec 6.2), the
 * threads blocked receiving directly on the port, and the threads blocked
 * sending to it because it is full.  A port set has only a receiver wait
 * queue and a prepost list (ipc_pset.h); its messages stay on the member
 * ports.
 *
 * Invariants:
 *  - imq_msgcount == number of kmsgs on imq_head..imq_tail.
 *  - "full" means imq_msgcount >= imq_qlimit (spec 6.1).
 *  - Threads wait to receive only while no message that they could take is
 *    queued: every post wakes waiters until the queue or the waiters run out.
 *  - imq_seqno is the number the next dequeued message gets (spec 6.4).
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_IPC_MQUEUE_H
#define MACHD_IPC_MQUEUE_H

#include "ipc_types.h"
#include "thread.h"

struct ipc_mqueue {
	ipc_kmsg_t    imq_head;
	ipc_kmsg_t    imq_tail;
	uint32_t      imq_msgcount;
	uint32_t      imq_qlimit;
	uint32_t      imq_seqno;
	struct waitq  imq_receivers;   /* threads receiving on this port */
	struct waitq  imq_senders;     /* threads blocked on a full queue */
};

void ipc_mqueue_init(struct ipc_mqueue *mq);

/*
 * Send `kmsg` (fully copied in) to its destination port.
 * Returns MACH_MSG_SUCCESS (queued, handed off, or silently destroyed
 * because the port is dead), MACH_SEND_TIMED_OUT or MACH_SEND_NO_BUFFER
 * (the kmsg is still the caller's: pseudo-receive it), or
 * MACH_SEND_IN_PROGRESS: `thread` was parked with the kmsg in th_kmsg and
 * `cont` runs later: with THREAD_AWAKENED the message was queued for it
 * (or destroyed because the port died) and th_kmsg is NULL; with
 * THREAD_TIMED_OUT / THREAD_INTERRUPTED th_kmsg is still the thread's.
 */
mach_msg_return_t ipc_mqueue_send(ipc_kmsg_t kmsg, uint64_t option,
    mach_msg_timeout_t timeout, struct thread *thread, thread_continue_t cont);

/* Queue a kernel-originated message (notifications, kobject replies):
 * never blocks, ignores qlimit, dropped at MACH_PORT_QLIMIT_KERNEL. */
void ipc_mqueue_send_always(ipc_kmsg_t kmsg);

/* Hand queued messages of `port` to parked receivers (direct or through a
 * set) while there are both. */
void ipc_mqueue_deliver(ipc_port_t port);

/*
 * Receive on `object` (a port or a port set) for `thread`, whose th_option,
 * th_rcv_size are set.  MACH_MSG_SUCCESS: a message was selected, see
 * th_rcv_kmsg / th_rcv_mr (SUCCESS, or MACH_RCV_TOO_LARGE with th_rcv_kmsg
 * NULL under MACH_RCV_LARGE, or with the dequeued message to destroy);
 * MACH_RCV_TIMED_OUT; MACH_RCV_IN_PROGRESS: parked, `cont` runs later
 * (THREAD_AWAKENED: selected as above).
 */
mach_msg_return_t ipc_mqueue_receive(struct thread *thread, ipc_object_t object,
    uint32_t timeout, thread_continue_t cont);

/* Take the first message from `port`'s queue (caller checked it exists);
 * assigns the seqno and lets one blocked sender in. */
ipc_kmsg_t ipc_mqueue_dequeue(ipc_port_t port);

/* Wake one blocked sender if the queue has room (after a dequeue or a
 * qlimit change). */
void ipc_mqueue_release_senders(ipc_port_t port);

/* Destroy every queued kmsg and fail every waiter (port death). */
void ipc_mqueue_destroy(ipc_port_t port);

#endif /* MACHD_IPC_MQUEUE_H */
