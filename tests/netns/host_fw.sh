#!/bin/sh
# The host firewall goldens (tests/golden/host/) on real IPv4 packets, a
# client C and a server S on either side of the host H: loopback passes;
# 127.0.0.0/8 arriving on a real interface is dropped and counted (even to
# a port the table allows); without allow-outbound new outbound
# connections are dropped and counted; forwarding is dropped and counted
# unless allow-forward; with allow-icmp = ["echo-request"] a ping is
# answered while an ICMP timestamp request is dropped and counted (the
# control: answered with allow-icmp = true). (::1 from a real interface
# cannot be shown with packets: the kernel drops it before netfilter, in
# ip6_rcv_core.)
. "$(dirname "$0")/lib.sh"
require_netns
command -v python3 >/dev/null || skip_all "needs python3 (to send a frame from 127.0.0.5)"

H="$PREFIX-fwh"
C="$PREFIX-fwc"
S="$PREFIX-fws"
new_ns "$H"
new_ns "$C"
new_ns "$S"
ip link add eth0 netns "$H" type veth peer name eth0 netns "$C"
ip link add eth1 netns "$H" type veth peer name eth0 netns "$S"
ip -n "$H" addr add 10.79.1.1/24 dev eth0
ip -n "$H" addr add 10.79.2.1/24 dev eth1
ip -n "$C" addr add 10.79.1.2/24 dev eth0
ip -n "$S" addr add 10.79.2.2/24 dev eth0
for l in "$H eth0" "$H eth1" "$C eth0" "$S eth0"; do
	# shellcheck disable=SC2086
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$C" route add default via 10.79.1.1
ip -n "$S" route add default via 10.79.2.1
# shellcheck disable=SC2016 # expanded by the inner shell
in_ns "$H" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
	for c in all eth0; do
		echo 0 >/proc/sys/net/ipv4/conf/$c/rp_filter
		# Without route_localnet the kernel drops 127/8 from eth0 as a
		# martian before the firewall sees it; with it (as Kubernetes
		# sets it), only the firewall stands in the way.
		echo 1 >/proc/sys/net/ipv4/conf/$c/route_localnet
	done'

counter() { in_ns "$H" nft list counter inet bulwark_host "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
load() { in_ns "$H" nft -f "$1"; }
ask() { BW_PEER_WAIT_MS=1500 in_ns "$1" "$PEER" ask tcp "$2" "$3" >/dev/null 2>&1; }
# wait_above COUNTER N: polls until COUNTER exceeds N (the deadline only
# stops a broken test).
wait_above() {
	for _ in $(seq 200); do
		[ "$(counter "$1")" -gt "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
serve() { # NS PORT: exec all the way down, so $! is the server itself
	(exec ip netns exec "$1" "$PEER" serve tcp "$2" 0 >"$SCRATCH/serve-$1-$2" 2>&1) &
	on_exit "kill $! 2>/dev/null"
	for _ in $(seq 600); do # polled; the deadline only stops a broken test
		grep -q ready "$SCRATCH/serve-$1-$2" 2>/dev/null && return 0
		sleep 0.05
	done
}
serve "$H" 8080
serve "$S" 8080

# frame SRC DPORT: one UDP datagram from SRC to H's 10.79.1.1, sent by C
# as a raw Ethernet frame (C's own stack refuses a 127/8 source on eth0).
HMAC=$(ip -n "$H" -o link show eth0 | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
frame() {
	in_ns "$C" python3 - "$1" "$2" "$HMAC" <<'PY'
import socket, struct, sys
src, dport, mac = sys.argv[1], int(sys.argv[2]), sys.argv[3]
udp = struct.pack('!HHHH', 40000, dport, 9, 0) + b'x'
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 socket.inet_aton(src), socket.inet_aton('10.79.1.1'))
s = sum(struct.unpack('!10H', ip))
s = (s >> 16) + (s & 0xffff)
s += s >> 16
ip = ip[:10] + struct.pack('!H', ~s & 0xffff) + ip[12:]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind(('eth0', 0))
sock.send(bytes.fromhex(mac.replace(':', '')) + sock.getsockname()[4] + b'\x08\x00' + ip + udp)
PY
}

# server.nft: TCP 22, 80, 443 and UDP 53, 123 in; outbound allowed;
# forwarding not.
check "server.nft loads" load "$GOLDEN_DIR/host/server.nft"
before=$(counter denied_input)
check "loopback passes (port 8080 is not allowed)" ask "$H" 127.0.0.1 8080
check_eq "... nothing counted in denied_input" "$before" "$(counter denied_input)"
if ask "$C" 10.79.1.1 8080; then not_ok "the same port from eth0 is dropped"; else
	ok "the same port from eth0 is dropped"; fi
check "... and counted in denied_input" test "$(counter denied_input)" -gt "$before"

# 127.0.0.5 to UDP 53, which the table allows: only the loopback rule can
# count it. The control, from C's own address, passes; a last frame to a
# closed port is the marker that both were seen (one queue, in order).
before=$(counter denied_input)
frame 127.0.0.5 53
check "127.0.0.5 arriving on eth0 is dropped and counted" wait_above denied_input "$before"
before=$(counter denied_input)
frame 10.79.1.2 53
frame 10.79.1.2 9
check "the marker to a closed port is counted" wait_above denied_input "$before"
check_eq "... the same frame from 10.79.1.2 to port 53 was not" "$((before + 1))" "$(counter denied_input)"
# The control: without the loopback rule, 127.0.0.5 would get through.
grep -v 'ip saddr 127.0.0.0/8' "$GOLDEN_DIR/host/server.nft" >"$SCRATCH/no_lo.nft"
check "the control table without the 127.0.0.0/8 rule loads" load "$SCRATCH/no_lo.nft"
before=$(counter denied_input)
frame 127.0.0.5 53
frame 10.79.1.2 9
check "... the marker is counted" wait_above denied_input "$before"
check_eq "... 127.0.0.5 to port 53 is not: the rule is what drops it" "$((before + 1))" \
	"$(counter denied_input)"
check "server.nft loads again" load "$GOLDEN_DIR/host/server.nft"

before=$(counter denied_output)
check "outbound allowed: H reaches S" ask "$H" 10.79.2.2 8080
check_eq "... nothing counted in denied_output" "$before" "$(counter denied_output)"
before=$(counter denied_forward)
if ask "$C" 10.79.2.2 8080; then not_ok "forwarding not allowed: C cannot reach S through H"; else
	ok "forwarding not allowed: C cannot reach S through H"; fi
check "... and counted in denied_forward" test "$(counter denied_forward)" -gt "$before"

# locked_router.nft: no new outbound connections, forwarding allowed.
check "locked_router.nft loads" load "$GOLDEN_DIR/host/locked_router.nft"
before=$(counter denied_output)
if ask "$H" 10.79.2.2 8080; then not_ok "without allow-outbound H cannot reach S"; else
	ok "without allow-outbound H cannot reach S"; fi
check "... and counted in denied_output" test "$(counter denied_output)" -gt "$before"
check "... loopback still passes" ask "$H" 127.0.0.1 8080
before=$(counter denied_forward)
check "with allow-forward C reaches S through H" ask "$C" 10.79.2.2 8080
check_eq "... nothing counted in denied_forward" "$before" "$(counter denied_forward)"

# ICMP by type. timestamp: one ICMP timestamp request (type 13) from C to
# H; passes when H's timestamp reply (type 14) comes back (the deadline
# only stops a broken test).
timestamp() {
	in_ns "$C" python3 - 10.79.1.1 <<'PY'
import os, select, socket, struct, sys, time
dst = sys.argv[1]
ident = os.getpid() & 0xffff
msg = struct.pack('!BBHHHIII', 13, 0, 0, ident, 1, 0, 0, 0)
s = sum(struct.unpack('!10H', msg))
s = (s >> 16) + (s & 0xffff)
s += s >> 16
msg = msg[:2] + struct.pack('!H', ~s & 0xffff) + msg[4:]
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
sock.sendto(msg, (dst, 0))
deadline = time.monotonic() + 2
while True:
    left = deadline - time.monotonic()
    if left <= 0 or not select.select([sock], [], [], left)[0]:
        sys.exit(1)
    data, addr = sock.recvfrom(1500)
    icmp = data[(data[0] & 0xf) * 4:]
    if addr[0] == dst and icmp[0] == 14 and struct.unpack('!H', icmp[4:6])[0] == ident:
        sys.exit(0)
PY
}
pings() { in_ns "$C" ping -4 -c 1 -W 2 10.79.1.1 >/dev/null 2>&1; }
# The control: with every ICMP type allowed H answers both.
check "server.nft (allow-icmp = true) loads" load "$GOLDEN_DIR/host/server.nft"
check "with allow-icmp = true an echo request is answered" pings
before=$(counter denied_input)
check "with allow-icmp = true a timestamp request is answered" timestamp
check_eq "... nothing counted in denied_input" "$before" "$(counter denied_input)"
check "icmp_echo.nft (allow-icmp = [\"echo-request\"]) loads" load "$GOLDEN_DIR/host/icmp_echo.nft"
before=$(counter denied_input)
check "with allow-icmp = [\"echo-request\"] an echo request is answered" pings
check_eq "... nothing counted in denied_input" "$before" "$(counter denied_input)"
if timestamp; then not_ok "... a timestamp request is dropped"; else
	ok "... a timestamp request is dropped"; fi
check "... and counted in denied_input" test "$(counter denied_input)" -gt "$before"
finish
