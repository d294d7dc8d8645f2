/* libFuzzer target: the AWS CLI JSON reader. The same bytes go to every
 * describe-* parser; whatever they accept is linked, rendered and judged,
 * so the renderer and the evaluator meet odd models too. One document can
 * hold every key (Subnets, NetworkInterfaces, Vpcs, ...) at once. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf/awsjson.h"
#include "model/vpc_eval.h"
#include "render/vpc_nft.h"

static const struct vpc_nft_opts test_nft_opts = { .generation = 1,
						   .ct_mark_mask = VPC_CT_DEFAULT_MASK };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct vpc_packet packet;
	struct vpc_explanation why;
	struct bw_err err;
	char reason[200];
	char *ruleset;

	vpc_model_init(&model);
	awsjson_parse_vpcs(text, size, "vpcs.json", &model, &err);
	awsjson_parse_subnets(text, size, "subnets.json", &model, &err);
	awsjson_parse_security_groups(text, size, "security-groups.json", &model, &err);
	awsjson_parse_network_acls(text, size, "network-acls.json", &model, &err);
	awsjson_parse_instances(text, size, "instances.json", &model, &err);
	awsjson_parse_network_interfaces(text, size, "network-interfaces.json", &model, &err);
	awsjson_parse_prefix_list(text, size, "pl-12345678.json", "pl-12345678", &model, &err);
	/* The first VPC the input names, if any: several must not stop the rest. */
	if (awsjson_select_vpc(&model, NULL, &err) < 0 && model.subnets.len > 0 &&
	    VEC_AT(&model.subnets, struct vpc_subnet, 0)->vpc_id[0])
		awsjson_select_vpc(&model, VEC_AT(&model.subnets, struct vpc_subnet, 0)->vpc_id, &err);
	if (awsjson_link(&model, &warnings, &err) == 0) {
		ruleset = vpc_nft_render(&model, &test_nft_opts);
		free(ruleset);
		if (vpc_packet_parse("tcp 10.0.1.10:40000 > 10.0.2.20:443", &packet, reason,
				     sizeof(reason)) == 0)
			vpc_explain(&model, &packet, false, &why);
	}
	vec_free(&warnings);
	vpc_model_free(&model);
	return 0;
}
