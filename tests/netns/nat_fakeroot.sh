#!/bin/sh
# The machine-wide knobs (nf_conntrack_max, the conntrack hash size) and
# the configuration file lookup, exercised against a fake root (--root):
# the test never changes the machine's global state.
. "$(dirname "$0")/lib.sh"
require_netns

G="$PREFIX-gw"
gateway_ns "$G"
ROOT="$SCRATCH/root"
put() { mkdir -p "$ROOT/$(dirname "$1")"; printf '%s\n' "$2" >"$ROOT/$1"; }
get() { cat "$ROOT/$1"; }
nat() { ip netns exec "$G" "$BULWARK" --root "$ROOT" nat "$@"; }

put proc/sys/net/ipv4/ip_forward 0
put proc/sys/net/ipv4/conf/all/send_redirects 1
put proc/sys/net/ipv4/conf/eth0/send_redirects 1
put proc/sys/net/ipv4/conf/all/rp_filter 2
put proc/sys/net/ipv4/conf/eth0/rp_filter 2
put proc/sys/net/ipv4/conf/default/rp_filter 1
put proc/sys/net/ipv4/conf/docker0/rp_filter 1
put proc/sys/net/ipv4/conf/veth1a/rp_filter 1
put usr/local/bin/jool ''
put proc/sys/net/netfilter/nf_conntrack_max 65536
put proc/sys/net/netfilter/nf_conntrack_count 7
put proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established 432000
put sys/module/nf_conntrack/parameters/hashsize 16384
put etc/fck-nat.conf 'interface=nosuch0'
cat >"$ROOT/etc/pelotech-nat.conf" <<'CONF'
# pelotech-nat's file wins over fck-nat's
interface=eth0
nf_conntrack_max=524288
nf_conntrack_buckets=131072
nf_conntrack_tcp_timeout_established=7440
fips_endpoints=false
CONF
real_forward=$(sysctl_in "$G" net/ipv4/ip_forward)

nat up >"$SCRATCH/up.out" 2>&1
check_eq "nat up against the fake root reads /etc/pelotech-nat.conf" 0 "$?"
check_contains "Jool installed (a nat64 image): a warning that NAT64 is not run" \
	"bulwark: warning: /usr/local/bin/jool is installed" "$(cat "$SCRATCH/up.out")"
for k in default docker0 veth1a; do
	check_eq "rp_filter 0 on $k too, as fck-nat does, without eni_id" 0 \
		"$(get proc/sys/net/ipv4/conf/$k/rp_filter)"
done
check_eq "nf_conntrack_max written" 524288 "$(get proc/sys/net/netfilter/nf_conntrack_max)"
check_eq "the conntrack hash size written" 131072 "$(get sys/module/nf_conntrack/parameters/hashsize)"
check_eq "tcp established timeout written" 7440 \
	"$(get proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established)"
check_eq "ip_forward written under the root" 1 "$(get proc/sys/net/ipv4/ip_forward)"
check_eq "the real namespace's ip_forward untouched" "$real_forward" "$(sysctl_in "$G" net/ipv4/ip_forward)"
check "the state is kept under the root" test -s "$ROOT/run/bulwark/nat.json"
status=$(nat status)
check_contains "status reads conntrack use under the root" "conntrack          7 flows tracked of 524288" "$status"

rm -r "$ROOT/proc/sys/net/ipv4/conf/veth1a" # a container's veth, gone since
nat down >"$SCRATCH/down.out" 2>&1
check_eq "nat down, a link gone since nat up: exit 0" 0 "$?"
check_contains "... says what it skipped" \
	"/proc/sys/net/ipv4/conf/veth1a/rp_filter not restored: its link is gone" \
	"$(cat "$SCRATCH/down.out")"
check_eq "... the other links' rp_filter restored" 1 "$(get proc/sys/net/ipv4/conf/docker0/rp_filter)"
check_eq "nf_conntrack_max restored" 65536 "$(get proc/sys/net/netfilter/nf_conntrack_max)"
check_eq "hash size restored" 16384 "$(get sys/module/nf_conntrack/parameters/hashsize)"
check_eq "rp_filter restored" 2 "$(get proc/sys/net/ipv4/conf/eth0/rp_filter)"
check_eq "ip_forward restored" 0 "$(get proc/sys/net/ipv4/ip_forward)"
check "the state is gone" test ! -e "$ROOT/run/bulwark/nat.json"

rm "$ROOT/etc/pelotech-nat.conf"
out=$(nat render 2>&1)
check_eq "without pelotech-nat.conf, fck-nat.conf is read" 0 "$?"
check_contains "... and its interface used (render needs no such device here)" 'oifname "nosuch0"' "$out"
rm "$ROOT/etc/fck-nat.conf"
out=$(nat render 2>&1)
check_contains "without either file, defaults, said in one line" \
	"bulwark: no /etc/pelotech-nat.conf or /etc/fck-nat.conf: running on defaults" "$out"
check_contains "... and the default route's device is used" 'oifname "eth0"' "$out"
finish
