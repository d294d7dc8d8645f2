#!/bin/sh
# fw apply's life cycle around the ruleset: one VPC at a time, the bridge
# knobs it needs (and puts back), re-applying the same files, the ct mark
# bits it may use, and the saved record the boot unit re-applies.
. "$(dirname "$0")/lib.sh"
require_netns

N="$PREFIX-fwl"
new_ns "$N"
AWS="$EXAMPLES_DIR/aws"
TWO="$(dirname "$0")/../aws/two-vpcs"
fw() { in_ns "$N" "$BULWARK" fw "$@" --state-dir "$SCRATCH/state"; }
ruleset() { in_ns "$N" nft list ruleset; }
handle() { in_ns "$N" nft -a list table inet bulwark_vpc | sed -n '1s/.*# handle \([0-9]*\).*/\1/p'; }
knob() { in_ns "$N" cat "/proc/sys/net/bridge/$1"; }

# One VPC at a time.
empty=$(ruleset)
out=$(fw apply --aws "$TWO" 2>&1)
check_eq "files of two VPCs without --vpc: exit 2" 2 "$?"
check_contains "... naming both" "vpc-0a1b2c3d4e5f60000, vpc-0f1e2d3c4b5a69999" "$out"
check_eq "... and nothing loaded" "$empty" "$(ruleset)"
check "with --vpc, one of them is enforced" fw apply --aws "$TWO" --vpc vpc-0f1e2d3c4b5a69999
check_contains "status names it" '"vpc": "vpc-0f1e2d3c4b5a69999"' "$(fw status --json)"
check "delete" fw delete

# An edit to a group of the other VPC in the same files changes the file
# alone: the live sets are the loaded VPC's, found by index.
cp -r "$TWO" "$SCRATCH/two"
check "apply VPC A of two" fw apply --aws "$SCRATCH/two" --vpc vpc-0a1b2c3d4e5f60000
live=$(in_ns "$N" nft list table inet bulwark_vpc)
out=$(fw authorize-ingress --aws "$SCRATCH/two" --vpc vpc-0f1e2d3c4b5a69999 \
	--group-id sg-0f1e2d3c4b5a69911 \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 9999, "ToPort": 9999, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]')
check_contains "an edit of VPC B's group while VPC A is loaded: the file alone" \
	"not in the loaded VPC" "$out"
check_eq "... VPC A's live table untouched" "$live" "$(in_ns "$N" nft list table inet bulwark_vpc)"
check_contains "... the file has the rule" '"FromPort": 9999' "$(cat "$SCRATCH/two/security-groups.json")"
check "delete" fw delete

# A bridge here carries traffic past the groups unless br_netfilter hands
# it to the forward hook: where the knobs are missing (a fake root without
# them), apply fails and loads nothing.
in_ns "$N" ip link add br0 type bridge
mkdir -p "$SCRATCH/root"
before=$(ruleset)
out=$(in_ns "$N" "$BULWARK" --root "$SCRATCH/root" fw apply --aws "$AWS" --state-dir /state 2>&1)
check_eq "a bridge and no br_netfilter: exit 1" 1 "$?"
check_contains "... saying why" "load br_netfilter" "$out"
check_eq "... and nothing loaded" "$before" "$(ruleset)"

# With br_netfilter, apply switches the knobs on and delete puts them back.
if [ -e /proc/sys/net/bridge ]; then
	in_ns "$N" sh -c 'echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables; echo 0 >/proc/sys/net/bridge/bridge-nf-call-ip6tables'
	check "apply with a bridge" fw apply --aws "$AWS"
	check_eq "bridge-nf-call-iptables on" 1 "$(knob bridge-nf-call-iptables)"
	check_eq "bridge-nf-call-ip6tables on" 1 "$(knob bridge-nf-call-ip6tables)"

	# Re-applying the same files changes nothing: no transaction at all.
	first=$(handle)
	out=$(fw apply --aws "$AWS")
	check_contains "the same files again: unchanged" "fw: unchanged (generation" "$out"
	check_eq "... the table is the one loaded before" "$first" "$(handle)"

	# ... but only while nothing touched the ruleset since: the kernel's
	# ruleset generation says so. A table changed by hand is loaded anew.
	in_ns "$N" nft flush chain inet bulwark_vpc sg_egress
	out=$(fw apply --aws "$AWS")
	check_contains "a table changed since: loaded again" "fw: enforcing" "$out"
	check_contains "... with its rules back" "vmap @eni_out_v4" \
		"$(in_ns "$N" nft list chain inet bulwark_vpc sg_egress)"
	# The knobs are made sure of even when the tables are unchanged.
	in_ns "$N" sh -c 'echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables'
	out=$(fw apply --aws "$AWS")
	check_contains "unchanged again" "fw: unchanged" "$out"
	check_eq "... and the knob switched off behind its back is on again" 1 \
		"$(knob bridge-nf-call-iptables)"

	# status never says "enforcing" while bridged traffic bypasses.
	in_ns "$N" sh -c 'echo 0 >/proc/sys/net/bridge/bridge-nf-call-ip6tables'
	check_contains "a knob switched off after apply: status says bridged traffic bypasses" \
		"bridged traffic bypasses the groups" "$(fw status)"
	check "apply puts it right" fw apply --aws "$AWS"
	check_contains "... and status says enforcing again" '"mode": "enforcing"' "$(fw status --json)"

	check "delete" fw delete
	check_eq "bridge-nf-call-iptables back to 0" 0 "$(knob bridge-nf-call-iptables)"
	check_eq "bridge-nf-call-ip6tables back to 0" 0 "$(knob bridge-nf-call-ip6tables)"
else
	not_ok "br_netfilter is not loaded (scripts/setup.sh loads it): the bridge knobs cannot be tested"
fi
in_ns "$N" ip link del br0

# Without a bridge yet, apply still switches the knobs on where
# br_netfilter is loaded: a bridge made later (at boot) is covered.
if [ -e /proc/sys/net/bridge ]; then
	in_ns "$N" sh -c 'echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables'
	check "apply with no bridge" fw apply --aws "$AWS"
	check_eq "... switches bridge-nf-call-iptables on anyway" 1 "$(knob bridge-nf-call-iptables)"
	check "delete" fw delete
	check_eq "... and delete puts it back" 0 "$(knob bridge-nf-call-iptables)"
fi

# The generation moves only when the ACLs do.
cp -r "$AWS" "$SCRATCH/aws"
check "apply a copy" fw apply --aws "$SCRATCH/aws"
gen() { fw status --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p'; }
g1=$(gen)
sed -i 's/"FromPort": 5432, "IpProtocol": "tcp", "ToPort": 5432/"FromPort": 5433, "IpProtocol": "tcp", "ToPort": 5433/' "$SCRATCH/aws/security-groups.json"
check "a group changed: apply" fw apply --aws "$SCRATCH/aws"
check_eq "... the generation stays (flows keep their ACL verdicts)" "$g1" "$(gen)"
# (Renumbering alone decides nothing new: the same verdicts, the same
# generation. A rule that now denies does.)
sed -i 's/"RuleNumber": 120/"RuleNumber": 121/' "$SCRATCH/aws/network-acls.json"
check "an ACL renumbered: apply" fw apply --aws "$SCRATCH/aws"
check_eq "... the generation stays" "$g1" "$(gen)"
icmp_rule() { sed -i "s/\"Protocol\": \"1\", \"RuleAction\": \"$1\", \"RuleNumber\": 121/\"Protocol\": \"1\", \"RuleAction\": \"$2\", \"RuleNumber\": 121/" "$SCRATCH/aws/network-acls.json"; }
icmp_rule allow deny
check "an ACL rule now denies: apply" fw apply --aws "$SCRATCH/aws"
check_eq "... the next generation (every flow is judged afresh)" "$((g1 + 1))" "$(gen)"

# An edit changes the live table: re-applying files without it (a fresh
# dump, say) loads them, never "unchanged".
has_ssh_rule() { in_ns "$N" nft list table inet bulwark_vpc | grep -c '0.0.0.0/0 . tcp . 22 '; }
cp "$SCRATCH/aws/security-groups.json" "$SCRATCH/groups.orig"
check "authorize ssh from anywhere on sg-db" fw authorize-ingress --aws "$SCRATCH/aws" \
	--group-id sg-0a1b2c3d4e5f60013 \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]'
check_eq "... live" 1 "$(has_ssh_rule)"
cp "$SCRATCH/groups.orig" "$SCRATCH/aws/security-groups.json"
out=$(fw apply --aws "$SCRATCH/aws")
check_contains "the files without the edit: loaded, not unchanged" "fw: enforcing" "$out"
check_eq "... and the edit is gone from the live table" 0 "$(has_ssh_rule)"

# The ct mark bits can be moved off what a CNI uses.
check "apply with --ct-mark-bits 0x0000f000" fw apply --aws "$SCRATCH/aws" --ct-mark-bits 0x0000f000
check_contains "the ruleset keeps verdicts in those bits" "ct mark & 0x00003000" "$(ruleset)"
check_eq "... and not the default ones" "" "$(ruleset | grep -o 'ct mark & 0xbf000000')"
out=$(fw apply --aws "$SCRATCH/aws" --ct-mark-bits 0x00000005 2>&1)
check_eq "bits that are not one run: exit 2" 2 "$?"
out=$(fw apply --aws "$SCRATCH/aws" --ct-mark-bits 0x00000007 2>&1)
check_eq "three bits (one generation: an ACL change could not cut a flow): exit 2" 2 "$?"

# A generation number that comes back after a full cycle: flows marked
# with it long ago are cleared first (the generation wraps to 1).
sed -i 's/"generation": [0-9]*/"generation": 3/' "$SCRATCH/state/fw.json"
icmp_rule deny allow
out=$(fw apply --aws "$SCRATCH/aws")
check_contains "after the last generation of 0x0000f000 (3) comes 1" "generation 1" "$out"
check "delete" fw delete

# --save records what the boot unit re-applies.
R2="$SCRATCH/root2"
mkdir -p "$R2"
check "apply --save (fake root)" in_ns "$N" "$BULWARK" --root "$R2" fw apply --aws "$AWS" --save --state-dir /run/bulwark
check "the record is saved" test -s "$R2/var/lib/bulwark/fw.json"
in_ns "$N" nft delete table inet bulwark_vpc
in_ns "$N" nft delete table bridge bulwark_vpc
rm -rf "$R2/run"
check "reapply loads it again (as at boot)" in_ns "$N" "$BULWARK" --root "$R2" fw reapply --state-dir /run/bulwark
check_contains "... both tables" "table bridge bulwark_vpc" "$(ruleset)"
check "delete --save" in_ns "$N" "$BULWARK" --root "$R2" fw delete --save --state-dir /run/bulwark
check "... forgets the record" test ! -e "$R2/var/lib/bulwark/fw.json"
out=$(in_ns "$N" "$BULWARK" --root "$R2" fw reapply --state-dir /run/bulwark 2>&1)
check_eq "reapply with nothing saved: exit 1" 1 "$?"
finish
