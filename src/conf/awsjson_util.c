/* What every describe-* reader shares: loading, typed getters that name
 * the object at fault, ids, CIDRs, protocols and ports. */
#include "conf/awsjson_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/hex.h"

int awsjson_bad(struct awsjson_where *w, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->what[0])
		return bw_err_at(w->err, w->filename, 0, 0, "%s: %s", w->what, msg);
	return bw_err_at(w->err, w->filename, 0, 0, "%s", msg);
}

int awsjson_oom(struct awsjson_where *w)
{
	return bw_errf(w->err, -ENOMEM, "out of memory");
}

bool awsjson_is_id(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix), n;

	if (!s || strncmp(s, prefix, plen) != 0)
		return false;
	s += plen;
	n = strlen(s);
	if (n < 8 || n > 17)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int awsjson_load(const char *text, size_t len, struct awsjson_where *w, json_t **out)
{
	json_error_t jerr;

	*out = NULL;
	if (len > AWSJSON_MAX_BYTES)
		return awsjson_bad(w, "larger than %zu bytes", AWSJSON_MAX_BYTES);
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return bw_err_at(w->err, w->filename, jerr.line, jerr.column, "%s", jerr.text);
	return 0;
}

int awsjson_load_text(const char *text, size_t len, const char *filename, json_t **out,
		      struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };

	return awsjson_load(text, len, &w, out);
}

int awsjson_parse_with(awsjson_read_fn read, const char *text, size_t len, const char *filename,
		       struct vpc_model *model, struct bw_err *err)
{
	json_t *doc = NULL;
	int rc = awsjson_load_text(text, len, filename, &doc, err);

	if (rc == 0)
		rc = read(doc, filename, model, err);
	json_decref(doc);
	return rc;
}

/* The array under key; a missing key is an empty array when !is_required. */
int awsjson_get_array(json_t *obj, const char *key, bool is_required, struct awsjson_where *w,
		     json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = v;
	if (!v && !is_required)
		return 0;
	if (!json_is_array(v))
		return awsjson_bad(w, "%s must be an array", key);
	return 0;
}

int awsjson_get_string(json_t *obj, const char *key, struct awsjson_where *w, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = "";
	if (!json_is_string(v))
		return awsjson_bad(w, "%s must be a string", key);
	*out = json_string_value(v);
	return 0;
}

int awsjson_get_int(json_t *obj, const char *key, struct awsjson_where *w, long long *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!json_is_integer(v))
		return awsjson_bad(w, "%s must be a whole number", key);
	*out = json_integer_value(v);
	return 0;
}

int awsjson_copy_id(const char *id, const char *prefix, char *out, struct awsjson_where *w,
		   const char *key)
{
	if (!awsjson_is_id(id, prefix))
		return awsjson_bad(w, "%s '%.64s' is not an id of the form %s<8 to 17 hex digits>",
			   key, id ? id : "", prefix);
	memcpy(out, id, strlen(id) + 1);
	return 0;
}

int awsjson_get_id(json_t *obj, const char *key, const char *prefix, struct awsjson_where *w,
		  char *out)
{
	const char *id;
	int rc = awsjson_get_string(obj, key, w, &id);

	return rc < 0 ? rc : awsjson_copy_id(id, prefix, out, w, key);
}

int awsjson_parse_cidr(const char *text, int family, struct awsjson_where *w, struct cidr *out)
{
	char why[200];

	if (cidr_parse(text, false, out, why, sizeof(why)) < 0)
		return awsjson_bad(w, "%s (AWS stores ranges canonical)", why);
	if (out->family != family)
		return awsjson_bad(w, "'%.64s' is not an %s range", text,
			   family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

/* IpProtocol / Protocol: a name AWS uses or a number 0 to 255. */
int awsjson_parse_proto(const char *text, struct awsjson_where *w, int *out)
{
	static const struct { const char *name; int proto; } names[] = {
		{ "-1", VPC_PROTO_ALL }, { "all", VPC_PROTO_ALL },
		{ "tcp", VPC_PROTO_TCP }, { "udp", VPC_PROTO_UDP },
		{ "icmp", VPC_PROTO_ICMP }, { "icmpv6", VPC_PROTO_ICMPV6 },
	};
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].proto;
			return 0;
		}
	n = strtol(text, &end, 10);
	if (!*text || *end || text[0] == '-' || text[0] == '+' || n > 255)
		return awsjson_bad(w, "unknown protocol '%.32s' (tcp, udp, icmp, icmpv6, -1 or 0 to 255)",
			   text);
	*out = (int)n;
	return 0;
}

bool awsjson_is_icmp(int proto)
{
	return proto == VPC_PROTO_ICMP || proto == VPC_PROTO_ICMPV6;
}

bool awsjson_has_ports(int proto)
{
	return proto == VPC_PROTO_TCP || proto == VPC_PROTO_UDP;
}

/* Ports (TCP/UDP) or type and code (ICMP) from two numbers, as security
 * groups (FromPort/ToPort) and ACLs (PortRange, IcmpTypeCode) give them. */
int awsjson_set_ports_or_icmp(struct vpc_traffic *t, bool is_present, long long from,
			     long long to, struct awsjson_where *w, const char *from_key,
			     const char *to_key)
{
	t->port_from = 0;
	t->port_to = 65535;
	t->icmp_type = -1;
	t->icmp_code = -1;
	if (awsjson_has_ports(t->proto)) {
		if (!is_present)
			return awsjson_bad(w, "%s and %s are required for tcp and udp", from_key, to_key);
		if (from < 0 || from > 65535 || to < 0 || to > 65535)
			return awsjson_bad(w, "port %lld-%lld is out of range (0 to 65535)", from, to);
		if (from > to)
			return awsjson_bad(w, "port range %lld-%lld is backwards", from, to);
		t->port_from = (uint16_t)from;
		t->port_to = (uint16_t)to;
	} else if (awsjson_is_icmp(t->proto) && is_present) {
		if (from < -1 || from > 255)
			return awsjson_bad(w, "ICMP type %lld is out of range (-1 to 255)", from);
		if (to < -1 || to > 255)
			return awsjson_bad(w, "ICMP code %lld is out of range (-1 to 255)", to);
		if (from == -1 && to != -1)
			return awsjson_bad(w, "ICMP type -1 (all types) with code %lld: a code needs a type", to);
		t->icmp_type = (int)from;
		t->icmp_code = (int)to;
	}
	return 0;
}

int awsjson_get_opt_id(json_t *obj, const char *key, const char *prefix,
		       struct awsjson_where *w, char *out)
{
	out[0] = '\0';
	if (!json_object_get(obj, key))
		return 0;
	return awsjson_get_id(obj, key, prefix, w, out);
}

int awsjson_get_opt_bool(json_t *obj, const char *key, bool fallback, struct awsjson_where *w,
			 bool *out)
{
	json_t *v = json_object_get(obj, key);

	*out = fallback;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return awsjson_bad(w, "%s must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

int awsjson_parse_mac(const char *text, struct awsjson_where *w, char out[VPC_MAC_LEN])
{
	static const char digits[] = "0123456789abcdef";
	bool is_ok = strlen(text) == VPC_MAC_LEN - 1;

	for (size_t i = 0; is_ok && i < VPC_MAC_LEN - 1; i++) {
		if (i % 3 == 2) {
			is_ok = text[i] == ':';
			out[i] = ':';
		} else {
			int d = hex_digit(text[i]);

			is_ok = d >= 0;
			out[i] = digits[d & 0xf];
		}
	}
	out[VPC_MAC_LEN - 1] = '\0';
	if (!is_ok) {
		out[0] = '\0';
		return awsjson_bad(w, "MacAddress '%.32s' is not six hex pairs joined by ':'", text);
	}
	return 0;
}
