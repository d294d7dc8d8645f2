/* bw-settings-converge: drives settings_host_prepare/converge for the netns
 * tests, with a plan given word by word (the settings tree is not its job).
 *
 *   bw-settings-converge ROOT SAVED_FILE [WORD...]
 *     sysctl:NAME=VALUE   module:NAME (denied)   lockdown:none|integrity|confidentiality
 *     fw  fw-tcp:PORT  fw-udp:PORT  fw-icmp  fw-no-outbound  fw-forward
 *     nat:IFACE   nat-state-dir:DIR
 *
 * Records into SAVED_FILE before converging, as the datastore's journal
 * does; with no words it converges to the empty plan (everything back). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "host/fsroot.h"
#include "host/settings_apply.h"

void cmd_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bw-settings-converge: note: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cmd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bw-settings-converge: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int by_sysctl_name(const void *a, const void *b)
{
	return strcmp(((const struct settings_sysctl *)a)->name,
		      ((const struct settings_sysctl *)b)->name);
}

static int by_module_name(const void *a, const void *b)
{
	return strcmp(((const struct settings_module *)a)->name,
		      ((const struct settings_module *)b)->name);
}

static int by_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int add_word(struct settings_plan *plan, const char *word, const char **nat_dir)
{
	const char *v = strchr(word, ':') ? strchr(word, ':') + 1 : "";

	if (strncmp(word, "sysctl:", 7) == 0 && strchr(v, '=')) {
		struct settings_sysctl s = { 0 };

		snprintf(s.name, sizeof(s.name), "%.*s", (int)(strchr(v, '=') - v), v);
		snprintf(s.value, sizeof(s.value), "%s", strchr(v, '=') + 1);
		snprintf(s.key, sizeof(s.key), "settings.kernel.sysctl.\"%s\"", s.name);
		return vec_push(&plan->sysctls, &s);
	}
	if (strncmp(word, "module:", 7) == 0) {
		struct settings_module m = { .is_allowed = false };

		snprintf(m.name, sizeof(m.name), "%s", v);
		snprintf(m.key, sizeof(m.key), "settings.kernel.modules.\"%s\".allowed", v);
		return vec_push(&plan->modules, &m);
	}
	if (strncmp(word, "lockdown:", 9) == 0) {
		plan->lockdown = strcmp(v, "none") == 0 ? SETTINGS_LOCKDOWN_NONE :
				 strcmp(v, "integrity") == 0 ? SETTINGS_LOCKDOWN_INTEGRITY :
							       SETTINGS_LOCKDOWN_CONFIDENTIALITY;
		snprintf(plan->lockdown_key, sizeof(plan->lockdown_key), "settings.kernel.lockdown");
		return 0;
	}
	if (strcmp(word, "fw") == 0) {
		plan->host_fw.is_enabled = true;
		return 0;
	}
	if (strncmp(word, "fw-tcp:", 7) == 0 || strncmp(word, "fw-udp:", 7) == 0) {
		uint16_t port = (uint16_t)atoi(v);

		return vec_push(word[3] == 't' ? &plan->host_fw.tcp_ports : &plan->host_fw.udp_ports,
				&port);
	}
	if (strcmp(word, "fw-icmp") == 0) {
		plan->host_fw.is_icmp_allowed = true;
		return 0;
	}
	if (strcmp(word, "fw-no-outbound") == 0) {
		plan->host_fw.is_outbound_allowed = false;
		return 0;
	}
	if (strcmp(word, "fw-forward") == 0) {
		plan->host_fw.is_forward_allowed = true;
		return 0;
	}
	if (strncmp(word, "nat:", 4) == 0) {
		plan->has_nat = true;
		snprintf(plan->nat.interface, sizeof(plan->nat.interface), "%s", v);
		return 0;
	}
	if (strncmp(word, "nat-state-dir:", 14) == 0) {
		*nat_dir = v;
		return 0;
	}
	return -EINVAL;
}

static int save(const char *path, json_t *saved, struct bw_err *err)
{
	return fsroot_replace_json("", path, json_incref(saved), JSON_SORT_KEYS, err);
}

int main(int argc, char **argv)
{
	struct settings_plan plan;
	struct settings_host host = { .nat_state_dir = "/run/bulwark" };
	struct bw_err err = { 0 };
	json_error_t jerr;
	json_t *saved;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bw-settings-converge ROOT SAVED_FILE [WORD...]\n");
		return 2;
	}
	memset(&plan, 0, sizeof(plan));
	plan.sysctls = (struct vec)VEC_INIT(struct settings_sysctl);
	plan.modules = (struct vec)VEC_INIT(struct settings_module);
	plan.host_fw.tcp_ports = (struct vec)VEC_INIT(uint16_t);
	plan.host_fw.udp_ports = (struct vec)VEC_INIT(uint16_t);
	plan.host_fw.is_outbound_allowed = true;
	nat_config_init(&plan.nat);
	host.root = argv[1];
	for (int i = 3; i < argc; i++)
		if (add_word(&plan, argv[i], &host.nat_state_dir) < 0) {
			fprintf(stderr, "bw-settings-converge: bad word '%s'\n", argv[i]);
			return 2;
		}
	qsort(plan.sysctls.items, plan.sysctls.len, sizeof(struct settings_sysctl), by_sysctl_name);
	qsort(plan.modules.items, plan.modules.len, sizeof(struct settings_module), by_module_name);
	qsort(plan.host_fw.tcp_ports.items, plan.host_fw.tcp_ports.len, sizeof(uint16_t), by_port);
	qsort(plan.host_fw.udp_ports.items, plan.host_fw.udp_ports.len, sizeof(uint16_t), by_port);

	saved = fsroot_exists("", argv[2]) ? json_load_file(argv[2], 0, &jerr) : json_object();
	if (!saved) {
		fprintf(stderr, "bw-settings-converge: %s: %s\n", argv[2], jerr.text);
		return 1;
	}
	rc = settings_host_prepare(&host, &plan, saved, &err) ?: save(argv[2], saved, &err) ?:
	     settings_host_converge(&host, &plan, saved, false, &err);
	/* What converge did is recorded even when it failed part-way. */
	if (save(argv[2], saved, rc < 0 ? &(struct bw_err){ 0 } : &err) < 0 && rc == 0)
		rc = -EIO;
	if (rc < 0)
		fprintf(stderr, "bw-settings-converge: %s\n", err.msg);
	json_decref(saved);
	vec_free(&plan.sysctls);
	vec_free(&plan.modules);
	vec_free(&plan.host_fw.tcp_ports);
	vec_free(&plan.host_fw.udp_ports);
	nat_config_free(&plan.nat);
	return rc < 0 ? 1 : 0;
}
