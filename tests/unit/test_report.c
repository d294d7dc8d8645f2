/* The reports against fake hosts: for every automatic check, the host on
 * which everything passes, and that host broken in the one place the
 * check looks at; the check's report line compared exactly. */
#include "unit.h"

#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include <jansson.h>

#include "golden.h"
#include "report/format.h"
#include "report/parse.h"
#include "report/report.h"
#include "report_host.h"

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/golden"
#endif

static const struct timespec fixed_time = { .tv_sec = 1714557600, .tv_nsec = 123000000 };

struct run {
	char *text;
	struct report_summary sum;
};

static struct run run_report(const char *root, enum report_kind kind, int level,
			     const char *benchmark, const char *ruleset_text, bool is_json)
{
	json_error_t jerr;
	json_t *ruleset = ruleset_text ? json_loads(ruleset_text, 0, &jerr) : NULL;
	struct report_options o = {
		.kind = kind, .level = level, .benchmark = benchmark,
		.format = is_json ? REPORT_JSON : REPORT_TEXT, .ruleset = ruleset,
		.now = &fixed_time,
	};
	struct bw_err err = { 0 };
	struct run r = { 0 };

	if (ruleset_text)
		assert_non_null(ruleset);
	/* Without a ruleset given, give an empty one: tests never read the
	 * machine's own. */
	if (!ruleset)
		ruleset = json_loads("{\"nftables\": []}", 0, &jerr);
	o.ruleset = ruleset;
	if (report_generate(root, &o, &r.text, &r.sum, &err) < 0)
		fail_msg("report_generate: %s", err.msg);
	json_decref(ruleset);
	return r;
}

/* The report's line for check id, without its newline. */
static const char *line_of(const char *text, const char *id)
{
	static char line[512];
	char needle[32];
	const char *p;

	snprintf(needle, sizeof(needle), "] %-9s ", id);
	p = strstr(text, needle);
	if (!p)
		return "(no line)";
	while (p > text && p[-1] != '\n')
		p--;
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

/* ---- one case a check: what breaks it ---- */

struct check_case {
	const char *test_name;
	enum report_kind kind;
	const char *benchmark;
	const char *ruleset; /* NULL: RULESET_PASS */
	void (*breaks)(const char *root);
	const char *pass_line, *fail_line;
};

#define BREAK(fn, body)                          \
	static void fn(const char *root)         \
	{                                        \
		body;                            \
	}

BREAK(udf_loaded, fakeroot_put(root, "/proc/modules", "udf 139264 0 - Live 0xffffffffc05e1000"))
BREAK(udf_allowed, fakeroot_put(root, "/etc/modprobe.d/bulwark.conf", "install sctp /bin/true"))
BREAK(udf_chained, fakeroot_put(root, "/etc/modprobe.d/bulwark.conf",
				"install udf /bin/true && modprobe --ignore-install udf\n"
				"install sctp /bin/true"))
BREAK(no_verity, fakeroot_put(root, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro"))
BREAK(suid_dumpable, sysctl_put(root, "fs.suid_dumpable", "2"))
BREAK(aslr_partial, sysctl_put(root, "kernel.randomize_va_space", "1"))
/* 2 also keeps unprivileged eBPF out, but upstream wants exactly 1 */
BREAK(bpf_two, sysctl_put(root, "kernel.unprivileged_bpf_disabled", "2"))
BREAK(userns, sysctl_put(root, "user.max_user_namespaces", "15000"))
BREAK(selinux_permissive, fakeroot_put(root, "/sys/fs/selinux/enforce", "0"))
/* 1.5.2 passes only on integrity */
BREAK(lockdown_confidentiality,
      fakeroot_put(root, "/sys/kernel/security/lockdown", "none integrity [confidentiality]"))
BREAK(chrony_no_pool, fakeroot_put(root, "/etc/chrony.conf", "server 10.0.0.1"))
BREAK(chronyd_dead, fakeroot_put(root, "/proc/4242/comm", "bash"))
BREAK(send_redirects, sysctl_put(root, "net.ipv4.conf.default.send_redirects", "1"))
BREAK(source_route, sysctl_put(root, "net.ipv6.conf.all.accept_source_route", "1"))
BREAK(accept_redirects, sysctl_put(root, "net.ipv6.conf.default.accept_redirects", "1"))
BREAK(secure_redirects, sysctl_put(root, "net.ipv4.conf.all.secure_redirects", "1"))
BREAK(martians, sysctl_put(root, "net.ipv4.conf.default.log_martians", "0"))
BREAK(echo_broadcasts, sysctl_put(root, "net.ipv4.icmp_echo_ignore_broadcasts", "0"))
BREAK(bogus_errors, sysctl_put(root, "net.ipv4.icmp_ignore_bogus_error_responses", "0"))
BREAK(syncookies, sysctl_put(root, "net.ipv4.tcp_syncookies", "0"))
BREAK(sctp_allowed, fakeroot_put(root, "/etc/modprobe.d/bulwark.conf", "install udf /bin/true"))
/* hides the /usr/lib drop-in of the same name */
BREAK(journald_volatile, fakeroot_put(root, "/etc/systemd/journald.conf.d/journald.conf",
				      "[Journal]\nStorage=volatile"))
BREAK(journal_world_readable, fakeroot_mode(root, "/var/log/journal/0123/system.journal", 0644))
BREAK(none, (void)root)

#define SVC "/etc/systemd/system/kubelet.service.d/exec-start.conf"
#define KCFG "/etc/kubernetes/kubelet/config"
BREAK(svc_0644, fakeroot_mode(root, SVC, 0644))
BREAK(svc_0664, fakeroot_mode(root, SVC, 0664))
BREAK(svc_owner, fakeroot_owner(root, SVC, 1000, 0))
BREAK(proxy_0644, fakeroot_mode(root, "/etc/kubernetes/kube-proxy/kube-proxy.conf", 0644))
BREAK(proxy_owner, fakeroot_owner(root, "/etc/kubernetes/kube-proxy/kube-proxy.conf", 0, 1000))
BREAK(kubeconfig_0644, fakeroot_mode(root, "/etc/kubernetes/kubelet/kubeconfig", 0644))
BREAK(kubeconfig_owner, fakeroot_owner(root, "/etc/kubernetes/kubelet/kubeconfig", 1000, 1000))
BREAK(ca_0666, fakeroot_mode(root, "/etc/kubernetes/pki/ca.crt", 0666))
BREAK(ca_0644, fakeroot_mode(root, "/etc/kubernetes/pki/ca.crt", 0644))
BREAK(ca_owner, fakeroot_owner(root, "/etc/kubernetes/pki/ca.crt", 1000, 0))
BREAK(config_0644, fakeroot_mode(root, KCFG, 0644))
BREAK(config_owner, fakeroot_owner(root, KCFG, 0, 1000))
BREAK(anonymous, fakeroot_put(root, KCFG, "authentication: {anonymous: {enabled: true}}"))
BREAK(always_allow, fakeroot_put(root, KCFG, "{\"authorization\": {\"mode\": \"AlwaysAllow\"}}"))
BREAK(no_ca_file, fakeroot_put(root, KCFG,
			       "authentication:\n  x509:\n    clientCAFile: /etc/missing.crt"))
BREAK(read_only_port, fakeroot_put(root, KCFG, "readOnlyPort: 10255"))
BREAK(idle_timeout, fakeroot_put(root, KCFG, "streamingConnectionIdleTimeout: 0s"))
BREAK(iptables_chains, fakeroot_put(root, KCFG, "makeIPTablesUtilChains: false"))
BREAK(tls_missing, fakeroot_put(root, KCFG,
				"tlsCertFile: /var/lib/kubelet/pki/kubelet.crt\n"
				"tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key"))
BREAK(no_rotation, fakeroot_put(root, KCFG, "rotateCertificates: false"))
BREAK(server_cert, fakeroot_put(root, KCFG,
				"featureGates:\n  RotateKubeletServerCertificate: false"))
BREAK(weak_cipher, fakeroot_put(root, KCFG,
				"tlsCipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]"))
BREAK(no_pids_limit, fakeroot_put(root, KCFG, "podPidsLimit: -1"))
BREAK(no_seccomp, fakeroot_put(root, KCFG, "seccompDefault: false"))
BREAK(proxy_metrics, fakeroot_put(root, "/etc/kubernetes/kube-proxy/kube-proxy.conf",
				  "metricsBindAddress: 0.0.0.0:10249"))
BREAK(fips_off, sysctl_put(root, "crypto.fips_enabled", "0"))
BREAK(fips_name, fakeroot_put(root, "/proc/sys/crypto/fips_name", "Linux Kernel Crypto API"))
BREAK(fips_self_test, fakeroot_rm(root, "/etc/.fips-module-check-passed"))

/* The IPv4 and IPv6 firewalls: policies accept, no loopback rules. */
#define RULESET_OPEN                                                                      \
	"{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"fw\", \"handle\": 1}}," \
	"{\"chain\": {\"family\": \"inet\", \"table\": \"fw\", \"name\": \"input\", \"handle\": 1," \
	" \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"accept\"}}]}"
/* Drop policies, but 127.0.0.0/8 dropped before lo is accepted. */
#define RULESET_LO_ORDER                                                                  \
	"{\"nftables\": ["                                                                \
	"{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"INPUT\"," \
	" \"hook\": \"input\", \"policy\": \"drop\"}},"                                   \
	"{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"FORWARD\"," \
	" \"hook\": \"forward\", \"policy\": \"drop\"}},"                                 \
	"{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"OUTPUT\"," \
	" \"hook\": \"output\", \"policy\": \"drop\"}},"                                  \
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"INPUT\"," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\"," \
	" \"field\": \"saddr\"}}, \"right\": {\"prefix\": {\"addr\": \"127.0.0.0\", \"len\": 8}}}}," \
	" {\"drop\": null}]}},"                                                           \
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"INPUT\"," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}," \
	" \"right\": \"lo\"}}, {\"accept\": null}]}},"                                   \
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"OUTPUT\"," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}," \
	" \"right\": \"lo\"}}, {\"accept\": null}]}}]}"

#define A " (Automatic)"
static const struct check_case cases[] = {
	{ "cis_1_1_1_1_udf_loaded", REPORT_CIS, NULL, NULL, udf_loaded,
	  "[PASS] 1.1.1.1   Ensure mounting of udf filesystems is disabled" A,
	  "[FAIL] 1.1.1.1   Ensure mounting of udf filesystems is disabled" A },
	{ "cis_1_1_1_1_udf_not_disabled_in_modprobe_d", REPORT_CIS, NULL, NULL, udf_allowed, NULL,
	  "[FAIL] 1.1.1.1   Ensure mounting of udf filesystems is disabled" A },
	{ "cis_1_1_1_1_udf_install_that_loads_anyway", REPORT_CIS, NULL, NULL, udf_chained, NULL,
	  "[FAIL] 1.1.1.1   Ensure mounting of udf filesystems is disabled" A },
	{ "cis_1_3_1_dm_verity", REPORT_CIS, NULL, NULL, no_verity,
	  "[PASS] 1.3.1     Ensure dm-verity is configured" A,
	  "[FAIL] 1.3.1     Ensure dm-verity is configured" A },
	{ "cis_1_4_1_suid_dumpable", REPORT_CIS, NULL, NULL, suid_dumpable,
	  "[PASS] 1.4.1     Ensure setuid programs do not create core dumps" A,
	  "[FAIL] 1.4.1     Ensure setuid programs do not create core dumps" A },
	{ "cis_1_4_2_aslr", REPORT_CIS, NULL, NULL, aslr_partial,
	  "[PASS] 1.4.2     Ensure address space layout randomization (ASLR) is enabled" A,
	  "[FAIL] 1.4.2     Ensure address space layout randomization (ASLR) is enabled" A },
	{ "cis_1_4_3_bpf_wants_exactly_1", REPORT_CIS, NULL, NULL, bpf_two,
	  "[PASS] 1.4.3     Ensure unprivileged eBPF is disabled" A,
	  "[FAIL] 1.4.3     Ensure unprivileged eBPF is disabled" A },
	{ "cis_1_4_4_user_namespaces", REPORT_CIS, NULL, NULL, userns,
	  "[PASS] 1.4.4     Ensure user namespaces are disabled" A,
	  "[FAIL] 1.4.4     Ensure user namespaces are disabled" A },
	{ "cis_1_5_1_selinux", REPORT_CIS, NULL, NULL, selinux_permissive,
	  "[PASS] 1.5.1     Ensure SELinux is configured" A,
	  "[FAIL] 1.5.1     Ensure SELinux is configured" A },
	{ "cis_1_5_2_lockdown_only_integrity", REPORT_CIS, NULL, NULL, lockdown_confidentiality,
	  "[PASS] 1.5.2     Ensure Lockdown is configured" A,
	  "[FAIL] 1.5.2     Ensure Lockdown is configured" A },
	{ "cis_2_1_1_1_chrony_pool", REPORT_CIS, NULL, NULL, chrony_no_pool,
	  "[PASS] 2.1.1.1   Ensure chrony is configured" A,
	  "[FAIL] 2.1.1.1   Ensure chrony is configured" A },
	{ "cis_2_1_1_1_chronyd_running", REPORT_CIS, NULL, NULL, chronyd_dead, NULL,
	  "[FAIL] 2.1.1.1   Ensure chrony is configured" A },
	{ "cis_3_1_1_send_redirects", REPORT_CIS, NULL, NULL, send_redirects,
	  "[PASS] 3.1.1     Ensure packet redirect sending is disabled" A,
	  "[FAIL] 3.1.1     Ensure packet redirect sending is disabled" A },
	{ "cis_3_2_1_source_route", REPORT_CIS, NULL, NULL, source_route,
	  "[PASS] 3.2.1     Ensure source routed packets are not accepted" A,
	  "[FAIL] 3.2.1     Ensure source routed packets are not accepted" A },
	{ "cis_3_2_2_icmp_redirects", REPORT_CIS, NULL, NULL, accept_redirects,
	  "[PASS] 3.2.2     Ensure ICMP redirects are not accepted" A,
	  "[FAIL] 3.2.2     Ensure ICMP redirects are not accepted" A },
	{ "cis_3_2_3_secure_redirects", REPORT_CIS, NULL, NULL, secure_redirects,
	  "[PASS] 3.2.3     Ensure secure ICMP redirects are not accepted" A,
	  "[FAIL] 3.2.3     Ensure secure ICMP redirects are not accepted" A },
	{ "cis_3_2_4_martians", REPORT_CIS, NULL, NULL, martians,
	  "[PASS] 3.2.4     Ensure suspicious packets are logged" A,
	  "[FAIL] 3.2.4     Ensure suspicious packets are logged" A },
	{ "cis_3_2_5_echo_broadcasts", REPORT_CIS, NULL, NULL, echo_broadcasts,
	  "[PASS] 3.2.5     Ensure broadcast ICMP requests are ignored" A,
	  "[FAIL] 3.2.5     Ensure broadcast ICMP requests are ignored" A },
	{ "cis_3_2_6_bogus_errors", REPORT_CIS, NULL, NULL, bogus_errors,
	  "[PASS] 3.2.6     Ensure bogus ICMP responses are ignored" A,
	  "[FAIL] 3.2.6     Ensure bogus ICMP responses are ignored" A },
	{ "cis_3_2_7_syncookies", REPORT_CIS, NULL, NULL, syncookies,
	  "[PASS] 3.2.7     Ensure TCP SYN Cookies is enabled" A,
	  "[FAIL] 3.2.7     Ensure TCP SYN Cookies is enabled" A },
	{ "cis_3_3_1_sctp", REPORT_CIS, NULL, NULL, sctp_allowed,
	  "[PASS] 3.3.1     Ensure SCTP is disabled" A,
	  "[FAIL] 3.3.1     Ensure SCTP is disabled" A },
	{ "cis_3_4_1_1_ipv4_policy_accept", REPORT_CIS, NULL, RULESET_OPEN, none,
	  "[PASS] 3.4.1.1   Ensure IPv4 default deny firewall policy" A,
	  "[FAIL] 3.4.1.1   Ensure IPv4 default deny firewall policy" A },
	{ "cis_3_4_1_2_ipv4_loopback_missing", REPORT_CIS, NULL, RULESET_OPEN, none,
	  "[PASS] 3.4.1.2   Ensure IPv4 loopback traffic is configured" A,
	  "[FAIL] 3.4.1.2   Ensure IPv4 loopback traffic is configured" A },
	{ "cis_3_4_1_2_ipv4_loopback_drop_before_accept", REPORT_CIS, NULL, RULESET_LO_ORDER, none,
	  NULL, "[FAIL] 3.4.1.2   Ensure IPv4 loopback traffic is configured" A },
	{ "cis_3_4_2_1_ipv6_policy_accept", REPORT_CIS, NULL, RULESET_OPEN, none,
	  "[PASS] 3.4.2.1   Ensure IPv6 default deny firewall policy" A,
	  "[FAIL] 3.4.2.1   Ensure IPv6 default deny firewall policy" A },
	/* an ip (IPv4-only) table's drop policies do not cover IPv6 */
	{ "cis_3_4_2_1_ipv4_table_leaves_ipv6_open", REPORT_CIS, NULL, RULESET_LO_ORDER, none, NULL,
	  "[FAIL] 3.4.2.1   Ensure IPv6 default deny firewall policy" A },
	{ "cis_3_4_2_2_ipv6_loopback_missing", REPORT_CIS, NULL, RULESET_OPEN, none,
	  "[PASS] 3.4.2.2   Ensure IPv6 loopback traffic is configured" A,
	  "[FAIL] 3.4.2.2   Ensure IPv6 loopback traffic is configured" A },
	{ "cis_4_1_1_1_journald_storage", REPORT_CIS, NULL, NULL, journald_volatile,
	  "[PASS] 4.1.1.1   Ensure journald is configured to write logs to persistent disk" A,
	  "[FAIL] 4.1.1.1   Ensure journald is configured to write logs to persistent disk" A },
	{ "cis_4_1_2_journal_permissions", REPORT_CIS, NULL, NULL, journal_world_readable,
	  "[PASS] 4.1.2     Ensure permissions on journal files are configured" A,
	  "[FAIL] 4.1.2     Ensure permissions on journal files are configured" A },
	{ "k8s_4_1_1_service_mode", REPORT_CIS_K8S, NULL, NULL, svc_0644,
	  "[PASS] 4.1.1     Ensure that the kubelet service file permissions are set to 600 or more restrictive" A,
	  "[FAIL] 4.1.1     Ensure that the kubelet service file permissions are set to 600 or more restrictive" A },
	{ "k8s_v1_8_0_4_1_1_service_mode_644", REPORT_CIS_K8S, "v1.8.0", NULL, svc_0664,
	  "[PASS] 4.1.1     Ensure that the kubelet service file permissions are set to 644 or more restrictive" A,
	  "[FAIL] 4.1.1     Ensure that the kubelet service file permissions are set to 644 or more restrictive" A },
	{ "k8s_4_1_2_service_owner", REPORT_CIS_K8S, NULL, NULL, svc_owner,
	  "[PASS] 4.1.2     Ensure that the kubelet service file ownership is set to root:root" A,
	  "[FAIL] 4.1.2     Ensure that the kubelet service file ownership is set to root:root" A },
	{ "k8s_4_1_3_proxy_mode", REPORT_CIS_K8S, NULL, NULL, proxy_0644,
	  "[PASS] 4.1.3     If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive" A,
	  "[FAIL] 4.1.3     If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive" A },
	{ "k8s_4_1_4_proxy_owner", REPORT_CIS_K8S, NULL, NULL, proxy_owner,
	  "[PASS] 4.1.4     If proxy kubeconfig file exists ensure ownership is set to root:root" A,
	  "[FAIL] 4.1.4     If proxy kubeconfig file exists ensure ownership is set to root:root" A },
	{ "k8s_4_1_5_kubeconfig_mode", REPORT_CIS_K8S, NULL, NULL, kubeconfig_0644,
	  "[PASS] 4.1.5     Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive" A,
	  "[FAIL] 4.1.5     Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive" A },
	{ "k8s_4_1_6_kubeconfig_owner", REPORT_CIS_K8S, NULL, NULL, kubeconfig_owner,
	  "[PASS] 4.1.6     Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root" A,
	  "[FAIL] 4.1.6     Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root" A },
	{ "k8s_4_1_7_ca_mode", REPORT_CIS_K8S, NULL, NULL, ca_0666,
	  "[PASS] 4.1.7     Ensure that the certificate authorities file permissions are set to 644 or more restrictive" A,
	  "[FAIL] 4.1.7     Ensure that the certificate authorities file permissions are set to 644 or more restrictive" A },
	{ "k8s_v1_8_0_4_1_7_ca_mode_600", REPORT_CIS_K8S, "v1.8.0", NULL, ca_0644,
	  "[PASS] 4.1.7     Ensure that the certificate authorities file permissions are set to 600 or more restrictive" A,
	  "[FAIL] 4.1.7     Ensure that the certificate authorities file permissions are set to 600 or more restrictive" A },
	{ "k8s_4_1_8_ca_owner", REPORT_CIS_K8S, NULL, NULL, ca_owner,
	  "[PASS] 4.1.8     Ensure that the client certificate authorities file ownership is set to root:root" A,
	  "[FAIL] 4.1.8     Ensure that the client certificate authorities file ownership is set to root:root" A },
	{ "k8s_4_1_9_config_mode", REPORT_CIS_K8S, NULL, NULL, config_0644,
	  "[PASS] 4.1.9     If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive" A,
	  "[FAIL] 4.1.9     If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive" A },
	{ "k8s_4_1_10_config_owner", REPORT_CIS_K8S, NULL, NULL, config_owner,
	  "[PASS] 4.1.10    If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root" A,
	  "[FAIL] 4.1.10    If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root" A },
	{ "k8s_4_2_1_anonymous_auth", REPORT_CIS_K8S, NULL, NULL, anonymous,
	  "[PASS] 4.2.1     Ensure that the --anonymous-auth argument is set to false" A,
	  "[FAIL] 4.2.1     Ensure that the --anonymous-auth argument is set to false" A },
	{ "k8s_4_2_2_always_allow_json_config", REPORT_CIS_K8S, NULL, NULL, always_allow,
	  "[PASS] 4.2.2     Ensure that the --authorization-mode argument is not set to AlwaysAllow" A,
	  "[FAIL] 4.2.2     Ensure that the --authorization-mode argument is not set to AlwaysAllow" A },
	{ "k8s_4_2_3_client_ca_missing", REPORT_CIS_K8S, NULL, NULL, no_ca_file,
	  "[PASS] 4.2.3     Ensure that the --client-ca-file argument is set as appropriate" A,
	  "[FAIL] 4.2.3     Ensure that the --client-ca-file argument is set as appropriate" A },
	{ "k8s_4_2_4_read_only_port", REPORT_CIS_K8S, NULL, NULL, read_only_port,
	  "[PASS] 4.2.4     Verify that if defined, readOnlyPort is set to 0" A,
	  "[FAIL] 4.2.4     Verify that if defined, readOnlyPort is set to 0" A },
	{ "k8s_4_2_5_idle_timeout_zero", REPORT_CIS_K8S, NULL, NULL, idle_timeout,
	  "[PASS] 4.2.5     Ensure that the --streaming-connection-idle-timeout argument is not set to 0" A,
	  "[FAIL] 4.2.5     Ensure that the --streaming-connection-idle-timeout argument is not set to 0" A },
	{ "k8s_4_2_6_iptables_util_chains", REPORT_CIS_K8S, NULL, NULL, iptables_chains,
	  "[PASS] 4.2.6     Ensure that the --make-iptables-util-chains argument is set to true" A,
	  "[FAIL] 4.2.6     Ensure that the --make-iptables-util-chains argument is set to true" A },
	{ "k8s_4_2_9_tls_files_missing", REPORT_CIS_K8S, NULL, NULL, tls_missing,
	  "[PASS] 4.2.9     Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate" A,
	  "[FAIL] 4.2.9     Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate" A },
	{ "k8s_4_2_10_rotate_certificates", REPORT_CIS_K8S, NULL, NULL, no_rotation,
	  "[PASS] 4.2.10    Ensure that the --rotate-certificates argument is not set to false" A,
	  "[FAIL] 4.2.10    Ensure that the --rotate-certificates argument is not set to false" A },
	{ "k8s_4_2_11_server_certificate", REPORT_CIS_K8S, NULL, NULL, server_cert,
	  "[PASS] 4.2.11    Verify that the RotateKubeletServerCertificate argument is set to true" A,
	  "[FAIL] 4.2.11    Verify that the RotateKubeletServerCertificate argument is set to true" A },
	{ "k8s_4_2_12_weak_cipher", REPORT_CIS_K8S, NULL, NULL, weak_cipher,
	  "[PASS] 4.2.12    Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers" A,
	  "[FAIL] 4.2.12    Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers" A },
	{ "k8s_4_2_13_pod_pids_limit", REPORT_CIS_K8S, NULL, NULL, no_pids_limit,
	  "[PASS] 4.2.13    Ensure that a limit is set on pod PIDs" A,
	  "[FAIL] 4.2.13    Ensure that a limit is set on pod PIDs" A },
	{ "k8s_4_2_14_seccomp_default", REPORT_CIS_K8S, NULL, NULL, no_seccomp,
	  "[PASS] 4.2.14    Ensure that the --seccomp-default parameter is set to true" A,
	  "[FAIL] 4.2.14    Ensure that the --seccomp-default parameter is set to true" A },
	{ "k8s_4_3_1_proxy_metrics", REPORT_CIS_K8S, NULL, NULL, proxy_metrics,
	  "[PASS] 4.3.1     Ensure that the kube-proxy metrics service is bound to localhost" A,
	  "[FAIL] 4.3.1     Ensure that the kube-proxy metrics service is bound to localhost" A },
	{ "fips_1_0_mode", REPORT_FIPS, NULL, NULL, fips_off,
	  "[PASS] 1.0       FIPS mode is enabled." A, "[FAIL] 1.0       FIPS mode is enabled." A },
	{ "fips_1_1_module_name", REPORT_FIPS, NULL, NULL, fips_name,
	  "[PASS] 1.1       FIPS module is Amazon Linux 2023 Kernel Cryptographic API." A,
	  "[FAIL] 1.1       FIPS module is Amazon Linux 2023 Kernel Cryptographic API." A },
	{ "fips_1_2_self_tests", REPORT_FIPS, NULL, NULL, fips_self_test,
	  "[PASS] 1.2       FIPS self-tests passed." A, "[FAIL] 1.2       FIPS self-tests passed." A },
};

static const char *id_of(const char *line)
{
	static char id[16];

	snprintf(id, sizeof(id), "%.*s", (int)strcspn(line + 7, " "), line + 7);
	return id;
}

/* The passing host passes the check; broken in one place, it fails. */
static void run_case(void **state)
{
	const struct check_case *c = *state;
	const char *id = id_of(c->fail_line);
	char *root = fakeroot_new();
	struct run r;

	report_host_passing(root);
	r = run_report(root, c->kind, 2, c->benchmark, RULESET_PASS, false);
	if (c->pass_line)
		assert_string_equal(line_of(r.text, id), c->pass_line);
	else
		assert_memory_equal(line_of(r.text, id), "[PASS]", 6);
	free(r.text);
	c->breaks(root);
	r = run_report(root, c->kind, 2, c->benchmark, c->ruleset ? c->ruleset : RULESET_PASS,
		       false);
	assert_string_equal(line_of(r.text, id), c->fail_line);
	assert_int_equal(r.sum.status, REPORT_FAIL);
	free(r.text);
	fakeroot_free(root);
}

/* ---- the report as a whole ---- */

static void test_cis_level_2_passing_host_golden_text(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_PASS, false);
	golden_check(GOLDEN_DIR "/report/cis-l2-pass.txt", r.text);
	assert_int_equal(r.sum.total, 28);
	assert_int_equal(r.sum.passed, 24);
	assert_int_equal(r.sum.skipped, 4);
	assert_int_equal(r.sum.status, REPORT_PASS);
	free(r.text);
	fakeroot_free(root);
}

static void test_cis_level_2_passing_host_golden_json(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_PASS, true);
	golden_check(GOLDEN_DIR "/report/cis-l2-pass.json", r.text);
	free(r.text);
	fakeroot_free(root);
}

/* An empty host: nothing readable, every check SKIP or FAIL with its
 * reason; the fixes listed under the report. */
static void test_cis_level_1_empty_host_golden(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	r = run_report(root, REPORT_CIS, 1, NULL, RULESET_OPEN, false);
	golden_check(GOLDEN_DIR "/report/cis-l1-empty.txt", r.text);
	assert_int_equal(r.sum.total, 15);
	free(r.text);
	fakeroot_free(root);
}

static void test_cis_failing_host_lists_fixes_golden(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	suid_dumpable(root);
	send_redirects(root);
	udf_allowed(root);
	lockdown_confidentiality(root);
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_OPEN, false);
	golden_check(GOLDEN_DIR "/report/cis-l2-fail.txt", r.text);
	free(r.text);
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_OPEN, true);
	golden_check(GOLDEN_DIR "/report/cis-l2-fail.json", r.text);
	free(r.text);
	fakeroot_free(root);
}

static void test_cis_k8s_golden_v1_11_1_and_v1_8_0(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	r = run_report(root, REPORT_CIS_K8S, 2, NULL, NULL, false);
	golden_check(GOLDEN_DIR "/report/cis-k8s-l2.txt", r.text);
	assert_int_equal(r.sum.total, 26);
	free(r.text);
	r = run_report(root, REPORT_CIS_K8S, 2, "v1.8.0", NULL, false);
	golden_check(GOLDEN_DIR "/report/cis-k8s-v1.8.0-l2.txt", r.text);
	assert_int_equal(r.sum.total, 23);
	free(r.text);
	r = run_report(root, REPORT_CIS_K8S, 1, "v1.8.0", NULL, false);
	assert_int_equal(r.sum.total, 22);
	free(r.text);
	fakeroot_free(root);
}

/* Without kube-proxy's config, 4.1.3, 4.1.4 and 4.3.1 are Manual. */
static void test_cis_k8s_without_kube_proxy_is_manual(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	fakeroot_rm(root, "/etc/kubernetes/kube-proxy/kube-proxy.conf");
	r = run_report(root, REPORT_CIS_K8S, 1, NULL, NULL, false);
	assert_string_equal(line_of(r.text, "4.1.3"),
			    "[SKIP] 4.1.3     If proxy kubeconfig file exists ensure permissions are "
			    "set to 600 or more restrictive (Manual)");
	assert_string_equal(line_of(r.text, "4.3.1"),
			    "[SKIP] 4.3.1     Ensure that the kube-proxy metrics service is bound to "
			    "localhost (Manual)");
	free(r.text);
	fakeroot_free(root);
}

/* EKS keeps the kubelet config in JSON at another path. */
static void test_cis_k8s_reads_the_eks_json_config(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	fakeroot_rm(root, KCFG);
	fakeroot_put(root, "/etc/kubernetes/kubelet/kubelet-config.json",
		     "{\"authentication\": {\"anonymous\": {\"enabled\": true}}}");
	r = run_report(root, REPORT_CIS_K8S, 1, NULL, NULL, false);
	assert_memory_equal(line_of(r.text, "4.2.1"), "[FAIL]", 6);
	free(r.text);
	fakeroot_free(root);
}

/* --kubelet-config names a host path (read under the root) instead. */
static void test_cis_k8s_kubelet_config_option_overrides_the_paths(void **state)
{
	char *root = fakeroot_new();
	struct report_options o = { .kind = REPORT_CIS_K8S, .level = 1, .now = &fixed_time,
				    .kubelet_config = "/etc/custom/kubelet.yaml" };
	struct report_summary sum;
	struct bw_err err = { 0 };
	char *text = NULL;

	(void)state;
	report_host_passing(root);
	fakeroot_put(root, "/etc/custom/kubelet.yaml", "authentication: {anonymous: {enabled: true}}");
	assert_int_equal(report_generate(root, &o, &text, &sum, &err), 0);
	assert_memory_equal(line_of(text, "4.2.1"), "[FAIL]", 6);
	free(text);
	fakeroot_free(root);
}

static void test_fips_passing_host_golden(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	r = run_report(root, REPORT_FIPS, 1, NULL, NULL, false);
	golden_check(GOLDEN_DIR "/report/fips-pass.txt", r.text);
	free(r.text);
	fakeroot_free(root);
}

/* A check that cannot be performed is SKIP with the reason. */
static void test_unreadable_lockdown_is_skip_with_host_path(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	fakeroot_rm(root, "/sys/kernel/security/lockdown");
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_PASS, true);
	/* the host's path, not the fake root's */
	assert_non_null(strstr(r.text, "\"status\":\"SKIP\",\"error\":\"unable to verify lockdown "
				       "mode: cannot read /sys/kernel/security/lockdown: No such file"));
	free(r.text);
	fakeroot_free(root);
}

static void test_manual_firewall_checks_say_what_bulwark_saw(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	r = run_report(root, REPORT_CIS, 1, NULL, RULESET_PASS, true);
	assert_non_null(strstr(r.text, "\"error\":\"Manual check, see benchmark for audit details. "
				       "bulwark saw for IPv4: output policy drop, established "
				       "accepted on input yes, output no\""));
	free(r.text);
	fakeroot_free(root);
}

/* bloodhound exits 4 here; the report is still written and says SKIP. */
static void test_all_skip_report_is_written_with_why(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	r = run_report(root, REPORT_CIS_K8S, 1, NULL, NULL, false);
	assert_int_equal(r.sum.status, REPORT_SKIP);
	assert_non_null(strstr(r.text, "Compliance check result: SKIP\n"));
	assert_non_null(strstr(r.sum.why_all_skip, "unable to inspect"));
	free(r.text);
	fakeroot_free(root);
}

static void test_exceptions_override_and_are_listed(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	syncookies(root);
	fakeroot_put(root, "/etc/bulwark/exceptions.d/br03020700.json",
		     "{\"status\": \"PASS\", \"reason\": \"SYN cookies off: upstream LB terminates\","
		     " \"reference\": \"RISK-12\"}");
	fakeroot_put(root, "/etc/bulwark/exceptions.d/br01050100.json",
		     "{\"status\": \"MAYBE\", \"reason\": \"SELinux audited by hand\"}");
	r = run_report(root, REPORT_CIS, 1, NULL, RULESET_PASS, false);
	golden_check(GOLDEN_DIR "/report/cis-l1-exceptions.txt", r.text);
	assert_string_equal(line_of(r.text, "3.2.7"),
			    "[PASS] 3.2.7     Ensure TCP SYN Cookies is enabled (Exception)");
	assert_string_equal(line_of(r.text, "1.5.1"),
			    "[SKIP] 1.5.1     Ensure SELinux is configured (Exception)");
	free(r.text);
	r = run_report(root, REPORT_CIS, 1, NULL, RULESET_PASS, true);
	golden_check(GOLDEN_DIR "/report/cis-l1-exceptions.json", r.text);
	assert_non_null(strstr(r.text, "\"status\":{\"OVERRIDE\":\"PASS\"}"));
	free(r.text);
	fakeroot_free(root);
}

static void test_bad_exception_file_is_input_error(void **state)
{
	char *root = fakeroot_new();
	struct report_options o = { .kind = REPORT_FIPS, .level = 1, .now = &fixed_time };
	struct report_summary sum;
	struct bw_err err = { 0 };
	char *text = NULL;

	(void)state;
	fakeroot_put(root, "/etc/bulwark/exceptions.d/fips01000000.json", "{\"status\": \"PASS\"");
	assert_int_equal(report_generate(root, &o, &text, &sum, &err), -EINVAL);
	assert_true(err.is_input);
	assert_non_null(strstr(err.file, "fips01000000.json"));
	assert_null(text);
	fakeroot_free(root);
}

static void test_time_printed_as_chrono_prints_it(void **state)
{
	static const struct {
		long ns;
		const char *want;
	} cases[] = {
		{ 0, "2024-05-01T10:00:00Z" },
		{ 120000000, "2024-05-01T10:00:00.120Z" },
		{ 123456000, "2024-05-01T10:00:00.123456Z" },
		{ 100000001, "2024-05-01T10:00:00.100000001Z" },
		{ 1000, "2024-05-01T10:00:00.000001Z" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timespec ts = { .tv_sec = 1714557600, .tv_nsec = cases[i].ns };
		char out[64];

		report_format_time(&ts, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void test_bad_level_and_benchmark_are_input_errors(void **state)
{
	struct report_options o = { .kind = REPORT_CIS, .level = 3 };
	struct report_summary sum;
	struct bw_err err = { 0 };
	char *text = NULL;

	(void)state;
	assert_int_equal(report_generate("/nonexistent", &o, &text, &sum, &err), -EINVAL);
	o = (struct report_options){ .kind = REPORT_CIS_K8S, .level = 1, .benchmark = "v1.9" };
	assert_int_equal(report_generate("/nonexistent", &o, &text, &sum, &err), -EINVAL);
	assert_true(err.is_input);
}

/* ---- the readers ---- */

static void test_kubelet_yaml_and_json_give_the_same_tree(void **state)
{
	const char *yaml = "a:\n  b: [1, \"2\", true]\n  c: ~\nport: 0\n";
	const char *json = "{\"a\": {\"b\": [1, \"2\", true], \"c\": null}, \"port\": 0}";
	json_t *from_yaml, *from_json;
	struct bw_err err;

	(void)state;
	assert_int_equal(kubelet_parse(yaml, strlen(yaml), "c.yaml", &from_yaml, &err), 0);
	assert_int_equal(kubelet_parse(json, strlen(json), "c.json", &from_json, &err), 0);
	assert_true(json_equal(from_yaml, from_json));
	json_decref(from_yaml);
	json_decref(from_json);
}

static void test_kubelet_bad_yaml_names_line_and_column(void **state)
{
	const char *yaml = "a: 1\nb: [1, 2\n";
	struct bw_err err = { 0 };
	json_t *doc;

	(void)state;
	assert_int_equal(kubelet_parse(yaml, strlen(yaml), "config", &doc, &err), -EINVAL);
	assert_string_equal(err.file, "config");
	assert_true(err.line >= 2);
	yaml = "a: 1\na: 2\n";
	assert_int_equal(kubelet_parse(yaml, strlen(yaml), "config", &doc, &err), -EINVAL);
	yaml = "a: &x 1\nb: *x\n";
	assert_int_equal(kubelet_parse(yaml, strlen(yaml), "config", &doc, &err), -EINVAL);
}

static void test_modprobe_install_line_as_modprobe_reads_it(void **state)
{
	char cmd[128];

	(void)state;
	assert_true(modprobe_find_install("# install udf /bin/false\ninstall  udf \\\n  /bin/true\n",
					  "udf", cmd, sizeof(cmd)));
	assert_string_equal(cmd, "/bin/true");
	assert_true(modprobe_is_disabling(cmd));
	assert_true(modprobe_find_install("install crc-itu-t /bin/false", "crc_itu_t", cmd,
					  sizeof(cmd)));
	assert_false(modprobe_find_install("blacklist udf\ninstall udf2 /bin/true", "udf", cmd,
					   sizeof(cmd)));
	assert_false(modprobe_is_disabling("/sbin/modprobe --ignore-install udf"));
	assert_false(modprobe_is_disabling("/bin/truest"));
}

/* Another program's table (iptables-nft's ip filter) counts. */
static void test_nft_judge_counts_every_table(void **state)
{
	json_error_t jerr;
	json_t *rs = json_loads(RULESET_LO_ORDER, 0, &jerr);
	struct nft_verdicts v4, v6;

	(void)state;
	nft_judge(rs, 4, &v4);
	nft_judge(rs, 6, &v6);
	assert_true(v4.is_drop[0] && v4.is_drop[1] && v4.is_drop[2]);
	assert_false(v6.is_drop[0]);
	assert_false(v4.has_input_loopback); /* drop before accept */
	assert_true(v4.has_output_loopback);
	json_decref(rs);
}

static void test_exception_unknown_status_is_skip(void **state)
{
	struct report_exception ex;
	struct bw_err err;
	const char *text = "{\"status\": \"LATER\", \"reason\": \"a\\nb\"}";

	(void)state;
	assert_int_equal(exception_parse(text, strlen(text), "x.json", &ex, &err), 0);
	assert_int_equal(ex.status, REPORT_SKIP);
	assert_string_equal(ex.reason, "a b");
	text = "{\"status\": \"PASS\", \"reason\": \"\"}";
	assert_int_equal(exception_parse(text, strlen(text), "x.json", &ex, &err), -EINVAL);
	text = "{\"status\": \"PASS\", \"reason\": \"r\", \"expires\": \"never\"}";
	assert_int_equal(exception_parse(text, strlen(text), "x.json", &ex, &err), -EINVAL);
}

/* Invalid UTF-8 becomes U+FFFD, one a maximal invalid subpart, as Rust's
 * from_utf8_lossy (which bloodhound uses) makes it. */
static void test_utf8_lossy_replaces_invalid_sequences(void **state)
{
	char *s;

	(void)state;
	s = report_utf8_lossy("a\xff\xfe" "b");
	assert_string_equal(s, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
	free(s);
	s = report_utf8_lossy("\xe2\x82" "x\xc3\xa9\xed\xa0\x80\xf0\x9f\x98");
	assert_string_equal(s, "\xef\xbf\xbdx\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			       "\xef\xbf\xbd");
	free(s);
}

/* A kernel crypto module name that is not UTF-8 still shows in the
 * JSON's error, its bad bytes as U+FFFD, not dropped with its key. */
static void test_json_error_keeps_non_utf8_text(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	fakeroot_put(root, "/proc/sys/crypto/fips_name", "bad\xff\xfe");
	r = run_report(root, REPORT_FIPS, 1, NULL, NULL, true);
	assert_non_null(strstr(r.text, "\"error\":\"/proc/sys/crypto/fips_name != "));
	assert_non_null(strstr(r.text, "(it is 'bad\xef\xbf\xbd\xef\xbf\xbd')\""));
	free(r.text);
	fakeroot_free(root);
}

/* Text stays bloodhound's report (the result line last); the fixes come
 * apart, one line a FAIL, those no setting fixes said so. */
static void test_text_fixes_come_apart_from_the_report(void **state)
{
	char *root = fakeroot_new();
	char *text = NULL, *fixes = NULL;
	json_error_t jerr;
	json_t *ruleset = json_loads(RULESET_OPEN, 0, &jerr);
	struct report_options o = { .kind = REPORT_CIS, .level = 2, .format = REPORT_TEXT,
				    .ruleset = ruleset, .now = &fixed_time, .fixes = &fixes };
	struct report_summary sum;
	struct bw_err err = { 0 };
	size_t len;

	(void)state;
	report_host_passing(root);
	suid_dumpable(root);
	no_verity(root);
	assert_int_equal(report_generate(root, &o, &text, &sum, &err), 0);
	len = strlen(text);
	assert_true(len > 32);
	assert_string_equal(text + len - strlen("Compliance check result: FAIL\n"),
			    "Compliance check result: FAIL\n");
	assert_null(strstr(text, "Fixes"));
	assert_string_equal(fixes,
			    "*  1.3.1 no bulwark setting fixes this\n"
			    "*  1.4.1 bulwark set 'settings.kernel.sysctl.\"fs.suid_dumpable\"=0'\n"
			    "*  3.4.1.1 bulwark set settings.firewall.host.enabled=true\n"
			    "*  3.4.1.2 bulwark set settings.firewall.host.enabled=true\n"
			    "*  3.4.2.1 bulwark set settings.firewall.host.enabled=true\n"
			    "*  3.4.2.2 bulwark set settings.firewall.host.enabled=true\n");
	free(text);
	free(fixes);
	json_decref(ruleset);
	fakeroot_free(root);
}

static void test_json_fail_without_setting_says_so(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	no_verity(root);
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_PASS, true);
	assert_non_null(strstr(r.text, "\"fix\":\"no bulwark setting fixes this\"}"));
	free(r.text);
	fakeroot_free(root);
}

/* ---- journald's Storage=, as systemd reads it ---- */

#define JD_ETC "/etc/systemd/journald.conf.d/"
#define JD_RUN "/run/systemd/journald.conf.d/"
#define JD_USR "/usr/lib/systemd/journald.conf.d/"

/* The 4.1.1.1 status ("PASS", "FAIL", "SKIP") on a host holding only the
 * given files (path, text, path, text, …, NULL). */
static char *journald_status(const char *first, ...)
{
	static char status[8];
	char *root = fakeroot_new();
	struct run r;
	va_list ap;

	va_start(ap, first);
	for (const char *path = first; path; path = va_arg(ap, const char *))
		fakeroot_put(root, path, va_arg(ap, const char *));
	va_end(ap);
	r = run_report(root, REPORT_CIS, 2, NULL, RULESET_PASS, false);
	snprintf(status, sizeof(status), "%.4s", line_of(r.text, "4.1.1.1") + 1);
	free(r.text);
	fakeroot_free(root);
	return status;
}

static void test_journald_main_file_from_etc_hides_usr_lib(void **state)
{
	(void)state;
	assert_string_equal(journald_status("/usr/lib/systemd/journald.conf",
					    "[Journal]\nStorage=persistent", NULL), "PASS");
	assert_string_equal(journald_status("/etc/systemd/journald.conf", "[Journal]\n",
					    "/usr/lib/systemd/journald.conf",
					    "[Journal]\nStorage=persistent", NULL), "FAIL");
}

static void test_journald_dropins_sorted_by_name_across_folders(void **state)
{
	(void)state;
	assert_string_equal(journald_status(JD_ETC "10-a.conf", "[Journal]\nStorage=persistent",
					    JD_USR "20-b.conf", "[Journal]\nStorage=volatile",
					    NULL), "FAIL");
	assert_string_equal(journald_status(JD_USR "10-a.conf", "[Journal]\nStorage=volatile",
					    JD_ETC "20-b.conf", "[Journal]\nStorage=persistent",
					    NULL), "PASS");
}

static void test_journald_run_and_usr_local_dropins_count(void **state)
{
	(void)state;
	assert_string_equal(journald_status(JD_RUN "x.conf", "[Journal]\nStorage=persistent",
					    NULL), "PASS");
	assert_string_equal(journald_status("/usr/local/lib/systemd/journald.conf.d/x.conf",
					    "[Journal]\nStorage=persistent", NULL), "PASS");
}

static void test_journald_dropin_hides_same_name_in_later_folder(void **state)
{
	(void)state;
	assert_string_equal(journald_status(JD_RUN "50-x.conf", "[Journal]\nStorage=persistent",
					    JD_USR "50-x.conf", "[Journal]\nStorage=volatile",
					    NULL), "PASS");
	assert_string_equal(journald_status(JD_ETC "50-x.conf", "# masked\n",
					    JD_USR "50-x.conf", "[Journal]\nStorage=persistent",
					    NULL), "FAIL");
}

static void test_journald_only_journal_section_counts(void **state)
{
	(void)state;
	assert_string_equal(journald_status(JD_ETC "x.conf", "Storage=persistent\n"
					    "[Other]\nStorage=persistent", NULL), "FAIL");
}

static void test_journald_last_assignment_wins(void **state)
{
	(void)state;
	assert_string_equal(journald_status(JD_ETC "x.conf", "[Journal]\nStorage=volatile\n"
					    "  Storage = persistent  ", NULL), "PASS");
	assert_string_equal(journald_status(JD_ETC "x.conf", "[Journal]\nStorage=persistent\n"
					    "Storage=volatile", NULL), "FAIL");
}

/* systemd's parser: empty resets to auto, an unknown value is ignored,
 * comments skipped, continuations joined. */
static void test_journald_storage_values_as_systemd_parses_them(void **state)
{
	char storage[16];

	(void)state;
	snprintf(storage, sizeof(storage), "auto");
	journald_storage("[Journal]\nStorage=persistent\nStorage=sometimes\n", storage,
			 sizeof(storage));
	assert_string_equal(storage, "persistent");
	journald_storage("[Journal]\n;Storage=none\n#Storage=none\nStorage=\n", storage,
			 sizeof(storage));
	assert_string_equal(storage, "auto");
	journald_storage("[Journal]\nStorage=\\\npersistent\n", storage, sizeof(storage));
	assert_string_equal(storage, "persistent");
}

/* ---- operator mistakes are exit 2, not a report ---- */

static void assert_input_error(const char *root, const char *exceptions_dir, const char *msg)
{
	struct report_options o = { .kind = REPORT_FIPS, .level = 1, .now = &fixed_time,
				    .exceptions_dir = exceptions_dir };
	struct report_summary sum;
	struct bw_err err = { 0 };
	char *text = NULL;

	assert_int_equal(report_generate(root, &o, &text, &sum, &err), -EINVAL);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, msg));
	assert_null(text);
}

static void test_root_that_is_not_a_directory_is_input_error(void **state)
{
	char *root = fakeroot_new();
	char path[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", root);
	assert_input_error(path, NULL, "not a directory");
	fakeroot_put(root, "/file", "x");
	snprintf(path, sizeof(path), "%s/file", root);
	assert_input_error(path, NULL, "not a directory");
	fakeroot_free(root);
}

static void test_missing_exceptions_folder_is_input_error(void **state)
{
	char *root = fakeroot_new();
	char path[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such-folder", root);
	assert_input_error(root, path, "--exceptions");
	fakeroot_free(root);
}

static void test_exception_that_is_a_folder_or_unreadable_is_input_error(void **state)
{
	char *root = fakeroot_new();
	char path[1024];

	(void)state;
	fakeroot_put(root, "/etc/bulwark/exceptions.d/fips01000000.json/x", "{}");
	assert_input_error(root, NULL, "not a regular file");
	snprintf(path, sizeof(path), "%s/etc/bulwark/exceptions.d", root);
	assert_input_error(root, path, "not a regular file");
	fakeroot_free(root);
	/* root reads a mode 0 file; as anyone else it is unreadable */
	if (geteuid() != 0) {
		root = fakeroot_new();
		fakeroot_put(root, "/etc/bulwark/exceptions.d/fips01000000.json",
			     "{\"status\": \"PASS\", \"reason\": \"r\"}");
		fakeroot_mode(root, "/etc/bulwark/exceptions.d/fips01000000.json", 0);
		assert_input_error(root, NULL, "exception");
		fakeroot_free(root);
	}
}

/* ---- paths from inside the fake root stay in it ---- */

/* A ".." in a path the kubelet config
 * names could reach out of --root: SKIP, saying why. */
static void test_kubelet_paths_with_dotdot_are_skip(void **state)
{
	char *root = fakeroot_new();
	struct run r;

	(void)state;
	report_host_passing(root);
	fakeroot_put(root, KCFG, "authentication:\n  x509:\n    clientCAFile: /../../etc/passwd\n"
		     "tlsCertFile: /etc/kubernetes/pki/ca.crt\n"
		     "tlsPrivateKeyFile: /etc/kubernetes/../../../etc/passwd");
	r = run_report(root, REPORT_CIS_K8S, 1, NULL, NULL, true);
	assert_non_null(strstr(r.text, "\"status\":\"SKIP\",\"error\":\"clientCAFile "
				       "'/../../etc/passwd' has a '..' segment"));
	assert_non_null(strstr(r.text, "\"status\":\"SKIP\",\"error\":\"tlsPrivateKeyFile "
				       "'/etc/kubernetes/../../../etc/passwd' has a '..' segment"));
	free(r.text);
	/* a name merely starting with two dots is no escape */
	fakeroot_put(root, "/etc/kubernetes/pki/..ca.crt", "ca");
	fakeroot_put(root, KCFG, "authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/..ca.crt");
	r = run_report(root, REPORT_CIS_K8S, 1, NULL, NULL, false);
	assert_memory_equal(line_of(r.text, "4.2.3"), "[PASS]", 6);
	free(r.text);
	fakeroot_free(root);
}

static void test_relative_kubelet_config_is_input_error(void **state)
{
	char *root = fakeroot_new();
	struct report_options o = { .kind = REPORT_CIS_K8S, .level = 1, .now = &fixed_time,
				    .kubelet_config = "etc/kubelet.yaml" };
	struct report_summary sum;
	struct bw_err err = { 0 };
	char *text = NULL;

	(void)state;
	assert_int_equal(report_generate(root, &o, &text, &sum, &err), -EINVAL);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, "absolute"));
	fakeroot_free(root);
}

/* A dormant table's chains see no packets: its drop policies count for
 * nothing. */
static void test_nft_judge_ignores_dormant_tables(void **state)
{
	/* nft 1.0.6 prints "off" */
	static const char *const flags[] = { "\"off\"", "\"dormant\"", "[\"dormant\"]" };

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		char text[2048];
		json_error_t jerr;
		json_t *rs;
		struct nft_verdicts v;

		snprintf(text, sizeof(text),
			 "{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"off\","
			 " \"flags\": %s}},"
			 "{\"table\": {\"family\": \"inet\", \"name\": \"on\"}},"
			 "{\"chain\": {\"family\": \"inet\", \"table\": \"off\", \"name\": \"i\","
			 " \"hook\": \"input\", \"policy\": \"drop\"}},"
			 "{\"chain\": {\"family\": \"inet\", \"table\": \"off\", \"name\": \"f\","
			 " \"hook\": \"forward\", \"policy\": \"drop\"}},"
			 "{\"chain\": {\"family\": \"inet\", \"table\": \"on\", \"name\": \"o\","
			 " \"hook\": \"output\", \"policy\": \"drop\"}}]}",
			 flags[f]);
		rs = json_loads(text, 0, &jerr);
		assert_non_null(rs);
		nft_judge(rs, 4, &v);
		assert_false(v.is_drop[0]);
		assert_false(v.is_drop[1]);
		assert_true(v.is_drop[2]);
		assert_int_equal(v.n_base_chains[0], 0);
		json_decref(rs);
	}
}

/* `ct state { established, related } accept` is an anonymous set. */
static void test_nft_judge_established_in_a_set(void **state)
{
	json_error_t jerr;
	json_t *rs = json_loads(
		"{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"o\","
		" \"hook\": \"output\", \"policy\": \"drop\"}},"
		"{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"o\", \"expr\": ["
		"{\"match\": {\"op\": \"==\", \"left\": {\"ct\": {\"key\": \"state\"}},"
		" \"right\": {\"set\": [\"established\", \"related\"]}}}, {\"accept\": null}]}}]}",
		0, &jerr);
	struct nft_verdicts v;

	(void)state;
	assert_non_null(rs);
	nft_judge(rs, 4, &v);
	assert_true(v.has_established[2]);
	json_decref(rs);
}

/* Only /bin/true (bloodhound) and /bin/false disable; a line that runs
 * the real load after them does not. */
static void test_modprobe_install_that_loads_anyway_is_not_disabling(void **state)
{
	(void)state;
	assert_true(modprobe_is_disabling("/bin/true"));
	assert_true(modprobe_is_disabling("/bin/false"));
	assert_true(modprobe_is_disabling("/bin/true udf"));
	assert_false(modprobe_is_disabling("/bin/true && modprobe --ignore-install udf"));
	assert_false(modprobe_is_disabling("/bin/true; /sbin/modprobe --ignore-install udf"));
	assert_false(modprobe_is_disabling("/bin/false || modprobe --ignore-install udf"));
	assert_false(modprobe_is_disabling("/bin/true $(modprobe --ignore-install udf)"));
	assert_false(modprobe_is_disabling("/usr/bin/true"));
	assert_false(modprobe_is_disabling("/usr/bin/false"));
}

int main(void)
{
	static const struct CMUnitTest whole[] = {
		cmocka_unit_test(test_cis_level_2_passing_host_golden_text),
		cmocka_unit_test(test_cis_level_2_passing_host_golden_json),
		cmocka_unit_test(test_cis_level_1_empty_host_golden),
		cmocka_unit_test(test_cis_failing_host_lists_fixes_golden),
		cmocka_unit_test(test_cis_k8s_golden_v1_11_1_and_v1_8_0),
		cmocka_unit_test(test_cis_k8s_without_kube_proxy_is_manual),
		cmocka_unit_test(test_cis_k8s_reads_the_eks_json_config),
		cmocka_unit_test(test_cis_k8s_kubelet_config_option_overrides_the_paths),
		cmocka_unit_test(test_fips_passing_host_golden),
		cmocka_unit_test(test_unreadable_lockdown_is_skip_with_host_path),
		cmocka_unit_test(test_manual_firewall_checks_say_what_bulwark_saw),
		cmocka_unit_test(test_all_skip_report_is_written_with_why),
		cmocka_unit_test(test_exceptions_override_and_are_listed),
		cmocka_unit_test(test_bad_exception_file_is_input_error),
		cmocka_unit_test(test_time_printed_as_chrono_prints_it),
		cmocka_unit_test(test_bad_level_and_benchmark_are_input_errors),
		cmocka_unit_test(test_kubelet_yaml_and_json_give_the_same_tree),
		cmocka_unit_test(test_kubelet_bad_yaml_names_line_and_column),
		cmocka_unit_test(test_modprobe_install_line_as_modprobe_reads_it),
		cmocka_unit_test(test_nft_judge_counts_every_table),
		cmocka_unit_test(test_exception_unknown_status_is_skip),
		cmocka_unit_test(test_utf8_lossy_replaces_invalid_sequences),
		cmocka_unit_test(test_json_error_keeps_non_utf8_text),
		cmocka_unit_test(test_text_fixes_come_apart_from_the_report),
		cmocka_unit_test(test_json_fail_without_setting_says_so),
		cmocka_unit_test(test_journald_main_file_from_etc_hides_usr_lib),
		cmocka_unit_test(test_journald_dropins_sorted_by_name_across_folders),
		cmocka_unit_test(test_journald_run_and_usr_local_dropins_count),
		cmocka_unit_test(test_journald_dropin_hides_same_name_in_later_folder),
		cmocka_unit_test(test_journald_only_journal_section_counts),
		cmocka_unit_test(test_journald_last_assignment_wins),
		cmocka_unit_test(test_journald_storage_values_as_systemd_parses_them),
		cmocka_unit_test(test_root_that_is_not_a_directory_is_input_error),
		cmocka_unit_test(test_missing_exceptions_folder_is_input_error),
		cmocka_unit_test(test_exception_that_is_a_folder_or_unreadable_is_input_error),
		cmocka_unit_test(test_kubelet_paths_with_dotdot_are_skip),
		cmocka_unit_test(test_relative_kubelet_config_is_input_error),
		cmocka_unit_test(test_nft_judge_ignores_dormant_tables),
		cmocka_unit_test(test_nft_judge_established_in_a_set),
		cmocka_unit_test(test_modprobe_install_that_loads_anyway_is_not_disabling),
	};
	enum { N_CASES = sizeof(cases) / sizeof(cases[0]), N_WHOLE = sizeof(whole) / sizeof(whole[0]) };
	struct CMUnitTest all[N_CASES + N_WHOLE];

	/* One group (one TAP plan): a test a check, named for what breaks it,
	 * then the report as a whole. */
	for (size_t i = 0; i < N_CASES; i++)
		all[i] = (struct CMUnitTest){ .name = cases[i].test_name, .test_func = run_case,
					      .initial_state = (void *)&cases[i] };
	for (size_t i = 0; i < N_WHOLE; i++)
		all[N_CASES + i] = whole[i];
	return _cmocka_run_group_tests("report", all, N_CASES + N_WHOLE, NULL, NULL);
}
