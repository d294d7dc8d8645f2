#!/bin/sh
# The host firewall goldens (tests/golden/host/) on real IPv6 packets:
# with ICMP not allowed, neighbour discovery still passes both ways, so a
# TCP port the table allows answers over IPv6 from cold neighbour caches;
# the same table without its neighbour-discovery rules cuts IPv6 off (the
# control: this test fails if those rules go). Echo requests are dropped
# and counted unless allow-icmp; allow-icmp = ["echo-request"] answers
# them and no other type (a node information query is counted; the
# control: not with allow-icmp = true). A DHCPv6 reply from a link-local
# address passes (the control: not without its rule; not from a global
# address).
. "$(dirname "$0")/lib.sh"
require_netns

H="$PREFIX-h6"
C="$PREFIX-c6"
new_ns "$H"
new_ns "$C"
ip link add eth0 netns "$H" type veth peer name eth0 netns "$C"
ip -n "$H" addr add fd00:77::1/64 dev eth0 nodad
ip -n "$C" addr add fd00:77::2/64 dev eth0 nodad
# One link-local address each: bw-peer answers from the address the
# kernel picks, which must be the one the client asked.
ip -n "$H" link set eth0 addrgenmode none
ip -n "$C" link set eth0 addrgenmode none
ip -n "$H" addr add fe80::1/64 dev eth0 nodad
ip -n "$C" addr add fe80::2/64 dev eth0 nodad
ip -n "$H" link set eth0 up
ip -n "$C" link set eth0 up

denied() { in_ns "$H" nft list counter inet bulwark_host denied_input | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
cold() { ip -n "$H" -6 neigh flush dev eth0; ip -n "$C" -6 neigh flush dev eth0; }
ask() { cold; BW_PEER_WAIT_MS=2000 in_ns "$C" "$PEER" ask tcp fd00:77::1 "$1" >/dev/null 2>&1; }
pings() { cold; in_ns "$C" ping -6 -c 1 -W 2 fd00:77::1 >/dev/null 2>&1; }
load() { in_ns "$H" nft -f "$1"; }
# exec all the way down, so $! is the server itself: killing a wrapper
# shell would leave the server running, holding the netns lock's fd.
(exec ip netns exec "$H" "$PEER" serve tcp 22 0 >"$SCRATCH/serve" 2>&1) &
on_exit "kill $! 2>/dev/null"
# H's DHCPv6 client port: a server's reply comes from its link-local
# address, port 547, to port 546 (the solicit went to ff02::1:2, so
# conntrack has nothing to match it with).
(exec ip netns exec "$H" "$PEER" serve udp 546 0 >"$SCRATCH/serve546" 2>&1) &
on_exit "kill $! 2>/dev/null"
for _ in $(seq 600); do # polled; the deadline only stops a broken test
	grep -q ready "$SCRATCH/serve" 2>/dev/null && grep -q ready "$SCRATCH/serve546" 2>/dev/null && break
	sleep 0.05
done
dhcp6_reply() { cold; BW_PEER_WAIT_MS=2000 in_ns "$C" "$PEER" ask udp "$1" 546 547 >/dev/null 2>&1; }

# locked_router: TCP 22 in, no ICMP, no new outbound connections.
check "locked_router.nft loads" load "$GOLDEN_DIR/host/locked_router.nft"
check "port 22 answers over IPv6 from cold neighbour caches" ask 22
check "a neighbour entry for the client was learnt" sh -c "ip -n $H -6 neigh show dev eth0 | grep -q fd00:77::2"
before=$(denied)
if pings; then not_ok "an echo request is dropped without allow-icmp"; else ok "an echo request is dropped without allow-icmp"; fi
check "... and counted in denied_input" test "$(denied)" -gt "$before"
# DHCPv6, the control first (a reply that passed would leave a conntrack
# entry that lets the next one through whatever the table).
grep -v 'udp sport 547' "$GOLDEN_DIR/host/locked_router.nft" >"$SCRATCH/no_dhcp6.nft"
check "the control table without the DHCPv6 rule loads" load "$SCRATCH/no_dhcp6.nft"
before=$(denied)
if dhcp6_reply 'fe80::1%eth0'; then not_ok "without the DHCPv6 rule a DHCPv6 reply is dropped"; else
	ok "without the DHCPv6 rule a DHCPv6 reply is dropped"; fi
check "... and counted in denied_input" test "$(denied)" -gt "$before"
check "locked_router.nft loads again" load "$GOLDEN_DIR/host/locked_router.nft"
before=$(denied)
if dhcp6_reply fd00:77::1; then not_ok "port 547 to 546 from a global address is dropped"; else
	ok "port 547 to 546 from a global address is dropped"; fi
check "... and counted in denied_input" test "$(denied)" -gt "$before"
before=$(denied)
check "a DHCPv6 reply (fe80::/10 port 547 to port 546) passes" dhcp6_reply 'fe80::1%eth0'
check_eq "... nothing counted in denied_input" "$before" "$(denied)"

# The control: the same table without the neighbour-discovery rules.
grep -v 'nd-neighbor-solicit\|mld-listener-query' "$GOLDEN_DIR/host/locked_router.nft" >"$SCRATCH/no_ndp.nft"
check "the control table loads" load "$SCRATCH/no_ndp.nft"
before=$(denied)
if ask 22; then not_ok "without the ND rules IPv6 is cut off"; else ok "without the ND rules IPv6 is cut off"; fi
check "... the neighbour solicitations counted in denied_input" test "$(denied)" -gt "$before"

# server: ICMP allowed.
check "server.nft loads" load "$GOLDEN_DIR/host/server.nft"
check "an echo request is answered with allow-icmp" pings
check "port 22 answers" ask 22

# ICMPv6 by type. ni_query: one node information query (type 139: no name
# in nft, "new" to conntrack), then one UDP datagram to the closed port 9,
# the marker that both were seen (one queue, in order).
ni_query() {
	in_ns "$C" python3 - <<'PY'
import os, socket, struct
dst = 'fd00:77::1'
icmp = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
icmp.sendto(struct.pack('!BBHHH', 139, 0, 0, 0, 0) + os.urandom(8), (dst, 0))
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'x', (dst, 9))
PY
}
# wait_above N: polls until denied_input exceeds N (the deadline only
# stops a broken test).
wait_above() {
	for _ in $(seq 200); do
		[ "$(denied)" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
if command -v python3 >/dev/null; then
	before=$(denied)
	ni_query
	check "with allow-icmp = true the marker is counted" wait_above "$before"
	check_eq "... the node information query is not" "$((before + 1))" "$(denied)"
	check "icmp_echo.nft (allow-icmp = [\"echo-request\"]) loads" load "$GOLDEN_DIR/host/icmp_echo.nft"
	before=$(denied)
	check "with allow-icmp = [\"echo-request\"] an echo request is answered from cold neighbour caches" pings
	check_eq "... nothing counted in denied_input" "$before" "$(denied)"
	ni_query
	check "... the marker is counted" wait_above "$before"
	check_eq "... and so is the node information query: echo-request opens no other type" \
		"$((before + 2))" "$(denied)"
else
	ok "ICMPv6 by type # SKIP needs python3 (to send a node information query)"
fi
finish
