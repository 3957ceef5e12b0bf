/*
 * job_spawn.c -- fork and exec a job's process (launchd.md 5.3).
 *
 * Everything that can allocate (argv, environment, the executable's
 * path) is prepared before fork(); the child only makes system calls:
 * signals back to default, new session, umask, working directory,
 * standard streams, then execve.  If any step fails the child writes
 * one log line to launchd's log descriptors and exits with 78
 * (EX_CONFIG), as modern launchd records a spawn failure.
 *
 * The child's bootstrap port is launchd's: machd gives a forked task
 * its parent's special ports, and exec keeps them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events.h"
#include "job.h"
#include "log.h"

#define EX_CONFIG_CODE  78
#define DEFAULT_PATH    "/usr/bin:/bin:/usr/sbin:/sbin"

extern char **environ;

struct spawn_plan {
	const char     *label;
	char            exe[PATH_MAX];
	char          **argv;
	char          **envp;           /* allocated; strings borrowed or owned below */
	char          **owned;          /* strings built here */
	size_t          nowned;
	int             log_fd, log_file_fd;
};

/* --- preparation (parent) ------------------------------------------------------- */

/* argv[0] through PATH, as posix_spawnp would (842 without Program). */
static void
plan_exe(struct spawn_plan *p, const struct job_spec *spec)
{
	const char *name = spec->program != NULL ? spec->program : spec->argv[0];
	const char *path = getenv("PATH");
	const char *dir, *end;
	char cand[PATH_MAX];

	snprintf(p->exe, sizeof(p->exe), "%s", name);
	if (spec->program != NULL || strchr(name, '/') != NULL)
		return;
	for (dir = path != NULL ? path : DEFAULT_PATH; *dir != '\0'; dir = *end ? end + 1 : end) {
		end = strchr(dir, ':');
		if (end == NULL)
			end = dir + strlen(dir);
		if (snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - dir), dir, name) <
		    (int)sizeof(cand) && access(cand, X_OK) == 0) {
			snprintf(p->exe, sizeof(p->exe), "%s", cand);
			return;
		}
	}
}

static int
plan_own(struct spawn_plan *p, char *s)
{
	if (s == NULL)
		return -1;
	p->owned[p->nowned++] = s;
	return 0;
}

/* Index of "KEY=" in envp, or -1. */
static int
env_find(char **envp, size_t n, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(envp[i], kv, klen) == 0 && envp[i][klen] == '=')
			return (int)i;
	return -1;
}

/* launchd's environment, XPC_SERVICE_NAME, then the plist's variables
 * (which win). */
static int
plan_env(struct spawn_plan *p, const struct job_spec *spec)
{
	size_t nenv = 0, n = 0, i;
	char *svc;
	int at;

	while (environ[nenv] != NULL)
		nenv++;
	p->envp = calloc(nenv + spec->envc + 2, sizeof(char *));
	p->owned = calloc(1, sizeof(char *));
	if (p->envp == NULL || p->owned == NULL)
		return -1;
	for (i = 0; i < nenv; i++)
		p->envp[n++] = environ[i];
	if (asprintf(&svc, "XPC_SERVICE_NAME=%s", spec->label) < 0 || plan_own(p, svc) < 0)
		return -1;
	at = env_find(p->envp, n, svc);
	p->envp[at >= 0 ? (size_t)at : n++] = svc;
	for (i = 0; i < spec->envc; i++) {
		at = env_find(p->envp, n, spec->env[i]);
		p->envp[at >= 0 ? (size_t)at : n++] = spec->env[i];
	}
	p->envp[n] = NULL;
	return 0;
}

static void
plan_free(struct spawn_plan *p)
{
	size_t i;

	for (i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->envp);
}

/* --- the child -------------------------------------------------------------------- */

static void
child_puts(char *buf, size_t *len, size_t cap, const char *s)
{
	while (*s != '\0' && *len + 1 < cap)
		buf[(*len)++] = *s++;
}

/* "launchd: label[pid]: Service could not initialize: what(arg): error" */
static void
child_fail(const struct spawn_plan *p, const char *what, const char *arg, int err)
{
	char line[1024], num[16];
	size_t len = 0, k = sizeof(num) - 1;
	int pid = (int)getpid();

	num[k] = '\0';
	do
		num[--k] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0 && k > 0);
	child_puts(line, &len, sizeof(line), "launchd: ");
	child_puts(line, &len, sizeof(line), p->label);
	child_puts(line, &len, sizeof(line), "[");
	child_puts(line, &len, sizeof(line), num + k);
	child_puts(line, &len, sizeof(line), "]: Service could not initialize: ");
	child_puts(line, &len, sizeof(line), what);
	child_puts(line, &len, sizeof(line), "(");
	child_puts(line, &len, sizeof(line), arg);
	child_puts(line, &len, sizeof(line), "): ");
	child_puts(line, &len, sizeof(line), strerrordesc_np(err));
	line[len++] = '\n';
	if (p->log_fd >= 0)
		(void)!write(p->log_fd, line, len);
	if (p->log_file_fd >= 0)
		(void)!write(p->log_file_fd, line, len);
	_exit(EX_CONFIG_CODE);
}

/* Open `path` (or /dev/null) onto fd `target`. */
static void
child_stdio(const struct spawn_plan *p, const char *path, int flags, int target)
{
	const char *use = path != NULL ? path : "/dev/null";
	int fd = open(use, flags | O_CLOEXEC, 0666);

	if (fd < 0)
		child_fail(p, "open", use, errno);
	if (dup2(fd, target) < 0)
		child_fail(p, "dup2", use, errno);
	close(fd);
}

static void
child_run(struct spawn_plan *p, const struct job_spec *spec)
{
	/* Keep launchd's stderr for child_fail once fd 2 is the job's. */
	if (p->log_fd >= 0)
		p->log_fd = fcntl(p->log_fd, F_DUPFD_CLOEXEC, 3);
	events_child_reset_signals();
	(void)setsid();
	if (spec->umask >= 0)
		umask((mode_t)spec->umask);
	const char *wd = spec->working_directory != NULL ? spec->working_directory : "/";

	if (chdir(wd) < 0)
		child_fail(p, "chdir", wd, errno);
	child_stdio(p, spec->stdin_path, O_RDONLY, STDIN_FILENO);
	child_stdio(p, spec->stdout_path, O_WRONLY | O_CREAT | O_APPEND, STDOUT_FILENO);
	child_stdio(p, spec->stderr_path, O_WRONLY | O_CREAT | O_APPEND, STDERR_FILENO);
	/* Nothing of launchd's but stdio crosses exec (the log fds are
	 * close-on-exec and stay usable until then). */
	(void)close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	execve(p->exe, spec->argv, p->envp);
	child_fail(p, "execve", p->exe, errno);
}

/* --- fork ------------------------------------------------------------------------- */

int
job_spawn(struct job *j, pid_t *pidp, int *pidfdp)
{
	struct spawn_plan plan;
	pid_t pid;
	int pidfd, status;

	memset(&plan, 0, sizeof(plan));
	plan.label = j->spec->label;
	log_fds(&plan.log_fd, &plan.log_file_fd);
	plan_exe(&plan, j->spec);
	if (plan_env(&plan, j->spec) < 0) {
		job_log(j, "cannot spawn: out of memory");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		job_log(j, "cannot spawn: fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_run(&plan, j->spec);
	plan_free(&plan);
	pidfd = events_pidfd_open(pid);
	if (pidfd < 0) {
		job_log(j, "cannot spawn: pidfd_open: %s", strerror(errno));
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		return -1;
	}
	*pidp = pid;
	*pidfdp = pidfd;
	return 0;
fail:
	plan_free(&plan);
	return -1;
}
