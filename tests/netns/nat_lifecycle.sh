#!/bin/sh
# nat up / down in a namespace of its own: idempotent, restores every knob,
# never touches another program's table, --dry-run changes nothing.
. "$(dirname "$0")/lib.sh"
require_netns

nat_gateway
knobs() {
	for k in net/ipv4/ip_forward net/ipv6/conf/all/forwarding net/ipv6/conf/eth0/accept_ra \
		net/ipv4/conf/all/send_redirects net/ipv4/conf/eth0/send_redirects \
		net/ipv4/conf/all/rp_filter net/ipv4/conf/eth0/rp_filter \
		net/ipv4/ip_local_port_range net/ipv4/tcp_keepalive_time net/ipv4/tcp_max_syn_backlog; do
		printf '%s=%s\n' "$k" "$(sysctl_in "$G" "$k")"
	done
}
masquerade_rules() {
	in_ns "$G" nft list table inet bulwark_nat 2>/dev/null | grep -c masquerade
}

# Values a real host might have, none of them bulwark's.
for k in net/ipv4/conf/all/rp_filter net/ipv4/conf/eth0/rp_filter; do
	in_ns "$G" sh -c "echo 1 > /proc/sys/$k"
done
in_ns "$G" sh -c 'echo "40000 50000" > /proc/sys/net/ipv4/ip_local_port_range'
in_ns "$G" nft -f - <<'NFT'
table inet foreign {
	chain forward {
		type filter hook forward priority 10; policy accept;
		ip saddr 192.0.2.0/24 counter comment "someone else's rule"
	}
}
NFT
before_knobs=$(knobs)
foreign_before=$(in_ns "$G" nft list table inet foreign)

cat >"$SCRATCH/nat.conf" <<'CONF'
# as fck-nat's user data writes it
interface=eth0
ip_local_port_range="1024 65535"
tcp_keepalive_time=600
tcp_max_syn_backlog=4096
CONF

dry=$(nat up --dry-run --config "$SCRATCH/nat.conf" 2>&1)
check_contains "--dry-run prints the ruleset the kernel checked" "would load (the kernel checked it)" "$dry"
check_contains "--dry-run prints each knob with its old and new value" "ip_local_port_range" "$dry"
check_eq "--dry-run loads no table" 0 "$(masquerade_rules)"
check_eq "--dry-run writes no knob" "$before_knobs" "$(knobs)"

check "nat up" nat up --config "$SCRATCH/nat.conf"
check "nat up again" nat up --config "$SCRATCH/nat.conf"
check_eq "up twice leaves one masquerade rule per family (IPv6 found on eth0)" 2 "$(masquerade_rules)"
check_eq "one bulwark table" 1 "$(in_ns "$G" nft list tables | grep -c bulwark_nat)"
check_eq "ip_forward on" 1 "$(sysctl_in "$G" net/ipv4/ip_forward)"
check_eq "ipv6 forwarding on" 1 "$(sysctl_in "$G" net/ipv6/conf/all/forwarding)"
check_eq "eth0 keeps router advertisements" 2 "$(sysctl_in "$G" net/ipv6/conf/eth0/accept_ra)"
check_eq "rp_filter off on eth0" 0 "$(sysctl_in "$G" net/ipv4/conf/eth0/rp_filter)"
check_eq "send_redirects off on eth0" 0 "$(sysctl_in "$G" net/ipv4/conf/eth0/send_redirects)"
check_eq "port range set" "1024	65535" "$(sysctl_in "$G" net/ipv4/ip_local_port_range)"
check_eq "tcp_keepalive_time set" 600 "$(sysctl_in "$G" net/ipv4/tcp_keepalive_time)"
check_eq "the foreign table survives up" "$foreign_before" "$(in_ns "$G" nft list table inet foreign)"

status=$(nat status)
check_contains "status names the interface" "interface          eth0" "$status"
check_contains "status shows the IPv4 masquerade" "masquerade ipv4    on eth0" "$status"

check "nat down" nat down
check_eq "down restores every knob as it was before the first up" "$before_knobs" "$(knobs)"
check_eq "down removes the table" "" "$(in_ns "$G" nft list tables | grep bulwark_nat || true)"
check_eq "the foreign table survives down" "$foreign_before" "$(in_ns "$G" nft list table inet foreign)"
check "down again is harmless" nat down

# Without interface=, the IPv4 default route's device is used.
printf 'tcp_keepalive_time=600\n' >"$SCRATCH/noif.conf"
check_contains "the default route's device is the public interface" 'oifname "eth0"' \
	"$(nat render --config "$SCRATCH/noif.conf")"
in_ns "$G" ip route del default
out=$(nat up --config "$SCRATCH/noif.conf" 2>&1)
check_eq "no interface= and no default route: exit 1" 1 "$?"
check_contains "... with a clear error" "no IPv4 default route" "$out"
check_eq "... and nothing loaded" 0 "$(masquerade_rules)"

# ipv6=off: IPv4 only, IPv6 forwarding untouched.
printf 'interface=eth0\nipv6=off\n' >"$SCRATCH/v4.conf"
check "nat up with ipv6=off" nat up --config "$SCRATCH/v4.conf"
check_eq "ipv6=off: one masquerade rule" 1 "$(masquerade_rules)"
check_eq "ipv6=off: IPv6 forwarding untouched" 0 "$(sysctl_in "$G" net/ipv6/conf/all/forwarding)"
check "nat down" nat down
finish
