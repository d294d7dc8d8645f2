/* The record `nat up` keeps for `nat down`. */
#include "unit.h"

#include "fakeroot.h"

#include "host/natstate.h"
#include "model/knob.h"

static void test_state_round_trips(void **state)
{
	char *root = fakeroot_new();
	struct nat_state saved, loaded;
	struct knob knob = { "/proc/sys/net/ipv4/ip_local_port_range", "32768\t60999" };
	struct bw_err err;
	bool exists;

	(void)state;
	natstate_init(&saved);
	natstate_init(&loaded);
	snprintf(saved.interface, sizeof(saved.interface), "ens5");
	assert_int_equal(vec_push(&saved.saved_knobs, &knob), 0);
	assert_int_equal(natstate_save(root, "/run/bulwark", &saved, &err), 0);
	assert_int_equal(natstate_load(root, "/run/bulwark", &loaded, &exists, &err), 0);
	assert_true(exists);
	assert_string_equal(loaded.interface, "ens5");
	assert_int_equal(loaded.saved_knobs.len, 1);
	assert_string_equal(VEC_AT(&loaded.saved_knobs, struct knob, 0)->value, "32768\t60999");
	assert_int_equal(natstate_remove(root, "/run/bulwark", &err), 0);
	natstate_free(&loaded);
	natstate_init(&loaded);
	assert_int_equal(natstate_load(root, "/run/bulwark", &loaded, &exists, &err), 0);
	assert_false(exists);
	natstate_free(&saved);
	natstate_free(&loaded);
	fakeroot_free(root);
}

static void test_state_pointing_outside_the_knobs_is_refused(void **state)
{
	char *root = fakeroot_new();
	struct nat_state loaded;
	struct bw_err err;
	bool exists;

	(void)state;
	natstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/nat.json",
		     "{\"interface\": \"eth0\", \"knobs\": [{\"path\": \"/etc/shadow\", \"value\": \"x\"}]}");
	assert_int_equal(natstate_load(root, "/run/bulwark", &loaded, &exists, &err), -5);
	assert_non_null(strstr(err.msg, "bad knob 0"));
	natstate_free(&loaded);
	natstate_init(&loaded);
	fakeroot_put(root, "/run/bulwark/nat.json",
		     "{\"interface\": \"eth0\", \"knobs\": [{\"path\": \"/proc/sys/../../etc/x\", \"value\": \"x\"}]}");
	assert_int_equal(natstate_load(root, "/run/bulwark", &loaded, &exists, &err), -5);
	natstate_free(&loaded);
	fakeroot_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_round_trips),
		cmocka_unit_test(test_state_pointing_outside_the_knobs_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
