/* bulwark: a hardened network appliance in one small program. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "host/jsonarena.h"
#include "host/netproxy.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "unknown"
#endif

static const struct cli_command *const commands[] = { &cmd_nat, &cmd_fw, &cmd_lab, &cmd_serve,
							    &cmd_get, &cmd_set, &cmd_apply, &cmd_confirm,
							    &cmd_report };

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void cmd_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("bulwark: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cmd_print_json(json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2));

	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(doc);
}

void cmd_note(const char *fmt, ...)
{
	va_list ap;

	fputs("bulwark: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_help(FILE *out)
{
	fprintf(out, "usage: bulwark [--root DIR] [-s PATH] <command> [<args>]\n\n");
	fprintf(out, "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "  %-8s %s\n", "help", "this text");
	fprintf(out, "\nGlobal options:\n");
	fprintf(out, "  --root DIR   read and write host files under DIR (default /)\n");
	fprintf(out, "  -s, --socket-path PATH\n"
		     "               the server's socket, for every command that talks to it\n"
		     "               (as BULWARK_SOCKET; default /run/bulwark/api.sock)\n");
	fprintf(out, "  --version    print the version\n");
	fprintf(out, "\n'bulwark <command> --help' describes a command, "
		     "'bulwark <command> <subcommand> --help' one subcommand.\n");
	fprintf(out, "Exit codes: 0 done, 1 runtime failure, 2 usage or input error.\n");
}

/* The man page, from the same tables that drive dispatch and --help. */
static void print_man(FILE *out)
{
	fprintf(out, ".TH BULWARK 8 \"\" \"bulwark %s\" \"System Administration\"\n", BULWARK_VERSION);
	fputs(".SH NAME\nbulwark \\- a hardened network appliance in one small program\n"
	      ".SH SYNOPSIS\n.B bulwark\n.RB [ \\-\\-root\n.IR DIR ]\n.I command subcommand\n"
	      ".RI [ options ]\n.SH DESCRIPTION\n"
	      "Each subcommand takes only the options listed with it; any other is a usage\n"
	      "error (exit 2) and nothing runs.\n", out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		cli_print_man(out, commands[i]);
	fputs(".SH GLOBAL OPTIONS\n.TP\n.BI \\-\\-root \" DIR\"\n"
	      "Read and write host files (configuration, /proc/sys, /sys/module, state)\n"
	      "under\n.IR DIR ,\nfor tests against a fake host.\n"
	      ".TP\n.BI \"\\-s, \\-\\-socket\\-path \" PATH\n"
	      "The server's socket, for every command that talks to it (as\n"
	      ".BR BULWARK_SOCKET ;\ndefault\n.IR /run/bulwark/api.sock ).\n"
	      ".SH EXIT STATUS\n0 done; 1 runtime failure (the host refused, a peer failed);\n"
	      "2 usage or input error, reported as one line\n.IR file : line : col \": what\" .\n"
	      ".SH FILES\n.I /etc/pelotech\\-nat.conf\n.br\n.I /etc/fck\\-nat.conf\n.br\n"
	      ".I /run/bulwark/nat.json\n.br\n.I /run/bulwark/fw.json\n.br\n"
	      ".I /var/lib/bulwark/fw.json\n(fw apply \\-\\-save: what the boot unit re-applies)\n", out);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "socket-path", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bw_globals globals = { .root = "" };
	struct bw_err err = { 0 };
	int opt, rc;

	/* Before any thread (a server's) can use jansson. */
	jsonarena_install();
	/* Global options stop at the command name. */
	opterr = 0; /* our own line, not getopt's with argv[0] */
	while ((opt = getopt_long(argc, argv, "+hs:", options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			globals.root = optarg;
			break;
		case 's':
			/* As apiclient takes it: before the command, for every
			 * command that talks to the server. */
			globals.socket_path = optarg;
			if (setenv("BULWARK_SOCKET", optarg, 1) < 0) {
				fprintf(stderr, "bulwark: --socket-path: %s\n", strerror(errno));
				return 1;
			}
			break;
		case 'V':
			printf("bulwark %s\n", BULWARK_VERSION);
			return 0;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			/* A short option may sit in a cluster (-xy): named by
			 * itself; a long one by its word. */
			if (optopt)
				fprintf(stderr, "bulwark: -%c: unknown global option or missing value "
					"(see 'bulwark help')\n", optopt);
			else
				fprintf(stderr, "bulwark: %s: unknown global option or missing value "
					"(see 'bulwark help')\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return 2;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc && strcmp(argv[optind + 1], "--man") == 0) {
			print_man(stdout);
			return 0;
		}
		print_help(stdout);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char line[1200];

		if (strcmp(argv[optind], commands[i]->name) != 0)
			continue;
		/* settings.network.https-proxy, for bulwark's own HTTP. */
		rc = netproxy_load(globals.root, &err);
		/* Each command parses its own options from its name on. */
		if (rc == 0)
			rc = cli_run(commands[i], argc - optind, argv + optind, &globals, &err);
		fflush(stdout);
		if (rc == 0)
			return 0;
		bw_err_format(&err, line, sizeof(line));
		fprintf(stderr, "bulwark: %s\n", line);
		return err.is_input ? 2 : 1;
	}
	fprintf(stderr, "bulwark: unknown command '%s' (see 'bulwark help')\n", argv[optind]);
	return 2;
}
