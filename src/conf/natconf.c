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

/* What a word is, for messages and for the shell's rules: an assignment's
 * value (NAME=... unquoted: tilde expansion after ':' applies) or another
 * word (a command's name, an argument of export). */
struct word {
	char *text;  /* VALUE_MAX + 1 bytes */
	size_t n;
	bool is_assignment;
	const char *key; /* with is_assignment */
	bool is_after_colon; /* the last character read was an unquoted ':' */
};

static int cur_col(const struct cursor *cur, size_t pos)
{
	return (int)(pos - cur->line_start) + 1;
}

static int peek(const struct cursor *cur)
{
	return cur->pos < cur->len ? (unsigned char)cur->text[cur->pos] : -1;
}

static int peek_at(const struct cursor *cur, size_t pos)
{
	return pos < cur->len ? (unsigned char)cur->text[pos] : -1;
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

/* "the value of 'key'" or "this word", for messages. */
static const char *word_name(const struct word *w, char *buf, size_t size)
{
	if (w->is_assignment)
		snprintf(buf, size, "the value of '%s'", w->key);
	else
		snprintf(buf, size, "this word");
	return buf;
}

static int append(struct cursor *cur, struct word *w, int c)
{
	char name[96];

	if (w->n >= VALUE_MAX)
		return fail(cur, cur->pos, "%s is longer than 4096 bytes",
			    word_name(w, name, sizeof(name)));
	w->text[w->n++] = (char)c;
	w->is_after_colon = false;
	return 0;
}

/* A carriage return or a NUL, anywhere in a word: a shell keeps the one
 * in the value and silently drops the other, neither of them meant. */
static int fail_control(struct cursor *cur, const struct word *w, int c)
{
	char name[96];

	word_name(w, name, sizeof(name));
	if (c == '\0')
		return fail(cur, cur->pos,
			    "NUL byte in %s (a shell drops it silently); the file is not plain text",
			    name);
	if (peek_at(cur, cur->pos + 1) == '\n' || peek_at(cur, cur->pos + 1) == -1)
		return fail(cur, cur->pos,
			    "carriage return at the end of the line: the file has DOS line endings (CRLF), and a shell reads the CR as part of the line; convert the file (dos2unix)");
	return fail(cur, cur->pos,
		    "carriage return in %s (a shell keeps it there); DOS line endings?",
		    name);
}

/* A quote that the line ends inside: either it closes on a later line (a
 * shell keeps the newline in the value) or nowhere. */
static int fail_open_quote(struct cursor *cur, const struct word *w, size_t open)
{
	char quote = cur->text[open];
	const char *kind = quote == '\'' ? "single" : "double";
	char name[96];
	int line = cur->line;

	if (w->is_assignment)
		snprintf(name, sizeof(name), "value of '%s'", w->key);
	else
		snprintf(name, sizeof(name), "string in this word");
	for (size_t i = open + 1; i < cur->len; i++) {
		char c = cur->text[i];

		if (c == '\n')
			line++;
		else if (quote == '"' && c == '\\')
			i++;
		else if (c == quote)
			return fail(cur, open,
				    "the %s-quoted %s spans lines %d to %d (a shell would keep the newline in it); write it on one line",
				    kind, name, cur->line, line);
	}
	return fail(cur, open, "unterminated %s quote: the %s never closes", kind, name);
}

/* Whether a '$' followed by next expands nothing: bash and dash both keep
 * it as it is (checked against both, character by character). */
static bool dollar_is_literal(int next, bool is_in_double_quotes)
{
	/* A CR or NUL next is an error of its own, named when it is read. */
	if (next == -1 || next == '\n' || next == ' ' || next == '\t' ||
	    next == '\r' || next == '\0')
		return true;
	if (is_in_double_quotes && (next == '"' || next == '\''))
		return true;
	return next > 0 && strchr("/.,:%+=]}^~\\;&|<>)", next) != NULL;
}

static int read_single_quoted(struct cursor *cur, struct word *w)
{
	size_t open = cur->pos++;

	for (;;) {
		int c = peek(cur);

		if (c == -1 || c == '\n')
			return fail_open_quote(cur, w, open);
		if (c == '\r' || c == '\0')
			return fail_control(cur, w, c);
		cur->pos++;
		if (c == '\'')
			return 0;
		if (append(cur, w, c) < 0)
			return -EINVAL;
	}
}

static int read_double_quoted(struct cursor *cur, struct word *w)
{
	size_t open = cur->pos++;
	char name[96];

	for (;;) {
		int c = peek(cur);

		if (c == -1 || c == '\n')
			return fail_open_quote(cur, w, open);
		if (c == '\r' || c == '\0')
			return fail_control(cur, w, c);
		if (c == '"') {
			cur->pos++;
			return 0;
		}
		if ((c == '$' && !dollar_is_literal(peek_at(cur, cur->pos + 1), true)) ||
		    c == '`')
			return fail(cur, cur->pos,
				    "'%c' inside double quotes needs a shell to expand; use single quotes or a literal value",
				    c);
		if (c == '\\') {
			int next = peek_at(cur, cur->pos + 1);

			if (next == '\n' || next == -1)
				return fail(cur, cur->pos,
					    "line continuation in %s is not supported",
					    word_name(w, name, sizeof(name)));
			/* Inside double quotes a backslash escapes only these. */
			if (next > 0 && strchr("$`\"\\", next)) {
				cur->pos++;
				c = next;
			}
		}
		cur->pos++;
		if (append(cur, w, c) < 0)
			return -EINVAL;
	}
}

/* Reads one shell word, stopping at a blank or the end of the line. */
static int read_word(struct cursor *cur, struct word *w)
{
	size_t start = cur->pos;
	char name[96];
	int rc;

	w->n = 0;
	w->is_after_colon = false;
	while (!at_line_end(cur)) {
		int c = peek(cur);
		int next = peek_at(cur, cur->pos + 1);

		if (c == ' ' || c == '\t')
			break;
		switch (c) {
		case '\'':
			rc = read_single_quoted(cur, w);
			break;
		case '"':
			rc = read_double_quoted(cur, w);
			break;
		case '\\':
			if (next == '\n' || next == -1)
				return fail(cur, cur->pos,
					    "line continuation in %s is not supported",
					    word_name(w, name, sizeof(name)));
			if (next == '\r' || next == '\0') {
				cur->pos++;
				return fail_control(cur, w, next);
			}
			cur->pos += 2;
			rc = append(cur, w, next);
			break;
		case '$':
			/* bash reads $'...' as ANSI-C quoting and $"..." as a
			 * translated string; dash keeps the '$'. */
			if (next == '\'' || next == '"')
				return fail(cur, cur->pos,
					    "'$%c' means %s to bash but a literal '$' to dash; drop the '$' or quote it",
					    next, next == '\'' ? "ANSI-C quoting" : "a translated string");
			if (!dollar_is_literal(next, false))
				return fail(cur, cur->pos,
					    "'$' needs a shell to expand; write the value itself");
			cur->pos++;
			rc = append(cur, w, c);
			break;
		case '`':
			return fail(cur, cur->pos,
				    "'`' needs a shell to expand; write the value itself");
		case ';': case '&': case '|': case '<': case '>': case '(': case ')':
			return fail(cur, cur->pos,
				    "'%c' needs a shell to evaluate; quote the value if it is part of it",
				    c);
		case '\r':
		case '\0':
			return fail_control(cur, w, c);
		case '~':
			if (cur->pos == start)
				return fail(cur, cur->pos,
					    "'~' at the start of %s needs a shell to expand (tilde expansion); quote it",
					    word_name(w, name, sizeof(name)));
			if (w->is_assignment && w->is_after_colon)
				return fail(cur, cur->pos,
					    "'~' after ':' in %s needs a shell to expand (tilde expansion, as in PATH=a:~/b); quote it",
					    word_name(w, name, sizeof(name)));
			cur->pos++;
			rc = append(cur, w, c);
			break;
		case ':':
			cur->pos++;
			rc = append(cur, w, c);
			w->is_after_colon = true;
			break;
		default:
			cur->pos++;
			rc = append(cur, w, c);
			break;
		}
		if (rc < 0)
			return rc;
	}
	w->text[w->n] = '\0';
	return 0;
}

/* Reads the value of an assignment NAME=... into as->value. */
static int read_value(struct cursor *cur, struct assignment *as)
{
	struct word w = { .text = as->value, .is_assignment = true, .key = as->key };

	return read_word(cur, &w);
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

/* fck-nat hands a number to the kernel as it is written, and the kernel
 * reads one with a leading zero as octal: nf_conntrack_max=010 is 8. */
static int refuse_leading_zero(struct cursor *cur, const struct assignment *as,
			       const char *digits, size_t n)
{
	unsigned long long octal = 0;
	bool is_octal = true;

	if (n < 2 || digits[0] != '0')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (digits[i] > '7')
			is_octal = false;
		else if (octal <= UINT32_MAX)
			octal = octal * 8 + (unsigned)(digits[i] - '0');
	}
	if (!is_octal)
		return value_fail(cur, as,
				  "'%.*s' has a leading zero: the kernel reads such a number as octal, and refuses it with an 8 or 9; write it without the zero",
				  (int)n, digits);
	if (octal > UINT32_MAX)
		return value_fail(cur, as,
				  "'%.*s' has a leading zero: the kernel reads such a number as octal; write it without the zero",
				  (int)n, digits);
	return value_fail(cur, as,
			  "'%.*s' has a leading zero: the kernel would read it as octal, %llu; write it without the zero",
			  (int)n, digits, octal);
}

static int parse_u32(struct cursor *cur, const struct assignment *as,
		     uint32_t min, uint32_t max, uint32_t *out)
{
	const char *s = as->value;
	size_t n = strlen(s);
	unsigned long long v = 0;
	int rc;

	if (n == 0)
		return value_fail(cur, as, "empty number");
	if (strspn(s, "0123456789") != n)
		return value_fail(cur, as, "'%s' is not a whole number", as->value);
	rc = refuse_leading_zero(cur, as, s, n);
	if (rc < 0)
		return rc;
	for (; *s && v <= UINT32_MAX; s++)
		v = v * 10 + (unsigned)(*s - '0');
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

	if (strspn(as->value, "0123456789 \t") != strlen(as->value))
		return value_fail(cur, as, "'%s' is not two port numbers 'low high'",
				  as->value);
	for (const char *s = as->value; *s;) {
		size_t n = strspn(s, "0123456789");
		int rc = refuse_leading_zero(cur, as, s, n);

		if (rc < 0)
			return rc;
		s += n;
		s += strspn(s, " \t");
	}
	/* fck-nat writes it as "low high", as the sysctl prints it. */
	if (sscanf(as->value, "%5u%*[ \t]%5u%c", &low, &high, &tail) != 2)
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

static int add_warning(struct cursor *cur, struct vec *warnings, const struct assignment *as,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int add_warning(struct cursor *cur, struct vec *warnings, const struct assignment *as,
		       const char *fmt, ...)
{
	struct natconf_warning warning;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(warning.text, sizeof(warning.text), "%s:%d:%d: %s", cur->filename, as->line,
		 as->key_col, what);
	if (vec_push(warnings, &warning) < 0)
		return bw_errf(cur->err, -ENOMEM, "out of memory");
	return 0;
}

/* fck-nat tests cwagent_enabled with `test -n`: any non-empty value turns
 * the agent on, "false" included. */
static int parse_cwagent_enabled(struct cursor *cur, const struct assignment *as,
				 struct nat_config *config, struct vec *warnings)
{
	static const char *const no[] = { "false", "no", "off", "0" };

	config->cwagent_enabled = as->value[0] != '\0';
	if (!config->cwagent_enabled)
		return 0;
	config->cwagent_enabled_line = as->line;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(as->value, no[i]) == 0)
			return add_warning(cur, warnings, as,
					   "cwagent_enabled='%s' turns the CloudWatch agent on, as in fck-nat (any non-empty value does); leave it empty to keep it off",
					   as->value);
	return 0;
}

/* NAT64 keys (TAYGA- or Jool-based images) translate IPv6 to IPv4;
 * bulwark masquerades only. nat64_enabled is refused rather than ignored; the keys
 * that only tune it are ignored with a warning. */
static int refuse_nat64(struct cursor *cur, const struct assignment *as, struct vec *warnings)
{
	static const char *const tuning[] = {
		"nat64_ipv4_addr", "nat64_ipv6_addr", "nat64_ipv4_dynamic_pool",
	};

	if (strcmp(as->key, "nat64_enabled") == 0) {
		if (!as->value[0])
			return 0;
		return bw_err_at(cur->err, cur->filename, as->line, as->key_col,
				 "nat64_enabled: NAT64 needs an IPv6-to-IPv4 translator (such as Jool or TAYGA) and DNS64, which bulwark does not include; remove the key or leave it empty");
	}
	for (size_t i = 0; i < sizeof(tuning) / sizeof(tuning[0]); i++)
		if (strcmp(as->key, tuning[i]) == 0)
			return as->value[0] ?
				add_warning(cur, warnings, as,
					    "%s only tunes a NAT64 translator, which bulwark does not run: ignored",
					    as->key) : 0;
	return add_warning(cur, warnings, as, "unknown key '%s' ignored", as->key);
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
	if (strcmp(k, "cwagent_enabled") == 0)
		return parse_cwagent_enabled(cur, as, config, warnings);
	if (strncmp(k, "nat64_", 6) == 0)
		return refuse_nat64(cur, as, warnings);
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
static int check_next_word(struct cursor *cur, struct assignment *as)
{
	size_t value_end = cur->pos;
	struct word w = { .text = as->value, .is_assignment = true, .key = as->key };
	struct assignment probe;
	int rc = 0;

	skip_blanks(cur);
	if (peek(cur) == '\r')
		rc = fail_control(cur, &w, '\r');
	else if (!at_line_end(cur) && peek(cur) != '#' && read_key(cur, &probe) != 0)
		rc = fail(cur, cur->pos,
			  "unquoted blank in the value of '%s': a shell would run the rest as a command; quote the value",
			  as->key);
	cur->pos = value_end;
	return rc;
}

static bool is_name(const char *s, size_t n)
{
	if (n == 0 || !is_name_start((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return false;
	return true;
}

/* An argument of export that is not NAME=... as written: after quote
 * removal it is NAME=value (export 'a=b' assigns, as in bash and dash; no
 * tilde expansion then) or NAME, which export only marks: returns 1. */
static int read_export_word(struct cursor *cur, struct assignment *as, size_t start)
{
	struct word w = { .text = as->value };
	const char *eq;
	size_t name_len;
	int rc = read_word(cur, &w);

	if (rc < 0)
		return rc;
	eq = strchr(as->value, '=');
	name_len = eq ? (size_t)(eq - as->value) : strlen(as->value);
	if (!is_name(as->value, name_len))
		return fail(cur, start,
			    "export: '%.*s' is not a variable name (bash refuses it, dash stops reading the file there)",
			    (int)name_len, as->value);
	if (name_len >= sizeof(as->key))
		return fail(cur, start, "key name is longer than 63 characters");
	if (!eq)
		return 1;
	memcpy(as->key, as->value, name_len);
	as->key[name_len] = '\0';
	memmove(as->value, eq + 1, strlen(eq + 1) + 1);
	as->line = cur->line;
	as->key_col = cur_col(cur, start);
	as->value_col = as->key_col;
	return 0;
}

/* The arguments of export: assignments, or names it only marks. Unlike a
 * plain assignment, a blank here separates arguments. */
static int parse_export(struct cursor *cur, size_t export_start, struct nat_config *config,
			struct vec *warnings, struct assignment *as)
{
	size_t n_args = 0;

	for (;;) {
		size_t start;
		int rc;

		skip_blanks(cur);
		if (at_line_end(cur) || peek(cur) == '#')
			break;
		start = cur->pos;
		n_args++;
		rc = read_key(cur, as);
		if (rc == 0)
			rc = read_value(cur, as);
		else if (rc == 1)
			rc = read_export_word(cur, as, start);
		if (rc == 1)
			continue;
		if (rc == 0)
			rc = apply_assignment(cur, as, config, warnings);
		if (rc < 0)
			return rc;
	}
	if (n_args == 0)
		return fail(cur, export_start,
			    "expected key=value; a shell would run this as a command (export alone lists the environment)");
	return 0;
}

/* A line that does not start with NAME=: export, or a command. */
static int parse_command(struct cursor *cur, struct nat_config *config,
			 struct vec *warnings, struct assignment *as)
{
	size_t start = cur->pos;
	struct word w = { .text = as->value };
	const char *eq;
	int rc = read_word(cur, &w);

	if (rc < 0)
		return rc;
	if (strcmp(as->value, "export") == 0)
		return parse_export(cur, start, config, warnings, as);
	eq = strchr(as->value, '=');
	if (eq && is_name(as->value, (size_t)(eq - as->value)))
		return fail(cur, start,
			    "a quoted name makes this a command, not an assignment: a shell would run '%s'; remove the quotes before the '='",
			    as->value);
	return fail(cur, start, "expected key=value; a shell would run this as a command");
}

/* Reads the assignments of one line. */
static int parse_line(struct cursor *cur, struct nat_config *config,
		      struct vec *warnings, struct assignment *as)
{
	int rc;

	skip_blanks(cur);
	if (!at_line_end(cur) && peek(cur) != '#') {
		rc = read_key(cur, as);
		if (rc == 1)
			return parse_command(cur, config, warnings, as);
		while (rc == 0) {
			rc = read_value(cur, as);
			if (rc == 0)
				rc = check_next_word(cur, as);
			if (rc == 0)
				rc = apply_assignment(cur, as, config, warnings);
			if (rc < 0)
				return rc;
			skip_blanks(cur);
			if (at_line_end(cur) || peek(cur) == '#')
				break;
			rc = read_key(cur, as); /* check_next_word saw NAME= */
		}
		if (rc < 0)
			return rc;
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
