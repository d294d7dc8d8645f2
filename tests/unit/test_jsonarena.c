/* jansson's allocations in an arena for the length of one parse. */
#include "unit.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "host/jsonarena.h"

static const char doc_text[] = "{\"SecurityGroups\": [{\"GroupId\": \"sg-0123456789abcdef0\"}]}";

static json_t *load(void)
{
	json_t *doc = json_loads(doc_text, 0, NULL);

	assert_non_null(doc);
	return doc;
}

static void test_a_document_parsed_in_a_scope_lives_in_the_arena(void **state)
{
	struct jsonarena arena;
	json_t *doc, *group;

	(void)state;
	jsonarena_begin(&arena, sizeof(doc_text));
	doc = load();
	group = json_array_get(json_object_get(doc, "SecurityGroups"), 0);
	assert_true(jsonarena_holds(&arena, doc));
	assert_true(jsonarena_holds(&arena, group));
	assert_true(jsonarena_holds(&arena, json_string_value(json_object_get(group, "GroupId"))));
	assert_true(jsonarena_holds_all(&arena));
	json_decref(doc);
	jsonarena_end(&arena);
}

static void test_a_document_made_before_a_scope_is_freed_inside_it(void **state)
{
	json_t *kept = load();
	struct jsonarena arena;

	(void)state;
	jsonarena_begin(&arena, sizeof(doc_text));
	assert_false(jsonarena_holds(&arena, kept));
	json_decref(kept); /* malloc's: free() takes it back (ASan checks) */
	jsonarena_end(&arena);
}

static void test_outside_a_scope_jansson_allocates_with_malloc(void **state)
{
	struct jsonarena arena, later;
	json_t *doc;
	char *text;

	(void)state;
	jsonarena_begin(&arena, sizeof(doc_text));
	jsonarena_end(&arena);
	doc = load();
	text = json_dumps(doc, 0);
	assert_non_null(text);
	jsonarena_begin(&later, sizeof(doc_text));
	assert_false(jsonarena_holds(&later, doc));
	assert_false(jsonarena_holds(&later, text));
	jsonarena_end(&later);
	free(text); /* json_dumps' callers free with free() */
	json_decref(doc);
}

static void test_a_nested_scope_leaves_all_to_the_outer_one(void **state)
{
	struct jsonarena outer, inner;
	json_t *doc;

	(void)state;
	jsonarena_begin(&outer, sizeof(doc_text));
	jsonarena_begin(&inner, sizeof(doc_text));
	doc = load();
	jsonarena_end(&inner);
	assert_true(jsonarena_holds(&outer, doc));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "SecurityGroups"), 0), "GroupId")),
		"sg-0123456789abcdef0");
	json_decref(doc);
	jsonarena_end(&outer);
}

static void test_an_allocation_past_the_reservation_comes_from_malloc(void **state)
{
	size_t len = (size_t)4 << 20;
	char *big = malloc(len);
	struct jsonarena arena;
	json_t *s;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', len);
	jsonarena_begin(&arena, 0);
	s = json_stringn_nocheck(big, len);
	assert_non_null(s);
	assert_false(jsonarena_holds(&arena, json_string_value(s)));
	assert_false(jsonarena_holds_all(&arena)); /* so the caller frees the document */
	json_decref(s);
	jsonarena_end(&arena);
	free(big);
}

static void exit_on_fault(int sig)
{
	(void)sig;
	_exit(42);
}

/* The contract: a node kept past jsonarena_end is a fault at first touch. */
static void test_a_node_that_outlives_its_scope_faults(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = exit_on_fault };
		struct jsonarena arena;
		json_t *doc;

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		jsonarena_begin(&arena, sizeof(doc_text));
		doc = json_loads(doc_text, 0, NULL);
		jsonarena_end(&arena);
		_exit(json_is_object(*(json_t *volatile *)&doc) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_document_parsed_in_a_scope_lives_in_the_arena),
		cmocka_unit_test(test_a_document_made_before_a_scope_is_freed_inside_it),
		cmocka_unit_test(test_outside_a_scope_jansson_allocates_with_malloc),
		cmocka_unit_test(test_a_nested_scope_leaves_all_to_the_outer_one),
		cmocka_unit_test(test_an_allocation_past_the_reservation_comes_from_malloc),
		cmocka_unit_test(test_a_node_that_outlives_its_scope_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
