/*
 * bench_launchd.c -- on-demand launch: the time from the first message to
 * a service that is not running until its reply, against the same with
 * the service already running.
 *
 *   launchd.warm.<tag>        a 16-byte xfer_echo to xferd while it runs
 *   launchd.cold.<tag>        the same echo while xferd is not running:
 *                             launchd sees the message on the port it holds,
 *                             forks and execs xferd, which checks in, takes
 *                             the port with the message and replies; timed
 *                             from the send to the reply (baseline: warm)
 *   launchd.exec.nomach.<tag> posix_spawn of xferd, which exits at argument
 *                             parsing, until it is reaped, with no machd to
 *                             connect to: exec, dynamic loading, exit
 *   launchd.exec.<tag>        the same with machd there: plus libmach's
 *                             connect and HELLO in its constructor
 *                             (baseline: exec.nomach)
 *
 * <tag> is the placement, as for the RPC families: "cpu0" with the
 * measuring child and everything it starts (machd, launchd, launchctl,
 * xferd) on CPU 0, "any" unpinned.
 *
 * The exec rows are the part of a cold start that is not launchd's; the
 * rest of cold minus warm is launchd noticing the message, its fork and
 * the job's set-up, bootstrap_check_in, and xferd's port set and threads.
 *
 * The run's own machd cannot host launchd (launchd must be the init task
 * of its machd), so a forked child starts a second private machd with
 * launchd as its init task (as tests/launchd/ld_test_util.h's ld_start
 * does), reconnects to it, bootstraps a job plist for xferd -- its own
 * MachServices name, no KeepAlive, no RunAtLoad, ThrottleInterval 0, no
 * state directory -- measures, and hands the numbers back through shared
 * memory; the parent records them.  Before each cold echo xferd is
 * stopped (`launchctl stop`) and the benchmark waits until `launchctl
 * print` says "not running": its port is back in launchd's demand set.
 * The binary is in the page cache: "cold" is a service that is not
 * running, not a cold disk.  BENCH_LD_KEEP=1 keeps the temporary
 * directory, with launchd's log of every start.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <xfer/xfer.h>

#include "bench.h"
#include "libmach_private.h"
#include "xfer_client.h"

/* Paths are short names under /tmp and the build's bin/; gcc cannot see
 * that and warns about every snprintf of them. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

extern char **environ;

#define LD_REPS_MAX     16
#define LD_WAIT_MS      10000           /* launchd up, xferd down */
#define LD_ECHO_BYTES   16

/* What the measuring child hands back. */
struct ld_shared {
	int     reps;
	double  warm[LD_REPS_MAX], cold[LD_REPS_MAX];           /* µs, per-rep medians */
	double  exec[LD_REPS_MAX], exec_nomach[LD_REPS_MAX];
	char    why[BENCH_TEXT_MAX];                            /* set when it failed */
};

/* The measuring child's world. */
struct ld_run {
	struct ld_shared   *out;
	char    dir[64];                /* temporary: socket, plist, log */
	char    sock[128];
	char    label[96];              /* also the MachServices name */
	char    plist[192];
	char    machd_path[1100], launchd_path[1100], launchctl[1100], xferd[1100];
	pid_t   machd, launchd;
	int     cpu;                    /* this child and all it starts, or BENCH_CPU_ANY */
	int     cold_iters, warm_iters, warm_up, exec_iters;
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int why(struct ld_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Say why the measurement failed (the parent reports it); -1. */
static int
why(struct ld_run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->out->why, sizeof(r->out->why), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
in_dir(const struct ld_run *r, const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", r->dir, name);
	return buf[i];
}

static double
median_of(double *v, int n)
{
	double med, lo, hi;

	bench_stat(v, n, &med, &lo, &hi);
	return med;
}

/* ----- processes ------------------------------------------------------------ */

/* posix_spawn argv with stdout and stderr to `out` (NULL: /dev/null) and
 * `env`; reap it.  Its wait status, or -1 if it could not run. */
static int
spawn_wait(char *const argv[], const char *out, char *const env[])
{
	posix_spawn_file_actions_t fa;
	int status = -1, err;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	err = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out ? out : "/dev/null",
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	if (err == 0)
		err = posix_spawn(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* launchctl with up to three arguments; its exit status (128+sig, -1),
 * stdout+stderr in `buf` if given. */
static int
ctl(struct ld_run *r, char *buf, size_t size, const char *a1, const char *a2, const char *a3)
{
	char args[3][256], *argv[5] = { r->launchctl, NULL, NULL, NULL, NULL };
	const char *in[3] = { a1, a2, a3 }, *res = in_dir(r, "ctl.out");
	int status, fd, i;
	ssize_t n = 0;

	for (i = 0; i < 3 && in[i] != NULL; i++) {
		snprintf(args[i], sizeof(args[i]), "%s", in[i]);
		argv[i + 1] = args[i];
	}
	status = spawn_wait(argv, res, environ);

	if (buf != NULL && size > 0) {
		fd = open(res, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, size - 1);
			close(fd);
		}
		buf[n > 0 ? n : 0] = '\0';
	}
	if (status < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Poll `launchctl print` until the job's state is `state`. */
static int
wait_state(struct ld_run *r, const char *target, const char *state)
{
	char out[8192], want[64];
	int i;

	snprintf(want, sizeof(want), "\tstate = %s\n", state);
	for (i = 0; i < LD_WAIT_MS / 2; i++) {
		if (ctl(r, out, sizeof(out), "print", target, NULL) == 0 && strstr(out, want))
			return 0;
		sleep_ms(2);
	}
	return why(r, "xferd never reached state \"%s\"", state);
}

/* ----- machd with launchd as its init task ------------------------------------ */

static int
ld_up(struct ld_run *r)
{
	pid_t self = getpid();
	FILE *f;
	long pid = -1;
	int i;

	snprintf(r->dir, sizeof(r->dir), "/tmp/machxfer-bench-ld.XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		return why(r, "mkdtemp: %s", strerror(errno));
	snprintf(r->sock, sizeof(r->sock), "%s/machd.sock", r->dir);
	fflush(NULL);
	r->machd = fork();
	if (r->machd < 0)
		return why(r, "fork: %s", strerror(errno));
	if (r->machd == 0) {
		int fd;

		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != self)
			_exit(127);
		fd = open(in_dir(r, "launchd.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0)
			(void)dup2(fd, STDERR_FILENO);
		execl(r->machd_path, r->machd_path, "--socket", r->sock, "--launchd",
		    r->launchd_path, "--ready", in_dir(r, "ready"), "--overrides",
		    in_dir(r, "overrides"), (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < LD_WAIT_MS / 5 && access(in_dir(r, "ready"), F_OK) != 0; i++)
		sleep_ms(5);
	/* The ready file appears empty for a moment: read until a pid is in it. */
	for (; i < LD_WAIT_MS / 5 && pid <= 0; i++) {
		f = fopen(in_dir(r, "ready"), "r");
		if (f != NULL) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = -1;
			fclose(f);
		}
		if (pid <= 0)
			sleep_ms(5);
	}
	if (pid <= 0)
		return why(r, "launchd did not start (see its log)");
	r->launchd = (pid_t)pid;
	/* From here on this process is a task of that machd, launchd its
	 * bootstrap port; launchctl and xferd find it the same way. */
	setenv("MACHD_SOCKET", r->sock, 1);
	if (libmach_reinit() != 0 || !MACH_PORT_VALID(bootstrap_port))
		return why(r, "no bootstrap port from the launchd machd");
	return 0;
}

static void
ld_down(struct ld_run *r)
{
	static const char *const files[] = {
		"ready", "overrides", "launchd.log", "ctl.out", "machd.sock", NULL,
	};
	int i, status;

	if (r->launchd > 0) {
		(void)kill(r->launchd, SIGTERM);    /* stops its jobs, exits */
		for (i = 0; i < 1000 && kill(r->launchd, 0) == 0; i++)
			sleep_ms(5);
	}
	if (r->machd > 0) {
		(void)kill(r->machd, SIGTERM);
		while (waitpid(r->machd, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (r->dir[0] == '\0' || getenv("BENCH_LD_KEEP") != NULL)
		return;
	if (r->plist[0] != '\0')
		(void)unlink(r->plist);
	for (i = 0; files[i] != NULL; i++)
		(void)unlink(in_dir(r, files[i]));
	(void)rmdir(r->dir);
}

/* The job: xferd on its own service name, started only on demand. */
static int
write_plist(struct ld_run *r)
{
	FILE *f;

	snprintf(r->label, sizeof(r->label), "com.machxfer.bench.xferd.%d", (int)getpid());
	snprintf(r->plist, sizeof(r->plist), "%s/%s.plist", r->dir, r->label);
	f = fopen(r->plist, "w");
	if (f == NULL)
		return why(r, "%s: %s", r->plist, strerror(errno));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	    "<plist version=\"1.0\">\n<dict>\n"
	    "\t<key>Label</key><string>%s</string>\n"
	    "\t<key>ProgramArguments</key><array><string>%s</string>"
	    "<string>--service</string><string>%s</string></array>\n"
	    "\t<key>MachServices</key><dict><key>%s</key><true/></dict>\n"
	    "\t<key>ThrottleInterval</key><integer>0</integer>\n"
	    "</dict>\n</plist>\n", r->label, r->xferd, r->label, r->label);
	if (fclose(f) != 0)
		return why(r, "%s: %s", r->plist, strerror(errno));
	(void)chmod(r->plist, 0644);
	return 0;
}

/* ----- the measurements ---------------------------------------------------------- */

static int
echo(struct xfer_conn *c)
{
	static const char bytes[LD_ECHO_BYTES] = "machxfer-launchd";
	struct xfer_data d;
	kern_return_t kr = xfer_echo(c, bytes, sizeof(bytes), &d);
	int ok = kr == KERN_SUCCESS && d.len == sizeof(bytes) &&
	    memcmp(d.bytes, bytes, sizeof(bytes)) == 0;

	if (kr == KERN_SUCCESS)
		xfer_data_free(&d);
	return ok ? 0 : -1;
}

/* Spawn xferd with an invalid argument (it exits at parsing) and reap
 * it, `iters` times; the median in µs, or -1. */
static double
exec_time(struct ld_run *r, char *const env[], double *sample)
{
	char *argv[] = { r->xferd, "--threads", "0", NULL };
	int i;

	for (i = 0; i < r->exec_iters; i++) {
		uint64_t t0 = bench_ns();
		int status = spawn_wait(argv, NULL, env);

		if (status < 0 || !WIFEXITED(status))
			return -1;
		sample[i] = (double)(bench_ns() - t0) / 1e3;
	}
	return median_of(sample, r->exec_iters);
}

/* environ with MACHD_SOCKET replaced by a path where no machd listens. */
static char **
env_without_machd(struct ld_run *r, char *nosock)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "MACHD_SOCKET=", 13) != 0)
			env[j++] = environ[i];
	snprintf(nosock, 256, "MACHD_SOCKET=%s/no-machd.sock", r->dir);
	env[j++] = nosock;
	env[j] = NULL;
	return env;
}

/* xferd stopped and its port back in launchd's demand set. */
static int
make_cold(struct ld_run *r, const char *target)
{
	char out[4096];

	if (ctl(r, out, sizeof(out), "stop", r->label, NULL) != 0)
		return why(r, "launchctl stop %s failed: %.80s", r->label, out);
	if (wait_state(r, target, "not running") != 0)
		return -1;
	sleep_ms(5);    /* let machd finish with the dead processes */
	return 0;
}

static int
measure(struct ld_run *r)
{
	struct ld_shared *o = r->out;
	struct xfer_conn c;
	char target[160], domain[32], out[4096], nosock[256], **nomach;
	double *cold = calloc((size_t)r->cold_iters, sizeof(double));
	double *warm = calloc((size_t)r->warm_iters, sizeof(double));
	double *ex = calloc((size_t)r->exec_iters, sizeof(double));
	int rep, i, rc = -1;

	nomach = env_without_machd(r, nosock);
	if (cold == NULL || warm == NULL || ex == NULL || nomach == NULL) {
		rc = why(r, "out of memory");
		goto out;
	}
	snprintf(target, sizeof(target), "gui/%u/%s", (unsigned)getuid(), r->label);
	snprintf(domain, sizeof(domain), "gui/%u", (unsigned)getuid());
	if (ctl(r, out, sizeof(out), "bootstrap", domain, r->plist) != 0) {
		rc = why(r, "launchctl bootstrap: %.100s", out);
		goto out;
	}
	if (xfer_connect(&c, r->label) != KERN_SUCCESS) {
		rc = why(r, "bootstrap_look_up(%s) failed", r->label);
		goto out;
	}
	/* The first launch (binary into the page cache, this thread's MIG
	 * reply port made) is not measured. */
	for (i = 0; i < r->warm_up; i++)
		if (echo(&c) != 0) {
			rc = why(r, "the first echo to xferd failed");
			goto disconnect;
		}
	for (rep = 0; rep < o->reps; rep++) {
		for (i = 0; i < r->cold_iters; i++) {
			uint64_t t0;

			if (make_cold(r, target) != 0)
				goto disconnect;
			t0 = bench_ns();
			if (echo(&c) != 0) {
				rc = why(r, "an echo to a stopped xferd failed");
				goto disconnect;
			}
			cold[i] = (double)(bench_ns() - t0) / 1e3;
		}
		o->cold[rep] = median_of(cold, r->cold_iters);
		/* xferd runs now: settle, then the same echo warm. */
		for (i = 0; i < r->warm_up; i++)
			if (echo(&c) != 0)
				goto echo_failed;
		for (i = 0; i < r->warm_iters; i++) {
			uint64_t t0 = bench_ns();

			if (echo(&c) != 0)
				goto echo_failed;
			warm[i] = (double)(bench_ns() - t0) / 1e3;
		}
		o->warm[rep] = median_of(warm, r->warm_iters);
		o->exec[rep] = exec_time(r, environ, ex);
		o->exec_nomach[rep] = exec_time(r, nomach, ex);
		if (o->exec[rep] < 0 || o->exec_nomach[rep] < 0) {
			rc = why(r, "could not spawn %s", r->xferd);
			goto disconnect;
		}
	}
	rc = 0;
	(void)ctl(r, out, sizeof(out), "bootout", target, NULL);
	goto disconnect;
echo_failed:
	rc = why(r, "an echo to the running xferd failed");
disconnect:
	xfer_disconnect(&c);
out:
	free(cold);
	free(warm);
	free(ex);
	free(nomach);
	return rc;
}

static int
ld_child(void *arg)
{
	struct ld_run *r = arg;
	int rc;

	if (bench_pin(0, r->cpu) != 0)
		return why(r, "cannot pin to CPU %d", r->cpu);
	rc = ld_up(r);
	if (rc == 0)
		rc = write_plist(r);
	if (rc == 0)
		rc = measure(r);
	ld_down(r);
	return rc;
}

/* Where the family runs: as the latency-bound families, once with the
 * child (and so machd, launchd, launchctl and xferd) on CPU 0, once
 * unpinned. */
static const struct { int cpu; const char *tag; } ld_placements[] = {
	{ 0, "cpu0" }, { BENCH_CPU_ANY, "any" },
};

static void
record(struct bench *b, const char *name, const char *what, const char *tag, double *v, int n,
    const char *base)
{
	char key[BENCH_KEY_MAX], text[BENCH_TEXT_MAX], bkey[BENCH_KEY_MAX];

	snprintf(key, sizeof(key), "launchd.%s.%s", name, tag);
	snprintf(text, sizeof(text), "%s (%s)", what, tag);
	snprintf(bkey, sizeof(bkey), "launchd.%s.%s", base != NULL ? base : "", tag);
	bench_record(b, key, "launchd", text, BU_USEC, v, n, base != NULL ? bkey : NULL);
}

static void
placement(struct bench *b, struct ld_run *r, int cpu, const char *tag)
{
	struct ld_shared *out = r->out;
	char what[BENCH_TEXT_MAX];
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->reps = b->reps < LD_REPS_MAX ? b->reps : LD_REPS_MAX;
	r->cpu = cpu;
	pid = bench_fork(ld_child, r);
	if (pid < 0 || bench_wait(pid) != 0) {
		snprintf(what, sizeof(what), "on-demand launch vs running service (%s)", tag);
		bench_fail(b, "launchd", what, out->why[0] ? out->why : "the measuring child failed");
		return;
	}
	record(b, "warm", "16-byte xfer_echo to xferd already running", tag, out->warm,
	    out->reps, NULL);
	record(b, "cold", "16-byte xfer_echo to xferd not running: launchd starts it on "
	    "demand; send to reply", tag, out->cold, out->reps, "warm");
	record(b, "exec.nomach", "posix_spawn of xferd to its exit at argument parsing, "
	    "reaped; no machd to connect to", tag, out->exec_nomach, out->reps, NULL);
	record(b, "exec", "the same with machd there: plus libmach's connect + HELLO", tag,
	    out->exec, out->reps, "exec.nomach");
}

void
bench_launchd(struct bench *b)
{
	struct ld_run r;
	size_t i;

	memset(&r, 0, sizeof(r));
	snprintf(r.machd_path, sizeof(r.machd_path), "%s/machd", b->bindir);
	snprintf(r.launchd_path, sizeof(r.launchd_path), "%s/launchd", b->bindir);
	snprintf(r.launchctl, sizeof(r.launchctl), "%s/launchctl", b->bindir);
	snprintf(r.xferd, sizeof(r.xferd), "%s/xferd", b->bindir);
	if (access(r.launchd_path, X_OK) != 0 || access(r.launchctl, X_OK) != 0 ||
	    access(r.xferd, X_OK) != 0) {
		bench_skip(b, "launchd", "on-demand launch vs running service",
		    "launchd, launchctl or xferd not built");
		return;
	}
	r.out = bench_shared(sizeof(*r.out));
	if (r.out == NULL) {
		bench_fail(b, "launchd", "on-demand launch vs running service", "no shared memory");
		return;
	}
	r.cold_iters = b->smoke ? 1 : 5;
	r.warm_iters = bench_iters(b, 200);
	r.warm_up = b->smoke ? 2 : 20;
	r.exec_iters = b->smoke ? 1 : 10;
	for (i = 0; i < sizeof(ld_placements) / sizeof(ld_placements[0]); i++)
		placement(b, &r, ld_placements[i].cpu, ld_placements[i].tag);
	bench_unshare(r.out, sizeof(*r.out));
}
