/* What `fw apply` loaded, kept under the state folder (fw.json) for the
 * commands after it: edits check the files still match the live table,
 * the next apply picks the next generation, `fw delete` puts the bridge
 * knobs back as they were before bulwark first set them. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "host/nft.h"
#include "util/err.h"
#include "util/vec.h"

#define FWSTATE_NAME "fw.json"
/* The ruleset the record's ruleset_digest is of: what fw apply last
 * loaded, from which the next apply loads only what changed. */
#define FWSTATE_RENDER_NAME "fw.nft"

/* An edit the live tables took since the kept render was loaded: its
 * objects of before replaced by those of after (render text,
 * nftobj_overlay()). Owned. */
struct fw_edit {
	char *before;
	char *after;
};

/* Past these, the record keeps no more edits and no longer vouches for
 * the tables: the next apply loads whole. */
#define FWSTATE_MAX_EDITS 64
#define FWSTATE_MAX_EDIT_BYTES (4u << 20)

struct fw_state {
	char mode[16];          /* "enforcing", "metadata-only", "off", or "loading"
				  * (a load began and did not end) */
	char aws_dir[PATH_MAX]; /* --aws DIR the table was rendered from; "" unknown */
	char vpc_id[48];        /* "" when the files hold one VPC and none was named */
	unsigned generation;    /* 0: none yet */
	uint32_t ct_mark_mask;  /* the ct mark bits the table uses */
	char fingerprint[17];   /* awsdir_fingerprint() of the files; "" unknown */
	uint64_t acl_digest;    /* of the ACLs the table holds; 0 unknown */
	uint64_t ruleset_digest; /* of the whole transaction loaded; 0 unknown */
	/* The kernel's ruleset right after it was loaded (nft_ruleset_stamp()):
	 * the same stamp later, nothing touched any table; zeroed unknown. */
	struct nft_stamp loaded_stamp;
	/* The kernel's handles of tables inet and bridge bulwark_vpc as
	 * loaded (nft_table_handle()): the stamp tells whether anyone
	 * committed since, these whether the tables are still the ones
	 * loaded (a whole load by anyone makes new ones); 0 unknown. */
	uint64_t inet_handle;
	uint64_t bridge_handle;
	/* struct knob: /proc/sys/net/bridge/bridge-nf-call-ip{,6}tables as
	 * they were before the first apply; empty when never recorded. */
	struct vec saved_knobs;
	/* struct fw_edit, in order: the kernel's tables are the kept render
	 * with each overlaid (loaded_stamp is after the last). */
	struct vec edits;
};

/* Adds an edit (taking before and after) when the record has room, and
 * returns true; else frees them, forgets every edit and returns false. */
bool fwstate_add_edit(struct fw_state *state, char *before, char *after);

/* Forgets the edits (the record no longer names what the tables hold). */
void fwstate_forget_edits(struct fw_state *state);

void fwstate_init(struct fw_state *state);
void fwstate_free(struct fw_state *state);

/* Reads root + state_dir/fw.json into state (fwstate_init()ed). No file:
 * returns 0 with *exists false and state left initialised. A file that
 * is not a state record: an error naming it. A state written before the
 * ct mark mask was recorded reads as VPC_CT_DEFAULT_MASK. */
int fwstate_read(const char *root, const char *state_dir, struct fw_state *state,
		 bool *exists, struct bw_err *err);

/* One command at a time on a state folder (made if missing): apply,
 * edits and delete read the record, change the kernel and write the
 * record, and must not interleave. Taken before the --aws folder's lock
 * (awslock); awslock_release() gives it up. */
int fwstate_lock(const char *root, const char *state_dir, int *lock_fd, struct bw_err *err);

/* Removes the record (none left: as before any apply). */
int fwstate_remove(const char *root, const char *state_dir, struct bw_err *err);

/* Replaces the record atomically (fsroot_replace). */
int fwstate_write(const char *root, const char *state_dir, const struct fw_state *state,
		  struct bw_err *err);

/* Replaces root + state_dir/fw.nft by the ruleset loaded, atomically
 * (fsroot_replace). */
int fwstate_write_render(const char *root, const char *state_dir, const char *ruleset,
			 struct bw_err *err);

/* The ruleset of root + state_dir/fw.nft when its digest (fnv1a64) is
 * digest, else *ruleset NULL (no file, another ruleset, unreadable: the
 * caller loads whole). Caller frees. */
void fwstate_read_render(const char *root, const char *state_dir, uint64_t digest,
			 char **ruleset);

/* Removes root + state_dir/fw.nft (the tables are gone or changed). */
void fwstate_forget_render(const char *root, const char *state_dir);
