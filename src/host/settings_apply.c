#include "host/settings_apply.h"

#include <errno.h>
#include <net/if.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/natec2.h"
#include "cmd/natplan.h"
#include "host/fsroot.h"
#include "host/natapply.h"
#include "host/netproxy.h"
#include "host/nft.h"
#include "render/host_nft.h"
#include "util/strbuf.h"

#define MODPROBE_PATH "/etc/modprobe.d/bulwark.conf"
#define MODPROBE_MAX_BYTES ((size_t)256 * 1024)
#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
#define HOST_TABLE "bulwark_host"
#define HOST_TABLE_DELETE "add table inet " HOST_TABLE "\ndelete table inet " HOST_TABLE "\n"
#define NAT_TABLE "bulwark_nat"
#define NAT_TABLE_DELETE "add table inet " NAT_TABLE "\ndelete table inet " NAT_TABLE "\n"
#define DEFAULT_NAT_STATE_DIR "/run/bulwark"

/* The parts of saved, one object each. */
#define SAVED_SYSCTL "sysctl"        /* {"net.ipv4.ip_forward": "0", …} */
#define SAVED_MODPROBE "modprobe"    /* {"content": text or null (no file)} */
#define SAVED_HOST_FW "host_firewall" /* {"table": text or null (no table)} */
#define SAVED_NAT "nat"              /* {"table": text or null (nat was down)} */

static const char *root_of(const struct settings_host *host)
{
	return host->root ? host->root : "";
}

static const char *nat_dir_of(const struct settings_host *host)
{
	return host->nat_state_dir ? host->nat_state_dir : DEFAULT_NAT_STATE_DIR;
}

/* Prefixes err's message with the settings key that asked. */
static int keyed(struct bw_err *err, int rc, const char *key)
{
	char inner[sizeof(err->msg)];
	bool is_input = err->is_input;

	/* An error that already names a settings key keeps its own words. */
	if (strncmp(err->msg, "settings.", 9) == 0)
		return rc;
	snprintf(inner, sizeof(inner), "%s", err->msg);
	bw_errf(err, rc, "%s: %s", key, inner);
	err->is_input = is_input;
	return rc;
}

static int oom(struct bw_err *err)
{
	return bw_errf(err, -ENOMEM, "out of memory");
}

/* saved[name], an object, created when missing. NULL when saved holds
 * something else there (a damaged record) or out of memory. */
static json_t *saved_part(json_t *saved, const char *name, struct bw_err *err)
{
	json_t *part = json_object_get(saved, name);

	if (json_is_object(part))
		return part;
	if (part) {
		bw_errf(err, -EINVAL, "saved settings state: \"%s\" is not an object", name);
		return NULL;
	}
	part = json_object();
	if (!part || json_object_set_new(saved, name, part) < 0) {
		oom(err);
		return NULL;
	}
	return part;
}

static int check_saved(const json_t *saved, struct bw_err *err)
{
	if (!json_is_object(saved))
		return bw_errf(err, -EINVAL, "saved settings state is not a JSON object");
	return 0;
}

/* ---- sysctls ---- */

/* /proc/sys/<name>: dots are separators, as sysctl(8) reads them, unless
 * the name holds a slash (then slashes are, and dots are literal, for
 * interface names such as eth0.100). No empty, "." or ".." component. */
static int sysctl_path(const char *name, char *out, size_t out_size)
{
	char sep = strchr(name, '/') ? '/' : '.';
	size_t n = strlen(name);
	size_t at = strlen("/proc/sys/");
	const char *component = name;

	if (n == 0 || at + n + 1 > out_size)
		return -EINVAL;
	snprintf(out, out_size, "/proc/sys/");
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];

		if (c == sep || c == '\0') {
			size_t len = (size_t)(name + i - component);

			if (len == 0 || (len == 1 && component[0] == '.') ||
			    (len == 2 && component[0] == '.' && component[1] == '.'))
				return -EINVAL;
			component = name + i + 1;
			out[at + i] = c == '\0' ? '\0' : '/';
			continue;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return -EINVAL;
		out[at + i] = c;
	}
	return 0;
}

static void sysctl_key(const struct settings_sysctl *s, char *out, size_t out_size)
{
	if (s->key[0])
		snprintf(out, out_size, "%s", s->key);
	else
		snprintf(out, out_size, "settings.kernel.sysctl.\"%s\"", s->name);
}

static int sysctl_read(const char *root, const char *name, const char *key, char *value,
		       size_t value_size, struct bw_err *err)
{
	char path[PATH_MAX];
	int rc;

	if (sysctl_path(name, path, sizeof(path)) < 0) {
		bw_errf(err, -EINVAL, "%s: '%s' is not a sysctl name", key, name);
		return -EINVAL;
	}
	rc = fsroot_read(root, path, value, value_size, err);
	return rc < 0 ? keyed(err, rc, key) : 0;
}

static int sysctl_write(const char *root, const char *name, const char *key,
			const char *value, struct bw_err *err)
{
	char path[PATH_MAX];
	int rc;

	if (sysctl_path(name, path, sizeof(path)) < 0) {
		bw_errf(err, -EINVAL, "%s: '%s' is not a sysctl name", key, name);
		return -EINVAL;
	}
	rc = fsroot_write_knob(root, path, value, err);
	return rc < 0 ? keyed(err, rc, key) : 0;
}

/* Whether two sysctl values say the same: /proc/sys prints several
 * numbers separated by tabs where a writer gives spaces. */
static bool same_value(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t' || *a == '\n')
			a++;
		while (*b == ' ' || *b == '\t' || *b == '\n')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		while (*a && *a == *b && *a != ' ' && *a != '\t' && *a != '\n') {
			a++;
			b++;
		}
		if ((*a == ' ' || *a == '\t' || *a == '\n' || !*a) !=
		    (*b == ' ' || *b == '\t' || *b == '\n' || !*b))
			return false;
		if (*a && *a != ' ' && *a != '\t' && *a != '\n')
			return false;
	}
}

/* Writes value unless the knob already holds it: a knob the kernel
 * refuses to write (or one that must not be rewritten) that already says
 * what is wanted is no error, so converging back never trips on it. */
static int sysctl_put(const char *root, const char *name, const char *key, const char *value,
		      struct bw_err *err)
{
	char now[4096];

	if (sysctl_read(root, name, key, now, sizeof(now), err) == 0 && same_value(now, value))
		return 0;
	return sysctl_write(root, name, key, value, err);
}

static int sysctls_save(const char *root, const struct settings_plan *target, json_t *saved,
			bool is_way_back, struct bw_err *err)
{
	json_t *part = saved_part(saved, SAVED_SYSCTL, err);

	if (!part)
		return -EINVAL;
	for (size_t i = 0; i < target->sysctls.len; i++) {
		const struct settings_sysctl *s = VEC_AT(&target->sysctls, struct settings_sysctl, i);
		char key[SETTINGS_KEY_MAX], value[4096];
		int rc;

		if (json_object_get(part, s->name))
			continue;
		sysctl_key(s, key, sizeof(key));
		rc = sysctl_read(root, s->name, key, value, sizeof(value), err);
		/* The way back to settings this host cannot apply: a knob it
		 * lacks has nothing to put back. */
		if (rc == -ENOENT && is_way_back)
			continue;
		if (rc < 0)
			return rc;
		if (json_object_set_new(part, s->name, json_string(value)) < 0)
			return oom(err);
	}
	return 0;
}

static const struct settings_sysctl *find_sysctl(const struct settings_plan *plan,
						 const char *name)
{
	for (size_t i = 0; i < plan->sysctls.len; i++)
		if (strcmp(VEC_AT(&plan->sysctls, struct settings_sysctl, i)->name, name) == 0)
			return VEC_AT(&plan->sysctls, struct settings_sysctl, i);
	return NULL;
}

static void keep_first(int step_rc, struct bw_err *step, int *rc, struct bw_err *err);

static int sysctls_converge(const char *root, const struct settings_plan *target,
			    json_t *saved, struct bw_err *err)
{
	struct bw_err one = { 0 };
	json_t *part, *value;
	const char *name;
	void *tmp;
	/* A knob this host lacks is passed over here and fails below, named,
	 * without keeping the others from their values. */
	int rc = sysctls_save(root, target, saved, true, err), first = 0;

	if (rc < 0)
		return rc;
	part = json_object_get(saved, SAVED_SYSCTL);
	for (size_t i = 0; i < target->sysctls.len; i++) {
		const struct settings_sysctl *s = VEC_AT(&target->sysctls, struct settings_sysctl, i);
		char key[SETTINGS_KEY_MAX];

		sysctl_key(s, key, sizeof(key));
		keep_first(sysctl_put(root, s->name, key, s->value, &one), &one, &first, err);
	}
	if (first < 0)
		return first;
	if (!part)
		return 0;
	json_object_foreach_safe(part, tmp, name, value) {
		char key[SETTINGS_KEY_MAX];

		if (find_sysctl(target, name))
			continue;
		snprintf(key, sizeof(key), "settings.kernel.sysctl.\"%s\"", name);
		if (!json_is_string(value))
			return bw_errf(err, -EINVAL, "%s: the saved value is not a string", key);
		rc = sysctl_put(root, name, key, json_string_value(value), err);
		if (rc < 0)
			return rc;
		json_object_del(part, name);
	}
	if (json_object_size(part) == 0)
		json_object_del(saved, SAVED_SYSCTL);
	return 0;
}

/* ---- modules ---- */

static bool module_name_is_valid(const char *name)
{
	if (!name[0])
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

/* The modprobe.d text for the denied modules; *out NULL when none is.
 * `install <name> /bin/true` makes a load succeed without loading (what
 * the CIS checks look for in `modprobe -n -v`), blacklist keeps udev's
 * alias matching from picking it. */
static int modprobe_render(const struct settings_plan *plan, char **out, struct bw_err *err)
{
	struct strbuf sb = { 0 };
	bool has_any = false;

	*out = NULL;
	for (size_t i = 0; i < plan->modules.len; i++) {
		const struct settings_module *m = VEC_AT(&plan->modules, struct settings_module, i);

		if (m->is_allowed)
			continue;
		if (!module_name_is_valid(m->name)) {
			strbuf_free(&sb);
			return bw_errf(err, -EINVAL, "%s: '%s' is not a kernel module name",
				       m->key[0] ? m->key : "settings.kernel.modules", m->name);
		}
		if (!has_any)
			strbuf_addf(&sb, "# Written by bulwark from settings.kernel.modules; "
					 "bulwark replaces this file.\n");
		has_any = true;
		strbuf_addf(&sb, "install %s /bin/true\nblacklist %s\n", m->name, m->name);
	}
	if (!has_any) {
		strbuf_free(&sb);
		return 0;
	}
	*out = strbuf_take(&sb);
	return *out ? 0 : oom(err);
}

/* The file's text, or NULL when there is none. */
static int modprobe_read(const char *root, char **out, struct bw_err *err)
{
	char full[PATH_MAX];
	size_t len;

	*out = NULL;
	if (!fsroot_exists(root, MODPROBE_PATH))
		return 0;
	if (fsroot_path(root, MODPROBE_PATH, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%s" MODPROBE_PATH ": path too long", root);
	return fsroot_slurp(full, MODPROBE_MAX_BYTES, out, &len, err);
}

/* Puts the file as text says (NULL: no file), unless it already is. */
static int modprobe_put(const char *root, const char *text, struct bw_err *err)
{
	char *now = NULL;
	int rc = modprobe_read(root, &now, err);

	if (rc < 0)
		return rc;
	if (!text)
		rc = now ? fsroot_remove(root, MODPROBE_PATH, err) : 0;
	else if (!now || strcmp(now, text) != 0)
		rc = fsroot_replace(root, MODPROBE_PATH, text, err);
	free(now);
	return rc;
}

static int modprobe_save(const char *root, const char *wanted, json_t *saved,
			 struct bw_err *err)
{
	char *now = NULL;
	json_t *part;
	int rc;

	if (!wanted || json_object_get(saved, SAVED_MODPROBE))
		return 0;
	rc = modprobe_read(root, &now, err);
	if (rc < 0)
		return keyed(err, rc, "settings.kernel.modules");
	part = json_pack("{s:s?}", "content", now);
	free(now);
	if (!part || json_object_set_new(saved, SAVED_MODPROBE, part) < 0)
		return oom(err);
	return 0;
}

static int modules_converge(const char *root, const struct settings_plan *target,
			    json_t *saved, struct bw_err *err)
{
	char *wanted = NULL;
	json_t *part, *content;
	int rc = modprobe_render(target, &wanted, err);

	if (rc == 0)
		rc = modprobe_save(root, wanted, saved, err);
	if (rc < 0)
		goto out;
	if (wanted) {
		rc = modprobe_put(root, wanted, err);
		if (rc < 0)
			keyed(err, rc, "settings.kernel.modules");
		goto out;
	}
	part = json_object_get(saved, SAVED_MODPROBE);
	if (!part)
		goto out;
	content = json_object_get(part, "content");
	if (!json_is_string(content) && !json_is_null(content)) {
		rc = bw_errf(err, -EINVAL, "saved settings state: modprobe content is not text");
		goto out;
	}
	rc = modprobe_put(root, json_string_value(content), err);
	if (rc < 0)
		keyed(err, rc, "settings.kernel.modules");
	else
		json_object_del(saved, SAVED_MODPROBE);
out:
	free(wanted);
	return rc;
}

/* ---- nftables tables (host firewall, NAT) ---- */

/* Records {"table": text or null} under saved[part_name] unless held. */
static int table_save(const char *table, const char *part_name, const char *key,
		      json_t *saved, struct bw_err *err)
{
	char *text = NULL;
	json_t *part;
	int rc;

	if (json_object_get(saved, part_name))
		return 0;
	rc = nft_list_table_text("inet", table, &text, err);
	if (rc < 0)
		return keyed(err, rc, key);
	part = json_pack("{s:s?}", "table", text);
	free(text);
	if (!part || json_object_set_new(saved, part_name, part) < 0)
		return oom(err);
	return 0;
}

/* The saved table text; *text NULL when there was no table. */
static int saved_table(const json_t *saved, const char *part_name, bool *is_held,
		       const char **text, struct bw_err *err)
{
	json_t *part = json_object_get(saved, part_name);
	json_t *table = json_object_get(part, "table");

	*is_held = part != NULL;
	*text = NULL;
	if (!part)
		return 0;
	if (!json_is_string(table) && !json_is_null(table))
		return bw_errf(err, -EINVAL, "saved settings state: %s table is not text",
			       part_name);
	*text = json_string_value(table);
	return 0;
}

/* Replaces the table with text, or deletes it (text NULL). */
static int table_put_back(const char *delete_cmd, const char *text, struct bw_err *err)
{
	char *cmd;
	int rc;

	if (!text)
		return nft_apply(delete_cmd, false, err);
	if (asprintf(&cmd, "%s%s", delete_cmd, text) < 0)
		return oom(err);
	rc = nft_apply(cmd, false, err);
	free(cmd);
	return rc;
}

static int host_fw_converge(const struct settings_plan *target, json_t *saved,
			    struct bw_err *err)
{
	static const char key[] = "settings.firewall.host";
	const char *text;
	bool is_held;
	int rc;

	if (target->host_fw.is_enabled) {
		struct strbuf sb = { 0 };
		char *ruleset;

		rc = table_save(HOST_TABLE, SAVED_HOST_FW, key, saved, err);
		if (rc < 0)
			return rc;
		host_nft_render(&target->host_fw, &sb);
		ruleset = strbuf_take(&sb);
		if (!ruleset)
			return oom(err);
		rc = nft_apply(ruleset, false, err);
		free(ruleset);
		return rc < 0 ? keyed(err, rc, key) : 0;
	}
	rc = saved_table(saved, SAVED_HOST_FW, &is_held, &text, err);
	if (rc < 0 || !is_held)
		return rc;
	rc = table_put_back(HOST_TABLE_DELETE, text, err);
	if (rc < 0)
		return keyed(err, rc, key);
	json_object_del(saved, SAVED_HOST_FW);
	return 0;
}

/* The EC2 steps (ENI, EIP, the CloudWatch agent) belong to `nat up` for
 * now: through settings they would be silently skipped, so they are refused. */
/* Whether the EC2 record under dir says the EC2 steps config asks for
 * are done: the same ENI (its link still here) and Elastic IP, the agent
 * started when asked. */
static bool is_ec2_done(const char *root, const char *dir, const struct nat_config *config)
{
	json_t *rec = natec2_load(root, dir);
	const char *eni = json_string_value(json_object_get(rec, "eni_id"));
	const char *link = json_string_value(json_object_get(rec, "eni_link"));
	const char *eip = json_string_value(json_object_get(rec, "eip_id"));
	const char *agent = json_string_value(json_object_get(rec, "cwagent"));
	bool is_done = rec && strcmp(eni ? eni : "", config->eni_id) == 0 &&
		       strcmp(eip ? eip : "", config->eip_id) == 0 &&
		       (!config->eni_id[0] || (link && if_nametoindex(link) != 0)) &&
		       (!config->cwagent_enabled || (agent && agent[0]));

	json_decref(rec);
	return is_done;
}

/* NAT as `nat up` brings it up, the EC2 steps included (ENI, EIP,
 * CloudWatch agent), once for each change of them: every converge (each
 * commit, a retry at start) must not take an Elastic IP back from the
 * instance that took over, nor restart the agent. They cannot be taken
 * back (another instance may own the ENI by then); a failure after them
 * names them. */
static int nat_up(const char *root, const struct settings_host *host,
		  const struct settings_plan *target, struct bw_err *err)
{
	struct natplan_request request = { .config = &target->nat };
	struct natec2_result ec2 = { 0 };
	struct natapply_result result;
	struct nat_plan plan;
	bool is_ec2 = natec2_is_wanted(&target->nat);
	bool is_ec2_new = is_ec2 && !is_ec2_done(root, nat_dir_of(host), &target->nat);
	int rc;

	natplan_init(&plan);
	rc = natplan_build_for(root, &request, &plan, err);
	if (rc == 0)
		rc = nft_apply(plan.ruleset, true, err);
	if (rc == 0 && is_ec2_new)
		rc = natec2_prepare(root, &request, &plan, &ec2, err);
	/* Done before: the plan as natec2_prepare left it then. */
	else if (rc == 0 && is_ec2 && target->nat.eni_id[0])
		rc = natec2_rp_filter_knobs(root, &plan.knobs, err);
	if (rc == 0) {
		rc = natapply_up(root, nat_dir_of(host), &plan, &result, err);
		natapply_result_free(&result);
	}
	if (rc == 0 && is_ec2_new) {
		natec2_cwagent(root, &target->nat, &ec2);
		rc = natec2_save(root, nat_dir_of(host), &ec2, err);
	}
	/* Without EC2 keys the last EC2 record is stale, as after `nat up`
	 * with a file without them; a later EC2 key then does its steps. */
	if (rc == 0 && !is_ec2)
		rc = natec2_forget(root, nat_dir_of(host), err);
	if (rc < 0)
		natec2_name_done(&ec2, err);
	natplan_free(&plan);
	return rc;
}

static int nat_converge(const char *root, const struct settings_host *host,
			const struct settings_plan *target, json_t *saved, struct bw_err *err)
{
	static const char key[] = "settings.nat";
	struct natapply_result result = { 0 };
	const char *text;
	bool is_held;
	int rc;

	if (target->has_nat) {
		rc = table_save(NAT_TABLE, SAVED_NAT, key, saved, err);
		if (rc == 0)
			rc = nat_up(root, host, target, err);
		return rc < 0 ? keyed(err, rc, key) : 0;
	}
	rc = saved_table(saved, SAVED_NAT, &is_held, &text, err);
	if (rc < 0 || !is_held)
		return rc;
	/* NAT was down before the settings brought it up: down again, every
	 * knob back. It was up (`nat up` from a file): its table back; the
	 * knobs keep what the settings' NAT wrote, under nat's own record. */
	rc = text ? table_put_back(NAT_TABLE_DELETE, text, err) :
		    natapply_down(root, nat_dir_of(host), &result, err);
	natapply_result_free(&result);
	/* Down: its EC2 record goes (the ENI and EIP stay where they are). */
	if (rc == 0 && !text)
		rc = natec2_forget(root, nat_dir_of(host), err);
	if (rc < 0)
		return keyed(err, rc, key);
	json_object_del(saved, SAVED_NAT);
	return 0;
}

/* ---- lockdown ---- */

static const char *const lockdown_words[] = {
	[SETTINGS_LOCKDOWN_NONE] = "none",
	[SETTINGS_LOCKDOWN_INTEGRITY] = "integrity",
	[SETTINGS_LOCKDOWN_CONFIDENTIALITY] = "confidentiality",
};

/* The kernel shows every level, the one in force in brackets:
 * "none [integrity] confidentiality". */
static enum settings_lockdown lockdown_parse(const char *text)
{
	const char *open = strchr(text, '[');
	const char *close = open ? strchr(open, ']') : NULL;

	if (!close)
		return SETTINGS_LOCKDOWN_UNSET;
	for (int level = SETTINGS_LOCKDOWN_NONE; level <= SETTINGS_LOCKDOWN_CONFIDENTIALITY;
	     level++)
		if ((size_t)(close - open - 1) == strlen(lockdown_words[level]) &&
		    strncmp(open + 1, lockdown_words[level], (size_t)(close - open - 1)) == 0)
			return (enum settings_lockdown)level;
	return SETTINGS_LOCKDOWN_UNSET;
}

static int lockdown_converge(const char *root, const struct settings_plan *target,
			     struct bw_err *err)
{
	const char *key = target->lockdown_key[0] ? target->lockdown_key :
						    "settings.kernel.lockdown";
	enum settings_lockdown want = target->lockdown, now;
	char text[128];
	int rc;

	if (want == SETTINGS_LOCKDOWN_UNSET)
		return 0;
	if (!fsroot_exists(root, LOCKDOWN_PATH)) {
		if (want == SETTINGS_LOCKDOWN_NONE)
			return 0;
		return bw_errf(err, -ENOTSUP,
			       "%s: this kernel has no lockdown (%s is missing): cannot set %s",
			       key, LOCKDOWN_PATH, lockdown_words[want]);
	}
	rc = fsroot_read(root, LOCKDOWN_PATH, text, sizeof(text), err);
	if (rc < 0)
		return keyed(err, rc, key);
	now = lockdown_parse(text);
	if (now == SETTINGS_LOCKDOWN_UNSET)
		return bw_errf(err, -EIO, "%s: cannot tell the level from %s: '%s'", key,
			       LOCKDOWN_PATH, text);
	if (want == now)
		return 0;
	if (want < now && target->is_lockdown_for_next_boot)
		return 0;
	if (want < now)
		return bw_errf(err, -EPERM,
			       "%s: the kernel is locked down to %s and can only be raised; "
			       "lowering it to %s needs a reboot",
			       key, lockdown_words[now], lockdown_words[want]);
	rc = fsroot_write_knob(root, LOCKDOWN_PATH, lockdown_words[want], err);
	return rc < 0 ? keyed(err, rc, key) : 0;
}

/* ---- the contract ---- */

static int prepare(const struct settings_host *host, const struct settings_plan *target,
		   json_t *saved, bool is_way_back, struct bw_err *err)
{
	const char *root = root_of(host);
	char *wanted = NULL;
	int rc = check_saved(saved, err);

	if (rc == 0)
		rc = modprobe_render(target, &wanted, err);
	if (rc == 0)
		rc = modprobe_save(root, wanted, saved, err);
	free(wanted);
	if (rc == 0)
		rc = sysctls_save(root, target, saved, is_way_back, err);
	if (rc == 0 && target->host_fw.is_enabled)
		rc = table_save(HOST_TABLE, SAVED_HOST_FW, "settings.firewall.host", saved, err);
	if (rc == 0 && target->has_nat)
		rc = table_save(NAT_TABLE, SAVED_NAT, "settings.nat", saved, err);
	return rc;
}

int settings_host_prepare(const struct settings_host *host, const struct settings_plan *target,
			  json_t *saved, struct bw_err *err)
{
	return prepare(host, target, saved, false, err);
}

int settings_host_prepare_way_back(const struct settings_host *host,
				   const struct settings_plan *live, json_t *saved,
				   struct bw_err *err)
{
	return prepare(host, live, saved, true, err);
}

/* The proxy record is bulwark's own and wholly the plan's: nothing to save.
 * This process's own HTTP (the EC2 steps of NAT) follows it at once. */
static int proxy_converge(const char *root, const struct settings_plan *target,
			  struct bw_err *err)
{
	int rc = netproxy_write(root, target->https_proxy, target->no_proxy, err);

	if (rc == 0)
		rc = netproxy_load(root, err);
	return rc < 0 ? keyed(err, rc, "settings.network.https-proxy") : 0;
}

/* Keeps the first failure of a run of steps in rc and err. */
static void keep_first(int step_rc, struct bw_err *step, int *rc, struct bw_err *err)
{
	if (step_rc < 0 && *rc == 0) {
		*rc = step_rc;
		*err = *step;
	}
	memset(step, 0, sizeof(*step));
}

int settings_host_converge(const struct settings_host *host, const struct settings_plan *target,
			   json_t *saved, bool is_committed, struct bw_err *err)
{
	const char *root = root_of(host);
	struct bw_err step = { 0 };
	int rc = check_saved(saved, err);

	if (rc < 0)
		return rc;
	/* Every step runs even after one fails (each is idempotent): a sysctl
	 * the host refuses at boot must not leave it without its firewall.
	 * The first failure is the answer. */
	keep_first(modules_converge(root, target, saved, &step), &step, &rc, err);
	keep_first(sysctls_converge(root, target, saved, &step), &step, &rc, err);
	keep_first(host_fw_converge(target, saved, &step), &step, &rc, err);
	/* The proxy first: NAT's EC2 calls go through the one asked for. */
	keep_first(proxy_converge(root, target, &step), &step, &rc, err);
	keep_first(nat_converge(root, host, target, saved, &step), &step, &rc, err);
	/* Lockdown cannot be lowered again: a change on trial that failed
	 * elsewhere (and is about to be converged back) must not raise it.
	 * The committed settings are not converged back from: a boot where a
	 * sysctl fails still gets the lockdown they ask for. */
	if (rc == 0 || is_committed)
		keep_first(lockdown_converge(root, target, &step), &step, &rc, err);
	return rc;
}

/* Module names treat '-' and '_' alike; /proc/modules prints '_'. */
static bool same_module(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x == '-')
			x = '_';
		if (y == '-')
			y = '_';

		if (x != y || !x)
			return false;
	}
	return true;
}

int settings_host_loaded_denied(const struct settings_host *host,
				const struct settings_plan *target, struct strbuf *names,
				struct bw_err *err)
{
	char full[PATH_MAX];
	char *text = NULL;
	size_t len;
	int rc;

	if (!fsroot_exists(root_of(host), "/proc/modules"))
		return 0;
	if (fsroot_path(root_of(host), "/proc/modules", full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "/proc/modules: path too long");
	rc = fsroot_slurp(full, (size_t)4 * 1024 * 1024, &text, &len, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < target->modules.len; i++) {
		const struct settings_module *m = VEC_AT(&target->modules, struct settings_module, i);
		size_t n = strlen(m->name);

		if (m->is_allowed || n == 0)
			continue;
		/* Each line starts with the module's name and a space. */
		for (const char *line = text; line && *line;
		     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			if (same_module(line, m->name, n) && line[n] == ' ') {
				strbuf_addf(names, "%s%s", names->len ? "," : "", m->name);
				break;
			}
		}
	}
	free(text);
	return names->failed ? oom(err) : 0;
}
