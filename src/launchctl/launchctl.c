/*
 * launchctl.c -- main and the command table; help is generated from the
 * table.  Each subcommand lives in a cmd_*.c file and talks to launchd
 * through rpc.c over the private protocol of launch_proto.h.
 *
 * Exit status: 0, a macOS errno value or launchd code (112 no such
 * domain, 113 no such service, 3 no such process, 37 already loaded,
 * 133 invalid property list ...), 64 for bad usage, 1 for an unknown
 * subcommand or when launchd cannot be reached.
 */
#include <stdio.h>
#include <string.h>

#include "lctl.h"

static int cmd_help(const struct lctl_cmd *cmd, int argc, char **argv);

static const struct lctl_cmd commands[] = {
	{ "bootstrap", "<domain-target> <service-path> ...", "Bootstraps services into a domain.", cmd_bootstrap },
	{ "bootout", "<domain-target> [<service-path> ...] | <service-target>", "Removes services from a domain.", cmd_bootout },
	{ "enable", "<service-target>", "Enables a service.", cmd_enable },
	{ "disable", "<service-target>", "Disables a service.", cmd_enable },
	{ "kickstart", "[-k] [-p] <service-target>", "Forces a service to start.", cmd_kickstart },
	{ "kill", "<signal-name|signal-number> <service-target>", "Sends a signal to the service instance.", cmd_kill },
	{ "print", "<domain-target> | <service-target>", "Prints a description of a domain or service.", cmd_print },
	{ "list", "[<label>]", "Lists information about services.", cmd_list },
	{ "load", "[-wF] <service-path> ...", "Loads services (legacy).", cmd_load },
	{ "unload", "[-w] <service-path> ...", "Unloads services (legacy).", cmd_unload },
	{ "start", "<label>", "Starts a service (legacy).", cmd_start_stop },
	{ "stop", "<label>", "Stops a service if it is running (legacy).", cmd_start_stop },
	{ "remove", "<label>", "Unloads a service by label (legacy).", cmd_remove },
	{ "help", "[<subcommand>]", "Prints the usage for a given subcommand.", cmd_help },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int
lctl_usage(const struct lctl_cmd *cmd)
{
	fprintf(stderr, "Usage: launchctl %s %s\n", cmd->name, cmd->usage);
	return EX_USAGE_CODE;
}

static int
cmd_help(const struct lctl_cmd *cmd, int argc, char **argv)
{
	size_t i;

	if (argc == 2) {
		for (i = 0; i < NCOMMANDS; i++) {
			if (strcmp(commands[i].name, argv[1]) == 0) {
				(void)lctl_usage(&commands[i]);     /* asked for: exit 0 */
				return 0;
			}
		}
		return lctl_usage(cmd);
	}
	printf("Usage: launchctl <subcommand> ... | help [subcommand]\n"
	    "Targets: gui/<uid>[/<label>] or user/<uid>[/<label>], the caller's own uid.\n"
	    "\nSubcommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		printf("\t%-16s%s\n", commands[i].name, commands[i].help);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cmd_help(&commands[NCOMMANDS - 1], 1, argv);
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(&commands[i], argc - 1, argv + 1);
	fprintf(stderr, "Unrecognized subcommand: %s\n", argv[1]);
	cmd_help(&commands[NCOMMANDS - 1], 1, argv);
	return 1;
}
