/*
 * thread.c -- parking threads on wait queues, the run queue of their
 * continuations, and the timer heap of their deadlines.  See thread.h.
 */
#include "mono_clock.h"
#include "thread.h"
#include "kalloc.h"

static struct thread *runq_first, *runq_last;

/* Binary min-heap of parked threads with a deadline, 1-based. */
static struct thread **timer_heap;
static uint32_t timer_count, timer_cap;

void
waitq_init(struct waitq *wq)
{
	wq->wq_first = wq->wq_last = NULL;
}

bool
waitq_empty(const struct waitq *wq)
{
	return wq->wq_first == NULL;
}

struct thread *
waitq_first(const struct waitq *wq)
{
	return wq->wq_first;
}

static void
waitq_append(struct waitq *wq, struct thread *t)
{
	t->th_wq_next = NULL;
	t->th_wq_prev = wq->wq_last;
	if (wq->wq_last)
		wq->wq_last->th_wq_next = t;
	else
		wq->wq_first = t;
	wq->wq_last = t;
	t->th_waitq = wq;
}

static void
waitq_remove(struct thread *t)
{
	struct waitq *wq = t->th_waitq;

	if (t->th_wq_prev)
		t->th_wq_prev->th_wq_next = t->th_wq_next;
	else
		wq->wq_first = t->th_wq_next;
	if (t->th_wq_next)
		t->th_wq_next->th_wq_prev = t->th_wq_prev;
	else
		wq->wq_last = t->th_wq_prev;
	t->th_wq_next = t->th_wq_prev = NULL;
	t->th_waitq = NULL;
}

uint64_t
thread_now_ns(void)
{
	return mono_now_ns();
}

static void
heap_swap(uint32_t a, uint32_t b)
{
	struct thread *t = timer_heap[a];

	timer_heap[a] = timer_heap[b];
	timer_heap[b] = t;
	timer_heap[a]->th_heap_index = a;
	timer_heap[b]->th_heap_index = b;
}

static void
heap_up(uint32_t i)
{
	while (i > 1 && timer_heap[i / 2]->th_deadline > timer_heap[i]->th_deadline) {
		heap_swap(i, i / 2);
		i /= 2;
	}
}

static void
heap_down(uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i, r = l + 1, m = i;
		if (l <= timer_count && timer_heap[l]->th_deadline < timer_heap[m]->th_deadline)
			m = l;
		if (r <= timer_count && timer_heap[r]->th_deadline < timer_heap[m]->th_deadline)
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

/* false: no memory for the heap (the caller waits without a deadline). */
static bool
timer_insert(struct thread *t)
{
	if (timer_count + 1 >= timer_cap) {
		uint32_t cap = timer_cap ? timer_cap * 2 : 64;
		struct thread **h = krealloc(KA_TABLE, timer_heap, cap * sizeof(*h));
		if (h == NULL)
			return false;
		timer_heap = h;
		timer_cap = cap;
	}
	timer_heap[++timer_count] = t;
	t->th_heap_index = timer_count;
	heap_up(timer_count);
	return true;
}

static void
timer_remove(struct thread *t)
{
	uint32_t i = t->th_heap_index;

	if (i == 0)
		return;
	t->th_heap_index = 0;
	if (i != timer_count) {
		timer_heap[i] = timer_heap[timer_count];
		timer_heap[i]->th_heap_index = i;
		timer_count--;
		heap_down(i);
		heap_up(i);
	} else {
		timer_count--;
	}
}

void
thread_block(struct thread *thread, struct waitq *wq, int64_t timeout_ms,
    thread_continue_t cont)
{
	waitq_append(wq, thread);
	thread->th_cont = cont;
	thread->th_deadline = 0;
	if (timeout_ms >= 0) {
		thread->th_deadline = thread_now_ns() + (uint64_t)timeout_ms * 1000000ull;
		if (!timer_insert(thread))
			thread->th_deadline = 0;
	}
}

void
thread_unpark(struct thread *thread)
{
	if (thread->th_waitq != NULL)
		waitq_remove(thread);
	timer_remove(thread);
	thread->th_deadline = 0;
	if (thread->th_runnable) {
		/* Take it off the run queue too. */
		struct thread **pp = &runq_first, *prev = NULL;
		while (*pp && *pp != thread) {
			prev = *pp;
			pp = &(*pp)->th_run_next;
		}
		if (*pp) {
			*pp = thread->th_run_next;
			if (runq_last == thread)
				runq_last = prev;
		}
		thread->th_runnable = false;
	}
	thread->th_cont = NULL;
}

void
thread_wakeup(struct thread *thread, enum wait_result wr)
{
	if (thread->th_waitq == NULL)
		return;
	waitq_remove(thread);
	timer_remove(thread);
	thread->th_deadline = 0;
	thread->th_wresult = wr;
	thread->th_runnable = true;
	thread->th_run_next = NULL;
	if (runq_last)
		runq_last->th_run_next = thread;
	else
		runq_first = thread;
	runq_last = thread;
}

void
waitq_wakeup_all(struct waitq *wq, enum wait_result wr)
{
	while (wq->wq_first != NULL)
		thread_wakeup(wq->wq_first, wr);
}

void
thread_run_queue(void)
{
	while (runq_first != NULL) {
		struct thread *t = runq_first;
		thread_continue_t cont = t->th_cont;

		runq_first = t->th_run_next;
		if (runq_first == NULL)
			runq_last = NULL;
		t->th_runnable = false;
		t->th_run_next = NULL;
		t->th_cont = NULL;
		if (cont != NULL)
			cont(t, t->th_wresult);
	}
}

int
thread_timer_next_ms(void)
{
	uint64_t now, d;

	if (timer_count == 0)
		return -1;
	now = thread_now_ns();
	d = timer_heap[1]->th_deadline;
	if (d <= now)
		return 0;
	d = (d - now + 999999) / 1000000;
	return d > 60000 ? 60000 : (int)d;
}

void
thread_timer_expire(void)
{
	uint64_t now = thread_now_ns();

	while (timer_count > 0 && timer_heap[1]->th_deadline <= now)
		thread_wakeup(timer_heap[1], THREAD_TIMED_OUT);
}
