/*
 * thread.h -- a Mach thread as machd sees it: one channel to one OS thread.
 *
 * Each OS thread that calls into machd owns one connected SOCK_SEQPACKET
 * channel, so one thread blocked in a receive never blocks another.  A
 * thread record serves one request at a time.  A request that cannot
 * finish at once (receive on an empty queue, send to a full queue,
 * semaphore wait) parks the thread on a wait queue with a continuation;
 * whatever later satisfies it (a message, a freed slot, a signal, a
 * deadline, the death of the object) calls thread_wakeup, which unparks it
 * and puts it on the run queue; the event loop then runs its continuation
 * (thread_run_queue), which sends the one reply.  Continuations never run
 * inside the code that woke them, so no kernel routine is re-entered.
 * As in XNU's ipc_mqueue_post, a message for a parked receiver is handed
 * to it at once (th_rcv_kmsg), so a second message wakes a second receiver.
 *
 * Invariants:
 *  - th_waitq != NULL  <=>  the thread is parked, th_cont != NULL.
 *  - A parked thread with a deadline is in the timer heap (th_heap_index).
 *  - th_task is set once at HELLO and never changes.
 * Who may touch: the kernel (event loop) only.
 */
#ifndef MACHD_THREAD_H
#define MACHD_THREAD_H

#include "ipc_types.h"
#include "machd_proto.h"

/* Why a parked thread was woken (XNU's wait results). */
enum wait_result {
	THREAD_AWAKENED = 0,      /* the condition may hold now: look again */
	THREAD_TIMED_OUT = 1,
	THREAD_INTERRUPTED = 2,   /* MXP_OP_CANCEL: a signal in the caller */
	THREAD_RESTART = 3,       /* the object died or moved away */
};

struct waitq {
	struct thread *wq_first;
	struct thread *wq_last;
};

typedef void (*thread_continue_t)(struct thread *thread, enum wait_result wr);

struct thread {
	int              th_fd;
	uint64_t         th_serial;
	struct task     *th_task;
	struct thread   *th_task_next;      /* task's list of threads */
	struct thread   *th_task_prev;

	bool             th_busy;           /* serving a request, reply not sent */
	struct mxp_req   th_req;            /* the request being served */

	/* Parking (see invariants). */
	struct waitq    *th_waitq;
	struct thread   *th_wq_next;
	struct thread   *th_wq_prev;
	thread_continue_t th_cont;
	uint64_t         th_deadline;       /* CLOCK_MONOTONIC ns; 0: none */
	uint32_t         th_heap_index;     /* 1-based slot in the timer heap; 0: none */

	/* Run queue. */
	struct thread   *th_run_next;
	bool             th_runnable;
	enum wait_result th_wresult;

	/* mach_msg in progress (mach_msg.c). */
	ipc_kmsg_t       th_kmsg;           /* message blocked in send */
	uint64_t         th_option;         /* mach_msg option64 */
	uint32_t         th_rcv_size;       /* receive limit */
	mach_port_name_t th_rcv_name;
	uint32_t         th_rcv_timeout;
	uint64_t         th_rcv_addr;       /* receive buffer address (guarded descriptors) */
	ipc_kmsg_t       th_rcv_kmsg;       /* message handed to a parked receiver */
	mach_msg_return_t th_rcv_mr;        /* how it was handed (SUCCESS or RCV_TOO_LARGE) */
	uint32_t         th_rcv_large_size; /* RCV_LARGE: size to report */
	mach_port_name_t th_rcv_large_name; /* RCV_LARGE_IDENTITY: where it sits */
	void            *th_wait_object;    /* port, port set or semaphore waited on */
	mach_msg_return_t th_send_mr;       /* result of the send half */

	/* Reply that could not be written yet (the client is slow to read). */
	uint8_t         *th_out;
	size_t           th_out_len;
	int              th_out_fds[MXP_FDS_MAX]; /* fds to pass with it */
	int              th_out_nfds;
};

void waitq_init(struct waitq *wq);
bool waitq_empty(const struct waitq *wq);
struct thread *waitq_first(const struct waitq *wq);

/* Park `thread` on `wq` until thread_wakeup; deadline_ms < 0: none. */
void thread_block(struct thread *thread, struct waitq *wq, int64_t timeout_ms,
    thread_continue_t cont);
/* Unpark and queue the continuation.  Does nothing to a thread that is
 * not parked. */
void thread_wakeup(struct thread *thread, enum wait_result wr);
/* Run every queued continuation (event loop, after each event). */
void thread_run_queue(void);
/* Take a thread off everything (its channel closed). */
void thread_unpark(struct thread *thread);
/* Wake every thread on `wq` with `wr`. */
void waitq_wakeup_all(struct waitq *wq, enum wait_result wr);

/* Timer heap. */
uint64_t thread_now_ns(void);
/* Milliseconds until the earliest deadline, -1 if none (epoll timeout). */
int thread_timer_next_ms(void);
/* Wake every thread whose deadline has passed. */
void thread_timer_expire(void);

#endif /* MACHD_THREAD_H */
