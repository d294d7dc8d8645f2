/* AWS credentials: the environment's AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN first, then the instance
 * role's through IMDS. Never printed, never logged; wiped when done. */
#pragma once
#include "aws/imds.h"
#include "util/err.h"

struct aws_creds {
	char access_key_id[128];
	char secret_access_key[128];
	char session_token[4096]; /* "" when none */
	char source[160];         /* "environment" or "instance role NAME": printable */
};

/* Fills creds from the environment, else from IMDS (imds may be NULL
 * when the environment is enough). */
int aws_creds_find(struct aws_imds *imds, struct aws_creds *creds, struct bw_err *err);

/* From the JSON IMDS gives for a role (Code, AccessKeyId, SecretAccessKey,
 * Token). Pure, for the fuzzer and the tests. */
int aws_creds_from_imds_json(const char *text, size_t len, struct aws_creds *creds,
			     struct bw_err *err);

void aws_creds_wipe(struct aws_creds *creds);

/* Copies a key of printable ASCII without blanks into out; the value is
 * never put into err, only name. */
int aws_secret_copy(char *out, size_t size, const char *value, const char *name,
		    struct bw_err *err);
