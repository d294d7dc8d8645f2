#!/bin/sh
# The CIS firewall checks (3.4.x) judged on real nftables rulesets inside
# a network namespace: drop policies and loopback rules pass, an open
# ruleset fails, and tables of other programs (iptables-nft's ip filter)
# count as much as bulwark's. The network sysctls (3.1.1, 3.2.x) are
# read from the namespace's own /proc/sys.
. "$(dirname "$0")/lib.sh"
require_netns

N="$PREFIX-rep"
new_ns "$N"
ROOT="$SCRATCH/root"
mkdir -p "$ROOT"
# the report on stdout; its fixes (stderr) in $SCRATCH/fixes
report() { ip netns exec "$N" "$BULWARK" "$@" report cis -l 2 2>"$SCRATCH/fixes"; }
# line ID OUTPUT: the report's status for check ID
status_of() { printf '%s\n' "$2" | awk -v id="$1" '$2 == id { print substr($1, 2, 4) }'; }
load() { printf '%s\n' "$1" | ip netns exec "$N" nft -f -; }

out=$(report --root "$ROOT")
for id in 3.4.1.1 3.4.1.2 3.4.2.1 3.4.2.2; do
	check_eq "no ruleset: $id FAILs" FAIL "$(status_of $id "$out")"
done
check_contains "the FAIL's fix is on stderr" \
	"*  3.4.1.1 bulwark set settings.firewall.host.enabled=true" "$(cat "$SCRATCH/fixes")"
check_contains "... and one no setting fixes says so" \
	"*  1.5.1 no bulwark setting fixes this" "$(cat "$SCRATCH/fixes")"
check_eq "stdout is bloodhound's report: the result line last" \
	"Compliance check result: FAIL" "$(printf '%s\n' "$out" | tail -n 1)"

# The shape of bulwark's own host table (named counters on the drops).
load 'table inet t_fw {
	counter denied_input { }
	chain input { type filter hook input priority 0; policy drop;
		iif "lo" accept
		ip saddr 127.0.0.0/8 counter name denied_input drop
		ip6 saddr ::1 counter name denied_input drop
		ct state established,related accept
	}
	chain forward { type filter hook forward priority 0; policy drop; }
	chain output { type filter hook output priority 0; policy drop;
		oif lo accept
		ct state established,related,new accept
	}
}'
out=$(report --root "$ROOT")
for id in 3.4.1.1 3.4.1.2 3.4.2.1 3.4.2.2; do
	check_eq "drop policies and loopback rules: $id PASSes" PASS "$(status_of $id "$out")"
done
check_eq "3.4.1.3 stays Manual" SKIP "$(status_of 3.4.1.3 "$out")"

# One open hook is enough to fail, whoever's table it is.
ip netns exec "$N" nft delete table inet t_fw
load 'table inet t_fw {
	chain input { type filter hook input priority 0; policy drop;
		iif lo accept
		ip saddr 127.0.0.0/8 drop
		ip6 saddr ::1 drop
	}
	chain output { type filter hook output priority 0; policy drop; oif lo accept; }
}'
out=$(report --root "$ROOT")
check_eq "no forward chain: 3.4.1.1 FAILs" FAIL "$(status_of 3.4.1.1 "$out")"
check_eq "the loopback rules alone: 3.4.1.2 PASSes" PASS "$(status_of 3.4.1.2 "$out")"

# Another program's tables (what iptables-nft makes) close the forward hook.
load 'table ip filter {
	chain FORWARD { type filter hook forward priority 0; policy drop; }
}
table ip6 filter {
	chain FORWARD { type filter hook forward priority 0; policy drop; }
}'
out=$(report --root "$ROOT")
check_eq "ip filter FORWARD drop counts for IPv4" PASS "$(status_of 3.4.1.1 "$out")"
check_eq "ip6 filter FORWARD drop counts for IPv6" PASS "$(status_of 3.4.2.1 "$out")"
ip netns exec "$N" nft delete table ip6 filter
out=$(report --root "$ROOT")
check_eq "an ip table does not cover IPv6" FAIL "$(status_of 3.4.2.1 "$out")"

# The namespace's own network sysctls, read from the live /proc/sys.
for kv in net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 \
	net.ipv4.conf.all.accept_source_route=0 net.ipv4.conf.default.accept_source_route=0 \
	net.ipv6.conf.all.accept_source_route=0 net.ipv6.conf.default.accept_source_route=0 \
	net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.default.accept_redirects=0 \
	net.ipv6.conf.all.accept_redirects=0 net.ipv6.conf.default.accept_redirects=0 \
	net.ipv4.conf.all.secure_redirects=0 net.ipv4.conf.default.secure_redirects=0 \
	net.ipv4.conf.all.log_martians=1 net.ipv4.conf.default.log_martians=1 \
	net.ipv4.icmp_echo_ignore_broadcasts=1 net.ipv4.icmp_ignore_bogus_error_responses=1 \
	net.ipv4.tcp_syncookies=1; do
	ip netns exec "$N" sysctl -qw "$kv"
done
out=$(report)
for id in 3.1.1 3.2.1 3.2.2 3.2.3 3.2.4 3.2.5 3.2.6 3.2.7; do
	check_eq "the namespace's sysctls: $id PASSes" PASS "$(status_of $id "$out")"
done
ip netns exec "$N" sysctl -qw net.ipv4.conf.default.log_martians=0
out=$(report)
check_eq "one sysctl off: 3.2.4 FAILs" FAIL "$(status_of 3.2.4 "$out")"

# The command line: exit codes, --strict, the all-SKIP report, exceptions.
rep() { ip netns exec "$N" "$BULWARK" --root "$ROOT" report "$@"; }
rep cis -l 2 >/dev/null 2>&1
check_eq "a report with FAILs exits 0" 0 $?
err=$(rep cis -l 2 --strict 2>&1 >/dev/null)
check_eq "--strict exits 1 when a check FAILs" 1 $?
check_contains "... and says how many" "checks FAIL (--strict)" "$err"
rep cis -f yaml >/dev/null 2>&1
check_eq "an unknown format is a usage error" 2 $?
rep fips -l 2 >/dev/null 2>&1
check_eq "fips takes no level" 2 $?
err=$(rep cis-k8s 2>&1 >/dev/null)
check_eq "the all-SKIP report exits 0" 0 $?
check_contains "... and says why" "no check could run (4.1.1 k8s04010100: unable to inspect" "$err"
mkdir -p "$SCRATCH/ex"
printf '{"status": "PASS", "reason": "forwarding is this host'"'"'s job", "reference": "RISK-7"}' \
	>"$SCRATCH/ex/br03040201.json"
out=$(rep cis -l 2 --exceptions "$SCRATCH/ex")
check_contains "an exception marks the line" \
	"[PASS] 3.4.2.1   Ensure IPv6 default deny firewall policy (Exception)" "$out"
check_contains "... and is listed" "*  3.4.2.1 forwarding is this host's job" "$out"
printf '{"status": "PASS"' >"$SCRATCH/ex/br03040201.json"
rep cis -l 2 --exceptions "$SCRATCH/ex" >/dev/null 2>&1
check_eq "a broken exception file is an input error" 2 $?

# The hardening profile through the settings API, then the report: a
# server in the namespace (net.* and nftables the namespace's own, the
# rest of the host a fake root), and `bulwark set` as a user would.
ip netns exec "$N" nft flush ruleset
mkdir -p "$ROOT/proc/sys/fs" "$ROOT/proc/sys/kernel" "$ROOT/proc/sys/user" "$ROOT/proc/sys/net" \
	"$ROOT/sys/kernel/security" "$ROOT/etc/modprobe.d"
echo 1 >"$ROOT/proc/sys/fs/suid_dumpable"
echo 1 >"$ROOT/proc/sys/kernel/randomize_va_space"
echo 0 >"$ROOT/proc/sys/kernel/unprivileged_bpf_disabled"
echo 1000 >"$ROOT/proc/sys/user/max_user_namespaces"
echo "[none] integrity confidentiality" >"$ROOT/sys/kernel/security/lockdown"
# 1.1.1.1 and 3.3.1 read /proc/modules (neither module loaded) and
# modprobe.d, where the applier writes bulwark.conf.
echo "ext4 1003520 1 - Live 0xffffffffc0400000" >"$ROOT/proc/modules"
SOCK="$SCRATCH/api.sock"
ip netns exec "$N" sh -c 'mount --bind /proc/sys/net "$0/proc/sys/net" && exec "$@"' \
	"$ROOT" "$BULWARK" --root "$ROOT" serve --socket-path "$SOCK" \
	--datastore-path "$SCRATCH/datastore" --group "$(id -gn 0)" --state-dir "$SCRATCH/run" \
	>"$SCRATCH/server.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
SERVER_PID=$!
on_exit "kill -9 $SERVER_PID"
for _ in $(seq 1200); do
	[ -S "$SOCK" ] && "$BULWARK" get -s "$SOCK" >/dev/null 2>&1 && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.05
done
before=$(ip netns exec "$N" "$BULWARK" --root "$ROOT" report cis -l 2 2>/dev/null)
for id in 1.1.1.1 1.4.2 3.3.1; do
	check_eq "before the profile: $id FAILs" FAIL "$(status_of $id "$before")"
done
check "bulwark set hardening.profile=cis-level-2" \
	"$BULWARK" set -s "$SOCK" hardening.profile=cis-level-2 firewall.host.allow-tcp=22
out=$(ip netns exec "$N" sh -c 'mount --bind /proc/sys/net "$0/proc/sys/net" && exec "$@"' \
	"$ROOT" "$BULWARK" --root "$ROOT" report cis -l 2)
# every automatic check the profile can fix (1.5.2 below: a fake lockdown
# file cannot show the kernel's brackets)
for id in 1.1.1.1 1.4.1 1.4.2 1.4.3 1.4.4 3.1.1 3.2.1 3.2.2 3.2.3 3.2.4 3.2.5 3.2.6 3.2.7 \
	3.3.1 3.4.1.1 3.4.1.2 3.4.2.1 3.4.2.2; do
	check_eq "cis-level-2 profile: $id PASSes" PASS "$(status_of $id "$out")"
done
# A fake lockdown file keeps what was written; the kernel's would show it
# in brackets.
check_eq "cis-level-2 profile: lockdown raised to integrity" integrity \
	"$(cat "$ROOT/sys/kernel/security/lockdown")"
finish
