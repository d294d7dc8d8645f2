/* The firewall's flows, for `bulwark fw` alone and for `bulwark serve`:
 * apply a folder of AWS CLI output, edit one group (authorize-*,
 * revoke-*), status, explain. An engine that keeps its model (the server)
 * holds the linked model and security-groups.json in memory once a folder
 * has been applied or edited, so the next edit costs one group's render,
 * the kernel's transaction and writing the file, not re-reading the
 * folder; the files changing behind it (their names, sizes, times, inodes)
 * make it read them again. Host code: it reads the files, the record
 * (host/fwstate.h) and the kernel, and changes them. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "host/fwstate.h"
#include "host/nft.h"
#include "model/vpc.h"
#include "util/err.h"
#include "util/strbuf.h"

/* Where `fw apply --save` records what `fw reapply` loads at boot. */
#define FW_SAVE_DIR "/var/lib/bulwark"

/* The locks a command holds: its state folder's (fwstate_lock()), then
 * its --aws folder's (awslock_acquire()); -1 when not held. */
struct fw_locks {
	int state_fd;
	int aws_fd;
};

#define FW_LOCKS_NONE { .state_fd = -1, .aws_fd = -1 }

struct fwengine {
	const char *root;  /* host root prefix ("" the real host) */
	bool keeps_model;  /* keep the model between calls (the server) */
	/* Warnings (one line each, no prefix); NULL drops them. */
	void (*warn)(void *ctx, const char *line);
	void *warn_ctx;
	/* The model in memory, when has_model. */
	bool has_model;
	char aws_dir[PATH_MAX];      /* realpath of the folder */
	char vpc_sel[VPC_ID_MAX];    /* --vpc as given; "" none */
	uint64_t files_sig;          /* the folder's files as last read or written */
	struct vpc_model model;
	json_t *groups;              /* security-groups.json (owned) */
	/* Edits the kernel has, whose file and record are written by
	 * fwengine_flush() (a server: once requests pause); the locks are
	 * held until then. */
	bool has_pending;
	/* The context of the last edit's transaction, released by
	 * fwengine_flush() (host/nft.h: nft_apply_release_later()). */
	struct nft_ctx *nft_spent;
	/* The socket edits are loaded on (host/nftnl_rules.h), kept: closing
	 * it waits for the kernel to free what the last commit replaced. */
	struct nftnl_rules_conn *nftnl_conn;
	struct {
		struct fw_locks locks;
		char path[PATH_MAX + 32]; /* security-groups.json */
		char state_dir[PATH_MAX];
		struct fw_state state;
		bool is_live;
	} pending;
};

/* What a call takes: the options of the fw subcommand it stands for. */
struct fwengine_opts {
	const char *aws_dir;
	const char *vpc_id;      /* NULL: the only VPC in the files */
	const char *state_dir;   /* absolute, under root */
	uint32_t ct_mark_mask;   /* 0: as recorded, else the default */
	bool is_required;
	bool is_dry_run;
	bool is_saved;
	/* edits */
	const char *group_id;
	const char *permissions; /* the AWS CLI's --ip-permissions JSON */
	enum vpc_dir dir;
	bool is_revoke;
};

/* keeps_model: a server's engine; its edits are written to the file after
 * the kernel has them, by fwengine_flush(). */
void fwengine_init(struct fwengine *e, const char *root, bool keeps_model);
void fwengine_free(struct fwengine *e);

/* fw apply: loads the folder's ruleset in one transaction (or, dry run,
 * has the kernel check it). What the command prints goes to out. */
int fwengine_apply(struct fwengine *e, const struct fwengine_opts *opts, struct strbuf *out,
		   struct bw_err *err);

/* The ruleset apply would load (fw render: generation 1; fw check, with
 * is_as_recorded: the generation the record calls for). Caller frees. */
int fwengine_render(struct fwengine *e, const struct fwengine_opts *opts, bool is_as_recorded,
		    char **ruleset, unsigned *generation, struct bw_err *err);

/* fw delete: removes both tables, puts the bridge knobs back as they were
 * before the first apply, and records "off" (keeping the generation and
 * ct mark mask; opts->is_saved: forgets the boot record too).
 * opts->is_dry_run prints what it would do. */
int fwengine_delete(struct fwengine *e, const struct fwengine_opts *opts, struct strbuf *out,
		    struct bw_err *err);

/* authorize-* and revoke-*: the file and the live sets change together or
 * neither does; the record follows. */
int fwengine_edit(struct fwengine *e, const struct fwengine_opts *opts, struct strbuf *out,
		  struct bw_err *err);

/* Writes the pending edits' file and record (every call below does it
 * first, but an edit of the same folder). A file that cannot be written
 * has the folder applied again, so the kernel agrees with the files; the
 * warning says so. */
void fwengine_flush(struct fwengine *e);

/* fw status --json's document (caller decrefs). */
int fwengine_status(struct fwengine *e, const char *state_dir, json_t **doc,
		    struct bw_err *err);

/* fw explain --json's document for the packet's words (caller decrefs),
 * on the engine's model when it is the folder's, else the folder read. */
int fwengine_explain(struct fwengine *e, const struct fwengine_opts *opts, const char *packet,
		     bool is_established, json_t **doc, struct bw_err *err);

/* At the server's start: when the record says a folder is enforced, that
 * folder is applied again (nothing loaded when the kernel still holds
 * exactly it; otherwise, e.g. after a kill mid-edit, the kernel is made
 * to agree with the files), and its model kept. */
int fwengine_resume(struct fwengine *e, const char *state_dir, struct bw_err *err);
