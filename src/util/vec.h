/* A growable array of fixed-size items. The vector owns its storage;
 * vec_free() releases it (not what items point to). */
#pragma once
#include <stddef.h>

struct vec {
	void *items;
	size_t len;
	size_t cap;
	size_t item_size;
};

#define VEC_INIT(type) { .items = NULL, .len = 0, .cap = 0, .item_size = sizeof(type) }
#define VEC_AT(vec, type, i) (&((type *)(vec)->items)[i])

/* Appends a copy of item. Returns 0 or -ENOMEM. */
int vec_push(struct vec *vec, const void *item);
void vec_free(struct vec *vec);
