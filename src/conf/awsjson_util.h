/* Internal to the describe-* readers (src/conf/awsjson_*.c): the helpers
 * they share. Each getter names the file and the object at fault in err. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "conf/awsjson.h"

/* Where a problem is: the file, and the object the error names. */
struct awsjson_where {
	const char *filename;
	struct bw_err *err;
	char what[160]; /* "sg-0abc ingress permission 2", "acl-1 entry 100" */
};

/* An input error "what: msg" in filename; returns -EINVAL. */
int awsjson_bad(struct awsjson_where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int awsjson_oom(struct awsjson_where *w);

/* The document, refusing duplicate keys and more than AWSJSON_MAX_BYTES. */
int awsjson_load(const char *text, size_t len, struct awsjson_where *w, json_t **out);
/* Loads text, reads it with read, frees the document. */
int awsjson_parse_with(awsjson_read_fn read, const char *text, size_t len, const char *filename,
		       struct vpc_model *model, struct bw_err *err);
/* The array under key; a missing key is an empty array (NULL) when !is_required. */
int awsjson_get_array(json_t *obj, const char *key, bool is_required, struct awsjson_where *w,
		      json_t **out);
int awsjson_get_string(json_t *obj, const char *key, struct awsjson_where *w, const char **out);
int awsjson_get_int(json_t *obj, const char *key, struct awsjson_where *w, long long *out);
/* Copies id into out (VPC_ID_MAX) once awsjson_is_id(id, prefix). */
int awsjson_copy_id(const char *id, const char *prefix, char *out, struct awsjson_where *w,
		    const char *key);
int awsjson_get_id(json_t *obj, const char *key, const char *prefix, struct awsjson_where *w,
		   char *out);
/* A canonical range of family (AF_INET or AF_INET6). */
int awsjson_parse_cidr(const char *text, int family, struct awsjson_where *w, struct cidr *out);
/* IpProtocol / Protocol: a name AWS uses or a number 0 to 255. */
int awsjson_parse_proto(const char *text, struct awsjson_where *w, int *out);
bool awsjson_is_icmp(int proto);
bool awsjson_has_ports(int proto);
/* Ports (TCP/UDP) or type and code (ICMP) from two numbers. */
int awsjson_set_ports_or_icmp(struct vpc_traffic *t, bool is_present, long long from,
			      long long to, struct awsjson_where *w, const char *from_key,
			      const char *to_key);

/* An optional id: "" when key is absent, else as awsjson_get_id. */
int awsjson_get_opt_id(json_t *obj, const char *key, const char *prefix,
		       struct awsjson_where *w, char *out);
/* An optional true or false: fallback when key is absent. */
int awsjson_get_opt_bool(json_t *obj, const char *key, bool fallback, struct awsjson_where *w,
			 bool *out);
/* MacAddress: six hex pairs joined by ':', either case; out is lowercase. */
int awsjson_parse_mac(const char *text, struct awsjson_where *w, char out[VPC_MAC_LEN]);

/* Checks the linker runs once one VPC is chosen (awsjson_link.c). */
int awsjson_check_subnets(const struct vpc_model *model, struct bw_err *err);
int awsjson_check_enis(const struct vpc_model *model, struct bw_err *err);
/* The file an ENI's errors name: instances.json when an instance owns it. */
const char *awsjson_eni_file(const struct vpc_eni *eni);
