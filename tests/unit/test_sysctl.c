/* Kernel knobs against a fake root: all land, or none stay changed. */
#include "unit.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_land_and_old_values_are_recorded),
		cmocka_unit_test(test_a_failed_write_puts_back_the_earlier_ones),
		cmocka_unit_test(test_merge_keeps_the_value_from_before_bulwark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
