#include "conf/sgbefore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/awsjson.h"
#include "conf/sgedit.h"

json_t *sgbefore_copy(const json_t *doc, const char *group_id)
{
	const json_t *group = sgedit_find_group(doc, group_id);

	return group ? json_deep_copy(group) : NULL;
}

const struct vpc_sg *sgbefore_parse(const json_t *group, const struct vpc_model *after,
				    struct vpc_model *before)
{
	json_t *wrapper;
	struct bw_err err;
	struct vpc_sg *sg;
	char *text;
	int rc;

	if (!group)
		return NULL;
	wrapper = json_pack("{s:[O]}", "SecurityGroups", group);
	text = wrapper ? json_dumps(wrapper, 0) : NULL;
	json_decref(wrapper);
	rc = text ? awsjson_parse_security_groups(text, strlen(text), "", before, &err) : -ENOMEM;
	free(text);
	if (rc < 0 || before->sgs.len != 1)
		return NULL;
	sg = VEC_AT(&before->sgs, struct vpc_sg, 0);
	for (size_t r = 0; r < sg->rules.len; r++) {
		struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, r);

		if (rule->peer_kind == VPC_PEER_GROUP)
			rule->peer = vpc_find_sg(after, rule->peer_id);
		else if (rule->peer_kind == VPC_PEER_PREFIX_LIST)
			rule->peer = vpc_find_prefix_list(after, rule->peer_id);
	}
	return sg;
}
