/* The command line, driven by one table per command: each subcommand
 * names the options it honours, and any other option is a usage error
 * (exit 2) before anything runs. The same tables print `--help` and the
 * man page (`bulwark help --man`), so the three cannot disagree. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "cmd/cmd.h"

#define CLI_MAX_OPTIONS 24

/* An option of a command: one entry in the command's catalogue. */
struct cli_option {
	const char *name; /* long name without "--" */
	char short_name;  /* 0: none */
	const char *arg;  /* NULL: a flag; else the argument's placeholder ("DIR") */
	const char *help;
};

/* What one run of a subcommand was given. */
struct cli_call {
	const struct bw_globals *globals;
	const struct cli_command *command;
	const struct cli_sub *sub;
	const char *values[CLI_MAX_OPTIONS]; /* by catalogue index: the argument, "" for
					      * a flag given, NULL when absent */
	int argc;                            /* operands after the subcommand's name */
	char **argv;
};

struct cli_sub {
	const char *name;
	int (*run)(const struct cli_call *call, struct bw_err *err);
	const char *options;  /* the catalogue names it honours, comma-separated;
			       * "!name" when it cannot run without it */
	const char *operands; /* usage of its operands, e.g. "PACKET..."; NULL: none */
	int min_operands, max_operands; /* max -1: any number */
	bool is_operand_greedy; /* options end at the first operand (lab exec's command) */
	const char *summary;
};

struct cli_command {
	const char *name;
	const char *summary;
	const struct cli_option *options; /* the catalogue, ended by { 0 } */
	const struct cli_sub *subs;       /* ended by { 0 } */
	const char *description;          /* a paragraph for help and the man page */
};

/* Finds the subcommand in argv (argv[0] is the command's name), parses the
 * options it honours and runs it. Returns what it returns; a bad command
 * line is an input error. */
int cli_run(const struct cli_command *command, int argc, char **argv,
	    const struct bw_globals *globals, struct bw_err *err);

/* The value of option name (a flag: "" when given), or NULL when absent. */
const char *cli_value(const struct cli_call *call, const char *name);
bool cli_flag(const struct cli_call *call, const char *name);

/* Usage of a command (every subcommand), or of one subcommand. */
void cli_print_usage(FILE *out, const struct cli_command *command, const struct cli_sub *sub);
/* The man page's section for a command, in roff. */
void cli_print_man(FILE *out, const struct cli_command *command);
