/* Files bulwark writes and knobs it reads, against a temporary folder. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakeroot.h"

#include "host/fsroot.h"

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_replace_writes_the_whole_content(void **state)
{
	char *root = fakeroot_new();
	struct bw_err err;

	(void)state;
	assert_int_equal(fsroot_replace(root, "/run/bulwark/fw.json", "{\"a\": 1}\n", &err), 0);
	assert_string_equal(fakeroot_get(root, "/run/bulwark/fw.json"), "{\"a\": 1}");
	fakeroot_free(root);
}

static void test_replace_leaves_no_temporary_behind(void **state)
{
	char *root = fakeroot_new();
	char dir[PATH_MAX];
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/etc/x.json", "old");
	assert_int_equal(fsroot_replace(root, "/etc/x.json", "new", &err), 0);
	snprintf(dir, sizeof(dir), "%s/etc", root);
	assert_int_equal(count_entries(dir), 1);
	fakeroot_free(root);
}

/* A reader holding the old file keeps reading the old bytes: the target
 * was swapped by rename, never rewritten in place. */
static void test_replace_swaps_the_file_atomically(void **state)
{
	char *root = fakeroot_new();
	char full[PATH_MAX], buf[16] = "";
	struct bw_err err;
	FILE *old;

	(void)state;
	fakeroot_put(root, "/etc/x.json", "old");
	snprintf(full, sizeof(full), "%s/etc/x.json", root);
	old = fopen(full, "r");
	assert_non_null(old);
	assert_int_equal(fsroot_replace(root, "/etc/x.json", "new", &err), 0);
	assert_non_null(fgets(buf, sizeof(buf), old));
	assert_string_equal(buf, "old\n");
	fclose(old);
	assert_string_equal(fakeroot_get(root, "/etc/x.json"), "new");
	fakeroot_free(root);
}

static void test_replace_does_not_follow_a_symlink_at_the_temporary_name(void **state)
{
	char *root = fakeroot_new();
	char link_path[PATH_MAX], victim[PATH_MAX];
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/victim", "precious");
	fakeroot_put(root, "/etc/x.json", "old");
	snprintf(victim, sizeof(victim), "%s/victim", root);
	/* The fixed name an earlier version used, and every name the next
	 * attempts would use, each taken by a symlink. */
	snprintf(link_path, sizeof(link_path), "%s/etc/x.json.tmp", root);
	assert_int_equal(symlink(victim, link_path), 0);
	for (int i = 0; i < 8; i++) {
		snprintf(link_path, sizeof(link_path), "%s/etc/.x.json.%ld.%d.tmp", root,
			 (long)getpid(), i);
		assert_int_equal(symlink(victim, link_path), 0);
	}
	assert_int_equal(fsroot_replace(root, "/etc/x.json", "new", &err), 0);
	assert_string_equal(fakeroot_get(root, "/victim"), "precious");
	assert_string_equal(fakeroot_get(root, "/etc/x.json"), "new");
	fakeroot_free(root);
}

static void test_replace_keeps_the_permissions_of_the_target(void **state)
{
	char *root = fakeroot_new();
	char full[PATH_MAX];
	struct bw_err err;
	struct stat st;

	(void)state;
	fakeroot_put(root, "/etc/x.json", "old");
	snprintf(full, sizeof(full), "%s/etc/x.json", root);
	assert_int_equal(chmod(full, 0600), 0);
	assert_int_equal(fsroot_replace(root, "/etc/x.json", "new", &err), 0);
	assert_int_equal(stat(full, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	fakeroot_free(root);
}

static void test_failed_replace_removes_its_temporary(void **state)
{
	char *root = fakeroot_new();
	char dir[PATH_MAX];
	struct bw_err err;

	(void)state;
	/* A non-empty folder where the file should be: rename fails. */
	fakeroot_put(root, "/etc/x.json/inside", "x");
	assert_true(fsroot_replace(root, "/etc/x.json", "new", &err) < 0);
	assert_non_null(strstr(err.msg, "x.json"));
	snprintf(dir, sizeof(dir), "%s/etc", root);
	assert_int_equal(count_entries(dir), 1);
	fakeroot_free(root);
}

static void test_too_long_a_path_is_an_error_naming_it(void **state)
{
	char *path = malloc(PATH_MAX + 16);
	struct bw_err err;
	char value[16];

	(void)state;
	assert_non_null(path);
	path[0] = '/';
	memset(path + 1, 'a', PATH_MAX + 8);
	path[PATH_MAX + 9] = '\0';
	assert_int_equal(fsroot_replace("/tmp", path, "x", &err), -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "/tmp/aaaa"));
	assert_int_equal(fsroot_read("/tmp", path, value, sizeof(value), &err), -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "path too long"));
	free(path);
}

static void test_join_refuses_to_cut_a_path(void **state)
{
	char out[16];
	struct bw_err err;

	(void)state;
	assert_int_equal(fsroot_join(out, sizeof(out), "/etc", "x.json", &err), 0);
	assert_string_equal(out, "/etc/x.json");
	assert_int_equal(fsroot_join(out, sizeof(out), "/etc/bulwark", "x.json", &err),
			 -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "/etc/bulwark/x.json: path too long"));
}

static void test_read_returns_the_whole_value(void **state)
{
	char *root = fakeroot_new();
	char value[16];
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/proc/sys/net/ipv4/ip_local_port_range", "32768\t60999");
	assert_int_equal(fsroot_read(root, "/proc/sys/net/ipv4/ip_local_port_range", value,
				     sizeof(value), &err), 0);
	assert_string_equal(value, "32768\t60999");
	fakeroot_free(root);
}

/* /proc/sys ends each value with a newline, which is not part of it. */
static void test_read_of_a_value_that_fits_exactly_before_its_newline(void **state)
{
	char *root = fakeroot_new();
	char value[8];
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/proc/sys/x", "1234567");
	assert_int_equal(fsroot_read(root, "/proc/sys/x", value, sizeof(value), &err), 0);
	assert_string_equal(value, "1234567");
	fakeroot_free(root);
}

static void test_read_of_a_value_longer_than_the_buffer_is_an_error(void **state)
{
	char *root = fakeroot_new();
	char value[8];
	struct bw_err err;

	(void)state;
	fakeroot_put(root, "/proc/sys/net/ipv4/ip_local_port_range", "32768\t60999");
	assert_int_equal(fsroot_read(root, "/proc/sys/net/ipv4/ip_local_port_range", value,
				     sizeof(value), &err), -EOVERFLOW);
	assert_non_null(strstr(err.msg, "ip_local_port_range"));
	fakeroot_free(root);
}

/* A file of path under root holding n - 1 bytes of 'x' and a newline;
 * full gets its path. */
static void put_bytes(const char *root, const char *path, size_t n, char *full, size_t size)
{
	char *text = malloc(n);

	assert_non_null(text);
	memset(text, 'x', n - 1);
	text[n - 1] = '\0';
	fakeroot_put(root, path, text);
	free(text);
	snprintf(full, size, "%s%s", root, path);
}

static void test_slurp_reads_a_file_larger_than_its_first_buffer_whole(void **state)
{
	char *root = fakeroot_new();
	char full[PATH_MAX], *text = NULL;
	size_t len = 0;
	struct bw_err err;

	(void)state;
	put_bytes(root, "/aws/instances.json", 200000, full, sizeof(full));
	assert_int_equal(fsroot_slurp(full, 200000, &text, &len, &err), 0);
	assert_int_equal(len, 200000);
	assert_int_equal(strlen(text), 200000);
	assert_int_equal(text[199999], '\n');
	free(text);
	fakeroot_free(root);
}

static void test_slurp_refuses_a_file_one_byte_over_the_limit(void **state)
{
	char *root = fakeroot_new();
	char full[PATH_MAX], *text = NULL;
	size_t len = 0;
	struct bw_err err;

	(void)state;
	put_bytes(root, "/aws/instances.json", 100001, full, sizeof(full));
	assert_int_equal(fsroot_slurp(full, 100000, &text, &len, &err), -EINVAL);
	assert_null(text);
	assert_non_null(strstr(err.msg, "larger than 100000 bytes"));
	fakeroot_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_writes_the_whole_content),
		cmocka_unit_test(test_replace_leaves_no_temporary_behind),
		cmocka_unit_test(test_replace_swaps_the_file_atomically),
		cmocka_unit_test(test_replace_does_not_follow_a_symlink_at_the_temporary_name),
		cmocka_unit_test(test_replace_keeps_the_permissions_of_the_target),
		cmocka_unit_test(test_failed_replace_removes_its_temporary),
		cmocka_unit_test(test_too_long_a_path_is_an_error_naming_it),
		cmocka_unit_test(test_join_refuses_to_cut_a_path),
		cmocka_unit_test(test_read_returns_the_whole_value),
		cmocka_unit_test(test_slurp_reads_a_file_larger_than_its_first_buffer_whole),
		cmocka_unit_test(test_slurp_refuses_a_file_one_byte_over_the_limit),
		cmocka_unit_test(test_read_of_a_value_that_fits_exactly_before_its_newline),
		cmocka_unit_test(test_read_of_a_value_longer_than_the_buffer_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
