/* Fake hosts for the report tests: one on which every automatic check
 * passes, which each test then breaks in one place. */
#pragma once
#include <unistd.h>

#include "fakeroot.h"

/* The nftables ruleset (libnftables JSON) of a host firewall that passes
 * 3.4.1.x and 3.4.2.x: drop policies, loopback accepted and spoofed
 * loopback dropped. */
#define RULESET_PASS                                                                      \
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}}," \
	"{\"table\": {\"family\": \"inet\", \"name\": \"fw\", \"handle\": 1}},"           \
	"{\"chain\": {\"family\": \"inet\", \"table\": \"fw\", \"name\": \"input\", \"handle\": 1," \
	" \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"drop\"}},"  \
	"{\"chain\": {\"family\": \"inet\", \"table\": \"fw\", \"name\": \"forward\", \"handle\": 2," \
	" \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"drop\"}}," \
	"{\"chain\": {\"family\": \"inet\", \"table\": \"fw\", \"name\": \"output\", \"handle\": 3," \
	" \"type\": \"filter\", \"hook\": \"output\", \"prio\": 0, \"policy\": \"drop\"}}," \
	"{\"rule\": {\"family\": \"inet\", \"table\": \"fw\", \"chain\": \"input\", \"handle\": 4," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iif\"}}," \
	" \"right\": \"lo\"}}, {\"accept\": null}]}},"                                     \
	"{\"rule\": {\"family\": \"inet\", \"table\": \"fw\", \"chain\": \"input\", \"handle\": 5," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\"," \
	" \"field\": \"saddr\"}}, \"right\": {\"prefix\": {\"addr\": \"127.0.0.0\", \"len\": 8}}}}," \
	" {\"counter\": {\"packets\": 0, \"bytes\": 0}}, {\"drop\": null}]}},"             \
	"{\"rule\": {\"family\": \"inet\", \"table\": \"fw\", \"chain\": \"input\", \"handle\": 6," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip6\"," \
	" \"field\": \"saddr\"}}, \"right\": \"::1\"}}, {\"drop\": null}]}},"              \
	"{\"rule\": {\"family\": \"inet\", \"table\": \"fw\", \"chain\": \"input\", \"handle\": 7," \
	" \"expr\": [{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}," \
	" \"right\": [\"established\", \"related\"]}}, {\"accept\": null}]}},"             \
	"{\"rule\": {\"family\": \"inet\", \"table\": \"fw\", \"chain\": \"output\", \"handle\": 8," \
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}," \
	" \"right\": \"lo\"}}, {\"accept\": null}]}}]}"

#define KUBELET_PASS                                                                      \
	"kind: KubeletConfiguration\n"                                                    \
	"apiVersion: kubelet.config.k8s.io/v1beta1\n"                                     \
	"authentication:\n"                                                               \
	"  anonymous:\n"                                                                  \
	"    enabled: false\n"                                                            \
	"  webhook:\n"                                                                    \
	"    enabled: true\n"                                                             \
	"  x509:\n"                                                                       \
	"    clientCAFile: \"/etc/kubernetes/pki/ca.crt\"\n"                              \
	"authorization:\n"                                                                \
	"  mode: Webhook\n"                                                               \
	"readOnlyPort: 0\n"                                                               \
	"rotateCertificates: true\n"                                                      \
	"serverTLSBootstrap: true\n"                                                      \
	"tlsCipherSuites:\n"                                                              \
	"  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"                                     \
	"  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n"                                   \
	"podPidsLimit: 1048576\n"                                                         \
	"seccompDefault: true\n"

static inline void fakeroot_mode(const char *root, const char *path, mode_t mode)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s%s", root, path);
	assert_int_equal(chmod(full, mode), 0);
}

static inline void fakeroot_owner(const char *root, const char *path, uid_t uid, gid_t gid)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s%s", root, path);
	assert_int_equal(chown(full, uid, gid), 0);
}

static inline void fakeroot_rm(const char *root, const char *path)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s%s", root, path);
	unlink(full);
}

static inline void sysctl_put(const char *root, const char *name, const char *value)
{
	char path[256] = "/proc/sys/";
	size_t len = strlen(path);

	for (const char *c = name; *c; c++)
		path[len++] = *c == '.' ? '/' : *c;
	path[len] = '\0';
	fakeroot_put(root, path, value);
}

/* Every automatic check of every report passes here. */
static inline void report_host_passing(const char *root)
{
	static const char *const zero[] = {
		"fs.suid_dumpable", "user.max_user_namespaces",
		"net.ipv4.conf.all.send_redirects", "net.ipv4.conf.default.send_redirects",
		"net.ipv4.conf.all.accept_source_route", "net.ipv4.conf.default.accept_source_route",
		"net.ipv6.conf.all.accept_source_route", "net.ipv6.conf.default.accept_source_route",
		"net.ipv4.conf.all.accept_redirects", "net.ipv4.conf.default.accept_redirects",
		"net.ipv6.conf.all.accept_redirects", "net.ipv6.conf.default.accept_redirects",
		"net.ipv4.conf.all.secure_redirects", "net.ipv4.conf.default.secure_redirects",
	};
	static const char *const one[] = {
		"kernel.unprivileged_bpf_disabled", "net.ipv4.conf.all.log_martians",
		"net.ipv4.conf.default.log_martians", "net.ipv4.icmp_echo_ignore_broadcasts",
		"net.ipv4.icmp_ignore_bogus_error_responses", "net.ipv4.tcp_syncookies",
		"crypto.fips_enabled",
	};

	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		sysctl_put(root, zero[i], "0");
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		sysctl_put(root, one[i], "1");
	sysctl_put(root, "kernel.randomize_va_space", "2");
	fakeroot_put(root, "/proc/modules",
		     "configfs 57344 1 - Live 0xffffffffc0320000\n"
		     "crc_itu_t 16384 1 udf_helper, Live 0xffffffffc05dc000");
	fakeroot_put(root, "/etc/modprobe.d/bulwark.conf",
		     "# settings.kernel.modules\ninstall udf /bin/true\ninstall sctp /bin/true");
	fakeroot_put(root, "/proc/cmdline",
		     "BOOT_IMAGE=/vmlinuz root=/dev/dm-0 rootwait ro dm-mod.create=root,,,ro,0 "
		     "1 verity 1 /dev/nvme0n1p3 /dev/nvme0n1p4 4096 4096 restart_on_corruption");
	fakeroot_put(root, "/sys/fs/selinux/enforce", "1");
	fakeroot_put(root, "/sys/fs/selinux/mls", "1");
	fakeroot_put(root, "/sys/fs/selinux/deny_unknown", "1");
	fakeroot_put(root, "/sys/fs/selinux/checkreqprot", "0");
	fakeroot_put(root, "/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=fortified");
	fakeroot_put(root, "/sys/kernel/security/lockdown", "none [integrity] confidentiality");
	fakeroot_put(root, "/etc/chrony.conf", "pool 169.254.169.123 iburst\nmakestep 1.0 3");
	fakeroot_put(root, "/run/chrony/chronyd.pid", "4242");
	fakeroot_put(root, "/proc/4242/comm", "chronyd");
	fakeroot_put(root, "/usr/lib/systemd/journald.conf.d/journald.conf",
		     "[Journal]\nStorage=persistent");
	fakeroot_put(root, "/var/log/journal/0123/system.journal", "");
	fakeroot_mode(root, "/var/log/journal/0123/system.journal", 0640);
	/* Kubernetes worker */
	fakeroot_put(root, "/etc/systemd/system/kubelet.service.d/exec-start.conf", "[Service]");
	fakeroot_mode(root, "/etc/systemd/system/kubelet.service.d/exec-start.conf", 0600);
	fakeroot_put(root, "/etc/kubernetes/kubelet/kubeconfig", "apiVersion: v1");
	fakeroot_mode(root, "/etc/kubernetes/kubelet/kubeconfig", 0600);
	fakeroot_put(root, "/etc/kubernetes/pki/ca.crt", "-----BEGIN CERTIFICATE-----");
	fakeroot_mode(root, "/etc/kubernetes/pki/ca.crt", 0600);
	fakeroot_put(root, "/etc/kubernetes/kubelet/config", KUBELET_PASS);
	fakeroot_mode(root, "/etc/kubernetes/kubelet/config", 0600);
	fakeroot_put(root, "/etc/kubernetes/kube-proxy/kube-proxy.conf",
		     "metricsBindAddress: 127.0.0.1:10249");
	fakeroot_mode(root, "/etc/kubernetes/kube-proxy/kube-proxy.conf", 0600);
	/* FIPS */
	fakeroot_put(root, "/proc/sys/crypto/fips_name", "Amazon Linux 2023 Kernel Cryptographic API");
	fakeroot_put(root, "/etc/.fips-kernel-check-passed", "");
	fakeroot_put(root, "/etc/.fips-module-check-passed", "");
}
