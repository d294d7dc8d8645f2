/* Table bridge bulwark_vpc: the source/destination check (vpc_nft.h).
 * A fixed handful of rules; everything that grows with the VPC is a set
 * element, so loading and matching stay flat as ENIs are added. */
#include "render/vpc_nft_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const counters[] = {
	"srcdst_wrong_port", "srcdst_spoofed_source", "srcdst_unknown_mac",
	"srcdst_spoofed_destination", "srcdst_not_ip", "srcdst_broadcast",
};

/* ---- who can be bound ------------------------------------------------- */

/* A port name the ruleset can quote: the kernel allows more (quotes among
 * them) than a bridge port worth binding needs. */
static bool ifname_is_safe(const char *name)
{
	size_t n = strnlen(name, VPC_PORT_NAME_MAX);

	if (n == 0 || n == VPC_PORT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@+-",
			    name[i]))
			return false;
	return true;
}

static const struct vpc_eni *eni_at(const struct vpc_model *model, size_t e)
{
	return VEC_AT(&model->enis, struct vpc_eni, e);
}

static bool port_is_usable(const struct vpc_port *port)
{
	return vnft_mac_is_valid(port->mac) && ifname_is_safe(port->ifname);
}

/* Who is bound how, worked out once (sorting, not pairwise comparing:
 * a VPC may have 10,000 ENIs). */
struct binding {
	const struct vpc_model *model;
	enum vpc_bind_kind *kind; /* per ENI; VPC_BIND_MAC_ONLY also when it has a port */
	bool *is_bound;           /* per ENI: it has a MAC of its own */
	bool *has_port;           /* per ENI: a usable port has its MAC */
	struct vec ports;         /* struct vpc_port: usable, of bound ENIs, by name then MAC */
	bool has_unbound, has_unbound_unchecked;
};

static int port_cmp(const void *a, const void *b)
{
	const struct vpc_port *x = a, *y = b;
	int c = strcmp(x->ifname, y->ifname);

	return c ? c : strcmp(x->mac, y->mac);
}

/* ENI indexes with a valid MAC, by MAC then index. */
struct mac_index {
	const char *mac;
	size_t eni;
};

static int mac_index_cmp(const void *a, const void *b)
{
	const struct mac_index *x = a, *y = b;
	int c = strcmp(x->mac, y->mac);

	return c ? c : (x->eni > y->eni) - (x->eni < y->eni);
}

static int port_mac_key_cmp(const void *a, const void *b)
{
	const struct mac_index *x = a, *y = b;

	return strcmp(x->mac, y->mac);
}

static int find_bound_enis(struct binding *b, struct vec *by_mac)
{
	const struct vpc_model *model = b->model;

	for (size_t e = 0; e < model->enis.len; e++) {
		struct mac_index m = { eni_at(model, e)->mac, e };

		b->kind[e] = VPC_BIND_NO_MAC;
		if (vnft_mac_is_valid(m.mac) && vec_push(by_mac, &m) < 0)
			return -ENOMEM;
	}
	if (by_mac->len > 1)
		qsort(by_mac->items, by_mac->len, sizeof(struct mac_index), mac_index_cmp);
	for (size_t i = 0; i < by_mac->len; i++) {
		const struct mac_index *m = VEC_AT(by_mac, struct mac_index, i);
		bool is_first = i == 0 || strcmp(VEC_AT(by_mac, struct mac_index, i - 1)->mac,
						 m->mac) != 0;

		b->kind[m->eni] = is_first ? VPC_BIND_MAC_ONLY : VPC_BIND_SHARED_MAC;
		b->is_bound[m->eni] = is_first;
	}
	return 0;
}

/* The usable ports of bound ENIs; has_port for those ENIs. */
static int find_ports(struct binding *b, const struct vec *by_mac, const struct vpc_port *ports,
		      size_t n_ports)
{
	size_t n = 0;

	for (size_t p = 0; p < n_ports; p++) {
		struct mac_index key = { ports[p].mac, 0 };
		const struct mac_index *m;

		if (!port_is_usable(&ports[p]))
			continue;
		/* The first ENI with this MAC is the bound one. */
		m = by_mac->len ? bsearch(&key, by_mac->items, by_mac->len,
					  sizeof(struct mac_index), port_mac_key_cmp) : NULL;
		while (m && m > (const struct mac_index *)by_mac->items &&
		       strcmp(m[-1].mac, key.mac) == 0)
			m--;
		if (!m)
			continue;
		b->has_port[m->eni] = true;
		if (vec_push(&b->ports, &ports[p]) < 0)
			return -ENOMEM;
	}
	if (b->ports.len > 1)
		qsort(b->ports.items, b->ports.len, sizeof(struct vpc_port), port_cmp);
	for (size_t i = 0; i < b->ports.len; i++)
		if (n == 0 || port_cmp(VEC_AT(&b->ports, struct vpc_port, n - 1),
				       VEC_AT(&b->ports, struct vpc_port, i)) != 0)
			*VEC_AT(&b->ports, struct vpc_port, n++) = *VEC_AT(&b->ports, struct vpc_port, i);
	b->ports.len = n;
	return 0;
}

static void binding_free(struct binding *b)
{
	free(b->kind);
	free(b->is_bound);
	free(b->has_port);
	vec_free(&b->ports);
}

static int binding_build(struct binding *b, const struct vpc_model *model,
			 const struct vpc_port *ports, size_t n_ports)
{
	struct vec by_mac = VEC_INIT(struct mac_index);
	size_t n = model->enis.len + 1;
	int rc = -ENOMEM;

	*b = (struct binding){ .model = model, .ports = VEC_INIT(struct vpc_port) };
	b->kind = calloc(n, sizeof(*b->kind));
	b->is_bound = calloc(n, sizeof(bool));
	b->has_port = calloc(n, sizeof(bool));
	if (b->kind && b->is_bound && b->has_port)
		rc = find_bound_enis(b, &by_mac);
	if (rc == 0)
		rc = find_ports(b, &by_mac, ports, n_ports);
	vec_free(&by_mac);
	for (size_t e = 0; rc == 0 && e < model->enis.len; e++) {
		if (b->is_bound[e])
			continue;
		b->has_unbound = true;
		b->has_unbound_unchecked |= !eni_at(model, e)->is_source_dest_checked;
	}
	if (rc < 0)
		binding_free(b);
	return rc;
}

int vpc_nft_bind_notes(const struct vpc_model *model, const struct vpc_port *ports,
		       size_t n_ports, struct vec *notes)
{
	struct binding b;
	int rc = binding_build(&b, model, ports, n_ports);

	if (rc < 0)
		return rc;
	for (size_t e = 0; rc == 0 && e < model->enis.len; e++) {
		struct vpc_bind_note note = { (int)e, b.kind[e] };

		if (!(b.is_bound[e] && b.has_port[e]) && vec_push(notes, &note) < 0)
			rc = -ENOMEM;
	}
	binding_free(&b);
	return rc;
}
void vpc_nft_bind_note_format(const struct vpc_model *model, const struct vpc_bind_note *note,
			      char *out, size_t out_size)
{
	const struct vpc_eni *eni = eni_at(model, (size_t)note->eni);
	const char *why = "";

	switch (note->kind) {
	case VPC_BIND_NO_MAC:
		why = "no MAC address in the input: its source and destination are not checked";
		break;
	case VPC_BIND_SHARED_MAC:
		why = "its MAC belongs to an earlier ENI: its source and destination are not checked";
		break;
	case VPC_BIND_MAC_ONLY:
		why = "no bridge port has a static entry for its MAC: bound by MAC only";
		break;
	}
	snprintf(out, out_size, "%s (%s): %s", eni->id, eni->mac[0] ? eni->mac : "no MAC", why);
}

/* ---- element lists ---------------------------------------------------- */

/* Writes "\t\telements = { " before the first element and the separator
 * before the others; *count says how many came before. */
static void next_element(struct strbuf *sb, size_t *count)
{
	strbuf_addf(sb, "%s", (*count)++ ? ",\n\t\t\t     " : "\t\telements = { ");
}

static void end_elements(struct strbuf *sb, size_t count)
{
	strbuf_addf(sb, "%s\t}\n\n", count ? " }\n" : "");
}

/* Closes a hash set or map whose elements were written to elements: its
 * size (known only now), the elements, the end. */
static void end_hash_elements(struct strbuf *sb, struct strbuf *elements, size_t count)
{
	vnft_add_size(sb, count);
	if (elements->len)
		strbuf_add(sb, elements->buf, elements->len);
	if (elements->failed)
		sb->failed = 1;
	strbuf_free(elements);
	end_elements(sb, count);
}

/* Which ENIs a set holds. */
enum eni_filter { ENIS_BOUND, ENIS_CHECKED, ENIS_UNBOUND };

static bool eni_passes(const struct binding *b, size_t e, enum eni_filter filter)
{
	if (filter == ENIS_UNBOUND)
		return !b->is_bound[e];
	return b->is_bound[e] &&
	       (filter == ENIS_BOUND || eni_at(b->model, e)->is_source_dest_checked);
}

/* Which of an ENI's address ranges a set holds: single addresses go to a
 * hash set (a frame's common case, one cheap lookup), the others (ranges
 * of delegated prefixes) to an interval set. */
enum range_filter { RANGES_ALL, RANGES_SINGLE, RANGES_WIDE };

static bool range_passes(const struct vnft_range *r, enum range_filter filter)
{
	return filter == RANGES_ALL || (filter == RANGES_SINGLE) == (r->lo == r->hi);
}

static int range_cmp(const void *a, const void *b)
{
	const struct vnft_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts ranges and merges those that overlap or touch: the addresses of
 * a subnet's ENIs are often consecutive, and one element for a run of
 * them loads far cheaper than one each. */
static void merge_ranges(struct vec *ranges)
{
	size_t n = 0;

	if (ranges->len > 1)
		qsort(ranges->items, ranges->len, sizeof(struct vnft_range), range_cmp);
	for (size_t i = 0; i < ranges->len; i++) {
		const struct vnft_range *r = VEC_AT(ranges, struct vnft_range, i);
		struct vnft_range *last = n > 0 ? VEC_AT(ranges, struct vnft_range, n - 1) : NULL;

		if (last && (r->lo <= last->hi || r->lo - 1 == last->hi)) {
			if (r->hi > last->hi)
				last->hi = r->hi;
			continue;
		}
		*VEC_AT(ranges, struct vnft_range, n++) = *r;
	}
	ranges->len = n;
}

/* set NAME { typeof FIELD; auto-merge; elements }: every address range
 * of family of the ENIs filter lets through, merged. */
static int render_merged_set(struct strbuf *sb, const struct binding *b, const char *name, int fi,
			     enum eni_filter filter)
{
	const struct family_names *f = &vnft_families[fi];
	struct vec all = VEC_INIT(struct vnft_range);
	size_t count = 0;
	int rc = 0;

	strbuf_addf(sb, "\tset %s {\n\t\ttypeof %s saddr\n\t\tflags interval\n"
		    "\t\tauto-merge\n", name, f->ip);
	for (size_t e = 0; rc == 0 && e < b->model->enis.len; e++) {
		struct vec ranges = VEC_INIT(struct vnft_range);

		/* Its own vector: vnft_eni_ranges sorts the whole of it. */
		if (eni_passes(b, e, filter))
			rc = vnft_eni_ranges(eni_at(b->model, e), f->family, &ranges);
		for (size_t i = 0; rc == 0 && i < ranges.len; i++)
			rc = vec_push(&all, VEC_AT(&ranges, struct vnft_range, i));
		vec_free(&ranges);
	}
	if (rc == 0)
		merge_ranges(&all);
	for (size_t i = 0; rc == 0 && i < all.len; i++) {
		const struct vnft_range *r = VEC_AT(&all, struct vnft_range, i);

		next_element(sb, &count);
		vnft_add_range(sb, r->lo, r->hi, f->family);
	}
	vec_free(&all);
	end_elements(sb, count);
	return rc;
}

/* set NAME { typeof ether saddr . FIELD; [flags interval;] elements }
 * with an element per address range that ranges lets through, prefixed
 * by the ENI's MAC, of each ENI filter lets through. */
static int render_addr_set(struct strbuf *sb, const struct binding *b, const char *name,
			   int fi, enum eni_filter filter, enum range_filter ranges_of)
{
	const struct family_names *f = &vnft_families[fi];
	bool is_hash = ranges_of == RANGES_SINGLE;
	struct strbuf hashed = { 0 }, *out = is_hash ? &hashed : sb;
	size_t count = 0;
	int rc = 0;

	strbuf_addf(sb, "\tset %s {\n\t\ttypeof ether saddr . %s saddr\n%s", name, f->ip,
		    is_hash ? "" : "\t\tflags interval\n");
	for (size_t e = 0; rc == 0 && e < b->model->enis.len; e++) {
		struct vec ranges = VEC_INIT(struct vnft_range);

		if (!eni_passes(b, e, filter))
			continue;
		rc = vnft_eni_ranges(eni_at(b->model, e), f->family, &ranges);
		for (size_t i = 0; rc == 0 && i < ranges.len; i++) {
			const struct vnft_range *r = VEC_AT(&ranges, struct vnft_range, i);

			if (!range_passes(r, ranges_of))
				continue;
			next_element(out, &count);
			strbuf_addf(out, "%s . ", eni_at(b->model, e)->mac);
			vnft_add_range(out, r->lo, r->hi, f->family);
		}
		vec_free(&ranges);
	}
	if (is_hash)
		end_hash_elements(sb, &hashed, count);
	else
		end_elements(sb, count);
	return rc;
}

/* set NAME { typeof ether FIELD; elements } of the MACs of bound ENIs:
 * those with a port, the checked ones, or the unchecked ones. */
enum mac_filter { MACS_WITH_PORT, MACS_CHECKED, MACS_UNCHECKED };

static void render_mac_set(struct strbuf *sb, const struct binding *b, const char *name,
			   const char *field, enum mac_filter filter)
{
	struct strbuf elements = { 0 };
	size_t count = 0;

	strbuf_addf(sb, "\tset %s {\n\t\ttypeof ether %s\n", name, field);
	for (size_t e = 0; e < b->model->enis.len; e++) {
		const struct vpc_eni *eni = eni_at(b->model, e);

		if (!b->is_bound[e] || (filter == MACS_WITH_PORT && !b->has_port[e]) ||
		    (filter == MACS_CHECKED && !eni->is_source_dest_checked) ||
		    (filter == MACS_UNCHECKED && eni->is_source_dest_checked))
			continue;
		next_element(&elements, &count);
		strbuf_addf(&elements, "%s", eni->mac);
	}
	end_hash_elements(sb, &elements, count);
}

static void render_port_sets(struct strbuf *sb, const struct vec *bound)
{
	size_t count = 0;

	strbuf_addf(sb, "\tset port_mac {\n\t\ttypeof iifname . ether saddr\n");
	for (size_t i = 0; i < bound->len; i++) {
		const struct vpc_port *port = VEC_AT(bound, struct vpc_port, i);

		next_element(sb, &count);
		strbuf_addf(sb, "\"%s\" . %s", port->ifname, port->mac);
	}
	end_elements(sb, count);
	count = 0;
	strbuf_addf(sb, "\tset bound_ports {\n\t\ttypeof iifname\n");
	for (size_t i = 0; i < bound->len; i++) {
		const char *name = VEC_AT(bound, struct vpc_port, i)->ifname;

		if (i > 0 && strcmp(VEC_AT(bound, struct vpc_port, i - 1)->ifname, name) == 0)
			continue;
		next_element(sb, &count);
		strbuf_addf(sb, "\"%s\"", name);
	}
	end_elements(sb, count);
}

/* ---- chains ----------------------------------------------------------- */

#define SPOOFED_SOURCE "counter name srcdst_spoofed_source drop\n"

/* A checked ENI's frame from or to one of its own single addresses: one
 * hash lookup of MAC and address, which the checked chains would accept.
 * The base chains try it first, so a frame of the common case leaves
 * there; the chains hold it too, to stand whole on their own.
 * Why `ether type ip` (in place of the `meta protocol ip` nft would
 * add, so no dearer): the kernel moves an 802.1Q or 802.1ad tag out of
 * a received frame (priority-tagged VLAN 0 included) and sets the
 * protocol to the inner one, so `meta protocol` and `ip saddr` see a
 * tagged frame's IP packet, while br_netfilter never hands a tagged
 * frame to the groups of table inet; `ether type` reads the tag's. */
#define CHECKED_SOURCE_ADDR "\t\tether type ip ether saddr . ip saddr @eni_addr_v4 accept\n" \
			    "\t\tether type ip6 ether saddr . ip6 saddr @eni_addr_v6 accept\n"
#define CHECKED_DESTINATION_ADDR "\t\tether type ip ether daddr . ip daddr @eni_addr_v4 accept\n" \
				 "\t\tether type ip6 ether daddr . ip6 daddr @eni_addr_v6 accept\n"
/* An AWS VPC carries only IPv4, IPv6 and ARP between ENIs, never a
 * VLAN tag: anything else (a tagged frame, whatever it carries inside)
 * is dropped before the checked and unchecked chains, whose rules match
 * a tagged frame's inner packet (above). A counter of its own: no
 * address was forged, and a tagged frame is not a MAC's fault. */
#define NOT_IP "\t\tether type != { ip, ip6, arp } counter name srcdst_not_ip drop\n"
/* AWS delivers no IP broadcast or multicast from one ENI to another,
 * and flooded to every port such a frame would meet no ingress group
 * (they are found by the destination's address or MAC). Between ports
 * (the forward hook; the host's own DHCP and router advertisements go
 * out by output) only what neighbours need passes: ARP, and IPv6
 * neighbour solicitations and advertisements and MLD to a multicast
 * address. A broadcast address to a unicast MAC is dropped too: the
 * receiving host would take it. */
#define BROADCAST "counter name srcdst_broadcast drop\n"
#define NOT_UNICAST "\t\tip daddr { 224.0.0.0/4, 255.255.255.255 } " BROADCAST \
		    "\t\tether type ip ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 " \
		    BROADCAST \
		    "\t\tip6 daddr ff00::/8 meta l4proto != ipv6-icmp " BROADCAST \
		    "\t\tip6 daddr ff00::/8 icmpv6 type != { nd-neighbor-solicit, " \
		    "nd-neighbor-advert, mld-listener-query, mld-listener-report, " \
		    "mld-listener-done, mld2-listener-report } " BROADCAST

static void render_checked_source(struct strbuf *sb)
{
	strbuf_addf(sb,
		"\tchain checked_source {\n"
		CHECKED_SOURCE_ADDR
		"\t\tether saddr . ip saddr @eni_v4 accept\n"
		"\t\tether saddr . ip6 saddr @eni_v6 accept\n"
		/* What an ENI sends before or without its address: neighbour
		 * discovery, duplicate address detection, MLD, DHCP discovery,
		 * ARP probes. */
		"\t\tip6 saddr { ::, fe80::/10 } accept\n"
		"\t\tip saddr 0.0.0.0 udp dport 67 accept\n"
		"\t\tether saddr . arp saddr ip @eni_addr_v4 accept\n"
		"\t\tether saddr . arp saddr ip @eni_v4 accept\n"
		"\t\tarp saddr ip 0.0.0.0 accept\n"
		"\t\tmeta protocol { ip, ip6, arp } " SPOOFED_SOURCE
		"\t}\n\n");
}

/* A MAC no ENI has: it may not claim a bound ENI's address; it may send
 * what an ENI the model cannot bind could (when one of those is
 * unchecked: anything). */
static void render_unknown_source(struct strbuf *sb, bool has_unbound, bool has_unbound_unchecked)
{
	strbuf_addf(sb,
		"\tchain unknown_source {\n"
		"\t\tip saddr @claimed_v4 " SPOOFED_SOURCE
		"\t\tip6 saddr @claimed_v6 " SPOOFED_SOURCE
		"\t\tarp saddr ip @claimed_v4 " SPOOFED_SOURCE);
	if (has_unbound_unchecked) {
		strbuf_addf(sb, "\t\taccept\n\t}\n\n");
		return;
	}
	strbuf_addf(sb,
		"\t\tip saddr @unbound_v4 accept\n"
		"\t\tip6 saddr @unbound_v6 accept\n"
		"\t\tarp saddr ip @unbound_v4 accept\n");
	if (has_unbound)
		strbuf_addf(sb,
			"\t\tip6 saddr { ::, fe80::/10 } accept\n"
			"\t\tip saddr 0.0.0.0 udp dport 67 accept\n"
			"\t\tarp saddr ip 0.0.0.0 accept\n");
	strbuf_addf(sb,
		"\t\tmeta protocol { ip, ip6, arp } counter name srcdst_unknown_mac drop\n"
		"\t}\n\n");
}

static void render_checked_destination(struct strbuf *sb)
{
	strbuf_addf(sb,
		"\tchain checked_destination {\n"
		CHECKED_DESTINATION_ADDR
		"\t\tether daddr . ip daddr @eni_v4 accept\n"
		"\t\tether daddr . ip6 daddr @eni_v6 accept\n"
		"\t\tether daddr . arp daddr ip @eni_addr_v4 accept\n"
		"\t\tether daddr . arp daddr ip @eni_v4 accept\n"
		/* Broadcast, multicast and link-local to a unicast MAC (DHCP
		 * offers, neighbour discovery). */
		"\t\tip daddr { 224.0.0.0/4, 255.255.255.255 } accept\n"
		"\t\tip6 daddr { fe80::/10, ff00::/8 } accept\n"
		"\t\tmeta protocol { ip, ip6, arp } counter name srcdst_spoofed_destination drop\n"
		"\t}\n\n");
}

static void render_base_chains(struct strbuf *sb, bool has_ports)
{
	strbuf_addf(sb,
		"\tchain prerouting {\n"
		"\t\ttype filter hook prerouting priority filter; policy accept;\n");
	if (has_ports)
		strbuf_addf(sb,
			"\t\tiifname @bound_ports iifname . ether saddr != @port_mac "
			"counter name srcdst_wrong_port drop\n"
			"\t\tether saddr @bound_macs iifname . ether saddr != @port_mac "
			"counter name srcdst_wrong_port drop\n");
	strbuf_addf(sb,
		CHECKED_SOURCE_ADDR
		NOT_IP
		/* The MACs of the checked ENIs, not a map of every bound
		 * MAC to its verdict: the forward chains look that set up
		 * anyway, and 10,000 map elements fewer load faster. */
		"\t\tether saddr @checked_macs goto checked_source\n"
		"\t\tether saddr @unchecked_macs accept\n"
		"\t\tgoto unknown_source\n"
		"\t}\n\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		CHECKED_DESTINATION_ADDR
		NOT_IP
		NOT_UNICAST
		"\t\tether daddr @checked_macs goto checked_destination\n"
		"\t}\n\n"
		"\tchain output {\n"
		"\t\ttype filter hook output priority filter; policy accept;\n"
		CHECKED_DESTINATION_ADDR
		NOT_IP
		"\t\tether daddr @checked_macs goto checked_destination\n"
		"\t}\n");
}

/* ---- the table -------------------------------------------------------- */

static int render_bridge_sets(struct strbuf *sb, const struct binding *b)
{
	int rc = 0;

	render_port_sets(sb, &b->ports);
	render_mac_set(sb, b, "bound_macs", "saddr", MACS_WITH_PORT);
	render_mac_set(sb, b, "unchecked_macs", "saddr", MACS_UNCHECKED);
	render_mac_set(sb, b, "checked_macs", "daddr", MACS_CHECKED);
	for (int fi = 0; rc == 0 && fi < 2; fi++) {
		char name[32];

		snprintf(name, sizeof(name), "eni_addr_%s", vnft_families[fi].suffix);
		rc = render_addr_set(sb, b, name, fi, ENIS_CHECKED, RANGES_SINGLE);
		snprintf(name, sizeof(name), "eni_%s", vnft_families[fi].suffix);
		if (rc == 0)
			rc = render_addr_set(sb, b, name, fi, ENIS_CHECKED, RANGES_WIDE);
		snprintf(name, sizeof(name), "claimed_%s", vnft_families[fi].suffix);
		if (rc == 0)
			rc = render_merged_set(sb, b, name, fi, ENIS_BOUND);
		snprintf(name, sizeof(name), "unbound_%s", vnft_families[fi].suffix);
		if (rc == 0)
			rc = render_merged_set(sb, b, name, fi, ENIS_UNBOUND);
	}
	return rc;
}

char *vpc_nft_render_bridge(const struct vpc_model *model, const struct vpc_port *ports,
			    size_t n_ports)
{
	struct strbuf sb = { 0 };
	struct binding b;

	if (binding_build(&b, model, ports, n_ports) < 0)
		return NULL;
	strbuf_addf(&sb, VPC_NFT_BRIDGE_DELETE "table bridge " VPC_NFT_TABLE " {\n");
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		strbuf_addf(&sb, "\tcounter %s {\n\t}\n\n", counters[i]);
	if (render_bridge_sets(&sb, &b) < 0) {
		binding_free(&b);
		strbuf_free(&sb);
		return NULL;
	}
	render_checked_source(&sb);
	render_unknown_source(&sb, b.has_unbound, b.has_unbound_unchecked);
	render_checked_destination(&sb);
	render_base_chains(&sb, b.ports.len > 0);
	strbuf_addf(&sb, "}\n");
	binding_free(&b);
	return strbuf_take(&sb);
}

char *vpc_nft_render_all(const struct vpc_model *model, const struct vpc_nft_opts *opts,
			 const struct vpc_port *ports, size_t n_ports)
{
	char *inet = vpc_nft_render(model, opts);
	char *bridge = inet ? vpc_nft_render_bridge(model, ports, n_ports) : NULL;
	struct strbuf sb = { 0 };

	if (bridge) {
		strbuf_add(&sb, inet, strlen(inet));
		strbuf_add(&sb, bridge, strlen(bridge));
	}
	free(inet);
	free(bridge);
	return bridge ? strbuf_take(&sb) : NULL;
}
