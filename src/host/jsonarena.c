#include "host/jsonarena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#if defined(__SANITIZE_ADDRESS__)
#define JSONARENA_KEEPS_ENDED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSONARENA_KEEPS_ENDED 1
#endif
#endif

enum {
	ALIGN = 16,
	/* A parsed tree takes 5 to 8 times its text (measured on describe-*
	 * output); a list of small numbers could take more: past the
	 * reservation, malloc takes over. */
	BYTES_PER_TEXT_BYTE = 24,
};

/* The scope open on this thread: jansson's allocator functions are
 * process-wide, so they look here and use malloc when there is none. */
static _Thread_local struct jsonarena *current;

static bool holds(const struct jsonarena *a, const void *p)
{
	return a && a->base && (const char *)p >= a->base && (const char *)p < a->base + a->size;
}

static void *arena_malloc(size_t n)
{
	struct jsonarena *a = current;
	size_t rounded = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);

	if (a && a->base && rounded >= n && a->size - a->used >= rounded) {
		void *p = a->base + a->used;

		a->last = a->used;
		a->used += rounded;
		return p;
	}
	if (a && a->base)
		a->has_spilled = true;
	return malloc(n);
}

static void arena_free(void *p)
{
	struct jsonarena *a = current;

	if (!holds(a, p)) {
		free(p);
		return;
	}
	/* The lexer frees its latest buffer often: take that back. */
	if ((char *)p == a->base + a->last)
		a->used = a->last;
}

/* Once per process: both functions pass what is not an arena's on to
 * malloc and free, so documents made before stay good. */
static void install(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
}

static pthread_once_t installed = PTHREAD_ONCE_INIT;

void jsonarena_install(void)
{
	pthread_once(&installed, install);
}

void jsonarena_begin(struct jsonarena *a, size_t text_len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), cap = SIZE_MAX / 4, size;
	void *base;

	*a = (struct jsonarena){ 0 };
	if (current)
		return;
	if (sizeof(size_t) >= 8)
		cap = (size_t)8 << 30;
	size = text_len > (cap - (1u << 20)) / BYTES_PER_TEXT_BYTE
		       ? cap
		       : text_len * BYTES_PER_TEXT_BYTE + (1u << 20);
	size = (size + page - 1) / page * page;
	/* Reserved, not committed: only the pages the tree touches count. */
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED)
		return;
	madvise(base, size, MADV_HUGEPAGE);
	jsonarena_install();
	a->base = base;
	a->size = size;
	a->is_owner = true;
	current = a;
}

void jsonarena_end(struct jsonarena *a)
{
	if (!a->is_owner)
		return;
	current = NULL;
#ifdef JSONARENA_KEEPS_ENDED
	/* Never handed out again, and any touch faults: ASan names the culprit. */
	mprotect(a->base, a->size, PROT_NONE);
	madvise(a->base, a->size, MADV_DONTNEED);
#else
	munmap(a->base, a->size);
#endif
	*a = (struct jsonarena){ 0 };
}

bool jsonarena_holds(const struct jsonarena *a, const void *p)
{
	return holds(a, p);
}

bool jsonarena_holds_all(const struct jsonarena *a)
{
	return a->base && !a->has_spilled;
}
