#!/bin/sh
# Bad input gets one clear line and exit 2; what needs a missing feature or
# what the host refuses gets exit 1; either way the host is left as it was.
. "$(dirname "$0")/lib.sh"
require_netns

nat_gateway
host_state() {
	in_ns "$G" nft list ruleset
	for k in net/ipv4/ip_forward net/ipv6/conf/all/forwarding net/ipv4/conf/eth0/rp_filter \
		net/ipv4/conf/all/send_redirects net/ipv4/ip_local_port_range; do
		printf '%s=%s\n' "$k" "$(sysctl_in "$G" "$k")"
	done
	ls "$STATE" 2>/dev/null
}
before=$(host_state)

# expect_refusal DESC CODE NEEDLE CONFIG-TEXT
expect_refusal() {
	printf '%s' "$4" >"$SCRATCH/bad.conf"
	nat up --config "$SCRATCH/bad.conf" >"$SCRATCH/out" 2>"$SCRATCH/err"
	code=$?
	check_eq "$1: exit $2" "$2" "$code"
	check_contains "$1: says why" "$3" "$(cat "$SCRATCH/err")"
	check_eq "$1: one line on stderr" 1 "$(wc -l <"$SCRATCH/err")"
	check_eq "$1: the host is as it was" "$before" "$(host_state)"
}

expect_refusal "a command substitution" 2 \
	"bulwark: $SCRATCH/bad.conf:2:11: '\$' needs a shell to expand" \
	'# fck-nat.conf
interface=$(ip route | awk "{print \$5}")
'
expect_refusal "an unquoted space" 2 "bad.conf:1:26: unquoted blank" \
	'ip_local_port_range=1024 65535
'
expect_refusal "an out-of-range value" 2 "bad.conf:1:18: nf_conntrack_max: 0 is out of range" \
	'nf_conntrack_max=0
'
expect_refusal "a non-canonical source range" 2 "did you mean 10.0.0.0/8?" \
	'nat_source_cidrs=10.1.2.3/8
'
expect_refusal "an injection attempt in the interface" 2 "is not an interface name" \
	'interface='"'"'eth0" ; flush ruleset ; "'"'"'
'
# Nothing answers at IMDS's address in this namespace: the one try's 2 s
# use the budget, 1 s rather than 20 (BULWARK_IMDS_BUDGET_MS, for tests).
export BULWARK_IMDS_BUDGET_MS=1000
expect_refusal "eni_id without IMDS" 1 \
	"imds http://169.254.169.254: no session token after 1 try in " \
	'interface=eth0
eni_id=eni-0123456789abcdef0
'
expect_refusal "eip_id without IMDS" 1 "imds http://169.254.169.254: no session token" \
	'eip_id=eipalloc-0123456789abcdef0
'
expect_refusal "NAT64, which needs a translator" 2 \
	"bad.conf:1:1: nat64_enabled: NAT64 needs an IPv6-to-IPv4 translator (such as Jool or TAYGA)" \
	'nat64_enabled=yes
'
expect_refusal "an interface that does not exist" 1 "interface nosuch0: no such device" \
	'interface=nosuch0
'
# nf_conntrack_max is read-only outside the initial namespace: the write
# fails after the table is loaded and forwarding is on, and both go back.
expect_refusal "a knob the kernel refuses" 1 "nf_conntrack_max" \
	'interface=eth0
ip_local_port_range="2000 3000"
nf_conntrack_max=100000
'

nat up --config "$SCRATCH/missing.conf" 2>"$SCRATCH/err"
check_eq "a missing --config file: exit 2" 2 "$?"
check_contains "... naming the file" "missing.conf" "$(cat "$SCRATCH/err")"

# Unknown keys: one warning each, and the gateway comes up.
printf 'interface=eth0\ntailscale_auth_key=abc\nexport tailscale_hostname=nat\n' >"$SCRATCH/extra.conf"
nat up --config "$SCRATCH/extra.conf" 2>"$SCRATCH/err" >/dev/null
check_eq "unknown keys do not stop up" 0 "$?"
check_eq "one warning per unknown key" 2 "$(grep -c "warning: .*unknown key" "$SCRATCH/err")"
check_contains "the warning has file:line:col" "extra.conf:3:8: unknown key 'tailscale_hostname'" "$(cat "$SCRATCH/err")"
nat down >/dev/null

# flowtable=true where the kernel has none: a warning, and NAT without it.
printf 'interface=eth0\nflowtable=true\n' >"$SCRATCH/ft.conf"
nat up --config "$SCRATCH/ft.conf" 2>"$SCRATCH/err" >/dev/null
check_eq "flowtable=true: up succeeds" 0 "$?"
if in_ns "$G" nft -c -f - 2>/dev/null <<'NFT'
table inet probe { flowtable f { hook ingress priority 0; devices = { lo } } }
NFT
then
	check_contains "flowtable=true on a kernel with flowtables: the flowtable is loaded" \
		"flowtable fastpath" "$(in_ns "$G" nft list table inet bulwark_nat)"
else
	check_contains "flowtable=true on this kernel (no flowtables): a clear warning" \
		"this kernel has no nftables flowtables" "$(cat "$SCRATCH/err")"
	check_eq "... and masquerading without it" 1 \
		"$(in_ns "$G" nft list table inet bulwark_nat | grep -c 'masquerade ipv4')"
fi
nat down >/dev/null
finish
