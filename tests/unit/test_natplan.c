/* What `nat render` decides on a machine that is not the gateway: the
 * interface need not exist, --ipv6 decides what ipv6=auto would, and each
 * assumption is named in a note. Asks this machine's netlink, read only. */
#include "unit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/natplan.h"

/* The notes and warnings the plan printed, in place of main.c's. */
static char notes[4096];

static void record(const char *fmt, va_list ap)
{
	size_t n = strlen(notes);

	vsnprintf(notes + n, sizeof(notes) - n, fmt, ap);
	n = strlen(notes);
	if (n + 1 < sizeof(notes))
		strcat(notes, "\n");
}

void cmd_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap);
	va_end(ap);
}

void cmd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap);
	va_end(ap);
}

struct built {
	struct nat_plan plan;
	struct bw_err err;
	int rc;
};

/* Builds a render-only plan from config text. */
static struct built *render(const char *config_text, enum natplan_ipv6 ipv6)
{
	struct built *b = test_calloc(1, sizeof(*b));
	char path[] = "/tmp/test_natplan.XXXXXX";
	int fd = mkstemp(path);
	struct natplan_request request = {
		.config_path = path, .is_render_only = true, .ipv6 = ipv6,
	};

	assert_true(fd >= 0);
	assert_int_equal(write(fd, config_text, strlen(config_text)), (ssize_t)strlen(config_text));
	close(fd);
	notes[0] = '\0';
	natplan_init(&b->plan);
	b->rc = natplan_build_for("", &request, &b->plan, &b->err);
	unlink(path);
	return b;
}

static void done(struct built *b)
{
	natplan_free(&b->plan);
	test_free(b);
}

static void test_render_needs_no_interface_on_this_machine(void **state)
{
	struct built *b = render("interface=nosuch9\n", NATPLAN_IPV6_OFF);

	(void)state;
	if (b->rc != 0)
		fail_msg("%s", b->err.msg);
	assert_false(b->plan.is_interface_here);
	assert_non_null(strstr(b->plan.ruleset, "oifname \"nosuch9\" counter masquerade"));
	done(b);
}

static void test_absent_interface_and_auto_assume_ipv4_only_and_say_so(void **state)
{
	struct built *b = render("interface=nosuch9\n", NATPLAN_IPV6_FROM_HOST);

	(void)state;
	assert_int_equal(b->rc, 0);
	assert_false(b->plan.is_ipv6_on);
	assert_null(strstr(b->plan.ruleset, "ipv6"));
	assert_non_null(strstr(notes, "interface nosuch9 is not on this machine: ipv6=auto renders IPv4 only (--ipv6 on|off decides)"));
	done(b);
}

static void test_ipv6_on_decides_what_auto_would(void **state)
{
	struct built *b = render("interface=nosuch9\n", NATPLAN_IPV6_ON);

	(void)state;
	assert_int_equal(b->rc, 0);
	assert_true(b->plan.is_ipv6_on);
	assert_non_null(strstr(b->plan.ruleset, "meta nfproto ipv6 oifname \"nosuch9\""));
	assert_string_equal(notes, "");
	done(b);
}

static void test_ipv6_off_decides_what_auto_would(void **state)
{
	struct built *b = render("interface=nosuch9\nipv6=auto\n", NATPLAN_IPV6_OFF);

	(void)state;
	assert_int_equal(b->rc, 0);
	assert_false(b->plan.is_ipv6_on);
	assert_null(strstr(b->plan.ruleset, "nfproto ipv6"));
	done(b);
}

static void test_the_configuration_ipv6_wins_over_the_option_with_a_note(void **state)
{
	struct built *b = render("interface=nosuch9\nipv6=on\n", NATPLAN_IPV6_OFF);

	(void)state;
	assert_int_equal(b->rc, 0);
	assert_true(b->plan.is_ipv6_on);
	assert_non_null(strstr(notes, "ipv6=on in "));
	assert_non_null(strstr(notes, "--ipv6 only decides what ipv6=auto would"));
	done(b);
}

static void test_flowtable_for_another_machine_spans_its_interface(void **state)
{
	struct built *b = render("interface=nosuch9\nflowtable=true\n", NATPLAN_IPV6_OFF);

	(void)state;
	assert_int_equal(b->rc, 0);
	assert_true(b->plan.use_flowtable);
	assert_non_null(strstr(b->plan.ruleset, "devices = { \"nosuch9\" }"));
	assert_non_null(strstr(notes, "flowtable: over nosuch9 alone"));
	done(b);
}

static void test_up_still_needs_the_interface(void **state)
{
	struct built *b = test_calloc(1, sizeof(*b));
	char path[] = "/tmp/test_natplan.XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "interface=nosuch9\n", 18), 18);
	close(fd);
	natplan_init(&b->plan);
	b->rc = natplan_build("", path, &b->plan, &b->err);
	unlink(path);
	assert_int_equal(b->rc, -ENODEV);
	assert_string_equal(b->err.msg, "interface nosuch9: no such device");
	done(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_needs_no_interface_on_this_machine),
		cmocka_unit_test(test_absent_interface_and_auto_assume_ipv4_only_and_say_so),
		cmocka_unit_test(test_ipv6_on_decides_what_auto_would),
		cmocka_unit_test(test_ipv6_off_decides_what_auto_would),
		cmocka_unit_test(test_the_configuration_ipv6_wins_over_the_option_with_a_note),
		cmocka_unit_test(test_flowtable_for_another_machine_spans_its_interface),
		cmocka_unit_test(test_up_still_needs_the_interface),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
