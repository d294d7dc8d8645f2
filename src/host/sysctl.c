#include "host/sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/fsroot.h"

static const struct knob *find_knob(const struct vec *knobs, const char *path)
{
	for (size_t i = 0; i < knobs->len; i++)
		if (strcmp(VEC_AT(knobs, struct knob, i)->path, path) == 0)
			return VEC_AT(knobs, struct knob, i);
	return NULL;
}

bool knob_is_per_link(const char *path)
{
	static const char net[] = "/proc/sys/net/";
	const char *conf, *link, *end;

	if (strncmp(path, net, sizeof(net) - 1) != 0)
		return false;
	conf = strchr(path + sizeof(net) - 1, '/');
	if (!conf || strncmp(conf, "/conf/", 6) != 0)
		return false;
	link = conf + 6;
	end = strchr(link, '/');
	if (!end || end == link || strchr(end + 1, '/') || !end[1])
		return false;
	return !((end - link == 3 && strncmp(link, "all", 3) == 0) ||
		 (end - link == 7 && strncmp(link, "default", 7) == 0));
}

int knobs_restore_present(const char *root, const struct vec *saved, struct vec *gone,
			  struct bw_err *err)
{
	int first_rc = 0;

	for (size_t i = saved->len; i-- > 0;) {
		const struct knob *knob = VEC_AT(saved, struct knob, i);
		struct bw_err this_err;
		int rc = fsroot_write_knob(root, knob->path, knob->value, &this_err);

		if (rc == -ENOENT && knob_is_per_link(knob->path)) {
			if (vec_push(gone, knob) < 0)
				rc = bw_errf(&this_err, -ENOMEM, "out of memory");
			else
				continue;
		}
		if (rc < 0 && first_rc == 0) {
			first_rc = rc;
			*err = this_err;
		}
	}
	return first_rc;
}

int knobs_restore(const char *root, const struct vec *saved, struct bw_err *err)
{
	int first_rc = 0;

	for (size_t i = saved->len; i-- > 0;) {
		const struct knob *knob = VEC_AT(saved, struct knob, i);
		struct bw_err this_err;
		int rc = fsroot_write_knob(root, knob->path, knob->value, &this_err);

		if (rc < 0 && first_rc == 0) {
			first_rc = rc;
			*err = this_err;
		}
	}
	return first_rc;
}

int knobs_merge(struct vec *saved, const struct vec *more)
{
	for (size_t i = 0; i < more->len; i++) {
		const struct knob *knob = VEC_AT(more, struct knob, i);

		if (!find_knob(saved, knob->path) && vec_push(saved, knob) < 0)
			return -ENOMEM;
	}
	return 0;
}

int knobs_apply(const char *root, const struct vec *writes, struct vec *undo,
		struct bw_err *err)
{
	size_t undo_len = undo->len;
	int rc = 0;

	for (size_t i = 0; i < writes->len; i++) {
		const struct knob *want = VEC_AT(writes, struct knob, i);
		struct knob old;

		snprintf(old.path, sizeof(old.path), "%s", want->path);
		rc = fsroot_read(root, want->path, old.value, sizeof(old.value), err);
		if (rc < 0)
			break;
		/* Record before writing, so a failed write is undone too. */
		rc = vec_push(undo, &old);
		if (rc < 0) {
			bw_errf(err, rc, "out of memory");
			break;
		}
		rc = fsroot_write_knob(root, want->path, want->value, err);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		struct bw_err restore_err;
		struct vec mine = *undo;

		/* Only what this call wrote; the caller's earlier entries stay. */
		mine.items = (char *)undo->items + undo_len * undo->item_size;
		mine.len = undo->len - undo_len;
		knobs_restore(root, &mine, &restore_err);
		undo->len = undo_len;
	}
	return rc;
}

json_t *knobs_to_json(const struct vec *knobs)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < knobs->len; i++) {
		const struct knob *knob = VEC_AT(knobs, struct knob, i);

		if (json_array_append_new(list, json_pack("{s:s, s:s}", "path", knob->path,
							   "value", knob->value)) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}
