/* libFuzzer target: --ip-permissions for authorize-* / revoke-*. Whatever
 * authorize accepts, revoke of the same text must take back exactly, and
 * a refused request must leave the document as it was. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf/sgedit.h"

static const char doc_text[] =
	"{\"SecurityGroups\": [{\"GroupId\": \"sg-0a1b2c3d4e5f60011\", \"IpPermissions\": ["
	"{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
	" \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}], \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\"}],"
	" \"PrefixListIds\": [], \"UserIdGroupPairs\": [{\"GroupId\": \"sg-0a1b2c3d4e5f60012\"}]}],"
	" \"IpPermissionsEgress\": [{\"IpProtocol\": \"-1\", \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}],"
	" \"Ipv6Ranges\": [], \"PrefixListIds\": [], \"UserIdGroupPairs\": []}]},"
	" {\"GroupId\": \"sg-0a1b2c3d4e5f60012\"}]}";

static void one_direction(const char *text, enum vpc_dir dir)
{
	json_t *doc = json_loads(doc_text, 0, NULL);
	json_t *original = json_deep_copy(doc);
	struct bw_err err;

	if (sgedit_apply(doc, "sg-0a1b2c3d4e5f60011", dir, false, text, &err) == 0) {
		if (sgedit_apply(doc, "sg-0a1b2c3d4e5f60011", dir, true, text, &err) != 0 ||
		    !json_equal(doc, original))
			abort();
	} else if (!json_equal(doc, original)) {
		abort();
	}
	/* A revoke that fails changes nothing either. */
	if (sgedit_apply(doc, "sg-0a1b2c3d4e5f60011", dir, true, text, &err) != 0 &&
	    !json_equal(doc, original))
		abort();
	json_decref(original);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	one_direction(text, VPC_INGRESS);
	one_direction(text, VPC_EGRESS);
	free(text);
	return 0;
}
