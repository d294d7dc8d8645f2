#include "host/fwstate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "host/awslock.h"
#include "host/fsroot.h"
#include "host/sysctl.h"
#include "model/knob.h"
#include "render/vpc_nft.h"
#include "util/fnv.h"

static int state_path(const char *state_dir, char *out, size_t out_size)
{
	int n = snprintf(out, out_size, "%s/" FWSTATE_NAME, state_dir);

	return n < 0 || (size_t)n >= out_size ? -ENAMETOOLONG : 0;
}

void fwstate_init(struct fw_state *state)
{
	memset(state, 0, sizeof(*state));
	state->ct_mark_mask = VPC_CT_DEFAULT_MASK;
	state->saved_knobs = (struct vec)VEC_INIT(struct knob);
	state->edits = (struct vec)VEC_INIT(struct fw_edit);
}

void fwstate_forget_edits(struct fw_state *state)
{
	for (size_t i = 0; i < state->edits.len; i++) {
		struct fw_edit *ed = VEC_AT(&state->edits, struct fw_edit, i);

		free(ed->before);
		free(ed->after);
	}
	vec_free(&state->edits);
}

void fwstate_free(struct fw_state *state)
{
	vec_free(&state->saved_knobs);
	fwstate_forget_edits(state);
}

bool fwstate_add_edit(struct fw_state *state, char *before, char *after)
{
	struct fw_edit ed = { before, after };
	size_t bytes = strlen(before) + strlen(after);

	for (size_t i = 0; i < state->edits.len; i++) {
		const struct fw_edit *e = VEC_AT(&state->edits, struct fw_edit, i);

		bytes += strlen(e->before) + strlen(e->after);
	}
	if (state->edits.len < FWSTATE_MAX_EDITS && bytes <= FWSTATE_MAX_EDIT_BYTES &&
	    vec_push(&state->edits, &ed) == 0)
		return true;
	free(before);
	free(after);
	fwstate_forget_edits(state);
	return false;
}

static int read_edits(json_t *list, struct fw_state *state, const char *full,
		      struct bw_err *err)
{
	json_t *item;
	size_t i;

	if (!list)
		return 0;
	if (!json_is_array(list))
		return bw_errf(err, -EIO, "%s: unreadable state: edits is not a list", full);
	json_array_foreach(list, i, item) {
		const char *before = json_string_value(json_object_get(item, "before"));
		const char *after = json_string_value(json_object_get(item, "after"));
		char *b, *a;

		if (!before || !after)
			return bw_errf(err, -EIO, "%s: unreadable state: bad edit %zu", full, i);
		b = strdup(before);
		a = strdup(after);
		if (!b || !a) {
			free(b);
			free(a);
			return bw_errf(err, -ENOMEM, "out of memory");
		}
		if (!fwstate_add_edit(state, b, a))
			return bw_errf(err, -EIO, "%s: unreadable state: more edits than kept", full);
	}
	return 0;
}

static json_t *edits_to_json(const struct fw_state *state)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < state->edits.len; i++) {
		const struct fw_edit *ed = VEC_AT(&state->edits, struct fw_edit, i);

		if (json_array_append_new(list, json_pack("{s:s, s:s}", "before", ed->before,
							  "after", ed->after)) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static bool is_hex16(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* An optional string member that must fit out; false when it does not. */
static bool get_text(json_t *doc, const char *key, char *out, size_t out_size)
{
	json_t *v = json_object_get(doc, key);

	if (!v)
		return true;
	if (!json_is_string(v) || strlen(json_string_value(v)) >= out_size)
		return false;
	snprintf(out, out_size, "%s", json_string_value(v));
	return true;
}

/* An optional member of 16 hex digits into *out (0 when absent). */
static bool get_hex64(json_t *doc, const char *key, uint64_t *out)
{
	char text[17] = "";

	*out = 0;
	if (!get_text(doc, key, text, sizeof(text)) || (text[0] && !is_hex16(text)))
		return false;
	*out = text[0] ? strtoull(text, NULL, 16) : 0;
	return true;
}

static bool is_known_mode(const char *mode)
{
	return strcmp(mode, "enforcing") == 0 || strcmp(mode, "metadata-only") == 0 ||
	       strcmp(mode, "off") == 0 || strcmp(mode, "loading") == 0;
}

/* Only the knobs fw apply writes, so a tampered record cannot point a
 * restore at another file. */
static bool is_bridge_knob(const char *path)
{
	return strcmp(path, "/proc/sys/net/bridge/bridge-nf-call-iptables") == 0 ||
	       strcmp(path, "/proc/sys/net/bridge/bridge-nf-call-ip6tables") == 0;
}

static int read_knobs(json_t *list, struct fw_state *state, const char *full,
		      struct bw_err *err)
{
	json_t *item;
	size_t i;

	if (!list)
		return 0;
	if (!json_is_array(list))
		return bw_errf(err, -EIO, "%s: unreadable state: saved_knobs is not a list", full);
	json_array_foreach(list, i, item) {
		const char *path = json_string_value(json_object_get(item, "path"));
		const char *value = json_string_value(json_object_get(item, "value"));
		struct knob knob;

		if (!path || !value || !is_bridge_knob(path) || strlen(value) >= sizeof(knob.value))
			return bw_errf(err, -EIO, "%s: unreadable state: bad knob %zu", full, i);
		snprintf(knob.path, sizeof(knob.path), "%s", path);
		snprintf(knob.value, sizeof(knob.value), "%s", value);
		if (vec_push(&state->saved_knobs, &knob) < 0)
			return bw_errf(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_state(json_t *doc, struct fw_state *state, const char *full,
		       struct bw_err *err)
{
	json_t *generation = json_object_get(doc, "generation");
	json_t *nft_gen = json_object_get(doc, "nft_generation");
	char mask[16] = "", digest[17] = "";
	char *end;
	int rc;

	if (!json_is_object(doc))
		return bw_errf(err, -EIO, "%s: unreadable state: not a JSON object", full);
	if (!get_text(doc, "mode", state->mode, sizeof(state->mode)) ||
	    !is_known_mode(state->mode))
		return bw_errf(err, -EIO, "%s: unreadable state: mode is not enforcing, metadata-only, loading or off",
			       full);
	if (!get_text(doc, "aws", state->aws_dir, sizeof(state->aws_dir)) ||
	    !get_text(doc, "vpc", state->vpc_id, sizeof(state->vpc_id)))
		return bw_errf(err, -EIO, "%s: unreadable state: bad aws or vpc", full);
	if (generation && (!json_is_integer(generation) || json_integer_value(generation) < 0 ||
			   json_integer_value(generation) > 65535))
		return bw_errf(err, -EIO, "%s: unreadable state: bad generation", full);
	state->generation = (unsigned)json_integer_value(generation);
	if (!get_text(doc, "ct_mark_mask", mask, sizeof(mask)))
		return bw_errf(err, -EIO, "%s: unreadable state: bad ct_mark_mask", full);
	if (mask[0]) {
		unsigned long value;

		errno = 0;
		value = strtoul(mask, &end, 16);
		if (strncmp(mask, "0x", 2) != 0 || *end || errno || value == 0 ||
		    value > UINT32_MAX)
			return bw_errf(err, -EIO, "%s: unreadable state: bad ct_mark_mask", full);
		state->ct_mark_mask = (uint32_t)value;
	}
	if (!get_text(doc, "fingerprint", state->fingerprint, sizeof(state->fingerprint)) ||
	    (state->fingerprint[0] && !is_hex16(state->fingerprint)))
		return bw_errf(err, -EIO, "%s: unreadable state: bad fingerprint", full);
	if (!get_text(doc, "acl_digest", digest, sizeof(digest)) ||
	    (digest[0] && !is_hex16(digest)))
		return bw_errf(err, -EIO, "%s: unreadable state: bad acl_digest", full);
	state->acl_digest = digest[0] ? strtoull(digest, NULL, 16) : 0;
	digest[0] = '\0';
	if (!get_text(doc, "ruleset_digest", digest, sizeof(digest)) ||
	    (digest[0] && !is_hex16(digest)))
		return bw_errf(err, -EIO, "%s: unreadable state: bad ruleset_digest", full);
	state->ruleset_digest = digest[0] ? strtoull(digest, NULL, 16) : 0;
	if (nft_gen && (!json_is_integer(nft_gen) || json_integer_value(nft_gen) < 0 ||
			json_integer_value(nft_gen) > UINT32_MAX))
		return bw_errf(err, -EIO, "%s: unreadable state: bad nft_generation", full);
	state->loaded_stamp.generation = (uint32_t)json_integer_value(nft_gen);
	/* A record from before the stamp held the boot and namespace reads as
	 * unknown: the next apply loads whole. */
	digest[0] = '\0';
	if (!get_text(doc, "nft_boot_id", state->loaded_stamp.boot_id,
		      sizeof(state->loaded_stamp.boot_id)) ||
	    !get_text(doc, "nft_netns_cookie", digest, sizeof(digest)) ||
	    (digest[0] && !is_hex16(digest)))
		return bw_errf(err, -EIO, "%s: unreadable state: bad nft_boot_id or nft_netns_cookie",
			       full);
	state->loaded_stamp.netns_cookie = digest[0] ? strtoull(digest, NULL, 16) : 0;
	if (!get_hex64(doc, "nft_inet_handle", &state->inet_handle) ||
	    !get_hex64(doc, "nft_bridge_handle", &state->bridge_handle))
		return bw_errf(err, -EIO, "%s: unreadable state: bad nft_inet_handle or nft_bridge_handle",
			       full);
	rc = read_knobs(json_object_get(doc, "saved_knobs"), state, full, err);
	return rc < 0 ? rc : read_edits(json_object_get(doc, "edits"), state, full, err);
}

int fwstate_read(const char *root, const char *state_dir, struct fw_state *state,
		 bool *exists, struct bw_err *err)
{
	char rel[PATH_MAX], full[PATH_MAX];
	json_error_t jerr;
	json_t *doc;
	int rc;

	*exists = false;
	if (state_path(state_dir, rel, sizeof(rel)) < 0 ||
	    fsroot_path(root, rel, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s/" FWSTATE_NAME ": path too long",
			       state_dir);
	if (!fsroot_exists(root, rel))
		return 0;
	doc = json_load_file(full, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return bw_errf(err, -EIO, "%s:%d:%d: unreadable state: %s", full, jerr.line,
			       jerr.column, jerr.text);
	rc = parse_state(doc, state, full, err);
	json_decref(doc);
	if (rc < 0) {
		fwstate_free(state);
		fwstate_init(state);
		return rc;
	}
	*exists = true;
	return 0;
}

int fwstate_write(const char *root, const char *state_dir, const struct fw_state *state,
		  struct bw_err *err)
{
	char rel[PATH_MAX], mask[16], digest[17], ruleset_digest[17], cookie[17];
	char inet_handle[17], bridge_handle[17];

	if (state_path(state_dir, rel, sizeof(rel)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s/" FWSTATE_NAME ": path too long",
			       state_dir);
	snprintf(mask, sizeof(mask), "0x%08" PRIx32, state->ct_mark_mask);
	snprintf(digest, sizeof(digest), "%016" PRIx64, state->acl_digest);
	snprintf(ruleset_digest, sizeof(ruleset_digest), "%016" PRIx64, state->ruleset_digest);
	snprintf(cookie, sizeof(cookie), "%016" PRIx64, state->loaded_stamp.netns_cookie);
	snprintf(inet_handle, sizeof(inet_handle), "%016" PRIx64, state->inet_handle);
	snprintf(bridge_handle, sizeof(bridge_handle), "%016" PRIx64, state->bridge_handle);
	return fsroot_replace_json(
		root, rel,
		json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o}",
			  "mode",
			  state->mode,
			  "aws", state->aws_dir, "vpc", state->vpc_id, "generation",
			  (json_int_t)state->generation, "ct_mark_mask", mask, "fingerprint",
			  state->fingerprint, "acl_digest", digest, "ruleset_digest", ruleset_digest,
			  "nft_generation", (json_int_t)state->loaded_stamp.generation, "nft_boot_id",
			  state->loaded_stamp.boot_id, "nft_netns_cookie", cookie, "nft_inet_handle",
			  inet_handle, "nft_bridge_handle", bridge_handle, "saved_knobs",
			  knobs_to_json(&state->saved_knobs), "edits", edits_to_json(state)),
		JSON_SORT_KEYS, err);
}

static int render_path(const char *state_dir, char *out, size_t out_size)
{
	int n = snprintf(out, out_size, "%s/" FWSTATE_RENDER_NAME, state_dir);

	return n < 0 || (size_t)n >= out_size ? -ENAMETOOLONG : 0;
}

int fwstate_write_render(const char *root, const char *state_dir, const char *ruleset,
			 struct bw_err *err)
{
	char rel[PATH_MAX];

	if (render_path(state_dir, rel, sizeof(rel)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s/" FWSTATE_RENDER_NAME ": path too long",
			       state_dir);
	return fsroot_replace(root, rel, ruleset, err);
}

/* A render larger than this is not kept for deltas (10,000 instances:
 * about 12 MB). */
#define RENDER_MAX_BYTES ((size_t)512 * 1024 * 1024)

void fwstate_read_render(const char *root, const char *state_dir, uint64_t digest,
			 char **ruleset)
{
	char rel[PATH_MAX], full[PATH_MAX];
	struct bw_err ignored;
	size_t len = 0;

	*ruleset = NULL;
	if (!digest || render_path(state_dir, rel, sizeof(rel)) < 0 ||
	    fsroot_path(root, rel, full, sizeof(full)) < 0 || !fsroot_exists(root, rel) ||
	    fsroot_slurp(full, RENDER_MAX_BYTES, ruleset, &len, &ignored) < 0)
		return;
	if (strlen(*ruleset) != len || fnv1a64(FNV1A64_OFFSET, *ruleset, len) != digest) {
		free(*ruleset);
		*ruleset = NULL;
	}
}

void fwstate_forget_render(const char *root, const char *state_dir)
{
	char rel[PATH_MAX];
	struct bw_err ignored;

	if (render_path(state_dir, rel, sizeof(rel)) == 0 && fsroot_exists(root, rel))
		fsroot_remove(root, rel, &ignored);
}

int fwstate_remove(const char *root, const char *state_dir, struct bw_err *err)
{
	char rel[PATH_MAX];

	if (state_path(state_dir, rel, sizeof(rel)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s/" FWSTATE_NAME ": path too long",
			       state_dir);
	return fsroot_exists(root, rel) ? fsroot_remove(root, rel, err) : 0;
}

int fwstate_lock(const char *root, const char *state_dir, int *lock_fd, struct bw_err *err)
{
	char full[PATH_MAX];
	int rc = fsroot_make_dir(root, state_dir, full, sizeof(full), err);

	*lock_fd = -1;
	return rc < 0 ? rc : awslock_acquire(full, lock_fd, err);
}
