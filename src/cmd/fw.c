/* bulwark fw: AWS security groups and network ACLs, enforced with nftables. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "conf/awsjson.h"
#include "host/awsdir.h"
#include "model/vpc_eval.h"

static const char usage[] =
	"usage: bulwark fw <command> --aws DIR [options]\n"
	"\n"
	"  explain 'PACKET'   the verdict for one packet and what decided it, e.g.\n"
	"                     'tcp 10.0.1.5:40000 > 10.0.2.7:443', 'icmp 10.0.1.5 > 10.0.3.30'\n"
	"\n"
	"Options:\n"
	"  --aws DIR          the output of aws ec2 describe-security-groups,\n"
	"                     describe-network-acls, describe-subnets, describe-instances\n"
	"                     (security-groups.json, network-acls.json, subnets.json,\n"
	"                     instances.json) and prefix-lists/pl-*.json\n"
	"  --established      (explain) the packet belongs to a tracked flow\n";

struct fw_opts {
	const char *aws_dir;
	bool is_established;
};

static int load_model(const struct fw_opts *opts, struct vpc_model *model, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	int rc;

	if (!opts->aws_dir)
		return bw_err_input(err, "fw: --aws DIR is required");
	rc = awsdir_load(opts->aws_dir, model, &warnings, err);
	for (size_t i = 0; i < warnings.len; i++)
		cmd_warn("%s", VEC_AT(&warnings, struct awsjson_warning, i)->text);
	vec_free(&warnings);
	return rc;
}

static int fw_explain(const struct fw_opts *opts, const char *packet_text, struct bw_err *err)
{
	struct vpc_model model;
	struct vpc_packet packet;
	struct vpc_explanation why;
	char reason[200];
	int rc;

	if (vpc_packet_parse(packet_text, &packet, reason, sizeof(reason)) < 0)
		return bw_err_input(err, "fw explain: %s", reason);
	vpc_model_init(&model);
	rc = load_model(opts, &model, err);
	if (rc == 0) {
		vpc_explain(&model, &packet, opts->is_established, &why);
		printf("%s\n", why.is_allowed ? "allow" : "deny");
		for (int i = 0; i < why.n_steps; i++)
			printf("  %s\n", why.steps[i].text);
		if (why.n_steps == 0)
			printf("  neither end is an instance or in a subnet of the model\n");
	}
	vpc_model_free(&model);
	return rc;
}

int cmd_fw(int argc, char **argv, const struct bw_globals *globals, struct bw_err *err)
{
	static const struct option options[] = {
		{ "aws", required_argument, NULL, 'a' },
		{ "established", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct fw_opts opts = { 0 };
	const char *sub;
	int opt;

	(void)globals;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			opts.aws_dir = optarg;
			break;
		case 'e':
			opts.is_established = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return bw_err_input(err, "fw: bad option (see 'bulwark fw --help')");
		}
	}
	if (optind >= argc)
		return bw_err_input(err, "fw: expected a command (see 'bulwark fw --help')");
	sub = argv[optind];
	if (strcmp(sub, "explain") == 0) {
		if (optind + 2 != argc)
			return bw_err_input(err, "fw explain: expected one packet, e.g. 'tcp 10.0.1.5:40000 > 10.0.2.7:443'");
		return fw_explain(&opts, argv[optind + 1], err);
	}
	if (strcmp(sub, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return bw_err_input(err, "fw: unknown command '%s' (see 'bulwark fw --help')", sub);
}
