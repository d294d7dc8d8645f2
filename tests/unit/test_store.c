/* The datastore, against a temporary folder. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakeroot.h"

#include "api/store.h"

struct fixture {
	char *root;
	char dir[PATH_MAX];  /* root/var/lib/bulwark/datastore (not created) */
	char file[PATH_MAX + 16]; /* dir/datastore.json */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->root = fakeroot_new();
	snprintf(f->dir, sizeof(f->dir), "%s/var/lib/bulwark/datastore", f->root);
	snprintf(f->file, sizeof(f->file), "%s/datastore.json", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fakeroot_free(f->root);
	free(f);
	return 0;
}

static struct store *open_ok(const struct fixture *f)
{
	struct store *store = NULL;
	struct bw_err err;
	int rc = store_open(f->dir, &store, &err);

	if (rc < 0)
		fail_msg("store_open: %s", err.msg);
	return store;
}

static json_t *tree(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	if (!doc)
		fail_msg("bad JSON in the test: %s", jerr.text);
	return doc;
}

static void set_ok(struct store *store, const char *tx, const char *text)
{
	json_t *patch = tree(text);
	struct bw_err err;

	if (store_set(store, tx, patch, &err) < 0)
		fail_msg("store_set: %s", err.msg);
	json_decref(patch);
}

static void assert_json(const json_t *got, const char *want_text)
{
	json_t *want = tree(want_text);

	if (!json_equal((json_t *)got, want)) {
		char *text = got ? json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;

		fail_msg("got %s, want %s", text ? text : "NULL", want_text);
	}
	json_decref(want);
}

static void write_file(const char *path, const char *content)
{
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	fputs(content, out);
	fclose(out);
}

static char *read_file(const char *path)
{
	FILE *in = fopen(path, "r");
	char *text;
	long len;

	if (!in)
		return NULL;
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	rewind(in);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, in), (size_t)len);
	fclose(in);
	return text;
}

static void test_open_creates_a_private_folder_with_nothing_live(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	struct stat st;

	assert_int_equal(stat(f->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_json(store_live(store), "{}");
	assert_null(store_journal(store));
	assert_null(store_pending(store, "default"));
	store_close(store);
}

static void test_second_opener_is_refused_naming_the_folder(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f), *second = NULL;
	struct bw_err err;

	assert_int_equal(store_open(f->dir, &second, &err), -EBUSY);
	assert_null(second);
	assert_non_null(strstr(err.msg, f->dir));
	assert_non_null(strstr(err.msg, "in use"));
	store_close(store);
	/* Once the holder closes, the next one gets in. */
	second = open_ok(f);
	store_close(second);
}

static void test_set_keeps_settings_pending_not_live(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);

	set_ok(store, "default", "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_json(store_live(store), "{}");
	assert_json(store_pending(store, "default"), "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_null(store_pending(store, "other"));
	store_close(store);
}

static void test_sets_merge_into_the_pending_transaction(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);

	set_ok(store, "default", "{\"kernel\": {\"sysctl\": {\"a.b\": \"1\"}}}");
	set_ok(store, "default", "{\"kernel\": {\"sysctl\": {\"c.d\": \"2\"}, \"lockdown\": \"none\"}}");
	set_ok(store, "default", "{\"kernel\": {\"sysctl\": {\"a.b\": \"3\"}}}");
	assert_json(store_pending(store, "default"),
		    "{\"kernel\": {\"sysctl\": {\"a.b\": \"3\", \"c.d\": \"2\"}, \"lockdown\": \"none\"}}");
	store_close(store);
}

static void test_commit_makes_pending_live_and_names_the_changed_keys(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *changed = NULL;
	struct bw_err err;

	set_ok(store, "default", "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	assert_json(changed, "[\"settings.kernel.lockdown\"]");
	json_decref(changed);
	assert_json(store_live(store), "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_null(store_pending(store, "default"));
	store_close(store);
}

static void test_commit_names_only_keys_whose_value_changed(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *changed = NULL;
	struct bw_err err;

	set_ok(store, "default", "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	json_decref(changed);
	set_ok(store, "default",
	       "{\"kernel\": {\"lockdown\": \"integrity\", \"sysctl\": {\"x.y\": \"1\"}}}");
	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	assert_json(changed, "[\"settings.kernel.sysctl.\\\"x.y\\\"\"]");
	json_decref(changed);
	store_close(store);
}

static void test_commit_with_nothing_pending_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *changed = NULL;
	struct bw_err err;

	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	assert_json(changed, "[]");
	json_decref(changed);
	/* Nothing was written either. */
	assert_int_equal(access(f->file, F_OK), -1);
	store_close(store);
}

static void test_commit_of_one_transaction_leaves_the_others_pending(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *changed = NULL;
	struct bw_err err;

	set_ok(store, "a", "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	set_ok(store, "b", "{\"kernel\": {\"lockdown\": \"none\"}}");
	assert_int_equal(store_commit(store, "a", &changed, &err), 0);
	json_decref(changed);
	assert_json(store_live(store), "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_json(store_pending(store, "b"), "{\"kernel\": {\"lockdown\": \"none\"}}");
	store_close(store);
}

static void test_committed_state_survives_reopening(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *changed = NULL, *journal = tree("{\"step\": 2}");
	struct bw_err err;

	set_ok(store, "default", "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	json_decref(changed);
	set_ok(store, "later", "{\"network\": {\"no-proxy\": \"x\"}}");
	assert_int_equal(store_set_journal(store, journal, &err), 0);
	store_close(store);

	store = open_ok(f);
	assert_json(store_live(store), "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_json(store_pending(store, "later"), "{\"network\": {\"no-proxy\": \"x\"}}");
	assert_json(store_journal(store), "{\"step\": 2}");
	store_close(store);
}

static void test_delete_drops_the_transaction_and_returns_its_keys(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *deleted = NULL;
	struct bw_err err;

	set_ok(store, "default",
	       "{\"kernel\": {\"lockdown\": \"none\", \"sysctl\": {\"a.b\": \"1\"}}}");
	assert_int_equal(store_tx_delete(store, "default", &deleted, &err), 0);
	assert_json(deleted,
		    "[\"settings.kernel.lockdown\", \"settings.kernel.sysctl.\\\"a.b\\\"\"]");
	json_decref(deleted);
	assert_null(store_pending(store, "default"));
	assert_json(store_live(store), "{}");
	store_close(store);

	store = open_ok(f);
	assert_null(store_pending(store, "default"));
	store_close(store);
}

static void test_delete_of_an_unknown_transaction_returns_no_keys(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *deleted = NULL;
	struct bw_err err;

	assert_int_equal(store_tx_delete(store, "nothing", &deleted, &err), 0);
	assert_json(deleted, "[]");
	json_decref(deleted);
	assert_int_equal(store_tx_delete(store, "nothing", NULL, &err), 0);
	store_close(store);
}

static void test_tx_names_are_sorted(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *names;

	names = store_tx_names(store);
	assert_json(names, "[]");
	json_decref(names);
	set_ok(store, "zeta", "{\"a\": 1}");
	set_ok(store, "alpha", "{\"a\": 1}");
	set_ok(store, "default", "{\"a\": 1}");
	names = store_tx_names(store);
	assert_json(names, "[\"alpha\", \"default\", \"zeta\"]");
	json_decref(names);
	store_close(store);
}

static void test_empty_set_creates_no_transaction(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *names;

	set_ok(store, "default", "{}");
	assert_null(store_pending(store, "default"));
	names = store_tx_names(store);
	assert_json(names, "[]");
	json_decref(names);
	store_close(store);
}

static void test_bad_transaction_names_are_refused(void **state)
{
	char too_long[STORE_TX_MAX + 2];
	const char *const bad[] = {"", "a b", "a/b", "../x", "tx\n", "\xc3\xa9", too_long};
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *patch = tree("{\"a\": 1}"), *changed = NULL;
	struct bw_err err;

	memset(too_long, 'a', STORE_TX_MAX + 1);
	too_long[STORE_TX_MAX + 1] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(store_tx_check(bad[i], &err), -EINVAL);
		assert_true(err.is_input);
		assert_int_equal(store_set(store, bad[i], patch, &err), -EINVAL);
		assert_int_equal(store_commit(store, bad[i], &changed, &err), -EINVAL);
		assert_null(changed);
		assert_int_equal(store_tx_delete(store, bad[i], NULL, &err), -EINVAL);
	}
	assert_int_equal(store_tx_check(NULL, &err), -EINVAL);
	json_decref(patch);
	store_close(store);
}

static void test_sane_transaction_names_are_taken(void **state)
{
	char longest[STORE_TX_MAX + 1];
	const char *const good[] = {"default", "bulwark-apply.1", "user_data:2@host", longest};
	struct bw_err err;

	(void)state;
	memset(longest, 'a', STORE_TX_MAX);
	longest[STORE_TX_MAX] = '\0';
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(store_tx_check(good[i], &err), 0);
}

static void test_preview_merges_without_writing(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *preview, *changed = NULL;
	struct bw_err err;
	char *before, *after;

	set_ok(store, "default", "{\"kernel\": {\"lockdown\": \"none\"}}");
	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	json_decref(changed);
	set_ok(store, "default", "{\"kernel\": {\"sysctl\": {\"a.b\": \"1\"}}}");
	before = read_file(f->file);
	preview = store_preview(store, "default");
	assert_json(preview, "{\"kernel\": {\"lockdown\": \"none\", \"sysctl\": {\"a.b\": \"1\"}}}");
	json_decref(preview);
	after = read_file(f->file);
	assert_string_equal(before, after);
	assert_json(store_live(store), "{\"kernel\": {\"lockdown\": \"none\"}}");
	assert_non_null(store_pending(store, "default"));
	/* A transaction with nothing pending previews the live tree. */
	preview = store_preview(store, "other");
	assert_json(preview, "{\"kernel\": {\"lockdown\": \"none\"}}");
	json_decref(preview);
	free(before);
	free(after);
	store_close(store);
}

static void test_replace_live_swaps_the_whole_tree_and_keeps_pending(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *changed = NULL;
	struct bw_err err;

	set_ok(store, "default", "{\"kernel\": {\"lockdown\": \"none\", \"sysctl\": {\"a.b\": \"1\"}}}");
	assert_int_equal(store_commit(store, "default", &changed, &err), 0);
	json_decref(changed);
	set_ok(store, "next", "{\"network\": {\"no-proxy\": \"x\"}}");
	assert_int_equal(store_replace_live(store, tree("{\"kernel\": {\"lockdown\": \"integrity\"}}"),
					    &err), 0);
	assert_json(store_live(store), "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	assert_json(store_pending(store, "next"), "{\"network\": {\"no-proxy\": \"x\"}}");
	store_close(store);

	store = open_ok(f);
	assert_json(store_live(store), "{\"kernel\": {\"lockdown\": \"integrity\"}}");
	store_close(store);
}

static void test_replace_live_refuses_what_is_not_an_object(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	struct bw_err err;

	assert_int_equal(store_replace_live(store, json_array(), &err), -EINVAL);
	assert_int_equal(store_replace_live(store, NULL, &err), -EINVAL);
	assert_json(store_live(store), "{}");
	store_close(store);
}

static void test_journal_is_set_and_cleared(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	struct bw_err err;

	assert_int_equal(store_set_journal(store, tree("{\"undo\": [\"a\"]}"), &err), 0);
	assert_json(store_journal(store), "{\"undo\": [\"a\"]}");
	store_close(store);

	store = open_ok(f);
	assert_json(store_journal(store), "{\"undo\": [\"a\"]}");
	assert_int_equal(store_set_journal(store, NULL, &err), 0);
	assert_null(store_journal(store));
	store_close(store);

	store = open_ok(f);
	assert_null(store_journal(store));
	store_close(store);
}

static void test_the_file_is_private(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	struct stat st;

	set_ok(store, "default", "{\"a\": 1}");
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	set_ok(store, "default", "{\"b\": 1}");
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	store_close(store);
}

static void test_a_file_left_readable_is_made_private_on_open(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	struct stat st;

	set_ok(store, "default", "{\"a\": 1}");
	store_close(store);
	assert_int_equal(chmod(f->file, 0644), 0);
	store = open_ok(f);
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	store_close(store);
}

static void assert_open_refused(const struct fixture *f, const char *content, const char *what)
{
	struct store *store = NULL;
	struct bw_err err;
	char line[1024];

	store_close(open_ok(f)); /* makes the folder */
	write_file(f->file, content);
	assert_int_not_equal(store_open(f->dir, &store, &err), 0);
	assert_null(store);
	bw_err_format(&err, line, sizeof(line));
	if (!strstr(line, f->file) || !strstr(line, what))
		fail_msg("error '%s' should name %s and say '%s'", line, f->file, what);
	/* Never silently reset: the file is as it was. */
	{
		char *after = read_file(f->file);

		assert_string_equal(after, content);
		free(after);
	}
}

static void test_corrupt_file_is_refused_naming_it(void **state)
{
	assert_open_refused(*state, "{\"version\": 1, \"live\": {", "");
}

static void test_empty_file_is_refused_naming_it(void **state)
{
	assert_open_refused(*state, "", "");
}

static void test_unknown_version_is_refused_naming_it(void **state)
{
	assert_open_refused(*state, "{\"version\": 2, \"live\": {}, \"pending\": {}}", "version 2");
}

static void test_file_without_version_is_refused(void **state)
{
	assert_open_refused(*state, "{\"live\": {}, \"pending\": {}}", "version");
}

static void test_unknown_member_is_refused(void **state)
{
	assert_open_refused(*state, "{\"version\": 1, \"live\": {}, \"pending\": {}, \"x\": 1}",
			    "unknown member \"x\"");
}

static void test_pending_with_a_bad_transaction_name_is_refused(void **state)
{
	assert_open_refused(*state, "{\"version\": 1, \"live\": {}, \"pending\": {\"a b\": {}}}",
			    "transaction name");
}

static void test_live_not_an_object_is_refused(void **state)
{
	assert_open_refused(*state, "{\"version\": 1, \"live\": [], \"pending\": {}}", "live");
}

static void test_duplicate_members_are_refused(void **state)
{
	assert_open_refused(*state,
			    "{\"version\": 1, \"live\": {}, \"live\": {}, \"pending\": {}}", "");
}

static void test_oversized_file_is_refused(void **state)
{
	static const char head[] = "{\"version\": 1, \"live\": {}, \"pending\": {}}";
	struct fixture *f = *state;
	struct store *store = NULL;
	struct bw_err err;
	FILE *out;

	store_close(open_ok(f)); /* makes the folder */
	out = fopen(f->file, "w");
	assert_non_null(out);
	/* Valid JSON, one byte over the limit. */
	fputs(head, out);
	for (size_t n = strlen(head); n <= STORE_MAX_BYTES; n++)
		fputc(' ', out);
	fclose(out);
	assert_int_not_equal(store_open(f->dir, &store, &err), 0);
	assert_null(store);
	assert_non_null(strstr(err.file, "datastore.json"));
	assert_non_null(strstr(err.msg, "larger than"));
}

static void test_a_write_past_the_limit_fails_and_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *patch = json_object(), *big = json_object();
	char *huge = malloc(STORE_MAX_BYTES);
	struct bw_err err;

	assert_non_null(huge);
	memset(huge, 'x', STORE_MAX_BYTES - 1);
	huge[STORE_MAX_BYTES - 1] = '\0';
	json_object_set_new(big, "k", json_string(huge));
	json_object_set_new(patch, "network", big);
	free(huge);
	assert_int_equal(store_set(store, "default", patch, &err), -EFBIG);
	json_decref(patch);
	assert_null(store_pending(store, "default"));
	assert_int_equal(access(f->file, F_OK), -1);
	store_close(store);
}

static void test_stale_temporaries_are_removed_on_open(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	char stale[PATH_MAX + 32], other[PATH_MAX + 32];

	set_ok(store, "default", "{\"a\": 1}");
	store_close(store);
	/* What a kill between fsroot_replace's create and rename leaves. */
	snprintf(stale, sizeof(stale), "%s/.datastore.json.12345.0.tmp", f->dir);
	write_file(stale, "{\"version\": 1, \"li");
	snprintf(other, sizeof(other), "%s/keep.tmp", f->dir);
	write_file(other, "not ours");
	store = open_ok(f);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);
	assert_json(store_pending(store, "default"), "{\"a\": 1}");
	store_close(store);
}

static void test_set_refuses_what_is_not_an_object(void **state)
{
	struct fixture *f = *state;
	struct store *store = open_ok(f);
	json_t *patch = json_string("x");
	struct bw_err err;

	assert_int_equal(store_set(store, "default", patch, &err), -EINVAL);
	json_decref(patch);
	store_close(store);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_creates_a_private_folder_with_nothing_live),
		T(test_second_opener_is_refused_naming_the_folder),
		T(test_set_keeps_settings_pending_not_live),
		T(test_sets_merge_into_the_pending_transaction),
		T(test_commit_makes_pending_live_and_names_the_changed_keys),
		T(test_commit_names_only_keys_whose_value_changed),
		T(test_commit_with_nothing_pending_changes_nothing),
		T(test_commit_of_one_transaction_leaves_the_others_pending),
		T(test_committed_state_survives_reopening),
		T(test_delete_drops_the_transaction_and_returns_its_keys),
		T(test_delete_of_an_unknown_transaction_returns_no_keys),
		T(test_tx_names_are_sorted),
		T(test_empty_set_creates_no_transaction),
		T(test_bad_transaction_names_are_refused),
		T(test_sane_transaction_names_are_taken),
		T(test_preview_merges_without_writing),
		T(test_replace_live_swaps_the_whole_tree_and_keeps_pending),
		T(test_replace_live_refuses_what_is_not_an_object),
		T(test_journal_is_set_and_cleared),
		T(test_the_file_is_private),
		T(test_a_file_left_readable_is_made_private_on_open),
		T(test_corrupt_file_is_refused_naming_it),
		T(test_empty_file_is_refused_naming_it),
		T(test_unknown_version_is_refused_naming_it),
		T(test_file_without_version_is_refused),
		T(test_unknown_member_is_refused),
		T(test_pending_with_a_bad_transaction_name_is_refused),
		T(test_live_not_an_object_is_refused),
		T(test_duplicate_members_are_refused),
		T(test_oversized_file_is_refused),
		T(test_a_write_past_the_limit_fails_and_changes_nothing),
		T(test_stale_temporaries_are_removed_on_open),
		T(test_set_refuses_what_is_not_an_object),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
