#!/bin/sh
# The settings applier for real, in a namespace of its own: net.* sysctls
# and table inet bulwark_host change there and really pass or drop packets
# (a denial shows as the table's drop counter moving), the NAT comes up
# and goes, a failure part-way is undone by converging back, and the
# empty plan puts everything back as it was. Only net.* knobs: they are
# per network namespace (kernel.*, fs.*, modules and lockdown are tested
# against a fake root in tests/unit/test_settings_apply.c).
. "$(dirname "$0")/lib.sh"
require_netns
CONVERGE=${CONVERGE:?CONVERGE must name bw-settings-converge}

H="$PREFIX-h"
C="$PREFIX-c"
new_ns "$H"
new_ns "$C"
ip link add eth0 netns "$H" type veth peer name eth0 netns "$C"
ip -n "$H" addr add 10.78.0.1/24 dev eth0
ip -n "$C" addr add 10.78.0.2/24 dev eth0
ip -n "$H" link set eth0 up
ip -n "$C" link set eth0 up
ip -n "$H" route add default via 10.78.0.2
SAVED="$SCRATCH/saved.json"

# converge WORD...: the host H converges to the plan the words make.
converge() { in_ns "$H" "$CONVERGE" "" "$SAVED" nat-state-dir:"$SCRATCH/nat" "$@"; }
knobs() {
	for k in net/ipv4/icmp_echo_ignore_all net/ipv4/conf/all/accept_redirects \
		net/ipv4/tcp_syncookies net/ipv4/ip_forward net/ipv4/conf/eth0/rp_filter; do
		printf '%s=%s\n' "$k" "$(sysctl_in "$H" "$k")"
	done
}
denied() { in_ns "$H" nft list counter inet bulwark_host denied_input | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
ask() { BW_PEER_WAIT_MS=1500 in_ns "$C" "$PEER" ask tcp 10.78.0.1 "$1" >/dev/null 2>&1; }
pings() { in_ns "$C" ping -c 1 -W 1 10.78.0.1 >/dev/null 2>&1; }
serve() {
	# Not through a shell function: $! must be bw-peer itself (ip netns
	# exec execs it), or the kill misses it and it outlives the test.
	ip netns exec "$H" "$PEER" serve tcp "$1" 0 >"$SCRATCH/serve-$1" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	for _ in $(seq 600); do # polled; the deadline only stops a broken test
		grep -q ready "$SCRATCH/serve-$1" 2>/dev/null && return 0
		sleep 0.05
	done
}
serve 22
serve 8080

# Values that are not what the plans ask, so every change shows.
in_ns "$H" sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/accept_redirects; echo 0 > /proc/sys/net/ipv4/tcp_syncookies'
before=$(knobs)
outside_before=$(cat /proc/sys/net/ipv4/icmp_echo_ignore_all)
check "before: port 8080 answers" ask 8080
check "before: ping answers" pings

# The hardening plan: ICMP echo ignored by the kernel, redirects off,
# SYN cookies on; the firewall lets in SSH and ICMP, nothing else.
HARDEN="sysctl:net.ipv4.icmp_echo_ignore_all=1 sysctl:net.ipv4.conf.all.accept_redirects=0
	sysctl:net.ipv4.tcp_syncookies=1 fw fw-tcp:22 fw-icmp"
# shellcheck disable=SC2086
check "converging to the hardening plan succeeds" converge $HARDEN
check_eq "icmp_echo_ignore_all is set in the namespace" 1 "$(sysctl_in "$H" net/ipv4/icmp_echo_ignore_all)"
check_eq "accept_redirects is off" 0 "$(sysctl_in "$H" net/ipv4/conf/all/accept_redirects)"
check_eq "tcp_syncookies is on" 1 "$(sysctl_in "$H" net/ipv4/tcp_syncookies)"
check_eq "the host's own namespace is untouched" "$outside_before" "$(cat /proc/sys/net/ipv4/icmp_echo_ignore_all)"
check "table inet bulwark_host is loaded" in_ns "$H" nft list table inet bulwark_host
check "an allowed port passes" ask 22
d0=$(denied)
if ask 8080; then not_ok "a port not allowed is dropped"; else ok "a port not allowed is dropped"; fi
d1=$(denied)
check "the drop counter moved for it" test "$d1" -gt "$d0"
# ICMP passes the firewall, so a ping left unanswered is the sysctl's doing.
if pings; then not_ok "ping goes unanswered (icmp_echo_ignore_all)"; else ok "ping goes unanswered (icmp_echo_ignore_all)"; fi
check_eq "the firewall did not drop the ping" "$d1" "$(denied)"

# A change: 8080 opened, ICMP echo answered again. Saved keeps the values
# from before bulwark, not the hardening plan's.
check "converging to a changed plan succeeds" converge sysctl:net.ipv4.conf.all.accept_redirects=0 fw fw-tcp:22 fw-tcp:8080 fw-icmp
check "8080 now passes" ask 8080
check "ping answers again (the sysctl no longer named is put back)" pings
check_eq "tcp_syncookies is back" 0 "$(sysctl_in "$H" net/ipv4/tcp_syncookies)"

# A failure part-way: the firewall and sysctls land, then the NAT's
# interface is missing. The error names the key; converging back to the
# previous plan undoes what landed.
# shellcheck disable=SC2086
out=$(converge $HARDEN nat:nosuch0 2>&1) && not_ok "a NAT on a missing interface fails" "$out" ||
	ok "a NAT on a missing interface fails"
check_contains "the error names the key" "settings.nat: " "$out"
check_eq "the part before the failure landed" 1 "$(sysctl_in "$H" net/ipv4/icmp_echo_ignore_all)"
check "converging back to the previous plan succeeds" converge sysctl:net.ipv4.conf.all.accept_redirects=0 fw fw-tcp:22 fw-tcp:8080 fw-icmp
check "8080 passes again after converging back" ask 8080
check_eq "icmp_echo_ignore_all is back" 0 "$(sysctl_in "$H" net/ipv4/icmp_echo_ignore_all)"

# The NAT from settings: up with its knobs, then down with them back.
check "converging to a plan with the NAT succeeds" converge nat:eth0
check "table inet bulwark_nat is loaded" in_ns "$H" nft list table inet bulwark_nat
check_eq "forwarding is on" 1 "$(sysctl_in "$H" net/ipv4/ip_forward)"
check "the host firewall went with the plan that named it" sh -c "! ip netns exec $H nft list table inet bulwark_host"

# The empty plan: everything as before bulwark.
check "converging to the empty plan succeeds" converge
check_eq "every knob is as before" "$before" "$(knobs)"
check "no table inet bulwark_host" sh -c "! ip netns exec $H nft list table inet bulwark_host"
check "no table inet bulwark_nat" sh -c "! ip netns exec $H nft list table inet bulwark_nat"
check_eq "saved holds nothing" "{}" "$(tr -d ' \n' <"$SAVED")"
check "8080 answers" ask 8080
check "ping answers" pings

# A table inet bulwark_host there before the settings is put back as it was.
in_ns "$H" nft -f - <<'NFT'
table inet bulwark_host {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 9 counter comment "from before the settings"
	}
}
NFT
table_before=$(in_ns "$H" nft list table inet bulwark_host)
check "converging with the firewall over an existing table succeeds" converge fw fw-tcp:22
check "the settings' table replaced it" sh -c "! ip netns exec $H nft list table inet bulwark_host | grep -q 'from before'"
check "converging to the empty plan succeeds again" converge
check_eq "the earlier table is back, exactly" "$table_before" "$(in_ns "$H" nft list table inet bulwark_host)"

finish
