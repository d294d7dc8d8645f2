/* The fck-nat / pelotech-nat configuration reader: every variable, every
 * syntax a shell accepts, every construct that would need a shell. */
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/natconf.h"

struct parsed {
	struct nat_config config;
	struct vec warnings;
	struct bw_err err;
	int rc;
};

static struct parsed *parse(const char *text)
{
	struct parsed *p = test_calloc(1, sizeof(*p));

	nat_config_init(&p->config);
	p->warnings = (struct vec)VEC_INIT(struct natconf_warning);
	p->rc = natconf_parse(text, strlen(text), "t.conf", &p->config, &p->warnings, &p->err);
	return p;
}

static void done(struct parsed *p)
{
	nat_config_free(&p->config);
	vec_free(&p->warnings);
	test_free(p);
}

/* Asserts text fails at line:col with a message containing what. */
static void assert_fails_at(const char *text, int line, int col, const char *what)
{
	struct parsed *p = parse(text);

	if (p->rc == 0)
		fail_msg("accepted: %s", text);
	assert_int_equal(p->rc, -22);
	assert_true(p->err.is_input);
	assert_string_equal(p->err.file, "t.conf");
	if (p->err.line != line || p->err.col != col || !strstr(p->err.msg, what))
		fail_msg("for %s: got %d:%d: %s; want %d:%d: ...%s...", text, p->err.line,
			 p->err.col, p->err.msg, line, col, what);
	done(p);
}

static void test_empty_file_gives_defaults(void **state)
{
	struct parsed *p = parse("");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "");
	assert_int_equal(p->config.fips_endpoints, NAT_AUTO);
	assert_int_equal(p->config.ipv6, NAT_AUTO);
	assert_false(p->config.flowtable);
	assert_false(p->config.masquerade_fully_random);
	assert_false(p->config.has_port_range);
	assert_false(p->config.nf_conntrack_max.is_set);
	assert_int_equal(p->config.source_cidrs.len, 0);
	done(p);
}

static void test_plain_quoted_and_exported_assignments(void **state)
{
	struct parsed *p = parse("interface=eth0\n"
				 "  export nf_conntrack_max=\"262144\"  # tuned\n"
				 "tcp_keepalive_time='600'\n"
				 "\n# a comment\n"
				 "ipv6=o\"n\"\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "eth0");
	assert_true(p->config.nf_conntrack_max.is_set);
	assert_int_equal(p->config.nf_conntrack_max.value, 262144);
	assert_int_equal(p->config.tcp_keepalive_time.value, 600);
	assert_int_equal(p->config.ipv6, NAT_ON);
	done(p);
}

static void test_two_assignments_on_one_line(void **state)
{
	struct parsed *p = parse("interface=ens5 flowtable=true\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "ens5");
	assert_true(p->config.flowtable);
	done(p);
}

static void test_last_assignment_wins_and_empty_unsets(void **state)
{
	struct parsed *p = parse("interface=eth0\ninterface=eth1\n"
				 "nf_conntrack_max=100\nnf_conntrack_max=\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "eth1");
	assert_false(p->config.nf_conntrack_max.is_set);
	done(p);
}

static void test_hash_inside_a_word_is_not_a_comment(void **state)
{
	struct parsed *p = parse("cwagent_cfg_param_name=a#b\n");

	(void)state;
	/* '#' is not a name character: the shell keeps it, we reject the name. */
	assert_int_equal(p->rc, -22);
	assert_non_null(strstr(p->err.msg, "'a#b'"));
	done(p);
}

static void test_backslash_escapes_like_a_shell(void **state)
{
	struct parsed *p = parse("interface=eth\\0\ncwagent_cfg_param_name=\"/a\\\\b\"\n");

	(void)state;
	assert_int_equal(p->rc, -22); /* "/a\b" has a backslash: not an SSM name */
	assert_int_equal(p->err.line, 2);
	done(p);
	p = parse("interface=eth\\0\n");
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "eth0");
	done(p);
}

static void test_unknown_key_warns_and_continues(void **state)
{
	struct parsed *p = parse("tailscale_auth_key=abc\ninterface=eth0\n  export tailscale_x=1\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "eth0");
	assert_int_equal(p->warnings.len, 2);
	assert_string_equal(VEC_AT(&p->warnings, struct natconf_warning, 0)->text,
			    "t.conf:1:1: unknown key 'tailscale_auth_key' ignored");
	assert_string_equal(VEC_AT(&p->warnings, struct natconf_warning, 1)->text,
			    "t.conf:3:10: unknown key 'tailscale_x' ignored");
	done(p);
}

static void test_shell_expansions_are_errors(void **state)
{
	(void)state;
	assert_fails_at("interface=$IFACE\n", 1, 11, "'$' needs a shell");
	assert_fails_at("interface=\"${IFACE}\"\n", 1, 12, "'$' inside double quotes");
	assert_fails_at("interface=$(ip route | cut -f5)\n", 1, 11, "'$' needs a shell");
	assert_fails_at("interface=`ip route`\n", 1, 11, "'`' needs a shell");
	assert_fails_at("x=1\ninterface=eth0; reboot\n", 2, 15, "';' needs a shell");
	assert_fails_at("interface=eth0&\n", 1, 15, "'&' needs a shell");
	assert_fails_at("interface=eth0|x\n", 1, 15, "'|' needs a shell");
	assert_fails_at("interface=eth0>x\n", 1, 15, "'>' needs a shell");
	assert_fails_at("interface=(eth0)\n", 1, 11, "'(' needs a shell");
	assert_fails_at("interface=~/x\n", 1, 11, "'~' at the start");
}

static void test_unquoted_space_is_an_error(void **state)
{
	(void)state;
	assert_fails_at("ip_local_port_range=1024 65535\n", 1, 26,
			"unquoted blank in the value of 'ip_local_port_range'");
}

static void test_commands_are_errors(void **state)
{
	(void)state;
	assert_fails_at("service fck-nat restart\n", 1, 1, "expected key=value");
	assert_fails_at("  echo hi\n", 1, 3, "expected key=value");
	assert_fails_at("interface = eth0\n", 1, 1, "expected key=value");
	assert_fails_at("export\n", 1, 1, "expected key=value");
	assert_fails_at("9lives=1\n", 1, 1, "expected key=value");
}

static void test_broken_quotes_and_lines_are_errors(void **state)
{
	(void)state;
	assert_fails_at("interface='eth0\n", 1, 11, "unterminated single quote");
	assert_fails_at("interface=\"eth0\n", 1, 11, "unterminated double quote");
	assert_fails_at("interface=eth0\\\n", 1, 15, "line continuation");
	assert_fails_at("interface=eth0\r\n", 1, 15, "carriage return");
}

static void test_nul_byte_is_an_error(void **state)
{
	struct parsed *p;
	struct vec warnings = VEC_INIT(struct natconf_warning);
	struct nat_config config;
	struct bw_err err;

	(void)state;
	(void)p;
	nat_config_init(&config);
	assert_int_equal(natconf_parse("interface=e\0th0\n", 16, "t.conf", &config,
				       &warnings, &err), -22);
	assert_int_equal(err.col, 12);
	assert_non_null(strstr(err.msg, "NUL"));
	nat_config_free(&config);
	vec_free(&warnings);
}

/* Accepted with nothing set but one warning for the unknown key x. */
static void assert_accepted_as_unknown(const char *text)
{
	struct parsed *p = parse(text);

	if (p->rc != 0)
		fail_msg("for %s: %d:%d: %s", text, p->err.line, p->err.col, p->err.msg);
	assert_int_equal(p->warnings.len, 1);
	done(p);
}

static void test_leading_zero_is_refused_for_every_numeric_key(void **state)
{
	static const char *const keys[] = {
		"nf_conntrack_max", "nf_conntrack_buckets",
		"nf_conntrack_tcp_timeout_established", "tcp_keepalive_time",
		"tcp_max_syn_backlog",
	};

	(void)state;
	/* fck-nat writes the value as it is; the kernel reads 010 as octal 8. */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char text[96];
		int col = (int)strlen(keys[i]) + 2;

		snprintf(text, sizeof(text), "%s=010\n", keys[i]);
		assert_fails_at(text, 1, col, "'010' has a leading zero: the kernel would read it as octal, 8");
		snprintf(text, sizeof(text), "%s='0099'\n", keys[i]);
		assert_fails_at(text, 1, col, "'0099' has a leading zero: the kernel reads such a number as octal, and refuses it");
	}
	assert_fails_at("nf_conntrack_max=00\n", 1, 18, "leading zero");
	assert_fails_at("nf_conntrack_max=0\n", 1, 18, "out of range"); /* one zero is no leading zero */
}

static void test_leading_zero_in_the_port_range_is_refused(void **state)
{
	(void)state;
	assert_fails_at("ip_local_port_range='01024 65535'\n", 1, 21, "'01024' has a leading zero");
	assert_fails_at("ip_local_port_range='1024 065535'\n", 1, 21, "'065535' has a leading zero");
}

static void test_quoted_value_spanning_lines_says_so(void **state)
{
	(void)state;
	assert_fails_at("interface='wan\n0'\n", 1, 11,
			"the single-quoted value of 'interface' spans lines 1 to 2");
	assert_fails_at("x=1\ninterface=\"a\\\"\n\nb\"\n", 2, 11,
			"the double-quoted value of 'interface' spans lines 2 to 4");
	/* A quote that never closes is still called unterminated. */
	assert_fails_at("interface=\"wan0\nx=1\n", 1, 11, "unterminated double quote");
}

static void test_export_of_a_quoted_assignment_assigns(void **state)
{
	struct parsed *p = parse("export 'interface=wan0'\n"
				 "export \"ip_local_port_range=1024 65535\" 'nf_conntrack_max'=9\n");

	(void)state;
	/* bash and dash both assign: export gets the word after quote removal. */
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "wan0");
	assert_true(p->config.has_port_range);
	assert_int_equal(p->config.port_range_high, 65535);
	assert_int_equal(p->config.nf_conntrack_max.value, 9);
	assert_int_equal(p->warnings.len, 0);
	done(p);
	assert_fails_at("export 'interface=wan 0'\n", 1, 8, "interface: 'wan 0' is not an interface name");
}

static void test_export_of_a_bare_name_only_marks_it(void **state)
{
	struct parsed *p = parse("flowtable=true\nexport interface=eth1 flowtable\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "eth1");
	assert_true(p->config.flowtable);
	done(p);
}

static void test_export_of_a_non_name_is_an_error(void **state)
{
	(void)state;
	assert_fails_at("export interface=eth1 1k\n", 1, 23, "export: '1k' is not a variable name");
	assert_fails_at("export -n interface=eth1\n", 1, 8, "export: '-n' is not a variable name");
	assert_fails_at("export 'a b=1'\n", 1, 8, "export: 'a b' is not a variable name");
}

static void test_quoted_name_makes_a_command(void **state)
{
	(void)state;
	assert_fails_at("'interface'=wan0\n", 1, 1,
			"a quoted name makes this a command, not an assignment: a shell would run 'interface=wan0'");
}

static void test_dollar_that_expands_nothing_is_a_literal_dollar(void **state)
{
	(void)state;
	/* The value is read as the shells read it; the key then judges it. */
	assert_fails_at("interface=eth0$\n", 1, 11, "interface: 'eth0$' is not an interface name");
	assert_fails_at("interface=\"eth0$\"\n", 1, 11, "interface: 'eth0$' is not an interface name");
	assert_fails_at("interface=$\n", 1, 11, "interface: '$' is not an interface name");
	assert_fails_at("interface=e$/x\n", 1, 11, "interface: 'e$/x' is not an interface name");
	assert_fails_at("interface=\"a$ b\"\n", 1, 11, "interface: 'a$ b' is not an interface name");
	assert_fails_at("interface=\"a$'\"\n", 1, 11, "interface: 'a$'' is not an interface name");
	assert_accepted_as_unknown("x=a$ # c\n");
	assert_accepted_as_unknown("x=$:b\n");
	assert_accepted_as_unknown("x=\"$\"\n");
	/* A '$' that does expand is still refused. */
	assert_fails_at("interface=e$x\n", 1, 12, "'$' needs a shell");
}

static void test_dollar_before_a_quote_names_bash_and_dash(void **state)
{
	(void)state;
	assert_fails_at("interface=x$'y'\n", 1, 12,
			"'$'' means ANSI-C quoting to bash but a literal '$' to dash");
	assert_fails_at("interface=x$\"y\"\n", 1, 12,
			"'$\"' means a translated string to bash but a literal '$' to dash");
}

static void test_tilde_after_colon_names_tilde_expansion(void **state)
{
	(void)state;
	assert_fails_at("x=a:~/b\n", 1, 5, "'~' after ':' in the value of 'x' needs a shell to expand (tilde expansion");
	assert_fails_at("x=a\"b\":~\n", 1, 8, "tilde expansion");
	assert_fails_at("export x=a:~\n", 1, 12, "tilde expansion");
	/* Quoted, or not in an assignment word, it is a literal '~'. */
	assert_accepted_as_unknown("x=a':'~\n");
	assert_accepted_as_unknown("x=a:'~'\n");
	assert_accepted_as_unknown("x=a=~\n");
	assert_accepted_as_unknown("export 'x=a:~'\n");
}

static void test_nul_inside_quotes_is_an_error(void **state)
{
	struct vec warnings = VEC_INIT(struct natconf_warning);
	struct nat_config config;
	struct bw_err err;

	(void)state;
	nat_config_init(&config);
	assert_int_equal(natconf_parse("interface='e\0th0'\n", 18, "t.conf", &config,
				       &warnings, &err), -22);
	assert_int_equal(err.col, 13);
	assert_non_null(strstr(err.msg, "NUL byte in the value of 'interface' (a shell drops it"));
	nat_config_free(&config);
	vec_free(&warnings);
}

static void test_crlf_line_ending_names_dos_line_endings(void **state)
{
	(void)state;
	assert_fails_at("interface=eth0\r\n", 1, 15, "the file has DOS line endings (CRLF)");
	assert_fails_at("interface='eth0'\r\n", 1, 17, "the file has DOS line endings (CRLF)");
	assert_fails_at("interface=eth0 \r\n", 1, 16, "the file has DOS line endings (CRLF)");
	assert_fails_at("# fck-nat\r\n\r\n", 2, 1, "the file has DOS line endings (CRLF)");
}

static void test_carriage_return_inside_a_value_is_an_error(void **state)
{
	(void)state;
	assert_fails_at("interface='et\rh0'\n", 1, 14,
			"carriage return in the value of 'interface' (a shell keeps it there)");
}

static void test_interface_is_validated(void **state)
{
	struct parsed *p = parse("interface=eth0.100\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.interface, "eth0.100");
	done(p);
	assert_fails_at("interface=averyveryverylongname\n", 1, 11, "not an interface name");
	assert_fails_at("interface='eth0 x'\n", 1, 11, "not an interface name");
	assert_fails_at("interface='a\"b'\n", 1, 11, "not an interface name");
	assert_fails_at("interface=..\n", 1, 11, "not an interface name");
}

static void test_aws_ids_are_validated(void **state)
{
	struct parsed *p = parse("eni_id=eni-0123456789abcdef0\neip_id=eipalloc-12345678\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(p->config.eni_id, "eni-0123456789abcdef0");
	assert_int_equal(p->config.eni_id_line, 1);
	assert_string_equal(p->config.eip_id, "eipalloc-12345678");
	assert_int_equal(p->config.eip_id_line, 2);
	done(p);
	assert_fails_at("eni_id=eni-xyz\n", 1, 8, "eni_id: 'eni-xyz' is not an id");
	assert_fails_at("eip_id=eni-0123456789abcdef0\n", 1, 8, "eipalloc-");
	assert_fails_at("eni_id=eni-0123456789ABCDEF0\n", 1, 8, "is not an id");
}

static void test_cloudwatch_keys(void **state)
{
	struct parsed *p = parse("cwagent_enabled=true\ncwagent_cfg_param_name=/fck-nat/cw-config\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_true(p->config.cwagent_enabled);
	assert_string_equal(p->config.cwagent_cfg_param_name, "/fck-nat/cw-config");
	done(p);
	p = parse("cwagent_enabled=\n");
	assert_int_equal(p->rc, 0);
	assert_false(p->config.cwagent_enabled);
	done(p);
}

/* fck-nat tests cwagent_enabled with `test -n`: "false" turns it on too. */
static void test_cwagent_enabled_is_on_for_any_non_empty_value(void **state)
{
	struct parsed *p = parse("cwagent_enabled=maybe\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_true(p->config.cwagent_enabled);
	assert_int_equal(p->warnings.len, 0);
	done(p);
	p = parse("cwagent_enabled=false\n");
	assert_int_equal(p->rc, 0);
	assert_true(p->config.cwagent_enabled);
	assert_int_equal(p->warnings.len, 1);
	assert_non_null(strstr(VEC_AT(&p->warnings, struct natconf_warning, 0)->text,
			       "t.conf:1:1: cwagent_enabled='false' turns the CloudWatch agent on"));
	done(p);
}

static void test_nat64_enabled_is_refused_naming_the_translator(void **state)
{
	struct parsed *p;

	(void)state;
	assert_fails_at("interface=eth0\nnat64_enabled=true\n", 2, 1,
			"nat64_enabled: NAT64 needs an IPv6-to-IPv4 translator (such as Jool or TAYGA)");
	p = parse("nat64_enabled=\n");
	assert_int_equal(p->rc, 0);
	done(p);
}

static void test_nat64_tuning_keys_warn_and_are_ignored(void **state)
{
	struct parsed *p = parse("nat64_ipv4_dynamic_pool=192.168.0.0/16\nnat64_other=1\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->warnings.len, 2);
	assert_string_equal(VEC_AT(&p->warnings, struct natconf_warning, 0)->text,
			    "t.conf:1:1: nat64_ipv4_dynamic_pool only tunes a NAT64 translator, which bulwark does not run: ignored");
	assert_string_equal(VEC_AT(&p->warnings, struct natconf_warning, 1)->text,
			    "t.conf:2:1: unknown key 'nat64_other' ignored");
	done(p);
}

static void test_port_range(void **state)
{
	struct parsed *p = parse("ip_local_port_range=\"1024 65535\"\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_true(p->config.has_port_range);
	assert_int_equal(p->config.port_range_low, 1024);
	assert_int_equal(p->config.port_range_high, 65535);
	done(p);
	p = parse("ip_local_port_range='32768\t60999'\n");
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->config.port_range_low, 32768);
	done(p);
	assert_fails_at("ip_local_port_range=1024\n", 1, 21, "not two port numbers");
	assert_fails_at("ip_local_port_range='1024 70000'\n", 1, 21, "not a range");
	assert_fails_at("ip_local_port_range='2000 1000'\n", 1, 21, "not a range");
	assert_fails_at("ip_local_port_range='0 1000'\n", 1, 21, "not a range");
	assert_fails_at("ip_local_port_range='1 2 3'\n", 1, 21, "not two port numbers");
	assert_fails_at("ip_local_port_range='-1 2'\n", 1, 21, "not two port numbers");
}

static void test_numeric_tuning_keys(void **state)
{
	struct parsed *p = parse("nf_conntrack_max=524288\nnf_conntrack_buckets=131072\n"
				 "nf_conntrack_tcp_timeout_established=7440\n"
				 "tcp_keepalive_time=600\ntcp_max_syn_backlog=4096\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->config.nf_conntrack_max.value, 524288);
	assert_int_equal(p->config.nf_conntrack_buckets.value, 131072);
	assert_int_equal(p->config.nf_conntrack_tcp_timeout_established.value, 7440);
	assert_int_equal(p->config.tcp_keepalive_time.value, 600);
	assert_int_equal(p->config.tcp_max_syn_backlog.value, 4096);
	assert_int_equal(p->config.tcp_max_syn_backlog.line, 5);
	done(p);
	assert_fails_at("nf_conntrack_max=lots\n", 1, 18, "not a whole number");
	assert_fails_at("nf_conntrack_max=-1\n", 1, 18, "not a whole number");
	assert_fails_at("nf_conntrack_max=0\n", 1, 18, "out of range");
	assert_fails_at("nf_conntrack_max=99999999999999999999\n", 1, 18, "out of range");
	assert_fails_at("nf_conntrack_buckets=2000000000\n", 1, 22, "out of range");
	assert_fails_at("tcp_keepalive_time=40000\n", 1, 20, "out of range (1 to 32767)");
	assert_fails_at("tcp_max_syn_backlog=1e3\n", 1, 21, "not a whole number");
	assert_fails_at("nf_conntrack_tcp_timeout_established=3000000000\n", 1, 38, "out of range");
}

static void test_fips_endpoints(void **state)
{
	static const struct { const char *text; enum nat_tristate want; } cases[] = {
		{ "fips_endpoints=auto\n", NAT_AUTO },
		{ "fips_endpoints=true\n", NAT_ON },
		{ "fips_endpoints=false\n", NAT_OFF },
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct parsed *p = parse(cases[i].text);

		assert_int_equal(p->rc, 0);
		assert_int_equal(p->config.fips_endpoints, cases[i].want);
		done(p);
	}
	assert_fails_at("fips_endpoints=yes\n", 1, 16, "not auto, true or false");
}

static void test_ipv6_modes(void **state)
{
	struct parsed *p = parse("ipv6=off\n");

	(void)state;
	assert_int_equal(p->config.ipv6, NAT_OFF);
	done(p);
	p = parse("ipv6=auto\n");
	assert_int_equal(p->config.ipv6, NAT_AUTO);
	done(p);
	assert_fails_at("ipv6=true\n", 1, 6, "not auto, on or off");
}

static void test_booleans(void **state)
{
	struct parsed *p = parse("masquerade_fully_random=yes\nflowtable=1\n");

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_true(p->config.masquerade_fully_random);
	assert_true(p->config.flowtable);
	done(p);
	p = parse("masquerade_fully_random=off\nflowtable=FALSE\n");
	assert_false(p->config.masquerade_fully_random);
	assert_false(p->config.flowtable);
	done(p);
	assert_fails_at("flowtable=sometimes\n", 1, 11, "flowtable: 'sometimes' is not true or false");
}

static void test_source_cidrs(void **state)
{
	struct parsed *p = parse("nat_source_cidrs='10.0.0.0/16, 172.16.0.0/12 fd00::/8,192.168.1.7'\n");
	const struct cidr *c;

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->config.source_cidrs.len, 4);
	c = VEC_AT(&p->config.source_cidrs, struct cidr, 0);
	assert_string_equal(c->text, "10.0.0.0/16");
	assert_int_equal(c->family, AF_INET);
	c = VEC_AT(&p->config.source_cidrs, struct cidr, 2);
	assert_string_equal(c->text, "fd00::/8");
	assert_int_equal(c->family, AF_INET6);
	c = VEC_AT(&p->config.source_cidrs, struct cidr, 3);
	assert_string_equal(c->text, "192.168.1.7/32");
	assert_int_equal(nat_config_count_cidrs(&p->config, AF_INET), 3);
	assert_int_equal(nat_config_count_cidrs(&p->config, AF_INET6), 1);
	done(p);
}

static void test_source_cidrs_must_be_canonical(void **state)
{
	(void)state;
	assert_fails_at("nat_source_cidrs=10.0.0.1/8\n", 1, 18,
			"'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?");
	assert_fails_at("nat_source_cidrs=fd00::1/64\n", 1, 18, "did you mean fd00::/64?");
	assert_fails_at("nat_source_cidrs=10.0.0.0/33\n", 1, 18, "prefix length that is not 0 to 32");
	assert_fails_at("nat_source_cidrs=10.0.0.0/\n", 1, 18, "no prefix length");
	assert_fails_at("nat_source_cidrs=10.0.0/8\n", 1, 18, "not an IPv4 or IPv6");
	assert_fails_at("nat_source_cidrs=10.0.0.0/8x\n", 1, 18, "prefix length");
	assert_fails_at("nat_source_cidrs='10.0.0.0/8;1'\n", 1, 18, "prefix length");
	assert_fails_at("nat_source_cidrs='; flush ruleset'\n", 1, 18, "not an IPv4 or IPv6");
}

static void test_line_and_column_count_from_one(void **state)
{
	(void)state;
	assert_fails_at("\n\n# x\n\tinterface=eth0 flowtable=nope\n", 4, 27, "flowtable");
}

static void test_the_shipped_example_parses(void **state)
{
	FILE *f = fopen(EXAMPLES_DIR "/fck-nat.conf", "r");
	char text[8192];
	size_t n;
	struct parsed *p;

	(void)state;
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = parse(text);
	if (p->rc != 0)
		fail_msg("%d:%d: %s", p->err.line, p->err.col, p->err.msg);
	assert_string_equal(p->config.interface, "ens5");
	assert_int_equal(p->config.source_cidrs.len, 2);
	assert_int_equal(p->warnings.len, 1);
	done(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_gives_defaults),
		cmocka_unit_test(test_plain_quoted_and_exported_assignments),
		cmocka_unit_test(test_two_assignments_on_one_line),
		cmocka_unit_test(test_last_assignment_wins_and_empty_unsets),
		cmocka_unit_test(test_hash_inside_a_word_is_not_a_comment),
		cmocka_unit_test(test_backslash_escapes_like_a_shell),
		cmocka_unit_test(test_unknown_key_warns_and_continues),
		cmocka_unit_test(test_shell_expansions_are_errors),
		cmocka_unit_test(test_unquoted_space_is_an_error),
		cmocka_unit_test(test_commands_are_errors),
		cmocka_unit_test(test_broken_quotes_and_lines_are_errors),
		cmocka_unit_test(test_nul_byte_is_an_error),
		cmocka_unit_test(test_leading_zero_is_refused_for_every_numeric_key),
		cmocka_unit_test(test_leading_zero_in_the_port_range_is_refused),
		cmocka_unit_test(test_quoted_value_spanning_lines_says_so),
		cmocka_unit_test(test_export_of_a_quoted_assignment_assigns),
		cmocka_unit_test(test_export_of_a_bare_name_only_marks_it),
		cmocka_unit_test(test_export_of_a_non_name_is_an_error),
		cmocka_unit_test(test_quoted_name_makes_a_command),
		cmocka_unit_test(test_dollar_that_expands_nothing_is_a_literal_dollar),
		cmocka_unit_test(test_dollar_before_a_quote_names_bash_and_dash),
		cmocka_unit_test(test_tilde_after_colon_names_tilde_expansion),
		cmocka_unit_test(test_nul_inside_quotes_is_an_error),
		cmocka_unit_test(test_crlf_line_ending_names_dos_line_endings),
		cmocka_unit_test(test_carriage_return_inside_a_value_is_an_error),
		cmocka_unit_test(test_interface_is_validated),
		cmocka_unit_test(test_aws_ids_are_validated),
		cmocka_unit_test(test_cloudwatch_keys),
		cmocka_unit_test(test_cwagent_enabled_is_on_for_any_non_empty_value),
		cmocka_unit_test(test_nat64_enabled_is_refused_naming_the_translator),
		cmocka_unit_test(test_nat64_tuning_keys_warn_and_are_ignored),
		cmocka_unit_test(test_port_range),
		cmocka_unit_test(test_numeric_tuning_keys),
		cmocka_unit_test(test_fips_endpoints),
		cmocka_unit_test(test_ipv6_modes),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_source_cidrs),
		cmocka_unit_test(test_source_cidrs_must_be_canonical),
		cmocka_unit_test(test_line_and_column_count_from_one),
		cmocka_unit_test(test_the_shipped_example_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
