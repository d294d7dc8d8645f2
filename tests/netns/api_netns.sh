#!/bin/sh
# Through the API, in a network namespace: a net.* sysctl and the host
# firewall (table inet bulwark_host) really change, and packets from a
# neighbour really pass or are dropped (each denial proven by bulwark's
# drop counter).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
command -v curl >/dev/null || skip_all "needs curl"
[ -n "$PEER" ] || skip_all "needs PEER (bw-peer)"
require_netns
api_setup
C="$PREFIX-nb"
new_ns "$C"
ip link add eth0 netns "$NS" type veth peer name eth0 netns "$C"
ip -n "$NS" addr add 10.77.1.1/24 dev eth0
ip -n "$C" addr add 10.77.1.2/24 dev eth0
ip -n "$NS" link set eth0 up
ip -n "$C" link set eth0 up

for port in 22 8080; do
	ip netns exec "$NS" "$PEER" serve tcp $port 0 >"$SCRATCH/serve-$port" 2>&1 \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	on_exit "kill $!"
	for _ in $(seq 600); do # polled; the deadline only stops a broken test
		grep -q ready "$SCRATCH/serve-$port" 2>/dev/null && break
		sleep 0.05
	done
done
reaches() { BW_PEER_WAIT_MS=1500 in_ns "$C" "$PEER" ask tcp 10.77.1.1 "$1" >/dev/null 2>&1; }
pings() { in_ns "$C" ping -c 1 -W 1 10.77.1.1 >/dev/null 2>&1; }
denied() {
	in_ns "$NS" nft list counter inet bulwark_host denied_input 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
ns_sysctl() { sysctl_in "$NS" "$1"; }

check_start "serve starts in the namespace"
check "before: the neighbour pings the host" pings
check "before: tcp/8080 answers" reaches 8080

# A net.* sysctl, the namespace's own.
host_before=$(cat /proc/sys/net/ipv4/icmp_echo_ignore_all)
call PATCH /settings/keypair '{"request_payload":["kernel.sysctl.\"net.ipv4.icmp_echo_ignore_all\"=1"]}'
check_call "icmp_echo_ignore_all=1 through the API" 200 \
	'["settings.kernel.sysctl.\"net.ipv4.icmp_echo_ignore_all\""]' POST /tx/commit_and_apply
check_eq "... the namespace's /proc/sys holds it" 1 "$(ns_sysctl net/ipv4/icmp_echo_ignore_all)"
check "... and pings go unanswered" sh -c "! ip netns exec $C ping -c 1 -W 1 10.77.1.1"
check_eq "... the machine's own value untouched" "$host_before" "$(cat /proc/sys/net/ipv4/icmp_echo_ignore_all)"
call PATCH /settings/keypair '{"request_payload":["kernel.sysctl.\"net.ipv4.icmp_echo_ignore_all\"=0"]}'
call POST /tx/commit_and_apply
check "set back to 0: pings answered again" pings

# The host firewall: default drop inbound, SSH and ICMP allowed.
call PATCH /settings '{"firewall":{"host":{"enabled":true,"allow-tcp":[22],"allow-icmp":true}}}'
call POST /tx/commit_and_apply
check_eq "firewall.host enabled through the API: 200" 200 "$STATUS"
check "... table inet bulwark_host is loaded" in_ns "$NS" nft list table inet bulwark_host
check "... tcp/22 (allowed) answers" reaches 22
check "... ICMP (allowed) answers" pings
before=$(denied)
if reaches 8080; then not_ok "... tcp/8080 (not allowed) is dropped"; else ok "... tcp/8080 (not allowed) is dropped"; fi
after=$(denied)
check "... by bulwark: denied_input moved ($before -> $after)" test "${after:-0}" -gt "${before:-0}"

call PATCH /settings '{"firewall":{"host":{"allow-tcp":[22,8080]}}}'
call POST /tx/commit_and_apply
check "tcp/8080 allowed through the API: it answers" reaches 8080

# A change the kernel refuses (mc_forwarding is read-only even to root),
# after a step it takes in name order (accept_redirects): that step is
# undone in the namespace.
redirects=$(ns_sysctl net/ipv4/conf/all/accept_redirects)
flipped=$((1 - redirects))
call PATCH /settings "{\"kernel\":{\"sysctl\":{\"net.ipv4.conf.all.accept_redirects\":\"$flipped\",\"net.ipv4.conf.all.mc_forwarding\":\"1\"}}}"
call POST /tx/commit_and_apply
case $STATUS in 400 | 500) ok "a change with a knob the kernel refuses: refused ($STATUS)" ;;
*) not_ok "a change with a knob the kernel refuses: refused" "got $STATUS $BODY" ;; esac
check_contains "... naming the key" "net.ipv4.conf.all.mc_forwarding" "$BODY"
check_eq "... the step before it undone in the namespace" "$redirects" \
	"$(ns_sysctl net/ipv4/conf/all/accept_redirects)"
check "... the firewall as it was: tcp/8080 still answers" reaches 8080
call DELETE /tx

call PATCH /settings '{"firewall":{"host":{"enabled":false}}}'
call POST /tx/commit_and_apply
check "firewall.host disabled: the table is gone" sh -c "! ip netns exec $NS nft list table inet bulwark_host"
check "... and tcp/8080 answers" reaches 8080
check_stop "SIGTERM"
finish
