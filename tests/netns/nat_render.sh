#!/bin/sh
# nat render works on any machine, like pfctl -n: the interface need not
# exist, nothing on the host changes, no privilege is needed, and what the
# host cannot tell is assumed and said (ipv6=auto: IPv4 only).
. "$(dirname "$0")/lib.sh"
require_netns

nat_gateway
chmod a+rx "$SCRATCH"
render() { ip netns exec "$G" "$BULWARK" nat render "$@"; }
before=$(in_ns "$G" nft list ruleset)

printf 'interface=wan9\n' >"$SCRATCH/wan9.conf"
render --config "$SCRATCH/wan9.conf" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "an interface this machine lacks: exit 0" 0 "$?"
check_contains "... the ruleset masquerades out of it" 'oifname "wan9" counter masquerade' "$(cat "$SCRATCH/out")"
check_eq "... IPv4 only" "" "$(grep 'nfproto ipv6' "$SCRATCH/out" || true)"
check_contains "... and says what it assumed" \
	"bulwark: interface wan9 is not on this machine: ipv6=auto renders IPv4 only (--ipv6 on|off decides)" \
	"$(cat "$SCRATCH/err")"
check_eq "... and changes nothing" "$before" "$(in_ns "$G" nft list ruleset)"

# The gateway's eth0 has a global IPv6 address: auto asks the host.
printf 'interface=eth0\n' >"$SCRATCH/eth0.conf"
out=$(render --config "$SCRATCH/eth0.conf" 2>"$SCRATCH/err")
check_contains "an interface that is here: ipv6=auto asks it (global IPv6 address)" \
	'meta nfproto ipv6 oifname "eth0"' "$out"
check_eq "... with no note" "" "$(cat "$SCRATCH/err")"

printf 'interface=wan9\nflowtable=true\n' >"$SCRATCH/ft.conf"
out=$(render --config "$SCRATCH/ft.conf" 2>&1)
check_contains "a flowtable for another machine spans its public interface" \
	'devices = { "wan9" }' "$out"
check_contains "... and says so" "flowtable: over wan9 alone" "$out"

out=$(ip netns exec "$G" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$BULWARK" nat render --config "$SCRATCH/wan9.conf" 2>&1)
check_contains "an unprivileged user can render" 'oifname "wan9" counter masquerade' "$out"

out=$(render --config "$SCRATCH/wan9.conf" --ipv6 on 2>&1)
check_contains "--ipv6 on renders IPv6 masquerading for another machine" \
	'meta nfproto ipv6 oifname "wan9"' "$out"
out=$(render --config "$SCRATCH/wan9.conf" --ipv6 off 2>&1)
check "--ipv6 off renders none" sh -c "! printf '%s' '$out' | grep -q 'nfproto ipv6'"
render --config "$SCRATCH/wan9.conf" --ipv6 maybe >/dev/null 2>&1
check_eq "--ipv6 takes on or off only: exit 2" 2 "$?"

# Without interface= and without a default route there is nothing to render.
in_ns "$G" ip route del default
printf 'tcp_keepalive_time=600\n' >"$SCRATCH/noif.conf"
render --config "$SCRATCH/noif.conf" >/dev/null 2>"$SCRATCH/err"
check_eq "no interface= and no default route: exit 2" 2 "$?"
check_contains "... asking for interface=" "set interface= to render for another machine" "$(cat "$SCRATCH/err")"
finish
