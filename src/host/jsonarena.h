/* An arena for jansson: between jsonarena_begin and jsonarena_end, every
 * allocation jansson makes on this thread comes from one mapping that
 * jsonarena_end gives back to the system at once. Freeing a parsed tree
 * node by node is most of what a large describe-* file costs, and the
 * freed pieces stay in malloc's heap, so the memory never comes back
 * before the ruleset is loaded.
 *
 * The contract: nothing jansson allocates inside a scope outlives it (no
 * json_t, no string from json_string_value, no json_dumps text is kept
 * or freed after jsonarena_end). Copy what must stay before the end.
 * Outside a scope, and on other threads, jansson allocates with malloc
 * as usual, and a document made before a scope may be freed inside it.
 * A scope begun inside another adds nothing: the outer one holds all.
 * With AddressSanitizer, the memory of an ended scope stays reserved and
 * inaccessible, so a node that outlived it faults on first touch instead
 * of reading a later scope's memory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct jsonarena {
	char *base;      /* the mapping; NULL: jansson uses malloc */
	size_t size;     /* bytes reserved (not all touched) */
	size_t used;     /* bytes handed out */
	size_t last;     /* offset of the latest allocation, for an undo */
	bool is_owner;   /* this scope made the arena (not a nested one) */
	bool has_spilled; /* an allocation went to malloc: the arena was full */
};

/* Puts the arena's allocator under jansson, once per process; main()
 * calls it before any thread starts, as jansson's own documentation asks
 * of json_set_alloc_funcs (jsonarena_begin calls it too, for programs
 * that did not). */
void jsonarena_install(void);

/* Opens a scope sized for parsing about text_len bytes of JSON. Never
 * fails: when no mapping can be had, or once it is full, jansson falls
 * back to malloc and jsonarena_end frees nothing of that. */
void jsonarena_begin(struct jsonarena *a, size_t text_len);
/* Closes the scope and returns its memory to the system. */
void jsonarena_end(struct jsonarena *a);
/* Whether everything jansson allocated in this scope is in the arena:
 * then a document made in it need not be freed (json_decref walks the
 * whole tree); jsonarena_end takes it all back. */
bool jsonarena_holds_all(const struct jsonarena *a);
/* Whether p lies in the arena's mapping (for tests). */
bool jsonarena_holds(const struct jsonarena *a, const void *p);
