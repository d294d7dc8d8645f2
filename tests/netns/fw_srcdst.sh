#!/bin/sh
# AWS's source/destination check with real frames, in the VPC of
# examples/aws as a lab: each host's interface has its ENI's MAC and the
# router's bridge a static entry for it, so `fw apply` binds every ENI to
# its port (table bridge bulwark_vpc). A host that forges its source, or a
# MAC that turns up on another port, is dropped, and a named counter
# proves the drop was bulwark's. An ENI with the check off (a router
# appliance) sends and receives for other addresses, judged by its own
# groups: by its MAC when it sends, by the route's next hop when the VPC
# router sends it traffic, by its MAC when bridged.
. "$(dirname "$0")/lib.sh"
require_netns

. "$(dirname "$0")/vpc_lab.sh"
WEB1=$(ns_of web1) APP1=$(ns_of app1) APP2=$(ns_of app2) INET=$(ns_of inet)
APP1_MAC=0a:00:00:00:00:34
WEB1_MAC=0a:00:00:00:00:33

# counter NAME: packets the bridge table's counter NAME has counted.
counter() {
	in_ns "$R" nft list counter bridge bulwark_vpc "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
# reach NS PROTO ADDR PORT: allow when the exchange completes.
reach() {
	if BW_PEER_WAIT_MS=1500 in_ns "$1" "$PEER" ask "$2" "$3" "$4" >/dev/null 2>&1; then
		echo allow
	else
		echo deny
	fi
}
pings() { # NS SRC DST
	if in_ns "$1" ping -c 1 -W 1 -I "$2" "$3" >/dev/null 2>&1; then echo allow; else echo deny; fi
}
# moved NAME BEFORE: "moved" when counter NAME went past BEFORE.
moved() { if [ "$(counter "$1")" -gt "$2" ]; then echo moved; else echo "still $2"; fi; }

check "the bridge table is loaded" in_ns "$R" nft list table bridge bulwark_vpc
check_contains "web1's MAC is bound to its port" "$WEB1_MAC" \
	"$(in_ns "$R" nft list set bridge bulwark_vpc port_mac)"
check_eq "web1's interface has its ENI's MAC" "$WEB1_MAC" \
	"$(in_ns "$WEB1" cat /sys/class/net/eth0/address)"

# Honest traffic passes the check.
check_eq "web1 pings db1 from its own address" allow "$(pings "$WEB1" 10.0.1.10 10.0.3.30)"
check_eq "app1 reaches db1:5432 from its own address" allow "$(reach "$APP1" tcp 10.0.3.30 5432)"

# app2 (check on) forges 10.0.1.5, an address no ENI has, to app1's ssh
# (which allows 10.0.1.0/28); app1's replies to 10.0.1.5 go back to app2,
# so without the check the connection would complete. The neighbours are
# fixed so that the forged IP packet itself, not an ARP, meets the check.
in_ns "$APP2" ip addr add 10.0.1.5/32 dev lo
in_ns "$APP2" ip route add 10.0.2.20/32 dev eth0 src 10.0.1.5
in_ns "$APP2" ip neigh replace 10.0.2.20 lladdr "$APP1_MAC" dev eth0 nud permanent
in_ns "$APP1" ip route add 10.0.1.5/32 via 10.0.2.200
before=$(counter srcdst_spoofed_source)
check_eq "app2 (check on) forging 10.0.1.5 to app1:22 is dropped" deny \
	"$(reach "$APP2" tcp 10.0.2.20 22)"
check_eq "... by the source check (srcdst_spoofed_source)" moved \
	"$(moved srcdst_spoofed_source "$before")"

# web1 claims app2's address.
S0_MAC=$(in_ns "$R" cat /sys/class/net/s0/address)
in_ns "$WEB1" ip addr add 10.0.2.200/32 dev lo
in_ns "$WEB1" ip neigh replace 10.0.1.1 lladdr "$S0_MAC" dev eth0 nud permanent
before=$(counter srcdst_spoofed_source)
check_eq "web1 claiming app2's 10.0.2.200 to db1 is dropped" deny \
	"$(pings "$WEB1" 10.0.2.200 10.0.3.30)"
check_eq "... by the source check (srcdst_spoofed_source)" moved \
	"$(moved srcdst_spoofed_source "$before")"
in_ns "$WEB1" ip addr del 10.0.2.200/32 dev lo

# IPv6: web1 (whose group may reach app1:8080) sends from an address of
# its subnet that is not its ENI's.
in_ns "$WEB1" ip addr add fd00:10:0:1::99/128 dev eth0 nodad
in_ns "$WEB1" ip -6 route add fd00:10:0:2::20/128 via fd00:10:0:1::1 src fd00:10:0:1::99
in_ns "$WEB1" ip -6 neigh replace fd00:10:0:1::1 lladdr "$S0_MAC" dev eth0 nud permanent
before=$(counter srcdst_spoofed_source)
check_eq "web1 forging fd00:10:0:1::99 to app1:8080 is dropped" deny \
	"$(reach "$WEB1" tcp fd00:10:0:2::20 8080)"
check_eq "... by the source check (srcdst_spoofed_source)" moved \
	"$(moved srcdst_spoofed_source "$before")"
in_ns "$WEB1" ip -6 route del fd00:10:0:2::20/128
in_ns "$WEB1" ip addr del fd00:10:0:1::99/128 dev eth0
check_eq "web1 reaches app1:8080 over IPv6 from its own address" allow \
	"$(reach "$WEB1" tcp fd00:10:0:2::20 8080)"

# web1's MAC (and address) turns up on another port of web1's subnet.
ROGUE="$PREFIX-rogue"
new_ns "$ROGUE"
ip link add rogue0 netns "$R" type veth peer name eth0 netns "$ROGUE"
ip -n "$ROGUE" link set eth0 address "$WEB1_MAC"
ip -n "$ROGUE" addr add 10.0.1.10/24 dev eth0
ip -n "$ROGUE" link set eth0 up
ip -n "$R" link set rogue0 master s0 up
ip -n "$ROGUE" neigh replace 10.0.1.1 lladdr "$S0_MAC" dev eth0 nud permanent
before=$(counter srcdst_wrong_port)
check_eq "web1's MAC on another port is dropped" deny "$(pings "$ROGUE" 10.0.1.10 10.0.1.1)"
check_eq "... by the port binding (srcdst_wrong_port)" moved "$(moved srcdst_wrong_port "$before")"
# A stranger's MAC on that port may not claim web1's address either.
ip -n "$ROGUE" link set eth0 address 0a:00:00:00:ee:01
before=$(counter srcdst_spoofed_source)
check_eq "a MAC no ENI has claiming web1's address is dropped" deny \
	"$(pings "$ROGUE" 10.0.1.10 10.0.1.1)"
check_eq "... by the source check (srcdst_spoofed_source)" moved \
	"$(moved srcdst_spoofed_source "$before")"
ip -n "$R" link del rogue0
check_eq "web1 still reaches db1 from its own port" allow "$(pings "$WEB1" 10.0.1.10 10.0.3.30)"

# The VPC router sends traffic for 10.0.1.5 and 10.9.9.0/24 to app2 (a
# route table entry whose target is app2's ENI); with the check on, the
# frames for an address not app2's are dropped.
in_ns "$R" ip route add 10.9.9.0/24 via 10.0.2.200
in_ns "$R" ip route add 10.0.1.5/32 via 10.0.2.200
in_ns "$WEB1" ip route add 10.0.1.5/32 via 10.0.1.1
in_ns "$APP2" ip addr add 10.9.9.9/32 dev lo
in_ns "$APP2" ip route add 203.0.113.1/32 via 10.0.2.1 src 10.9.9.9
before=$(counter srcdst_spoofed_destination)
check_eq "web1 to 10.9.9.9:8080 through app2 (check on) is dropped" deny \
	"$(reach "$WEB1" tcp 10.9.9.9 8080)"
check_eq "... by the destination check (srcdst_spoofed_destination)" moved \
	"$(moved srcdst_spoofed_destination "$before")"

# An AWS VPC carries no VLAN tags: a frame tagged 802.1Q (priority-tagged,
# VLAN 0, which the receiver takes as untagged) or 802.1ad, from a checked
# ENI (app1, to app2 while its check is on) or an unchecked one (app2,
# below), is dropped at the bridge (srcdst_not_ip), whatever it carries
# and even from the sender's own address; br_netfilter would never show
# it to the groups. The app group gets UDP 9999 within itself, so an untagged
# frame to 9999 passes; 9998 the groups deny. (Its egress allows UDP
# 9997 anywhere, broadcast below, which no ingress rule admits.) Each peer counts what
# reaches it in a table of its own, before its own stack.
command -v python3 >/dev/null || { echo "Bail out! needs python3 to send raw frames"; exit 1; }
python3 - "$AWS/security-groups.json" <<'EOF'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
for group in doc["SecurityGroups"]:
    if group["GroupId"] == "sg-0a1b2c3d4e5f60012":
        rule = {"IpProtocol": "udp", "FromPort": 9999, "ToPort": 9999, "IpRanges": [],
                "UserIdGroupPairs": [{"GroupId": "sg-0a1b2c3d4e5f60012"}]}
        group["IpPermissions"].append(rule)
        group["IpPermissionsEgress"].append(dict(rule))
        group["IpPermissionsEgress"].append(
            {"IpProtocol": "udp", "FromPort": 9997, "ToPort": 9997,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
             "UserIdGroupPairs": []})
json.dump(doc, open(path, "w"), indent=2)
EOF
check "fw apply with UDP 9999 within the app group" fw apply
cat >"$SCRATCH/frames.py" <<'EOF'
# frames.py DST_MAC SRC_IP DST_IP: from eth0, UDP to DST_IP:9998 tagged
# 8100 and 88a8 (VLAN 0), then untagged to DST_IP:9999.
import socket, struct, sys
dst_mac, src_ip, dst_ip = sys.argv[1:4]
src_mac = open("/sys/class/net/eth0/address").read().strip()


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def frame(tag, port):
    payload = b"bulwark-vlan"
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    total = sum(struct.unpack("!10H", ip))
    total = (total & 0xffff) + (total >> 16)
    total = (total & 0xffff) + (total >> 16)
    ip = ip[:10] + struct.pack("!H", ~total & 0xffff) + ip[12:]
    return mac(dst_mac) + mac(src_mac) + tag + b"\x08\x00" + ip + udp


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for tag in (b"\x81\x00\x00\x00", b"\x88\xa8\x00\x00"):
    s.send(frame(tag, 9998))
s.send(frame(b"", 9999))
EOF
for ns in "$APP1" "$APP2"; do
	in_ns "$ns" nft -f - <<'NFT'
table inet bw_seen {
	counter tagged {
	}
	counter untagged {
	}
	counter flooded {
	}
	chain prerouting {
		type filter hook prerouting priority -300; policy accept;
		udp dport 9998 counter name tagged
		udp dport 9999 counter name untagged
		udp dport 9997 counter name flooded
	}
}
NFT
done
seen() { # NS NAME: packets the peer's counter NAME has counted
	in_ns "$1" nft list counter inet bw_seen "$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
# frames FROM SRC_IP TO DST_IP DST_MAC: sends them, then waits (with a
# deadline) until the untagged one, sent last on the same path, arrives.
frames() {
	in_ns "$1" python3 "$SCRATCH/frames.py" "$5" "$2" "$4"
	tries=0
	until [ "$(seen "$3" untagged)" -gt 0 ] || [ "$tries" -ge 50 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
}
APP2_MAC=0a:00:00:00:00:35
before=$(counter srcdst_not_ip)
frames "$APP1" 10.0.2.20 "$APP2" 10.0.2.200 "$APP2_MAC"
check_eq "app1 (check on) to app2 udp 9999, untagged: received" 1 "$(seen "$APP2" untagged)"
check_eq "app1 (check on) to app2 udp 9998, VLAN-tagged: not received" 0 "$(seen "$APP2" tagged)"
check_eq "... dropped at the bridge (srcdst_not_ip)" moved "$(moved srcdst_not_ip "$before")"

# app2's check off, in every file that describes its ENI.
for file in "$AWS"/*.json; do
	awk '/"NetworkInterfaceId": "eni-0a1b2c3d4e5f60053"/ { found = 1 }
	     found && /"SourceDestCheck": true/ { sub(/true/, "false"); found = 0 }
	     { print }' "$file" >"$file.new" && mv "$file.new" "$file"
done
check "fw apply with app2's source/destination check off" fw apply
check_contains "app2's MAC sends from any address" "0a:00:00:00:00:35" \
	"$(in_ns "$R" nft list set bridge bulwark_vpc unchecked_macs)"
before_src=$(counter srcdst_spoofed_source) before_dst=$(counter srcdst_spoofed_destination)

# What app2 receives for others: app's ingress allows 8080 from sg-web
# members only, judged by the route's next hop.
check_eq "web1 to 10.9.9.9:8080 through app2: app's ingress allows sg-web" allow \
	"$(reach "$WEB1" tcp 10.9.9.9 8080)"
check_eq "inet to 10.9.9.9:8080 through app2: app's ingress denies it" deny \
	"$(reach "$INET" tcp 10.9.9.9 8080)"
# What app2 sends for others: app's egress allows ICMP echo to
# 10.0.0.0/16 and UDP to 10.0.0.2 only, judged by app2's MAC (routed and
# bridged alike).
check_eq "app2 pings web1 from 10.0.1.5: app's egress allows it" allow \
	"$(pings "$APP2" 10.0.1.5 10.0.1.10)"
check_eq "app2 from 10.9.9.9 to inet udp 5353: app's egress denies it" deny \
	"$(reach "$APP2" udp 203.0.113.1 5353)"
check_eq "app2 from 10.0.1.5 to app1:22, bridged: app's egress denies it" deny \
	"$(reach "$APP2" tcp 10.0.2.20 22)"
check_eq "the source check let app2's frames through" "still $before_src" \
	"$(moved srcdst_spoofed_source "$before_src")"
check_eq "the destination check let app2's frames through" "still $before_dst" \
	"$(moved srcdst_spoofed_destination "$before_dst")"

# A source AWS never filters is exempt only as a reply in a flow to it:
# the internet host claiming to be the VPC resolver (10.0.0.2) or the
# metadata service starts no exempt flow to db1 (whose group admits only
# sg-app on 5432). Routed, so the bridge table never sees it: the groups
# and ACLs of table inet bulwark_vpc must drop it themselves.
inet_drops() {
	in_ns "$R" nft list counters table inet bulwark_vpc |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}
via=$(in_ns "$INET" ip route get 10.0.3.30 | sed -n 's/.* via \([^ ]*\) .*/\1/p')
for claimed in 10.0.0.2 169.254.169.254; do
	in_ns "$INET" ip addr add "$claimed/32" dev lo
	in_ns "$INET" ip route replace 10.0.3.30/32 via "$via" src "$claimed"
	before=$(inet_drops)
	check_eq "inet claiming $claimed to db1:5432 is dropped" deny \
		"$(reach "$INET" tcp 10.0.3.30 5432)"
	check "... by the groups or ACLs (a drop counter moved)" test "$(inet_drops)" -gt "$before"
	in_ns "$INET" ip route del 10.0.3.30/32
	in_ns "$INET" ip addr del "$claimed/32" dev lo
done

# The same from app2, its check off now, to app1.
before=$(counter srcdst_not_ip)
frames "$APP2" 10.0.2.200 "$APP1" 10.0.2.20 "$APP1_MAC"
check_eq "app2 (check off) to app1 udp 9999, untagged: received" 1 "$(seen "$APP1" untagged)"
check_eq "app2 (check off) to app1 udp 9998, VLAN-tagged: not received" 0 "$(seen "$APP1" tagged)"
check_eq "... dropped at the bridge (srcdst_not_ip)" moved "$(moved srcdst_not_ip "$before")"
check_contains "fw status prints srcdst_not_ip" srcdst_not_ip "$(fw status)"

# AWS delivers no broadcast or multicast between instances: app1's UDP
# to 255.255.255.255, to its subnet's broadcast and to 224.0.0.251
# (flooded to every port), to 255.255.255.255 at app2's MAC, and to
# ff02::1 never reach app2, whose group admits no UDP 9997 (app1's
# egress lets them out: only the bridge can stop them); then a unicast
# frame to 9999, last on the same path, does.
cat >"$SCRATCH/flood.py" <<'EOF'
import socket, struct, sys
unicast_mac = sys.argv[1]
src_mac = open("/sys/class/net/eth0/address").read().strip()


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def udp(port):
    payload = b"bulwark-flood"
    return struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload


def v4(dst_mac, dst_ip, port):
    body = udp(port)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, 0, 64, 17, 0,
                     socket.inet_aton("10.0.2.20"), socket.inet_aton(dst_ip))
    total = sum(struct.unpack("!10H", ip))
    total = (total & 0xffff) + (total >> 16)
    total = (total & 0xffff) + (total >> 16)
    ip = ip[:10] + struct.pack("!H", ~total & 0xffff) + ip[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + body


def v6(dst_mac, dst_ip, port):
    body = udp(port)
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(body), 17, 1,
                     socket.inet_pton(socket.AF_INET6, "fd00:10:0:2::20"),
                     socket.inet_pton(socket.AF_INET6, dst_ip))
    return mac(dst_mac) + mac(src_mac) + b"\x86\xdd" + ip + body


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for frame in (v4("ff:ff:ff:ff:ff:ff", "255.255.255.255", 9997),
              v4("ff:ff:ff:ff:ff:ff", "10.0.2.255", 9997),
              v4("01:00:5e:00:00:fb", "224.0.0.251", 9997),
              v4(unicast_mac, "255.255.255.255", 9997),
              v6("33:33:00:00:00:01", "ff02::1", 9997),
              v4(unicast_mac, "10.0.2.200", 9999)):
    s.send(frame)
EOF
before=$(counter srcdst_broadcast)
in_ns "$APP1" python3 "$SCRATCH/flood.py" "$APP2_MAC"
tries=0
until [ "$(seen "$APP2" untagged)" -gt 1 ] || [ "$tries" -ge 50 ]; do
	tries=$((tries + 1))
	sleep 0.1
done
check_eq "app1's unicast UDP to app2:9999 arrives" 2 "$(seen "$APP2" untagged)"
check_eq "app1's broadcast and multicast UDP do not reach app2" 0 "$(seen "$APP2" flooded)"
check_eq "... dropped at the bridge (srcdst_broadcast)" moved "$(moved srcdst_broadcast "$before")"
# What neighbours need still passes between instances: ARP, and IPv6
# neighbour discovery to a solicited-node multicast address.
in_ns "$APP2" ip addr add fd00:10:0:2::99/64 dev eth0 nodad
in_ns "$APP1" ip neigh flush dev eth0
in_ns "$APP1" ping -c 1 -W 1 10.0.2.200 >/dev/null 2>&1
in_ns "$APP1" ping -c 1 -W 1 fd00:10:0:2::99 >/dev/null 2>&1
check_contains "app1 resolves app2's IPv4 address (ARP)" "$APP2_MAC" \
	"$(in_ns "$APP1" ip neigh show 10.0.2.200 dev eth0)"
check_contains "app1 resolves app2's IPv6 address (neighbour discovery)" "$APP2_MAC" \
	"$(in_ns "$APP1" ip -6 neigh show fd00:10:0:2::99 dev eth0)"

check "fw delete" fw delete
check "fw delete removes the bridge table" sh -c \
	"! ip netns exec $R nft list table bridge bulwark_vpc >/dev/null 2>&1"
finish
