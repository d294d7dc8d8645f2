#!/bin/sh
# bulwark serve at boot, before the network is up: the live settings hold
# NAT without an interface (taken from the default route), and there is no
# default route yet. The server serves, says what the host refused, and
# converges again until it can: once the route comes, NAT is up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
command -v curl >/dev/null || skip_all "needs curl"
require_netns
api_setup
check_start "serve starts"
# Committed without applying (as user data written before the first boot).
call PATCH /settings '{"nat":{"enabled":true}}'
check_call "NAT committed, not applied" 200 '["settings.nat.enabled"]' POST /tx/commit
check_stop "serve stops"

check_start "serve starts again with no default route"
check_contains "... and says the host refused the live settings" \
	"could not be brought to the live settings" "$(cat "$SCRATCH/server.log")"
if in_ns "$NS" nft list table inet bulwark_nat >/dev/null 2>&1; then
	not_ok "... no NAT yet"
else
	ok "... no NAT yet"
fi
call GET /settings
check_eq "... and still answers" 200 "$STATUS"

# The network comes up.
ip -n "$NS" link add wan0 type veth peer name wan1
ip -n "$NS" link set wan1 up
ip -n "$NS" addr add 192.0.2.2/24 dev wan0
ip -n "$NS" link set wan0 up
ip -n "$NS" route add default via 192.0.2.1
for _ in $(seq 1200); do # polled; the deadline only stops a broken test
	in_ns "$NS" nft list table inet bulwark_nat >/dev/null 2>&1 && break
	sleep 0.1
done
check "once a default route is there, NAT is up (table inet bulwark_nat)" \
	in_ns "$NS" nft list table inet bulwark_nat
check_contains "... on the route's interface" "wan0" "$(in_ns "$NS" nft list table inet bulwark_nat)"
check_contains "... and the server says the host holds the live settings" \
	"the host now holds the live settings" "$(cat "$SCRATCH/server.log")"

# A committed sysctl this host lacks (a plain commit applies nothing; a
# module not loaded yet at boot hides its knobs) keeps no other setting
# from the host at start.
call PATCH /settings '{"firewall":{"host":{"enabled":true,"allow-tcp":[22]}}}'
check_call "the host firewall, applied" 200 \
	'["settings.firewall.host.allow-tcp","settings.firewall.host.enabled"]' POST /tx/commit_and_apply
call PATCH /settings '{"kernel":{"sysctl":{"net.ipv4.nosuch_knob":"1"}}}'
check_call "a sysctl this host lacks, committed" 200 \
	'["settings.kernel.sysctl.\"net.ipv4.nosuch_knob\""]' POST /tx/commit
check_stop "serve stops"
# As after a reboot: the tables are gone.
in_ns "$NS" nft delete table inet bulwark_host
in_ns "$NS" nft delete table inet bulwark_nat
check_start "serve starts again"
check "... the host firewall loaded all the same" in_ns "$NS" nft list table inet bulwark_host
check "... and NAT" in_ns "$NS" nft list table inet bulwark_nat
check_contains "... the knob it lacks named" "nosuch_knob" "$(tail -3 "$SCRATCH/server.log")"
check_stop "serve stops"
finish
