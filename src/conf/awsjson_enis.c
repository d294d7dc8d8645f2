/* instances.json and network-interfaces.json: every ENI, one per id.
 *
 * describe-network-interfaces lists every ENI of the region, the
 * instances' and the requester-managed ones (RDS, ELB, Lambda, VPC
 * endpoints: no instance); describe-instances lists the ENIs of each
 * instance. An ENI in both files is one ENI. Neither file wins where both
 * speak: they are two snapshots of the same object, and when they differ
 * (an address moved, a group was changed between the two commands) any
 * choice would build a ruleset out of two moments, possibly giving one
 * address to two ENIs. So a disagreement on subnet, VPC, instance, MAC,
 * source/dest check, addresses, prefixes or groups is an input error that
 * names the ENI; where only one file states a field (a hand-made file
 * without MacAddress, a network interface without Attachment.InstanceId),
 * the other file's value is taken.
 *
 * instances.json alone leaves out stopped instances (no traffic to judge);
 * an ENI of one that network-interfaces.json lists stays: it keeps its
 * addresses and groups while stopped, and AWS counts it in references to
 * its groups. A detached ENI (Status "available") is left out. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void free_eni(struct vpc_eni *eni)
{
	vec_free(&eni->addrs);
	vec_free(&eni->group_ids);
	vec_free(&eni->groups);
}

/* Addresses (is_prefix false) or delegated prefixes under list_key. */
static int read_addrs(json_t *item, const char *list_key, const char *key, int family,
		      bool is_prefix, struct vpc_eni *eni, struct awsjson_where *w)
{
	json_t *list = NULL, *sub = NULL;
	size_t i;
	int rc = awsjson_get_array(item, list_key, false, w, &list);

	json_array_foreach(rc == 0 ? list : NULL, i, sub) {
		const char *text;
		struct cidr addr;

		rc = awsjson_get_string(sub, key, w, &text);
		if (rc == 0 && is_prefix)
			rc = awsjson_parse_cidr(text, family, w, &addr);
		else if (rc == 0 && (cidr_parse_addr(text, &addr) < 0 || addr.family != family))
			rc = awsjson_bad(w, "'%.64s' is not an %s address", text,
					 family == AF_INET ? "IPv4" : "IPv6");
		if (rc == 0 && vec_push(&eni->addrs, &addr) < 0)
			rc = awsjson_oom(w);
		if (rc < 0)
			break;
	}
	return rc;
}

/* What both files say of an ENI. instance_vpc and is_instance_checked are
 * the instance's VpcId and SourceDestCheck, which its ENIs fall back on. */
static int parse_eni(json_t *item, const char *instance_vpc, bool is_instance_checked,
		     struct vpc_eni *eni, struct awsjson_where *w)
{
	json_t *groups = NULL, *sub = NULL, *mac = json_object_get(item, "MacAddress");
	size_t i;
	int rc = awsjson_get_id(item, "NetworkInterfaceId", "eni-", w, eni->id);

	if (rc < 0)
		return rc;
	if (eni->instance_id[0])
		snprintf(w->what, sizeof(w->what), "%s %s", eni->instance_id, eni->id);
	else
		snprintf(w->what, sizeof(w->what), "%s", eni->id);
	if ((rc = awsjson_get_id(item, "SubnetId", "subnet-", w, eni->subnet_id)) < 0 ||
	    (rc = awsjson_get_opt_id(item, "VpcId", "vpc-", w, eni->vpc_id)) < 0 ||
	    (rc = awsjson_get_opt_bool(item, "SourceDestCheck", is_instance_checked, w,
				       &eni->is_source_dest_checked)) < 0)
		return rc;
	if (!eni->vpc_id[0])
		snprintf(eni->vpc_id, sizeof(eni->vpc_id), "%s", instance_vpc);
	if (mac && !json_is_string(mac))
		return awsjson_bad(w, "MacAddress must be a string");
	if (mac && (rc = awsjson_parse_mac(json_string_value(mac), w, eni->mac)) < 0)
		return rc;
	/* Prefix delegation: every address of the prefix is this ENI's. */
	if ((rc = read_addrs(item, "PrivateIpAddresses", "PrivateIpAddress", AF_INET, false,
			     eni, w)) < 0 ||
	    (rc = read_addrs(item, "Ipv6Addresses", "Ipv6Address", AF_INET6, false, eni, w)) < 0 ||
	    (rc = read_addrs(item, "Ipv4Prefixes", "Ipv4Prefix", AF_INET, true, eni, w)) < 0 ||
	    (rc = read_addrs(item, "Ipv6Prefixes", "Ipv6Prefix", AF_INET6, true, eni, w)) < 0)
		return rc;
	rc = awsjson_get_array(item, "Groups", true, w, &groups);
	json_array_foreach(rc == 0 ? groups : NULL, i, sub) {
		struct vpc_id group;

		rc = awsjson_get_id(sub, "GroupId", "sg-", w, group.id);
		if (rc == 0 && vec_push(&eni->group_ids, &group) < 0)
			rc = awsjson_oom(w);
		if (rc < 0)
			break;
	}
	return rc;
}

static bool same_cidr(const struct cidr *a, const struct cidr *b)
{
	return a->family == b->family && a->prefix_len == b->prefix_len &&
	       memcmp(a->addr, b->addr, cidr_addr_len(a->family)) == 0;
}

/* Whether every item of a is in b (items compared with same). */
static bool is_subset(const struct vec *a, const struct vec *b,
		      bool (*same)(const void *, const void *))
{
	for (size_t i = 0; i < a->len; i++) {
		bool is_found = false;

		for (size_t j = 0; !is_found && j < b->len; j++)
			is_found = same((const char *)a->items + i * a->item_size,
					(const char *)b->items + j * b->item_size);
		if (!is_found)
			return false;
	}
	return true;
}

static bool same_cidr_item(const void *a, const void *b)
{
	return same_cidr(a, b);
}

static bool same_id_item(const void *a, const void *b)
{
	return strcmp(((const struct vpc_id *)a)->id, ((const struct vpc_id *)b)->id) == 0;
}

static bool same_set(const struct vec *a, const struct vec *b,
		     bool (*same)(const void *, const void *))
{
	return is_subset(a, b, same) && is_subset(b, a, same);
}

/* Fills into's empty field from from's, or fails when both are set and differ. */
static int merge_text(char *into, const char *from, size_t size, const char *what,
		      const char *other, struct awsjson_where *w)
{
	if (into[0] && from[0] && strcmp(into, from) != 0)
		return awsjson_bad(w, "%s gives it %s %s, this file %s: dump both files at the same time",
				   other, what, into, from);
	if (!into[0])
		snprintf(into, size, "%s", from);
	return 0;
}

/* The same ENI read from the other file (other): see the top of this file. */
static int merge_eni(struct vpc_eni *into, const struct vpc_eni *from, const char *other,
		     struct awsjson_where *w)
{
	int rc;

	into->is_interface_only = false; /* in both files */
	if ((rc = merge_text(into->subnet_id, from->subnet_id, sizeof(into->subnet_id), "subnet",
			     other, w)) < 0 ||
	    (rc = merge_text(into->vpc_id, from->vpc_id, sizeof(into->vpc_id), "VPC", other,
			     w)) < 0 ||
	    (rc = merge_text(into->instance_id, from->instance_id, sizeof(into->instance_id),
			     "instance", other, w)) < 0 ||
	    (rc = merge_text(into->mac, from->mac, sizeof(into->mac), "MacAddress", other,
			     w)) < 0)
		return rc;
	if (into->is_source_dest_checked != from->is_source_dest_checked)
		return awsjson_bad(w, "%s gives it SourceDestCheck %s, this file %s: dump both files "
				   "at the same time", other,
				   into->is_source_dest_checked ? "true" : "false",
				   from->is_source_dest_checked ? "true" : "false");
	if (!same_set(&into->addrs, &from->addrs, same_cidr_item))
		return awsjson_bad(w, "%s gives it other addresses or prefixes: dump both files at "
				   "the same time", other);
	if (!same_set(&into->group_ids, &from->group_ids, same_id_item))
		return awsjson_bad(w, "%s gives it other security groups: dump both files at the "
				   "same time", other);
	return 0;
}

/* ENI ids to their index in model->enis, for the merge. */
struct eni_index {
	json_t *ids;     /* object: id -> integer index */
	size_t first_new; /* ENIs from this index on come from the file being read */
	const char *other; /* the other file's name */
};

static int index_init(struct eni_index *index, const struct vpc_model *model, const char *other,
		      struct awsjson_where *w)
{
	index->ids = json_object();
	index->first_new = model->enis.len;
	index->other = other;
	if (!index->ids)
		return awsjson_oom(w);
	for (size_t i = 0; i < model->enis.len; i++)
		if (json_object_set_new(index->ids, VEC_AT(&model->enis, struct vpc_eni, i)->id,
					json_integer((json_int_t)i)) < 0)
			return awsjson_oom(w);
	return 0;
}

/* Appends eni, or merges it into the one the other file gave; takes its vectors. */
static int add_eni(struct vpc_model *model, struct eni_index *index, struct vpc_eni *eni,
		   struct awsjson_where *w)
{
	json_t *known = json_object_get(index->ids, eni->id);
	int rc = 0;

	if (known && (size_t)json_integer_value(known) >= index->first_new)
		rc = awsjson_bad(w, "listed twice");
	else if (known)
		rc = merge_eni(VEC_AT(&model->enis, struct vpc_eni,
				      (size_t)json_integer_value(known)), eni, index->other, w);
	else if (json_object_set_new(index->ids, eni->id,
				     json_integer((json_int_t)model->enis.len)) < 0 ||
		 vec_push(&model->enis, eni) < 0)
		rc = awsjson_oom(w);
	else
		return 0; /* the model owns its vectors now */
	free_eni(eni);
	return rc;
}

static struct vpc_eni new_eni(void)
{
	return (struct vpc_eni){ .subnet = -1, .is_source_dest_checked = true,
				 .addrs = VEC_INIT(struct cidr),
				 .group_ids = VEC_INIT(struct vpc_id), .groups = VEC_INIT(int) };
}

static int parse_instance(json_t *instance, struct vpc_model *model, struct eni_index *index,
			  struct awsjson_where *w)
{
	const char *state = json_string_value(json_object_get(json_object_get(instance, "State"),
							       "Name"));
	char instance_id[VPC_ID_MAX], vpc_id[VPC_ID_MAX];
	json_t *enis = NULL, *item = NULL;
	bool is_checked;
	size_t k;
	int rc = awsjson_get_id(instance, "InstanceId", "i-", w, instance_id);

	/* Only running instances have traffic to judge. */
	if (rc < 0 || !state || strcmp(state, "running") != 0)
		return rc;
	snprintf(w->what, sizeof(w->what), "%s", instance_id);
	if ((rc = awsjson_get_opt_id(instance, "VpcId", "vpc-", w, vpc_id)) < 0 ||
	    (rc = awsjson_get_opt_bool(instance, "SourceDestCheck", true, w, &is_checked)) < 0)
		return rc;
	rc = awsjson_get_array(instance, "NetworkInterfaces", true, w, &enis);
	json_array_foreach(rc == 0 ? enis : NULL, k, item) {
		struct vpc_eni eni = new_eni();

		snprintf(eni.instance_id, sizeof(eni.instance_id), "%s", instance_id);
		rc = parse_eni(item, vpc_id, is_checked, &eni, w);
		if (rc < 0) {
			free_eni(&eni);
			break;
		}
		if ((rc = add_eni(model, index, &eni, w)) < 0)
			break;
	}
	return rc;
}

int awsjson_read_instances(json_t *doc, const char *filename, struct vpc_model *model,
			   struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	struct eni_index index = { 0 };
	json_t *reservations = NULL, *reservation = NULL;
	size_t i;
	int rc = index_init(&index, model, "network-interfaces.json", &w);

	if (rc == 0)
		rc = awsjson_get_array(doc, "Reservations", true, &w, &reservations);
	json_array_foreach(rc == 0 ? reservations : NULL, i, reservation) {
		json_t *instances = NULL, *instance = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "reservation %zu", i + 1);
		rc = awsjson_get_array(reservation, "Instances", true, &w, &instances);
		json_array_foreach(rc == 0 ? instances : NULL, j, instance) {
			snprintf(w.what, sizeof(w.what), "reservation %zu instance %zu", i + 1, j + 1);
			if ((rc = parse_instance(instance, model, &index, &w)) < 0)
				break;
		}
		if (rc < 0)
			break;
	}
	json_decref(index.ids);
	return rc;
}

int awsjson_parse_instances(const char *text, size_t len, const char *filename,
			    struct vpc_model *model, struct bw_err *err)
{
	return awsjson_parse_with(awsjson_read_instances, text, len, filename, model, err);
}

int awsjson_read_network_interfaces(json_t *doc, const char *filename, struct vpc_model *model,
				    struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	struct eni_index index = { 0 };
	json_t *list = NULL, *item = NULL;
	size_t i;
	int rc = index_init(&index, model, "instances.json", &w);

	if (rc == 0)
		rc = awsjson_get_array(doc, "NetworkInterfaces", true, &w, &list);
	json_array_foreach(rc == 0 ? list : NULL, i, item) {
		const char *status = json_string_value(json_object_get(item, "Status"));
		struct vpc_eni eni = new_eni();

		snprintf(w.what, sizeof(w.what), "network interface %zu", i + 1);
		/* A detached ENI ("available") carries no traffic. Requester-managed
		 * ENIs have no instance (Attachment.InstanceOwnerId names the
		 * service instead). */
		if (status && strcmp(status, "available") == 0)
			continue;
		rc = awsjson_get_opt_id(json_object_get(item, "Attachment"), "InstanceId", "i-", &w,
					eni.instance_id);
		if (rc == 0)
			rc = parse_eni(item, "", true, &eni, &w);
		if (rc < 0) {
			free_eni(&eni);
			break;
		}
		/* One instances.json lists too keeps its name (merged into it). */
		eni.is_interface_only = true;
		if ((rc = add_eni(model, &index, &eni, &w)) < 0)
			break;
	}
	json_decref(index.ids);
	return rc;
}

int awsjson_parse_network_interfaces(const char *text, size_t len, const char *filename,
				     struct vpc_model *model, struct bw_err *err)
{
	return awsjson_parse_with(awsjson_read_network_interfaces, text, len, filename, model, err);
}

/* ---- checks once one VPC is chosen ------------------------------------ */

const char *awsjson_eni_file(const struct vpc_eni *eni)
{
	return eni->is_interface_only ? "network-interfaces.json" : "instances.json";
}

struct span {
	int family;
	uint8_t first[16], last[16];
	const struct cidr *cidr;
	size_t eni;
};

static int compare_spans(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	if ((c = memcmp(x->first, y->first, 16)) != 0)
		return c;
	return -memcmp(x->last, y->last, 16); /* the wider first */
}

struct mac_of {
	const char *mac;
	size_t eni;
};

static int compare_macs(const void *a, const void *b)
{
	return strcmp(((const struct mac_of *)a)->mac, ((const struct mac_of *)b)->mac);
}

/* No address in two ENIs (prefixes included), no MAC on two: sorted, so
 * that ten thousand ENIs cost no more than sorting them. */
int awsjson_check_enis(const struct vpc_model *model, struct bw_err *err)
{
	struct awsjson_where w = { .err = err };
	struct vec spans = VEC_INIT(struct span), macs = VEC_INIT(struct mac_of);
	const struct span *widest = NULL;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < model->enis.len; i++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);
		struct mac_of mac = { eni->mac, i };

		for (size_t j = 0; rc == 0 && j < eni->addrs.len; j++) {
			struct span s = { .cidr = VEC_AT(&eni->addrs, struct cidr, j), .eni = i };

			s.family = s.cidr->family;
			cidr_bounds(s.cidr, s.first, s.last);
			if (vec_push(&spans, &s) < 0)
				rc = awsjson_oom(&w);
		}
		if (rc == 0 && eni->mac[0] && vec_push(&macs, &mac) < 0)
			rc = awsjson_oom(&w);
	}
	if (rc == 0 && spans.len > 0)
		qsort(spans.items, spans.len, sizeof(struct span), compare_spans);
	for (size_t i = 0; rc == 0 && i < spans.len; i++) {
		const struct span *s = VEC_AT(&spans, struct span, i);

		if (widest && widest->family == s->family && widest->eni != s->eni &&
		    memcmp(s->first, widest->last, 16) <= 0) {
			const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, s->eni);
			const struct vpc_eni *o = VEC_AT(&model->enis, struct vpc_eni, widest->eni);

			w.filename = awsjson_eni_file(eni);
			snprintf(w.what, sizeof(w.what), "%s", eni->id);
			rc = awsjson_bad(&w, "address %s is also %s's (%s): an address belongs to one "
					 "interface", s->cidr->text, o->id, widest->cidr->text);
		}
		if (!widest || widest->family != s->family ||
		    memcmp(s->last, widest->last, 16) > 0)
			widest = s;
	}
	if (rc == 0 && macs.len > 0)
		qsort(macs.items, macs.len, sizeof(struct mac_of), compare_macs);
	for (size_t i = 1; rc == 0 && i < macs.len; i++) {
		const struct mac_of *a = VEC_AT(&macs, struct mac_of, i - 1);
		const struct mac_of *b = VEC_AT(&macs, struct mac_of, i);

		if (strcmp(a->mac, b->mac) == 0) {
			const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, b->eni);

			w.filename = awsjson_eni_file(eni);
			snprintf(w.what, sizeof(w.what), "%s", eni->id);
			rc = awsjson_bad(&w, "MacAddress %s is also %s's", b->mac,
					 VEC_AT(&model->enis, struct vpc_eni, a->eni)->id);
		}
	}
	vec_free(&spans);
	vec_free(&macs);
	return rc;
}
