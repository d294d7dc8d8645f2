/* Loads a folder of AWS CLI output (--aws DIR) into a linked model of one
 * VPC: security-groups.json, network-acls.json, subnets.json,
 * instances.json, and when present network-interfaces.json, vpcs.json and
 * prefix-lists/pl-*.json. vpc_id NULL is the only VPC the files hold;
 * files holding several are then an input error naming them. */
#pragma once
#include "model/vpc.h"
#include "util/err.h"
#include "util/vec.h"

/* warnings: a vec of struct awsjson_warning. */
int awsdir_load(const char *dir, const char *vpc_id, struct vpc_model *model,
		struct vec *warnings, struct bw_err *err);

/* The same, with security-groups.json's text given (an edit not yet saved). */
int awsdir_load_with_groups(const char *dir, const char *vpc_id, const char *groups_text,
			    struct vpc_model *model, struct vec *warnings, struct bw_err *err);
