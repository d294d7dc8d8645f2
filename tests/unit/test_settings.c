/* The settings schema, the keypair form and the hardening profiles. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/settings.h"
#include "util/strbuf.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *tree = json_loads(text, JSON_ALLOW_NUL, &jerr);

	if (!tree)
		fail_msg("bad test JSON: %s", jerr.text);
	return tree;
}

/* Validates text and returns the error message ("" when valid). */
static const char *validate_text(const char *text, bool is_user_write, struct bw_err *err)
{
	json_t *tree = parse(text);
	int rc = settings_validate(tree, is_user_write, err);

	json_decref(tree);
	if (rc == 0)
		return "";
	assert_int_equal(rc, -EINVAL);
	assert_true(err->is_input);
	return err->msg;
}

static void assert_refused(const char *text, const char *expected)
{
	struct bw_err err;
	const char *msg = validate_text(text, true, &err);

	if (!strstr(msg, expected))
		fail_msg("%s: expected an error holding '%s', got '%s'", text, expected, msg);
}

static void assert_accepted(const char *text)
{
	struct bw_err err;
	const char *msg = validate_text(text, true, &err);

	if (msg[0])
		fail_msg("%s: refused: %s", text, msg);
}

static void test_every_key_of_the_schema_is_accepted(void **state)
{
	(void)state;
	assert_accepted("{\"kernel\": {\"lockdown\": \"integrity\","
			" \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.core_pattern\": \"|/bin/false %p\"},"
			" \"modules\": {\"udf\": {\"allowed\": false}, \"sctp\": {}}},"
			" \"hardening\": {\"profile\": \"cis-level-2\"},"
			" \"firewall\": {\"host\": {\"enabled\": true, \"allow-tcp\": [22, 443],"
			" \"allow-udp\": [], \"allow-icmp\": true, \"allow-outbound\": false,"
			" \"allow-forward\": true}},"
			" \"nat\": {\"enabled\": true, \"interface\": \"eth0\", \"eni_id\": \"eni-0123456789abcdef0\","
			" \"eip_id\": \"eipalloc-01234567\", \"cwagent_enabled\": false,"
			" \"cwagent_cfg_param_name\": \"/nat/cw\", \"ip_local_port_range\": \"1024 65535\","
			" \"nf_conntrack_max\": 262144, \"nf_conntrack_buckets\": 65536,"
			" \"nf_conntrack_tcp_timeout_established\": 7440, \"tcp_keepalive_time\": 600,"
			" \"tcp_max_syn_backlog\": 4096, \"fips_endpoints\": \"auto\","
			" \"nat_source_cidrs\": [\"10.0.0.0/8\", \"fd00::/8\"],"
			" \"masquerade_fully_random\": true, \"flowtable\": false, \"ipv6\": true},"
			" \"network\": {\"https-proxy\": \"http://proxy:3128\", \"no-proxy\": [\"localhost\", \".internal\"]}}");
}

static void test_unknown_key_is_named_in_full(void **state)
{
	(void)state;
	assert_refused("{\"kernel\": {\"lockdwon\": \"none\"}}", "settings.kernel.lockdwon: unknown key");
	assert_refused("{\"firewall\": {\"host\": {\"allow-sctp\": [1]}}}",
		       "settings.firewall.host.allow-sctp: unknown key");
	assert_refused("{\"kernel\": {\"modules\": {\"udf\": {\"denied\": true}}}}",
		       "settings.kernel.modules.udf.denied: unknown key");
	assert_refused("{\"nat\": {\"no_such\": 1}}", "settings.nat.no_such: unknown key");
	assert_refused("{\"bogus\": 1}", "settings.bogus: unknown key");
	assert_refused("{\"nat\": {\"nat64_enabled\": \"true\"}}",
		       "settings.nat.nat64_enabled: unknown key: NAT64 needs an IPv6-to-IPv4 translator");
}

static void test_value_where_a_table_belongs_is_refused(void **state)
{
	(void)state;
	assert_refused("{\"kernel\": \"x\"}", "settings.kernel: must be a table");
	assert_refused("{\"kernel\": {\"sysctl\": [1]}}", "settings.kernel.sysctl: must be a table");
}

static void test_lockdown_takes_only_its_three_words(void **state)
{
	(void)state;
	assert_accepted("{\"kernel\": {\"lockdown\": \"none\"}}");
	assert_accepted("{\"kernel\": {\"lockdown\": \"confidentiality\"}}");
	assert_refused("{\"kernel\": {\"lockdown\": \"Integrity\"}}",
		       "settings.kernel.lockdown: must be none, integrity or confidentiality");
	assert_refused("{\"kernel\": {\"lockdown\": true}}", "settings.kernel.lockdown: must be");
}

static void test_profile_takes_only_its_three_words(void **state)
{
	(void)state;
	assert_refused("{\"hardening\": {\"profile\": \"cis-level-3\"}}",
		       "settings.hardening.profile: must be none, cis-level-1 or cis-level-2");
}

static void test_sysctl_names_are_dotted_plain_segments(void **state)
{
	(void)state;
	assert_refused("{\"kernel\": {\"sysctl\": {\"net..ipv4\": \"1\"}}}",
		       "settings.kernel.sysctl.\"net..ipv4\": not a sysctl name");
	assert_refused("{\"kernel\": {\"sysctl\": {\"../../etc/passwd\": \"1\"}}}", "not a sysctl name");
	assert_refused("{\"kernel\": {\"sysctl\": {\"net/ipv4/ip_forward\": \"1\"}}}", "not a sysctl name");
	assert_refused("{\"kernel\": {\"sysctl\": {\".net\": \"1\"}}}", "not a sysctl name");
	assert_refused("{\"kernel\": {\"sysctl\": {\"net.\": \"1\"}}}", "not a sysctl name");
	assert_accepted("{\"kernel\": {\"sysctl\": {\"net.ipv4.conf.eth-0_x.rp_filter\": \"1\"}}}");
}

static void test_sysctl_values_are_one_bounded_line_of_text(void **state)
{
	char text[600];

	(void)state;
	assert_refused("{\"kernel\": {\"sysctl\": {\"a.b\": \"1\\n2\"}}}",
		       "settings.kernel.sysctl.\"a.b\": the value must be one line");
	assert_refused("{\"kernel\": {\"sysctl\": {\"a.b\": \"1\\u00002\"}}}", "NUL");
	assert_refused("{\"kernel\": {\"sysctl\": {\"a.b\": 1}}}", "must be a string (write \"1\", not 1)");
	assert_refused("{\"kernel\": {\"sysctl\": {\"a.b\": \"\"}}}", "empty value");
	snprintf(text, sizeof(text), "{\"kernel\": {\"sysctl\": {\"a.b\": \"%0300d\"}}}", 1);
	assert_refused(text, "longer than 255 bytes");
}

static void test_module_names_are_plain_and_allowed_is_a_bool(void **state)
{
	(void)state;
	assert_refused("{\"kernel\": {\"modules\": {\"a b\": {\"allowed\": false}}}}",
		       "settings.kernel.modules.\"a b\": not a module name");
	assert_refused("{\"kernel\": {\"modules\": {\"a.b\": {\"allowed\": false}}}}", "not a module name");
	assert_refused("{\"kernel\": {\"modules\": {\"udf\": {\"allowed\": \"no\"}}}}",
		       "settings.kernel.modules.udf.allowed: must be true or false");
}

static void test_ports_are_integers_from_1_to_65535(void **state)
{
	(void)state;
	assert_refused("{\"firewall\": {\"host\": {\"allow-tcp\": [0]}}}",
		       "settings.firewall.host.allow-tcp: 0 is not a port number");
	assert_refused("{\"firewall\": {\"host\": {\"allow-udp\": [65536]}}}",
		       "settings.firewall.host.allow-udp: 65536 is not a port number");
	assert_refused("{\"firewall\": {\"host\": {\"allow-tcp\": [\"22\"]}}}", "item 1 is not a port number");
	assert_refused("{\"firewall\": {\"host\": {\"allow-tcp\": 22}}}", "must be an array of port numbers");
	assert_accepted("{\"firewall\": {\"host\": {\"allow-tcp\": [1, 65535]}}}");
}

static void test_allow_icmp_takes_a_bool_or_a_list_of_nft_names(void **state)
{
	(void)state;
	assert_accepted("{\"firewall\": {\"host\": {\"allow-icmp\": true}}}");
	assert_accepted("{\"firewall\": {\"host\": {\"allow-icmp\": false}}}");
	assert_accepted("{\"firewall\": {\"host\": {\"allow-icmp\": []}}}");
	assert_accepted("{\"firewall\": {\"host\": {\"allow-icmp\":"
			" [\"echo-request\", \"timestamp-request\", \"packet-too-big\","
			" \"mld-listener-reduction\", \"echo-request\"]}}}");
}

static void test_allow_icmp_refuses_an_unknown_name_naming_it(void **state)
{
	struct bw_err err;

	(void)state;
	assert_string_equal(validate_text("{\"firewall\": {\"host\": {\"allow-icmp\":"
					  " [\"echo-request\", \"echo-requets\"]}}}", true, &err),
			    "settings.firewall.host.allow-icmp: unknown ICMP type 'echo-requets'");
	/* nft's names exactly: no other case, no iptables spelling. */
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [\"Echo-Request\"]}}}",
		       "unknown ICMP type 'Echo-Request'");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [\"ping\"]}}}",
		       "unknown ICMP type 'ping'");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [\"\"]}}}", "unknown ICMP type ''");
	/* The name shown stays one line, and a NUL does not cut a name short. */
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [\"echo\\nrequest\"]}}}",
		       "unknown ICMP type 'echo?request'");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [\"echo-request\\u0000x\"]}}}",
		       "unknown ICMP type 'echo-request?x'");
	/* A long one is cut, never inside a UTF-8 character (39 bytes, then é). */
	assert_string_equal(validate_text("{\"firewall\": {\"host\": {\"allow-icmp\":"
					  " [\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\u00e9xxxxxxxxxx\"]}}}",
					  true, &err),
			    "settings.firewall.host.allow-icmp: unknown ICMP type 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
}

static void test_allow_icmp_refuses_numbers_and_other_types(void **state)
{
	(void)state;
	/* 3 is destination-unreachable in ICMP, time-exceeded in ICMPv6. */
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [3]}}}",
		       "settings.firewall.host.allow-icmp: item 1 is a number: name the type");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": [\"echo-request\", true]}}}",
		       "settings.firewall.host.allow-icmp: item 2 is not an ICMP type name");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": \"echo-request\"}}}",
		       "settings.firewall.host.allow-icmp: must be true, false or an array of ICMP type names");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": 1}}}",
		       "settings.firewall.host.allow-icmp: must be true, false or an array");
	assert_refused("{\"firewall\": {\"host\": {\"allow-icmp\": {}}}}",
		       "settings.firewall.host.allow-icmp: must be true, false or an array");
}

static void test_a_users_null_takes_a_known_key_out(void **state)
{
	struct bw_err err;

	(void)state;
	assert_string_equal(validate_text("{\"kernel\": {\"sysctl\": {\"net.ipv4.nosuch\": null},"
					  " \"lockdown\": null}, \"nat\": {\"interface\": null}}",
					  true, &err), "");
	assert_refused("{\"kernel\": {\"lockdwon\": null}}", "settings.kernel.lockdwon: unknown key");
	assert_refused("{\"security\": {\"fips-mode\": null}}", "fips-mode: read-only");
	/* The live settings hold no nulls: there, one is a bad value. */
	assert_string_not_equal(validate_text("{\"kernel\": {\"lockdown\": null}}", false, &err), "");
}

static void test_fips_mode_is_read_only_for_users(void **state)
{
	struct bw_err err;

	(void)state;
	assert_refused("{\"security\": {\"fips-mode\": true}}",
		       "settings.security.fips-mode: read-only: FIPS mode is a property of the running kernel");
	/* bulwark itself records what the kernel says. */
	assert_string_equal(validate_text("{\"security\": {\"fips-mode\": true}}", false, &err), "");
}

/* Asserts the path settings_validate_at names for text ("a/b"). */
static void assert_where(const char *text, const char *want)
{
	struct settings_where where;
	struct bw_err err;
	json_t *tree = parse(text);
	char got[256] = "";

	assert_int_equal(settings_validate_at(tree, true, &where, &err), -EINVAL);
	for (size_t i = 0; i < where.n; i++) {
		strcat(got, i ? "/" : "");
		strcat(got, where.segs[i]);
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s: at '%s', want '%s' (%s)", text, got, want, err.msg);
	json_decref(tree);
}

static void test_validate_at_names_the_key_at_fault(void **state)
{
	(void)state;
	assert_where("{\"network\": {}, \"kernel\": {\"lockdown\": \"bogus\"}}", "kernel/lockdown");
	assert_where("{\"kernel\": {\"sysctl\": {\"fs.x\": 1}}}", "kernel/sysctl/fs.x");
	assert_where("{\"kernel\": {\"sysctl\": {\"a..b\": \"1\"}}}", "kernel/sysctl/a..b");
	assert_where("{\"kernel\": {\"lockdwon\": 1}}", "kernel/lockdwon");
	assert_where("{\"firewall\": {\"host\": 5}}", "firewall/host");
	assert_where("{\"security\": null}", "security");
	/* natconf's verdict, on the NAT key it names. */
	assert_where("{\"nat\": {\"enabled\": true, \"nf_conntrack_max\": -5}}", "nat/nf_conntrack_max");
}

static void test_a_null_table_holding_fips_mode_is_refused_as_read_only(void **state)
{
	(void)state;
	assert_refused("{\"security\": null}",
		       "settings.security.fips-mode: read-only: FIPS mode is a property of the running kernel");
	assert_refused("{\"security\": {\"fips-mode\": null}}",
		       "settings.security.fips-mode: read-only");
	/* Tables without a read-only key may still be taken out whole. */
	assert_accepted("{\"nat\": null, \"kernel\": null, \"firewall\": {\"host\": null}}");
}

static void test_nat_keys_are_judged_by_natconf(void **state)
{
	(void)state;
	assert_refused("{\"nat\": {\"nf_conntrack_max\": 0}}",
		       "settings.nat.nf_conntrack_max: 0 is out of range");
	assert_refused("{\"nat\": {\"tcp_keepalive_time\": 40000}}", "settings.nat.tcp_keepalive_time:");
	assert_refused("{\"nat\": {\"interface\": \"eth0;rm\"}}",
		       "settings.nat.interface: 'eth0;rm' is not an interface name");
	assert_refused("{\"nat\": {\"eni_id\": \"eni-xyz\"}}", "settings.nat.eni_id:");
	assert_refused("{\"nat\": {\"ip_local_port_range\": \"2000 1000\"}}",
		       "settings.nat.ip_local_port_range:");
	assert_refused("{\"nat\": {\"fips_endpoints\": \"maybe\"}}",
		       "settings.nat.fips_endpoints: 'maybe' is not auto, true or false");
	assert_refused("{\"nat\": {\"nat_source_cidrs\": [\"10.0.0.0/33\"]}}", "settings.nat.nat_source_cidrs:");
	assert_refused("{\"nat\": {\"cwagent_cfg_param_name\": \"it's\"}}",
		       "settings.nat.cwagent_cfg_param_name:");
	assert_refused("{\"nat\": {\"flowtable\": \"yes\"}}", "settings.nat.flowtable: must be true or false");
	assert_refused("{\"nat\": {\"enabled\": 1}}", "settings.nat.enabled: must be true or false");
}

static void test_no_proxy_items_are_single_names(void **state)
{
	(void)state;
	assert_refused("{\"network\": {\"no-proxy\": [\"a,b\"]}}", "settings.network.no-proxy: item 1");
	assert_refused("{\"network\": {\"no-proxy\": [\"\"]}}", "settings.network.no-proxy: item 1 is empty");
	assert_refused("{\"network\": {\"no-proxy\": \"a\"}}", "must be an array of strings");
	assert_refused("{\"network\": {\"https-proxy\": \"a\\nb\"}}", "settings.network.https-proxy:");
}

/* ---- keypairs --------------------------------------------------------- */

static json_t *keypairs(const char *const *pairs, size_t n)
{
	json_t *tree = NULL;
	struct bw_err err;

	if (settings_from_keypairs(pairs, n, &tree, &err) != 0)
		fail_msg("keypairs refused: %s", err.msg);
	return tree;
}

static const char *keypairs_error(const char *pair, struct bw_err *err)
{
	json_t *tree = NULL;
	const char *pairs[] = { pair };

	assert_int_equal(settings_from_keypairs(pairs, 1, &tree, err), -EINVAL);
	assert_null(tree);
	assert_true(err->is_input);
	return err->msg;
}

static void test_keypairs_take_values_of_their_keys_type(void **state)
{
	const char *pairs[] = {
		"settings.kernel.sysctl.\"net.ipv4.ip_forward\"=1",
		"kernel.modules.udf.allowed=false",
		"firewall.host.allow-tcp=443, 22",
		"firewall.host.allow-udp=[53]",
		"nat.nf_conntrack_max=1000",
		"nat.ipv6=true",
		"nat.fips_endpoints=auto",
		"network.no-proxy=localhost,.internal",
		"kernel.lockdown=integrity",
	};
	json_t *tree = keypairs(pairs, sizeof(pairs) / sizeof(pairs[0]));
	char *text = json_dumps(tree, JSON_SORT_KEYS | JSON_COMPACT);

	(void)state;
	assert_string_equal(text,
			    "{\"firewall\":{\"host\":{\"allow-tcp\":[443,22],\"allow-udp\":[53]}},"
			    "\"kernel\":{\"lockdown\":\"integrity\",\"modules\":{\"udf\":{\"allowed\":false}},"
			    "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}},"
			    "\"nat\":{\"fips_endpoints\":\"auto\",\"ipv6\":true,\"nf_conntrack_max\":1000},"
			    "\"network\":{\"no-proxy\":[\"localhost\",\".internal\"]}}");
	free(text);
	json_decref(tree);
}

static void test_keypair_allow_icmp_takes_a_bool_or_names(void **state)
{
	static const struct {
		const char *pair, *json;
	} cases[] = {
		{ "firewall.host.allow-icmp=true", "true" },
		{ "firewall.host.allow-icmp=false", "false" },
		{ "firewall.host.allow-icmp=echo-request", "[\"echo-request\"]" },
		{ "firewall.host.allow-icmp=echo-request, timestamp-request",
		  "[\"echo-request\",\"timestamp-request\"]" },
		{ "firewall.host.allow-icmp=[\"echo-request\"]", "[\"echo-request\"]" },
		{ "firewall.host.allow-icmp=", "[]" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *tree = keypairs(&cases[i].pair, 1);
		json_t *value = json_object_get(json_object_get(json_object_get(tree, "firewall"), "host"),
						"allow-icmp");
		char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);

		assert_string_equal(text, cases[i].json);
		free(text);
		json_decref(tree);
	}
}

static void test_keypair_key_may_hold_an_equals_sign_in_quotes(void **state)
{
	const char *pairs[] = { "kernel.sysctl.\"a\\\"=b\"=1" };
	struct bw_err err;
	json_t *tree = NULL;

	(void)state;
	/* The '=' inside the quoted segment does not end the key; the name
	 * it gives is then refused as a sysctl name, not cut in two. */
	assert_int_equal(settings_from_keypairs(pairs, 1, &tree, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a sysctl name"));
}

static void test_keypair_later_pair_replaces_earlier(void **state)
{
	const char *pairs[] = { "kernel.lockdown=none", "kernel.lockdown=integrity" };
	json_t *tree = keypairs(pairs, 2);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_object_get(tree, "kernel"), "lockdown")),
			    "integrity");
	json_decref(tree);
}

static void test_keypair_errors_name_the_pair_and_key(void **state)
{
	struct bw_err err;

	(void)state;
	assert_string_equal(keypairs_error("kernel.lockdown=bogus", &err),
			    "'kernel.lockdown=bogus': settings.kernel.lockdown: must be none, integrity or confidentiality");
	assert_string_equal(keypairs_error("kernel.modules.udf.allowed=no", &err),
			    "'kernel.modules.udf.allowed=no': settings.kernel.modules.udf.allowed: 'no' is not true or false");
	assert_string_equal(keypairs_error("kernel.nope=1", &err),
			    "'kernel.nope=1': settings.kernel.nope: unknown key");
	assert_string_equal(keypairs_error("firewall.host=1", &err),
			    "'firewall.host=1': settings.firewall.host: not a key (a table of keys)");
	assert_string_equal(keypairs_error("firewall.host.allow-tcp=22,x", &err),
			    "'firewall.host.allow-tcp=22,x': settings.firewall.host.allow-tcp: '22,x' is not a list (comma-separated, or a JSON array)");
	assert_string_equal(keypairs_error("firewall.host.allow-icmp=echo-request,echo-requets", &err),
			    "'firewall.host.allow-icmp=echo-request,echo-requets': settings.firewall.host.allow-icmp: unknown ICMP type 'echo-requets'");
	assert_string_equal(keypairs_error("firewall.host.allow-icmp=[8]", &err),
			    "'firewall.host.allow-icmp=[8]': settings.firewall.host.allow-icmp: item 1 is a number: name the type as nft does (\"echo-request\"; nft describe icmp type, icmpv6 type)");
	assert_string_equal(keypairs_error("firewall.host.allow-icmp=[echo-request", &err),
			    "'firewall.host.allow-icmp=[echo-request': settings.firewall.host.allow-icmp: '[echo-request' is not true, false or a list (comma-separated, or a JSON array)");
	/* A value that is not UTF-8 cannot be a JSON string: an input error. */
	assert_non_null(strstr(keypairs_error("kernel.lockdown=\xff", &err),
			       "settings.kernel.lockdown: the value is not UTF-8 text"));
	assert_non_null(strstr(keypairs_error("kernel.sysctl.\"a.b\"=\xc3", &err),
			       "the value is not UTF-8 text"));
	assert_string_equal(keypairs_error("nat.nf_conntrack_max=-", &err),
			    "'nat.nf_conntrack_max=-': settings.nat.nf_conntrack_max: '-' is not a whole number");
	assert_string_equal(keypairs_error("kernel.lockdown", &err),
			    "'kernel.lockdown': not of the form key=value");
	assert_non_null(strstr(keypairs_error("kernel.sysctl.\"a..b\"=1", &err), "not a sysctl name"));
	assert_string_equal(keypairs_error("kernel.sysctl.net.ipv4.ip_forward=1", &err),
			    "'kernel.sysctl.net.ipv4.ip_forward=1': settings.kernel.sysctl.net.ipv4.ip_forward: unknown key (quote the sysctl name: kernel.sysctl.\"a.b.c\")");

}

static void test_keypair_form_leaves_read_only_to_the_caller(void **state)
{
	const char *pairs[] = { "security.fips-mode=true" };
	json_t *tree = keypairs(pairs, 1);
	struct bw_err err;

	(void)state;
	assert_int_equal(settings_validate(tree, true, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "read-only"));
	json_decref(tree);
}

/* ---- the plan ---------------------------------------------------------- */

static void build(const char *text, struct settings_plan *plan)
{
	json_t *tree = parse(text);
	struct bw_err err;

	settings_plan_init(plan);
	if (settings_plan_build(tree, plan, &err) != 0)
		fail_msg("plan refused: %s", err.msg);
	json_decref(tree);
}

/* "name=value key" lines, in plan order. */
static char *sysctl_lines(const struct settings_plan *plan)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < plan->sysctls.len; i++) {
		const struct settings_sysctl *s = VEC_AT(&plan->sysctls, struct settings_sysctl, i);

		strbuf_addf(&sb, "%s=%s %s\n", s->name, s->value, s->key);
	}
	return strbuf_take(&sb);
}

static void test_cis_level_1_sets_the_level_1_sysctls_only(void **state)
{
	struct settings_plan plan;
	char *lines;

	(void)state;
	build("{\"hardening\": {\"profile\": \"cis-level-1\"}}", &plan);
	lines = sysctl_lines(&plan);
	assert_string_equal(lines,
			    "fs.suid_dumpable=0 settings.hardening.profile\n"
			    "kernel.randomize_va_space=2 settings.hardening.profile\n"
			    "kernel.unprivileged_bpf_disabled=1 settings.hardening.profile\n"
			    "net.ipv4.icmp_echo_ignore_broadcasts=1 settings.hardening.profile\n"
			    "net.ipv4.icmp_ignore_bogus_error_responses=1 settings.hardening.profile\n"
			    "net.ipv4.tcp_syncookies=1 settings.hardening.profile\n");
	assert_int_equal(plan.modules.len, 0);
	assert_int_equal(plan.lockdown, SETTINGS_LOCKDOWN_UNSET);
	assert_false(plan.host_fw.is_enabled);
	free(lines);
	settings_plan_free(&plan);
}

static void test_cis_level_2_adds_its_checks_to_level_1(void **state)
{
	struct settings_plan plan;
	char *lines;

	(void)state;
	build("{\"hardening\": {\"profile\": \"cis-level-2\"}}", &plan);
	lines = sysctl_lines(&plan);
	assert_string_equal(lines,
			    "fs.suid_dumpable=0 settings.hardening.profile\n"
			    "kernel.randomize_va_space=2 settings.hardening.profile\n"
			    "kernel.unprivileged_bpf_disabled=1 settings.hardening.profile\n"
			    "net.ipv4.conf.all.accept_redirects=0 settings.hardening.profile\n"
			    "net.ipv4.conf.all.accept_source_route=0 settings.hardening.profile\n"
			    "net.ipv4.conf.all.log_martians=1 settings.hardening.profile\n"
			    "net.ipv4.conf.all.secure_redirects=0 settings.hardening.profile\n"
			    "net.ipv4.conf.all.send_redirects=0 settings.hardening.profile\n"
			    "net.ipv4.conf.default.accept_redirects=0 settings.hardening.profile\n"
			    "net.ipv4.conf.default.accept_source_route=0 settings.hardening.profile\n"
			    "net.ipv4.conf.default.log_martians=1 settings.hardening.profile\n"
			    "net.ipv4.conf.default.secure_redirects=0 settings.hardening.profile\n"
			    "net.ipv4.conf.default.send_redirects=0 settings.hardening.profile\n"
			    "net.ipv4.icmp_echo_ignore_broadcasts=1 settings.hardening.profile\n"
			    "net.ipv4.icmp_ignore_bogus_error_responses=1 settings.hardening.profile\n"
			    "net.ipv4.tcp_syncookies=1 settings.hardening.profile\n"
			    "net.ipv6.conf.all.accept_redirects=0 settings.hardening.profile\n"
			    "net.ipv6.conf.all.accept_source_route=0 settings.hardening.profile\n"
			    "net.ipv6.conf.default.accept_redirects=0 settings.hardening.profile\n"
			    "net.ipv6.conf.default.accept_source_route=0 settings.hardening.profile\n"
			    "user.max_user_namespaces=0 settings.hardening.profile\n");
	assert_int_equal(plan.modules.len, 2);
	assert_string_equal(VEC_AT(&plan.modules, struct settings_module, 0)->name, "sctp");
	assert_false(VEC_AT(&plan.modules, struct settings_module, 0)->is_allowed);
	assert_string_equal(VEC_AT(&plan.modules, struct settings_module, 1)->name, "udf");
	assert_false(VEC_AT(&plan.modules, struct settings_module, 1)->is_allowed);
	assert_int_equal(plan.lockdown, SETTINGS_LOCKDOWN_INTEGRITY);
	assert_string_equal(plan.lockdown_key, "settings.hardening.profile");
	assert_true(plan.host_fw.is_enabled);
	assert_false(plan.host_fw.is_forward_allowed);
	free(lines);
	settings_plan_free(&plan);
}

static void test_explicit_keys_win_over_the_profile(void **state)
{
	struct settings_plan plan;
	const struct settings_sysctl *s;
	const struct settings_module *m;

	(void)state;
	build("{\"hardening\": {\"profile\": \"cis-level-2\"},"
	      " \"kernel\": {\"lockdown\": \"none\", \"sysctl\": {\"user.max_user_namespaces\": \"1000\"},"
	      " \"modules\": {\"sctp\": {\"allowed\": true}}},"
	      " \"firewall\": {\"host\": {\"enabled\": false}}}",
	      &plan);
	assert_int_equal(plan.sysctls.len, 21);
	s = VEC_AT(&plan.sysctls, struct settings_sysctl, 20);
	assert_string_equal(s->name, "user.max_user_namespaces");
	assert_string_equal(s->value, "1000");
	assert_string_equal(s->key, "settings.kernel.sysctl.\"user.max_user_namespaces\"");
	m = VEC_AT(&plan.modules, struct settings_module, 0);
	assert_string_equal(m->name, "sctp");
	assert_true(m->is_allowed);
	assert_string_equal(m->key, "settings.kernel.modules.sctp.allowed");
	assert_int_equal(plan.lockdown, SETTINGS_LOCKDOWN_NONE);
	assert_string_equal(plan.lockdown_key, "settings.kernel.lockdown");
	assert_false(plan.host_fw.is_enabled);
	settings_plan_free(&plan);
}

static void test_a_nat_gateway_forwards_unless_told_not_to(void **state)
{
	struct settings_plan plan;

	(void)state;
	build("{\"nat\": {\"enabled\": true}, \"firewall\": {\"host\": {\"enabled\": true}}}", &plan);
	assert_true(plan.host_fw.is_forward_allowed);
	settings_plan_free(&plan);
	build("{\"nat\": {\"enabled\": true},"
	      " \"firewall\": {\"host\": {\"enabled\": true, \"allow-forward\": false}}}", &plan);
	assert_false(plan.host_fw.is_forward_allowed);
	settings_plan_free(&plan);
}

static void test_empty_settings_plan_nothing(void **state)
{
	struct settings_plan plan;

	(void)state;
	build("{}", &plan);
	assert_int_equal(plan.sysctls.len, 0);
	assert_int_equal(plan.modules.len, 0);
	assert_int_equal(plan.lockdown, SETTINGS_LOCKDOWN_UNSET);
	assert_false(plan.host_fw.is_enabled);
	assert_true(plan.host_fw.is_outbound_allowed);
	assert_false(plan.host_fw.is_forward_allowed);
	assert_false(plan.host_fw.is_icmp_allowed);
	assert_false(plan.has_nat);
	assert_string_equal(plan.https_proxy, "");
	assert_string_equal(plan.no_proxy, "");
	settings_plan_free(&plan);
}

static void test_plan_ports_are_sorted_and_unique(void **state)
{
	struct settings_plan plan;

	(void)state;
	build("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-tcp\": [443, 22, 443, 80]}}}", &plan);
	assert_int_equal(plan.host_fw.tcp_ports.len, 3);
	assert_int_equal(*VEC_AT(&plan.host_fw.tcp_ports, uint16_t, 0), 22);
	assert_int_equal(*VEC_AT(&plan.host_fw.tcp_ports, uint16_t, 1), 80);
	assert_int_equal(*VEC_AT(&plan.host_fw.tcp_ports, uint16_t, 2), 443);
	assert_int_equal(plan.host_fw.udp_ports.len, 0);
	settings_plan_free(&plan);
}

static void test_plan_icmp_names_land_in_their_families(void **state)
{
	struct settings_plan plan;
	size_t n_v4 = 0, n_v6 = 0;

	(void)state;
	build("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\": [\"timestamp-request\","
	      " \"echo-request\", \"packet-too-big\", \"echo-request\", \"mld-listener-reduction\"]}}}",
	      &plan);
	assert_false(plan.host_fw.is_icmp_allowed);
	for (size_t i = 0; i < 256; i++) {
		n_v4 += plan.host_fw.icmp_types[i];
		n_v6 += plan.host_fw.icmpv6_types[i];
	}
	/* echo-request in both; timestamp-request only in ICMP;
	 * packet-too-big and mld-listener-reduction only in ICMPv6. */
	assert_int_equal(n_v4, 2);
	assert_true(plan.host_fw.icmp_types[8]);
	assert_true(plan.host_fw.icmp_types[13]);
	assert_int_equal(n_v6, 3);
	assert_true(plan.host_fw.icmpv6_types[128]);
	assert_true(plan.host_fw.icmpv6_types[2]);
	assert_true(plan.host_fw.icmpv6_types[132]);
	settings_plan_free(&plan);

	build("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\": true}}}", &plan);
	assert_true(plan.host_fw.is_icmp_allowed);
	settings_plan_free(&plan);
	build("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\": []}}}", &plan);
	assert_false(plan.host_fw.is_icmp_allowed);
	for (size_t i = 0; i < 256; i++)
		assert_false(plan.host_fw.icmp_types[i] || plan.host_fw.icmpv6_types[i]);
	settings_plan_free(&plan);
}

static void test_icmp_type_names_are_nfts(void **state)
{
	(void)state;
	assert_string_equal(settings_icmp_type_name(false, 8), "echo-request");
	assert_string_equal(settings_icmp_type_name(true, 128), "echo-request");
	assert_string_equal(settings_icmp_type_name(false, 3), "destination-unreachable");
	assert_string_equal(settings_icmp_type_name(true, 3), "time-exceeded");
	assert_string_equal(settings_icmp_type_name(true, 132), "mld-listener-done");
	assert_null(settings_icmp_type_name(false, 2));
	assert_null(settings_icmp_type_name(true, 139)); /* node information: nft has no name */
}

static void test_plan_carries_nat_and_proxy(void **state)
{
	struct settings_plan plan;

	(void)state;
	build("{\"nat\": {\"enabled\": true, \"interface\": \"ens5\", \"nf_conntrack_max\": 5000,"
	      " \"ipv6\": false, \"nat_source_cidrs\": [\"10.0.0.0/8\", \"fd00::/8\"]},"
	      " \"network\": {\"https-proxy\": \"http://p:3128\", \"no-proxy\": [\"localhost\", \"10.0.0.0/8\"]}}",
	      &plan);
	assert_true(plan.has_nat);
	assert_string_equal(plan.nat.interface, "ens5");
	assert_true(plan.nat.nf_conntrack_max.is_set);
	assert_int_equal(plan.nat.nf_conntrack_max.value, 5000);
	assert_int_equal(plan.nat.ipv6, NAT_OFF);
	assert_int_equal(plan.nat.source_cidrs.len, 2);
	assert_string_equal(plan.https_proxy, "http://p:3128");
	assert_string_equal(plan.no_proxy, "localhost,10.0.0.0/8");
	settings_plan_free(&plan);
}

static void test_plan_build_refuses_an_invalid_tree(void **state)
{
	json_t *tree = parse("{\"kernel\": {\"lockdown\": \"x\"}}");
	struct settings_plan plan;
	struct bw_err err;

	(void)state;
	settings_plan_init(&plan);
	assert_int_equal(settings_plan_build(tree, &plan, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "settings.kernel.lockdown"));
	settings_plan_free(&plan);
	json_decref(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_of_the_schema_is_accepted),
		cmocka_unit_test(test_unknown_key_is_named_in_full),
		cmocka_unit_test(test_value_where_a_table_belongs_is_refused),
		cmocka_unit_test(test_lockdown_takes_only_its_three_words),
		cmocka_unit_test(test_profile_takes_only_its_three_words),
		cmocka_unit_test(test_sysctl_names_are_dotted_plain_segments),
		cmocka_unit_test(test_sysctl_values_are_one_bounded_line_of_text),
		cmocka_unit_test(test_module_names_are_plain_and_allowed_is_a_bool),
		cmocka_unit_test(test_ports_are_integers_from_1_to_65535),
		cmocka_unit_test(test_allow_icmp_takes_a_bool_or_a_list_of_nft_names),
		cmocka_unit_test(test_allow_icmp_refuses_an_unknown_name_naming_it),
		cmocka_unit_test(test_allow_icmp_refuses_numbers_and_other_types),
		cmocka_unit_test(test_a_users_null_takes_a_known_key_out),
		cmocka_unit_test(test_fips_mode_is_read_only_for_users),
		cmocka_unit_test(test_a_null_table_holding_fips_mode_is_refused_as_read_only),
		cmocka_unit_test(test_validate_at_names_the_key_at_fault),
		cmocka_unit_test(test_nat_keys_are_judged_by_natconf),
		cmocka_unit_test(test_no_proxy_items_are_single_names),
		cmocka_unit_test(test_keypairs_take_values_of_their_keys_type),
		cmocka_unit_test(test_keypair_allow_icmp_takes_a_bool_or_names),
		cmocka_unit_test(test_keypair_key_may_hold_an_equals_sign_in_quotes),
		cmocka_unit_test(test_keypair_later_pair_replaces_earlier),
		cmocka_unit_test(test_keypair_errors_name_the_pair_and_key),
		cmocka_unit_test(test_keypair_form_leaves_read_only_to_the_caller),
		cmocka_unit_test(test_cis_level_1_sets_the_level_1_sysctls_only),
		cmocka_unit_test(test_cis_level_2_adds_its_checks_to_level_1),
		cmocka_unit_test(test_explicit_keys_win_over_the_profile),
		cmocka_unit_test(test_empty_settings_plan_nothing),
		cmocka_unit_test(test_plan_ports_are_sorted_and_unique),
		cmocka_unit_test(test_plan_icmp_names_land_in_their_families),
		cmocka_unit_test(test_icmp_type_names_are_nfts),
		cmocka_unit_test(test_plan_carries_nat_and_proxy),
		cmocka_unit_test(test_a_nat_gateway_forwards_unless_told_not_to),
		cmocka_unit_test(test_plan_build_refuses_an_invalid_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
