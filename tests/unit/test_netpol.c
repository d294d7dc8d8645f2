/* NetworkPolicies from the example VPC, pinned by golden files (YAML and
 * JSON), and from small models built here: ENIs of no instance, what is
 * left out, the namespace check, YAML that reads back as the JSON. */
#include "unit.h"

#include <errno.h>
#include <jansson.h>
#include <yaml.h>

#include "examples.h"
#include "vpc_build.h"

#include "render/netpol.h"

static char *render(const struct vpc_model *model, const char *ns, bool is_json,
		    struct vec *notes)
{
	struct bw_err err;
	char *text = NULL;

	if (netpol_render(model, ns, is_json, &text, notes, &err) != 0)
		fail_msg("netpol_render: %s", err.msg);
	assert_non_null(text);
	return text;
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *at = strstr(text, what); at; at = strstr(at + 1, what))
		n++;
	return n;
}

/* app (sg-app) may reach sg-db on 5432; an RDS ENI (no instance, two
 * addresses) and an instance are in sg-db. */
static void members_model(struct vpc_model *m)
{
	int subnet, app, db;

	vpc_model_init(m);
	subnet = add_subnet(m, "subnet-0000000000000000a", "10.0.2.0/24", NULL, -1);
	app = add_sg(m, "sg-000000000000000a1");
	db = add_sg(m, "sg-000000000000000d1");
	add_rule(m, app, VPC_EGRESS, VPC_PROTO_TCP, 5432, "sg-000000000000000d1");
	add_rule(m, db, VPC_INGRESS, VPC_PROTO_TCP, 5432, "sg-000000000000000a1");
	add_eni(m, "eni-000000000000000a1", "i-000000000000000a1", subnet, app, "10.0.2.20",
		NULL, NULL);
	add_eni(m, "eni-000000000000000d1", "", subnet, db, "10.0.2.30", "fd00::30", NULL);
	add_eni(m, "eni-000000000000000d2", "i-000000000000000d2", subnet, db, "10.0.2.40",
		NULL, NULL);
}

/* ---- golden files ---------------------------------------------------- */

static void test_example_policies_match_golden_file(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml;

	(void)state;
	load_examples(&model);
	yaml = render(&model, "default", false, &notes);
	golden_check(GOLDEN_DIR "/netpol/example.yaml", yaml);
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

static void test_example_policies_as_json_match_golden_file(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *json;

	(void)state;
	load_examples(&model);
	json = render(&model, "default", true, &notes);
	golden_check(GOLDEN_DIR "/netpol/example.json", json);
	free(json);
	vec_free(&notes);
	vpc_model_free(&model);
}

/* ---- the YAML is the JSON -------------------------------------------- */

/* Reads one node of a YAML document as JSON: a plain scalar of digits is
 * a number, every other scalar a string. */
static json_t *load_node(yaml_parser_t *parser)
{
	yaml_event_t event;
	json_t *value = NULL;

	assert_true(yaml_parser_parse(parser, &event));
	if (event.type == YAML_SCALAR_EVENT) {
		const char *text = (const char *)event.data.scalar.value;
		bool is_number = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				 text[0] && strspn(text, "0123456789") == strlen(text);

		value = is_number ? json_integer(atoll(text)) : json_string(text);
	} else if (event.type == YAML_SEQUENCE_START_EVENT) {
		json_t *item;

		value = json_array();
		while ((item = load_node(parser)))
			json_array_append_new(value, item);
	} else if (event.type == YAML_MAPPING_START_EVENT) {
		json_t *key;

		value = json_object();
		while ((key = load_node(parser))) {
			json_t *item = load_node(parser);

			assert_true(json_is_string(key));
			json_object_set_new(value, json_string_value(key), item);
			json_decref(key);
		}
	}
	/* Sequence and mapping ends return NULL. */
	yaml_event_delete(&event);
	return value;
}

static json_t *load_yaml_stream(const char *text)
{
	yaml_parser_t parser;
	yaml_event_t event;
	json_t *docs = json_array();

	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	assert_true(yaml_parser_parse(&parser, &event)); /* stream start */
	yaml_event_delete(&event);
	for (;;) {
		assert_true(yaml_parser_parse(&parser, &event));
		if (event.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&event);
			break;
		}
		assert_int_equal(event.type, YAML_DOCUMENT_START_EVENT);
		yaml_event_delete(&event);
		json_array_append_new(docs, load_node(&parser));
		assert_true(yaml_parser_parse(&parser, &event));
		assert_int_equal(event.type, YAML_DOCUMENT_END_EVENT);
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	return docs;
}

static void test_yaml_reads_back_as_the_json(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml, *json;
	json_t *docs, *list;

	(void)state;
	load_examples(&model);
	/* A namespace YAML would read as a number unless quoted. */
	yaml = render(&model, "1234", false, &notes);
	json = render(&model, "1234", true, &notes);
	docs = load_yaml_stream(yaml);
	list = json_loads(json, 0, NULL);
	assert_non_null(list);
	assert_int_equal(json_array_size(docs), 4);
	assert_true(json_equal(docs, json_object_get(list, "items")));
	assert_non_null(strstr(yaml, "  namespace: \"1234\"\n"));
	json_decref(docs);
	json_decref(list);
	free(yaml);
	free(json);
	vec_free(&notes);
	vpc_model_free(&model);
}

static void test_json_is_one_list_document(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	json_t *doc;
	char *json;

	(void)state;
	load_examples(&model);
	json = render(&model, "default", true, &notes);
	doc = json_loads(json, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "List");
	assert_int_equal(json_array_size(json_object_get(doc, "items")), 4);
	assert_string_equal(json + strlen(json) - 2, "}\n");
	json_decref(doc);
	free(json);
	vec_free(&notes);
	vpc_model_free(&model);
}

/* ---- what is left out ------------------------------------------------ */

static void test_what_cannot_be_expressed_is_named(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml;

	(void)state;
	load_examples(&model);
	yaml = render(&model, "prod", false, &notes);
	/* ICMP rules: web's two, app's egress echo (two instances), db's ingress. */
	assert_int_equal(notes.len, 5);
	assert_non_null(strstr(VEC_AT(&notes, struct netpol_note, 0)->text,
			       "i-0a1b2c3d4e5f60051: left out sg-0a1b2c3d4e5f60011 ingress permission 3 (icmp type 8)"));
	assert_non_null(strstr(yaml, "    bulwark.io/left-out: \"network ACLs (stateless, per subnet); "
			       "sg-0a1b2c3d4e5f60011 ingress permission 3 (icmp type 8); "
			       "sg-0a1b2c3d4e5f60011 ingress permission 4 (icmpv6 type 128)\"\n"));
	assert_non_null(strstr(yaml, "  namespace: prod\n"));
	/* The database group allows no egress: the policy denies it all. */
	assert_non_null(strstr(yaml, "bulwark.io/instance: i-0a1b2c3d4e5f60054\n"));
	assert_non_null(strstr(strstr(yaml, "name: i-0a1b2c3d4e5f60054"), "  egress: []\n"));
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

static void test_reference_to_a_group_not_in_the_input_is_left_out(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml;

	(void)state;
	members_model(&model);
	add_rule(&model, 0, VPC_INGRESS, VPC_PROTO_TCP, 22, "sg-0000000000000dead");
	yaml = render(&model, "default", false, &notes);
	assert_int_equal(notes.len, 1);
	assert_string_equal(VEC_AT(&notes, struct netpol_note, 0)->text,
			    "i-000000000000000a1: left out sg-000000000000000a1 ingress permission 1 "
			    "(tcp 22 from sg-0000000000000dead, not in the input): a NetworkPolicy "
			    "cannot express it");
	assert_null(strstr(yaml, "sg.bulwark.io/sg-0000000000000dead"));
	/* Without ACLs in the model, only the rule is left out. */
	assert_non_null(strstr(yaml, "bulwark.io/left-out: \"sg-000000000000000a1 ingress permission 1"));
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

/* ---- ENIs of no instance --------------------------------------------- */

static void test_eni_without_instance_gets_no_policy(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml;

	(void)state;
	members_model(&model);
	yaml = render(&model, "default", false, &notes);
	assert_int_equal(count(yaml, "kind: NetworkPolicy\n"), 2);
	assert_non_null(strstr(yaml, "  name: i-000000000000000a1\n"));
	assert_non_null(strstr(yaml, "  name: i-000000000000000d2\n"));
	assert_null(strstr(yaml, "name: \"\""));
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

static void test_eni_without_instance_stands_in_group_references_by_address(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml, *app;

	(void)state;
	members_model(&model);
	yaml = render(&model, "default", false, &notes);
	app = strstr(yaml, "  name: i-000000000000000a1\n");
	assert_non_null(app);
	assert_non_null(strstr(app, "  egress:\n"
			       "  - to:\n"
			       "    - podSelector:\n"
			       "        matchLabels:\n"
			       "          sg.bulwark.io/sg-000000000000000d1: member\n"
			       "    - ipBlock:\n"
			       "        cidr: \"10.0.2.30/32\"\n"
			       "    - ipBlock:\n"
			       "        cidr: \"fd00::30/128\"\n"
			       "    ports:\n"
			       "    - protocol: TCP\n"
			       "      port: 5432\n"));
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

/* ---- the namespace --------------------------------------------------- */

static void test_namespace_must_be_a_dns_1123_label(void **state)
{
	static const char *const good[] = {
		"default", "a", "kube-system", "0abc", "a1-b2-c3", "9",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0", /* 63 */
	};
	static const char *const bad[] = {
		"", "-a", "a-", "-", "Default", "a_b", "a.b", "a b", "caf\xc3\xa9", "a\n",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01", /* 64 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!netpol_namespace_is_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netpol_namespace_is_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
}

static void test_invalid_namespace_is_an_input_error(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	struct bw_err err;
	char *text = NULL;

	(void)state;
	members_model(&model);
	assert_int_equal(netpol_render(&model, "Prod\nx", false, &text, &notes, &err), -EINVAL);
	assert_null(text);
	assert_true(err.is_input);
	assert_string_equal(err.msg, "--namespace 'Prod?x' is not a DNS-1123 label (1 to 63 "
			    "characters a-z, 0-9 and '-', starting and ending with a letter or digit)");
	vec_free(&notes);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_policies_match_golden_file),
		cmocka_unit_test(test_example_policies_as_json_match_golden_file),
		cmocka_unit_test(test_yaml_reads_back_as_the_json),
		cmocka_unit_test(test_json_is_one_list_document),
		cmocka_unit_test(test_what_cannot_be_expressed_is_named),
		cmocka_unit_test(test_reference_to_a_group_not_in_the_input_is_left_out),
		cmocka_unit_test(test_eni_without_instance_gets_no_policy),
		cmocka_unit_test(test_eni_without_instance_stands_in_group_references_by_address),
		cmocka_unit_test(test_namespace_must_be_a_dns_1123_label),
		cmocka_unit_test(test_invalid_namespace_is_an_input_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
