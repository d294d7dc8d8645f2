/* The settings schema, the keypair form and the hardening profiles.
 *
 * The keys (under "settings."):
 *   kernel.lockdown                     none | integrity | confidentiality
 *   kernel.sysctl."<name>"              string, one line (name: dotted
 *                                       segments of [A-Za-z0-9_-])
 *   kernel.modules."<name>".allowed     bool (name: [A-Za-z0-9_-], < 56)
 *   hardening.profile                   none | cis-level-1 | cis-level-2
 *   firewall.host.enabled               bool, default false
 *   firewall.host.allow-tcp             array of ports 1..65535 accepted inbound
 *   firewall.host.allow-udp             array of ports 1..65535 accepted inbound
 *   firewall.host.allow-icmp            bool, default false: every ICMP and
 *                                       ICMPv6 type accepted inbound, or none;
 *                                       or an array of nft's type names
 *                                       ("echo-request"), each accepted inbound
 *                                       in the family (or both) nft knows it
 *                                       in; no numbers (3 is not the same type
 *                                       in ICMP and ICMPv6); [] is none
 *                                       (neighbour discovery, MLD and errors
 *                                       of tracked flows pass anyway)
 *   firewall.host.allow-outbound        bool, default true: new connections
 *                                       from the host
 *   firewall.host.allow-forward         bool, default nat.enabled: forwarded traffic
 *   nat.enabled                         bool, default false
 *   nat.<key>                           each key of the fck-nat / pelotech-nat
 *                                       file, same name, checked by natconf
 *   network.https-proxy                 string
 *   network.no-proxy                    array of strings
 *   security.fips-mode                  bool, read-only (from the kernel)
 */
#include "model/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/natconf.h"
#include "model/settings_tree.h"
#include "util/strbuf.h"

enum value_type {
	TYPE_STRING,
	TYPE_BOOL,
	TYPE_INT,
	TYPE_WORD,     /* a string from a fixed list */
	TYPE_PORTS,    /* array of integers 1..65535 */
	TYPE_STRINGS,  /* array of strings */
	TYPE_TRISTATE, /* true, false or a word ("auto") */
	TYPE_ICMP,     /* true, false or an array of ICMP type names */
};

struct leaf {
	const char *path; /* under settings., segments without dots or quotes */
	const char *const *words; /* TYPE_WORD */
	const char *words_text;   /* "none, integrity or confidentiality" */
	size_t max_len;           /* strings: longest value, 0 = 4096 */
	const char *read_only_why;
	enum value_type type;
	bool is_nat; /* a natconf key: natconf checks the value */
	bool is_read_only;
};

static const char *const lockdown_words[] = { "none", "integrity", "confidentiality", NULL };
static const char *const profile_words[] = { "none", "cis-level-1", "cis-level-2", NULL };

#define LEAF(p, t) { .path = (p), .type = (t) }
#define NAT_LEAF(name, t, max) { .path = "nat." name, .type = (t), .max_len = (max), .is_nat = true }

static const struct leaf leaves[] = {
	{ .path = "kernel.lockdown", .type = TYPE_WORD, .words = lockdown_words,
	  .words_text = "none, integrity or confidentiality" },
	{ .path = "hardening.profile", .type = TYPE_WORD, .words = profile_words,
	  .words_text = "none, cis-level-1 or cis-level-2" },
	LEAF("firewall.host.enabled", TYPE_BOOL),
	LEAF("firewall.host.allow-tcp", TYPE_PORTS),
	LEAF("firewall.host.allow-udp", TYPE_PORTS),
	LEAF("firewall.host.allow-icmp", TYPE_ICMP),
	LEAF("firewall.host.allow-outbound", TYPE_BOOL),
	LEAF("firewall.host.allow-forward", TYPE_BOOL),
	LEAF("nat.enabled", TYPE_BOOL),
	/* The natconf keys, in the order natconf reads them. */
	NAT_LEAF("interface", TYPE_STRING, 2048),
	NAT_LEAF("eni_id", TYPE_STRING, 2048),
	NAT_LEAF("eip_id", TYPE_STRING, 2048),
	NAT_LEAF("cwagent_enabled", TYPE_BOOL, 0),
	NAT_LEAF("cwagent_cfg_param_name", TYPE_STRING, 2048),
	NAT_LEAF("ip_local_port_range", TYPE_STRING, 2048),
	NAT_LEAF("nf_conntrack_max", TYPE_INT, 0),
	NAT_LEAF("nf_conntrack_buckets", TYPE_INT, 0),
	NAT_LEAF("nf_conntrack_tcp_timeout_established", TYPE_INT, 0),
	NAT_LEAF("tcp_keepalive_time", TYPE_INT, 0),
	NAT_LEAF("tcp_max_syn_backlog", TYPE_INT, 0),
	NAT_LEAF("fips_endpoints", TYPE_TRISTATE, 16),
	NAT_LEAF("nat_source_cidrs", TYPE_STRINGS, 64),
	NAT_LEAF("masquerade_fully_random", TYPE_BOOL, 0),
	NAT_LEAF("flowtable", TYPE_BOOL, 0),
	NAT_LEAF("ipv6", TYPE_TRISTATE, 16),
	{ .path = "network.https-proxy", .type = TYPE_STRING, .max_len = 1023 },
	{ .path = "network.no-proxy", .type = TYPE_STRINGS, .max_len = 253 },
	{ .path = "security.fips-mode", .type = TYPE_BOOL, .is_read_only = true,
	  .read_only_why = "FIPS mode is a property of the running kernel (fips=1 on its command line), read from /proc/sys/crypto/fips_enabled" },
};

#define N_LEAVES (sizeof(leaves) / sizeof(leaves[0]))

/* ---- ICMP type names ------------------------------------------------- */

struct icmp_name {
	const char *name;
	int v4; /* the ICMP type, -1 when ICMP has none of this name */
	int v6; /* the ICMPv6 type, -1 likewise */
};

/* nftables 1.0.6's names (`nft describe icmp type`, `nft describe icmpv6
 * type`), one row a name; a name in both tables is one row. Where two
 * names share a number (mld-listener-done, -reduction), the first is the
 * one rendered. */
static const struct icmp_name icmp_names[] = {
	{ "echo-reply", 0, 129 },
	{ "destination-unreachable", 3, 1 },
	{ "source-quench", 4, -1 },
	{ "redirect", 5, -1 },
	{ "echo-request", 8, 128 },
	{ "router-advertisement", 9, -1 },
	{ "router-solicitation", 10, -1 },
	{ "time-exceeded", 11, 3 },
	{ "parameter-problem", 12, 4 },
	{ "timestamp-request", 13, -1 },
	{ "timestamp-reply", 14, -1 },
	{ "info-request", 15, -1 },
	{ "info-reply", 16, -1 },
	{ "address-mask-request", 17, -1 },
	{ "address-mask-reply", 18, -1 },
	{ "packet-too-big", -1, 2 },
	{ "mld-listener-query", -1, 130 },
	{ "mld-listener-report", -1, 131 },
	{ "mld-listener-done", -1, 132 },
	{ "mld-listener-reduction", -1, 132 },
	{ "nd-router-solicit", -1, 133 },
	{ "nd-router-advert", -1, 134 },
	{ "nd-neighbor-solicit", -1, 135 },
	{ "nd-neighbor-advert", -1, 136 },
	{ "nd-redirect", -1, 137 },
	{ "router-renumbering", -1, 138 },
	{ "ind-neighbor-solicit", -1, 141 },
	{ "ind-neighbor-advert", -1, 142 },
	{ "mld2-listener-report", -1, 143 },
};

#define N_ICMP_NAMES (sizeof(icmp_names) / sizeof(icmp_names[0]))

/* The row of a JSON string naming an ICMP type, or NULL. */
static const struct icmp_name *icmp_name_find(const json_t *value)
{
	const char *s = json_string_value(value);

	if (!s || strlen(s) != json_string_length(value))
		return NULL;
	for (size_t i = 0; i < N_ICMP_NAMES; i++)
		if (strcmp(s, icmp_names[i].name) == 0)
			return &icmp_names[i];
	return NULL;
}

const char *settings_icmp_type_name(bool is_v6, uint8_t type)
{
	for (size_t i = 0; i < N_ICMP_NAMES; i++)
		if ((is_v6 ? icmp_names[i].v6 : icmp_names[i].v4) == (int)type)
			return icmp_names[i].name;
	return NULL;
}

/* ---- the hardening profiles ------------------------------------------ */

enum profile_kind { PROFILE_SYSCTL, PROFILE_MODULE_DENY, PROFILE_LOCKDOWN, PROFILE_HOST_FIREWALL };

struct profile_entry {
	int level;
	enum profile_kind kind;
	const char *name;  /* sysctl or module */
	const char *value; /* sysctl value */
};

/* What the automatic checks of the CIS Bottlerocket Benchmark v1.0.0 want,
 * as bloodhound (sources/bloodhound, bottlerocket-cis-checks) tests it:
 * sysctls by exact value, modules by "install /bin/true" in modprobe's
 * view, lockdown by "[integrity]", firewalls by the input/forward/output
 * policies and the loopback rules. Checks the host's settings cannot
 * satisfy (1.3.1 dm-verity, 1.5.1 SELinux, 2.1.1.1 chrony, 4.1.1.1
 * journald, 4.1.2 journal file modes) and Manual ones are not here. */
static const struct profile_entry profile[] = {
	{ 2, PROFILE_MODULE_DENY, "udf", NULL },                                      /* 1.1.1.1 */
	{ 1, PROFILE_SYSCTL, "fs.suid_dumpable", "0" },                               /* 1.4.1 */
	{ 1, PROFILE_SYSCTL, "kernel.randomize_va_space", "2" },                      /* 1.4.2 */
	{ 1, PROFILE_SYSCTL, "kernel.unprivileged_bpf_disabled", "1" },               /* 1.4.3 */
	{ 2, PROFILE_SYSCTL, "user.max_user_namespaces", "0" },                       /* 1.4.4 */
	{ 2, PROFILE_LOCKDOWN, NULL, NULL },                                          /* 1.5.2 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.all.send_redirects", "0" },               /* 3.1.1 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.default.send_redirects", "0" },           /* 3.1.1 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.all.accept_source_route", "0" },          /* 3.2.1 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.default.accept_source_route", "0" },      /* 3.2.1 */
	{ 2, PROFILE_SYSCTL, "net.ipv6.conf.all.accept_source_route", "0" },          /* 3.2.1 */
	{ 2, PROFILE_SYSCTL, "net.ipv6.conf.default.accept_source_route", "0" },      /* 3.2.1 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.all.accept_redirects", "0" },             /* 3.2.2 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.default.accept_redirects", "0" },         /* 3.2.2 */
	{ 2, PROFILE_SYSCTL, "net.ipv6.conf.all.accept_redirects", "0" },             /* 3.2.2 */
	{ 2, PROFILE_SYSCTL, "net.ipv6.conf.default.accept_redirects", "0" },         /* 3.2.2 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.all.secure_redirects", "0" },             /* 3.2.3 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.default.secure_redirects", "0" },         /* 3.2.3 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.all.log_martians", "1" },                 /* 3.2.4 */
	{ 2, PROFILE_SYSCTL, "net.ipv4.conf.default.log_martians", "1" },             /* 3.2.4 */
	{ 1, PROFILE_SYSCTL, "net.ipv4.icmp_echo_ignore_broadcasts", "1" },           /* 3.2.5 */
	{ 1, PROFILE_SYSCTL, "net.ipv4.icmp_ignore_bogus_error_responses", "1" },     /* 3.2.6 */
	{ 1, PROFILE_SYSCTL, "net.ipv4.tcp_syncookies", "1" },                        /* 3.2.7 */
	{ 2, PROFILE_MODULE_DENY, "sctp", NULL },                                     /* 3.3.1 */
	/* 3.4.1.1, 3.4.1.2, 3.4.2.1, 3.4.2.2: input, forward and output
	 * policies drop; loopback accepted, 127.0.0.0/8 and ::1 from
	 * elsewhere dropped (host_nft renders both when enabled). */
	{ 2, PROFILE_HOST_FIREWALL, NULL, NULL },
};

#define PROFILE_KEY "settings.hardening.profile"

/* ---- key names ------------------------------------------------------- */

static bool is_plain_segment(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* "settings." and the segments, quoting those that need it; control bytes
 * are shown as '?' so a message stays one line. */
static void key_format(const char *const *segs, size_t n, char *out, size_t size)
{
	struct strbuf sb = { 0 };
	char *text;

	strbuf_addf(&sb, "settings");
	for (size_t i = 0; i < n; i++) {
		bool is_quoted = !is_plain_segment(segs[i]);

		strbuf_add(&sb, ".", 1);
		if (is_quoted)
			strbuf_add(&sb, "\"", 1);
		for (const char *s = segs[i]; *s; s++) {
			char c = *s;

			if ((unsigned char)c < 0x20 || c == 0x7f)
				c = '?';
			if (c == '"' || c == '\\')
				strbuf_add(&sb, "\\", 1);
			strbuf_add(&sb, &c, 1);
		}
		if (is_quoted)
			strbuf_add(&sb, "\"", 1);
	}
	text = strbuf_take(&sb);
	snprintf(out, size, "%s", text ? text : "settings");
	if (text && strlen(text) >= size && size > 4)
		memcpy(out + size - 4, "...", 4);
	free(text);
}

static bool is_valid_sysctl_name(const char *name)
{
	size_t n = strlen(name);
	size_t seg_len = 0;

	if (n == 0 || n >= sizeof(((struct settings_sysctl *)0)->name))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c == '.') {
			if (seg_len == 0)
				return false; /* leading dot or ".." */
			seg_len = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
		seg_len++;
	}
	return seg_len > 0;
}

/* The kernel's MODULE_NAME_LEN is 56 with the NUL. The name lands in a
 * modprobe.d line, so nothing but these characters. */
static bool is_valid_module_name(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 56 && is_plain_segment(name);
}

/* ---- schema lookup --------------------------------------------------- */

enum lookup { LOOKUP_UNKNOWN, LOOKUP_GROUP, LOOKUP_LEAF, LOOKUP_SYSCTL };

/* Whether the segments are a prefix of (or all of) a fixed leaf's path. */
static enum lookup lookup_fixed(const char *const *segs, size_t n, const struct leaf **leaf)
{
	for (size_t i = 0; i < N_LEAVES; i++) {
		const char *p = leaves[i].path;
		size_t k = 0;

		for (; k < n; k++) {
			size_t len = strlen(segs[k]);

			if (strncmp(p, segs[k], len) != 0 || (p[len] != '.' && p[len] != '\0'))
				break;
			p += len;
			if (*p == '.')
				p++;
			else if (k + 1 < n)
				break; /* the leaf ends here, the key goes on */
		}
		if (k < n)
			continue;
		if (*p == '\0') {
			*leaf = &leaves[i];
			return LOOKUP_LEAF;
		}
		return LOOKUP_GROUP;
	}
	return LOOKUP_UNKNOWN;
}

static const struct leaf module_allowed_leaf = LEAF("kernel.modules.*.allowed", TYPE_BOOL);

/* What the segments name. A bad sysctl or module name is an error here. */
static int lookup(const char *const *segs, size_t n, const struct leaf **leaf, enum lookup *what,
		  struct bw_err *err)
{
	char key[SETTINGS_KEY_MAX];

	*leaf = NULL;
	if (n >= 2 && strcmp(segs[0], "kernel") == 0 && strcmp(segs[1], "sysctl") == 0) {
		if (n == 2) {
			*what = LOOKUP_GROUP;
			return 0;
		}
		key_format(segs, 3, key, sizeof(key));
		if (!is_valid_sysctl_name(segs[2]))
			return bw_err_input(err,
					    "%s: not a sysctl name (dotted segments of letters, digits, '_', '-'; under 128 characters)",
					    key);
		*what = n == 3 ? LOOKUP_SYSCTL : LOOKUP_UNKNOWN;
		return 0;
	}
	if (n >= 2 && strcmp(segs[0], "kernel") == 0 && strcmp(segs[1], "modules") == 0) {
		if (n == 2) {
			*what = LOOKUP_GROUP;
			return 0;
		}
		key_format(segs, 3, key, sizeof(key));
		if (!is_valid_module_name(segs[2]))
			return bw_err_input(err,
					    "%s: not a module name (letters, digits, '_', '-'; under 56 characters)",
					    key);
		if (n == 3) {
			*what = LOOKUP_GROUP;
		} else if (n == 4 && strcmp(segs[3], "allowed") == 0) {
			*leaf = &module_allowed_leaf;
			*what = LOOKUP_LEAF;
		} else {
			*what = LOOKUP_UNKNOWN;
		}
		return 0;
	}
	*what = n == 0 ? LOOKUP_GROUP : lookup_fixed(segs, n, leaf);
	return 0;
}

/* ---- values ---------------------------------------------------------- */

/* One line of printable text (UTF-8 passes), no NUL, at most max bytes. */
static int check_text(const json_t *value, size_t max, const char *key, const char *what,
		      struct bw_err *err)
{
	const char *s = json_string_value(value);
	size_t len = json_string_length(value);

	if (strlen(s) != len)
		return bw_err_input(err, "%s: %s holds a NUL byte", key, what);
	if (len > max)
		return bw_err_input(err, "%s: %s is longer than %zu bytes", key, what, max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return bw_err_input(err, "%s: %s must be one line of text (control character 0x%02x)",
					    key, what, c);
	}
	return 0;
}

static int check_no_blank(const json_t *value, const char *extra, const char *key,
			  const char *what, struct bw_err *err)
{
	const char *s = json_string_value(value);

	if (!*s)
		return bw_err_input(err, "%s: %s is empty", key, what);
	if (strpbrk(s, " \t") || (extra && strpbrk(s, extra)))
		return bw_err_input(err, "%s: %s '%s' holds a blank%s", key, what, s,
				    extra ? " or a comma" : "");
	return 0;
}

static int check_strings(const struct leaf *leaf, const json_t *value, const char *key,
			 struct bw_err *err)
{
	size_t index;
	const json_t *item;
	size_t total = 0;

	if (!json_is_array(value))
		return bw_err_input(err, "%s: must be an array of strings", key);
	if (json_array_size(value) > 1024)
		return bw_err_input(err, "%s: more than 1024 items", key);
	json_array_foreach(value, index, item) {
		char what[32];
		int rc;

		snprintf(what, sizeof(what), "item %zu", index + 1);
		if (!json_is_string(item))
			return bw_err_input(err, "%s: %s is not a string", key, what);
		rc = check_text(item, leaf->max_len, key, what, err);
		if (rc == 0)
			rc = check_no_blank(item, ",", key, what, err);
		if (rc)
			return rc;
		total += json_string_length(item) + 1;
	}
	if (!leaf->is_nat && total > sizeof(((struct settings_plan *)0)->no_proxy) - 1)
		return bw_err_input(err, "%s: longer than %zu bytes in all", key,
				    sizeof(((struct settings_plan *)0)->no_proxy) - 1);
	return 0;
}

static int check_ports(const json_t *value, const char *key, struct bw_err *err)
{
	size_t index;
	const json_t *item;

	if (!json_is_array(value))
		return bw_err_input(err, "%s: must be an array of port numbers (1 to 65535)", key);
	if (json_array_size(value) > 65535)
		return bw_err_input(err, "%s: more than 65535 ports", key);
	json_array_foreach(value, index, item) {
		json_int_t port;

		if (!json_is_integer(item))
			return bw_err_input(err, "%s: item %zu is not a port number (1 to 65535)",
					    key, index + 1);
		port = json_integer_value(item);
		if (port < 1 || port > 65535)
			return bw_err_input(err, "%s: %lld is not a port number (1 to 65535)", key,
					    (long long)port);
	}
	return 0;
}

/* A string as an error shows it: at most 40 bytes, control bytes and NUL
 * as '?', so the message stays one line. */
static void show_string(const json_t *value, char *out, size_t size)
{
	const char *s = json_string_value(value);
	size_t len = json_string_length(value);
	size_t max = size > 44 ? 40 : size - 4;
	size_t i = 0;

	for (; i < len && i < max; i++) {
		out[i] = s[i];
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			out[i] = '?';
	}
	if (i < len) {
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--; /* not inside a UTF-8 character */
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

/* allow-icmp: a bool (every type, or none) or a list of nft's names. */
static int check_icmp(const json_t *value, const char *key, struct bw_err *err)
{
	size_t index;
	const json_t *item;

	if (json_is_boolean(value))
		return 0;
	if (!json_is_array(value))
		return bw_err_input(err, "%s: must be true, false or an array of ICMP type names", key);
	if (json_array_size(value) > 256)
		return bw_err_input(err, "%s: more than 256 ICMP types", key);
	json_array_foreach(value, index, item) {
		char shown[48];

		if (json_is_integer(item))
			return bw_err_input(err,
					    "%s: item %zu is a number: name the type as nft does (\"echo-request\"; nft describe icmp type, icmpv6 type)",
					    key, index + 1);
		if (!json_is_string(item))
			return bw_err_input(err, "%s: item %zu is not an ICMP type name", key,
					    index + 1);
		if (!icmp_name_find(item)) {
			show_string(item, shown, sizeof(shown));
			return bw_err_input(err, "%s: unknown ICMP type '%s'", key, shown);
		}
	}
	return 0;
}

static int check_value(const struct leaf *leaf, const json_t *value, const char *key,
		       bool is_user_write, struct bw_err *err)
{
	if (leaf->is_read_only && is_user_write)
		return bw_err_input(err, "%s: read-only: %s", key, leaf->read_only_why);
	switch (leaf->type) {
	case TYPE_BOOL:
		if (!json_is_boolean(value))
			return bw_err_input(err, "%s: must be true or false", key);
		return 0;
	case TYPE_INT:
		if (!json_is_integer(value))
			return bw_err_input(err, "%s: must be a whole number", key);
		return 0;
	case TYPE_WORD:
		if (json_is_string(value))
			for (size_t i = 0; leaf->words[i]; i++)
				if (strcmp(json_string_value(value), leaf->words[i]) == 0 &&
				    strlen(leaf->words[i]) == json_string_length(value))
					return 0;
		return bw_err_input(err, "%s: must be %s", key, leaf->words_text);
	case TYPE_TRISTATE:
		if (json_is_boolean(value))
			return 0;
		if (!json_is_string(value))
			return bw_err_input(err, "%s: must be true, false or \"auto\"", key);
		return check_text(value, leaf->max_len, key, "the value", err);
	case TYPE_STRING:
		if (!json_is_string(value))
			return bw_err_input(err, "%s: must be a string", key);
		return check_text(value, leaf->max_len ? leaf->max_len : 4096, key, "the value",
				  err);
	case TYPE_PORTS:
		return check_ports(value, key, err);
	case TYPE_STRINGS:
		return check_strings(leaf, value, key, err);
	case TYPE_ICMP:
		return check_icmp(value, key, err);
	}
	return bw_err_input(err, "%s: unknown type", key);
}

static int check_sysctl_value(const json_t *value, const char *key, struct bw_err *err)
{
	if (!json_is_string(value))
		return bw_err_input(err, "%s: must be a string (write \"1\", not 1)", key);
	if (json_string_length(value) == 0)
		return bw_err_input(err, "%s: empty value", key);
	return check_text(value, sizeof(((struct settings_sysctl *)0)->value) - 1, key,
			  "the value", err);
}

/* ---- the NAT keys, checked by natconf -------------------------------- */

static const char *nat_key_name(const struct leaf *leaf)
{
	return leaf->path + strlen("nat.");
}

/* The NAT keys the tree holds as the key=value text natconf reads, one key
 * a line; keys[i] is the leaf on line i + 1. Values are single-quoted, so
 * a value with a quote cannot be written (no NAT key takes one). */
static int nat_render(const json_t *nat, struct strbuf *text, const struct leaf **keys,
		      size_t *n_keys, const struct leaf **at, struct bw_err *err)
{
	*n_keys = 0;
	for (size_t i = 0; i < N_LEAVES; i++) {
		const struct leaf *leaf = &leaves[i];
		const json_t *value;
		char key[SETTINGS_KEY_MAX];

		if (!leaf->is_nat)
			continue;
		value = json_object_get(nat, nat_key_name(leaf));
		if (!value)
			continue;
		snprintf(key, sizeof(key), "settings.%s", leaf->path);
		strbuf_addf(text, "%s='", nat_key_name(leaf));
		if (json_is_boolean(value)) {
			bool is_on = json_is_true(value);

			if (strcmp(leaf->path, "nat.ipv6") == 0)
				strbuf_addf(text, "%s", is_on ? "on" : "off");
			else if (strcmp(leaf->path, "nat.cwagent_enabled") == 0)
				/* fck-nat turns the agent on for any non-empty value. */
				strbuf_addf(text, "%s", is_on ? "true" : "");
			else
				strbuf_addf(text, "%s", is_on ? "true" : "false");
		} else if (json_is_integer(value)) {
			strbuf_addf(text, "%lld", (long long)json_integer_value(value));
		} else if (json_is_string(value)) {
			if (strchr(json_string_value(value), '\'')) {
				*at = leaf;
				return bw_err_input(err, "%s: holds a single quote", key);
			}
			strbuf_addf(text, "%s", json_string_value(value));
		} else if (json_is_array(value)) {
			size_t index;
			const json_t *item;

			json_array_foreach(value, index, item) {
				if (strchr(json_string_value(item), '\'')) {
					*at = leaf;
					return bw_err_input(err, "%s: holds a single quote", key);
				}
				strbuf_addf(text, "%s%s", index ? "," : "", json_string_value(item));
			}
		}
		strbuf_addf(text, "'\n");
		keys[(*n_keys)++] = leaf;
	}
	return text->failed ? bw_errf(err, -ENOMEM, "out of memory") : 0;
}

/* Parses the NAT keys with natconf, so the file and the settings agree on
 * what each key accepts. config must be initialised. *at (may be NULL)
 * gets the key at fault when natconf names one. */
static int nat_parse(const json_t *nat, struct nat_config *config, const struct leaf **at,
		     struct bw_err *err)
{
	const struct leaf *keys[N_LEAVES];
	size_t n_keys;
	struct strbuf text = { 0 };
	struct vec warnings = VEC_INIT(struct natconf_warning);
	char *buf = NULL;
	const struct leaf *ignored = NULL;
	int rc;

	if (!at)
		at = &ignored;
	*at = NULL;
	rc = nat_render(nat, &text, keys, &n_keys, at, err);
	if (rc)
		goto out;
	buf = strbuf_take(&text);
	if (!buf) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = natconf_parse(buf, strlen(buf), "settings.nat", config, &warnings, err);
	if (rc == -EINVAL && err->line >= 1 && (size_t)err->line <= n_keys) {
		const struct leaf *leaf = keys[err->line - 1];
		const char *name = nat_key_name(leaf);
		size_t name_len = strlen(name);
		char what[400];

		*at = leaf;

		/* natconf says "key: what"; say "settings.nat.key: what". */
		if (strncmp(err->msg, name, name_len) == 0 && strncmp(err->msg + name_len, ": ", 2) == 0)
			snprintf(what, sizeof(what), "%.399s", err->msg + name_len + 2);
		else
			snprintf(what, sizeof(what), "%.399s", err->msg);
		rc = bw_err_input(err, "settings.%s: %s", leaf->path, what);
	} else if (rc == 0 && warnings.len > 0) {
		rc = bw_err_input(err, "settings.nat: %s",
				  VEC_AT(&warnings, struct natconf_warning, 0)->text);
	}
out:
	free(buf);
	strbuf_free(&text);
	vec_free(&warnings);
	return rc;
}

/* ---- validation ------------------------------------------------------ */

/* The first read-only leaf at or under the table the segments name, or NULL. */
static const struct leaf *read_only_under(const char *const *segs, size_t n)
{
	for (size_t i = 0; i < N_LEAVES; i++) {
		const char *p = leaves[i].path;
		size_t k = 0;

		if (!leaves[i].is_read_only)
			continue;
		for (; k < n; k++) {
			size_t len = strlen(segs[k]);

			if (strncmp(p, segs[k], len) != 0 || (p[len] != '.' && p[len] != '\0'))
				break;
			p += len + (p[len] == '.');
		}
		if (k == n)
			return &leaves[i];
	}
	return NULL;
}

/* Keeps the path of the key at fault, the first time only (the deepest
 * level fails first and keeps its own). */
static void where_set(struct settings_where *where, const char *const *segs, size_t n)
{
	if (!where || where->n)
		return;
	if (n > SETTINGS_MAX_SEGMENTS)
		n = SETTINGS_MAX_SEGMENTS;
	for (size_t i = 0; i < n; i++)
		where->segs[i] = segs[i];
	where->n = n;
}

/* An unknown key's error; fck-nat's NAT64 keys say why bulwark has none. */
static int unknown_key(const char *key, struct bw_err *err)
{
	if (strncmp(key, "settings.nat.nat64_", 19) == 0)
		return bw_err_input(err, "%s: unknown key: NAT64 needs an IPv6-to-IPv4 translator "
				    "(such as Jool or TAYGA) and DNS64, which bulwark does not "
				    "include", key);
	return bw_err_input(err, "%s: unknown key", key);
}

static int validate_node(const json_t *node, const char **segs, size_t n, bool is_user_write,
			 struct settings_where *where, struct bw_err *err)
{
	const char *name;
	const json_t *value;

	json_object_foreach((json_t *)node, name, value) {
		const struct leaf *leaf;
		enum lookup what;
		char key[SETTINGS_KEY_MAX];
		int rc = 0;

		if (n >= SETTINGS_MAX_SEGMENTS) {
			where_set(where, segs, n);
			return bw_err_input(err, "settings: keys nest deeper than %d",
					    SETTINGS_MAX_SEGMENTS);
		}
		segs[n] = name;
		key_format(segs, n + 1, key, sizeof(key));
		if (strlen(name) == 0)
			rc = bw_err_input(err, "%s: empty key segment", key);
		if (rc == 0)
			rc = lookup(segs, n + 1, &leaf, &what, err);
		/* A user's null takes a key (or a table of them) out of the
		 * settings: the way out of a key this host cannot apply. */
		if (rc == 0 && is_user_write && json_is_null(value) && what != LOOKUP_UNKNOWN) {
			/* A table taken out takes its read-only keys with it. */
			if (what == LOOKUP_GROUP)
				leaf = read_only_under(segs, n + 1);
			if (leaf && leaf->is_read_only) {
				char leaf_key[SETTINGS_KEY_MAX];

				snprintf(leaf_key, sizeof(leaf_key), "settings.%s", leaf->path);
				rc = bw_err_input(err, "%s: read-only: %s", leaf_key,
						  leaf->read_only_why);
				where_set(where, segs, n + 1);
				return rc;
			}
			continue;
		}
		if (rc == 0) {
			switch (what) {
			case LOOKUP_UNKNOWN:
				rc = unknown_key(key, err);
				break;
			case LOOKUP_GROUP:
				if (!json_is_object(value))
					rc = bw_err_input(err, "%s: must be a table of keys, not a value",
							  key);
				else
					rc = validate_node(value, segs, n + 1, is_user_write, where, err);
				break;
			case LOOKUP_LEAF:
				rc = check_value(leaf, value, key, is_user_write, err);
				break;
			case LOOKUP_SYSCTL:
				rc = check_sysctl_value(value, key, err);
				break;
			}
		}
		if (rc) {
			where_set(where, segs, n + 1);
			return rc;
		}
	}
	return 0;
}

int settings_validate_at(const json_t *settings, bool is_user_write, struct settings_where *where,
			 struct bw_err *err)
{
	const char *segs[SETTINGS_MAX_SEGMENTS];
	const json_t *nat;
	int rc;

	if (where)
		where->n = 0;
	if (!json_is_object(settings))
		return bw_err_input(err, "settings: must be a table of keys");
	rc = validate_node(settings, segs, 0, is_user_write, where, err);
	if (rc)
		return rc;
	nat = json_object_get(settings, "nat");
	if (nat && !json_is_null(nat)) {
		struct nat_config config;
		const struct leaf *at = NULL;
		/* The keys a write takes out are not NAT config values. */
		json_t *values = settings_without_nulls(nat);

		nat_config_init(&config);
		rc = values ? nat_parse(values, &config, &at, err) :
			      bw_errf(err, -ENOMEM, "out of memory");
		nat_config_free(&config);
		json_decref(values);
		if (rc && err->is_input) {
			const char *nat_segs[] = { "nat", at ? nat_key_name(at) : NULL };

			where_set(where, nat_segs, at ? 2 : 1);
		}
	}
	return rc;
}

int settings_validate(const json_t *settings, bool is_user_write, struct bw_err *err)
{
	return settings_validate_at(settings, is_user_write, NULL, err);
}

/* ---- the keypair form ------------------------------------------------ */

/* A comma-separated list, or a JSON array when it starts with '['. */
static json_t *list_from_text(const char *text, bool is_ports)
{
	json_t *array;
	char *copy, *save = NULL;

	if (text[0] == '[')
		return json_loads(text, JSON_DECODE_ANY, NULL);
	array = json_array();
	copy = strdup(text);
	if (!array || !copy) {
		json_decref(array);
		free(copy);
		return NULL;
	}
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_t *item;

		tok += strspn(tok, " \t");
		for (size_t len = strlen(tok); len && strchr(" \t", tok[len - 1]); len--)
			tok[len - 1] = '\0';
		if (is_ports) {
			char *end;
			long long port;

			if (strspn(tok, "0123456789") != strlen(tok) || !*tok || strlen(tok) > 6)
				goto bad;
			port = strtoll(tok, &end, 10);
			item = json_integer(port);
		} else {
			item = json_string(tok);
		}
		if (!item || json_array_append_new(array, item) < 0)
			goto bad;
	}
	free(copy);
	return array;
bad:
	free(copy);
	json_decref(array);
	return NULL;
}

/* json_string() refuses what is not UTF-8; say so, or the caller reads an
 * unfilled err. */
static json_t *text_value(const char *text, const char *key, struct bw_err *err)
{
	json_t *value = json_string(text);

	if (!value)
		bw_err_input(err, "%s: the value is not UTF-8 text", key);
	return value;
}

/* The value text as its key's type; NULL with err filled when it cannot be. */
static json_t *coerce(const struct leaf *leaf, enum lookup what, const char *text,
		      const char *key, struct bw_err *err)
{
	json_t *value = NULL;

	if (what == LOOKUP_SYSCTL)
		return text_value(text, key, err);
	switch (leaf->type) {
	case TYPE_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			return json_boolean(text[0] == 't');
		bw_err_input(err, "%s: '%s' is not true or false", key, text);
		return NULL;
	case TYPE_INT: {
		char *end;
		long long number;

		const char *digits = text + (text[0] == '-');

		if (digits[0] && strspn(digits, "0123456789") == strlen(digits) &&
		    strlen(text) < 19) {
			number = strtoll(text, &end, 10);
			return json_integer(number);
		}
		bw_err_input(err, "%s: '%s' is not a whole number", key, text);
		return NULL;
	}
	case TYPE_TRISTATE:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			return json_boolean(text[0] == 't');
		return text_value(text, key, err);
	case TYPE_WORD:
	case TYPE_STRING:
		return text_value(text, key, err);
	case TYPE_PORTS:
	case TYPE_STRINGS:
	case TYPE_ICMP: /* true, false, or a list of names */
		if (leaf->type == TYPE_ICMP && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0))
			return json_boolean(text[0] == 't');
		value = list_from_text(text, leaf->type == TYPE_PORTS);
		if (!value)
			bw_err_input(err, "%s: '%s' is not %sa list (comma-separated, or a JSON array)",
				     key, text, leaf->type == TYPE_ICMP ? "true, false or " : "");
		return value;
	}
	return NULL;
}

/* Sets value (stolen) at the segments, making the tables on the way. */
static int tree_set(json_t *root, char *const *segs, size_t n, json_t *value)
{
	json_t *node = root;

	for (size_t i = 0; i + 1 < n; i++) {
		json_t *child = json_object_get(node, segs[i]);

		if (!json_is_object(child)) {
			child = json_object();
			if (!child || json_object_set_new(node, segs[i], child) < 0) {
				json_decref(value);
				return -ENOMEM;
			}
		}
		node = child;
	}
	return json_object_set_new(node, segs[n - 1], value) < 0 ? -ENOMEM : 0;
}

/* Prefixes err->msg with the pair, so the caller sees which one. */
static int name_pair(struct bw_err *err, int rc, const char *pair)
{
	char msg[sizeof(err->msg)];
	char shown[81];
	size_t i = 0;

	for (; i < sizeof(shown) - 1 && pair[i]; i++) {
		shown[i] = pair[i];
		if ((unsigned char)shown[i] < 0x20)
			shown[i] = '?';
	}
	shown[i] = '\0';
	snprintf(msg, sizeof(msg), "'%s%s': %.400s", shown, pair[i] ? "..." : "", err->msg);
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	return rc;
}

/* The '=' that ends the key: the first one outside double quotes. */
static const char *find_equals(const char *pair)
{
	bool is_quoted = false;

	for (const char *p = pair; *p; p++) {
		if (is_quoted && *p == '\\' && p[1])
			p++; /* \" and \\ inside a quoted segment */
		else if (*p == '"')
			is_quoted = !is_quoted;
		else if (*p == '=' && !is_quoted)
			return p;
	}
	return NULL;
}

static int one_pair(const char *pair, json_t *out, struct bw_err *err)
{
	char *segs[SETTINGS_MAX_SEGMENTS];
	size_t n = 0;
	const char *eq = find_equals(pair);
	char *name = NULL;
	char key[SETTINGS_KEY_MAX];
	const struct leaf *leaf;
	enum lookup what;
	json_t *value = NULL, *single = NULL;
	size_t skip;
	int rc;

	if (!eq)
		return bw_err_input(err, "not of the form key=value");
	name = strndup(pair, (size_t)(eq - pair));
	if (!name)
		return bw_errf(err, -ENOMEM, "out of memory");
	rc = settings_key_parse(name, segs, &n, err);
	free(name);
	if (rc)
		return rc;
	skip = n > 0 && strcmp(segs[0], "settings") == 0 ? 1 : 0;
	key_format((const char *const *)segs + skip, n - skip, key, sizeof(key));
	if (n - skip == 0) {
		rc = bw_err_input(err, "settings: not a key (a table of keys)");
		goto out;
	}
	rc = lookup((const char *const *)segs + skip, n - skip, &leaf, &what, err);
	if (rc)
		goto out;
	if (what == LOOKUP_UNKNOWN && n - skip > 3 && strcmp(segs[skip], "kernel") == 0 &&
	    strcmp(segs[skip + 1], "sysctl") == 0) {
		rc = bw_err_input(err, "%s: unknown key (quote the sysctl name: kernel.sysctl.\"a.b.c\")",
				  key);
		goto out;
	}
	if (what == LOOKUP_UNKNOWN) {
		rc = unknown_key(key, err);
		goto out;
	}
	if (what == LOOKUP_GROUP) {
		rc = bw_err_input(err, "%s: not a key (a table of keys)", key);
		goto out;
	}
	value = coerce(leaf, what, eq + 1, key, err);
	if (!value) {
		rc = err->is_input ? -EINVAL : bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* Checked alone first, so the error is this pair's. */
	single = json_object();
	if (!single || tree_set(single, segs + skip, n - skip, json_incref(value)) < 0) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = settings_validate(single, false, err);
	if (rc)
		goto out;
	rc = tree_set(out, segs + skip, n - skip, value);
	value = NULL;
	if (rc)
		rc = bw_errf(err, rc, "out of memory");
out:
	json_decref(value);
	json_decref(single);
	settings_key_free(segs, n);
	return rc;
}

int settings_from_keypairs(const char *const *pairs, size_t n_pairs, json_t **out,
			   struct bw_err *err)
{
	json_t *tree = json_object();
	int rc;

	*out = NULL;
	if (!tree)
		return bw_errf(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n_pairs; i++) {
		rc = one_pair(pairs[i], tree, err);
		if (rc) {
			json_decref(tree);
			return err->is_input ? name_pair(err, rc, pairs[i]) : rc;
		}
	}
	/* A pair can be fine alone and not beside another (NAT keys). */
	rc = settings_validate(tree, false, err);
	if (rc) {
		json_decref(tree);
		return rc;
	}
	*out = tree;
	return 0;
}

/* ---- the plan -------------------------------------------------------- */

void settings_plan_init(struct settings_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->sysctls = (struct vec)VEC_INIT(struct settings_sysctl);
	plan->modules = (struct vec)VEC_INIT(struct settings_module);
	plan->host_fw.tcp_ports = (struct vec)VEC_INIT(uint16_t);
	plan->host_fw.udp_ports = (struct vec)VEC_INIT(uint16_t);
	plan->host_fw.is_outbound_allowed = true;
	nat_config_init(&plan->nat);
}

void settings_plan_free(struct settings_plan *plan)
{
	vec_free(&plan->sysctls);
	vec_free(&plan->modules);
	vec_free(&plan->host_fw.tcp_ports);
	vec_free(&plan->host_fw.udp_ports);
	nat_config_free(&plan->nat);
}

static const json_t *get_path(const json_t *root, const char *path)
{
	char copy[128];
	char *save = NULL;
	const json_t *node = root;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *seg = strtok_r(copy, ".", &save); seg && node; seg = strtok_r(NULL, ".", &save))
		node = json_object_get(node, seg);
	return node;
}

static bool get_bool(const json_t *root, const char *path, bool fallback)
{
	const json_t *value = get_path(root, path);

	return json_is_boolean(value) ? json_is_true(value) : fallback;
}

static int cmp_sysctl(const void *a, const void *b)
{
	return strcmp(((const struct settings_sysctl *)a)->name,
		      ((const struct settings_sysctl *)b)->name);
}

static int cmp_module(const void *a, const void *b)
{
	return strcmp(((const struct settings_module *)a)->name,
		      ((const struct settings_module *)b)->name);
}

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static bool has_sysctl(const struct vec *sysctls, const char *name)
{
	for (size_t i = 0; i < sysctls->len; i++)
		if (strcmp(VEC_AT(sysctls, struct settings_sysctl, i)->name, name) == 0)
			return true;
	return false;
}

static bool has_module(const struct vec *modules, const char *name)
{
	for (size_t i = 0; i < modules->len; i++)
		if (strcmp(VEC_AT(modules, struct settings_module, i)->name, name) == 0)
			return true;
	return false;
}

static int plan_explicit(const json_t *settings, struct settings_plan *plan)
{
	const json_t *sysctls = get_path(settings, "kernel.sysctl");
	const json_t *modules = get_path(settings, "kernel.modules");
	const char *name;
	const json_t *value;

	json_object_foreach((json_t *)sysctls, name, value) {
		struct settings_sysctl s = { 0 };
		const char *segs[3] = { "kernel", "sysctl", name };

		snprintf(s.name, sizeof(s.name), "%s", name);
		snprintf(s.value, sizeof(s.value), "%s", json_string_value(value));
		key_format(segs, 3, s.key, sizeof(s.key));
		if (vec_push(&plan->sysctls, &s) < 0)
			return -ENOMEM;
	}
	json_object_foreach((json_t *)modules, name, value) {
		const json_t *allowed = json_object_get(value, "allowed");
		struct settings_module m = { 0 };
		const char *segs[4] = { "kernel", "modules", name, "allowed" };

		if (!allowed)
			continue; /* an empty table asks nothing */
		snprintf(m.name, sizeof(m.name), "%s", name);
		m.is_allowed = json_is_true(allowed);
		key_format(segs, 4, m.key, sizeof(m.key));
		if (vec_push(&plan->modules, &m) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int profile_level(const json_t *settings)
{
	const char *name = json_string_value(get_path(settings, "hardening.profile"));

	if (name && strcmp(name, "cis-level-1") == 0)
		return 1;
	if (name && strcmp(name, "cis-level-2") == 0)
		return 2;
	return 0;
}

static enum settings_lockdown lockdown_of(const char *word)
{
	if (strcmp(word, "none") == 0)
		return SETTINGS_LOCKDOWN_NONE;
	if (strcmp(word, "integrity") == 0)
		return SETTINGS_LOCKDOWN_INTEGRITY;
	return SETTINGS_LOCKDOWN_CONFIDENTIALITY;
}

/* Profile entries the explicit keys have not already decided. */
static int plan_profile(const json_t *settings, int level, struct settings_plan *plan)
{
	for (size_t i = 0; i < sizeof(profile) / sizeof(profile[0]); i++) {
		const struct profile_entry *e = &profile[i];

		if (e->level > level)
			continue;
		switch (e->kind) {
		case PROFILE_SYSCTL:
			if (!has_sysctl(&plan->sysctls, e->name)) {
				struct settings_sysctl s = { 0 };

				snprintf(s.name, sizeof(s.name), "%s", e->name);
				snprintf(s.value, sizeof(s.value), "%s", e->value);
				snprintf(s.key, sizeof(s.key), "%s", PROFILE_KEY);
				if (vec_push(&plan->sysctls, &s) < 0)
					return -ENOMEM;
			}
			break;
		case PROFILE_MODULE_DENY:
			if (!has_module(&plan->modules, e->name)) {
				struct settings_module m = { 0 };

				snprintf(m.name, sizeof(m.name), "%s", e->name);
				snprintf(m.key, sizeof(m.key), "%s", PROFILE_KEY);
				if (vec_push(&plan->modules, &m) < 0)
					return -ENOMEM;
			}
			break;
		case PROFILE_LOCKDOWN:
			if (plan->lockdown == SETTINGS_LOCKDOWN_UNSET) {
				plan->lockdown = SETTINGS_LOCKDOWN_INTEGRITY;
				snprintf(plan->lockdown_key, sizeof(plan->lockdown_key), "%s",
					 PROFILE_KEY);
			}
			break;
		case PROFILE_HOST_FIREWALL:
			if (!get_path(settings, "firewall.host.enabled"))
				plan->host_fw.is_enabled = true;
			break;
		}
	}
	return 0;
}

static int plan_ports(const json_t *ports, struct vec *out)
{
	size_t index, kept = 0;
	const json_t *item;

	json_array_foreach(ports, index, item) {
		uint16_t port = (uint16_t)json_integer_value(item);

		if (vec_push(out, &port) < 0)
			return -ENOMEM;
	}
	if (out->len > 1)
		qsort(out->items, out->len, sizeof(uint16_t), cmp_port);
	for (size_t i = 0; i < out->len; i++)
		if (kept == 0 || *VEC_AT(out, uint16_t, kept - 1) != *VEC_AT(out, uint16_t, i))
			*VEC_AT(out, uint16_t, kept++) = *VEC_AT(out, uint16_t, i);
	out->len = kept;
	return 0;
}

/* allow-icmp's list as type numbers, each in the families nft knows its
 * name in. */
static void plan_icmp(const json_t *list, struct host_fw_config *fw)
{
	size_t index;
	const json_t *item;

	json_array_foreach(list, index, item) {
		const struct icmp_name *row = icmp_name_find(item);

		if (row && row->v4 >= 0)
			fw->icmp_types[row->v4] = true;
		if (row && row->v6 >= 0)
			fw->icmpv6_types[row->v6] = true;
	}
}

static int plan_host_fw(const json_t *settings, struct host_fw_config *fw)
{
	int rc;

	fw->is_enabled = get_bool(settings, "firewall.host.enabled", fw->is_enabled);
	fw->is_icmp_allowed = get_bool(settings, "firewall.host.allow-icmp", false);
	plan_icmp(get_path(settings, "firewall.host.allow-icmp"), fw);
	fw->is_outbound_allowed = get_bool(settings, "firewall.host.allow-outbound", true);
	/* A NAT gateway forwards by definition: with the host firewall on and
	 * nothing said, its forward policy would silently cut the NAT off. */
	fw->is_forward_allowed = get_bool(settings, "firewall.host.allow-forward",
					  get_bool(settings, "nat.enabled", false));
	rc = plan_ports(get_path(settings, "firewall.host.allow-tcp"), &fw->tcp_ports);
	if (rc == 0)
		rc = plan_ports(get_path(settings, "firewall.host.allow-udp"), &fw->udp_ports);
	return rc;
}

static void plan_network(const json_t *settings, struct settings_plan *plan)
{
	const json_t *no_proxy = get_path(settings, "network.no-proxy");
	const char *proxy = json_string_value(get_path(settings, "network.https-proxy"));
	size_t index, used = 0;
	const json_t *item;

	snprintf(plan->https_proxy, sizeof(plan->https_proxy), "%s", proxy ? proxy : "");
	json_array_foreach(no_proxy, index, item) {
		int n = snprintf(plan->no_proxy + used, sizeof(plan->no_proxy) - used, "%s%s",
				 index ? "," : "", json_string_value(item));

		if (n < 0 || (size_t)n >= sizeof(plan->no_proxy) - used)
			break; /* validation bounds the total */
		used += (size_t)n;
	}
}

int settings_plan_build(const json_t *settings, struct settings_plan *plan, struct bw_err *err)
{
	const json_t *lockdown, *nat;
	int level;
	int rc = settings_validate(settings, false, err);

	if (rc)
		return rc;
	level = profile_level(settings);
	if (plan_explicit(settings, plan) < 0)
		return bw_errf(err, -ENOMEM, "out of memory");
	lockdown = get_path(settings, "kernel.lockdown");
	if (lockdown) {
		plan->lockdown = lockdown_of(json_string_value(lockdown));
		snprintf(plan->lockdown_key, sizeof(plan->lockdown_key), "settings.kernel.lockdown");
	}
	if (plan_profile(settings, level, plan) < 0 || plan_host_fw(settings, &plan->host_fw) < 0)
		return bw_errf(err, -ENOMEM, "out of memory");
	if (plan->sysctls.len > 1)
		qsort(plan->sysctls.items, plan->sysctls.len, sizeof(struct settings_sysctl),
		      cmp_sysctl);
	if (plan->modules.len > 1)
		qsort(plan->modules.items, plan->modules.len, sizeof(struct settings_module),
		      cmp_module);
	nat = json_object_get(settings, "nat");
	plan->has_nat = get_bool(settings, "nat.enabled", false);
	if (nat) {
		rc = nat_parse(nat, &plan->nat, NULL, err);
		if (rc)
			return rc;
	}
	plan_network(settings, plan);
	return 0;
}
