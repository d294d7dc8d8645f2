#!/bin/sh
# TCP, UDP and ICMP from private instances through the lab's NAT gateway,
# IPv4 and IPv6: each reaches the internet host, which sees the gateway's
# address, never the instance's.
. "$(dirname "$0")/lib.sh"
require_netns

lab() { "$BULWARK" lab --prefix "$PREFIX" "$@"; }
on_exit "$BULWARK lab --prefix $PREFIX down"
check "lab up builds the lab and starts the gateway" lab up

# serve PROTO PORT COUNT: a bw-peer server on the internet host.
serve() {
	"$BULWARK" lab --prefix "$PREFIX" exec inet -- "$PEER" serve "$1" "$2" "$3" \
		>"$SCRATCH/serve-$1-$2" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	for _ in $(seq 600); do # polled; the deadline only stops a broken test
		grep -q ready "$SCRATCH/serve-$1-$2" 2>/dev/null && return 0
		sleep 0.05
	done
}

# The internet host counts the echo requests it gets, by source.
ip netns exec "$PREFIX-inet" nft -f - <<'NFT'
table inet seen {
	chain input {
		type filter hook input priority 0;
		ip saddr 203.0.113.10 icmp type echo-request counter name from_gateway_v4
		ip6 saddr 2001:db8:113::10 icmpv6 type echo-request counter name from_gateway_v6
		ip saddr != 203.0.113.10 icmp type echo-request counter name from_others_v4
		ip6 saddr != 2001:db8:113::10 icmpv6 type echo-request counter name from_others_v6
	}
	counter from_gateway_v4 { }
	counter from_gateway_v6 { }
	counter from_others_v4 { }
	counter from_others_v6 { }
}
NFT
# packets_of COUNTER: how many packets the internet host counted.
packets_of() {
	ip netns exec "$PREFIX-inet" nft list counter inet seen "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

serve tcp 7001 4
serve udp 7002 4
for node in a b; do
	check_eq "tcp ipv4 from $node: the internet host sees the gateway" \
		203.0.113.10 "$(lab exec $node -- "$PEER" ask tcp 203.0.113.1 7001 2>&1)"
	check_eq "tcp ipv6 from $node: the internet host sees the gateway" \
		2001:db8:113::10 "$(lab exec $node -- "$PEER" ask tcp 2001:db8:113::1 7001 2>&1)"
	check_eq "udp ipv4 from $node: the internet host sees the gateway" \
		203.0.113.10 "$(lab exec $node -- "$PEER" ask udp 203.0.113.1 7002 2>&1)"
	check_eq "udp ipv6 from $node: the internet host sees the gateway" \
		2001:db8:113::10 "$(lab exec $node -- "$PEER" ask udp 2001:db8:113::1 7002 2>&1)"
	# The internet host has no route back to 10.0.1.0/24 or fd00:10:1::/64:
	# a reply arrives only if the request was masqueraded.
	check "icmp ipv4 from $node reaches the internet host" \
		lab exec $node -- ping -c 2 -W 2 203.0.113.1
	check "icmp ipv6 from $node reaches the internet host" \
		lab exec $node -- ping -6 -c 2 -W 2 2001:db8:113::1
done
wait
check_eq "icmp ipv4: the internet host saw 4 echo requests from the gateway" 4 "$(packets_of from_gateway_v4)"
check_eq "icmp ipv6: the internet host saw 4 echo requests from the gateway" 4 "$(packets_of from_gateway_v6)"
check_eq "icmp ipv4: none from a private address" 0 "$(packets_of from_others_v4)"
check_eq "icmp ipv6: none from a private address" 0 "$(packets_of from_others_v6)"
counters=$(lab exec nat -- "$BULWARK" nat status --json --state-dir "/run/bulwark/lab-$PREFIX")
# The NAT chain sees a flow's first packet only: its counter counts flows.
# IPv4 from a and b: one TCP connection, one UDP flow, one ping (2 echoes).
v4_connections=$(printf '%s\n' "$counters" | sed -n '/"masquerade"/,$p' | grep -m1 '"connections"' | tr -dc 0-9)
check_eq "nat status --json counts the masqueraded IPv4 connections (tcp, udp, icmp from a and b)" \
	6 "$v4_connections"
check_eq "there is no forward chain for every packet to cross" "" \
	"$(lab exec nat -- nft list table inet bulwark_nat | grep 'hook forward' || true)"
check_contains "nat status shows conntrack's flows" "flows tracked of" \
	"$(lab exec nat -- "$BULWARK" nat status --state-dir "/run/bulwark/lab-$PREFIX")"

# Without the gateway's NAT, nothing gets through: the test can fail.
check "nat down in the gateway" lab exec nat -- "$BULWARK" nat down --state-dir "/run/bulwark/lab-$PREFIX"
check_eq "nat down put forwarding back" 0 "$(lab exec nat -- cat /proc/sys/net/ipv4/ip_forward)"
# Forwarding alone is not enough: the reply needs the masquerade.
lab exec nat -- sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
if lab exec a -- ping -c 1 -W 1 203.0.113.1 >/dev/null 2>&1; then
	not_ok "forwarding without masquerading: the private instance gets no reply"
else
	ok "forwarding without masquerading: the private instance gets no reply"
fi

status=$(lab status 2>&1)
check_contains "lab status lists the private instance" "10.0.1.11/24" "$status"
check "lab down removes the lab" lab down
check_eq "no namespace of the lab is left" "" "$(ip netns list | grep "^$PREFIX-" || true)"
finish
