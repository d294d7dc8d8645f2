/* libFuzzer target: fw explain's packet text. The input is one string, or,
 * when it holds NUL bytes, command-line words split at them. A packet that
 * parses is judged against an empty model and printed as JSON; a refusal
 * must say why in one printable line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/vpc_eval.h"

#define MAX_WORDS 64

static void check_reason(int rc, const char *why)
{
	if (rc == 0)
		return;
	if (rc != -22 || !why[0])
		abort();
	for (const char *c = why; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			abort();
}

static void judge(const struct vpc_packet *packet)
{
	struct vpc_explanation why;
	struct vpc_model model;
	json_t *doc;

	vpc_model_init(&model);
	vpc_explain(&model, packet, false, &why);
	doc = vpc_explanation_json(packet, &why);
	json_decref(doc);
	vpc_model_free(&model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_WORDS];
	struct vpc_packet packet;
	char why[200] = "";
	int argc = 0, rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = vpc_packet_parse(text, &packet, why, sizeof(why));
	check_reason(rc, why);
	if (rc == 0)
		judge(&packet);
	for (size_t at = 0; at <= size && argc < MAX_WORDS; at += strlen(text + at) + 1)
		argv[argc++] = text + at;
	why[0] = '\0';
	rc = vpc_packet_parse_argv(argc, argv, &packet, why, sizeof(why));
	check_reason(rc, why);
	if (rc == 0)
		judge(&packet);
	free(text);
	return 0;
}
