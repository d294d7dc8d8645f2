#!/bin/sh
# lab up --aws: a VPC from the AWS CLI's JSON, one namespace per instance,
# enforced; status, exec by instance id, and down that leaves nothing.
. "$(dirname "$0")/lib.sh"
require_netns

AWS="$EXAMPLES_DIR/aws"
lab() { "$BULWARK" lab --prefix "$PREFIX" "$@"; }
on_exit "$BULWARK lab --prefix $PREFIX down"

out=$(lab up --aws "$SCRATCH/nowhere" 2>&1)
check_eq "a missing --aws folder: exit 2" 2 "$?"
check_eq "... and no namespace made" 0 "$(ip netns list | grep -c "^$PREFIX-" || true)"

check "lab up --aws builds the VPC" lab up --aws "$AWS"
check_eq "a namespace per running instance's ENI, the RDS ENI, the router and the internet host" 7 \
	"$(ip netns list | grep -c "^$PREFIX-")"
status=$(lab status)
check_contains "status shows an instance by its id" "i-0a1b2c3d4e5f60054" "$status"
check_contains "status shows the router enforcing" "mode               enforcing" "$status"
check_contains "exec runs in an instance, by instance id" "10.0.3.30/24" \
	"$(lab exec i-0a1b2c3d4e5f60054 -- ip -4 addr show eth0)"
check "the router forwards IPv4" sh -c "[ \"\$(ip netns exec $PREFIX-vpc cat /proc/sys/net/ipv4/ip_forward)\" = 1 ]"
check_contains "the router has the VPC router's address in each subnet" "10.0.3.1/24" \
	"$(lab exec vpc -- ip -4 addr show)"
check "lab down" lab down
check_eq "no namespace left" 0 "$(ip netns list | grep -c "^$PREFIX-" || true)"
check "no state left" test ! -e "/run/bulwark/lab-$PREFIX"
finish
