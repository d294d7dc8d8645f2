#include "cmd/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* A command whose table has one subcommand named "" runs without a
 * subcommand word (bulwark get PREFIX...). */
static bool is_bare(const struct cli_command *command)
{
	return command->subs[0].name && !command->subs[0].name[0];
}

/* "fw apply", or "get" for a bare command: how errors and usage name it. */
static const char *sub_sep(const struct cli_sub *sub)
{
	return sub->name[0] ? " " : "";
}

static int find_option(const struct cli_command *command, const char *name, size_t len)
{
	for (int i = 0; command->options[i].name; i++)
		if (strlen(command->options[i].name) == len &&
		    strncmp(command->options[i].name, name, len) == 0)
			return i;
	return -1;
}

static int find_short(const struct cli_command *command, char c)
{
	for (int i = 0; command->options[i].name; i++)
		if (command->options[i].short_name == c)
			return i;
	return -1;
}

/* Whether sub's comma-separated list names option i of the catalogue
 * ("!name": a required one, said in *is_required). */
static bool sub_lists(const struct cli_command *command, const struct cli_sub *sub, int i,
		      bool *is_required)
{
	const char *name = command->options[i].name, *p = sub->options;
	size_t len = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, ',');
		bool is_bang = *p == '!';
		size_t n = (end ? (size_t)(end - p) : strlen(p)) - is_bang;

		if (n == len && strncmp(p + is_bang, name, n) == 0) {
			*is_required = is_bang;
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static bool sub_honours(const struct cli_command *command, const struct cli_sub *sub, int i)
{
	bool is_required;

	return sub_lists(command, sub, i, &is_required);
}

static bool sub_requires(const struct cli_command *command, const struct cli_sub *sub, int i)
{
	bool is_required = false;

	return sub_lists(command, sub, i, &is_required) && is_required;
}

/* Whether argv[i] is an option that takes the next word as its argument. */
static bool takes_next(const struct cli_command *command, const char *word)
{
	int i;

	if (strncmp(word, "--", 2) == 0) {
		if (strchr(word, '='))
			return false;
		i = find_option(command, word + 2, strlen(word + 2));
	} else if (word[0] == '-' && word[1] && !word[2]) {
		i = find_short(command, word[1]);
	} else {
		return false;
	}
	return i >= 0 && command->options[i].arg;
}

/* The index in argv of the subcommand's name: the first word that is not
 * an option or an option's argument. 0 when there is none. */
static int find_sub_word(const struct cli_command *command, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? i + 1 : 0;
		if (argv[i][0] != '-' || !argv[i][1])
			return i;
		if (takes_next(command, argv[i]))
			i++;
	}
	return 0;
}

static bool is_help_word(const char *word)
{
	return strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0;
}

/* Names the option a word was meant to be, for the error line. */
static void option_word(const char *word, char *out, size_t size)
{
	size_t len = strcspn(word, "=");

	snprintf(out, size, "%.*s", (int)(len < 64 ? len : 64), word);
}

/* "nat up", or "serve" for a command whose only subcommand is "". */
static void cli_sub_name(const struct cli_command *command, const struct cli_sub *sub, char *out,
			 size_t size)
{
	snprintf(out, size, "%s%s%s", command->name, sub_sep(sub), sub->name);
}

static int parse_options(struct cli_call *call, int argc, char **argv, struct bw_err *err)
{
	const struct cli_command *command = call->command;
	const struct cli_sub *sub = call->sub;
	struct option longopts[CLI_MAX_OPTIONS + 1] = { 0 };
	char shortopts[2 * CLI_MAX_OPTIONS + 4] = "+:";
	size_t n = 0, s = strlen(shortopts);
	int opt, index;
	char who[96];

	cli_sub_name(command, sub, who, sizeof(who));

	for (int i = 0; command->options[i].name; i++) {
		if (!sub_honours(command, sub, i))
			continue;
		longopts[n++] = (struct option){ command->options[i].name,
						 command->options[i].arg ? required_argument :
									   no_argument,
						 NULL, 256 + i };
		if (command->options[i].short_name) {
			shortopts[s++] = command->options[i].short_name;
			if (command->options[i].arg)
				shortopts[s++] = ':';
		}
	}
	/* Permute (options may follow operands) unless options end at the
	 * first operand; "+:" is POSIX order with ':' reporting a missing
	 * argument apart from an unknown option. */
	if (!sub->is_operand_greedy)
		memmove(shortopts, shortopts + 1, strlen(shortopts));
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, &index)) != -1) {
		char word[80];

		if (opt >= 256) {
			int i = opt - 256;

			call->values[i] = command->options[i].arg ? optarg : "";
			continue;
		}
		if (opt != '?' && opt != ':') {
			int i = find_short(command, (char)opt);

			call->values[i] = command->options[i].arg ? optarg : "";
			continue;
		}
		option_word(argv[optind - 1], word, sizeof(word));
		if (opt == ':')
			return bw_err_input(err, "%s: %s needs an argument", who, word);
		if (optopt && (strncmp(word, "--", 2) != 0))
			snprintf(word, sizeof(word), "-%c", optopt);
		if (optopt && find_short(command, (char)optopt) >= 0)
			return bw_err_input(err, "%s does not take %s (see 'bulwark %s --help')",
					    who, word, who);
		if (!optopt && find_option(command, word + 2, strlen(word + 2)) >= 0)
			return bw_err_input(err, "%s does not take %s (see 'bulwark %s --help')",
					    who, word, who);
		return bw_err_input(err, "%s: unknown option %s (see 'bulwark %s --help')",
				    who, word, who);
	}
	for (int i = 0; command->options[i].name; i++)
		if (sub_requires(command, sub, i) && !call->values[i])
			return bw_err_input(err, "%s: --%s is required (see 'bulwark %s --help')",
					    who, command->options[i].name, who);
	/* -s before the command and --socket-path after it name one socket:
	 * two different ones would leave one of them unheeded. */
	{
		const char *after = cli_value(call, "socket-path");

		if (call->globals && call->globals->socket_path && after &&
		    strcmp(call->globals->socket_path, after) != 0)
			return bw_err_input(err, "%s: -s %s and --socket-path %s differ: give one",
					    who, call->globals->socket_path, after);
	}
	call->argc = argc - optind;
	call->argv = argv + optind;
	return 0;
}

/* Parses the options of call->sub from argv (argv[0] its name), checks
 * the operands and runs it. */
static int run_sub(struct cli_call *call, int argc, char **argv, struct bw_err *err)
{
	int rc = parse_options(call, argc, argv, err);
	char who[96];

	cli_sub_name(call->command, call->sub, who, sizeof(who));

	if (rc == 0 && call->argc < call->sub->min_operands)
		rc = bw_err_input(err, "%s: expected %s (see 'bulwark %s --help')",
				  who, call->sub->operands ? call->sub->operands : "no operand", who);
	if (rc == 0 && call->sub->max_operands >= 0 && call->argc > call->sub->max_operands)
		rc = bw_err_input(err, "%s: unexpected argument '%s'", who,
				  call->argv[call->sub->max_operands]);
	if (rc == 0)
		rc = call->sub->run(call, err);
	return rc;
}

/* A command whose only subcommand is named "" (serve, get, set…) runs
 * without a subcommand word: every word is its option or operand. */
static int run_alone(struct cli_call *call, int argc, char **argv, struct bw_err *err)
{
	call->sub = &call->command->subs[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (is_help_word(argv[i])) {
			cli_print_usage(stdout, call->command, call->sub);
			return 0;
		}
	}
	return run_sub(call, argc, argv, err);
}

int cli_run(const struct cli_command *command, int argc, char **argv,
	    const struct bw_globals *globals, struct bw_err *err)
{
	struct cli_call call = { .globals = globals, .command = command };
	int sub_at;
	char **sub_argv;
	int sub_argc, rc;

	if (is_bare(command))
		return run_alone(&call, argc, argv, err);
	sub_at = find_sub_word(command, argc, argv);

	for (int i = 1; i < (sub_at ? sub_at : argc); i++) {
		if (is_help_word(argv[i])) {
			cli_print_usage(stdout, command, NULL);
			return 0;
		}
	}
	if (!sub_at)
		return bw_err_input(err, "%s: expected a subcommand (see 'bulwark %s --help')",
				    command->name, command->name);
	if (sub_at && strcmp(argv[sub_at], "help") == 0) {
		cli_print_usage(stdout, command, NULL);
		return 0;
	}
	for (const struct cli_sub *sub = command->subs; sub->name; sub++)
		if (strcmp(sub->name, argv[sub_at]) == 0)
			call.sub = sub;
	if (!call.sub)
		return bw_err_input(err, "%s: unknown subcommand '%s' (see 'bulwark %s --help')",
				    command->name, argv[sub_at], command->name);
	/* A greedy subcommand's operands may hold "--help" of their own. */
	for (int i = sub_at + 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || (call.sub->is_operand_greedy && i > sub_at + 1))
			break;
		if (is_help_word(argv[i])) {
			cli_print_usage(stdout, command, call.sub);
			return 0;
		}
	}
	/* Options before the subcommand's name, then after it: the words are
	 * moved so the name comes first and getopt sees one list. */
	sub_argc = sub_at ? argc - 1 : argc;
	sub_argv = calloc((size_t)argc + 1, sizeof(*sub_argv));
	if (!sub_argv)
		return bw_errf(err, -ENOMEM, "out of memory");
	sub_argv[0] = argv[sub_at];
	for (int i = 1, k = 1; i < argc; i++) {
		if (i == sub_at)
			continue;
		/* "->" is an arrow in an operand (fw explain's packet), never an
		 * option cluster: getopt is handed its synonym "to". */
		sub_argv[k++] = strcmp(argv[i], "->") == 0 ? (char *)"to" : argv[i];
	}
	/* Words before the name were all options (find_sub_word said so), so
	 * even a greedy subcommand parses them. */
	rc = run_sub(&call, sub_argc, sub_argv, err);
	free(sub_argv);
	return rc;
}

const char *cli_value(const struct cli_call *call, const char *name)
{
	int i = find_option(call->command, name, strlen(name));

	return i >= 0 ? call->values[i] : NULL;
}

bool cli_flag(const struct cli_call *call, const char *name)
{
	return cli_value(call, name) != NULL;
}

static void print_option_synopsis(FILE *out, const struct cli_option *o, bool is_required)
{
	fprintf(out, " %s--%s%s%s%s", is_required ? "" : "[", o->name, o->arg ? " " : "",
		o->arg ? o->arg : "", is_required ? "" : "]");
}

static void print_sub_synopsis(FILE *out, const struct cli_command *command,
			       const struct cli_sub *sub)
{
	fprintf(out, "bulwark %s%s%s", command->name, sub_sep(sub), sub->name);
	for (int i = 0; command->options[i].name; i++)
		if (sub_honours(command, sub, i))
			print_option_synopsis(out, &command->options[i],
					      sub_requires(command, sub, i));
	if (sub->operands)
		fprintf(out, " %s", sub->operands);
	fputc('\n', out);
}

static void print_option_help(FILE *out, const struct cli_option *o)
{
	char left[64];

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	fprintf(out, "  %-24s %s\n", left, o->help);
}

void cli_print_usage(FILE *out, const struct cli_command *command, const struct cli_sub *sub)
{
	if (!sub && is_bare(command))
		sub = command->subs;
	if (sub) {
		bool has_options = false;

		fprintf(out, "usage: ");
		print_sub_synopsis(out, command, sub);
		fprintf(out, "\n%s\n", sub->summary);
		/* A command without subcommands: its whole description too. */
		if (is_bare(command) && command->description &&
		    strcmp(command->description, sub->summary) != 0)
			fprintf(out, "\n%s\n", command->description);
		for (int i = 0; command->options[i].name; i++) {
			if (!sub_honours(command, sub, i))
				continue;
			if (!has_options)
				fprintf(out, "\nOptions:\n");
			has_options = true;
			print_option_help(out, &command->options[i]);
		}
		return;
	}
	fprintf(out, "usage: bulwark %s <subcommand> [options]\n\n%s\n\nSubcommands:\n",
		command->name, command->description);
	for (const struct cli_sub *s = command->subs; s->name; s++)
		fprintf(out, "  %-18s %s\n", s->name, s->summary);
	fprintf(out, "\nOptions (each subcommand takes only those its --help lists):\n");
	for (int i = 0; command->options[i].name; i++)
		print_option_help(out, &command->options[i]);
}

/* roff escapes: a leading dot or quote, backslashes and hyphens. */
static void roff(FILE *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else if ((*p == '.' || *p == '\'') && (p == text || p[-1] == '\n'))
			fprintf(out, "\\&%c", *p);
		else
			fputc(*p, out);
	}
}

/* One option as a man page tag: \fB--name\fR \fIARG\fR, on one line. */
static void man_option(FILE *out, const struct cli_option *o)
{
	fputs("\\fB\\-\\-", out);
	roff(out, o->name);
	fputs("\\fR", out);
	if (o->arg) {
		fputs(" \\fI", out);
		roff(out, o->arg);
		fputs("\\fR", out);
	}
}

void cli_print_man(FILE *out, const struct cli_command *command)
{
	fprintf(out, ".SS bulwark ");
	roff(out, command->name);
	fputc('\n', out);
	roff(out, command->description);
	fputc('\n', out);
	for (const struct cli_sub *sub = command->subs; sub->name; sub++) {
		fprintf(out, ".TP\n\\fBbulwark %s%s%s\\fR", command->name, sub_sep(sub),
			sub->name);
		for (int i = 0; command->options[i].name; i++) {
			bool is_required = sub_requires(command, sub, i);

			if (!sub_honours(command, sub, i))
				continue;
			fputs(is_required ? " " : " [", out);
			man_option(out, &command->options[i]);
			fputs(is_required ? "" : "]", out);
		}
		if (sub->operands) {
			fputs(" \\fI", out);
			roff(out, sub->operands);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff(out, sub->summary);
		fputc('\n', out);
	}
	fprintf(out, ".PP\nOptions of\n.BR \"bulwark %s\" :\n", command->name);
	for (int i = 0; command->options[i].name; i++) {
		fputs(".TP\n", out);
		man_option(out, &command->options[i]);
		fputc('\n', out);
		roff(out, command->options[i].help);
		fputc('\n', out);
	}
}
