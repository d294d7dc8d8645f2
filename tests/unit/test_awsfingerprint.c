/* The fingerprint of an --aws folder, and the lock on it. */
#include "unit.h"

#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "fakeroot.h"

#include "host/awsfingerprint.h"
#include "host/awslock.h"

static char *new_aws_dir(void)
{
	char *dir = fakeroot_new();

	fakeroot_put(dir, "/security-groups.json", "{\"SecurityGroups\": []}");
	fakeroot_put(dir, "/subnets.json", "{\"Subnets\": []}");
	return dir;
}

static void fingerprint_of(const char *dir, char out[17])
{
	struct bw_err err;

	assert_int_equal(awsdir_fingerprint(dir, out, &err), 0);
	assert_int_equal(strlen(out), 16);
}

static void test_same_files_same_fingerprint(void **state)
{
	char *a = new_aws_dir(), *b = new_aws_dir();
	char fa[17], fb[17];

	(void)state;
	fingerprint_of(a, fa);
	fingerprint_of(b, fb);
	assert_string_equal(fa, fb);
	fakeroot_free(a);
	fakeroot_free(b);
}

static void test_a_changed_byte_changes_the_fingerprint(void **state)
{
	char *dir = new_aws_dir();
	char before[17], after[17];

	(void)state;
	fingerprint_of(dir, before);
	fakeroot_put(dir, "/subnets.json", "{\"Subnets\": [ ]}");
	fingerprint_of(dir, after);
	assert_string_not_equal(before, after);
	fakeroot_free(dir);
}

static void test_a_new_prefix_list_changes_the_fingerprint(void **state)
{
	char *dir = new_aws_dir();
	char before[17], after[17];

	(void)state;
	fingerprint_of(dir, before);
	fakeroot_put(dir, "/prefix-lists/pl-0a1b2c3d.json", "{\"Entries\": []}");
	fingerprint_of(dir, after);
	assert_string_not_equal(before, after);
	fakeroot_free(dir);
}

static void test_a_file_appearing_changes_the_fingerprint(void **state)
{
	char *dir = new_aws_dir();
	char before[17], after[17];

	(void)state;
	fingerprint_of(dir, before);
	fakeroot_put(dir, "/vpcs.json", "");
	fingerprint_of(dir, after);
	assert_string_not_equal(before, after);
	fakeroot_free(dir);
}

static void test_other_files_do_not_count(void **state)
{
	char *dir = new_aws_dir();
	char before[17], after[17];

	(void)state;
	fingerprint_of(dir, before);
	fakeroot_put(dir, "/notes.txt", "hello");
	fakeroot_put(dir, "/.security-groups.json.123.0.tmp", "{}");
	fingerprint_of(dir, after);
	assert_string_equal(before, after);
	fakeroot_free(dir);
}

static void test_moving_bytes_between_files_changes_the_fingerprint(void **state)
{
	char *a = fakeroot_new(), *b = fakeroot_new();
	char fa[17], fb[17];

	(void)state;
	fakeroot_put(a, "/instances.json", "ab");
	fakeroot_put(a, "/network-acls.json", "c");
	fakeroot_put(b, "/instances.json", "a");
	fakeroot_put(b, "/network-acls.json", "bc");
	fingerprint_of(a, fa);
	fingerprint_of(b, fb);
	assert_string_not_equal(fa, fb);
	fakeroot_free(a);
	fakeroot_free(b);
}

static void test_check_passes_for_the_recorded_files(void **state)
{
	char *dir = new_aws_dir();
	char recorded[17];
	struct bw_err err;

	(void)state;
	fingerprint_of(dir, recorded);
	assert_int_equal(awsdir_check_fingerprint(dir, recorded, &err), 0);
	fakeroot_free(dir);
}

static void test_check_refuses_changed_files_with_a_hint(void **state)
{
	char *dir = new_aws_dir();
	char recorded[17];
	struct bw_err err;

	(void)state;
	fingerprint_of(dir, recorded);
	fakeroot_put(dir, "/security-groups.json", "{\"SecurityGroups\": [{}]}");
	assert_int_equal(awsdir_check_fingerprint(dir, recorded, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "changed since fw apply: run fw apply first"));
	assert_non_null(strstr(err.msg, dir));
	assert_false(err.is_input);
	fakeroot_free(dir);
}

static void test_check_refuses_when_nothing_was_recorded(void **state)
{
	char *dir = new_aws_dir();
	struct bw_err err;

	(void)state;
	assert_int_equal(awsdir_check_fingerprint(dir, "", &err), -ESTALE);
	fakeroot_free(dir);
}

/* While one holder has the lock, another cannot take it; once it lets
 * go, the other can. */
static void test_the_lock_excludes_another_holder(void **state)
{
	char *dir = new_aws_dir();
	struct bw_err err;
	int fd, status;
	pid_t child;

	(void)state;
	assert_int_equal(awslock_acquire(dir, &fd, &err), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int other = open(dir, O_RDONLY | O_DIRECTORY);

		_exit(flock(other, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 0);
	awslock_release(fd);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int other = open(dir, O_RDONLY | O_DIRECTORY);

		_exit(flock(other, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 0);
	fakeroot_free(dir);
}

static void test_locking_a_missing_folder_is_an_error_naming_it(void **state)
{
	struct bw_err err;
	int fd;

	(void)state;
	assert_int_equal(awslock_acquire("/nonexistent/bulwark-aws", &fd, &err), -ENOENT);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.msg, "/nonexistent/bulwark-aws"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_files_same_fingerprint),
		cmocka_unit_test(test_a_changed_byte_changes_the_fingerprint),
		cmocka_unit_test(test_a_new_prefix_list_changes_the_fingerprint),
		cmocka_unit_test(test_a_file_appearing_changes_the_fingerprint),
		cmocka_unit_test(test_other_files_do_not_count),
		cmocka_unit_test(test_moving_bytes_between_files_changes_the_fingerprint),
		cmocka_unit_test(test_check_passes_for_the_recorded_files),
		cmocka_unit_test(test_check_refuses_changed_files_with_a_hint),
		cmocka_unit_test(test_check_refuses_when_nothing_was_recorded),
		cmocka_unit_test(test_the_lock_excludes_another_holder),
		cmocka_unit_test(test_locking_a_missing_folder_is_an_error_naming_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
