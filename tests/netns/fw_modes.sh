#!/bin/sh
# fw apply's choices: enforcing, metadata-only where the host cannot
# enforce (--require makes that a failure), and bad input refused whole.
. "$(dirname "$0")/lib.sh"
require_netns

N="$PREFIX-fw"
new_ns "$N"
AWS="$EXAMPLES_DIR/aws"
fw() { in_ns "$N" "$BULWARK" fw "$@" --state-dir "$SCRATCH"; }
no_net_admin() { in_ns "$N" setpriv --bounding-set=-net_admin --inh-caps=-net_admin "$BULWARK" fw "$@" --state-dir "$SCRATCH"; }

out=$(no_net_admin apply --aws "$AWS" 2>&1)
check_eq "without CAP_NET_ADMIN, apply exits 0" 0 "$?"
check_contains "... with one warning" "cannot enforce" "$out"
check_eq "... of one line" 1 "$(printf '%s\n' "$out" | wc -l)"
check_contains "status says metadata-only" "metadata-only" "$(no_net_admin status)"
out=$(no_net_admin apply --require --aws "$AWS" 2>&1)
check_eq "--require makes it exit 1" 1 "$?"

# --dry-run is honoured or refused, never ignored.
ruleset() { in_ns "$N" nft list ruleset; }
empty=$(ruleset)
recorded=$(cat "$SCRATCH/fw.json")
out=$(fw apply --aws "$AWS" --dry-run 2>&1)
check_eq "apply --dry-run: exit 0" 0 "$?"
check_contains "apply --dry-run prints the transaction" "table inet bulwark_vpc {" "$out"
check_eq "apply --dry-run loads nothing" "$empty" "$(ruleset)"
check_eq "apply --dry-run records nothing" "$recorded" "$(cat "$SCRATCH/fw.json")"

check "apply with CAP_NET_ADMIN" fw apply --aws "$AWS"
loaded=$(ruleset)
out=$(fw delete --dry-run 2>&1)
check_eq "delete --dry-run: exit 0" 0 "$?"
check_contains "delete --dry-run prints the transaction" "delete table inet bulwark_vpc" "$out"
check_eq "delete --dry-run deletes nothing" "$loaded" "$(ruleset)"
out=$(fw status --dry-run 2>&1)
check_eq "an option status does not honour: exit 2" 2 "$?"
check_contains "... saying so" "fw status does not take --dry-run" "$out"
check_eq "... and nothing changed" "$loaded" "$(ruleset)"
json=$(fw status --json)
check_contains "status --json: enforcing" '"mode": "enforcing"' "$json"
check_contains "status --json: seven ENI addresses (an RDS ENI among them)" '"eni_addresses": 7' "$json"
before=$(in_ns "$N" nft list ruleset)

# Bad input anywhere: one error naming the group or ACL and rule, exit 2,
# and the loaded ruleset untouched.
bad_copy() { rm -rf "$SCRATCH/bad"; cp -r "$AWS" "$SCRATCH/bad"; }
expect_refusal() { # DESC NEEDLE
	out=$(fw apply --aws "$SCRATCH/bad" 2>&1)
	check_eq "$1: exit 2" 2 "$?"
	check_contains "$1: says which" "$2" "$out"
	check_eq "$1: the ruleset is as it was" "$before" "$(in_ns "$N" nft list ruleset)"
}
bad_copy
sed -i 's/"IpProtocol": "udp"/"IpProtocol": "udp; flush ruleset"/' "$SCRATCH/bad/security-groups.json"
expect_refusal "an injected protocol" "sg-0a1b2c3d4e5f60012 egress permission 2: unknown protocol"
bad_copy
sed -i 's|"CidrBlock": "10.0.2.0/24", "Egress": false|"CidrBlock": "10.0.2.7/24", "Egress": false|' "$SCRATCH/bad/network-acls.json"
expect_refusal "a non-canonical ACL range" "acl-0a1b2c3d4e5f60032 inbound rule 100: '10.0.2.7/24' has host bits set; did you mean 10.0.2.0/24?"
bad_copy
sed -i 's/"RuleNumber": 120/"RuleNumber": 100/' "$SCRATCH/bad/network-acls.json"
expect_refusal "a duplicate rule number" "acl-0a1b2c3d4e5f60032 inbound rule 100: rule number used twice"
bad_copy
sed -i 's/"FromPort": 5432, "IpProtocol": "tcp", "ToPort": 5432/"FromPort": 5432, "IpProtocol": "tcp", "ToPort": 99999/' "$SCRATCH/bad/security-groups.json"
expect_refusal "a port out of range" "out of range (0 to 65535)"
bad_copy
sed -i 's/"GroupId": "sg-0a1b2c3d4e5f60011"/"GroupId": "sg-0a1b2c3d4e5f60011\\" } flush ruleset"/' "$SCRATCH/bad/security-groups.json"
expect_refusal "an injected group id" "is not an id of the form sg-"

check "delete" fw delete
check_contains "status after delete: off" "off" "$(fw status)"
finish
