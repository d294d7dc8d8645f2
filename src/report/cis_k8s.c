/* CIS Kubernetes Benchmark (Worker Node): the checks bloodhound runs
 * (kubernetes-cis-checks), as current releases report them (v1.11.1, 26
 * checks) or as older releases did (v1.8.0, 23 checks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fsroot.h"
#include "host/hostread.h"
#include "report/checks.h"
#include "report/parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define MODE_600 0177u /* no u+x, nothing for group and other */
#define MODE_644 0133u /* no x, no write for group and other */

/* Bottlerocket's paths first, then EKS's (AL2, AL2023). */
static const char *const service_paths[] = { "/etc/systemd/system/kubelet.service.d/exec-start.conf",
					     "/etc/systemd/system/kubelet.service" };
static const char *const kubeconfig_paths[] = { "/etc/kubernetes/kubelet/kubeconfig",
						"/var/lib/kubelet/kubeconfig" };
static const char *const ca_paths[] = { "/etc/kubernetes/pki/ca.crt" };
static const char *const config_paths[] = { "/etc/kubernetes/kubelet/config",
					    "/etc/kubernetes/kubelet/kubelet-config.json",
					    "/etc/kubernetes/kubelet/config.json" };
#define KUBEPROXY_CONF "/etc/kubernetes/kube-proxy/kube-proxy.conf"

static const char *pick(const struct check_host *host, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fsroot_exists(host->root, paths[i]))
			return paths[i];
	return paths[0];
}

#define PICK(host, paths) pick(host, paths, N(paths))

static bool is_old(const struct check_host *host)
{
	return host->benchmark && strcmp(host->benchmark, "v1.8.0") == 0;
}

static const char *config_path(const struct check_host *host)
{
	return host->kubelet_config ? host->kubelet_config : PICK(host, config_paths);
}

/* The kubelet config as a tree, or a SKIP with the reason. */
static json_t *load_config(const struct check_host *host, const char *path,
			   struct check_result *res)
{
	struct bw_err err;
	char *text = NULL;
	json_t *doc = NULL;

	if (hostread_file(host->root, path, KUBELET_CONFIG_MAX, &text, &err) < 0) {
		check_skip(res, "unable to read '%s'", path);
		return NULL;
	}
	if (kubelet_parse(text, strlen(text), path, &doc, &err) < 0) {
		char line[600];

		bw_err_format(&err, line, sizeof(line));
		check_skip(res, "unable to parse kubelet config: %s", line);
	}
	free(text);
	return doc;
}

/* A value at a dotted path of object keys, NULL when absent. */
static const json_t *at(const json_t *doc, const char *a, const char *b, const char *c)
{
	const json_t *v = json_object_get(doc, a);

	if (v && b)
		v = json_object_get(v, b);
	if (v && c)
		v = json_object_get(v, c);
	return v;
}

/* Whether a path the kubelet config names has a ".." segment: under
 * --root it could lead out of the fake root, so the check is not made. */
static bool has_dotdot(const json_t *path)
{
	const char *p = json_string_value(path);

	if (!p)
		return false;
	for (const char *seg = p; *seg; seg += strcspn(seg, "/")) {
		seg += strspn(seg, "/");
		if (strncmp(seg, "..", 2) == 0 && (seg[2] == '/' || seg[2] == '\0'))
			return true;
	}
	return false;
}

#define DOTDOT_SKIP "%s '%.400s' has a '..' segment; bulwark does not follow it (it could leave the root)"

static bool exists_nonempty(const struct check_host *host, const json_t *path)
{
	const char *p = json_string_value(path);

	return p && p[0] == '/' && fsroot_exists(host->root, p);
}

static void k8s04010100(const struct check_host *host, struct check_result *res)
{
	judge_file_not_mode(host, PICK(host, service_paths), is_old(host) ? MODE_644 : MODE_600, res);
}

static void k8s04010200(const struct check_host *host, struct check_result *res)
{
	judge_file_root_owned(host, PICK(host, service_paths), res);
}

static void k8s04010300(const struct check_host *host, struct check_result *res)
{
	judge_file_not_mode(host, KUBEPROXY_CONF, MODE_600, res);
}

static void k8s04010400(const struct check_host *host, struct check_result *res)
{
	judge_file_root_owned(host, KUBEPROXY_CONF, res);
}

static void k8s04010500(const struct check_host *host, struct check_result *res)
{
	judge_file_not_mode(host, PICK(host, kubeconfig_paths), is_old(host) ? MODE_644 : MODE_600,
			    res);
}

static void k8s04010600(const struct check_host *host, struct check_result *res)
{
	judge_file_root_owned(host, PICK(host, kubeconfig_paths), res);
}

static void k8s04010700(const struct check_host *host, struct check_result *res)
{
	judge_file_not_mode(host, PICK(host, ca_paths), is_old(host) ? MODE_600 : MODE_644, res);
}

static void k8s04010800(const struct check_host *host, struct check_result *res)
{
	judge_file_root_owned(host, PICK(host, ca_paths), res);
}

static void k8s04010900(const struct check_host *host, struct check_result *res)
{
	judge_file_not_mode(host, config_path(host), MODE_600, res);
}

static void k8s04011000(const struct check_host *host, struct check_result *res)
{
	judge_file_root_owned(host, config_path(host), res);
}

#define PARSE_FAILED "unable to parse kubelet config"

static void k8s04020100(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *v = at(doc, "authentication", "anonymous", "enabled");

	if (!doc)
		return;
	if (!json_is_boolean(v))
		check_skip(res, PARSE_FAILED ": no authentication.anonymous.enabled");
	else if (json_is_true(v))
		check_fail(res, "anonymous authentication is configured");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04020200(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *v = at(doc, "authorization", "mode", NULL);

	if (!doc)
		return;
	if (!json_is_string(v))
		check_skip(res, PARSE_FAILED ": no authorization.mode");
	else if (strcmp(json_string_value(v), "AlwaysAllow") == 0)
		check_fail(res, "AlwaysAllow authorization is configured");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04020300(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *v = at(doc, "authentication", "x509", "clientCAFile");

	if (!doc)
		return;
	if (!json_is_string(v))
		check_skip(res, PARSE_FAILED ": no authentication.x509.clientCAFile");
	else if (has_dotdot(v))
		check_skip(res, DOTDOT_SKIP, "clientCAFile", json_string_value(v));
	else if (exists_nonempty(host, v))
		check_pass(res);
	else
		check_fail(res, "CA file not set to expected path");
	json_decref(doc);
}

static void k8s04020400(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *v = json_object_get(doc, "readOnlyPort");

	if (!doc)
		return;
	if (!json_is_integer(v))
		check_skip(res, PARSE_FAILED ": no readOnlyPort");
	else if (json_integer_value(v) != 0)
		check_fail(res, "Kubelet readOnlyPort not set to 0");
	else
		check_pass(res);
	json_decref(doc);
}

/* A duration of zero: 0, "0", "0s", "0h0m0s". */
static bool is_zero_duration(const json_t *v)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) == 0;
	if (!s || !strchr("0123456789", s[0]) || !s[0])
		return false;
	return strspn(s, "0.hms") == strlen(s);
}

static void k8s04020500(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);

	if (!doc)
		return;
	/* Normally absent: the kubelet's default (4h) holds. */
	if (is_zero_duration(json_object_get(doc, "streamingConnectionIdleTimeout")))
		check_fail(res, "Kubelet streamingConnectionIdleTimeout is set to 0");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04020600(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);

	if (!doc)
		return;
	if (json_is_false(json_object_get(doc, "makeIPTablesUtilChains")))
		check_fail(res, "Kubelet makeIPTablesUtilChains is disabled");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04020900(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *cert = json_object_get(doc, "tlsCertFile");
	const json_t *key = json_object_get(doc, "tlsPrivateKeyFile");

	if (!doc)
		return;
	/* Without both, the kubelet bootstraps its serving certificate. */
	if (has_dotdot(cert) || has_dotdot(key))
		check_skip(res, DOTDOT_SKIP, has_dotdot(cert) ? "tlsCertFile" : "tlsPrivateKeyFile",
			   json_string_value(has_dotdot(cert) ? cert : key));
	else if (!json_is_string(cert) || !json_is_string(key) ||
	    (exists_nonempty(host, cert) && exists_nonempty(host, key)))
		check_pass(res);
	else
		check_fail(res, "TLS files not set to expected path");
	json_decref(doc);
}

static void k8s04021000(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);

	if (!doc)
		return;
	if (json_is_true(json_object_get(doc, "rotateCertificates")))
		check_pass(res);
	else
		check_fail(res, "Kubelet rotateCertificates is disabled");
	json_decref(doc);
}

static void k8s04021100(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);

	if (!doc)
		return;
	/* On by default since Kubernetes 1.12. */
	if (json_is_false(at(doc, "featureGates", "RotateKubeletServerCertificate", NULL)))
		check_fail(res, "Kubelet RotateKubeletServerCertificate is disabled");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04021200(const struct check_host *host, struct check_result *res)
{
	static const char *const strong[] = {
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	};
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *suites = json_object_get(doc, "tlsCipherSuites");
	size_t i;
	json_t *s;

	if (!doc)
		return;
	if (!json_is_array(suites)) {
		check_skip(res, PARSE_FAILED ": no tlsCipherSuites");
		json_decref(doc);
		return;
	}
	check_pass(res);
	json_array_foreach(suites, i, s) {
		bool is_strong = false;

		for (size_t k = 0; json_is_string(s) && k < N(strong); k++)
			is_strong |= strcmp(json_string_value(s), strong[k]) == 0;
		if (!is_strong) {
			check_fail(res, "Found disallowed cipher suites (%s)",
				   json_is_string(s) ? json_string_value(s) : "not a string");
			break;
		}
	}
	json_decref(doc);
}

static void k8s04021300(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *v = json_object_get(doc, "podPidsLimit");

	if (!doc)
		return;
	if (!json_is_integer(v))
		check_fail(res, "podPidsLimit is not configured");
	else if (json_integer_value(v) <= 0)
		check_fail(res, "podPidsLimit is unrestricted");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04021400(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, config_path(host), res);
	const json_t *v = json_object_get(doc, "seccompDefault");

	if (!doc)
		return;
	if (!json_is_boolean(v))
		check_fail(res, "Kubelet seccompDefault is not configured or set to true");
	else if (!json_is_true(v))
		check_fail(res, "Kubelet seccompDefault is not set to true");
	else
		check_pass(res);
	json_decref(doc);
}

static void k8s04030100(const struct check_host *host, struct check_result *res)
{
	json_t *doc = load_config(host, KUBEPROXY_CONF, res);
	const char *addr;

	if (!doc)
		return;
	addr = json_string_value(json_object_get(doc, "metricsBindAddress"));
	/* Absent: 127.0.0.1:10249. */
	if (addr && (strstr(addr, "0.0.0.0") || strstr(addr, "[::]")))
		check_fail(res, "Kubelet metricsBindAddress binds to more than localhost");
	else
		check_pass(res);
	json_decref(doc);
}

static void manual(const struct check_host *host, struct check_result *res)
{
	(void)host;
	check_skip(res, CHECK_MANUAL_TEXT);
}

#define T_411_OLD "Ensure that the kubelet service file permissions are set to 644 or more restrictive"
#define T_411_NEW "Ensure that the kubelet service file permissions are set to 600 or more restrictive"
#define T_413_OLD "If proxy kubeconfig file exists ensure permissions are set to 644 or more restrictive"
#define T_413_NEW "If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive"
#define T_415_OLD "Ensure that the --kubeconfig kubelet.conf file permissions are set to 644 or more restrictive"
#define T_415_NEW "Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive"
#define T_417_OLD "Ensure that the certificate authorities file permissions are set to 600 or more restrictive"
#define T_417_NEW "Ensure that the certificate authorities file permissions are set to 644 or more restrictive"
#define T_424_OLD "Verify that the --read-only-port argument is set to 0"
#define T_424_NEW "Verify that if defined, readOnlyPort is set to 0"

size_t cis_k8s_checks(const struct check_host *host, struct check_def *out, size_t max)
{
	bool old = is_old(host);
	bool has_proxy = !old && fsroot_exists(host->root, KUBEPROXY_CONF);
	const struct check_def all[] = {
		{ "k8s04010100", "4.1.1", 1, old ? T_411_OLD : T_411_NEW, false, k8s04010100 },
		{ "k8s04010200", "4.1.2", 1, "Ensure that the kubelet service file ownership is set to root:root", false, k8s04010200 },
		{ "k8s04010300", "4.1.3", 1, old ? T_413_OLD : T_413_NEW, !has_proxy, has_proxy ? k8s04010300 : manual },
		{ "k8s04010400", "4.1.4", 1, "If proxy kubeconfig file exists ensure ownership is set to root:root", !has_proxy, has_proxy ? k8s04010400 : manual },
		{ "k8s04010500", "4.1.5", 1, old ? T_415_OLD : T_415_NEW, false, k8s04010500 },
		{ "k8s04010600", "4.1.6", 1, "Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root", false, k8s04010600 },
		{ "k8s04010700", "4.1.7", 1, old ? T_417_OLD : T_417_NEW, false, k8s04010700 },
		{ "k8s04010800", "4.1.8", 1, "Ensure that the client certificate authorities file ownership is set to root:root", false, k8s04010800 },
		{ "k8s04010900", "4.1.9", 1, "If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive", false, k8s04010900 },
		{ "k8s04011000", "4.1.10", 1, "If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root", false, k8s04011000 },
		{ "k8s04020100", "4.2.1", 1, "Ensure that the --anonymous-auth argument is set to false", false, k8s04020100 },
		{ "k8s04020200", "4.2.2", 1, "Ensure that the --authorization-mode argument is not set to AlwaysAllow", false, k8s04020200 },
		{ "k8s04020300", "4.2.3", 1, "Ensure that the --client-ca-file argument is set as appropriate", false, k8s04020300 },
		{ "k8s04020400", "4.2.4", 1, old ? T_424_OLD : T_424_NEW, false, k8s04020400 },
		{ "k8s04020500", "4.2.5", 1, "Ensure that the --streaming-connection-idle-timeout argument is not set to 0", false, k8s04020500 },
		{ "k8s04020600", "4.2.6", 1, "Ensure that the --make-iptables-util-chains argument is set to true", false, k8s04020600 },
		{ "k8s04020700", "4.2.7", 1, "Ensure that the --hostname-override argument is not set (not valid for Bottlerocket)", true, manual },
		{ "k8s04020800", "4.2.8", 2, "Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture", true, manual },
		{ "k8s04020900", "4.2.9", 1, "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", false, k8s04020900 },
		old ? (struct check_def){ "k8s04021000", "4.2.10", 1, "Ensure that the --rotate-certificates argument is not set to false (not valid for Bottlerocket)", true, manual }
		    : (struct check_def){ "k8s04021000", "4.2.10", 1, "Ensure that the --rotate-certificates argument is not set to false", false, k8s04021000 },
		{ "k8s04021100", "4.2.11", 1, "Verify that the RotateKubeletServerCertificate argument is set to true", false, k8s04021100 },
		{ "k8s04021200", "4.2.12", 1, "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers", false, k8s04021200 },
		{ "k8s04021300", "4.2.13", 1, "Ensure that a limit is set on pod PIDs", false, k8s04021300 },
		{ "k8s04021400", "4.2.14", 1, "Ensure that the --seccomp-default parameter is set to true", false, k8s04021400 },
		{ "k8s04021500", "4.2.15", 2, "Ensure that the --IPAddressDeny is set to any", true, manual },
		{ "k8s04030100", "4.3.1", 1, "Ensure that the kube-proxy metrics service is bound to localhost", !has_proxy, has_proxy ? k8s04030100 : manual },
	};
	size_t n = old ? 23 : N(all);

	for (size_t i = 0; i < n && i < max; i++)
		out[i] = all[i];
	return n < max ? n : max;
}
