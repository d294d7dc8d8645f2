/* Settings trees: dotted key names with quoted segments, deep merge, the
 * changed keys of a commit, and selection by keys and by prefix as
 * Bottlerocket's GET /settings?keys= and ?prefix= do. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include <string.h>

#include "model/settings_tree.h"

static json_t *parse_json(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (!v)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	return v;
}

/* Asserts got (taken) equals the JSON text want. */
static void assert_json(json_t *got, const char *want)
{
	json_t *w = parse_json(want);

	assert_non_null(got);
	if (!json_equal(got, w)) {
		char *s = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

		fail_msg("got %s, want %s", s, want);
	}
	json_decref(w);
	json_decref(got);
}

static void assert_segments(const char *name, size_t n, const char *const *want)
{
	char *segs[SETTINGS_MAX_SEGMENTS];
	size_t got = 99;
	struct bw_err err = { 0 };

	if (settings_key_parse(name, segs, &got, &err) != 0)
		fail_msg("%s refused: %s", name, err.msg);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(segs[i], want[i]);
	settings_key_free(segs, got);
}

static void assert_key_refused(const char *name, const char *what)
{
	char *segs[SETTINGS_MAX_SEGMENTS];
	size_t got = 99;
	struct bw_err err = { 0 };

	if (settings_key_parse(name, segs, &got, &err) == 0)
		fail_msg("%s accepted", name);
	assert_int_equal(got, 0);
	assert_true(err.is_input);
	if (!strstr(err.msg, what))
		fail_msg("%s: got \"%s\", want ...%s...", name, err.msg, what);
}

static void test_key_parse_splits_on_dots(void **state)
{
	(void)state;
	assert_segments("settings.kernel.lockdown", 3,
			(const char *[]){ "settings", "kernel", "lockdown" });
	assert_segments("a", 1, (const char *[]){ "a" });
	assert_segments("fips-mode_2", 1, (const char *[]){ "fips-mode_2" });
}

static void test_key_parse_keeps_dots_inside_quotes(void **state)
{
	(void)state;
	assert_segments("settings.kernel.sysctl.\"net.ipv4.ip_forward\"", 4,
			(const char *[]){ "settings", "kernel", "sysctl", "net.ipv4.ip_forward" });
	assert_segments("kernel.modules.\"sctp\".allowed", 4,
			(const char *[]){ "kernel", "modules", "sctp", "allowed" });
	assert_segments("\"a\\\"b\\\\c\".d", 2, (const char *[]){ "a\"b\\c", "d" });
}

static void test_key_parse_refuses_malformed_names(void **state)
{
	(void)state;
	assert_key_refused("", "empty key name");
	assert_key_refused("a..b", "empty key segment");
	assert_key_refused(".a", "empty key segment");
	assert_key_refused("a.", "ends with a dot");
	assert_key_refused("a.\"b.c", "unclosed quote");
	assert_key_refused("a.\"\".c", "empty key segment");
	assert_key_refused("a.\"b\"c", "must end at a dot");
	assert_key_refused("a.b\"c\"", "quote may only open");
	assert_key_refused("a.b c", "invalid character ' '");
	assert_key_refused("a.\"b\\n\"", "escaped");
	assert_key_refused("a.\"b\tc\"", "control character");
}

static void test_key_parse_refuses_too_many_segments(void **state)
{
	char *segs[SETTINGS_MAX_SEGMENTS];
	size_t n = 0;
	struct bw_err err = { 0 };

	(void)state;
	assert_int_equal(settings_key_parse("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", segs, &n, &err), 0);
	assert_int_equal(n, 16);
	settings_key_free(segs, n);
	assert_key_refused("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q", "more than 16");
}

static void test_merge_is_deep(void **state)
{
	json_t *into = parse_json("{\"kernel\":{\"lockdown\":\"none\",\"sysctl\":{\"a\":\"1\"}},"
				  "\"network\":{\"no-proxy\":[\"x\"]}}");
	json_t *patch = parse_json("{\"kernel\":{\"sysctl\":{\"b\":\"2\"}},"
				   "\"network\":{\"no-proxy\":[\"y\"]}}");

	(void)state;
	assert_int_equal(settings_merge(into, patch), 0);
	assert_json(into, "{\"kernel\":{\"lockdown\":\"none\",\"sysctl\":{\"a\":\"1\",\"b\":\"2\"}},"
			  "\"network\":{\"no-proxy\":[\"y\"]}}");
	json_decref(patch);
}

static void test_patch_takes_out_what_is_null_and_empty_tables(void **state)
{
	json_t *into = parse_json("{\"kernel\":{\"lockdown\":\"none\",\"sysctl\":{\"a\":\"1\"}}}");
	json_t *patch = parse_json("{\"kernel\":{\"sysctl\":{\"a\":null}},"
				   "\"network\":{\"no-proxy\":null,\"https-proxy\":\"http://p:1\"}}");
	json_t *pending = json_object();

	(void)state;
	assert_int_equal(settings_patch(into, patch), 0);
	assert_json(into, "{\"kernel\":{\"lockdown\":\"none\"},"
			  "\"network\":{\"https-proxy\":\"http://p:1\"}}");
	/* A pending transaction keeps the null, for the commit to take out. */
	assert_int_equal(settings_merge(pending, patch), 0);
	assert_true(json_is_null(json_object_get(json_object_get(json_object_get(pending, "kernel"),
								 "sysctl"), "a")));
	json_decref(pending);
	json_decref(patch);
}

static void test_patch_of_nulls_under_an_absent_table_adds_no_empty_table(void **state)
{
	json_t *into = parse_json("{\"network\":{\"https-proxy\":\"http://p:1\"}}");
	json_t *patch = parse_json("{\"kernel\":{\"sysctl\":{\"vm.swappiness\":null},"
				   "\"modules\":{\"sctp\":{}}},\"nat\":{\"enabled\":null}}");

	(void)state;
	assert_int_equal(settings_patch(into, patch), 0);
	/* Taking out what is not there leaves nothing behind; a table written
	 * empty stays, as before. */
	assert_json(into, "{\"network\":{\"https-proxy\":\"http://p:1\"},"
			  "\"kernel\":{\"modules\":{\"sctp\":{}}}}");
	json_decref(patch);
}

static void test_a_write_under_a_table_taken_out_is_refused(void **state)
{
	json_t *pending = parse_json("{\"kernel\":{\"sysctl\":null}}");
	json_t *under = parse_json("{\"kernel\":{\"sysctl\":{\"b\":\"2\"}}}");
	json_t *beside = parse_json("{\"kernel\":{\"lockdown\":\"integrity\"}}");
	struct bw_err err;

	(void)state;
	assert_int_equal(settings_takes_out_under(pending, under, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "settings.kernel.sysctl: this transaction takes it out"));
	assert_int_equal(settings_takes_out_under(pending, beside, &err), 0);
	json_decref(pending);
	json_decref(under);
	json_decref(beside);
}

static void test_merge_replaces_a_leaf_with_an_object_and_back(void **state)
{
	json_t *into = parse_json("{\"a\":1,\"b\":{\"c\":2}}");
	json_t *patch = parse_json("{\"a\":{\"x\":true},\"b\":3}");

	(void)state;
	assert_int_equal(settings_merge(into, patch), 0);
	/* The patch stays the caller's: changing it does not reach into. */
	json_object_set_new(json_object_get(patch, "a"), "x", json_false());
	assert_json(into, "{\"a\":{\"x\":true},\"b\":3}");
	json_decref(patch);
}

static void test_changed_keys_are_sorted_full_names(void **state)
{
	json_t *old_tree = parse_json("{\"kernel\":{\"lockdown\":\"none\",\"sysctl\":{"
				      "\"net.ipv4.ip_forward\":\"0\",\"vm.swappiness\":\"60\"}},"
				      "\"network\":{\"https-proxy\":\"p\"}}");
	json_t *new_tree = parse_json("{\"kernel\":{\"lockdown\":\"integrity\",\"sysctl\":{"
				      "\"net.ipv4.ip_forward\":\"1\",\"vm.swappiness\":\"60\"}},"
				      "\"hardening\":{\"profile\":\"cis-level-1\"}}");

	(void)state;
	assert_json(settings_changed_keys(old_tree, new_tree),
		    "[\"settings.hardening.profile\","
		    "\"settings.kernel.lockdown\","
		    "\"settings.kernel.sysctl.\\\"net.ipv4.ip_forward\\\"\","
		    "\"settings.network.https-proxy\"]");
	json_decref(old_tree);
	json_decref(new_tree);
}

static void test_commit_keys_list_the_leaves_a_null_takes_out(void **state)
{
	json_t *live = parse_json("{\"nat\":{\"enabled\":true,\"interface\":\"eth0\"},"
				  "\"kernel\":{\"lockdown\":\"none\"}}");
	json_t *pending = parse_json("{\"nat\":null,\"kernel\":{\"lockdown\":\"none\"},"
				     "\"network\":null}");

	(void)state;
	/* The leaves of settings.nat, not settings.nat; the value already
	 * live still listed (as Bottlerocket); network held nothing. */
	assert_json(settings_commit_keys(live, pending),
		    "[\"settings.kernel.lockdown\","
		    "\"settings.nat.enabled\","
		    "\"settings.nat.interface\"]");
	json_decref(live);
	json_decref(pending);
}

static void test_changed_keys_empty_when_equal(void **state)
{
	json_t *tree = parse_json("{\"kernel\":{\"lockdown\":\"none\"},\"x\":{}}");
	json_t *same = parse_json("{\"kernel\":{\"lockdown\":\"none\"}}");
	json_t *empty = json_object();

	(void)state;
	assert_json(settings_changed_keys(tree, same), "[]");
	assert_json(settings_changed_keys(empty, empty), "[]");
	json_decref(tree);
	json_decref(same);
	json_decref(empty);
}

static void test_changed_keys_follow_a_leaf_becoming_an_object(void **state)
{
	json_t *old_tree = parse_json("{\"a\":{\"b\":1}}");
	json_t *new_tree = parse_json("{\"a\":{\"b\":{\"c\":1,\"d e\":[1]}}}");

	(void)state;
	assert_json(settings_changed_keys(old_tree, new_tree),
		    "[\"settings.a.b\",\"settings.a.b.\\\"d e\\\"\",\"settings.a.b.c\"]");
	json_decref(old_tree);
	json_decref(new_tree);
}

static void test_changed_keys_quote_segments_outside_the_bare_set(void **state)
{
	json_t *new_tree = parse_json("{\"m\":{\"a/b\":1,\"q\\\"x\":2,\"ok-1_A\":3}}");
	json_t *empty = json_object();

	(void)state;
	assert_json(settings_changed_keys(empty, new_tree),
		    "[\"settings.m.\\\"a/b\\\"\",\"settings.m.\\\"q\\\\\\\"x\\\"\","
		    "\"settings.m.ok-1_A\"]");
	json_decref(new_tree);
	json_decref(empty);
}

static const char sample[] = "{\"kernel\":{\"lockdown\":\"integrity\",\"sysctl\":{"
			     "\"net.ipv4.ip_forward\":\"1\",\"net.ipv6.conf.all.forwarding\":\"0\"},"
			     "\"modules\":{\"sctp\":{\"allowed\":false}}},"
			     "\"network\":{\"https-proxy\":\"http://p:3128\",\"no-proxy\":[\"a\"]}}";

static void test_select_keys_takes_named_leaves(void **state)
{
	json_t *tree = parse_json(sample);
	const char *keys[] = { "settings.kernel.lockdown",
			       "settings.kernel.sysctl.\"net.ipv4.ip_forward\"",
			       "settings.network.no-proxy" };

	(void)state;
	assert_json(settings_select_keys(tree, keys, 3),
		    "{\"kernel\":{\"lockdown\":\"integrity\",\"sysctl\":{"
		    "\"net.ipv4.ip_forward\":\"1\"}},\"network\":{\"no-proxy\":[\"a\"]}}");
	json_decref(tree);
}

static void test_select_keys_takes_leaves_only_not_a_named_subtree(void **state)
{
	json_t *tree = parse_json(sample);
	const char *subtree[] = { "settings.kernel.modules", "settings.kernel" };
	const char *leaf[] = { "settings.kernel.modules", "settings.kernel.modules.sctp.allowed" };

	(void)state;
	assert_json(settings_select_keys(tree, subtree, 2), "{}");
	assert_json(settings_select_keys(tree, leaf, 2),
		    "{\"kernel\":{\"modules\":{\"sctp\":{\"allowed\":false}}}}");
	json_decref(tree);
}

static void test_select_keys_ignores_unknown_and_malformed_names(void **state)
{
	json_t *tree = parse_json(sample);
	const char *keys[] = { "settings.kernel.nothing", "kernel.lockdown", "settings",
			       "settings..x", "settings.kernel.lockdown.deeper",
			       "settings.kernel.sysctl.net.ipv4.ip_forward" };

	(void)state;
	assert_json(settings_select_keys(tree, keys, 6), "{}");
	json_decref(tree);
}

static void test_select_prefix_matches_by_string(void **state)
{
	json_t *tree = parse_json(sample);

	(void)state;
	assert_json(settings_select_prefix(tree, "settings.kern"),
		    "{\"kernel\":{\"lockdown\":\"integrity\",\"sysctl\":{"
		    "\"net.ipv4.ip_forward\":\"1\",\"net.ipv6.conf.all.forwarding\":\"0\"},"
		    "\"modules\":{\"sctp\":{\"allowed\":false}}}}");
	assert_json(settings_select_prefix(tree, "settings.kernel.sysctl.\"net.ipv4"),
		    "{\"kernel\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}");
	assert_json(settings_select_prefix(tree, "settings.network.https-proxy"),
		    "{\"network\":{\"https-proxy\":\"http://p:3128\"}}");
	json_decref(tree);
}

static void test_select_prefix_of_settings_is_everything(void **state)
{
	json_t *tree = parse_json(sample);

	(void)state;
	assert_json(settings_select_prefix(tree, ""), sample);
	assert_json(settings_select_prefix(tree, "se"), sample);
	assert_json(settings_select_prefix(tree, "settings"), sample);
	assert_json(settings_select_prefix(tree, "settings."), sample);
	json_decref(tree);
}

static void test_select_prefix_elsewhere_is_empty(void **state)
{
	json_t *tree = parse_json(sample);

	(void)state;
	assert_json(settings_select_prefix(tree, "services."), "{}");
	assert_json(settings_select_prefix(tree, "settings.x"), "{}");
	assert_json(settings_select_prefix(tree, "settingsx"), "{}");
	json_decref(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse_splits_on_dots),
		cmocka_unit_test(test_key_parse_keeps_dots_inside_quotes),
		cmocka_unit_test(test_key_parse_refuses_malformed_names),
		cmocka_unit_test(test_key_parse_refuses_too_many_segments),
		cmocka_unit_test(test_merge_is_deep),
		cmocka_unit_test(test_patch_takes_out_what_is_null_and_empty_tables),
		cmocka_unit_test(test_patch_of_nulls_under_an_absent_table_adds_no_empty_table),
		cmocka_unit_test(test_a_write_under_a_table_taken_out_is_refused),
		cmocka_unit_test(test_merge_replaces_a_leaf_with_an_object_and_back),
		cmocka_unit_test(test_changed_keys_are_sorted_full_names),
		cmocka_unit_test(test_changed_keys_empty_when_equal),
		cmocka_unit_test(test_commit_keys_list_the_leaves_a_null_takes_out),
		cmocka_unit_test(test_changed_keys_follow_a_leaf_becoming_an_object),
		cmocka_unit_test(test_changed_keys_quote_segments_outside_the_bare_set),
		cmocka_unit_test(test_select_keys_takes_named_leaves),
		cmocka_unit_test(test_select_keys_takes_leaves_only_not_a_named_subtree),
		cmocka_unit_test(test_select_keys_ignores_unknown_and_malformed_names),
		cmocka_unit_test(test_select_prefix_matches_by_string),
		cmocka_unit_test(test_select_prefix_of_settings_is_everything),
		cmocka_unit_test(test_select_prefix_elsewhere_is_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
