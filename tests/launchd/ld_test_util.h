/*
 * ld_test_util.h -- helpers for the launchd integration tests: a private
 * machd whose init task is launchd (group setup/teardown), plists written
 * into the test's directory, launchctl runs with their output, polling.
 *
 *   ld_start()/ld_stop()      machd --launchd launchd, and back down;
 *                             the test process then has launchd as its
 *                             bootstrap_port (it connects afterwards)
 *   ld_plist(name, body)      write DIR/name.plist, return its path
 *   ld_ctl(&out, fmt, ...)    run launchctl with a shell-split argument
 *                             line; exit status; stdout+stderr in out
 *   ld_field(label, key)      a "key = value" line of launchctl print
 *   ld_wait(cond, arg)        poll up to 10 s
 *
 * $MACHXFER_BUILD (tests/run-tests.sh) names the build directory with
 * bin/machd, bin/launchd, bin/launchctl and tests/launchd/ld_testjob.
 * Every helper is static inline, as test_util.h's are.
 */
#ifndef LD_TEST_UTIL_H
#define LD_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "libmach_private.h"

/* Paths here are short temporary names under /tmp and $MACHXFER_BUILD;
 * gcc cannot see that and warns about every snprintf of them. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

struct ld_env {
	char    dir[64];
	char    build[1024];
	char    sock[128];
	pid_t   machd;
	pid_t   launchd;
};

static inline struct ld_env *
ld_env(void)
{
	static struct ld_env env;
	return &env;
}

static inline void
ld_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* "DIR/name" */
static inline const char *
ld_path(const char *name)
{
	static char buf[64][512];
	static int i;

	i = (i + 1) % 64;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", ld_env()->dir, name);
	return buf[i];
}

static inline const char *
ld_testjob(void)
{
	static char buf[1100];

	snprintf(buf, sizeof(buf), "%s/tests/launchd/ld_testjob", ld_env()->build);
	return buf;
}

static inline long
ld_read_pid(const char *file)
{
	FILE *f = fopen(file, "r");
	long pid = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

/* Start machd (with `max_names` as --max-names unless NULL) whose init
 * task is launchd, and wait for launchd. */
static inline int
ld_start_with(const char *max_names)
{
	struct ld_env *e = ld_env();
	const char *b = getenv("MACHXFER_BUILD");
	char machd[1100], launchd[1100];
	pid_t self = getpid();
	int i;

	if (b == NULL || b[0] != '/') {
		fprintf(stderr, "ld_start: set MACHXFER_BUILD (tests/run-tests.sh does)\n");
		return -1;
	}
	snprintf(e->build, sizeof(e->build), "%s", b);
	snprintf(e->dir, sizeof(e->dir), "/tmp/machxfer-ld.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->sock, sizeof(e->sock), "%s/machd.sock", e->dir);
	snprintf(machd, sizeof(machd), "%s/bin/machd", b);
	snprintf(launchd, sizeof(launchd), "%s/bin/launchd", b);
	fflush(NULL);
	e->machd = fork();
	if (e->machd < 0)
		return -1;
	if (e->machd == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != self)
			_exit(127);
		int fd = open(ld_path("launchd.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0 && getenv("LD_TEST_VERBOSE") == NULL)
			dup2(fd, STDERR_FILENO);
		if (max_names != NULL)
			execl(machd, machd, "--socket", e->sock, "--max-names", max_names,
			    "--launchd", launchd, "--ready", ld_path("ready"), "--overrides",
			    ld_path("overrides"), (char *)NULL);
		else
			execl(machd, machd, "--socket", e->sock, "--launchd", launchd,
			    "--ready", ld_path("ready"), "--overrides", ld_path("overrides"),
			    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000 && access(ld_path("ready"), F_OK) != 0; i++)
		ld_sleep_ms(10);
	e->launchd = (pid_t)ld_read_pid(ld_path("ready"));
	if (e->launchd <= 0) {
		fprintf(stderr, "ld_start: launchd did not start (see %s)\n", ld_path("launchd.log"));
		return -1;
	}
	setenv("MACHD_SOCKET", e->sock, 1);
	if (libmach_reinit() != 0 || !MACH_PORT_VALID(bootstrap_port)) {
		fprintf(stderr, "ld_start: no bootstrap port from %s\n", e->sock);
		return -1;
	}
	/* The first MIG call makes this thread's reply port: make it now, so
	 * it is part of every test's baseline (as tu_group_setup does). */
	{
		mach_port_type_t type;
		(void)mach_port_type(mach_task_self(), mach_task_self(), &type);
	}
	return 0;
}

static inline int
ld_start(void)
{
	return ld_start_with(NULL);
}

static inline void
ld_rmdir(const char *dir)
{
	struct dirent *de;
	char path[600];
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno == EISDIR)
			ld_rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

/* SIGTERM launchd (it stops its jobs and exits), then machd. */
static inline int
ld_stop(void)
{
	struct ld_env *e = ld_env();
	int i, status = 0, rc = 0;

	if (e->launchd > 0) {
		(void)kill(e->launchd, SIGTERM);
		for (i = 0; i < 3000 && kill(e->launchd, 0) == 0; i++)
			ld_sleep_ms(10);
		if (i == 3000) {
			fprintf(stderr, "ld_stop: launchd still running after 30 s\n");
			rc = -1;
		}
		e->launchd = 0;
	}
	if (e->machd > 0) {
		(void)kill(e->machd, SIGTERM);
		(void)waitpid(e->machd, &status, 0);
		e->machd = 0;
	}
	if (getenv("LD_TEST_KEEP") == NULL)
		ld_rmdir(e->dir);
	return rc;
}

static inline int ld_group_setup(void **state) { (void)state; return ld_start(); }
static inline int ld_group_teardown(void **state) { (void)state; return ld_stop(); }

/* Write DIR/name with `body` (printf format), mode 0644; its path. */
static inline const char *
ld_write(const char *name, const char *fmt, ...)
{
	const char *path = ld_path(name);
	FILE *f = fopen(path, "w");
	va_list ap;

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	chmod(path, 0644);
	return path;
}

#define LD_PLIST_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" " \
	"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n"
#define LD_PLIST_TAIL "</dict>\n</plist>\n"

/*
 * A job plist DIR/<label>.plist: Label, ProgramArguments = ld_testjob
 * followed by `args` (space-separated), ThrottleInterval 1, plus `extra`
 * keys (raw XML).
 */
static inline const char *
ld_job_plist(const char *label, const char *args, const char *extra)
{
	char file[256], argxml[2048] = "", word[256];
	const char *p = args;
	size_t n;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == 0)
			break;
		snprintf(word, sizeof(word), "<string>%.*s</string>", (int)n, p);
		strncat(argxml, word, sizeof(argxml) - strlen(argxml) - 1);
		p += n;
	}
	snprintf(file, sizeof(file), "%s.plist", label);
	return ld_write(file, LD_PLIST_HEAD
	    "  <key>Label</key><string>%s</string>\n"
	    "  <key>ProgramArguments</key><array><string>%s</string>%s</array>\n"
	    "  <key>ThrottleInterval</key><integer>1</integer>\n"
	    "%s" LD_PLIST_TAIL, label, ld_testjob(), argxml, extra != NULL ? extra : "");
}

/*
 * Run launchctl with arguments split at spaces (printf format); exit
 * status; stdout then stderr in *out (static, until the next call).
 */
static inline int
ld_ctl(const char **out, const char *fmt, ...)
{
	static char buf[65536];
	char line[4096], exe[1100], *argv[64], *save = NULL, *tok;
	char res[600];
	int argc = 0, status, fd;
	ssize_t n;
	va_list ap;
	pid_t pid;

	snprintf(res, sizeof(res), "%s/ctl.out", ld_env()->dir);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(exe, sizeof(exe), "%s/bin/launchctl", ld_env()->build);
	argv[argc++] = exe;
	for (tok = strtok_r(line, " ", &save); tok != NULL && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(res, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execv(exe, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	fd = open(res, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (out != NULL)
		*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Run a shell command line (printf format) with stderr joined to stdout;
 * exit status (128 + signal if killed); the output in *out (static, until
 * the next call).
 */
static inline int
ld_sh(const char **out, const char *fmt, ...)
{
	static char buf[65536];
	char cmd[8192];
	va_list ap;
	FILE *f;
	size_t n;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	fflush(NULL);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	status = pclose(f);
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ld_ctl that must exit with `want`; prints the output otherwise. */
#define ld_ctl_expect(want, out, ...) do { \
	int ld_rc_ = ld_ctl((out), __VA_ARGS__); \
	if (ld_rc_ != (want)) \
		fail_msg("launchctl exit %d, expected %d; output:\n%s", ld_rc_, (want), *(out)); \
} while (0)

/* The value of "key = value" in `launchctl print gui/UID/label`, or "". */
static inline const char *
ld_field(const char *label, const char *key)
{
	static char val[512];
	const char *out, *p;
	char pat[128];
	size_t n;

	val[0] = '\0';
	if (ld_ctl(&out, "print gui/%u/%s", (unsigned)getuid(), label) != 0)
		return val;
	snprintf(pat, sizeof(pat), "\n\t%s = ", key);
	p = strstr(out, pat);
	if (p == NULL)
		return val;
	p += strlen(pat);
	n = strcspn(p, "\n");
	snprintf(val, sizeof(val), "%.*s", (int)n, p);
	return val;
}

static inline long
ld_field_num(const char *label, const char *key)
{
	const char *v = ld_field(label, key);

	return *v != '\0' ? strtol(v, NULL, 10) : -1;
}

/* Poll cond(arg) every 20 ms for up to 10 s. */
static inline int
ld_wait(int (*cond)(const void *arg), const void *arg)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (cond(arg))
			return 1;
		ld_sleep_ms(20);
	}
	return 0;
}

struct ld_field_want { const char *label, *key, *value; };

static inline int
ld_field_is(const void *arg)
{
	const struct ld_field_want *w = arg;

	return strcmp(ld_field(w->label, w->key), w->value) == 0;
}

/* Wait until `print` shows key = value (fails the test after 10 s). */
#define ld_wait_field(label_, key_, value_) do { \
	struct ld_field_want w_ = { (label_), (key_), (value_) }; \
	if (!ld_wait(ld_field_is, &w_)) \
		fail_msg("%s: %s is \"%s\", expected \"%s\"", (label_), (key_), \
		    ld_field((label_), (key_)), (value_)); \
} while (0)

/* Lines in a file (e.g. --starts records). */
static inline int
ld_count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int c, n = 0;

	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The whole launchd log. */
static inline const char *
ld_log(void)
{
	static char buf[262144];
	int fd = open(ld_path("launchd.log"), O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

#endif /* LD_TEST_UTIL_H */
