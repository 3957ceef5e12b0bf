/*
 * lctl.h -- what launchctl's files share: the command table entry, the
 * one RPC to launchd (rpc.c), targets (target.c) and the records launchd
 * answers INFO and DOMAIN with (record.c).  One file per group of
 * subcommands: cmd_load.c, cmd_service.c, cmd_list.c, cmd_print.c.
 *
 * Handlers return the process exit status.  Error numbers are macOS
 * values (launch_proto.h LP_E*), printed with lp_strerror().
 */
#ifndef LCTL_H
#define LCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "launch_proto.h"

#define EX_USAGE_CODE   64

struct lctl_cmd {
	const char *name;
	const char *usage;
	const char *help;
	int       (*fn)(const struct lctl_cmd *cmd, int argc, char **argv);
};

/* Print "Usage: launchctl NAME USAGE" to stderr; returns 64. */
int lctl_usage(const struct lctl_cmd *cmd);

/*
 * Send one request and wait for its reply (rpc.c).  0 with *out (free()
 * it) whose `code` is launchd's answer, or -1 after printing why launchd
 * could not be asked.
 */
int lctl_call(int id, uint32_t flags, int32_t arg, const char *data, struct lp_reply **out);

/* --- targets: gui/<uid>[/label], user/<uid>[/label] --------------------- */

struct target {
	char        domain[64];         /* "gui/501" */
	char        desc[64];           /* "user gui: 501", for messages */
	const char *label;              /* NULL: the domain itself */
};

/* 0, LP_ENODOMAIN (t->desc set), or -1 for a malformed specifier. */
int target_parse(const char *spec, struct target *t);
/* The caller's own domain, for legacy subcommands. */
void target_default(struct target *t);
/* Parse and report: 0, or the exit status after printing the error.
 * want_service: 1 required, 0 forbidden, -1 either. */
int target_get(const struct lctl_cmd *cmd, const char *spec, int want_service, struct target *t);

/* --- records ---------------------------------------------------------------------- */

/* The value of `key` after `prev` (NULL: the first), or NULL. */
const char *rec_next(const struct lp_reply *r, const char *key, const char *prev);
const char *rec_get(const struct lp_reply *r, const char *key);
long rec_num(const struct lp_reply *r, const char *key, long dflt);

/* --- subcommands -------------------------------------------------------------------- */

int cmd_bootstrap(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_bootout(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_load(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_unload(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_enable(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_kickstart(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_kill(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_start_stop(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_remove(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_list(const struct lctl_cmd *cmd, int argc, char **argv);
int cmd_print(const struct lctl_cmd *cmd, int argc, char **argv);

#endif /* LCTL_H */
