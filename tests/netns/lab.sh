#!/bin/sh
# The lab's own life cycle: one lab per prefix, down removes everything.
. "$(dirname "$0")/lib.sh"
require_netns

lab() { "$BULWARK" lab --prefix "$PREFIX" "$@"; }
on_exit "$BULWARK lab --prefix $PREFIX down"
check "lab up" lab up
check_eq "five namespaces" 5 "$(ip netns list | grep -c "^$PREFIX-")"
out=$(lab up 2>&1)
check_eq "a second lab up with the same prefix: exit 1" 1 "$?"
check_contains "... saying so" "already up" "$out"
check_eq "... and leaving the first lab alone" 5 "$(ip netns list | grep -c "^$PREFIX-")"
check_contains "lab exec runs inside a node" "10.0.1.11/24" "$(lab exec a -- ip -4 addr show eth0)"
out=$(lab exec nowhere -- true 2>&1)
check_eq "lab exec into an unknown node: exit 2" 2 "$?"
status=$(lab status)
check_contains "lab status shows the gateway's NAT" "masquerade ipv4    on eth0" "$status"
check "lab down" lab down
check_eq "no namespace left" 0 "$(ip netns list | grep -c "^$PREFIX-")"
check "the gateway's state folder is gone" test ! -e "/run/bulwark/lab-$PREFIX"
check "lab down again is harmless" lab down
out=$("$BULWARK" lab --prefix 'Bad/Prefix' up 2>&1)
check_eq "a bad prefix: exit 2" 2 "$?"
finish
