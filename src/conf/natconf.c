#include "conf/natconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define VALUE_MAX 4096

struct cursor {
	const char *text;
	size_t len;
	size_t pos;
	size_t line_start;
	int line;
	const char *filename;
	struct bw_err *err;
};

struct assignment {
	char key[64];
	char value[VALUE_MAX + 1];
	int line;
	int key_col;
	int value_col;
};

static int cur_col(const struct cursor *cur, size_t pos)
{
	return (int)(pos - cur->line_start) + 1;
}

static int peek(const struct cursor *cur)
{
	return cur->pos < cur->len ? (unsigned char)cur->text[cur->pos] : -1;
}

static bool at_line_end(const struct cursor *cur)
{
	int c = peek(cur);

	return c == -1 || c == '\n';
}

static int fail(struct cursor *cur, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A syntax error at pos on the current line. */
static int fail(struct cursor *cur, size_t pos, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bw_err_at(cur->err, cur->filename, cur->line, cur_col(cur, pos),
			 "%s", what);
}

static void skip_blanks(struct cursor *cur)
{
	while (peek(cur) == ' ' || peek(cur) == '\t')
		cur->pos++;
}

/* Copies a value already checked to fit. */
static void copy_checked(char *dst, size_t dst_size, const char *src)
{
	size_t n = strnlen(src, dst_size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int append(struct cursor *cur, struct assignment *as, size_t *n, int c)
{
	if (*n >= VALUE_MAX)
		return fail(cur, cur->pos, "value of '%s' is longer than 4096 bytes",
			    as->key);
	as->value[(*n)++] = (char)c;
	return 0;
}

static int read_single_quoted(struct cursor *cur, struct assignment *as, size_t *n)
{
	size_t open = cur->pos++;

	for (;;) {
		int c = peek(cur);

		if (c == -1 || c == '\n')
			return fail(cur, open, "unterminated single quote in the value of '%s'",
				    as->key);
		cur->pos++;
		if (c == '\'')
			return 0;
		if (append(cur, as, n, c) < 0)
			return -EINVAL;
	}
}

static int read_double_quoted(struct cursor *cur, struct assignment *as, size_t *n)
{
	size_t open = cur->pos++;

	for (;;) {
		int c = peek(cur);

		if (c == -1 || c == '\n')
			return fail(cur, open, "unterminated double quote in the value of '%s'",
				    as->key);
		if (c == '"') {
			cur->pos++;
			return 0;
		}
		if (c == '$' || c == '`')
			return fail(cur, cur->pos,
				    "'%c' inside double quotes needs a shell to expand; use single quotes or a literal value",
				    c);
		if (c == '\\') {
			int next = cur->pos + 1 < cur->len ?
				(unsigned char)cur->text[cur->pos + 1] : -1;

			if (next == '\n' || next == -1)
				return fail(cur, cur->pos,
					    "line continuation in the value of '%s' is not supported",
					    as->key);
			/* Inside double quotes a backslash escapes only these. */
			if (strchr("$`\"\\", next)) {
				cur->pos++;
				c = next;
			}
		}
		cur->pos++;
		if (append(cur, as, n, c) < 0)
			return -EINVAL;
	}
}

/* Reads one shell word as an assignment's value, stopping at a blank or
 * the end of the line. */
static int read_value(struct cursor *cur, struct assignment *as)
{
	size_t n = 0;
	size_t start = cur->pos;
	int rc;

	while (!at_line_end(cur)) {
		int c = peek(cur);

		if (c == ' ' || c == '\t')
			break;
		switch (c) {
		case '\'':
			rc = read_single_quoted(cur, as, &n);
			break;
		case '"':
			rc = read_double_quoted(cur, as, &n);
			break;
		case '\\': {
			int next = cur->pos + 1 < cur->len ?
				(unsigned char)cur->text[cur->pos + 1] : -1;

			if (next == '\n' || next == -1)
				return fail(cur, cur->pos,
					    "line continuation in the value of '%s' is not supported",
					    as->key);
			cur->pos += 2;
			rc = append(cur, as, &n, next);
			break;
		}
		case '$':
		case '`':
			return fail(cur, cur->pos,
				    "'%c' needs a shell to expand; write the value itself", c);
		case ';': case '&': case '|': case '<': case '>': case '(': case ')':
			return fail(cur, cur->pos,
				    "'%c' needs a shell to evaluate; quote the value if it is part of it",
				    c);
		case '\r':
			return fail(cur, cur->pos,
				    "carriage return in the value of '%s' (Windows line endings?)",
				    as->key);
		case '\0':
			return fail(cur, cur->pos, "NUL byte in the value of '%s'", as->key);
		case '~':
			if (cur->pos == start)
				return fail(cur, cur->pos,
					    "'~' at the start of a value needs a shell to expand; quote it");
			/* fall through */
		default:
			cur->pos++;
			rc = append(cur, as, &n, c);
			break;
		}
		if (rc < 0)
			return rc;
	}
	as->value[n] = '\0';
	return 0;
}

/* Reads NAME= at the cursor. Returns 1 when there is no assignment here
 * (the cursor does not move), 0 when one was read, or an error. */
static int read_key(struct cursor *cur, struct assignment *as)
{
	size_t start = cur->pos;
	size_t n = 0;

	if (!is_name_start(peek(cur)))
		return 1;
	while (is_name_char(peek(cur))) {
		if (n + 1 >= sizeof(as->key))
			return fail(cur, start, "key name is longer than 63 characters");
		as->key[n++] = (char)peek(cur);
		cur->pos++;
	}
	as->key[n] = '\0';
	if (peek(cur) != '=') {
		cur->pos = start;
		return 1;
	}
	cur->pos++;
	as->line = cur->line;
	as->key_col = cur_col(cur, start);
	as->value_col = cur_col(cur, cur->pos);
	return 0;
}

/* ---- values ---------------------------------------------------------- */

static int value_fail(struct cursor *cur, const struct assignment *as,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int value_fail(struct cursor *cur, const struct assignment *as,
		      const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bw_err_at(cur->err, cur->filename, as->line, as->value_col, "%s: %s",
			 as->key, what);
}

static int parse_bool(struct cursor *cur, const struct assignment *as, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(as->value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(as->value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return value_fail(cur, as, "'%s' is not true or false", as->value);
}

static int parse_u32(struct cursor *cur, const struct assignment *as,
		     uint32_t min, uint32_t max, uint32_t *out)
{
	const char *s = as->value;
	unsigned long long v = 0;

	if (!*s)
		return value_fail(cur, as, "empty number");
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return value_fail(cur, as, "'%s' is not a whole number", as->value);
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			break;
	}
	if (v < min || v > max)
		return value_fail(cur, as, "%s is out of range (%u to %u)", as->value,
				  min, max);
	*out = (uint32_t)v;
	return 0;
}

static int parse_opt_u32(struct cursor *cur, const struct assignment *as,
			 uint32_t min, uint32_t max, struct nat_opt_u32 *opt)
{
	int rc = parse_u32(cur, as, min, max, &opt->value);

	if (rc == 0) {
		opt->is_set = true;
		opt->line = as->line;
	}
	return rc;
}

static int parse_tristate(struct cursor *cur, const struct assignment *as,
			  const char *on_word, const char *off_word,
			  enum nat_tristate *out)
{
	if (strcmp(as->value, "auto") == 0)
		*out = NAT_AUTO;
	else if (strcmp(as->value, on_word) == 0)
		*out = NAT_ON;
	else if (strcmp(as->value, off_word) == 0)
		*out = NAT_OFF;
	else
		return value_fail(cur, as, "'%s' is not auto, %s or %s", as->value,
				  on_word, off_word);
	return 0;
}

/* Interface names land inside nftables strings and /proc/sys paths. */
static int parse_interface(struct cursor *cur, const struct assignment *as,
			   struct nat_config *config)
{
	if (!nat_ifname_is_valid(as->value))
		return value_fail(cur, as,
				  "'%s' is not an interface name (1 to %d letters, digits, '.', '-', '_')",
				  as->value, IF_NAMESIZE - 1);
	copy_checked(config->interface, sizeof(config->interface), as->value);
	return 0;
}

static bool is_hex_id(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);
	size_t n;

	if (strncmp(s, prefix, plen) != 0)
		return false;
	s += plen;
	n = strlen(s);
	if (n != 8 && n != 17)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int parse_aws_id(struct cursor *cur, const struct assignment *as,
			const char *prefix, char *out, size_t out_size, int *line)
{
	if (!is_hex_id(as->value, prefix))
		return value_fail(cur, as, "'%s' is not an id of the form %s<8 or 17 hex digits>",
				  as->value, prefix);
	copy_checked(out, out_size, as->value);
	*line = as->line;
	return 0;
}

static int parse_ssm_name(struct cursor *cur, const struct assignment *as,
			  struct nat_config *config)
{
	if (strlen(as->value) >= sizeof(config->cwagent_cfg_param_name))
		return value_fail(cur, as, "longer than %zu characters",
				  sizeof(config->cwagent_cfg_param_name) - 1);
	for (const char *s = as->value; *s; s++)
		if (!is_name_char((unsigned char)*s) && !strchr("./-", *s))
			return value_fail(cur, as,
					  "'%s' is not an SSM parameter name (letters, digits, '_', '.', '-', '/')",
					  as->value);
	copy_checked(config->cwagent_cfg_param_name,
		     sizeof(config->cwagent_cfg_param_name), as->value);
	config->cwagent_cfg_param_name_line = as->line;
	return 0;
}

static int parse_port_range(struct cursor *cur, const struct assignment *as,
			    struct nat_config *config)
{
	unsigned low, high;
	char tail;

	/* fck-nat writes it as "low high", as the sysctl prints it. */
	if (sscanf(as->value, "%5u%*[ \t]%5u%c", &low, &high, &tail) != 2 ||
	    strspn(as->value, "0123456789 \t") != strlen(as->value))
		return value_fail(cur, as, "'%s' is not two port numbers 'low high'",
				  as->value);
	if (low < 1 || high > 65535 || low > high)
		return value_fail(cur, as,
				  "'%s' is not a range 1 <= low <= high <= 65535",
				  as->value);
	config->has_port_range = true;
	config->port_range_low = (uint16_t)low;
	config->port_range_high = (uint16_t)high;
	return 0;
}

/* nat_source_cidrs: ranges separated by commas and/or blanks. */
static int parse_source_cidrs(struct cursor *cur, const struct assignment *as,
			      struct nat_config *config)
{
	char copy[VALUE_MAX + 1];
	char *save = NULL;

	config->source_cidrs.len = 0; /* a later assignment replaces an earlier one */
	snprintf(copy, sizeof(copy), "%s", as->value);
	for (char *tok = strtok_r(copy, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		struct cidr cidr;
		char why[160];

		if (cidr_parse(tok, true, &cidr, why, sizeof(why)) < 0)
			return value_fail(cur, as, "%s", why);
		if (config->source_cidrs.len >= 1024)
			return value_fail(cur, as, "more than 1024 ranges");
		if (vec_push(&config->source_cidrs, &cidr) < 0)
			return bw_errf(cur->err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int apply_assignment(struct cursor *cur, const struct assignment *as,
			    struct nat_config *config, struct vec *warnings)
{
	const char *k = as->key;

	if (strcmp(k, "interface") == 0) {
		config->interface[0] = '\0';
		return as->value[0] ? parse_interface(cur, as, config) : 0;
	}
	if (strcmp(k, "eni_id") == 0) {
		config->eni_id[0] = '\0';
		return as->value[0] ? parse_aws_id(cur, as, "eni-", config->eni_id,
						   sizeof(config->eni_id),
						   &config->eni_id_line) : 0;
	}
	if (strcmp(k, "eip_id") == 0) {
		config->eip_id[0] = '\0';
		return as->value[0] ? parse_aws_id(cur, as, "eipalloc-", config->eip_id,
						   sizeof(config->eip_id),
						   &config->eip_id_line) : 0;
	}
	if (strcmp(k, "cwagent_enabled") == 0) {
		config->cwagent_enabled = false;
		if (!as->value[0])
			return 0;
		config->cwagent_enabled_line = as->line;
		return parse_bool(cur, as, &config->cwagent_enabled);
	}
	if (strcmp(k, "cwagent_cfg_param_name") == 0) {
		config->cwagent_cfg_param_name[0] = '\0';
		return as->value[0] ? parse_ssm_name(cur, as, config) : 0;
	}
	if (strcmp(k, "ip_local_port_range") == 0) {
		config->has_port_range = false;
		return as->value[0] ? parse_port_range(cur, as, config) : 0;
	}

	/* Numeric tuning keys. An empty value means "leave the kernel's". */
	static const struct {
		const char *key;
		size_t offset;
		uint32_t min, max;
	} numbers[] = {
		{ "nf_conntrack_max", offsetof(struct nat_config, nf_conntrack_max), 1, INT_MAX },
		{ "nf_conntrack_buckets", offsetof(struct nat_config, nf_conntrack_buckets), 1, 1u << 30 },
		{ "nf_conntrack_tcp_timeout_established",
		  offsetof(struct nat_config, nf_conntrack_tcp_timeout_established), 1, INT_MAX },
		/* The kernel's MAX_TCP_KEEPIDLE. */
		{ "tcp_keepalive_time", offsetof(struct nat_config, tcp_keepalive_time), 1, 32767 },
		{ "tcp_max_syn_backlog", offsetof(struct nat_config, tcp_max_syn_backlog), 1, INT_MAX },
	};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		struct nat_opt_u32 *opt;

		if (strcmp(k, numbers[i].key) != 0)
			continue;
		opt = (struct nat_opt_u32 *)((char *)config + numbers[i].offset);
		memset(opt, 0, sizeof(*opt));
		return as->value[0] ? parse_opt_u32(cur, as, numbers[i].min,
						    numbers[i].max, opt) : 0;
	}

	if (strcmp(k, "fips_endpoints") == 0) {
		config->fips_endpoints = NAT_AUTO;
		return as->value[0] ? parse_tristate(cur, as, "true", "false",
						     &config->fips_endpoints) : 0;
	}
	if (strcmp(k, "nat_source_cidrs") == 0)
		return parse_source_cidrs(cur, as, config);
	if (strcmp(k, "masquerade_fully_random") == 0) {
		config->masquerade_fully_random = false;
		return as->value[0] ? parse_bool(cur, as, &config->masquerade_fully_random) : 0;
	}
	if (strcmp(k, "flowtable") == 0) {
		config->flowtable = false;
		return as->value[0] ? parse_bool(cur, as, &config->flowtable) : 0;
	}
	if (strcmp(k, "ipv6") == 0) {
		config->ipv6 = NAT_AUTO;
		return as->value[0] ? parse_tristate(cur, as, "on", "off", &config->ipv6) : 0;
	}

	struct natconf_warning warning;

	snprintf(warning.text, sizeof(warning.text), "%s:%d:%d: unknown key '%s' ignored",
		 cur->filename, as->line, as->key_col, k);
	if (vec_push(warnings, &warning) < 0)
		return bw_errf(cur->err, -ENOMEM, "out of memory");
	return 0;
}

/* After a value, only another assignment or a comment may follow: a shell
 * would run anything else as a command with the assignment in its
 * environment. Checked before the value is, so the error names the cause. */
static int check_next_word(struct cursor *cur, const struct assignment *as)
{
	size_t value_end = cur->pos;
	struct assignment probe;
	int rc = 0;

	skip_blanks(cur);
	if (!at_line_end(cur) && peek(cur) != '#' && read_key(cur, &probe) != 0)
		rc = fail(cur, cur->pos,
			  "unquoted blank in the value of '%s': a shell would run the rest as a command; quote the value",
			  as->key);
	cur->pos = value_end;
	return rc;
}

/* Reads the assignments of one line. */
static int parse_line(struct cursor *cur, struct nat_config *config,
		      struct vec *warnings, struct assignment *as)
{
	bool is_first_word = true;

	skip_blanks(cur);
	while (!at_line_end(cur) && peek(cur) != '#') {
		size_t word_start = cur->pos;
		int rc;

		if (is_first_word && cur->len - cur->pos > 6 &&
		    memcmp(cur->text + cur->pos, "export", 6) == 0 &&
		    (cur->text[cur->pos + 6] == ' ' || cur->text[cur->pos + 6] == '\t')) {
			cur->pos += 6;
			skip_blanks(cur);
			word_start = cur->pos;
		}
		rc = read_key(cur, as);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (peek(cur) == '\r')
				return fail(cur, cur->pos,
					    "carriage return (Windows line endings?)");
			return fail(cur, word_start,
				    "expected key=value; a shell would run this as a command");
		}
		rc = read_value(cur, as);
		if (rc < 0)
			return rc;
		rc = check_next_word(cur, as);
		if (rc < 0)
			return rc;
		rc = apply_assignment(cur, as, config, warnings);
		if (rc < 0)
			return rc;
		is_first_word = false;
		skip_blanks(cur);
	}
	/* Skip the comment, if any, and the newline. */
	while (!at_line_end(cur))
		cur->pos++;
	return 0;
}

int natconf_parse(const char *text, size_t len, const char *filename,
		  struct nat_config *config, struct vec *warnings,
		  struct bw_err *err)
{
	struct cursor cur = {
		.text = text, .len = len, .line = 1, .filename = filename, .err = err,
	};
	struct assignment *as;
	int rc = 0;

	if (len > NATCONF_MAX_BYTES)
		return bw_err_at(err, filename, 0, 0, "file is larger than %zu bytes",
				 NATCONF_MAX_BYTES);
	as = calloc(1, sizeof(*as));
	if (!as)
		return bw_errf(err, -ENOMEM, "out of memory");
	while (cur.pos < cur.len) {
		rc = parse_line(&cur, config, warnings, as);
		if (rc < 0)
			break;
		if (peek(&cur) == '\n') {
			cur.pos++;
			cur.line++;
			cur.line_start = cur.pos;
		}
	}
	free(as);
	return rc;
}
