#!/bin/sh
# The host firewall goldens (tests/golden/host/) on real IPv6 packets:
# with ICMP not allowed, neighbour discovery still passes both ways, so a
# TCP port the table allows answers over IPv6 from cold neighbour caches;
# the same table without its neighbour-discovery rules cuts IPv6 off (the
# control: this test fails if those rules go). Echo requests are dropped
# and counted unless allow-icmp.
. "$(dirname "$0")/lib.sh"
require_netns

H="$PREFIX-h6"
C="$PREFIX-c6"
new_ns "$H"
new_ns "$C"
ip link add eth0 netns "$H" type veth peer name eth0 netns "$C"
ip -n "$H" addr add fd00:77::1/64 dev eth0 nodad
ip -n "$C" addr add fd00:77::2/64 dev eth0 nodad
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
for _ in $(seq 600); do # polled; the deadline only stops a broken test
	grep -q ready "$SCRATCH/serve" 2>/dev/null && break
	sleep 0.05
done

# locked_router: TCP 22 in, no ICMP, no new outbound connections.
check "locked_router.nft loads" load "$GOLDEN_DIR/host/locked_router.nft"
check "port 22 answers over IPv6 from cold neighbour caches" ask 22
check "a neighbour entry for the client was learnt" sh -c "ip -n $H -6 neigh show dev eth0 | grep -q fd00:77::2"
before=$(denied)
if pings; then not_ok "an echo request is dropped without allow-icmp"; else ok "an echo request is dropped without allow-icmp"; fi
check "... and counted in denied_input" test "$(denied)" -gt "$before"

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
finish
