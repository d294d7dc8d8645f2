/* FNV-1a, 64 bits: a fast digest to notice change (files, rulesets), not
 * a defence against someone choosing collisions. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define FNV1A64_OFFSET 0xcbf29ce484222325ull

static inline uint64_t fnv1a64(uint64_t hash, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ull;
	}
	return hash;
}
