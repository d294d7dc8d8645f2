/* The EC2 steps of `nat up`: IMDS, credentials, endpoint, then what
 * eni_id, eip_id and cwagent_enabled ask. */
#include "cmd/natec2.h"

#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/creds.h"
#include "aws/ec2.h"
#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/imds.h"
#include "cmd/cmd.h"
#include "cmd/natplan.h"
#include "host/fsroot.h"
#include "host/rtnl.h"
#include "model/knob.h"

extern char **environ;

bool natec2_is_wanted(const struct nat_config *config)
{
	return config->eni_id[0] || config->eip_id[0] || config->cwagent_enabled;
}

void natec2_print_dry_run(const struct nat_config *config)
{
	if (config->eni_id[0]) {
		printf("would turn off source/dest check on the primary ENI (ec2 ModifyNetworkInterfaceAttribute)\n");
		printf("would attach %s at device index 1 (ec2 AttachNetworkInterface), then set rp_filter 0 on every interface\n",
		       config->eni_id);
	}
	if (config->eip_id[0])
		printf("would associate %s with the primary ENI (ec2 AssociateAddress, reassociation allowed)\n",
		       config->eip_id);
	if (config->cwagent_enabled && config->cwagent_cfg_param_name[0])
		printf("would start the CloudWatch agent with ssm:%s\n",
		       config->cwagent_cfg_param_name);
}

static void note_done(struct natec2_result *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note_done(struct natec2_result *out, const char *fmt, ...)
{
	size_t n = strlen(out->done_on_ec2);
	va_list ap;

	if (n && n + 2 < sizeof(out->done_on_ec2)) {
		memcpy(out->done_on_ec2 + n, ", ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->done_on_ec2 + n, sizeof(out->done_on_ec2) - n, fmt, ap);
	va_end(ap);
}

void natec2_name_done(const struct natec2_result *result, struct bw_err *err)
{
	size_t n = strlen(err->msg);

	if (result->done_on_ec2[0])
		snprintf(err->msg + n, sizeof(err->msg) - n, "; already done on EC2: %s",
			 result->done_on_ec2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The bound of a wait, in seconds: the default, or shorter for tests. */
static double wait_s(const char *env, long dflt_ms)
{
	return (double)aws_http_env_ms(env, dflt_ms, 100, dflt_ms) / 1000;
}

static bool env_is_true(const char *name)
{
	const char *v = getenv(name);

	return v && strcasecmp(v, "true") == 0;
}

static int choose_endpoint(const char *root, const struct nat_config *config,
			   struct aws_ec2 *ec2, struct bw_err *err)
{
	char fips[16] = "";
	struct bw_err ignored;
	struct aws_endpoint_input in = {
		.region = ec2->region,
		.fips = config->fips_endpoints,
		.is_env_fips = env_is_true("AWS_USE_FIPS_ENDPOINT"),
		.url_ec2 = getenv("AWS_ENDPOINT_URL_EC2"),
		.url_all = getenv("AWS_ENDPOINT_URL"),
	};

	if (fsroot_read(root, "/proc/sys/crypto/fips_enabled", fips, sizeof(fips), &ignored) == 0)
		in.is_kernel_fips = strcmp(fips, "1") == 0;
	return aws_endpoint_choose(&in, &ec2->endpoint, err);
}

/* IAM policies written for fck-nat (terraform-aws-fck-nat, cdk-fck-nat)
 * grant no Describe*: a Describe refused is "unknown", not a failure. */
static bool is_unauthorized(const struct aws_ec2 *ec2)
{
	return strcmp(ec2->last_code, "UnauthorizedOperation") == 0 ||
	       strcmp(ec2->last_code, "AccessDenied") == 0;
}

/* DescribeNetworkInterfaces of one ENI: its MAC and, when attached, to
 * which instance. All "" when the role may not describe. */
static int describe_eni(struct aws_ec2 *ec2, const char *eni_id, char *mac, size_t mac_size,
			char *instance, size_t instance_size, struct bw_err *err)
{
	const struct aws_param params[] = { { "NetworkInterfaceId.1", eni_id } };
	const char *base = "DescribeNetworkInterfacesResponse/networkInterfaceSet/item/";
	struct aws_xml_doc reply;
	char path[160];
	const char *v;
	int rc = aws_ec2_call(ec2, "DescribeNetworkInterfaces", params, 1, &reply, err);

	mac[0] = instance[0] = '\0';
	if (rc < 0 && is_unauthorized(ec2))
		return 0;
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%smacAddress", base);
	v = aws_xml_get(&reply, path);
	snprintf(mac, mac_size, "%s", v && aws_is_mac(v) ? v : "");
	snprintf(path, sizeof(path), "%sattachment/instanceId", base);
	v = aws_xml_get(&reply, path);
	snprintf(instance, instance_size, "%s", v ? v : "");
	aws_xml_free(&reply);
	return 0;
}

/* Whether IMDS lists eni_id among this instance's interfaces, and its MAC:
 * needs no IAM permission at all. */
static int imds_find_eni(struct aws_imds *imds, const char *eni_id, char *mac, size_t mac_size,
			 bool *is_found, struct bw_err *err)
{
	char list[2048], id[32];
	char *line, *save = NULL;
	int rc = aws_imds_get(imds, "meta-data/network/interfaces/macs/", list, sizeof(list), err);

	*is_found = false;
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '/')
			line[--n] = '\0';
		if (!aws_is_mac(line))
			continue;
		rc = aws_imds_eni_of_mac(imds, line, id, sizeof(id), err);
		if (rc == -ENOENT) /* detached in between */
			continue;
		if (rc < 0)
			return rc;
		if (strcmp(id, eni_id) == 0) {
			snprintf(mac, mac_size, "%s", line);
			*is_found = true;
			return 0;
		}
	}
	return 0;
}

static int source_dest_check_off(struct aws_ec2 *ec2, struct natec2_result *out,
				 struct bw_err *err)
{
	const struct aws_param params[] = {
		{ "NetworkInterfaceId", out->primary_eni },
		{ "SourceDestCheck.Value", "false" },
	};
	struct aws_xml_doc reply;
	int rc = aws_ec2_call(ec2, "ModifyNetworkInterfaceAttribute", params, 2, &reply, err);

	if (rc < 0)
		return rc;
	aws_xml_free(&reply);
	note_done(out, "source/dest check off on %s", out->primary_eni);
	return 0;
}

static bool is_still_held(const char *code)
{
	return strstr(code, "InUse") || strstr(code, "IncorrectState") ||
	       strstr(code, "IncorrectInstanceState");
}

/* After InUse / IncorrectState: whether the holder is this instance (an
 * earlier try went through but its reply was lost), by IMDS, then by
 * DescribeNetworkInterfaces when the role may. */
static int is_held_by_us(struct aws_ec2 *ec2, struct aws_imds *imds, struct natec2_result *out,
			 bool *is_ours, struct bw_err *err)
{
	char mac[18], holder[32];
	int rc = imds_find_eni(imds, out->eni_id, out->eni_mac, sizeof(out->eni_mac), is_ours,
			       err);

	if (rc < 0 || *is_ours)
		return rc;
	rc = describe_eni(ec2, out->eni_id, mac, sizeof(mac), holder, sizeof(holder), err);
	if (rc == 0 && strcmp(holder, out->instance_id) == 0) {
		*is_ours = true;
		snprintf(out->eni_mac, sizeof(out->eni_mac), "%s", mac);
	}
	return rc;
}

/* The ENI's MAC from IMDS, polled: IMDS lists a new interface a few
 * seconds after the attachment. */
static int wait_eni_mac(struct aws_imds *imds, struct natec2_result *out, struct bw_err *err)
{
	const double bound_s = wait_s(NATEC2_LINK_WAIT_ENV, NATEC2_LINK_WAIT_MS);
	double deadline = now_s() + bound_s;
	bool is_found = false;
	int rc;

	while (!out->eni_mac[0]) {
		rc = imds_find_eni(imds, out->eni_id, out->eni_mac, sizeof(out->eni_mac),
				   &is_found, err);
		if (rc < 0)
			return rc;
		if (is_found)
			break;
		if (now_s() > deadline)
			return bw_errf(err, -ETIMEDOUT,
				       "%s is attached, but IMDS did not list it among the instance's interfaces within %g s",
				       out->eni_id, bound_s);
		aws_http_backoff(500);
	}
	return 0;
}

static int attach_eni(struct aws_ec2 *ec2, struct aws_imds *imds, struct natec2_result *out,
		      struct bw_err *err)
{
	const struct aws_param params[] = {
		{ "InstanceId", out->instance_id },
		{ "NetworkInterfaceId", out->eni_id },
		{ "DeviceIndex", "1" },
	};
	const double bound_s = wait_s(NATEC2_ATTACH_WAIT_ENV, NATEC2_ATTACH_WAIT_MS);
	double deadline = now_s() + bound_s;
	long wait_ms = 500;
	bool is_ours = false;
	int rc;

	rc = imds_find_eni(imds, out->eni_id, out->eni_mac, sizeof(out->eni_mac), &is_ours, err);
	if (rc < 0)
		return rc;
	if (is_ours) {
		out->was_attached = true;
		return 0;
	}
	for (;;) {
		struct aws_xml_doc reply;
		struct bw_err held_err;
		char code[sizeof(ec2->last_code)];
		const char *id;

		rc = aws_ec2_call(ec2, "AttachNetworkInterface", params, 3, &reply, err);
		if (rc == 0) {
			id = aws_xml_get(&reply, "AttachNetworkInterfaceResponse/attachmentId");
			snprintf(out->attachment_id, sizeof(out->attachment_id), "%s",
				 id ? id : "");
			aws_xml_free(&reply);
			note_done(out, "%s attached to %s", out->eni_id, out->instance_id);
			return wait_eni_mac(imds, out, err);
		}
		/* The old instance still holds it (HA takeover): wait. */
		if (!is_still_held(ec2->last_code))
			return rc;
		snprintf(code, sizeof(code), "%s", ec2->last_code);
		if (is_held_by_us(ec2, imds, out, &is_ours, &held_err) == 0 && is_ours) {
			note_done(out, "%s attached to %s", out->eni_id, out->instance_id);
			return wait_eni_mac(imds, out, err);
		}
		if (now_s() + (double)wait_ms / 1000 > deadline) {
			char why[sizeof(err->msg)];

			/* The reply's Message may not name the ENI (IncorrectState). */
			snprintf(why, sizeof(why), "%s", err->msg);
			return bw_errf(err, -EBUSY, "%s was still held after %g s of retries (%s)",
				       out->eni_id, bound_s, why);
		}
		cmd_note("%s is still held (%s); retrying in %.1f s", out->eni_id, code,
			 (double)wait_ms / 1000);
		aws_http_backoff(wait_ms);
		wait_ms = wait_ms * 2 > 8000 ? 8000 : wait_ms * 2;
	}
}

/* The attached ENI's link, by its MAC: names are the kernel's or udev's
 * choice, a MAC is the ENI's. */
static int find_eni_link(struct natec2_result *out, struct bw_err *err)
{
	const double bound_s = wait_s(NATEC2_LINK_WAIT_ENV, NATEC2_LINK_WAIT_MS);
	double deadline = now_s() + bound_s;
	struct rtnl nl = { 0 };
	bool is_found = false;
	int rc = rtnl_open(&nl, err);

	if (rc < 0)
		return rc;
	for (;;) {
		rc = rtnl_link_by_mac(&nl, out->eni_mac, out->eni_link, &is_found, err);
		if (rc < 0 || is_found)
			break;
		if (now_s() > deadline) {
			rc = bw_errf(err, -ETIMEDOUT,
				     "%s is attached, but no link with its MAC %s showed up within %g s",
				     out->eni_id, out->eni_mac, bound_s);
			break;
		}
		aws_http_backoff(100);
	}
	rtnl_close(&nl);
	return rc;
}

static int associate_eip(struct aws_ec2 *ec2, struct natec2_result *out, struct bw_err *err)
{
	const struct aws_param params[] = {
		{ "AllocationId", out->eip_id },
		{ "NetworkInterfaceId", out->primary_eni },
		{ "AllowReassociation", "true" },
	};
	struct aws_xml_doc reply;
	const char *id;
	int rc = aws_ec2_call(ec2, "AssociateAddress", params, 3, &reply, err);

	if (rc < 0)
		return rc;
	id = aws_xml_get(&reply, "AssociateAddressResponse/associationId");
	snprintf(out->association_id, sizeof(out->association_id), "%s", id ? id : "");
	aws_xml_free(&reply);
	note_done(out, "%s associated with %s", out->eip_id, out->primary_eni);
	return 0;
}

int natec2_up(const char *root, const struct nat_config *config, struct natec2_result *out,
	      struct bw_err *err)
{
	struct aws_instance instance;
	struct aws_creds *creds = calloc(1, sizeof(*creds));
	struct aws_imds imds = { 0 };
	struct aws_ec2 ec2 = { .creds = creds };
	int rc;

	*out = (struct natec2_result){ 0 };
	if (!creds)
		return bw_errf(err, -ENOMEM, "out of memory");
	rc = aws_imds_open(&imds, err);
	if (rc == 0)
		rc = aws_imds_instance(&imds, &instance, err);
	if (rc == 0)
		rc = aws_creds_find(&imds, creds, err);
	if (rc < 0)
		goto out;
	snprintf(out->instance_id, sizeof(out->instance_id), "%s", instance.instance_id);
	snprintf(out->region, sizeof(out->region), "%s", instance.region);
	snprintf(out->primary_eni, sizeof(out->primary_eni), "%s", instance.eni_id);
	snprintf(out->primary_mac, sizeof(out->primary_mac), "%s", instance.mac);
	snprintf(out->creds_source, sizeof(out->creds_source), "%s", creds->source);
	snprintf(ec2.region, sizeof(ec2.region), "%s", instance.region);
	rc = choose_endpoint(root, config, &ec2, err);
	if (rc < 0)
		goto out;
	snprintf(out->endpoint_url, sizeof(out->endpoint_url), "%s", ec2.endpoint.url);
	snprintf(out->endpoint_why, sizeof(out->endpoint_why), "%s", ec2.endpoint.why);
	out->is_endpoint_fips = ec2.endpoint.is_fips;
	if (config->eni_id[0]) {
		snprintf(out->eni_id, sizeof(out->eni_id), "%s", config->eni_id);
		rc = source_dest_check_off(&ec2, out, err);
		if (rc == 0)
			rc = attach_eni(&ec2, &imds, out, err);
		if (rc == 0)
			rc = find_eni_link(out, err);
	}
	if (rc == 0 && config->eip_id[0]) {
		snprintf(out->eip_id, sizeof(out->eip_id), "%s", config->eip_id);
		rc = associate_eip(&ec2, out, err);
	}
out:
	aws_imds_close(&imds);
	if (rc < 0)
		natec2_name_done(out, err);
	aws_creds_wipe(creds);
	free(creds);
	return rc;
}

static bool has_knob(const struct vec *knobs, const char *path)
{
	for (size_t i = 0; i < knobs->len; i++)
		if (strcmp(VEC_AT(knobs, struct knob, i)->path, path) == 0)
			return true;
	return false;
}

int natec2_rp_filter_knobs(const char *root, struct vec *knobs, struct bw_err *err)
{
	char dir_path[4096];
	struct dirent *entry;
	DIR *dir;
	int rc = fsroot_path(root, "/proc/sys/net/ipv4/conf", dir_path, sizeof(dir_path));

	if (rc < 0)
		return bw_errf(err, rc, "%s/proc/sys/net/ipv4/conf: path too long", root);
	dir = opendir(dir_path);
	if (!dir && errno == ENOENT) /* a fake root without it */
		return 0;
	if (!dir)
		return bw_errf(err, -errno, "%s: %s", dir_path, strerror(errno));
	while ((entry = readdir(dir))) {
		struct knob knob = { .value = "0" };

		if (entry->d_name[0] == '.')
			continue;
		if (snprintf(knob.path, sizeof(knob.path), "/proc/sys/net/ipv4/conf/%s/rp_filter",
			     entry->d_name) >= (int)sizeof(knob.path) || has_knob(knobs, knob.path))
			continue;
		if (vec_push(knobs, &knob) < 0) {
			rc = bw_errf(err, -ENOMEM, "out of memory");
			break;
		}
	}
	closedir(dir);
	return rc;
}

/* Waits up to timeout_s for pid; 1 when it ended (status filled), 0 when
 * it did not and was killed (a hung agent control must not stall boot). */
static int wait_bounded(pid_t pid, int timeout_s, int *status)
{
	double deadline = now_s() + timeout_s;

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno != EINTR))
			return 1;
		if (now_s() > deadline)
			break;
		aws_http_backoff(100);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

void natec2_warn_nat64(const char *root)
{
	if (fsroot_exists(root, NATEC2_JOOL))
		cmd_warn("%s is installed: fck-nat's nat64 images translate 64:ff9b::/96 with it, but bulwark does not run NAT64; IPv6-only clients behind this gateway lose IPv4 destinations",
			 NATEC2_JOOL);
}

void natec2_cwagent(const char *root, const struct nat_config *config,
		    struct natec2_result *out)
{
	char ctl[4096], source[2100];
	char *argv[] = { ctl, "-a", "fetch-config", "-m", "ec2", "-s", "-c", source, NULL };
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int status, spawn_rc;

	if (!config->cwagent_enabled)
		return;
	if (!config->cwagent_cfg_param_name[0]) {
		cmd_warn("cwagent_enabled is set but cwagent_cfg_param_name is empty: the CloudWatch agent was not started (it needs both)");
		snprintf(out->cwagent, sizeof(out->cwagent), "not started: no cwagent_cfg_param_name");
		return;
	}
	if (fsroot_path(root, NATEC2_CWAGENT_CTL, ctl, sizeof(ctl)) < 0 || access(ctl, X_OK) != 0) {
		cmd_warn("cwagent_enabled is set, but the CloudWatch agent is not installed (no %s): metrics are not sent",
			 NATEC2_CWAGENT_CTL);
		snprintf(out->cwagent, sizeof(out->cwagent), "not installed");
		return;
	}
	snprintf(source, sizeof(source), "ssm:%s", config->cwagent_cfg_param_name);
	fflush(NULL);
	/* A server blocks SIGTERM and SIGINT for its signalfd: the agent's
	 * control gets an empty mask, as from a shell. */
	spawn_rc = posix_spawnattr_init(&attr);
	if (spawn_rc == 0) {
		sigemptyset(&none);
		spawn_rc = posix_spawnattr_setsigmask(&attr, &none);
		if (spawn_rc == 0)
			spawn_rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
		if (spawn_rc == 0)
			spawn_rc = posix_spawn(&pid, ctl, NULL, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
	}
	if (spawn_rc != 0) {
		cmd_warn("the CloudWatch agent would not start: %s", strerror(spawn_rc));
		snprintf(out->cwagent, sizeof(out->cwagent), "failed to start");
		return;
	}
	if (wait_bounded(pid, NATEC2_CWAGENT_WAIT_S, &status) == 0) {
		cmd_warn("%s did not finish within %d s and was killed: the CloudWatch agent may not be running",
			 NATEC2_CWAGENT_CTL, NATEC2_CWAGENT_WAIT_S);
		snprintf(out->cwagent, sizeof(out->cwagent), "agent control hung; killed after %d s",
			 NATEC2_CWAGENT_WAIT_S);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(out->cwagent, sizeof(out->cwagent), "started with ssm:%.140s",
			 config->cwagent_cfg_param_name);
		return;
	}
	cmd_warn("%s exited with status %d: the CloudWatch agent may not be running",
		 NATEC2_CWAGENT_CTL, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	snprintf(out->cwagent, sizeof(out->cwagent), "agent control failed");
}

static int state_path(const char *state_dir, char *out, size_t size, struct bw_err *err)
{
	return fsroot_join(out, size, state_dir, NATEC2_STATE_FILE, err);
}

int natec2_save(const char *root, const char *state_dir, const struct natec2_result *r,
		struct bw_err *err)
{
	char path[4096];
	json_t *doc;
	int rc = state_path(state_dir, path, sizeof(path), err);

	if (rc < 0)
		return rc;
	doc = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:b}, s:s, s:s?, s:s?, s:s?, s:s?, s:b, s:s?, s:s?, s:s?}",
			"instance_id", r->instance_id, "region", r->region,
			"primary_eni", "id", r->primary_eni, "mac", r->primary_mac,
			"endpoint", "url", r->endpoint_url, "why", r->endpoint_why,
			"fips", r->is_endpoint_fips,
			"credentials", r->creds_source,
			"eni_id", r->eni_id[0] ? r->eni_id : NULL,
			"eni_link", r->eni_link[0] ? r->eni_link : NULL,
			"eni_mac", r->eni_mac[0] ? r->eni_mac : NULL,
			"attachment_id", r->attachment_id[0] ? r->attachment_id : NULL,
			"eni_was_attached", r->was_attached,
			"eip_id", r->eip_id[0] ? r->eip_id : NULL,
			"association_id", r->association_id[0] ? r->association_id : NULL,
			"cwagent", r->cwagent[0] ? r->cwagent : NULL);
	if (!doc)
		return bw_errf(err, -ENOMEM, "out of memory");
	return fsroot_replace_json(root, path, doc, 0, err);
}

json_t *natec2_load(const char *root, const char *state_dir)
{
	char path[4096], full[4096];
	struct bw_err ignored;

	if (state_path(state_dir, path, sizeof(path), &ignored) < 0 ||
	    fsroot_path(root, path, full, sizeof(full)) < 0)
		return NULL;
	return json_load_file(full, JSON_REJECT_DUPLICATES, NULL);
}

int natec2_forget(const char *root, const char *state_dir, struct bw_err *err)
{
	char path[4096];
	int rc = state_path(state_dir, path, sizeof(path), err);

	if (rc < 0 || !fsroot_exists(root, path))
		return rc;
	return fsroot_remove(root, path, err);
}

int natec2_prepare(const char *root, const struct natplan_request *request,
		   struct nat_plan *plan, struct natec2_result *out, struct bw_err *err)
{
	int rc;

	/* cwagent alone needs neither IMDS nor the EC2 API. */
	if (!plan->config.eni_id[0] && !plan->config.eip_id[0])
		return 0;
	rc = natec2_up(root, &plan->config, out, err);
	if (rc < 0 || !out->eni_link[0])
		return rc;
	natplan_free(plan);
	natplan_init(plan);
	rc = natplan_build_for(root, request, plan, err);
	if (rc == 0)
		rc = natec2_rp_filter_knobs(root, &plan->knobs, err);
	if (rc < 0)
		natec2_name_done(out, err);
	return rc;
}

static void print_line(const char *label, const char *value)
{
	if (value && value[0])
		printf("%-18s %s\n", label, value);
}

/* A recorded string, NULL when absent, null or empty. */
static const char *recorded(const json_t *object, const char *key)
{
	const char *v = json_string_value(json_object_get(object, key));

	return v && v[0] ? v : NULL;
}

/* The attached ENI's link, if still on this host: the name nat up
 * recorded ("" when no link has it now: another instance took the ENI
 * over), NULL when none was recorded. A link of another kind may share
 * the ENI's MAC, so the name decides. */
static const char *eni_link_now(const json_t *ec2, char *ifname)
{
	const char *link = json_string_value(json_object_get(ec2, "eni_link"));

	if (!link || !link[0])
		return NULL;
	snprintf(ifname, IF_NAMESIZE, "%s", if_nametoindex(link) != 0 ? link : "");
	return ifname;
}

void natec2_status(const char *root, const char *state_dir, json_t *doc)
{
	json_t *ec2 = natec2_load(root, state_dir);
	const json_t *endpoint, *primary;
	const char *eni, *link, *eip, *assoc, *now;
	char line[640], ifname[IF_NAMESIZE] = "";

	now = ec2 ? eni_link_now(ec2, ifname) : NULL;
	if (ec2 && now)
		json_object_set_new(ec2, "eni_link_now", now[0] ? json_string(now) : json_null());
	if (doc) {
		json_object_set_new(doc, "ec2", ec2 ? ec2 : json_null());
		return;
	}
	if (!ec2)
		return;
	endpoint = json_object_get(ec2, "endpoint");
	primary = json_object_get(ec2, "primary_eni");
	eni = recorded(ec2, "eni_id");
	/* cwagent alone contacts neither IMDS nor EC2: nothing to show. */
	if (recorded(ec2, "instance_id")) {
		print_line("instance", recorded(ec2, "instance_id"));
		print_line("region", recorded(ec2, "region"));
		print_line("credentials", recorded(ec2, "credentials"));
		snprintf(line, sizeof(line), "%s (%s)", recorded(endpoint, "url") ?: "?",
			 recorded(endpoint, "why") ?: "?");
		print_line("ec2 endpoint", line);
		snprintf(line, sizeof(line), "%s, source/dest check %s",
			 recorded(primary, "id") ?: "?", eni ? "off" : "as EC2 has it");
		print_line("primary eni", line);
	}
	link = recorded(ec2, "eni_link");
	if (eni && now && !now[0])
		snprintf(line, sizeof(line), "%s: no link here has its MAC now (attached as %s at "
			 "nat up: another instance may hold it)", eni, link ? link : "?");
	else if (eni)
		snprintf(line, sizeof(line), "%s attached at device index 1 as %s%s", eni,
			 now && now[0] ? now : link ? link : "?",
			 json_is_true(json_object_get(ec2, "eni_was_attached")) ?
			 " (was already attached)" : "");
	if (eni)
		print_line("eni", line);
	eip = recorded(ec2, "eip_id");
	assoc = recorded(ec2, "association_id");
	if (eip) {
		snprintf(line, sizeof(line), "%s associated with the primary eni (%s)", eip,
			 assoc ? assoc : "no association id");
		print_line("eip", line);
	}
	print_line("cloudwatch agent", recorded(ec2, "cwagent"));
	json_decref(ec2);
}

void natec2_print_done(const struct natec2_result *r)
{
	if (!r->instance_id[0])
		return;
	printf("nat: ec2 %s in %s through %s (%s)\n", r->instance_id, r->region, r->endpoint_url,
	       r->endpoint_why);
	if (r->eni_id[0])
		printf("nat: source/dest check off on %s; %s %s at device index 1 as %s\n",
		       r->primary_eni, r->eni_id, r->was_attached ? "was already attached" : "attached",
		       r->eni_link);
	if (r->eip_id[0])
		printf("nat: %s associated with %s (%s)\n", r->eip_id, r->primary_eni,
		       r->association_id);
}
