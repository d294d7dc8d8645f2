/* The commands main.c dispatches to. Each prints its data to stdout and
 * returns 0 or a negative errno with err filled; main.c prints the error
 * and picks the exit code. */
#pragma once
#include <stdbool.h>

#include <jansson.h>

#include "util/err.h"

/* Where bulwark records what it changed, so it can undo it (under --root). */
#define BW_STATE_DIR "/run/bulwark"

struct bw_globals {
	const char *root; /* host root prefix: "" is the real host */
	const char *socket_path; /* -s/--socket-path before the command; NULL when not given */
};

/* Each command's table of subcommands and options (cmd/cli.h). */
struct cli_command;
extern const struct cli_command cmd_nat;
extern const struct cli_command cmd_fw;
extern const struct cli_command cmd_lab;
extern const struct cli_command cmd_report;
extern const struct cli_command cmd_serve;
/* The settings API's client (cmd/settings.c): commands without a subcommand word. */
extern const struct cli_command cmd_get;
extern const struct cli_command cmd_set;
extern const struct cli_command cmd_apply;
extern const struct cli_command cmd_confirm;

/* nat up and nat status, for the lab to run inside its gateway. */
int cmd_nat_up(const struct bw_globals *globals, const char *config_path,
	       const char *state_dir, bool is_dry_run, struct bw_err *err);
int cmd_nat_status(const struct bw_globals *globals, const char *state_dir,
		   bool is_json, struct bw_err *err);

/* fw apply (enforcement required) and fw status, for the lab's router. */
int cmd_fw_apply(const struct bw_globals *globals, const char *aws_dir, const char *vpc_id,
		 const char *state_dir,
		 struct bw_err *err);
int cmd_fw_status(const struct bw_globals *globals, const char *state_dir, struct bw_err *err);

/* Prints doc as one indented JSON document on stdout and releases it. */
void cmd_print_json(json_t *doc);

/* Prints a warning line to stderr ("bulwark: warning: ..."). */
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a note line to stderr ("bulwark: ..."). */
void cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
