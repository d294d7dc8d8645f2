/* Kernel knobs against a fake root: all land, or none stay changed. */
#include "unit.h"

#include <errno.h>

#include "fakeroot.h"

#include "host/sysctl.h"

static void add(struct vec *writes, const char *path, const char *value)
{
	struct knob knob;

	snprintf(knob.path, sizeof(knob.path), "%s", path);
	snprintf(knob.value, sizeof(knob.value), "%s", value);
	assert_int_equal(vec_push(writes, &knob), 0);
}

static void test_writes_land_and_old_values_are_recorded(void **state)
{
	char *root = fakeroot_new();
	struct vec writes = VEC_INIT(struct knob), undo = VEC_INIT(struct knob);
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/proc/sys/net/ipv4/ip_forward", "0");
	fakeroot_put(root, "/proc/sys/net/ipv4/ip_local_port_range", "32768\t60999");
	add(&writes, "/proc/sys/net/ipv4/ip_forward", "1");
	add(&writes, "/proc/sys/net/ipv4/ip_local_port_range", "1024 65535");
	assert_int_equal(knobs_apply(root, &writes, &undo, &err), 0);
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/ip_forward"), "1");
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/ip_local_port_range"),
			    "1024 65535");
	assert_int_equal(undo.len, 2);
	assert_string_equal(VEC_AT(&undo, struct knob, 1)->value, "32768\t60999");
	assert_int_equal(knobs_restore(root, &undo, &err), 0);
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/ip_forward"), "0");
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/ip_local_port_range"),
			    "32768\t60999");
	vec_free(&writes);
	vec_free(&undo);
	fakeroot_free(root);
}

static void test_a_failed_write_puts_back_the_earlier_ones(void **state)
{
	char *root = fakeroot_new();
	struct vec writes = VEC_INIT(struct knob), undo = VEC_INIT(struct knob);
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/proc/sys/net/ipv4/ip_forward", "0");
	fakeroot_put(root, "/proc/sys/net/ipv4/conf/all/rp_filter", "1");
	add(&writes, "/proc/sys/net/ipv4/ip_forward", "1");
	add(&writes, "/proc/sys/net/ipv4/conf/all/rp_filter", "0");
	/* Missing, as nf_conntrack_max is when the module is not loaded. */
	add(&writes, "/proc/sys/net/netfilter/nf_conntrack_max", "262144");
	assert_int_equal(knobs_apply(root, &writes, &undo, &err), -2);
	assert_non_null(strstr(err.msg, "nf_conntrack_max"));
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/ip_forward"), "0");
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/conf/all/rp_filter"), "1");
	assert_int_equal(undo.len, 0);
	vec_free(&writes);
	vec_free(&undo);
	fakeroot_free(root);
}

static void test_merge_keeps_the_value_from_before_bulwark(void **state)
{
	struct vec saved = VEC_INIT(struct knob), later = VEC_INIT(struct knob);

	(void)state;
	add(&saved, "/proc/sys/net/ipv4/ip_forward", "0");
	/* A second `up` sees bulwark's own 1 as the old value. */
	add(&later, "/proc/sys/net/ipv4/ip_forward", "1");
	add(&later, "/proc/sys/net/ipv4/tcp_keepalive_time", "7200");
	assert_int_equal(knobs_merge(&saved, &later), 0);
	assert_int_equal(saved.len, 2);
	assert_string_equal(VEC_AT(&saved, struct knob, 0)->value, "0");
	assert_string_equal(VEC_AT(&saved, struct knob, 1)->value, "7200");
	vec_free(&saved);
	vec_free(&later);
}

static void test_restore_skips_the_knobs_of_a_link_gone(void **state)
{
	char *root = fakeroot_new();
	struct vec saved = VEC_INIT(struct knob), gone = VEC_INIT(struct knob);
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/proc/sys/net/ipv4/conf/all/rp_filter", "0");
	add(&saved, "/proc/sys/net/ipv4/conf/all/rp_filter", "1");
	add(&saved, "/proc/sys/net/ipv4/conf/veth9/rp_filter", "1");
	add(&saved, "/proc/sys/net/ipv6/conf/veth9/accept_ra", "1");
	assert_int_equal(knobs_restore_present(root, &saved, &gone, &err), 0);
	assert_string_equal(fakeroot_get(root, "/proc/sys/net/ipv4/conf/all/rp_filter"), "1");
	assert_int_equal(gone.len, 2);
	assert_string_equal(VEC_AT(&gone, struct knob, 1)->path,
			    "/proc/sys/net/ipv4/conf/veth9/rp_filter");
	vec_free(&saved);
	vec_free(&gone);
	fakeroot_free(root);
}

static void test_restore_still_fails_on_a_machine_wide_knob_gone(void **state)
{
	char *root = fakeroot_new();
	struct vec saved = VEC_INIT(struct knob), gone = VEC_INIT(struct knob);
	struct bw_err err;

	(void)state;
	add(&saved, "/proc/sys/net/ipv4/conf/all/rp_filter", "1");
	add(&saved, "/proc/sys/net/ipv4/ip_forward", "0");
	assert_int_equal(knobs_restore_present(root, &saved, &gone, &err), -ENOENT);
	assert_int_equal(gone.len, 0);
	vec_free(&saved);
	fakeroot_free(root);
}

static void test_per_link_knobs_are_told_apart(void **state)
{
	(void)state;
	assert_true(knob_is_per_link("/proc/sys/net/ipv4/conf/eth1/rp_filter"));
	assert_true(knob_is_per_link("/proc/sys/net/ipv6/conf/ens5/accept_ra"));
	assert_false(knob_is_per_link("/proc/sys/net/ipv4/conf/all/rp_filter"));
	assert_false(knob_is_per_link("/proc/sys/net/ipv4/conf/default/rp_filter"));
	assert_false(knob_is_per_link("/proc/sys/net/ipv4/ip_forward"));
	assert_false(knob_is_per_link("/proc/sys/net/ipv4/conf/eth1/"));
	assert_false(knob_is_per_link("/proc/sys/net/netfilter/nf_conntrack_max"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_land_and_old_values_are_recorded),
		cmocka_unit_test(test_a_failed_write_puts_back_the_earlier_ones),
		cmocka_unit_test(test_merge_keeps_the_value_from_before_bulwark),
		cmocka_unit_test(test_restore_skips_the_knobs_of_a_link_gone),
		cmocka_unit_test(test_restore_still_fails_on_a_machine_wide_knob_gone),
		cmocka_unit_test(test_per_link_knobs_are_told_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
