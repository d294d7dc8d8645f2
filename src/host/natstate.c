#include "host/natstate.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "host/fsroot.h"
#include "host/sysctl.h"

static int state_path(const char *state_dir, char *out, size_t out_size)
{
	int n = snprintf(out, out_size, "%s/nat.json", state_dir);

	return n < 0 || (size_t)n >= out_size ? -ENAMETOOLONG : 0;
}

void natstate_init(struct nat_state *state)
{
	memset(state, 0, sizeof(*state));
	state->saved_knobs = (struct vec)VEC_INIT(struct knob);
}

void natstate_free(struct nat_state *state)
{
	vec_free(&state->saved_knobs);
}

int natstate_load(const char *root, const char *state_dir, struct nat_state *state,
		  bool *exists, struct bw_err *err)
{
	char rel[PATH_MAX], full[PATH_MAX];
	json_error_t jerr;
	json_t *doc, *knobs, *item;
	const char *interface;
	size_t i;
	int rc = 0;

	*exists = false;
	if (state_path(state_dir, rel, sizeof(rel)) < 0 ||
	    fsroot_path(root, rel, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "state folder path too long");
	if (!fsroot_exists(root, rel))
		return 0;
	doc = json_load_file(full, 0, &jerr);
	if (!doc)
		return bw_errf(err, -EIO, "%s:%d:%d: unreadable state: %s", full, jerr.line,
			       jerr.column, jerr.text);
	interface = json_string_value(json_object_get(doc, "interface"));
	knobs = json_object_get(doc, "knobs");
	if (!interface || strlen(interface) >= IF_NAMESIZE || !json_is_array(knobs)) {
		json_decref(doc);
		return bw_errf(err, -EIO, "%s: unreadable state: no interface or knobs", full);
	}
	snprintf(state->interface, sizeof(state->interface), "%s", interface);
	json_array_foreach(knobs, i, item) {
		const char *path = json_string_value(json_object_get(item, "path"));
		const char *value = json_string_value(json_object_get(item, "value"));
		struct knob knob;

		/* Only knobs bulwark itself writes, so a tampered state file
		 * cannot point a restore at an arbitrary file. */
		if (!path || !value || (strncmp(path, "/proc/sys/", 10) != 0 &&
					strncmp(path, "/sys/module/", 12) != 0) ||
		    strstr(path, "..") || strlen(path) >= sizeof(knob.path) ||
		    strlen(value) >= sizeof(knob.value)) {
			rc = bw_errf(err, -EIO, "%s: unreadable state: bad knob %zu", full, i);
			break;
		}
		snprintf(knob.path, sizeof(knob.path), "%s", path);
		snprintf(knob.value, sizeof(knob.value), "%s", value);
		if (vec_push(&state->saved_knobs, &knob) < 0) {
			rc = bw_errf(err, -ENOMEM, "out of memory");
			break;
		}
	}
	json_decref(doc);
	if (rc == 0)
		*exists = true;
	return rc;
}

int natstate_save(const char *root, const char *state_dir,
		  const struct nat_state *state, struct bw_err *err)
{
	char rel[PATH_MAX];

	if (state_path(state_dir, rel, sizeof(rel)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "state folder path too long");
	return fsroot_replace_json(root, rel,
				   json_pack("{s:s, s:o}", "interface", state->interface, "knobs",
					     knobs_to_json(&state->saved_knobs)),
				   0, err);
}

int natstate_remove(const char *root, const char *state_dir, struct bw_err *err)
{
	char rel[PATH_MAX];

	if (state_path(state_dir, rel, sizeof(rel)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "state folder path too long");
	return fsroot_remove(root, rel, err);
}
