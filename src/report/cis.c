/* CIS Bottlerocket Benchmark v1.0.0: the 28 checks bloodhound runs
 * (bottlerocket-cis-checks), each judged from the host under root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fsroot.h"
#include "host/hostread.h"
#include "report/checks.h"
#include "report/parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const modprobe_dirs[] = { "/etc/modprobe.d", "/run/modprobe.d",
					     "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
					     "/lib/modprobe.d" };

struct conf_file {
	char name[256];
	char path[512];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

/* The drop-ins of dirs (each a host folder, in priority order) ending in
 * suffix, in name order across the folders; a file in an earlier folder
 * hides one named alike in a later folder (as systemd and modprobe read
 * their configuration). A vec of struct conf_file. */
static int conf_dropins(const char *root, const char *const *dirs, size_t n_dirs,
			const char *suffix, struct vec *files, struct bw_err *err)
{
	int rc = 0;

	for (size_t d = 0; d < n_dirs && rc == 0; d++) {
		struct vec names = VEC_INIT(struct hostread_name);

		rc = hostread_list(root, dirs[d], suffix, &names, err);
		for (size_t i = 0; rc == 0 && i < names.len; i++) {
			struct conf_file f = { 0 };
			bool is_hidden = false;

			snprintf(f.name, sizeof(f.name), "%s", VEC_AT(&names, struct hostread_name, i)->s);
			for (size_t k = 0; k < files->len; k++)
				is_hidden |= strcmp(VEC_AT(files, struct conf_file, k)->name, f.name) == 0;
			if (is_hidden)
				continue;
			snprintf(f.path, sizeof(f.path), "%s/%s", dirs[d], f.name);
			if (vec_push(files, &f) < 0)
				rc = bw_errf(err, -ENOMEM, "out of memory");
		}
		vec_free(&names);
	}
	if (rc == 0 && files->len > 1)
		qsort(files->items, files->len, files->item_size, by_name);
	return rc;
}

/* The install command modprobe would run for module: the files are read in
 * name order across the folders, and the first install line counts. */
static int modprobe_install(const char *root, const char *module, char *cmd, size_t size,
			    struct bw_err *err)
{
	struct vec files = VEC_INIT(struct conf_file);
	int rc;

	cmd[0] = '\0';
	rc = conf_dropins(root, modprobe_dirs, N(modprobe_dirs), ".conf", &files, err);
	for (size_t i = 0; rc == 0 && i < files.len && !cmd[0]; i++) {
		char *text = NULL;

		rc = hostread_file(root, VEC_AT(&files, struct conf_file, i)->path, 1u << 20, &text, err);
		if (rc == 0)
			modprobe_find_install(text, module, cmd, size);
		free(text);
	}
	vec_free(&files);
	return rc;
}

static void judge_module_disabled(const struct check_host *host, const char *module,
				  struct check_result *res)
{
	char cmd[512];
	struct bw_err err;
	bool is_loaded;

	check_fix(res, "bulwark set 'settings.kernel.modules.\"%s\".allowed=false'", module);
	if (hostread_module_loaded(host->root, module, &is_loaded, &err) < 0) {
		res->fix[0] = '\0';
		check_skip(res, "unable to read /proc/modules to check for %s: %s", module, check_why(host, &err));
		return;
	}
	if (is_loaded) {
		check_fail(res, "%s is currently loaded", module);
		return;
	}
	if (modprobe_install(host->root, module, cmd, sizeof(cmd), &err) < 0) {
		res->fix[0] = '\0';
		check_skip(res, "unable to read modprobe configuration to check if %s is enabled: %s",
			   module, check_why(host, &err));
		return;
	}
	if (!modprobe_is_disabling(cmd)) {
		check_fail(res, "modprobe for %s is not disabled%s%s", module,
			   cmd[0] ? ": install " : "", cmd);
		return;
	}
	res->fix[0] = '\0';
	check_pass(res);
}

/* Whether the file holds every string of needles (anywhere). 1 yes, 0 no,
 * -1 unreadable (why in err). */
static int file_has_all(const char *root, const char *path, const char *const *needles,
			size_t n, struct bw_err *err)
{
	char *text = NULL;
	int found = 1;

	if (hostread_file(root, path, 1u << 20, &text, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strstr(text, needles[i]))
			found = 0;
	free(text);
	return found;
}

static void br01010101(const struct check_host *host, struct check_result *res)
{
	judge_module_disabled(host, "udf", res);
}

static void br01030100(const struct check_host *host, struct check_result *res)
{
	static const char *const want[] = { "dm-mod.create=root,,,ro,0", "root=/dev/dm-0",
					    "restart_on_corruption" };
	struct bw_err err;
	int found = file_has_all(host->root, "/proc/cmdline", want, N(want), &err);

	if (found < 0)
		check_skip(res, "unable to verify cmdline includes dm-verity settings: %s", check_why(host, &err));
	else if (!found)
		check_fail(res, "unable to verify dm-verity enforcement, settings not found");
	else
		check_pass(res);
}

#define SYSCTL_CHECK(fn, value, skip, fail, ...)                                         \
	static void fn(const struct check_host *host, struct check_result *res)          \
	{                                                                                \
		static const char *const names[] = { __VA_ARGS__ };                     \
		judge_sysctls(host, res, names, N(names), value, skip, fail);            \
	}

SYSCTL_CHECK(br01040100, "0", "unable to verify fs.suid_dumpable setting",
	     "setuid core dumps are not disabled", "fs.suid_dumpable")
SYSCTL_CHECK(br01040200, "2", "unable to verify kernel.randomize_va_space setting",
	     "Address space layout randomization is not enabled", "kernel.randomize_va_space")
SYSCTL_CHECK(br01040300, "1", "unable to verify kernel.unprivileged_bpf_disabled setting",
	     "unprivileged eBPF is not disabled", "kernel.unprivileged_bpf_disabled")
SYSCTL_CHECK(br01040400, "0", "unable to verify user.max_user_namespaces setting",
	     "user namespaces are not disabled", "user.max_user_namespaces")
SYSCTL_CHECK(br03010100, "0", "unable to verify redirect settings", "redirects not disabled",
	     "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.default.send_redirects")
SYSCTL_CHECK(br03020100, "0", "unable to verify source route settings",
	     "accept source route not disabled", "net.ipv4.conf.all.accept_source_route",
	     "net.ipv4.conf.default.accept_source_route", "net.ipv6.conf.all.accept_source_route",
	     "net.ipv6.conf.default.accept_source_route")
SYSCTL_CHECK(br03020200, "0", "unable to verify redirect settings",
	     "accept redirects not disabled", "net.ipv4.conf.all.accept_redirects",
	     "net.ipv4.conf.default.accept_redirects", "net.ipv6.conf.all.accept_redirects",
	     "net.ipv6.conf.default.accept_redirects")
SYSCTL_CHECK(br03020300, "0", "unable to verify secure redirect settings",
	     "secure redirects not disabled", "net.ipv4.conf.all.secure_redirects",
	     "net.ipv4.conf.default.secure_redirects")
SYSCTL_CHECK(br03020400, "1", "unable to verify martian packet logging settings",
	     "martian packet logging not enabled", "net.ipv4.conf.all.log_martians",
	     "net.ipv4.conf.default.log_martians")
SYSCTL_CHECK(br03020500, "1", "unable to verify broadcast ICMP requests setting",
	     "broadcast ICMP requests not ignored", "net.ipv4.icmp_echo_ignore_broadcasts")
SYSCTL_CHECK(br03020600, "1", "unable to verify bogus ICMP bogus requests setting",
	     "ignore bogus ICMP requests not ignored", "net.ipv4.icmp_ignore_bogus_error_responses")
SYSCTL_CHECK(br03020700, "1", "unable to verify SYN flood cookie protection setting",
	     "SYN flood cookie protection not enabled", "net.ipv4.tcp_syncookies")

/* SELinux as sestatus reports it, read from selinuxfs and the config:
 * enabled, policy fortified, enforcing now and in the config, MLS on,
 * unknown permissions denied, memory protection checking actual. */
static void br01050100(const struct check_host *host, struct check_result *res)
{
	static const struct {
		const char *path, *want, *what;
	} knobs[] = {
		{ "/sys/fs/selinux/enforce", "1", "current mode is not enforcing" },
		{ "/sys/fs/selinux/mls", "1", "policy MLS status is not enabled" },
		{ "/sys/fs/selinux/deny_unknown", "1", "policy deny_unknown status is not denied" },
		{ "/sys/fs/selinux/checkreqprot", "0", "memory protection checking is not actual" },
	};
	static const char *const config[] = { "SELINUX=enforcing", "SELINUXTYPE=fortified" };
	struct bw_err err;
	char got[64];
	int found;

	if (!fsroot_exists(host->root, "/sys/fs/selinux/enforce")) {
		check_fail(res, "Unable to find expected SELinux values: SELinux is not enabled");
		return;
	}
	for (size_t i = 0; i < N(knobs); i++) {
		if (fsroot_read(host->root, knobs[i].path, got, sizeof(got), &err) < 0) {
			check_skip(res, "unable to verify SELinux settings: %s", check_why(host, &err));
			return;
		}
		if (strcmp(got, knobs[i].want) != 0) {
			check_fail(res, "Unable to find expected SELinux values: %s", knobs[i].what);
			return;
		}
	}
	found = file_has_all(host->root, "/etc/selinux/config", config, N(config), &err);
	if (found < 0)
		check_skip(res, "unable to verify SELinux settings: %s", check_why(host, &err));
	else if (!found)
		check_fail(res, "Unable to find expected SELinux values: /etc/selinux/config is not "
				"enforcing the fortified policy");
	else
		check_pass(res);
}

static void br01050200(const struct check_host *host, struct check_result *res)
{
	char got[256];
	struct bw_err err;

	if (fsroot_read(host->root, "/sys/kernel/security/lockdown", got, sizeof(got), &err) < 0) {
		check_skip(res, "unable to verify lockdown mode: %s", check_why(host, &err));
		return;
	}
	if (strstr(got, "[integrity]")) {
		check_pass(res);
		return;
	}
	check_fail(res, "lockdown integrity mode is not enabled (%s)", got);
	check_fix(res, "bulwark set settings.kernel.lockdown=integrity");
}

/* chrony: a pool configured, and chronyd running (its pid file names a
 * live process called chronyd). */
static void br02010101(const struct check_host *host, struct check_result *res)
{
	static const char *const pool[] = { "pool" };
	char pid[32], path[64], comm[64];
	struct bw_err err;
	int found = file_has_all(host->root, "/etc/chrony.conf", pool, 1, &err);

	if (found < 0) {
		check_skip(res, "unable to verify time-servers setting: %s", check_why(host, &err));
		return;
	}
	if (!found) {
		check_fail(res, "no ntp servers are configured");
		return;
	}
	if (fsroot_read(host->root, "/run/chrony/chronyd.pid", pid, sizeof(pid), &err) < 0 ||
	    strspn(pid, "0123456789") != strlen(pid) || !pid[0]) {
		check_fail(res, "chronyd NTP service is not enabled (no /run/chrony/chronyd.pid)");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if (fsroot_read(host->root, path, comm, sizeof(comm), &err) < 0 ||
	    strcmp(comm, "chronyd") != 0) {
		check_fail(res, "chronyd NTP service is not enabled (pid %s is not chronyd)", pid);
		return;
	}
	check_pass(res);
}

static void judge_firewall_policy(const struct check_host *host, int family,
				  struct check_result *res)
{
	struct nft_verdicts v;
	char missing[128] = "";

	if (!host->ruleset) {
		check_skip(res, "unable to verify nftables settings: %s", host->ruleset_why);
		return;
	}
	nft_judge(host->ruleset, family, &v);
	for (int h = 0; h < 3; h++)
		if (!v.is_drop[h]) {
			size_t n = strlen(missing);

			snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? ", " : "",
				 nft_hook_names[h]);
		}
	if (!missing[0]) {
		check_pass(res);
		return;
	}
	check_fail(res, "no IPv%d base chain with policy drop on the %s hook%s", family, missing,
		   strchr(missing, ',') ? "s" : "");
	check_fix(res, "bulwark set settings.firewall.host.enabled=true");
}

static void judge_loopback(const struct check_host *host, int family, struct check_result *res)
{
	struct nft_verdicts v;

	if (!host->ruleset) {
		check_skip(res, "unable to verify nftables settings: %s", host->ruleset_why);
		return;
	}
	nft_judge(host->ruleset, family, &v);
	if (!v.has_input_loopback)
		check_fail(res, "no input chain accepts iif lo and then drops %s from elsewhere",
			   family == 4 ? "127.0.0.0/8" : "::1");
	else if (!v.has_output_loopback)
		check_fail(res, "no output chain accepts oif lo");
	else {
		check_pass(res);
		return;
	}
	check_fix(res, "bulwark set settings.firewall.host.enabled=true");
}

/* Manual, as upstream: what bulwark saw goes in the error text. */
static void judge_established(const struct check_host *host, int family,
			      struct check_result *res)
{
	struct nft_verdicts v;

	if (!host->ruleset) {
		check_skip(res, "%s (nftables unreadable: %s)", CHECK_MANUAL_TEXT, host->ruleset_why);
		return;
	}
	nft_judge(host->ruleset, family, &v);
	check_skip(res,
		   "%s bulwark saw for IPv%d: output policy %s, established accepted on "
		   "input %s, output %s",
		   CHECK_MANUAL_TEXT, family, v.is_drop[2] ? "drop" : "accept",
		   v.has_established[0] ? "yes" : "no", v.has_established[2] ? "yes" : "no");
}

static void br03030100(const struct check_host *host, struct check_result *res)
{
	judge_module_disabled(host, "sctp", res);
}

static void br03040101(const struct check_host *host, struct check_result *res)
{
	judge_firewall_policy(host, 4, res);
}

static void br03040102(const struct check_host *host, struct check_result *res)
{
	judge_loopback(host, 4, res);
}

static void br03040103(const struct check_host *host, struct check_result *res)
{
	judge_established(host, 4, res);
}

static void br03040201(const struct check_host *host, struct check_result *res)
{
	judge_firewall_policy(host, 6, res);
}

static void br03040202(const struct check_host *host, struct check_result *res)
{
	judge_loopback(host, 6, res);
}

static void br03040203(const struct check_host *host, struct check_result *res)
{
	judge_established(host, 6, res);
}

/* journald's Storage= as systemd reads it: the first journald.conf of
 * /etc, /run, /usr/local/lib, /usr/lib (systemd), then the drop-ins of
 * the journald.conf.d folders there in name order, an earlier folder's
 * file hiding a later one's of the same name; the last assignment in
 * [Journal] wins. Bottlerocket sets it in its /usr/lib drop-in. */
static void br04010101(const struct check_host *host, struct check_result *res)
{
	static const char *const mains[] = { "/etc/systemd/journald.conf",
					     "/run/systemd/journald.conf",
					     "/usr/local/lib/systemd/journald.conf",
					     "/usr/lib/systemd/journald.conf" };
	static const char *const dirs[] = { "/etc/systemd/journald.conf.d",
					    "/run/systemd/journald.conf.d",
					    "/usr/local/lib/systemd/journald.conf.d",
					    "/usr/lib/systemd/journald.conf.d" };
	struct vec files = VEC_INIT(struct conf_file);
	char storage[64] = "auto";
	bool is_read = false;
	struct bw_err err;
	char *text = NULL;

	for (size_t i = 0; i < N(mains) && !is_read; i++) {
		if (!fsroot_exists(host->root, mains[i]))
			continue;
		if (hostread_file(host->root, mains[i], 1u << 20, &text, &err) < 0) {
			check_skip(res, "unable to verify journald settings: %s", check_why(host, &err));
			return;
		}
		journald_storage(text, storage, sizeof(storage));
		free(text);
		is_read = true;
	}
	if (conf_dropins(host->root, dirs, N(dirs), ".conf", &files, &err) < 0) {
		check_skip(res, "unable to verify journald settings: %s", check_why(host, &err));
		vec_free(&files);
		return;
	}
	for (size_t i = 0; i < files.len; i++) {
		if (hostread_file(host->root, VEC_AT(&files, struct conf_file, i)->path, 1u << 20,
				  &text, &err) < 0) {
			check_skip(res, "unable to verify journald settings: %s", check_why(host, &err));
			vec_free(&files);
			return;
		}
		journald_storage(text, storage, sizeof(storage));
		free(text);
		is_read = true;
	}
	vec_free(&files);
	if (!is_read)
		check_skip(res, "unable to verify journald settings: no journald configuration");
	else if (strcmp(storage, "persistent") != 0)
		check_fail(res, "journald is not configured (Storage=%s)", storage);
	else
		check_pass(res);
}

static void br04010200(const struct check_host *host, struct check_result *res)
{
	char found[512];
	struct bw_err err;

	if (hostread_find_other_perms(host->root, "/var/log/journal", found, sizeof(found), &err) < 0)
		check_skip(res, "unable to walk /var/log/journal: %s", check_why(host, &err));
	else if (found[0])
		check_fail(res, "file \"%s\" has permissions for 'other'", found);
	else
		check_pass(res);
}

static void manual(const struct check_host *host, struct check_result *res)
{
	(void)host;
	check_skip(res, CHECK_MANUAL_TEXT);
}

static const struct check_def checks[] = {
	{ "br01010101", "1.1.1.1", 2, "Ensure mounting of udf filesystems is disabled", false, br01010101 },
	{ "br01020100", "1.2.1", 1, "Ensure software update repositories are configured", true, manual },
	{ "br01030100", "1.3.1", 1, "Ensure dm-verity is configured", false, br01030100 },
	{ "br01040100", "1.4.1", 1, "Ensure setuid programs do not create core dumps", false, br01040100 },
	{ "br01040200", "1.4.2", 1, "Ensure address space layout randomization (ASLR) is enabled", false, br01040200 },
	{ "br01040300", "1.4.3", 1, "Ensure unprivileged eBPF is disabled", false, br01040300 },
	{ "br01040400", "1.4.4", 2, "Ensure user namespaces are disabled", false, br01040400 },
	{ "br01050100", "1.5.1", 1, "Ensure SELinux is configured", false, br01050100 },
	{ "br01050200", "1.5.2", 2, "Ensure Lockdown is configured", false, br01050200 },
	{ "br01060000", "1.6", 1, "Ensure updates, patches, and additional security software are installed", true, manual },
	{ "br02010101", "2.1.1.1", 1, "Ensure chrony is configured", false, br02010101 },
	{ "br03010100", "3.1.1", 2, "Ensure packet redirect sending is disabled", false, br03010100 },
	{ "br03020100", "3.2.1", 2, "Ensure source routed packets are not accepted", false, br03020100 },
	{ "br03020200", "3.2.2", 2, "Ensure ICMP redirects are not accepted", false, br03020200 },
	{ "br03020300", "3.2.3", 2, "Ensure secure ICMP redirects are not accepted", false, br03020300 },
	{ "br03020400", "3.2.4", 2, "Ensure suspicious packets are logged", false, br03020400 },
	{ "br03020500", "3.2.5", 1, "Ensure broadcast ICMP requests are ignored", false, br03020500 },
	{ "br03020600", "3.2.6", 1, "Ensure bogus ICMP responses are ignored", false, br03020600 },
	{ "br03020700", "3.2.7", 1, "Ensure TCP SYN Cookies is enabled", false, br03020700 },
	{ "br03030100", "3.3.1", 2, "Ensure SCTP is disabled", false, br03030100 },
	{ "br03040101", "3.4.1.1", 2, "Ensure IPv4 default deny firewall policy", false, br03040101 },
	{ "br03040102", "3.4.1.2", 2, "Ensure IPv4 loopback traffic is configured", false, br03040102 },
	{ "br03040103", "3.4.1.3", 1, "Ensure IPv4 outbound and established connections are configured", true, br03040103 },
	{ "br03040201", "3.4.2.1", 2, "Ensure IPv6 default deny firewall policy", false, br03040201 },
	{ "br03040202", "3.4.2.2", 2, "Ensure IPv6 loopback traffic is configured", false, br03040202 },
	{ "br03040203", "3.4.2.3", 1, "Ensure IPv6 outbound and established connections are configured", true, br03040203 },
	{ "br04010101", "4.1.1.1", 1, "Ensure journald is configured to write logs to persistent disk", false, br04010101 },
	{ "br04010200", "4.1.2", 1, "Ensure permissions on journal files are configured", false, br04010200 },
};

const struct check_def *cis_checks(size_t *n)
{
	*n = N(checks);
	return checks;
}
