/*
 * test_sync_sema.c -- Mach semaphores (spec 7.4): creation and
 * destruction through the task port, the signal/wait traps between
 * threads and between tasks, timeouts, destruction while waited on, and
 * the name-translation errors of the traps.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#define TASK mach_task_self()

static const mach_timespec_t poll_now = { 0, 0 };
static const mach_timespec_t ten_seconds = { 10, 0 };

static semaphore_t
new_semaphore(int value)
{
	semaphore_t s = MACH_PORT_NULL;

	assert_kr(semaphore_create(TASK, &s, SYNC_POLICY_FIFO, value), KERN_SUCCESS);
	return s;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ----- threads ----------------------------------------------------------- */

struct waiter {
	semaphore_t     sema;
	semaphore_t     signal;         /* signalled after the wait, if valid */
	atomic_int     *started;
	atomic_int      done;
	kern_return_t   kr;
	pthread_t       th;
};

static void *
wait_thread(void *arg)
{
	struct waiter *w = arg;

	if (w->started != NULL)
		atomic_fetch_add(w->started, 1);
	w->kr = semaphore_timedwait(w->sema, ten_seconds);
	if (w->kr == KERN_SUCCESS && MACH_PORT_VALID(w->signal))
		(void)semaphore_signal(w->signal);
	atomic_store(&w->done, 1);
	return NULL;
}

/* Start waiters on `s` and give them time to block in machd. */
static void
start_waiters(struct waiter *w, int n, semaphore_t s, semaphore_t signal)
{
	atomic_int started = 0;
	int i;

	for (i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].sema = s;
		w[i].signal = signal;
		w[i].started = &started;
		w[i].kr = -1;
		assert_int_equal(pthread_create(&w[i].th, NULL, wait_thread, &w[i]), 0);
	}
	while (atomic_load(&started) < n)
		usleep(1000);
	usleep(300 * 1000);
	for (i = 0; i < n; i++) {
		w[i].started = NULL;
		assert_int_equal(atomic_load(&w[i].done), 0);
	}
}

static void
join_waiters(struct waiter *w, int n, kern_return_t want)
{
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(pthread_join(w[i].th, NULL), 0);
		assert_kr(w[i].kr, want);
	}
}

/* ----- creation -------------------------------------------------------- */

static void
test_create_destroy(void **state)
{
	semaphore_t s = 0xdeadbeef;
	uint64_t before[6], after[6];

	(void)state;
	/* 7.4: policy must be within FIFO|LIFO|PREPOST, value >= 0. */
	harness_stats(before);
	assert_kr(semaphore_create(TASK, &s, SYNC_POLICY_FIXED_PRIORITY, 0), KERN_INVALID_ARGUMENT);
	assert_kr(semaphore_create(TASK, &s, 8, 0), KERN_INVALID_ARGUMENT);
	assert_kr(semaphore_create(TASK, &s, SYNC_POLICY_FIFO, -1), KERN_INVALID_ARGUMENT);
	harness_stats(after);
	assert_int_equal(after[TU_SEMAS], before[TU_SEMAS]);
	assert_int_equal(after[TU_NAMES], before[TU_NAMES]);

	/* The caller gets one send right to the semaphore's port. */
	s = MACH_PORT_NULL;
	assert_kr(semaphore_create(TASK, &s, SYNC_POLICY_LIFO, 2), KERN_SUCCESS);
	assert_true(MACH_PORT_VALID(s));
	assert_int_equal(tu_type(s), MACH_PORT_TYPE_SEND);
	assert_int_equal(tu_refs(s, MACH_PORT_RIGHT_SEND), 1);
	harness_stats(after);
	assert_int_equal(after[TU_SEMAS], before[TU_SEMAS] + 1);
	/* The initial value is the count. */
	assert_kr(semaphore_timedwait(s, poll_now), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);
	/* destroy consumes the send right. */
	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
	assert_kr(tu_type_kr(s), KERN_INVALID_NAME);
	harness_stats(after);
	assert_int_equal(after[TU_SEMAS], before[TU_SEMAS]);

	assert_kr(semaphore_destroy(TASK, MACH_PORT_NULL), KERN_INVALID_ARGUMENT);

	/* Dropping the last send right frees it too: the port's no-senders
	 * drops the only reference (XNU semaphore_no_senders; the owner's
	 * list holds none), so nothing is left to leak until task death. */
	s = new_semaphore(0);
	assert_kr(mach_port_deallocate(TASK, s), KERN_SUCCESS);
	harness_stats(after);
	if (after[TU_SEMAS] != before[TU_SEMAS])
		fail_msg("semaphore still alive after its last send right went (%llu, before %llu)",
		    (unsigned long long)after[TU_SEMAS], (unsigned long long)before[TU_SEMAS]);
}

/* ----- signal and wait -------------------------------------------------- */

static void
test_signal_wait_threads(void **state)
{
	semaphore_t s = new_semaphore(0);
	struct waiter w;

	(void)state;
	start_waiters(&w, 1, s, MACH_PORT_NULL);
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	join_waiters(&w, 1, KERN_SUCCESS);
	/* The signal went to the waiter, not to the count. */
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	/* Without waiters signals accumulate. */
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_wait(s), KERN_SUCCESS);
	assert_kr(semaphore_wait(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
}

static void
test_timedwait(void **state)
{
	const mach_timespec_t fifty_ms = { 0, 50 * 1000 * 1000 };
	const mach_timespec_t bad_nsec = { 0, 1000 * 1000 * 1000 };
	const mach_timespec_t negative_nsec = { 0, -1 };
	semaphore_t s = new_semaphore(0);
	uint64_t t0, elapsed;

	(void)state;
	/* {0, 0} polls. */
	t0 = now_ms();
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);
	assert_true(now_ms() - t0 < 1000);

	t0 = now_ms();
	assert_kr(semaphore_timedwait(s, fifty_ms), KERN_OPERATION_TIMED_OUT);
	elapsed = now_ms() - t0;
	assert_true(elapsed >= 49);
	assert_true(elapsed < 5000);

	/* A bad timespec is refused before the name is even looked at. */
	assert_kr(semaphore_timedwait(s, bad_nsec), KERN_INVALID_VALUE);
	assert_kr(semaphore_timedwait(s, negative_nsec), KERN_INVALID_VALUE);
	assert_kr(semaphore_timedwait(MACH_PORT_NULL, bad_nsec), KERN_INVALID_VALUE);

	/* A pending signal satisfies a timed wait at once. */
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, fifty_ms), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
}

static void
test_signal_all(void **state)
{
	semaphore_t s = new_semaphore(0);
	struct waiter w[3];

	(void)state;
	start_waiters(w, 3, s, MACH_PORT_NULL);
	assert_kr(semaphore_signal_all(s), KERN_SUCCESS);
	join_waiters(w, 3, KERN_SUCCESS);
	/* Waking them reset the count to 0. */
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	/* With no waiters signal_all leaves the count alone. */
	assert_kr(semaphore_signal_all(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_signal_all(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
}

static void
test_wait_signal(void **state)
{
	const mach_timespec_t fifty_ms = { 0, 50 * 1000 * 1000 };
	semaphore_t ping = new_semaphore(0), pong = new_semaphore(0);
	struct waiter w;

	(void)state;
	/* Signal ping and wait for pong, which the woken thread signals. */
	start_waiters(&w, 1, ping, pong);
	assert_kr(semaphore_wait_signal(pong, ping), KERN_SUCCESS);
	join_waiters(&w, 1, KERN_SUCCESS);
	assert_kr(semaphore_timedwait(ping, poll_now), KERN_OPERATION_TIMED_OUT);
	assert_kr(semaphore_timedwait(pong, poll_now), KERN_OPERATION_TIMED_OUT);

	/* No waiter on the signalled one: its count goes up. */
	assert_kr(semaphore_signal(pong), KERN_SUCCESS);
	assert_kr(semaphore_wait_signal(pong, ping), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(ping, poll_now), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(pong, poll_now), KERN_OPERATION_TIMED_OUT);

	/* The timed form signals even when its own wait times out. */
	assert_kr(semaphore_timedwait_signal(pong, ping, fifty_ms), KERN_OPERATION_TIMED_OUT);
	assert_kr(semaphore_timedwait(ping, poll_now), KERN_SUCCESS);

	assert_kr(semaphore_destroy(TASK, ping), KERN_SUCCESS);
	assert_kr(semaphore_destroy(TASK, pong), KERN_SUCCESS);
}

/* signal_thread(THREAD_NULL): wake any one waiter, never count. */
static void
test_signal_thread_null(void **state)
{
	semaphore_t s = new_semaphore(0);
	struct waiter w;

	(void)state;
	assert_kr(semaphore_signal_thread(s, THREAD_NULL), KERN_NOT_WAITING);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	start_waiters(&w, 1, s, MACH_PORT_NULL);
	assert_kr(semaphore_signal_thread(s, THREAD_NULL), KERN_SUCCESS);
	join_waiters(&w, 1, KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
}

/* 7.4: destroy wakes waiters with KERN_TERMINATED; the port outlives
 * the semaphore while send rights remain, and every trap on it then
 * answers KERN_TERMINATED. */
static void
test_destroy_while_waiting(void **state)
{
	semaphore_t s = new_semaphore(0);
	struct waiter w[2];
	uint64_t before[6], after[6];

	(void)state;
	harness_stats(before);
	assert_kr(mach_port_mod_refs(TASK, s, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	start_waiters(w, 2, s, MACH_PORT_NULL);
	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
	join_waiters(w, 2, KERN_TERMINATED);
	assert_int_equal(tu_refs(s, MACH_PORT_RIGHT_SEND), 1);

	assert_kr(semaphore_wait(s), KERN_TERMINATED);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_TERMINATED);
	assert_kr(semaphore_signal(s), KERN_TERMINATED);
	assert_kr(semaphore_signal_all(s), KERN_TERMINATED);
	assert_kr(semaphore_signal_thread(s, THREAD_NULL), KERN_TERMINATED);

	assert_kr(mach_port_deallocate(TASK, s), KERN_SUCCESS);
	assert_kr(tu_type_kr(s), KERN_INVALID_NAME);
	harness_stats(after);
	assert_int_equal(after[TU_SEMAS], before[TU_SEMAS] - 1);
}

/* 7.4 name translation of the traps. */
static void
test_trap_name_errors(void **state)
{
	mach_port_t p = tu_port_send(), q = tu_port(), gone = tu_port();

	(void)state;
	assert_kr(mach_port_mod_refs(TASK, gone, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);

	assert_kr(semaphore_signal(MACH_PORT_NULL), KERN_INVALID_NAME);
	assert_kr(semaphore_wait(MACH_PORT_NULL), KERN_INVALID_NAME);
	assert_kr(semaphore_signal(MACH_PORT_DEAD), KERN_INVALID_NAME);
	assert_kr(semaphore_timedwait(MACH_PORT_DEAD, poll_now), KERN_INVALID_NAME);
	assert_kr(semaphore_signal(gone), KERN_INVALID_NAME);
	assert_kr(semaphore_signal_all(gone), KERN_INVALID_NAME);
	/* A receive right is not a send right. */
	assert_kr(semaphore_signal(q), KERN_INVALID_RIGHT);
	/* A send right to a port that is not a semaphore. */
	assert_kr(semaphore_signal(p), KERN_INVALID_CAPABILITY);
	assert_kr(semaphore_wait(p), KERN_INVALID_CAPABILITY);
	assert_kr(semaphore_timedwait(p, poll_now), KERN_INVALID_CAPABILITY);
	assert_kr(semaphore_signal_all(p), KERN_INVALID_CAPABILITY);
	assert_kr(semaphore_signal_thread(p, THREAD_NULL), KERN_INVALID_CAPABILITY);
	assert_kr(semaphore_signal(mach_task_self()), KERN_INVALID_CAPABILITY);
	/* Nothing happened to either port. */
	assert_int_equal(tu_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	assert_int_equal(tu_status(p).mps_msgcount, 0);
	assert_int_equal(tu_type(q), MACH_PORT_TYPE_RECEIVE);

	assert_kr(mach_port_destruct(TASK, p, -1, 0), KERN_SUCCESS);
	assert_kr(mach_port_mod_refs(TASK, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* ----- across tasks ------------------------------------------------------ */

#pragma pack(push, 4)
struct two_ports_msg {
	mach_msg_header_t          h;
	mach_msg_body_t            body;
	mach_msg_port_descriptor_t d[2];
};
#pragma pack(pop)

/*
 * The child reaches the parent through its inherited bootstrap port,
 * asks for the semaphores with a MAKE_SEND reply right to its own port,
 * then: waits on the first, signals the second, and destroys its right
 * to the first (it does not own it).
 */
static void
child_semaphores(void *arg)
{
	mach_port_t mine = tu_port();
	mach_msg_header_t h;
	tu_msg_t m;
	struct two_ports_msg tm;
	semaphore_t wait_on, signal_to;

	(void)arg;
	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	h.msgh_remote_port = bootstrap_port;
	h.msgh_local_port = mine;
	h.msgh_id = 100;
	assert_kr(mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	    MACH_MSG_SUCCESS);
	assert_kr(tu_recv(mine, &m, sizeof(m), 0, 10000), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 101);
	memcpy(&tm, m.bytes, sizeof(tm));
	assert_int_equal(tm.body.msgh_descriptor_count, 2);
	wait_on = tm.d[0].name;
	signal_to = tm.d[1].name;
	assert_int_equal(tm.d[0].disposition, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(tu_type(wait_on), MACH_PORT_TYPE_SEND);

	assert_kr(semaphore_timedwait(wait_on, ten_seconds), KERN_SUCCESS);
	assert_kr(semaphore_signal(signal_to), KERN_SUCCESS);
	/* Not the owner: only our reference goes (7.4). */
	assert_kr(semaphore_destroy(TASK, wait_on), KERN_SUCCESS);
	assert_kr(tu_type_kr(wait_on), KERN_INVALID_NAME);
}

static void
test_semaphores_across_tasks(void **state)
{
	semaphore_t s = new_semaphore(0), s2 = new_semaphore(0);
	mach_port_t boot = tu_port_send(), old = MACH_PORT_NULL, child_port;
	struct two_ports_msg tm;
	uint64_t before[6], after[6];
	tu_msg_t m;
	pid_t child;

	(void)state;
	harness_stats(before);
	assert_kr(task_get_special_port(TASK, TASK_BOOTSTRAP_PORT, &old), KERN_SUCCESS);
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, boot), KERN_SUCCESS);
	child = harness_fork(child_semaphores, NULL);
	assert_true(child > 0);
	assert_kr(tu_recv(boot, &m, sizeof(m), 0, 10000), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 100);
	/* The child has its bootstrap port (it used it): ours goes back. */
	assert_kr(task_set_special_port(TASK, TASK_BOOTSTRAP_PORT, old), KERN_SUCCESS);
	child_port = m.header.msgh_remote_port;
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.header.msgh_bits), MACH_MSG_TYPE_PORT_SEND);

	/* Pass both send rights (COPY_SEND port descriptors). */
	memset(&tm, 0, sizeof(tm));
	tm.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0);
	tm.h.msgh_remote_port = child_port;
	tm.h.msgh_id = 101;
	tm.body.msgh_descriptor_count = 2;
	tm.d[0].name = s;
	tm.d[0].disposition = MACH_MSG_TYPE_COPY_SEND;
	tm.d[0].type = MACH_MSG_PORT_DESCRIPTOR;
	tm.d[1].name = s2;
	tm.d[1].disposition = MACH_MSG_TYPE_COPY_SEND;
	tm.d[1].type = MACH_MSG_PORT_DESCRIPTOR;
	assert_kr(mach_msg(&tm.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(tm), 0, MACH_PORT_NULL, 0,
	    MACH_PORT_NULL), MACH_MSG_SUCCESS);

	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s2, ten_seconds), KERN_SUCCESS);
	assert_int_equal(harness_wait(child), 0);

	/* The child's semaphore_destroy did not destroy ours. */
	harness_stats(after);
	assert_int_equal(after[TU_SEMAS], before[TU_SEMAS]);
	assert_int_equal(tu_type(s), MACH_PORT_TYPE_SEND);
	assert_int_equal(tu_refs(s, MACH_PORT_RIGHT_SEND), 1);
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, poll_now), KERN_OPERATION_TIMED_OUT);

	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
	assert_kr(semaphore_destroy(TASK, s2), KERN_SUCCESS);
	if (MACH_PORT_VALID(old))
		assert_kr(mach_port_deallocate(TASK, old), KERN_SUCCESS);
	assert_kr(mach_port_destruct(TASK, boot, -1, 0), KERN_SUCCESS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_create_destroy),
		tu_test(test_signal_wait_threads),
		tu_test(test_timedwait),
		tu_test(test_signal_all),
		tu_test(test_wait_signal),
		tu_test(test_signal_thread_null),
		tu_test(test_destroy_while_waiting),
		tu_test(test_trap_name_errors),
		tu_test(test_semaphores_across_tasks),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
