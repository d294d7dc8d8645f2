#include "render/netpol.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "util/strbuf.h"

#define SCTP 132

bool netpol_namespace_is_valid(const char *ns)
{
	size_t len = strlen(ns);

	if (len == 0 || len > 63)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool is_alnum = (ns[i] >= 'a' && ns[i] <= 'z') || (ns[i] >= '0' && ns[i] <= '9');

		if (!is_alnum && !(ns[i] == '-' && i > 0 && i + 1 < len))
			return false;
	}
	return true;
}

/* ---- the policies, as one JSON tree ---------------------------------- */

struct render {
	const struct vpc_model *model;
	struct vec *notes;
	bool is_oom;
};

/* Sets obj[key] = value (taking it); any failure is remembered. */
static json_t *set(struct render *r, json_t *obj, const char *key, json_t *value)
{
	if (!value || !obj || json_object_set_new(obj, key, value) < 0) {
		r->is_oom = true;
		return NULL;
	}
	return value;
}

static json_t *append(struct render *r, json_t *array, json_t *value)
{
	if (!value || !array || json_array_append_new(array, value) < 0) {
		r->is_oom = true;
		return NULL;
	}
	return value;
}

static void note(struct render *r, const char *instance_id, const char *what)
{
	struct netpol_note n;

	snprintf(n.text, sizeof(n.text), "%s: left out %s: a NetworkPolicy cannot express it",
		 instance_id, what);
	if (vec_push(r->notes, &n) < 0)
		r->is_oom = true;
}

static bool is_expressible(const struct sg_rule *rule)
{
	int proto = rule->traffic.proto;

	if (rule->peer_kind != VPC_PEER_CIDR && rule->peer < 0)
		return false; /* a group or prefix list the input does not hold */
	return proto == VPC_PROTO_ALL || proto == VPC_PROTO_TCP || proto == VPC_PROTO_UDP ||
	       proto == SCTP;
}

static const char *proto_name(int proto)
{
	return proto == VPC_PROTO_TCP ? "TCP" : proto == VPC_PROTO_UDP ? "UDP" : "SCTP";
}

static void add_ip_block(struct render *r, json_t *peers, const char *cidr)
{
	json_t *peer = append(r, peers, json_object());

	set(r, set(r, peer, "ipBlock", json_object()), "cidr", json_string(cidr));
}

static bool eni_in_group(const struct vpc_eni *eni, int group)
{
	for (size_t i = 0; i < eni->groups.len; i++)
		if (*VEC_AT(&eni->groups, int, i) == group)
			return true;
	return false;
}

static void add_peers(struct render *r, json_t *peers, const struct sg_rule *rule)
{
	const struct vpc_model *model = r->model;

	if (rule->peer_kind == VPC_PEER_CIDR) {
		add_ip_block(r, peers, rule->cidr.text);
	} else if (rule->peer_kind == VPC_PEER_GROUP) {
		json_t *peer = append(r, peers, json_object());
		json_t *labels = set(r, set(r, peer, "podSelector", json_object()), "matchLabels",
				     json_object());
		char label[VPC_ID_MAX + 16];

		snprintf(label, sizeof(label), "sg.bulwark.io/%s", rule->peer_id);
		set(r, labels, label, json_string("member"));
		/* Members that are no pod (RDS, ELB, Lambda ENIs): by address. */
		for (size_t e = 0; e < model->enis.len; e++) {
			const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

			if (eni->instance_id[0] || !eni_in_group(eni, rule->peer))
				continue;
			for (size_t a = 0; a < eni->addrs.len; a++)
				add_ip_block(r, peers, VEC_AT(&eni->addrs, struct cidr, a)->text);
		}
	} else {
		const struct vpc_prefix_list *list =
			VEC_AT(&model->prefix_lists, struct vpc_prefix_list, rule->peer);

		for (size_t i = 0; i < list->cidrs.len; i++)
			add_ip_block(r, peers, VEC_AT(&list->cidrs, struct cidr, i)->text);
	}
}

static void add_rule(struct render *r, json_t *entries, const struct sg_rule *rule)
{
	const struct vpc_traffic *t = &rule->traffic;
	json_t *entry = append(r, entries, json_object());
	json_t *port;

	add_peers(r, set(r, entry, rule->dir == VPC_INGRESS ? "from" : "to", json_array()), rule);
	if (t->proto == VPC_PROTO_ALL)
		return;
	port = append(r, set(r, entry, "ports", json_array()), json_object());
	set(r, port, "protocol", json_string(proto_name(t->proto)));
	if (t->proto == SCTP || (t->port_from == 0 && t->port_to == 65535))
		return;
	set(r, port, "port", json_integer(t->port_from));
	if (t->port_to != t->port_from)
		set(r, port, "endPort", json_integer(t->port_to));
}

/* The groups of every ENI of one instance, each once, in order. */
static size_t instance_groups(const struct vpc_model *model, const char *instance_id,
			      int *groups, size_t max)
{
	size_t n = 0;

	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

		if (strcmp(eni->instance_id, instance_id) != 0)
			continue;
		for (size_t g = 0; g < eni->groups.len; g++) {
			int group = *VEC_AT(&eni->groups, int, g);
			bool seen = false;

			for (size_t k = 0; k < n; k++)
				seen |= groups[k] == group;
			if (!seen && n < max)
				groups[n++] = group;
		}
	}
	return n;
}

/* One direction's entries; what cannot be said goes to left_out. With no
 * entry at all the policy type alone denies everything: an empty list. */
static void add_direction(struct render *r, json_t *spec, const int *groups, size_t n_groups,
			  enum vpc_dir dir, const char *instance_id, struct strbuf *left_out)
{
	const char *dir_name = dir == VPC_INGRESS ? "ingress" : "egress";
	json_t *entries = set(r, spec, dir_name, json_array());

	for (size_t g = 0; g < n_groups; g++) {
		const struct vpc_sg *sg = VEC_AT(&r->model->sgs, struct vpc_sg, groups[g]);

		for (size_t i = 0; i < sg->rules.len; i++) {
			const struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, i);
			char traffic[64], what[240];

			if (rule->dir != dir)
				continue;
			if (is_expressible(rule)) {
				add_rule(r, entries, rule);
				continue;
			}
			vpc_traffic_format(&rule->traffic, traffic, sizeof(traffic));
			if (rule->peer_kind != VPC_PEER_CIDR && rule->peer < 0)
				snprintf(what, sizeof(what), "%s %s permission %d (%s %s %s, not in the input)",
					 sg->id, dir_name, rule->permission, traffic,
					 dir == VPC_INGRESS ? "from" : "to", rule->peer_id);
			else
				snprintf(what, sizeof(what), "%s %s permission %d (%s)", sg->id,
					 dir_name, rule->permission, traffic);
			strbuf_addf(left_out, "; %s", what);
			note(r, instance_id, what);
		}
	}
}

static void add_policy(struct render *r, json_t *items, const char *instance_id,
		       const char *k8s_namespace, int *groups)
{
	size_t n_groups = instance_groups(r->model, instance_id, groups, r->model->sgs.len);
	json_t *policy = append(r, items, json_object());
	json_t *metadata, *annotations, *spec, *types;
	struct strbuf left_out = { 0 };
	char *text;

	set(r, policy, "apiVersion", json_string("networking.k8s.io/v1"));
	set(r, policy, "kind", json_string("NetworkPolicy"));
	metadata = set(r, policy, "metadata", json_object());
	set(r, metadata, "name", json_string(instance_id));
	set(r, metadata, "namespace", json_string(k8s_namespace));
	annotations = set(r, metadata, "annotations", json_object());
	set(r, annotations, "bulwark.io/generated-by",
	    json_string("bulwark fw netpol, from the instance's security groups"));
	set(r, annotations, "bulwark.io/pod-labels",
	    json_string("bulwark.io/instance=<instance id>, and sg.bulwark.io/<group id>=member "
			"for each of its security groups"));
	spec = set(r, policy, "spec", json_object());
	set(r, set(r, set(r, spec, "podSelector", json_object()), "matchLabels", json_object()),
	    "bulwark.io/instance", json_string(instance_id));
	types = set(r, spec, "policyTypes", json_array());
	append(r, types, json_string("Ingress"));
	append(r, types, json_string("Egress"));
	if (r->model->nacls.len)
		strbuf_addf(&left_out, "; network ACLs (stateless, per subnet)");
	add_direction(r, spec, groups, n_groups, VPC_INGRESS, instance_id, &left_out);
	add_direction(r, spec, groups, n_groups, VPC_EGRESS, instance_id, &left_out);
	text = strbuf_take(&left_out);
	if (!text)
		r->is_oom = true;
	else if (text[0])
		set(r, annotations, "bulwark.io/left-out", json_string(text + 2));
	free(text);
}

/* A v1 List of the policies, one per instance; ENIs of no instance get none. */
static json_t *build_list(struct render *r, const char *k8s_namespace)
{
	const struct vpc_model *model = r->model;
	int *groups = calloc(model->sgs.len + 1, sizeof(*groups));
	json_t *list = json_object(), *items;

	if (!groups || !list) {
		free(groups);
		json_decref(list);
		return NULL;
	}
	set(r, list, "apiVersion", json_string("v1"));
	set(r, list, "kind", json_string("List"));
	items = set(r, list, "items", json_array());
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
		bool is_first_eni = eni->instance_id[0] != '\0';

		for (size_t k = 0; k < e && is_first_eni; k++)
			if (strcmp(VEC_AT(&model->enis, struct vpc_eni, k)->instance_id,
				   eni->instance_id) == 0)
				is_first_eni = false;
		if (is_first_eni)
			add_policy(r, items, eni->instance_id, k8s_namespace, groups);
	}
	free(groups);
	return list;
}

/* ---- YAML ------------------------------------------------------------ */

static int write_yaml(void *data, unsigned char *buffer, size_t size)
{
	struct strbuf *sb = data;

	strbuf_addf(sb, "%.*s", (int)size, (const char *)buffer);
	return !sb->failed;
}

/* Whether a string reads back as the same string when written plain: ids,
 * names and labels do; numbers, addresses, YAML 1.1 booleans and anything
 * with blanks or punctuation are double-quoted. */
static bool is_plain_safe(const char *s)
{
	static const char *const words[] = { "y", "n", "yes", "no", "true", "false",
					     "on", "off", "null" };

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._/-", *c)))
			return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

static int emit_scalar(yaml_emitter_t *emitter, const char *value, bool is_plain)
{
	yaml_event_t event;

	yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)value, (int)strlen(value),
				     1, 1,
				     is_plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return yaml_emitter_emit(emitter, &event);
}

static int emit_value(yaml_emitter_t *emitter, json_t *value)
{
	yaml_event_t event;
	const char *key;
	json_t *item;
	size_t i;
	char number[32];

	switch (json_typeof(value)) {
	case JSON_OBJECT:
		yaml_mapping_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(emitter, &event))
			return 0;
		json_object_foreach(value, key, item)
			if (!emit_scalar(emitter, key, is_plain_safe(key)) || !emit_value(emitter, item))
				return 0;
		yaml_mapping_end_event_initialize(&event);
		return yaml_emitter_emit(emitter, &event);
	case JSON_ARRAY:
		yaml_sequence_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(emitter, &event))
			return 0;
		json_array_foreach(value, i, item)
			if (!emit_value(emitter, item))
				return 0;
		yaml_sequence_end_event_initialize(&event);
		return yaml_emitter_emit(emitter, &event);
	case JSON_STRING:
		return emit_scalar(emitter, json_string_value(value),
				   is_plain_safe(json_string_value(value)));
	case JSON_INTEGER:
		snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
		return emit_scalar(emitter, number, true);
	case JSON_TRUE:
		return emit_scalar(emitter, "true", true);
	case JSON_FALSE:
		return emit_scalar(emitter, "false", true);
	default:
		return emit_scalar(emitter, "null", true);
	}
}

/* Each item of the list as one document of a YAML stream. */
static char *emit_yaml(json_t *list)
{
	struct strbuf sb = { 0 };
	yaml_emitter_t emitter;
	yaml_event_t event;
	json_t *item;
	size_t i;
	int ok;

	if (!yaml_emitter_initialize(&emitter))
		return NULL;
	yaml_emitter_set_output(&emitter, write_yaml, &sb);
	yaml_emitter_set_width(&emitter, -1);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&emitter, &event);
	json_array_foreach(json_object_get(list, "items"), i, item) {
		if (!ok)
			break;
		yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 0);
		ok = yaml_emitter_emit(&emitter, &event) && emit_value(&emitter, item);
		yaml_document_end_event_initialize(&event, 1);
		ok = ok && yaml_emitter_emit(&emitter, &event);
	}
	yaml_stream_end_event_initialize(&event);
	ok = ok && yaml_emitter_emit(&emitter, &event) && yaml_emitter_flush(&emitter);
	yaml_emitter_delete(&emitter);
	if (!ok || sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_take(&sb);
}

static char *emit_json(json_t *list)
{
	char *text = json_dumps(list, JSON_INDENT(2));
	struct strbuf sb = { 0 };

	if (!text)
		return NULL;
	strbuf_addf(&sb, "%s\n", text);
	free(text);
	return strbuf_take(&sb);
}

int netpol_render(const struct vpc_model *model, const char *k8s_namespace, bool is_json,
		  char **out, struct vec *notes, struct bw_err *err)
{
	struct render r = { .model = model, .notes = notes };
	json_t *list;

	*out = NULL;
	if (!netpol_namespace_is_valid(k8s_namespace)) {
		char shown[81];
		size_t i;

		/* Shown on one line, whatever it holds. */
		for (i = 0; k8s_namespace[i] && i + 1 < sizeof(shown); i++) {
			bool is_printable = k8s_namespace[i] > ' ' && k8s_namespace[i] < 0x7f;

			shown[i] = '?';
			if (is_printable)
				shown[i] = k8s_namespace[i];
		}
		shown[i] = '\0';
		return bw_err_input(err, "--namespace '%s' is not a DNS-1123 label (1 to 63 "
				    "characters a-z, 0-9 and '-', starting and ending with a "
				    "letter or digit)", shown);
	}
	list = build_list(&r, k8s_namespace);
	if (list && !r.is_oom)
		*out = is_json ? emit_json(list) : emit_yaml(list);
	json_decref(list);
	if (!*out)
		return bw_errf(err, -ENOMEM, "fw netpol: out of memory");
	return 0;
}
