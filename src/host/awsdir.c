#include "host/awsdir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/awsjson.h"
#include "host/fsroot.h"
#include "host/jsonarena.h"

/* One file's document read into the model. The tree lives in an arena
 * dropped whole at the end, unwalked: the readers copy what they keep
 * into the model (fixed-size ids and vectors of our own), so nothing of
 * the tree outlives the call. */
static int read_in_arena(awsjson_read_fn read, const char *text, size_t len, const char *path,
			 struct vpc_model *model, struct bw_err *err)
{
	struct jsonarena arena;
	json_t *doc = NULL;
	int rc;

	jsonarena_begin(&arena, len);
	rc = awsjson_load_text(text, len, path, &doc, err);
	if (rc == 0)
		rc = read(doc, path, model, err);
	if (!jsonarena_holds_all(&arena))
		json_decref(doc);
	jsonarena_end(&arena);
	return rc;
}

/* is_optional: a missing file holds nothing. */
static int load_file(const char *dir, const char *name, bool is_optional, awsjson_read_fn read,
		     struct vpc_model *model, struct bw_err *err)
{
	char path[PATH_MAX];
	char *text;
	size_t len;
	int rc;

	rc = fsroot_join(path, sizeof(path), dir, name, err);
	if (rc < 0) {
		err->is_input = true;
		return rc;
	}
	rc = fsroot_slurp(path, AWSJSON_MAX_BYTES, &text, &len, err);
	if (rc == -ENOENT && is_optional)
		return 0;
	if (rc < 0) {
		err->is_input = true;
		return rc;
	}
	rc = read_in_arena(read, text, len, path, model, err);
	free(text);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* prefix-lists/pl-*.json, in name order so the model is the same every run. */
static int load_prefix_lists(const char *dir, struct vpc_model *model, struct bw_err *err)
{
	char folder[PATH_MAX];
	struct dirent *entry;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	int rc = 0;

	rc = fsroot_join(folder, sizeof(folder), dir, "prefix-lists", err);
	if (rc < 0)
		return rc;
	d = opendir(folder);
	if (!d)
		return errno == ENOENT ? 0 : bw_errf(err, -errno, "%s: %s", folder, strerror(errno));
	while ((entry = readdir(d))) {
		size_t len = strlen(entry->d_name);
		char **grown;

		if (strncmp(entry->d_name, "pl-", 3) != 0 || len < 6 ||
		    strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(entry->d_name))) {
			names = grown ? grown : names;
			rc = bw_errf(err, -ENOMEM, "out of memory");
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char path[PATH_MAX + NAME_MAX + 2], id[64];
		struct jsonarena arena;
		char *text = NULL;
		size_t len = 0;

		/* An id longer than any AWS gives is refused by the reader. */
		snprintf(id, sizeof(id), "%.*s", (int)(strlen(names[i]) - 5), names[i]);
		rc = fsroot_join(path, sizeof(path), folder, names[i], err);
		if (rc == 0)
			rc = fsroot_slurp(path, AWSJSON_MAX_BYTES, &text, &len, err);
		if (rc < 0)
			break;
		jsonarena_begin(&arena, len);
		rc = awsjson_parse_prefix_list(text, len, path, id, model, err);
		jsonarena_end(&arena);
		free(text);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The ENIs: instances.json, network-interfaces.json, or both (merged);
 * neither is an error, not a VPC without ENIs. */
static int load_enis(const char *dir, struct vpc_model *model, struct bw_err *err)
{
	char instances[PATH_MAX], interfaces[PATH_MAX];
	int rc;

	if ((rc = fsroot_join(instances, sizeof(instances), dir, "instances.json", err)) < 0 ||
	    (rc = fsroot_join(interfaces, sizeof(interfaces), dir, "network-interfaces.json",
			      err)) < 0)
		return rc;
	if (!fsroot_exists("", instances) && !fsroot_exists("", interfaces))
		return bw_err_input(err, "%s: neither instances.json nor network-interfaces.json "
				    "(aws ec2 describe-instances / describe-network-interfaces)", dir);
	rc = load_file(dir, "instances.json", true, awsjson_read_instances, model, err);
	if (rc == 0)
		rc = load_file(dir, "network-interfaces.json", true,
			       awsjson_read_network_interfaces, model, err);
	return rc;
}

/* The ENIs are most of a large VPC's text (instances.json is four fifths
 * of it at 10,000 instances): a thread reads them into a model of its
 * own while the caller's reads the other files. Each thread's JSON has
 * its own arena (jsonarena is per thread). */
struct eni_job {
	const char *dir;
	struct vpc_model model;
	struct bw_err err;
	int rc;
};

static void *eni_job_run(void *arg)
{
	struct eni_job *job = arg;

	job->rc = load_enis(job->dir, &job->model, &job->err);
	return NULL;
}

/* Moves the ENIs of from (its vectors with them) to the end of into's. */
static int take_enis(struct vpc_model *into, struct vpc_model *from, struct bw_err *err)
{
	size_t n = 0;
	int rc = 0;

	for (; n < from->enis.len; n++)
		if (vec_push(&into->enis, VEC_AT(&from->enis, struct vpc_eni, n)) < 0) {
			rc = bw_errf(err, -ENOMEM, "out of memory");
			break;
		}
	/* Those moved belong to into now; from frees the rest. */
	if (n > 0 && n < from->enis.len)
		memmove(from->enis.items, VEC_AT(&from->enis, struct vpc_eni, n),
			(from->enis.len - n) * sizeof(struct vpc_eni));
	from->enis.len -= n;
	return rc;
}

int awsdir_load_with_groups(const char *dir, const char *vpc_id, const char *groups_text,
			    struct vpc_model *model, struct vec *warnings, struct bw_err *err)
{
	struct eni_job job = { .dir = dir };
	struct bw_err lists_err = { 0 };
	char path[PATH_MAX];
	pthread_t thread;
	bool is_threaded;
	int rc, lists_rc = 0;

	if ((rc = fsroot_join(path, sizeof(path), dir, "security-groups.json", err)) < 0)
		return rc;
	vpc_model_init(&job.model);
	is_threaded = pthread_create(&thread, NULL, eni_job_run, &job) == 0;
	if ((rc = load_file(dir, "vpcs.json", true, awsjson_read_vpcs, model, err)) < 0 ||
	    (rc = load_file(dir, "subnets.json", false, awsjson_read_subnets, model, err)) < 0)
		goto join;
	if (groups_text)
		rc = read_in_arena(awsjson_read_security_groups, groups_text, strlen(groups_text),
				   path, model, err);
	else
		rc = load_file(dir, "security-groups.json", false, awsjson_read_security_groups,
			       model, err);
	if (rc == 0)
		rc = load_file(dir, "network-acls.json", false, awsjson_read_network_acls, model,
			       err);
	if (rc == 0)
		lists_rc = load_prefix_lists(dir, model, &lists_err);
join:
	if (is_threaded)
		pthread_join(thread, NULL);
	else if (rc == 0)
		eni_job_run(&job);
	/* The first error in the order the files were once read one by one. */
	if (rc == 0 && job.rc < 0) {
		*err = job.err;
		rc = job.rc;
	}
	if (rc == 0 && lists_rc < 0) {
		*err = lists_err;
		rc = lists_rc;
	}
	if (rc == 0)
		rc = take_enis(model, &job.model, err);
	vpc_model_free(&job.model);
	if (rc < 0 || (rc = awsjson_select_vpc(model, vpc_id, err)) < 0)
		return rc;
	return awsjson_link(model, warnings, err);
}

int awsdir_load(const char *dir, const char *vpc_id, struct vpc_model *model,
		struct vec *warnings, struct bw_err *err)
{
	return awsdir_load_with_groups(dir, vpc_id, NULL, model, warnings, err);
}
