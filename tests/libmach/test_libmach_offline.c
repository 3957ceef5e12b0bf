/*
 * test_libmach_offline.c -- libmach with no machd to talk to: calls fail
 * with the Mach codes macOS code expects, the "cannot reach machd" line
 * appears exactly once, and the parts that need no daemon (error strings,
 * NDR, mig_strncpy, vm_allocate) work.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mach/mach.h>
#include <mach/mach_vm.h>
#include <servers/bootstrap.h>

#include "machd_harness.h"
#include "machd_proto.h"

static char dir[64];
static char sock[128];

/* Point libmach at a socket path nobody listens on. */
static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/machxfer-offline.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/machd.sock", dir);
	setenv("MACHD_SOCKET", sock, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir(dir);
	return 0;
}

/* stderr capture: fd 2 goes to a file until capture_end(). */
struct capture {
	char    path[128];
	int     saved;
};

static void
capture_begin(struct capture *c)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "%s/stderr.XXXXXX", dir);
	fd = mkstemp(c->path);
	assert_true(fd >= 0);
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	close(fd);
}

/* Restore stderr; returns what was written (static buffer). */
static const char *
capture_end(struct capture *c)
{
	static char buf[4096];
	ssize_t n;
	int fd;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) == STDERR_FILENO);
	close(c->saved);
	fd = open(c->path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	unlink(c->path);
	return buf;
}

static unsigned
count(const char *hay, const char *needle)
{
	unsigned n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
expect_one_warning(const char *out)
{
	char line[512];

	snprintf(line, sizeof(line), "libmach: cannot reach machd at %s: "
	    "No such file or directory; start it with: machd --socket %s &\n",
	    sock, sock);
	assert_int_equal(count(out, "libmach: "), 1);
	assert_string_equal(out, line);
}

/* Every path to machd fails with the documented code, and says so once. */
static void
test_unreachable(void **state)
{
	mach_msg_header_t h;
	mach_port_name_t name = 0;
	uint64_t stats[6];
	struct capture cap;

	(void)state;
	capture_begin(&cap);
	assert_int_equal(libmach_reinit(), -1);     /* silent */
	assert_int_equal(mach_task_self(), MACH_PORT_NULL);
	assert_int_equal(bootstrap_port, MACH_PORT_NULL);

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = 0x103;
	h.msgh_id = 42;
	assert_int_equal(mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, MACH_PORT_NULL,
	    MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL), MACH_SEND_INVALID_DEST);
	assert_int_equal(mach_msg(&h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(h),
	    0x103, 0, MACH_PORT_NULL), MACH_RCV_INVALID_NAME);
	assert_int_equal(mach_msg_send(&h), MACH_SEND_INVALID_DEST);

	assert_int_not_equal(mach_port_allocate(mach_task_self(),
	    MACH_PORT_RIGHT_RECEIVE, &name), KERN_SUCCESS);
	assert_int_not_equal(bootstrap_look_up(bootstrap_port, "com.example.x",
	    &name), KERN_SUCCESS);
	assert_int_equal(semaphore_signal(0x103), KERN_FAILURE);
	assert_int_equal(mach_reply_port(), MACH_PORT_NULL);
	assert_int_equal(libmach_stats(stats), KERN_FAILURE);
	expect_one_warning(capture_end(&cap));
}

/* libmach_reinit re-arms the message. */
static void
test_reinit_rearms_warning(void **state)
{
	struct capture cap;

	(void)state;
	capture_begin(&cap);
	assert_int_equal(libmach_reinit(), -1);
	assert_int_equal(semaphore_signal(0x103), KERN_FAILURE);
	assert_int_equal(semaphore_wait(0x103), KERN_FAILURE);
	expect_one_warning(capture_end(&cap));
}

/* Checked before machd is involved, as XNU checks it first (spec 3.1
 * step 1): more than IPC_KMSG_MAX_BODY_SPACE is MACH_SEND_TOO_LARGE; the
 * bytes are not even read. */
static void
test_send_too_large(void **state)
{
	mach_msg_header_t h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(mach_msg(&h, MACH_SEND_MSG, 50331584, 0,
	    MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL),
	    MACH_SEND_TOO_LARGE);
}

static void
test_error_strings(void **state)
{
	(void)state;
	assert_string_equal(mach_error_string(KERN_SUCCESS), "(os/kern) successful");
	assert_string_equal(mach_error_string(KERN_INVALID_NAME),
	    "(os/kern) invalid name");
	assert_string_equal(mach_error_string(KERN_FAILURE), "(os/kern) failure");
	assert_string_equal(mach_error_string(MACH_SEND_INVALID_DEST),
	    "(ipc/send) invalid destination port");
	assert_string_equal(mach_error_string(MACH_RCV_INVALID_NAME),
	    "(ipc/rcv) invalid name");
	assert_string_equal(mach_error_string(MIG_BAD_ID),
	    "(ipc/mig) bad request message ID");
	assert_string_equal(mach_error_string(MIG_SERVER_DIED),
	    "(ipc/mig) server died");
	assert_string_equal(bootstrap_strerror(BOOTSTRAP_UNKNOWN_SERVICE),
	    "Unknown service name");
}

static void
test_ndr_record(void **state)
{
	static const unsigned char want[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };

	(void)state;
	assert_int_equal(sizeof(NDR_record), 8);
	assert_memory_equal(&NDR_record, want, sizeof(want));
}

static void
test_mig_strncpy(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mig_strncpy(buf, "abc", sizeof(buf)), 4);
	assert_string_equal(buf, "abc");
	assert_int_equal(buf[4], 'x');          /* not zero-filled */
	assert_int_equal(mig_strncpy(buf, "abcdefghij", 4), 4);
	assert_string_equal(buf, "abc");        /* truncated, terminated */
	assert_int_equal(mig_strncpy(buf, "abc", 0), 0);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mig_strncpy_zerofill(buf, "ab", sizeof(buf)), 3);
	assert_memory_equal(buf, "ab\0\0\0\0\0\0", sizeof(buf));
	assert_int_equal(mig_strncpy_zerofill(buf, "abcdefghij", 8), 8);
	assert_string_equal(buf, "abcdefg");
}

/* vm_* need no daemon: they act on the caller's own address space. */
static void
test_vm(void **state)
{
	vm_address_t a = 1, fixed;
	mach_vm_address_t ma = 0;
	unsigned char *p;
	size_t i;

	(void)state;
	assert_true(vm_page_size >= 4096);
	assert_int_equal(vm_page_mask, vm_page_size - 1);
	assert_int_equal((vm_size_t)1 << vm_page_shift, vm_page_size);

	assert_int_equal(vm_allocate(mach_task_self(), &a, 0, VM_FLAGS_ANYWHERE),
	    KERN_SUCCESS);
	assert_int_equal(a, 0);
	assert_int_equal(vm_allocate(mach_task_self(), &a, 100,
	    VM_FLAGS_ANYWHERE | 0x8000), /* not a user flag */
	    KERN_INVALID_ARGUMENT);

	assert_int_equal(vm_allocate(mach_task_self(), &a, 3 * vm_page_size + 1,
	    VM_FLAGS_ANYWHERE | VM_MAKE_TAG(VM_MEMORY_MACH_MSG)), KERN_SUCCESS);
	assert_int_equal(a & vm_page_mask, 0);
	p = (unsigned char *)a;
	for (i = 0; i < 4 * vm_page_size; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0xa5, 4 * vm_page_size);

	fixed = a + vm_page_size;           /* in use: no room without OVERWRITE */
	assert_int_equal(vm_allocate(mach_task_self(), &fixed, vm_page_size,
	    VM_FLAGS_FIXED), KERN_NO_SPACE);
	assert_int_equal(vm_allocate(mach_task_self(), &fixed, vm_page_size,
	    VM_FLAGS_FIXED | VM_FLAGS_OVERWRITE), KERN_SUCCESS);
	assert_int_equal(fixed, a + vm_page_size);
	assert_int_equal(p[vm_page_size], 0);   /* fresh zero page */

	assert_int_equal(vm_deallocate(mach_task_self(), a, 4 * vm_page_size),
	    KERN_SUCCESS);
	assert_int_equal(vm_deallocate(mach_task_self(), a, 0), KERN_SUCCESS);
	assert_int_equal(vm_deallocate(mach_task_self(), ~(vm_address_t)0 - 10, 100),
	    KERN_INVALID_ARGUMENT);

	assert_int_equal(mach_vm_allocate(mach_task_self(), &ma, 1,
	    VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	assert_int_not_equal(ma, 0);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), ma, 1), KERN_SUCCESS);

	/* Another task's map is out of reach. */
	assert_int_equal(vm_allocate(mach_task_self() + 0x100, &a, 1,
	    VM_FLAGS_ANYWHERE), MACH_SEND_INVALID_DEST);
}

/* mach_msg_destroy of a message holding no rights touches nothing. */
static void
test_destroy_plain(void **state)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
	} m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSGH_BITS_COMPLEX;     /* bare header: no body */
	m.h.msgh_size = sizeof(m.h);
	m.body.msgh_descriptor_count = 1000;
	mach_msg_destroy(&m.h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_reinit_rearms_warning),
		cmocka_unit_test(test_send_too_large),
		cmocka_unit_test(test_error_strings),
		cmocka_unit_test(test_ndr_record),
		cmocka_unit_test(test_mig_strncpy),
		cmocka_unit_test(test_vm),
		cmocka_unit_test(test_destroy_plain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
