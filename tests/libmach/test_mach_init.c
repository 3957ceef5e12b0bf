/*
 * test_mach_init.c -- how a thread waits for machd's answer
 * (src/libmach/mach_init.c, chan_recv):
 *  - a signal handler installed with SA_RESTART still interrupts a wait
 *    that asked for interruptions, as it interrupts a Mach trap
 *    (MACH_RCV_INTERRUPTED, KERN_ABORTED), and leaves the port and the
 *    channel as they were;
 *  - a wait without the INTERRUPT options outlives any number of signals
 *    (libsyscall's retry) and still gets its message;
 *  - a stop and a continue (SIGSTOP, SIGCONT: no handler runs) end no
 *    wait, interruptible or not;
 *  - the adaptive spin before sleeping is tried only where it can help:
 *    with more than one CPU to run on, for waits no signal may interrupt,
 *    and not at all with LIBMACH_SPIN_US=0.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"
#include "libmach_private.h"

#define TASK mach_task_self()

static atomic_int handled;

static void
on_sigusr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

/* SIGUSR1 runs a handler that asks the kernel to restart system calls. */
static void
install_restart_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ----- a waiting thread ------------------------------------------------------ */

enum wait_kind { WAIT_RCV, WAIT_SEMA };

struct waiter {
	enum wait_kind    kind;
	mach_port_t       name;        /* port or semaphore */
	mach_msg_option_t options;     /* WAIT_RCV: extra options */
	pthread_t         thread;
	atomic_bool       done;
	kern_return_t     kr;
	tu_msg_t          msg;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	if (w->kind == WAIT_SEMA) {
		w->kr = semaphore_wait(w->name);
	} else {
		memset(&w->msg, 0, sizeof(w->msg));
		w->kr = mach_msg(&w->msg.header, MACH_RCV_MSG | w->options, 0, sizeof(w->msg),
		    w->name, 0, MACH_PORT_NULL);
	}
	atomic_store(&w->done, true);
	return NULL;
}

static void
waiter_start(struct waiter *w, enum wait_kind kind, mach_port_t name, mach_msg_option_t options)
{
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->name = name;
	w->options = options;
	assert_int_equal(pthread_create(&w->thread, NULL, waiter_main, w), 0);
}

/* Signal the waiter every 20 ms until it returns (at most 5 s): a signal
 * that lands before the wait began only runs the handler, a later one
 * lands in the wait. */
static void
signal_until_done(struct waiter *w)
{
	for (int i = 0; i < 250 && !atomic_load(&w->done); i++) {
		assert_int_equal(pthread_kill(w->thread, SIGUSR1), 0);
		sleep_ms(20);
	}
	assert_true(atomic_load(&w->done));
	assert_int_equal(pthread_join(w->thread, NULL), 0);
}

/* ----- signals ------------------------------------------------------------- */

static void
test_rcv_interrupt_with_sa_restart(void **state)
{
	struct waiter w;
	mach_port_t p = tu_port();
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	tu_msg_t m;

	(void)state;
	install_restart_handler();
	atomic_store(&handled, 0);
	waiter_start(&w, WAIT_RCV, p, MACH_RCV_INTERRUPT);
	signal_until_done(&w);
	assert_kr(w.kr, MACH_RCV_INTERRUPTED);
	assert_true(atomic_load(&handled) >= 1);

	/* Nothing was taken off the port or left half done: it is empty and
	 * intact, and this thread's channel carries the next call. */
	assert_kr(mach_port_get_attributes(TASK, p, MACH_PORT_RECEIVE_STATUS, (mach_port_info_t)&st,
	    &cnt), KERN_SUCCESS);
	assert_int_equal(st.mps_msgcount, 0);
	tu_expect_empty(p);
	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 1201, 64), MACH_MSG_SUCCESS);
	assert_kr(tu_recv(p, &m, sizeof(m), 0, 1000), MACH_MSG_SUCCESS);
	assert_int_equal(m.header.msgh_id, 1201);
	tu_check_body(&m);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

static void
test_rcv_without_interrupt_outlives_signals(void **state)
{
	struct waiter w;
	mach_port_t p = tu_port();

	(void)state;
	install_restart_handler();
	atomic_store(&handled, 0);
	waiter_start(&w, WAIT_RCV, p, 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(pthread_kill(w.thread, SIGUSR1), 0);
		sleep_ms(10);
	}
	assert_true(atomic_load(&handled) >= 10);
	assert_false(atomic_load(&w.done));
	assert_kr(tu_send(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 1202, 100), MACH_MSG_SUCCESS);
	assert_int_equal(pthread_join(w.thread, NULL), 0);
	assert_kr(w.kr, MACH_MSG_SUCCESS);
	assert_int_equal(w.msg.header.msgh_id, 1202);
	assert_int_equal(w.msg.header.msgh_size, 100);
	tu_check_body(&w.msg);
	tu_expect_empty(p);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

static void
test_semaphore_wait_aborted_with_sa_restart(void **state)
{
	static const mach_timespec_t now = { 0, 0 };
	struct waiter w;
	semaphore_t s = MACH_PORT_NULL;

	(void)state;
	install_restart_handler();
	assert_kr(semaphore_create(TASK, &s, SYNC_POLICY_FIFO, 0), KERN_SUCCESS);
	waiter_start(&w, WAIT_SEMA, s, 0);
	signal_until_done(&w);
	assert_kr(w.kr, KERN_ABORTED);
	/* The count is untouched: a signal is not a semaphore_signal. */
	assert_kr(semaphore_timedwait(s, now), KERN_OPERATION_TIMED_OUT);
	assert_kr(semaphore_signal(s), KERN_SUCCESS);
	assert_kr(semaphore_timedwait(s, now), KERN_SUCCESS);
	assert_kr(semaphore_destroy(TASK, s), KERN_SUCCESS);
}

/* A stop and a continue run no handler: like a Mach trap, an interruptible
 * wait sleeps on through them.  In a child, which the test stops. */
struct stop_child {
	int ready[2];            /* child -> parent: the wait has begun */
	int go[2];               /* parent -> child: signal the semaphore */
};

static void
child_wait_through_stop(void *arg)
{
	struct stop_child *sc = arg;
	struct waiter w;
	semaphore_t s = MACH_PORT_NULL;
	char c = 'r';

	if (libmach_reinit() != 0 || semaphore_create(TASK, &s, SYNC_POLICY_FIFO, 0) != KERN_SUCCESS)
		_exit(10);
	waiter_start(&w, WAIT_SEMA, s, 0);
	sleep_ms(100);                     /* the waiter is in its wait by now */
	if (write(sc->ready[1], &c, 1) != 1 || read(sc->go[0], &c, 1) != 1)
		_exit(11);
	if (atomic_load(&w.done))
		_exit(12);                 /* the stop ended the wait */
	if (semaphore_signal(s) != KERN_SUCCESS)
		_exit(13);
	pthread_join(w.thread, NULL);
	_exit(w.kr == KERN_SUCCESS ? 0 : 14);
}

static void
test_wait_outlives_stop_and_continue(void **state)
{
	struct stop_child sc;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(sc.ready), 0);
	assert_int_equal(pipe(sc.go), 0);
	pid = harness_fork(child_wait_through_stop, &sc);
	assert_true(pid > 0);
	assert_int_equal(read(sc.ready[0], &c, 1), 1);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	sleep_ms(50);
	assert_int_equal(kill(pid, SIGCONT), 0);
	sleep_ms(50);
	assert_int_equal(write(sc.go[1], &c, 1), 1);
	assert_int_equal(harness_wait(pid), 0);
	close(sc.ready[0]);
	close(sc.ready[1]);
	close(sc.go[0]);
	close(sc.go[1]);
}

/* ----- adaptive spinning ----------------------------------------------------- */

struct spin_probe {
	mach_port_t       port;
	mach_msg_option_t options;
	int               cpu;         /* pin to it; -1: every CPU of the process */
	uint64_t          tries;       /* spins during the call */
	kern_return_t     kr;
};

/* One receive with a zero timeout on an empty port, on a fresh thread
 * (its affinity is checked at its first wait). */
static void *
spin_probe_main(void *arg)
{
	struct spin_probe *p = arg;
	uint64_t t0;
	tu_msg_t m;

	if (p->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(p->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			return NULL;
	}
	t0 = libmach_spin_tries();
	p->kr = tu_recv(p->port, &m, sizeof(m), p->options, 0);
	p->tries = libmach_spin_tries() - t0;
	return NULL;
}

static uint64_t
spin_probe(mach_port_t port, mach_msg_option_t options, int cpu)
{
	struct spin_probe p = { .port = port, .options = options, .cpu = cpu, .kr = KERN_FAILURE };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, spin_probe_main, &p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_kr(p.kr, MACH_RCV_TIMED_OUT);
	return p.tries;
}

static int
cpus_allowed(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
}

static void
test_spin_only_with_another_cpu(void **state)
{
	mach_port_t p = tu_port();
	cpu_set_t set;
	int first = 0;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	while (first < CPU_SETSIZE && !CPU_ISSET(first, &set))
		first++;
	/* One CPU: a spin would only keep machd from running. */
	assert_int_equal(spin_probe(p, 0, first), 0);
	/* A wait that a signal may interrupt never spins. */
	assert_int_equal(spin_probe(p, MACH_RCV_INTERRUPT, -1), 0);
	if (cpus_allowed() < 2) {
		assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
		skip();          /* the spinning case needs a second CPU */
	}
	assert_int_equal(spin_probe(p, 0, -1), 1);
	assert_kr(mach_port_mod_refs(TASK, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* LIBMACH_SPIN_US=0, read when the library (re)connects: no wait spins. */
static void
child_spin_off(void *arg)
{
	mach_port_t p;
	uint64_t tries;

	(void)arg;
	setenv("LIBMACH_SPIN_US", "0", 1);
	if (libmach_reinit() != 0)
		_exit(10);
	if (mach_port_allocate(TASK, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		_exit(11);
	tries = spin_probe(p, 0, -1);
	_exit(tries == 0 ? 0 : 12);
}

static void
test_spin_off_by_environment(void **state)
{
	(void)state;
	assert_int_equal(harness_wait(harness_fork(child_spin_off, NULL)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		tu_test(test_rcv_interrupt_with_sa_restart),
		tu_test(test_rcv_without_interrupt_outlives_signals),
		tu_test(test_semaphore_wait_aborted_with_sa_restart),
		tu_test(test_wait_outlives_stop_and_continue),
		tu_test(test_spin_only_with_another_cpu),
		tu_test(test_spin_off_by_environment),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
