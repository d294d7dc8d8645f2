/* Which knobs the NAT gateway writes, for which configuration. */
#include "unit.h"

#include <string.h>

#include "conf/natconf.h"
#include "model/knob.h"
#include "render/nat_knobs.h"

static const char *value_of(const struct vec *knobs, const char *path)
{
	for (size_t i = 0; i < knobs->len; i++)
		if (strcmp(VEC_AT(knobs, struct knob, i)->path, path) == 0)
			return VEC_AT(knobs, struct knob, i)->value;
	return NULL;
}

static void render(const char *text, bool is_ipv6_on, struct vec *knobs)
{
	struct nat_config config;
	struct vec warnings = VEC_INIT(struct natconf_warning);
	struct bw_err err;

	nat_config_init(&config);
	assert_int_equal(natconf_parse(text, strlen(text), "t", &config, &warnings, &err), 0);
	assert_int_equal(nat_knobs_render(&config, "ens5", is_ipv6_on, knobs), 0);
	nat_config_free(&config);
	vec_free(&warnings);
}

static void test_defaults_forward_ipv4_without_redirects_or_rp_filter(void **state)
{
	struct vec knobs = VEC_INIT(struct knob);

	(void)state;
	render("", false, &knobs);
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/ip_forward"), "1");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/conf/all/send_redirects"), "0");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/conf/ens5/send_redirects"), "0");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/conf/all/rp_filter"), "0");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/conf/ens5/rp_filter"), "0");
	assert_null(value_of(&knobs, "/proc/sys/net/ipv6/conf/all/forwarding"));
	assert_null(value_of(&knobs, "/proc/sys/net/netfilter/nf_conntrack_max"));
	assert_int_equal(knobs.len, 5);
	vec_free(&knobs);
}

static void test_ipv6_forwards_and_keeps_router_advertisements(void **state)
{
	struct vec knobs = VEC_INIT(struct knob);

	(void)state;
	render("", true, &knobs);
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv6/conf/all/forwarding"), "1");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv6/conf/ens5/accept_ra"), "2");
	vec_free(&knobs);
}

static void test_tuning_keys_map_to_their_knobs(void **state)
{
	struct vec knobs = VEC_INIT(struct knob);

	(void)state;
	render("ip_local_port_range='1024 65535'\nnf_conntrack_max=524288\n"
	       "nf_conntrack_buckets=131072\nnf_conntrack_tcp_timeout_established=7440\n"
	       "tcp_keepalive_time=600\ntcp_max_syn_backlog=8192\n", false, &knobs);
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/ip_local_port_range"), "1024 65535");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/netfilter/nf_conntrack_max"), "524288");
	assert_string_equal(value_of(&knobs, "/sys/module/nf_conntrack/parameters/hashsize"), "131072");
	assert_string_equal(value_of(&knobs,
		"/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"), "7440");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/tcp_keepalive_time"), "600");
	assert_string_equal(value_of(&knobs, "/proc/sys/net/ipv4/tcp_max_syn_backlog"), "8192");
	vec_free(&knobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_forward_ipv4_without_redirects_or_rp_filter),
		cmocka_unit_test(test_ipv6_forwards_and_keeps_router_advertisements),
		cmocka_unit_test(test_tuning_keys_map_to_their_knobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
