#!/bin/sh
# ctmark_clear() (bw-ctmark clear MASK) takes bulwark's bits out of the ct
# mark of live flows and keeps every other bit. Proven with nftables
# counters that match on the mark of each reply packet of one UDP flow
# per family, before and after the clear.
. "$(dirname "$0")/lib.sh"
require_netns
CTMARK=${CTMARK:?CTMARK must name the bw-ctmark tool}

A="$PREFIX-cta"
B="$PREFIX-ctb"
new_ns "$A"
new_ns "$B"
ip link add eth0 netns "$A" type veth peer name eth0 netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev eth0
ip -n "$B" addr add 10.77.0.2/24 dev eth0
ip -n "$A" addr add fd77::1/64 dev eth0 nodad
ip -n "$B" addr add fd77::2/64 dev eth0 nodad
ip -n "$A" link set eth0 up
ip -n "$B" link set eth0 up

# A marks each new flow 0xab001234: 0xab in bulwark's default bits
# (0xff000000), 0x1234 standing for another program's bits.
ip netns exec "$A" nft -f - <<'NFT'
table inet bwct {
	counter marked4 {}
	counter kept4 {}
	counter marked6 {}
	counter kept6 {}
	chain out {
		type filter hook output priority 0;
		ct state new ct mark set 0xab001234
	}
	chain in {
		type filter hook input priority 0;
		meta nfproto ipv4 udp sport 5000 ct mark & 0xff000000 == 0xab000000 counter name marked4
		meta nfproto ipv4 udp sport 5000 ct mark & 0x00ffffff == 0x001234 counter name kept4
		meta nfproto ipv6 udp sport 5000 ct mark & 0xff000000 == 0xab000000 counter name marked6
		meta nfproto ipv6 udp sport 5000 ct mark & 0x00ffffff == 0x001234 counter name kept6
	}
}
NFT

ip netns exec "$B" "$PEER" serve udp 5000 0 >"$SCRATCH/serve" 2>&1 &
on_exit "kill $! 2>/dev/null"
for _ in $(seq 600); do # polled; the deadline only stops a broken test
	grep -q ready "$SCRATCH/serve" 2>/dev/null && break
	sleep 0.05
done

# One flow per family: the same source port every time.
ask4() { in_ns "$A" "$PEER" ask udp 10.77.0.2 5000 40000 >/dev/null; }
ask6() { in_ns "$A" "$PEER" ask udp fd77::2 5000 40006 >/dev/null; }
count() { in_ns "$A" nft list counter inet bwct "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

check "an IPv4 flow answers" ask4
check "an IPv6 flow answers" ask6
check "... and again, on the same IPv4 flow" ask4
check "... and again, on the same IPv6 flow" ask6
check_eq "replies carry bulwark's bits (IPv4)" 2 "$(count marked4)"
check_eq "replies carry bulwark's bits (IPv6)" 2 "$(count marked6)"
check "bw-ctmark clear 0xff000000" in_ns "$A" "$CTMARK" clear 0xff000000
check "the IPv4 flow answers after the clear" ask4
check "the IPv6 flow answers after the clear" ask6
check_eq "bulwark's bits are gone from the IPv4 flow" 2 "$(count marked4)"
check_eq "bulwark's bits are gone from the IPv6 flow" 2 "$(count marked6)"
check_eq "the other bits are kept (IPv4)" 3 "$(count kept4)"
check_eq "the other bits are kept (IPv6)" 3 "$(count kept6)"
check "a clear with no marked flow left succeeds" in_ns "$A" "$CTMARK" clear 0xff000000
finish
