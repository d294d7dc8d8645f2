#!/bin/sh
# The lab demo: a private instance reaches the internet host through
# bulwark's NAT gateway over IPv4 and IPv6, and the internet host sees the
# gateway's address; then the VPC of examples/aws, its security groups and
# network ACLs enforced, with fw explain saying why. Tears the labs down on
# exit, even on failure.
set -eu
build=${1:-build}
BULWARK="$build/bulwark"
PEER="$build/bw-peer"
PREFIX="demo$$"
VPC="vpc$$"
AWS="$(dirname "$0")/../examples/aws"
lab() { "$BULWARK" lab --prefix "$PREFIX" "$@"; }
vpc() { "$BULWARK" lab --prefix "$VPC" "$@"; }
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill $server_pid 2>/dev/null || true
	lab down >/dev/null 2>&1 || true
	vpc down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "bulwark lab up: a NAT gateway before a private subnet ($PREFIX-*)"
lab up
lab status | sed -n '1,6p'

step "the internet host (203.0.113.1, 2001:db8:113::1) answers with the address it sees"
out=$(mktemp)
"$BULWARK" lab --prefix "$PREFIX" exec inet -- "$PEER" serve tcp 8080 2 >"$out" &
server_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q ready "$out" && break; sleep 0.1; done

step "private instance a (10.0.1.11, fd00:10:1::11) connects out"
printf '  IPv4: the internet host saw %s\n' "$(lab exec a -- "$PEER" ask tcp 203.0.113.1 8080)"
printf '  IPv6: the internet host saw %s\n' "$(lab exec a -- "$PEER" ask tcp 2001:db8:113::1 8080)"
wait $server_pid || true
server_pid=""
rm -f "$out"

step "ping from private instance b, both families"
lab exec b -- ping -c 1 -W 2 203.0.113.1 | sed -n '2p'
lab exec b -- ping -6 -c 1 -W 2 2001:db8:113::1 | sed -n '2p'

step "bulwark nat status, inside the gateway"
lab exec nat -- "$BULWARK" nat status --state-dir "/run/bulwark/lab-$PREFIX"

# The settings API in instance b's namespace. Its host paths go under a
# folder of the demo's own (--root) with only the namespace's net.*
# sysctls bound in, so nothing machine-wide changes.
step "bulwark serve: the settings API, in instance b, with set, get and a CIS report"
api=$(mktemp -d)
mkdir -p "$api/root/proc/sys/net" "$api/root/run/bulwark"
ip netns exec "$PREFIX-b" sh -c 'mount --bind /proc/sys/net "$0/root/proc/sys/net" && exec "$@"' \
	"$api" "$BULWARK" --root "$api/root" serve --socket-path "$api/api.sock" \
	--datastore-path "$api/datastore" --group root >"$api/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -S "$api/api.sock" ] && break; sleep 0.1; done
"$BULWARK" set -s "$api/api.sock" firewall.host.enabled=true firewall.host.allow-tcp=22 \
	firewall.host.allow-icmp=true 'kernel.sysctl."net.ipv4.conf.all.accept_redirects"=0'
"$BULWARK" get -s "$api/api.sock" settings.firewall settings.kernel
printf '  b answers ping (allow-icmp): '
lab exec a -- ping -c 1 -W 2 10.0.1.12 >/dev/null 2>&1 && echo yes || echo no
printf '  b refuses tcp 8080 (not in allow-tcp): '
BW_PEER_WAIT_MS=1000 lab exec a -- "$PEER" ask tcp 10.0.1.12 8080 >/dev/null 2>&1 && echo no || echo yes
ip netns exec "$PREFIX-b" nft list counter inet bulwark_host denied_input | sed -n 's/^[[:space:]]*packets/  denied_input: packets/p'
ip netns exec "$PREFIX-b" "$BULWARK" report cis -l 2 2>/dev/null | sed -n '1,12p'
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=""
rm -rf "$api"

step "bulwark lab down"
lab down

step "bulwark lab up --aws examples/aws: the VPC in the AWS CLI's JSON, enforced ($VPC-*)"
vpc up --aws "$AWS"
"$BULWARK" lab --prefix "$VPC" exec i-0a1b2c3d4e5f60052 -- "$PEER" serve tcp 8080 0 >/dev/null 2>&1 &
server_pid=$!
"$BULWARK" lab --prefix "$VPC" exec i-0a1b2c3d4e5f60054 -- "$PEER" serve tcp 5432 0 >/dev/null 2>&1 &
server_pid="$server_pid $!"
sleep 0.5

# try NAME FROM-NODE PACKET ADDR PORT SPORT: explain, then connect for real.
try() {
	printf '\n%s\n' "$1"
	"$BULWARK" fw explain --aws "$AWS" "$3" | sed 's/^/  /'
	if BW_PEER_WAIT_MS=1000 vpc exec "$2" -- "$PEER" ask tcp "$4" "$5" "$6" >/dev/null 2>&1; then
		echo "  the kernel: connected"
	else
		echo "  the kernel: no connection"
	fi
}
try "web1 -> app1 tcp 8080 (app allows 8080 from the members of sg-web):" \
	i-0a1b2c3d4e5f60051 'tcp 10.0.1.10:41001 > 10.0.2.20:8080' 10.0.2.20 8080 41001
try "app2 -> db1 tcp 5432 (the db subnet's ACL denies 10.0.2.128/25 first):" \
	i-0a1b2c3d4e5f60053 'tcp 10.0.2.200:41002 > 10.0.3.30:5432' 10.0.3.30 5432 41002

step "bulwark fw status, inside the VPC's router"
vpc exec vpc -- "$BULWARK" fw status --state-dir "/run/bulwark/lab-$VPC"

step "bulwark lab down"
vpc down
