#!/bin/sh
# The lab demo: a private instance reaches the internet host through
# bulwark's NAT gateway over IPv4 and IPv6, and the internet host sees the
# gateway's address. Tears the lab down on exit, even on failure.
set -eu
build=${1:-build}
BULWARK="$build/bulwark"
PEER="$build/bw-peer"
PREFIX="demo$$"
lab() { "$BULWARK" lab --prefix "$PREFIX" "$@"; }
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	lab down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "bulwark lab up: a VPC in network namespaces ($PREFIX-*)"
lab up
lab status | sed -n '1,6p'

step "the internet host (203.0.113.1, 2001:db8:113::1) answers with the address it sees"
out=$(mktemp)
lab exec inet -- "$PEER" serve tcp 8080 2 >"$out" &
server_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q ready "$out" && break; sleep 0.1; done

step "private instance a (10.0.1.11, fd00:10:1::11) connects out"
printf '  IPv4: the internet host saw %s\n' "$(lab exec a -- "$PEER" ask tcp 203.0.113.1 8080)"
printf '  IPv6: the internet host saw %s\n' "$(lab exec a -- "$PEER" ask tcp 2001:db8:113::1 8080)"
wait "$server_pid" || true
server_pid=""
rm -f "$out"

step "ping from private instance b, both families"
lab exec b -- ping -c 1 -W 2 203.0.113.1 | sed -n '2p'
lab exec b -- ping -6 -c 1 -W 2 2001:db8:113::1 | sed -n '2p'

step "bulwark nat status, inside the gateway"
lab exec nat -- "$BULWARK" nat status --state-dir "/run/bulwark/lab-$PREFIX"

step "bulwark lab down"
lab down
