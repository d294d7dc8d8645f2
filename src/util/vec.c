#include "util/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vec_push(struct vec *vec, const void *item)
{
	if (vec->len == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		void *grown = reallocarray(vec->items, cap, vec->item_size);

		if (!grown)
			return -ENOMEM;
		vec->items = grown;
		vec->cap = cap;
	}
	memcpy((char *)vec->items + vec->len * vec->item_size, item,
	       vec->item_size);
	vec->len++;
	return 0;
}

void vec_free(struct vec *vec)
{
	free(vec->items);
	vec->items = NULL;
	vec->len = 0;
	vec->cap = 0;
}
