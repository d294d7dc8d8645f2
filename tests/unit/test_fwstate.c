/* The record `fw apply` keeps (fw.json). */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fakeroot.h"

#include "host/fwstate.h"
#include "model/knob.h"
#include "render/vpc_nft.h"
#include "util/fnv.h"

static void test_state_round_trips(void **state)
{
	char *root = fakeroot_new();
	struct fw_state saved, loaded;
	struct knob knob = { "/proc/sys/net/bridge/bridge-nf-call-iptables", "0" };
	struct bw_err err;
	bool exists;

	(void)state;
	fwstate_init(&saved);
	fwstate_init(&loaded);
	snprintf(saved.mode, sizeof(saved.mode), "enforcing");
	snprintf(saved.aws_dir, sizeof(saved.aws_dir), "/etc/bulwark/aws");
	snprintf(saved.vpc_id, sizeof(saved.vpc_id), "vpc-0a1b2c3d4e5f60000");
	snprintf(saved.fingerprint, sizeof(saved.fingerprint), "0123456789abcdef");
	saved.generation = 7;
	saved.ct_mark_mask = 0x00f00000;
	saved.acl_digest = 0xfedcba9876543210ull;
	assert_int_equal(vec_push(&saved.saved_knobs, &knob), 0);
	snprintf(saved.loaded_stamp.boot_id, sizeof(saved.loaded_stamp.boot_id),
		 "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	saved.loaded_stamp.netns_cookie = 0x1234567890abcdefull;
	saved.loaded_stamp.generation = 4000000000u;
	assert_true(fwstate_add_edit(&saved, strdup("table inet t {\n}\n"),
				     strdup("table inet t {\n\tchain c {\n\t}\n}\n")));
	assert_int_equal(fwstate_write(root, "/run/bulwark", &saved, &err), 0);
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), 0);
	assert_true(exists);
	assert_string_equal(loaded.mode, "enforcing");
	assert_string_equal(loaded.aws_dir, "/etc/bulwark/aws");
	assert_string_equal(loaded.vpc_id, "vpc-0a1b2c3d4e5f60000");
	assert_string_equal(loaded.fingerprint, "0123456789abcdef");
	assert_int_equal(loaded.generation, 7);
	assert_int_equal(loaded.ct_mark_mask, 0x00f00000);
	assert_true(loaded.acl_digest == 0xfedcba9876543210ull);
	assert_int_equal(loaded.saved_knobs.len, 1);
	assert_string_equal(VEC_AT(&loaded.saved_knobs, struct knob, 0)->path, knob.path);
	assert_string_equal(VEC_AT(&loaded.saved_knobs, struct knob, 0)->value, "0");
	assert_true(nft_stamp_equal(&saved.loaded_stamp, &loaded.loaded_stamp));
	assert_int_equal(loaded.edits.len, 1);
	assert_string_equal(VEC_AT(&loaded.edits, struct fw_edit, 0)->before, "table inet t {\n}\n");
	assert_string_equal(VEC_AT(&loaded.edits, struct fw_edit, 0)->after,
			    "table inet t {\n\tchain c {\n\t}\n}\n");
	fwstate_free(&saved);
	fwstate_free(&loaded);
	fakeroot_free(root);
}

static void test_missing_state_is_no_state(void **state)
{
	char *root = fakeroot_new();
	struct fw_state loaded;
	struct bw_err err;
	bool exists = true;

	(void)state;
	fwstate_init(&loaded);
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(loaded.generation, 0);
	fwstate_free(&loaded);
	fakeroot_free(root);
}

static void test_corrupt_state_is_an_error_naming_the_file(void **state)
{
	char *root = fakeroot_new();
	struct fw_state loaded;
	struct bw_err err;
	bool exists;

	(void)state;
	fwstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/fw.json", "{\"mode\": \"enforc");
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), -EIO);
	assert_false(exists);
	assert_non_null(strstr(err.msg, "/run/bulwark/fw.json"));
	fwstate_free(&loaded);
	fakeroot_free(root);
}

static void test_unknown_mode_is_refused(void **state)
{
	char *root = fakeroot_new();
	struct fw_state loaded;
	struct bw_err err;
	bool exists;

	(void)state;
	fwstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/fw.json", "{\"mode\": \"enforcing-ish\"}");
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), -EIO);
	assert_non_null(strstr(err.msg, "mode"));
	fwstate_free(&loaded);
	fakeroot_free(root);
}

static void test_a_knob_outside_the_bridge_knobs_is_refused(void **state)
{
	char *root = fakeroot_new();
	struct fw_state loaded;
	struct bw_err err;
	bool exists;

	(void)state;
	fwstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/fw.json",
		     "{\"mode\": \"off\", \"saved_knobs\": [{\"path\": \"/proc/sys/net/ipv4/ip_forward\", \"value\": \"1\"}]}");
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), -EIO);
	assert_non_null(strstr(err.msg, "bad knob 0"));
	fwstate_free(&loaded);
	fakeroot_free(root);
}

static void test_bad_fingerprint_is_refused(void **state)
{
	char *root = fakeroot_new();
	struct fw_state loaded;
	struct bw_err err;
	bool exists;

	(void)state;
	fwstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/fw.json",
		     "{\"mode\": \"enforcing\", \"fingerprint\": \"0123\"}");
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), -EIO);
	assert_non_null(strstr(err.msg, "fingerprint"));
	fwstate_free(&loaded);
	fakeroot_free(root);
}

/* What fw.c wrote before this record had more fields. */
static void test_an_older_record_reads_with_defaults(void **state)
{
	char *root = fakeroot_new();
	struct fw_state loaded;
	struct bw_err err;
	bool exists;

	(void)state;
	fwstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/fw.json",
		     "{\"mode\": \"enforcing\", \"aws\": \"/x\", \"generation\": 3}");
	assert_int_equal(fwstate_read(root, "/run/bulwark", &loaded, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(loaded.generation, 3);
	assert_int_equal(loaded.ct_mark_mask, VPC_CT_DEFAULT_MASK);
	assert_string_equal(loaded.fingerprint, "");
	assert_int_equal(loaded.saved_knobs.len, 0);
	/* No stamp of the boot and namespace: it vouches for no table. */
	assert_false(nft_stamp_equal(&loaded.loaded_stamp, &loaded.loaded_stamp));
	assert_int_equal(loaded.edits.len, 0);
	fwstate_free(&loaded);
	fakeroot_free(root);
}

static void test_edits_past_the_limit_are_all_forgotten(void **state)
{
	struct fw_state rec;

	(void)state;
	fwstate_init(&rec);
	for (int i = 0; i < FWSTATE_MAX_EDITS; i++)
		assert_true(fwstate_add_edit(&rec, strdup("b"), strdup("a")));
	assert_false(fwstate_add_edit(&rec, strdup("b"), strdup("a")));
	assert_int_equal(rec.edits.len, 0);
	fwstate_free(&rec);
}

static void test_the_kept_render_is_read_only_for_its_digest(void **state)
{
	char *root = fakeroot_new();
	const char *ruleset = "table inet bulwark_vpc {\n}\n";
	uint64_t digest = fnv1a64(FNV1A64_OFFSET, ruleset, strlen(ruleset));
	struct bw_err err;
	char *text = NULL;

	(void)state;
	fwstate_read_render(root, "/run/bulwark", digest, &text);
	assert_null(text); /* none kept */
	assert_int_equal(fwstate_write_render(root, "/run/bulwark", ruleset, &err), 0);
	fwstate_read_render(root, "/run/bulwark", digest, &text);
	assert_non_null(text);
	assert_string_equal(text, ruleset);
	free(text);
	/* A record of another ruleset (or none): the kept one is not used. */
	fwstate_read_render(root, "/run/bulwark", digest ^ 1, &text);
	assert_null(text);
	fwstate_read_render(root, "/run/bulwark", 0, &text);
	assert_null(text);
	fwstate_forget_render(root, "/run/bulwark");
	fwstate_read_render(root, "/run/bulwark", digest, &text);
	assert_null(text);
	fakeroot_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_round_trips),
		cmocka_unit_test(test_missing_state_is_no_state),
		cmocka_unit_test(test_corrupt_state_is_an_error_naming_the_file),
		cmocka_unit_test(test_unknown_mode_is_refused),
		cmocka_unit_test(test_a_knob_outside_the_bridge_knobs_is_refused),
		cmocka_unit_test(test_bad_fingerprint_is_refused),
		cmocka_unit_test(test_an_older_record_reads_with_defaults),
		cmocka_unit_test(test_edits_past_the_limit_are_all_forgotten),
		cmocka_unit_test(test_the_kept_render_is_read_only_for_its_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
