/* The settings applier against a fake root: apply, converge back, recover
 * from a failure mid-way, lockdown, the modprobe.d file, saved as JSON.
 * No plan here enables the host firewall or the NAT (they are per network
 * namespace and tested for real in tests/netns/settings_host.sh). */
#include "unit.h"

#include "fakeroot.h"

#include <errno.h>

#include "host/fsroot.h"
#include "host/settings_apply.h"

/* main.c's, for the NAT plan (never built here). */
void cmd_note(const char *fmt, ...)
{
	(void)fmt;
}

void cmd_warn(const char *fmt, ...)
{
	(void)fmt;
}

#define MODPROBE "/etc/modprobe.d/bulwark.conf"
#define LOCKDOWN "/sys/kernel/security/lockdown"
#define SUID "/proc/sys/fs/suid_dumpable"
#define ASLR "/proc/sys/kernel/randomize_va_space"
#define BPF "/proc/sys/kernel/unprivileged_bpf_disabled"

static void plan_init(struct settings_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->sysctls = (struct vec)VEC_INIT(struct settings_sysctl);
	plan->modules = (struct vec)VEC_INIT(struct settings_module);
	plan->host_fw.tcp_ports = (struct vec)VEC_INIT(uint16_t);
	plan->host_fw.udp_ports = (struct vec)VEC_INIT(uint16_t);
	nat_config_init(&plan->nat);
}

static void plan_free(struct settings_plan *plan)
{
	vec_free(&plan->sysctls);
	vec_free(&plan->modules);
	vec_free(&plan->host_fw.tcp_ports);
	vec_free(&plan->host_fw.udp_ports);
	nat_config_free(&plan->nat);
}

/* Names must come in sorted order, as settings_plan_build gives them. */
static void add_sysctl(struct settings_plan *plan, const char *name, const char *value)
{
	struct settings_sysctl s = { 0 };

	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.value, sizeof(s.value), "%s", value);
	snprintf(s.key, sizeof(s.key), "settings.kernel.sysctl.\"%s\"", name);
	assert_int_equal(vec_push(&plan->sysctls, &s), 0);
}

static void add_module(struct settings_plan *plan, const char *name, bool is_allowed)
{
	struct settings_module m = { .is_allowed = is_allowed };

	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.key, sizeof(m.key), "settings.kernel.modules.\"%s\".allowed", name);
	assert_int_equal(vec_push(&plan->modules, &m), 0);
}

struct fixture {
	char *root;
	struct settings_host host;
	json_t *saved;
	struct bw_err err;
};

/* A host before bulwark: suid dumps on, weak ASLR, eBPF open to all,
 * lockdown at none, no modprobe.d file of ours. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->root = fakeroot_new();
	f->host.root = f->root;
	f->host.nat_state_dir = "/run/bulwark";
	f->saved = json_object();
	fakeroot_put(f->root, SUID, "1");
	fakeroot_put(f->root, ASLR, "1");
	fakeroot_put(f->root, BPF, "0");
	fakeroot_put(f->root, LOCKDOWN, "[none] integrity confidentiality");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	json_decref(f->saved);
	fakeroot_free(f->root);
	free(f);
	return 0;
}

/* What the caller does: record first, then converge. */
static int apply(struct fixture *f, const struct settings_plan *plan)
{
	int rc = settings_host_prepare(&f->host, plan, f->saved, &f->err);

	return rc ?: settings_host_converge(&f->host, plan, f->saved, false, &f->err);
}

static void assert_untouched(struct fixture *f)
{
	assert_string_equal(fakeroot_get(f->root, SUID), "1");
	assert_string_equal(fakeroot_get(f->root, ASLR), "1");
	assert_string_equal(fakeroot_get(f->root, BPF), "0");
	assert_null(fakeroot_get(f->root, MODPROBE));
}

static void test_sysctls_land_and_their_old_values_are_saved(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	plan_init(&plan);
	add_sysctl(&plan, "fs.suid_dumpable", "0");
	add_sysctl(&plan, "kernel.randomize_va_space", "2");
	assert_int_equal(apply(f, &plan), 0);
	assert_string_equal(fakeroot_get(f->root, SUID), "0");
	assert_string_equal(fakeroot_get(f->root, ASLR), "2");
	assert_string_equal(fakeroot_get(f->root, BPF), "0");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(f->saved, "sysctl"), "fs.suid_dumpable")),
			    "1");
	plan_free(&plan);
}

static void test_prepare_reads_only(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	plan_init(&plan);
	add_sysctl(&plan, "fs.suid_dumpable", "0");
	add_module(&plan, "udf", false);
	plan.lockdown = SETTINGS_LOCKDOWN_INTEGRITY;
	assert_int_equal(settings_host_prepare(&f->host, &plan, f->saved, &f->err), 0);
	assert_untouched(f);
	assert_string_equal(fakeroot_get(f->root, LOCKDOWN), "[none] integrity confidentiality");
	assert_true(json_is_null(json_object_get(json_object_get(f->saved, "modprobe"),
						 "content")));
	plan_free(&plan);
}

static void test_a_value_already_in_place_is_not_rewritten(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	/* Tabs where the plan has spaces, as /proc/sys prints several numbers. */
	fakeroot_put(f->root, "/proc/sys/net/ipv4/ip_local_port_range", "1024\t65535");
	plan_init(&plan);
	add_sysctl(&plan, "net.ipv4.ip_local_port_range", "1024 65535");
	assert_int_equal(apply(f, &plan), 0);
	assert_string_equal(fakeroot_get(f->root, "/proc/sys/net/ipv4/ip_local_port_range"),
			    "1024\t65535");
	plan_free(&plan);
}

static void test_converging_to_the_previous_plan_restores_exactly(void **state)
{
	struct fixture *f = *state;
	struct settings_plan prev, next;

	plan_init(&prev);
	add_sysctl(&prev, "fs.suid_dumpable", "0");
	plan_init(&next);
	add_sysctl(&next, "fs.suid_dumpable", "2");
	add_sysctl(&next, "kernel.randomize_va_space", "2");
	add_sysctl(&next, "kernel.unprivileged_bpf_disabled", "1");
	add_module(&next, "sctp", false);
	assert_int_equal(apply(f, &prev), 0);
	assert_int_equal(apply(f, &next), 0);
	assert_string_equal(fakeroot_get(f->root, SUID), "2");
	assert_non_null(fakeroot_get(f->root, MODPROBE));

	assert_int_equal(settings_host_converge(&f->host, &prev, f->saved, false, &f->err), 0);
	assert_string_equal(fakeroot_get(f->root, SUID), "0");
	assert_string_equal(fakeroot_get(f->root, ASLR), "1");
	assert_string_equal(fakeroot_get(f->root, BPF), "0");
	assert_null(fakeroot_get(f->root, MODPROBE));
	/* Only what prev still names stays saved, with the value from before bulwark. */
	assert_int_equal(json_object_size(json_object_get(f->saved, "sysctl")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(f->saved, "sysctl"), "fs.suid_dumpable")),
			    "1");
	assert_null(json_object_get(f->saved, "modprobe"));
	plan_free(&prev);
	plan_free(&next);
}

static void test_an_empty_plan_puts_the_host_back_as_before_bulwark(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan, empty;

	plan_init(&plan);
	plan_init(&empty);
	add_sysctl(&plan, "fs.suid_dumpable", "0");
	add_sysctl(&plan, "kernel.randomize_va_space", "2");
	add_module(&plan, "udf", false);
	assert_int_equal(apply(f, &plan), 0);
	assert_int_equal(settings_host_converge(&f->host, &empty, f->saved, false, &f->err), 0);
	assert_untouched(f);
	assert_int_equal(json_object_size(json_object_get(f->saved, "sysctl")), 0);
	plan_free(&plan);
	plan_free(&empty);
}

/* sysctl b cannot be written (a read-only file stands in for a knob the
 * kernel refuses), after the modprobe file and sysctl a have landed. */
static void test_after_a_failure_midway_converging_back_restores_everything(void **state)
{
	struct fixture *f = *state;
	struct settings_plan prev, next;
	char link[1024];

	snprintf(link, sizeof(link), "%s/proc/sys/kernel/zz_refuses", f->root);
	assert_int_equal(symlink("/proc/version", link), 0);
	plan_init(&prev);
	plan_init(&next);
	add_sysctl(&prev, "kernel.randomize_va_space", "2");
	assert_int_equal(apply(f, &prev), 0);

	add_module(&next, "udf", false);
	add_sysctl(&next, "fs.suid_dumpable", "0");
	add_sysctl(&next, "kernel.randomize_va_space", "0");
	add_sysctl(&next, "kernel.zz_refuses", "1");
	add_sysctl(&next, "kernel.zzz_later", "1");
	fakeroot_put(f->root, "/proc/sys/kernel/zzz_later", "0");
	assert_int_equal(settings_host_prepare(&f->host, &next, f->saved, &f->err), 0);
	assert_true(settings_host_converge(&f->host, &next, f->saved, false, &f->err) < 0);
	assert_non_null(strstr(f->err.msg, "settings.kernel.sysctl.\"kernel.zz_refuses\": "));
	/* The knob refused does not keep the others from their values (a boot
	 * with one sysctl refused still gets the rest). */
	assert_string_equal(fakeroot_get(f->root, SUID), "0");
	assert_string_equal(fakeroot_get(f->root, ASLR), "0");
	assert_non_null(fakeroot_get(f->root, MODPROBE));
	assert_string_equal(fakeroot_get(f->root, "/proc/sys/kernel/zzz_later"), "1");

	assert_int_equal(settings_host_converge(&f->host, &prev, f->saved, false, &f->err), 0);
	assert_string_equal(fakeroot_get(f->root, SUID), "1");
	assert_string_equal(fakeroot_get(f->root, ASLR), "2");
	assert_null(fakeroot_get(f->root, MODPROBE));
	assert_string_equal(fakeroot_get(f->root, "/proc/sys/kernel/zzz_later"), "0");
	assert_int_equal(json_object_size(json_object_get(f->saved, "sysctl")), 1);
	plan_free(&prev);
	plan_free(&next);
}

static void test_a_lockdown_refusal_comes_last_and_converging_back_undoes_the_rest(void **state)
{
	struct fixture *f = *state;
	struct settings_plan prev, next;

	fakeroot_put(f->root, LOCKDOWN, "none [integrity] confidentiality");
	plan_init(&prev);
	plan_init(&next);
	add_module(&next, "sctp", false);
	add_sysctl(&next, "fs.suid_dumpable", "0");
	next.lockdown = SETTINGS_LOCKDOWN_NONE;
	assert_int_equal(apply(f, &next), -EPERM);
	assert_string_equal(fakeroot_get(f->root, SUID), "0");
	assert_int_equal(settings_host_converge(&f->host, &prev, f->saved, false, &f->err), 0);
	assert_untouched(f);
	plan_free(&prev);
	plan_free(&next);
}

static void test_the_committed_settings_raise_lockdown_even_when_a_step_fails(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;
	char link[1024];

	snprintf(link, sizeof(link), "%s/proc/sys/kernel/zz_refuses", f->root);
	assert_int_equal(symlink("/proc/version", link), 0);
	plan_init(&plan);
	add_sysctl(&plan, "kernel.zz_refuses", "1");
	plan.lockdown = SETTINGS_LOCKDOWN_INTEGRITY;
	assert_int_equal(settings_host_prepare(&f->host, &plan, f->saved, &f->err), 0);
	/* On trial: the failure is converged back from, lockdown stays. */
	assert_true(settings_host_converge(&f->host, &plan, f->saved, false, &f->err) < 0);
	assert_string_equal(fakeroot_get(f->root, LOCKDOWN), "[none] integrity confidentiality");
	/* Committed (a boot): raised all the same, the sysctl still named. */
	assert_true(settings_host_converge(&f->host, &plan, f->saved, true, &f->err) < 0);
	assert_non_null(strstr(f->err.msg, "settings.kernel.sysctl.\"kernel.zz_refuses\": "));
	assert_string_equal(fakeroot_get(f->root, LOCKDOWN), "integrity");
	plan_free(&plan);
}

static void test_lockdown_is_raised(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	plan_init(&plan);
	plan.lockdown = SETTINGS_LOCKDOWN_INTEGRITY;
	assert_int_equal(apply(f, &plan), 0);
	assert_string_equal(fakeroot_get(f->root, LOCKDOWN), "integrity");
	plan_free(&plan);
}

static void test_lockdown_at_the_level_asked_is_left_alone(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	fakeroot_put(f->root, LOCKDOWN, "none [integrity] confidentiality");
	plan_init(&plan);
	plan.lockdown = SETTINGS_LOCKDOWN_INTEGRITY;
	assert_int_equal(apply(f, &plan), 0);
	assert_string_equal(fakeroot_get(f->root, LOCKDOWN), "none [integrity] confidentiality");
	plan_free(&plan);
}

static void test_lowering_lockdown_is_refused_naming_the_key_and_a_reboot(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	fakeroot_put(f->root, LOCKDOWN, "none integrity [confidentiality]");
	plan_init(&plan);
	plan.lockdown = SETTINGS_LOCKDOWN_INTEGRITY;
	snprintf(plan.lockdown_key, sizeof(plan.lockdown_key), "settings.kernel.lockdown");
	assert_int_equal(apply(f, &plan), -EPERM);
	assert_non_null(strstr(f->err.msg, "settings.kernel.lockdown: "));
	assert_non_null(strstr(f->err.msg, "reboot"));
	assert_string_equal(fakeroot_get(f->root, LOCKDOWN), "none integrity [confidentiality]");
	plan_free(&plan);
}

static void test_lockdown_on_a_kernel_without_it_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;
	char path[1024];

	snprintf(path, sizeof(path), "%s" LOCKDOWN, f->root);
	assert_int_equal(unlink(path), 0);
	plan_init(&plan);
	plan.lockdown = SETTINGS_LOCKDOWN_NONE;
	assert_int_equal(apply(f, &plan), 0);
	plan.lockdown = SETTINGS_LOCKDOWN_CONFIDENTIALITY;
	assert_int_equal(apply(f, &plan), -ENOTSUP);
	assert_non_null(strstr(f->err.msg, "settings.kernel.lockdown: "));
	plan_free(&plan);
}

static void test_the_modprobe_file_denies_each_module_as_the_cis_checks_expect(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;
	char full[1024], *text;
	size_t len;

	plan_init(&plan);
	add_module(&plan, "cramfs", true);
	add_module(&plan, "sctp", false);
	add_module(&plan, "udf", false);
	assert_int_equal(apply(f, &plan), 0);
	snprintf(full, sizeof(full), "%s" MODPROBE, f->root);
	assert_int_equal(fsroot_slurp(full, 4096, &text, &len, &f->err), 0);
	assert_string_equal(text, "# Written by bulwark from settings.kernel.modules; "
				  "bulwark replaces this file.\n"
				  "install sctp /bin/true\nblacklist sctp\n"
				  "install udf /bin/true\nblacklist udf\n");
	free(text);
	plan_free(&plan);
}

/* bloodhound's udf check runs `modprobe -n -v udf` and wants "install
 * /bin/true" in what it prints: kmod itself reads the file here. */
static void test_modprobe_reads_the_file_as_the_cis_check_needs(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;
	char cmd[1200], out[256] = "";
	FILE *p;

	if (access("/usr/sbin/modprobe", X_OK) != 0 && access("/sbin/modprobe", X_OK) != 0)
		skip();
	plan_init(&plan);
	add_module(&plan, "udf", false);
	assert_int_equal(apply(f, &plan), 0);
	snprintf(cmd, sizeof(cmd), "PATH=/usr/sbin:/sbin:$PATH modprobe -C '%s/etc/modprobe.d' -n -v udf",
		 f->root);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_true(fread(out, 1, sizeof(out) - 1, p) > 0);
	assert_int_equal(pclose(p), 0);
	assert_non_null(strstr(out, "install /bin/true"));
	plan_free(&plan);
}

static void test_the_modprobe_file_goes_when_no_module_is_denied(void **state)
{
	struct fixture *f = *state;
	struct settings_plan denied, allowed;

	plan_init(&denied);
	plan_init(&allowed);
	add_module(&denied, "udf", false);
	add_module(&allowed, "udf", true);
	assert_int_equal(apply(f, &denied), 0);
	assert_non_null(fakeroot_get(f->root, MODPROBE));
	assert_int_equal(apply(f, &allowed), 0);
	assert_null(fakeroot_get(f->root, MODPROBE));
	assert_null(json_object_get(f->saved, "modprobe"));
	plan_free(&denied);
	plan_free(&allowed);
}

static void test_a_modprobe_file_there_before_bulwark_is_put_back(void **state)
{
	struct fixture *f = *state;
	struct settings_plan denied, empty;

	fakeroot_put(f->root, MODPROBE, "blacklist floppy");
	plan_init(&denied);
	plan_init(&empty);
	add_module(&denied, "udf", false);
	assert_int_equal(apply(f, &denied), 0);
	assert_non_null(strstr(fakeroot_get(f->root, MODPROBE), "install udf /bin/true"));
	assert_int_equal(settings_host_converge(&f->host, &empty, f->saved, false, &f->err), 0);
	assert_string_equal(fakeroot_get(f->root, MODPROBE), "blacklist floppy");
	plan_free(&denied);
	plan_free(&empty);
}

static void test_a_bad_module_name_is_refused_naming_the_key(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	plan_init(&plan);
	add_module(&plan, "udf\ninstall x /bin/sh", false);
	assert_int_equal(apply(f, &plan), -EINVAL);
	assert_non_null(strstr(f->err.msg, "settings.kernel.modules.\"udf"));
	assert_null(fakeroot_get(f->root, MODPROBE));
	plan_free(&plan);
}

static void test_denied_modules_already_loaded_are_named(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;
	struct strbuf names = { 0 };
	char *text;

	fakeroot_put(f->root, "/proc/modules",
		     "sctp 434176 4 - Live 0x0000000000000000\n"
		     "udf_helper 16384 0 - Live 0x0000000000000000\n"
		     "nf_tables 344064 0 - Live 0x0000000000000000");
	plan_init(&plan);
	add_module(&plan, "nf-tables", true);
	add_module(&plan, "sctp", false);
	add_module(&plan, "udf", false);
	assert_int_equal(settings_host_loaded_denied(&f->host, &plan, &names, &f->err), 0);
	text = strbuf_take(&names);
	assert_string_equal(text, "sctp");
	free(text);
	plan_free(&plan);
}

static void test_a_missing_sysctl_is_an_error_naming_the_key_before_any_change(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	plan_init(&plan);
	add_sysctl(&plan, "fs.suid_dumpable", "0");
	add_sysctl(&plan, "net.ipv4.no_such_knob", "1");
	snprintf(VEC_AT(&plan.sysctls, struct settings_sysctl, 1)->key, SETTINGS_KEY_MAX,
		 "settings.hardening.profile");
	assert_true(apply(f, &plan) < 0);
	assert_non_null(strstr(f->err.msg, "settings.hardening.profile: "));
	assert_non_null(strstr(f->err.msg, "/proc/sys/net/ipv4/no_such_knob"));
	assert_untouched(f);
	plan_free(&plan);
}

static void test_sysctl_names_that_climb_out_of_proc_sys_are_refused(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	fakeroot_put(f->root, "/etc/shadow", "secret");
	plan_init(&plan);
	add_sysctl(&plan, "../../etc/shadow", "x");
	assert_int_equal(apply(f, &plan), -EINVAL);
	assert_non_null(strstr(f->err.msg, "is not a sysctl name"));
	assert_string_equal(fakeroot_get(f->root, "/etc/shadow"), "secret");
	plan_free(&plan);
}

static void test_a_name_with_slashes_keeps_its_dots(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	fakeroot_put(f->root, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter", "0");
	plan_init(&plan);
	add_sysctl(&plan, "net/ipv4/conf/eth0.100/rp_filter", "1");
	assert_int_equal(apply(f, &plan), 0);
	assert_string_equal(fakeroot_get(f->root, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter"),
			    "1");
	plan_free(&plan);
}

static void test_saved_round_trips_through_json(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan, empty;
	json_error_t jerr;
	json_t *loaded;
	char *text;

	fakeroot_put(f->root, "/proc/sys/net/ipv4/ip_local_port_range", "32768\t60999");
	plan_init(&plan);
	plan_init(&empty);
	add_module(&plan, "udf", false);
	add_sysctl(&plan, "fs.suid_dumpable", "0");
	add_sysctl(&plan, "net.ipv4.ip_local_port_range", "1024 65535");
	assert_int_equal(apply(f, &plan), 0);
	/* As the caller persists it, and reads it back after a crash. */
	text = json_dumps(f->saved, JSON_SORT_KEYS);
	json_decref(f->saved);
	loaded = json_loads(text, 0, &jerr);
	assert_non_null(loaded);
	f->saved = loaded;
	free(text);
	assert_int_equal(settings_host_converge(&f->host, &empty, f->saved, false, &f->err), 0);
	assert_untouched(f);
	assert_string_equal(fakeroot_get(f->root, "/proc/sys/net/ipv4/ip_local_port_range"),
			    "32768\t60999");
	plan_free(&plan);
	plan_free(&empty);
}

static void test_a_damaged_saved_record_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct settings_plan plan;

	plan_init(&plan);
	add_sysctl(&plan, "fs.suid_dumpable", "0");
	json_object_set_new(f->saved, "sysctl", json_string("oops"));
	assert_int_equal(apply(f, &plan), -EINVAL);
	assert_untouched(f);
	plan_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_sysctls_land_and_their_old_values_are_saved),
		T(test_prepare_reads_only),
		T(test_a_value_already_in_place_is_not_rewritten),
		T(test_converging_to_the_previous_plan_restores_exactly),
		T(test_an_empty_plan_puts_the_host_back_as_before_bulwark),
		T(test_after_a_failure_midway_converging_back_restores_everything),
		T(test_a_lockdown_refusal_comes_last_and_converging_back_undoes_the_rest),
		T(test_lockdown_is_raised),
		T(test_the_committed_settings_raise_lockdown_even_when_a_step_fails),
		T(test_lockdown_at_the_level_asked_is_left_alone),
		T(test_lowering_lockdown_is_refused_naming_the_key_and_a_reboot),
		T(test_lockdown_on_a_kernel_without_it_is_an_error),
		T(test_the_modprobe_file_denies_each_module_as_the_cis_checks_expect),
		T(test_modprobe_reads_the_file_as_the_cis_check_needs),
		T(test_the_modprobe_file_goes_when_no_module_is_denied),
		T(test_a_modprobe_file_there_before_bulwark_is_put_back),
		T(test_a_bad_module_name_is_refused_naming_the_key),
		T(test_denied_modules_already_loaded_are_named),
		T(test_a_missing_sysctl_is_an_error_naming_the_key_before_any_change),
		T(test_sysctl_names_that_climb_out_of_proc_sys_are_refused),
		T(test_a_name_with_slashes_keeps_its_dots),
		T(test_saved_round_trips_through_json),
		T(test_a_damaged_saved_record_is_an_error),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
