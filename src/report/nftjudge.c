/* The firewall checks (CIS 3.4.x) judged on the ruleset nftables holds,
 * across every table: iptables-nft, firewalld, a CNI and bulwark all
 * show up here, where `iptables -L` sees only its own tables. */
#include <string.h>

#include "report/parse.h"

const char *const nft_hook_names[3] = { "input", "forward", "output" };

static bool family_sees(const char *table_family, int family)
{
	if (!table_family)
		return false;
	if (strcmp(table_family, "inet") == 0)
		return true;
	return strcmp(table_family, family == 4 ? "ip" : "ip6") == 0;
}

static int hook_index(const char *hook)
{
	for (int i = 0; hook && i < 3; i++)
		if (strcmp(hook, nft_hook_names[i]) == 0)
			return i;
	return -1;
}

/* A match of meta key (iif, iifname, oif, oifname) against "lo". */
static bool is_lo_match(const json_t *match, const char *key, const char *key_name,
			const char *op)
{
	const json_t *meta = json_object_get(json_object_get(match, "left"), "meta");
	const char *k = json_string_value(json_object_get(meta, "key"));
	const char *right = json_string_value(json_object_get(match, "right"));
	const char *o = json_string_value(json_object_get(match, "op"));

	if (!k || !right || !o || strcmp(right, "lo") != 0)
		return false;
	if (strcmp(k, key) != 0 && strcmp(k, key_name) != 0)
		return false;
	return strcmp(o, op) == 0;
}

static bool is_loopback_source(const json_t *match, int family)
{
	const json_t *payload = json_object_get(json_object_get(match, "left"), "payload");
	const char *proto = json_string_value(json_object_get(payload, "protocol"));
	const char *field = json_string_value(json_object_get(payload, "field"));
	const char *o = json_string_value(json_object_get(match, "op"));
	const json_t *right = json_object_get(match, "right");
	const json_t *prefix = json_object_get(right, "prefix");
	const char *addr = prefix ? json_string_value(json_object_get(prefix, "addr")) :
				    json_string_value(right);
	json_int_t len = prefix ? json_integer_value(json_object_get(prefix, "len")) :
				  (family == 4 ? 32 : 128);

	if (!proto || !field || !addr || !o || strcmp(field, "saddr") != 0 || strcmp(o, "==") != 0)
		return false;
	if (family == 4)
		return strcmp(proto, "ip") == 0 && strcmp(addr, "127.0.0.0") == 0 && len == 8;
	return strcmp(proto, "ip6") == 0 && strcmp(addr, "::1") == 0 && len == 128;
}

static bool is_established_match(const json_t *match)
{
	const json_t *ct = json_object_get(json_object_get(match, "left"), "ct");
	const char *key = json_string_value(json_object_get(ct, "key"));
	const json_t *right = json_object_get(match, "right");
	const char *o = json_string_value(json_object_get(match, "op"));
	size_t i;
	json_t *v;

	if (!key || strcmp(key, "state") != 0 || !o || (strcmp(o, "==") != 0 && strcmp(o, "in") != 0))
		return false;
	if (json_is_string(right))
		return strcmp(json_string_value(right), "established") == 0;
	/* `ct state established,related` is a list of flags;
	 * `ct state { established, related }` an anonymous set */
	if (json_is_object(right))
		right = json_object_get(right, "set");
	json_array_foreach(right, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), "established") == 0)
			return true;
	return false;
}

/* A rule's shape: its matches, and the verdict it ends in ("" none).
 * Counters and logs do not change what a rule decides. */
struct rule_shape {
	const json_t *matches[8];
	int n_matches;
	const char *verdict;
	bool is_other; /* holds a statement that is neither */
};

static void shape_of(const json_t *rule, struct rule_shape *s)
{
	const json_t *exprs = json_object_get(rule, "expr");
	size_t i;
	json_t *e;

	memset(s, 0, sizeof(*s));
	s->verdict = "";
	json_array_foreach(exprs, i, e) {
		if (json_object_get(e, "match")) {
			if (s->n_matches < 8)
				s->matches[s->n_matches++] = json_object_get(e, "match");
			else
				s->is_other = true;
		} else if (json_object_get(e, "accept")) {
			s->verdict = "accept";
		} else if (json_object_get(e, "drop")) {
			s->verdict = "drop";
		} else if (!json_object_get(e, "counter") && !json_object_get(e, "log")) {
			s->is_other = true;
		}
	}
}

static bool is_lo_accept(const struct rule_shape *s, bool is_input)
{
	return !s->is_other && s->n_matches == 1 && strcmp(s->verdict, "accept") == 0 &&
	       is_lo_match(s->matches[0], is_input ? "iif" : "oif",
			   is_input ? "iifname" : "oifname", "==");
}

/* drop from the loopback source, alone or with "not from lo" */
static bool is_loopback_drop(const struct rule_shape *s, int family)
{
	bool has_source = false;

	if (s->is_other || strcmp(s->verdict, "drop") != 0)
		return false;
	for (int i = 0; i < s->n_matches; i++) {
		if (is_loopback_source(s->matches[i], family))
			has_source = true;
		else if (!is_lo_match(s->matches[i], "iif", "iifname", "!="))
			return false;
	}
	return has_source;
}

static bool is_established_accept(const struct rule_shape *s)
{
	return !s->is_other && s->n_matches == 1 && strcmp(s->verdict, "accept") == 0 &&
	       is_established_match(s->matches[0]);
}

static bool is_dormant_flag(const json_t *flag)
{
	const char *s = json_string_value(flag);

	return s && (strcmp(s, "dormant") == 0 || strcmp(s, "off") == 0);
}

/* Whether a table is dormant (`flags dormant`): its base chains see no
 * packets. The flags are a string or a list of them; nft 1.0.6 names
 * the flag "off", later releases "dormant". */
static bool is_dormant(const json_t *table)
{
	const json_t *flags = json_object_get(table, "flags");
	size_t i;
	json_t *v;

	if (json_is_string(flags))
		return is_dormant_flag(flags);
	json_array_foreach(flags, i, v)
		if (is_dormant_flag(v))
			return true;
	return false;
}

struct table_ref {
	const char *family, *name;
};

static bool is_in(const struct table_ref *tables, int n, const char *family, const char *name)
{
	for (int i = 0; i < n; i++)
		if (family && name && strcmp(tables[i].family, family) == 0 &&
		    strcmp(tables[i].name, name) == 0)
			return true;
	return false;
}

struct chain_ref {
	const char *family, *table, *name;
	int hook;
	bool saw_lo_accept;
};

void nft_judge(const json_t *ruleset, int family, struct nft_verdicts *out)
{
	const json_t *items = json_object_get(ruleset, "nftables");
	struct chain_ref chains[256];
	struct table_ref dormant[64];
	int n_chains = 0, n_dormant = 0;
	size_t i;
	json_t *item;

	memset(out, 0, sizeof(*out));
	json_array_foreach(items, i, item) {
		const json_t *table = json_object_get(item, "table");
		const char *fam = json_string_value(json_object_get(table, "family"));
		const char *name = json_string_value(json_object_get(table, "name"));

		if (table && fam && name && is_dormant(table) &&
		    n_dormant < (int)(sizeof(dormant) / sizeof(dormant[0])))
			dormant[n_dormant++] = (struct table_ref){ .family = fam, .name = name };
	}
	json_array_foreach(items, i, item) {
		const json_t *chain = json_object_get(item, "chain");
		const char *fam = json_string_value(json_object_get(chain, "family"));
		const char *policy = json_string_value(json_object_get(chain, "policy"));
		int hook = hook_index(json_string_value(json_object_get(chain, "hook")));

		if (!chain || hook < 0 || !family_sees(fam, family) ||
		    is_in(dormant, n_dormant, fam, json_string_value(json_object_get(chain, "table"))))
			continue;
		out->n_base_chains[hook]++;
		if (policy && strcmp(policy, "drop") == 0)
			out->is_drop[hook] = true;
		if (n_chains < (int)(sizeof(chains) / sizeof(chains[0])))
			chains[n_chains++] = (struct chain_ref){
				.family = fam,
				.table = json_string_value(json_object_get(chain, "table")),
				.name = json_string_value(json_object_get(chain, "name")),
				.hook = hook,
			};
	}
	/* Rules come after their chain, in the chain's order. */
	json_array_foreach(items, i, item) {
		const json_t *rule = json_object_get(item, "rule");
		const char *fam = json_string_value(json_object_get(rule, "family"));
		const char *table = json_string_value(json_object_get(rule, "table"));
		const char *name = json_string_value(json_object_get(rule, "chain"));
		struct chain_ref *c = NULL;
		struct rule_shape s;

		if (!rule || !fam || !table || !name)
			continue;
		for (int k = 0; k < n_chains && !c; k++)
			if (chains[k].table && chains[k].name && strcmp(chains[k].family, fam) == 0 &&
			    strcmp(chains[k].table, table) == 0 && strcmp(chains[k].name, name) == 0)
				c = &chains[k];
		if (!c)
			continue;
		shape_of(rule, &s);
		if (is_established_accept(&s))
			out->has_established[c->hook] = true;
		if (c->hook == 0 && is_lo_accept(&s, true))
			c->saw_lo_accept = true;
		else if (c->hook == 0 && c->saw_lo_accept && is_loopback_drop(&s, family))
			out->has_input_loopback = true;
		else if (c->hook == 2 && is_lo_accept(&s, false))
			out->has_output_loopback = true;
	}
}
