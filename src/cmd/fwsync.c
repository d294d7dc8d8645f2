/* bulwark fw sync: one VPC's firewall model from the EC2 API. */
#include "cmd/fwsync.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "aws/creds.h"
#include "aws/describe.h"
#include "aws/ec2.h"
#include "aws/endpoints.h"
#include "aws/imds.h"
#include "conf/awsjson.h"
#include "host/awsdir.h"
#include "host/awslock.h"
#include "host/fsroot.h"

struct sync {
	const struct bw_globals *globals;
	const char *state_dir;
	bool is_dry_run;
	char vpc_id[32];
	char region[40];
	char dir[PATH_MAX]; /* the kept folder, under the root */
	unsigned n_calls;
};

/* One document of the folder: its name in it and its text. */
struct doc {
	char name[96];
	char *text;
};

struct docs {
	struct doc items[AWS_DESCRIBE_N + 256];
	size_t n;
};

static void docs_free(struct docs *docs)
{
	for (size_t i = 0; i < docs->n; i++)
		free(docs->items[i].text);
	docs->n = 0;
}

static bool env_is_true(const char *name)
{
	const char *v = getenv(name);

	return v && strcasecmp(v, "true") == 0;
}

/* The region and VPC: the environment and --vpc first, then IMDS (the
 * primary interface's VPC). */
static int find_place(struct sync *s, const char *vpc_opt, struct bw_err *err)
{
	const char *region = getenv("AWS_REGION");
	struct aws_instance instance;
	struct aws_imds imds;
	char path[160], vpc_id[32] = "", where[40] = "";
	int rc;

	if (!region || !region[0])
		region = getenv("AWS_DEFAULT_REGION");
	if (region && region[0])
		snprintf(where, sizeof(where), "%s", region);
	if (vpc_opt)
		snprintf(vpc_id, sizeof(vpc_id), "%s", vpc_opt);
	rc = 0;
	if (!where[0] || !vpc_id[0]) {
		rc = aws_imds_open(&imds, err);
		if (rc == 0)
			rc = aws_imds_instance(&imds, &instance, err);
		if (rc == 0 && !where[0])
			snprintf(where, sizeof(where), "%s", instance.region);
		if (rc == 0 && !vpc_id[0]) {
			snprintf(path, sizeof(path), "meta-data/network/interfaces/macs/%s/vpc-id",
				 instance.mac);
			rc = aws_imds_get(&imds, path, vpc_id, sizeof(vpc_id), err);
			if (rc == 0 && !aws_is_id(vpc_id, "vpc-"))
				rc = bw_errf(err, -EPROTO,
					     "imds: the primary interface's vpc-id is not a VPC id");
		}
		aws_imds_close(&imds);
	}
	if (rc == 0 && !aws_region_is_valid(where))
		rc = bw_err_input(err, "fw sync: '%.40s' is not a region", where);
	if (rc < 0)
		return rc;
	snprintf(s->region, sizeof(s->region), "%s", where);
	snprintf(s->vpc_id, sizeof(s->vpc_id), "%s", vpc_id);
	return 0;
}

/* Credentials as the SDKs find them, and the endpoint: each round, so a
 * role's rotated keys are taken up. */
static int open_ec2(struct sync *s, struct aws_ec2 *ec2, struct aws_creds *creds,
		    struct bw_err *err)
{
	struct aws_endpoint_input in = {
		.region = s->region,
		.fips = NAT_AUTO,
		.is_env_fips = env_is_true("AWS_USE_FIPS_ENDPOINT"),
		.url_ec2 = getenv("AWS_ENDPOINT_URL_EC2"),
		.url_all = getenv("AWS_ENDPOINT_URL"),
	};
	const char *key = getenv("AWS_ACCESS_KEY_ID");
	struct bw_err ignored;
	struct aws_imds imds;
	char fips[16] = "";
	int rc;

	/* Set but empty is unset, as aws_creds_find takes it. */
	if (key && key[0]) {
		rc = aws_creds_find(NULL, creds, err);
	} else {
		rc = aws_imds_open(&imds, err);
		if (rc == 0)
			rc = aws_creds_find(&imds, creds, err);
		aws_imds_close(&imds);
	}
	if (rc < 0)
		return rc;
	if (fsroot_read(s->globals->root, "/proc/sys/crypto/fips_enabled", fips, sizeof(fips),
			&ignored) == 0)
		in.is_kernel_fips = strcmp(fips, "1") == 0;
	*ec2 = (struct aws_ec2){ .creds = creds };
	snprintf(ec2->region, sizeof(ec2->region), "%s", s->region);
	return aws_endpoint_choose(&in, &ec2->endpoint, err);
}

/* Every page of one action, merged: a page that fails fails the whole. */
static int fetch_all(struct aws_ec2 *ec2, enum aws_describe what, const struct aws_param *base,
		     size_t n_base, json_t **out, struct bw_err *err)
{
	const struct aws_describe_info *info = aws_describe_info(what);
	struct aws_param params[8];
	char max[16], *token = NULL;
	json_t *all = NULL;
	int rc = 0;

	snprintf(max, sizeof(max), "%d", info->max_results);
	memcpy(params, base, n_base * sizeof(*params));
	params[n_base] = (struct aws_param){ "MaxResults", max };
	for (int page = 0;; page++) {
		size_t n = n_base + 1;
		char *body = NULL, *next = NULL;
		size_t len = 0;
		json_t *doc = NULL;

		if (page >= FWSYNC_MAX_PAGES) {
			rc = bw_errf(err, -E2BIG, "ec2 %s: more than %d pages", info->action,
				     FWSYNC_MAX_PAGES);
			break;
		}
		if (token)
			params[n++] = (struct aws_param){ "NextToken", token };
		rc = aws_ec2_call_raw(ec2, info->action, params, n, &body, &len, err);
		if (rc == 0)
			rc = aws_describe_page(what, body, len, &doc, &next, err);
		free(body);
		if (rc == 0 && !all) {
			all = doc;
			doc = NULL;
		} else if (rc == 0) {
			rc = aws_describe_merge(what, all, doc, err);
		}
		json_decref(doc);
		if (rc == 0 && next && token && strcmp(next, token) == 0)
			rc = bw_errf(err, -EPROTO, "ec2 %s: NextToken did not move on", info->action);
		free(token);
		token = next;
		if (rc < 0 || !token)
			break;
	}
	free(token);
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	aws_describe_sort(what, all);
	*out = all;
	return 0;
}

static int add_doc(struct docs *docs, const char *name, json_t *doc, struct bw_err *err)
{
	struct doc *d;
	char *text;

	if (docs->n >= sizeof(docs->items) / sizeof(docs->items[0]))
		return bw_errf(err, -E2BIG, "fw sync: more than %zu prefix lists referenced",
			       sizeof(docs->items) / sizeof(docs->items[0]) - AWS_DESCRIBE_N);
	d = &docs->items[docs->n];
	snprintf(d->name, sizeof(d->name), "%s", name);
	text = json_dumps(doc, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	/* The AWS CLI ends its output with a newline too. */
	if (!text || asprintf(&d->text, "%s\n", text) < 0) {
		free(text);
		d->text = NULL;
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	free(text);
	docs->n++;
	return 0;
}

/* The prefix lists the groups' rules name, each once. */
static json_t *referenced_prefix_lists(json_t *groups)
{
	json_t *sgs = json_object_get(groups, "SecurityGroups");
	json_t *ids = json_object();

	for (size_t i = 0; ids && i < json_array_size(sgs); i++) {
		for (int egress = 0; egress < 2; egress++) {
			json_t *perms = json_object_get(json_array_get(sgs, i), egress ?
							"IpPermissionsEgress" : "IpPermissions");

			for (size_t j = 0; j < json_array_size(perms); j++) {
				json_t *refs = json_object_get(json_array_get(perms, j),
							       "PrefixListIds");

				for (size_t k = 0; k < json_array_size(refs); k++) {
					const char *id = json_string_value(
						json_object_get(json_array_get(refs, k), "PrefixListId"));

					if (id && json_object_set_new(ids, id, json_true()) < 0) {
						json_decref(ids);
						return NULL;
					}
				}
			}
		}
	}
	return ids;
}

static int fetch(struct sync *s, struct aws_ec2 *ec2, struct docs *docs, struct bw_err *err)
{
	static const enum aws_describe order[] = {
		AWS_DESCRIBE_VPCS, AWS_DESCRIBE_SUBNETS, AWS_DESCRIBE_SECURITY_GROUPS,
		AWS_DESCRIBE_NETWORK_ACLS, AWS_DESCRIBE_INSTANCES,
		AWS_DESCRIBE_NETWORK_INTERFACES,
	};
	const struct aws_param by_vpc[] = {
		{ "Filter.1.Name", "vpc-id" }, { "Filter.1.Value.1", s->vpc_id },
	};
	json_t *groups = NULL, *ids = NULL;
	const char *id;
	json_t *value;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(order) / sizeof(order[0]); i++) {
		json_t *doc = NULL;

		rc = fetch_all(ec2, order[i], by_vpc, 2, &doc, err);
		if (rc == 0)
			rc = add_doc(docs, aws_describe_info(order[i])->file, doc, err);
		if (rc == 0 && order[i] == AWS_DESCRIBE_SECURITY_GROUPS)
			groups = json_incref(doc);
		json_decref(doc);
	}
	if (rc == 0 && !(ids = referenced_prefix_lists(groups)))
		rc = bw_errf(err, -ENOMEM, "out of memory");
	json_object_foreach(ids, id, value) {
		const struct aws_param by_id[] = { { "PrefixListId", id } };
		char name[96];
		json_t *doc = NULL;

		if (rc < 0)
			break;
		/* The id names a file: only an id of AWS's form. */
		if (!awsjson_is_id(id, "pl-")) {
			rc = bw_errf(err, -EPROTO, "ec2 DescribeSecurityGroups: a rule names '%.40s', "
				     "not a prefix list id", id);
			break;
		}
		snprintf(name, sizeof(name), "prefix-lists/%s.json", id);
		rc = fetch_all(ec2, AWS_DESCRIBE_PREFIX_LIST_ENTRIES, by_id, 1, &doc, err);
		if (rc == 0)
			rc = add_doc(docs, name, doc, err);
		json_decref(doc);
	}
	json_decref(ids);
	json_decref(groups);
	return rc;
}

static int write_docs(const char *dir, const struct docs *docs, struct bw_err *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < docs->n; i++) {
		char path[PATH_MAX];

		rc = fsroot_join(path, sizeof(path), dir, docs->items[i].name, err);
		if (rc == 0)
			rc = fsroot_replace("", path, docs->items[i].text, err);
	}
	return rc;
}

static bool has_doc(const struct docs *docs, const char *name)
{
	for (size_t i = 0; i < docs->n; i++)
		if (strcmp(docs->items[i].name, name) == 0)
			return true;
	return false;
}

/* Removes a folder's *.json files docs does not hold (prefix lists no
 * rule names any more), then, when is_all, the folder. */
static void remove_others(const char *dir, const struct docs *docs, const char *sub,
			  bool is_all)
{
	char folder[PATH_MAX];
	struct dirent *entry;
	struct bw_err ignored;
	DIR *d;

	if (fsroot_join(folder, sizeof(folder), dir, sub, &ignored) < 0 || !(d = opendir(folder)))
		return;
	while ((entry = readdir(d))) {
		char name[PATH_MAX], path[PATH_MAX];
		size_t len = strlen(entry->d_name);

		if (len < 6 || strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", sub[0] ? sub : "", sub[0] ? "/" : "",
			 entry->d_name);
		if ((is_all || !has_doc(docs, name)) &&
		    fsroot_join(path, sizeof(path), dir, name, &ignored) == 0)
			unlink(path);
	}
	closedir(d);
	if (is_all)
		rmdir(folder);
}

static void remove_folder(const char *dir, const struct docs *docs)
{
	remove_others(dir, docs, "prefix-lists", true);
	remove_others(dir, docs, "", true);
}

/* Whether the file at dir/name holds text already. */
static bool is_same(const char *dir, const struct doc *doc)
{
	char path[PATH_MAX];
	struct bw_err ignored;
	char *text = NULL;
	size_t len = 0;
	bool same;

	if (fsroot_join(path, sizeof(path), dir, doc->name, &ignored) < 0 ||
	    fsroot_slurp(path, AWSJSON_MAX_BYTES, &text, &len, &ignored) < 0)
		return false;
	same = len == strlen(doc->text) && memcmp(text, doc->text, len) == 0;
	free(text);
	return same;
}

/* Checks the documents read as a model (in a folder beside the kept one),
 * then brings the kept folder to them under its lock, writing only what
 * changed. */
static int keep(struct sync *s, const struct docs *docs, const char *staging,
		struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	char made[PATH_MAX];
	int lock_fd = -1;
	int rc;

	remove_folder(staging, docs);
	rc = write_docs(staging, docs, err);
	vpc_model_init(&model);
	if (rc == 0)
		rc = awsdir_load(staging, s->vpc_id, &model, &warnings, err);
	vpc_model_free(&model);
	vec_free(&warnings);
	/* A dry run loads from the folder checked; it removes it after. */
	if (rc < 0 || !s->is_dry_run)
		remove_folder(staging, docs);
	if (rc < 0 || s->is_dry_run)
		return rc;
	/* The kept folder exists before it can be locked; nothing in it is
	 * written before (an edit reading it holds the lock). */
	rc = fsroot_make_dir("", s->dir, made, sizeof(made), err);
	if (rc < 0)
		return rc;
	rc = awslock_acquire(s->dir, &lock_fd, err);
	for (size_t i = 0; rc == 0 && i < docs->n; i++) {
		char path[PATH_MAX];

		if (is_same(s->dir, &docs->items[i]))
			continue;
		rc = fsroot_join(path, sizeof(path), s->dir, docs->items[i].name, err);
		if (rc == 0)
			rc = fsroot_replace("", path, docs->items[i].text, err);
	}
	if (rc == 0)
		remove_others(s->dir, docs, "prefix-lists", false);
	awslock_release(lock_fd);
	return rc;
}

static size_t count(const struct docs *docs, const char *name, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < docs->n; i++) {
		json_t *doc;

		if (strcmp(docs->items[i].name, name) != 0)
			continue;
		doc = json_loads(docs->items[i].text, 0, NULL);
		n = json_array_size(json_object_get(doc, key));
		json_decref(doc);
	}
	return n;
}

static int round_once(struct sync *s, fwsync_apply_fn *apply, struct bw_err *err)
{
	struct aws_creds *creds = calloc(1, sizeof(*creds));
	struct docs *docs = calloc(1, sizeof(*docs));
	char staging[PATH_MAX + 8] = "";
	struct aws_ec2 ec2 = { 0 };
	int rc = 0;

	if (!creds || !docs) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = open_ec2(s, &ec2, creds, err);
	if (rc == 0)
		rc = fetch(s, &ec2, docs, err);
	s->n_calls = ec2.n_calls;
	if (rc < 0)
		goto out;
	if (s->is_dry_run) {
		const char *tmp = getenv("TMPDIR");

		snprintf(staging, sizeof(staging), "%s/bulwark-sync.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
		if (!mkdtemp(staging)) {
			rc = bw_errf(err, -errno, "%s: %s", staging, strerror(errno));
			goto out;
		}
	} else {
		snprintf(staging, sizeof(staging), "%s.new", s->dir);
	}
	rc = keep(s, docs, staging, err);
	if (rc < 0)
		goto out;
	printf("fw sync: %s from %s: %zu security groups, %zu network ACLs, %zu subnets, "
	       "%zu ENIs, %zu prefix lists (%u calls)\n", s->vpc_id, ec2.endpoint.url,
	       count(docs, "security-groups.json", "SecurityGroups"),
	       count(docs, "network-acls.json", "NetworkAcls"),
	       count(docs, "subnets.json", "Subnets"),
	       count(docs, "network-interfaces.json", "NetworkInterfaces"),
	       docs->n - 6, s->n_calls);
	fflush(stdout);
	if (s->is_dry_run) {
		/* The documents checked in a folder of their own, kept nowhere. */
		rc = apply(s->globals, staging, s->vpc_id, s->state_dir, true, err);
		remove_folder(staging, docs);
	} else {
		rc = apply(s->globals, s->dir, s->vpc_id, s->state_dir, false, err);
	}
	fflush(stdout);
out:
	if (docs)
		docs_free(docs);
	free(docs);
	if (creds)
		aws_creds_wipe(creds);
	free(creds);
	return rc;
}

static int parse_interval(const char *text, long *out, struct bw_err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || end == text || v < 1 || v > FWSYNC_MAX_INTERVAL_S)
		return bw_err_input(err, "fw sync: --interval '%.40s' is not a number of seconds "
				    "from 1 to %d", text, FWSYNC_MAX_INTERVAL_S);
	*out = v;
	return 0;
}

int fwsync_run(const struct cli_call *call, fwsync_apply_fn *apply, struct bw_err *err)
{
	const char *vpc = cli_value(call, "vpc");
	const char *interval = cli_value(call, "interval");
	struct sync s = {
		.globals = call->globals,
		.state_dir = cli_value(call, "state-dir") ?: BW_STATE_DIR,
		.is_dry_run = cli_flag(call, "dry-run"),
	};
	char sync_path[PATH_MAX];
	sigset_t stops;
	long interval_s = 0;
	int rc;

	if (s.state_dir[0] != '/')
		return bw_err_input(err, "fw: --state-dir must be an absolute path");
	if (vpc && !awsjson_is_id(vpc, "vpc-"))
		return bw_err_input(err, "fw sync: --vpc '%.40s' is not a VPC id (vpc-...)", vpc);
	if (interval && (rc = parse_interval(interval, &interval_s, err)) < 0)
		return rc;
	if (snprintf(sync_path, sizeof(sync_path), "%s/" FWSYNC_DIR, s.state_dir) >=
		    (int)sizeof(sync_path) ||
	    fsroot_path(call->globals->root, sync_path, s.dir, sizeof(s.dir)) < 0)
		return bw_err_input(err, "fw sync: --state-dir is too long");
	/* SIGTERM and SIGINT wait until a round is over: a round is never
	 * cut short between fetching and loading. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	if (interval_s)
		sigprocmask(SIG_BLOCK, &stops, NULL);
	rc = find_place(&s, vpc, err);
	while (rc == 0 || interval_s) {
		struct timespec wait = { .tv_sec = interval_s };
		int sig;

		if (rc == 0)
			rc = round_once(&s, apply, err);
		if (!interval_s)
			break;
		if (rc < 0) {
			char line[640];

			bw_err_format(err, line, sizeof(line));
			fprintf(stderr, "bulwark: %s; the loaded firewall is as it was; next try in "
				"%ld s\n", line, interval_s);
		}
		do
			sig = sigtimedwait(&stops, NULL, &wait);
		while (sig < 0 && errno == EINTR);
		if (sig > 0) {
			printf("fw sync: %s: stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			rc = 0;
			break;
		}
		/* The place found once; a failure there is tried again too. */
		rc = s.vpc_id[0] && s.region[0] ? 0 : find_place(&s, vpc, err);
	}
	return rc;
}
