/* Loads a folder of AWS CLI output (--aws DIR) into a linked VPC model:
 * security-groups.json, network-acls.json, subnets.json, instances.json,
 * and prefix-lists/pl-*.json when present. */
#pragma once
#include "model/vpc.h"
#include "util/err.h"
#include "util/vec.h"

/* warnings: a vec of struct awsjson_warning. */
int awsdir_load(const char *dir, struct vpc_model *model, struct vec *warnings,
		struct bw_err *err);

/* The same, with security-groups.json's text given (an edit not yet saved). */
int awsdir_load_with_groups(const char *dir, const char *groups_text, struct vpc_model *model,
			    struct vec *warnings, struct bw_err *err);
