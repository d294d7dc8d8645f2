#include "api/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/fsroot.h"
#include "model/settings_tree.h"

#define STORE_FILE "datastore.json"
#define STORE_LOCK "lock"
#define STORE_VERSION 1

struct store {
	char dir[PATH_MAX];
	char path[PATH_MAX]; /* dir/datastore.json */
	int lock_fd;
	json_t *live;    /* object: the committed settings tree */
	json_t *pending; /* object: transaction name -> settings tree, never empty */
	json_t *journal; /* object, or NULL */
};

/* The trees the store holds are never changed in place: every change
 * builds new ones, writes them, and only then swaps them in, so what is
 * in memory is always what is on disk. */

int store_tx_check(const char *tx, struct bw_err *err)
{
	size_t len;

	if (!tx || !tx[0])
		return bw_err_input(err, "transaction name is empty");
	len = strlen(tx);
	if (len > STORE_TX_MAX)
		return bw_err_input(err, "transaction name '%.*s…' is longer than %d characters",
				    STORE_TX_MAX, tx, STORE_TX_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = tx[i];
		int is_ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-_.:@", c);

		if (!is_ok)
			return bw_err_input(err,
					    "transaction name '%s': only letters, digits, '-', '_', '.', ':' and '@' are allowed",
					    tx);
	}
	return 0;
}

/* mkdir -p, the last folder 0700 (it holds settings that may be secret). */
static int make_folder(const char *dir, struct bw_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return bw_errf(err, -ENAMETOOLONG, "%.200s: path too long", dir);
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			*slash = '/';
			return bw_errf(err, -e, "cannot create %s: %s", path, strerror(e));
		}
		*slash = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return bw_errf(err, -errno, "cannot create the datastore folder %s: %s", path,
			       strerror(errno));
	if (stat(path, &st) < 0)
		return bw_errf(err, -errno, "datastore folder %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return bw_errf(err, -ENOTDIR, "datastore folder %s: not a folder", path);
	return 0;
}

static int take_lock(struct store *s, struct bw_err *err)
{
	char lock_path[PATH_MAX], holder[32] = "";
	ssize_t n;
	int fd, rc;

	rc = fsroot_join(lock_path, sizeof(lock_path), s->dir, STORE_LOCK, err);
	if (rc < 0)
		return rc;
	fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return bw_errf(err, -errno, "cannot open the datastore lock %s: %s", lock_path,
			       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e != EWOULDBLOCK) {
			close(fd);
			return bw_errf(err, -e, "cannot lock %s: %s", lock_path, strerror(e));
		}
		n = pread(fd, holder, sizeof(holder) - 1, 0);
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		close(fd);
		return bw_errf(err, -EBUSY,
			       "datastore %s is in use by another process%s%s%s (lock %s)", s->dir,
			       holder[0] ? " (pid " : "", holder, holder[0] ? ")" : "", lock_path);
	}
	/* Who holds it, for the error a second opener prints; best effort. */
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%ld\n", (long)getpid());
	s->lock_fd = fd;
	return 0;
}

/* A temporary of fsroot_replace (".datastore.json.<pid>.<n>.tmp") that a
 * kill left behind. Only the lock holder writes here, so none is live. */
static int is_stale_temporary(const char *name)
{
	static const char prefix[] = "." STORE_FILE ".";
	size_t len = strlen(name);

	return strncmp(name, prefix, sizeof(prefix) - 1) == 0 && len > sizeof(prefix) + 3 &&
	       strcmp(name + len - 4, ".tmp") == 0;
}

static int remove_stale_temporaries(const struct store *s, struct bw_err *err)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return bw_errf(err, -errno, "cannot read the datastore folder %s: %s", s->dir,
			       strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;

		if (!is_stale_temporary(e->d_name))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) {
			rc = bw_errf(err, -errno, "cannot remove the stale temporary %s/%s: %s",
				     s->dir, e->d_name, strerror(errno));
			break;
		}
	}
	closedir(d);
	return rc;
}

/* A damaged datastore is an error naming the file, but not the
 * caller's bad input. */
static int damaged(struct bw_err *err, int rc)
{
	err->is_input = false;
	return rc;
}

static int check_state(struct store *s, json_t *doc, struct bw_err *err)
{
	const char *name;
	json_t *value, *version, *live, *pending, *journal;

	if (!json_is_object(doc))
		return damaged(err, bw_err_at(err, s->path, 0, 0, "not a datastore: not a JSON object"));
	json_object_foreach(doc, name, value) {
		if (strcmp(name, "version") != 0 && strcmp(name, "live") != 0 &&
		    strcmp(name, "pending") != 0 && strcmp(name, "journal") != 0)
			return damaged(err, bw_err_at(err, s->path, 0, 0, "unknown member \"%.200s\"",
						      name));
	}
	version = json_object_get(doc, "version");
	if (!json_is_integer(version))
		return damaged(err, bw_err_at(err, s->path, 0, 0,
					      "not a datastore: no integer \"version\""));
	if (json_integer_value(version) != STORE_VERSION)
		return damaged(err, bw_err_at(err, s->path, 0, 0,
					      "datastore version %lld is not one this bulwark reads (it reads %d)",
					      (long long)json_integer_value(version), STORE_VERSION));
	live = json_object_get(doc, "live");
	if (!json_is_object(live))
		return damaged(err, bw_err_at(err, s->path, 0, 0, "\"live\" must be an object"));
	pending = json_object_get(doc, "pending");
	if (!json_is_object(pending))
		return damaged(err, bw_err_at(err, s->path, 0, 0, "\"pending\" must be an object"));
	json_object_foreach(pending, name, value) {
		struct bw_err name_err;

		if (store_tx_check(name, &name_err) < 0)
			return damaged(err, bw_err_at(err, s->path, 0, 0, "pending: %.300s",
						      name_err.msg));
		if (!json_is_object(value))
			return damaged(err, bw_err_at(err, s->path, 0, 0,
						      "pending \"%s\" must be an object", name));
	}
	journal = json_object_get(doc, "journal");
	if (journal && !json_is_null(journal) && !json_is_object(journal))
		return damaged(err, bw_err_at(err, s->path, 0, 0,
					      "\"journal\" must be an object or null"));
	s->live = json_incref(live);
	s->pending = json_incref(pending);
	s->journal = json_is_object(journal) ? json_incref(journal) : NULL;
	return 0;
}

static int load_state(struct store *s, struct bw_err *err)
{
	json_error_t jerr;
	struct stat st;
	size_t len;
	char *text;
	json_t *doc;
	int rc;

	if (lstat(s->path, &st) < 0) {
		if (errno != ENOENT)
			return bw_errf(err, -errno, "%s: %s", s->path, strerror(errno));
		s->live = json_object();
		s->pending = json_object();
		return s->live && s->pending ? 0 : bw_errf(err, -ENOMEM, "out of memory");
	}
	if (!S_ISREG(st.st_mode))
		return damaged(err, bw_err_at(err, s->path, 0, 0, "not a regular file"));
	/* A kill between the first write and its chmod leaves it 0644. */
	if ((st.st_mode & 07777) != 0600 && chmod(s->path, 0600) < 0)
		return bw_errf(err, -errno, "cannot make %s private: %s", s->path, strerror(errno));
	rc = fsroot_slurp(s->path, STORE_MAX_BYTES, &text, &len, err);
	if (rc < 0)
		return damaged(err, rc);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!doc)
		return damaged(err, bw_err_at(err, s->path, jerr.line, jerr.column, "%s", jerr.text));
	rc = check_state(s, doc, err);
	json_decref(doc);
	return rc;
}

int store_open(const char *dir, struct store **out, struct bw_err *err)
{
	struct store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return bw_errf(err, -ENOMEM, "out of memory");
	s->lock_fd = -1;
	if (snprintf(s->dir, sizeof(s->dir), "%s", dir) >= (int)sizeof(s->dir)) {
		free(s);
		return bw_errf(err, -ENAMETOOLONG, "%.200s: path too long", dir);
	}
	rc = make_folder(s->dir, err);
	if (rc == 0)
		rc = fsroot_join(s->path, sizeof(s->path), s->dir, STORE_FILE, err);
	if (rc == 0)
		rc = take_lock(s, err);
	if (rc == 0)
		rc = remove_stale_temporaries(s, err);
	if (rc == 0)
		rc = load_state(s, err);
	if (rc < 0) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_close(struct store *store)
{
	if (!store)
		return;
	json_decref(store->live);
	json_decref(store->pending);
	json_decref(store->journal);
	if (store->lock_fd >= 0)
		close(store->lock_fd);
	free(store);
}

/* Writes the whole state atomically. Does not take its arguments. */
static int write_state(struct store *s, json_t *live, json_t *pending, json_t *journal,
		       struct bw_err *err)
{
	bool is_new = access(s->path, F_OK) != 0;
	json_t *doc;
	char *text;
	size_t len;
	int rc;

	doc = json_pack("{s:i, s:O, s:O, s:O?}", "version", STORE_VERSION, "live", live,
			"pending", pending, "journal", journal);
	text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	if (!text)
		return bw_errf(err, -ENOMEM, "out of memory");
	len = strlen(text);
	if (len + 1 > STORE_MAX_BYTES) {
		free(text);
		return bw_errf(err, -EFBIG, "%s: the datastore would be larger than %zu bytes",
			       s->path, STORE_MAX_BYTES);
	}
	/* Room for the newline: json_dumps leaves none. */
	{
		char *grown = realloc(text, len + 2);

		if (!grown) {
			free(text);
			return bw_errf(err, -ENOMEM, "out of memory");
		}
		text = grown;
		text[len] = '\n';
		text[len + 1] = '\0';
	}
	rc = fsroot_replace(NULL, s->path, text, err);
	free(text);
	if (rc < 0)
		return rc;
	/* fsroot_replace creates a new file 0644; later ones keep 0600. */
	if (is_new && chmod(s->path, 0600) < 0)
		return bw_errf(err, -errno, "cannot make %s private: %s", s->path, strerror(errno));
	return 0;
}

/* Writes, then takes the new trees in place of the old ones; on failure
 * drops them. Takes live, pending and journal (any may be NULL for "as
 * is", except journal, where keep_journal says so). */
static int swap_state(struct store *s, json_t *live, json_t *pending, json_t *journal,
		      bool keep_journal, struct bw_err *err)
{
	json_t *new_live = live ? live : json_incref(s->live);
	json_t *new_pending = pending ? pending : json_incref(s->pending);
	json_t *new_journal = keep_journal ? json_incref(s->journal) : journal;
	int rc = write_state(s, new_live, new_pending, new_journal, err);

	if (rc < 0) {
		json_decref(new_live);
		json_decref(new_pending);
		json_decref(new_journal);
		return rc;
	}
	json_decref(s->live);
	json_decref(s->pending);
	json_decref(s->journal);
	s->live = new_live;
	s->pending = new_pending;
	s->journal = new_journal;
	return 0;
}

const json_t *store_live(const struct store *store)
{
	return store->live;
}

const json_t *store_pending(const struct store *store, const char *tx)
{
	return tx ? json_object_get(store->pending, tx) : NULL;
}

const json_t *store_journal(const struct store *store)
{
	return store->journal;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *store_tx_names(const struct store *store)
{
	size_t n = json_object_size(store->pending), i = 0;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	json_t *out = json_array();
	const char *name;
	json_t *value;

	if (!names || !out) {
		free(names);
		json_decref(out);
		return NULL;
	}
	json_object_foreach((json_t *)store->pending, name, value)
		names[i++] = name;
	qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		if (json_array_append_new(out, json_string(names[i])) < 0) {
			json_decref(out);
			out = NULL;
			break;
		}
	}
	free(names);
	return out;
}

/* pending without tx (a shallow copy: the trees are shared, never changed). */
static json_t *pending_without(const struct store *s, const char *tx)
{
	json_t *copy = json_copy(s->pending);

	if (copy)
		json_object_del(copy, tx);
	return copy;
}

int store_set(struct store *store, const char *tx, const json_t *patch, struct bw_err *err)
{
	const json_t *current;
	json_t *tree, *pending;
	int rc = store_tx_check(tx, err);

	if (rc < 0)
		return rc;
	if (!json_is_object(patch))
		return bw_err_input(err, "settings to set must be an object");
	if (json_object_size(patch) == 0)
		return 0;
	current = json_object_get(store->pending, tx);
	rc = settings_takes_out_under(current, patch, err);
	if (rc < 0)
		return rc;
	tree = current ? json_deep_copy(current) : json_object();
	pending = json_copy(store->pending);
	if (!tree || !pending || settings_merge(tree, patch) < 0 ||
	    json_object_set_new(pending, tx, tree) < 0) {
		json_decref(pending);
		json_decref(tree);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	return swap_state(store, NULL, pending, NULL, true, err);
}

int store_tx_delete(struct store *store, const char *tx, json_t **deleted_keys,
		    struct bw_err *err)
{
	const json_t *current;
	json_t *empty, *keys, *pending;
	int rc = store_tx_check(tx, err);

	if (deleted_keys)
		*deleted_keys = NULL;
	if (rc < 0)
		return rc;
	current = json_object_get(store->pending, tx);
	empty = json_object();
	keys = empty ? (current ? settings_changed_keys(empty, current) : json_array()) : NULL;
	json_decref(empty);
	if (!keys)
		return bw_errf(err, -ENOMEM, "out of memory");
	if (current) {
		pending = pending_without(store, tx);
		if (!pending) {
			json_decref(keys);
			return bw_errf(err, -ENOMEM, "out of memory");
		}
		rc = swap_state(store, NULL, pending, NULL, true, err);
		if (rc < 0) {
			json_decref(keys);
			return rc;
		}
	}
	if (deleted_keys)
		*deleted_keys = keys;
	else
		json_decref(keys);
	return 0;
}

int store_commit(struct store *store, const char *tx, json_t **changed_keys,
		 struct bw_err *err)
{
	const json_t *current;
	json_t *live, *changed, *pending;
	int rc = store_tx_check(tx, err);

	*changed_keys = NULL;
	if (rc < 0)
		return rc;
	current = json_object_get(store->pending, tx);
	if (!current) {
		*changed_keys = json_array();
		return *changed_keys ? 0 : bw_errf(err, -ENOMEM, "out of memory");
	}
	live = json_deep_copy(store->live);
	if (!live || settings_patch(live, current) < 0) {
		json_decref(live);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	changed = settings_changed_keys(store->live, live);
	pending = pending_without(store, tx);
	if (!changed || !pending) {
		json_decref(live);
		json_decref(changed);
		json_decref(pending);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	rc = swap_state(store, live, pending, NULL, true, err);
	if (rc < 0) {
		json_decref(changed);
		return rc;
	}
	*changed_keys = changed;
	return 0;
}

json_t *store_preview(const struct store *store, const char *tx)
{
	const json_t *current = store_pending(store, tx);
	json_t *live = json_deep_copy(store->live);

	if (live && current && settings_patch(live, current) < 0) {
		json_decref(live);
		return NULL;
	}
	return live;
}

int store_replace_live(struct store *store, json_t *live, struct bw_err *err)
{
	if (!json_is_object(live)) {
		json_decref(live);
		return bw_err_input(err, "live settings must be an object");
	}
	return swap_state(store, live, NULL, NULL, true, err);
}

int store_set_journal(struct store *store, json_t *journal, struct bw_err *err)
{
	if (journal && !json_is_object(journal)) {
		json_decref(journal);
		return bw_err_input(err, "the journal must be an object");
	}
	return swap_state(store, NULL, NULL, journal, false, err);
}
