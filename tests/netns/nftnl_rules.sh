#!/bin/sh
# host/nftnl_rules.c against libnftables: a generated VPC loaded by
# `bulwark fw apply` in namespaces A and B; then for each edit (group
# references of every shape, a CIDR and a prefix list, revokes down to
# an empty chain and to a member set no rule names any more, that group
# named again: its member sets declared anew) the
# transaction `fw … --dry-run` prints is loaded through bw-nftnl-rules
# (libnftnl) in B, while `bulwark fw …` makes the edit in A (libnftables).
# After each, both list the same table (`nft list table`, objects
# sorted) and the kernel holds the same rules and elements (`nft
# --debug=netlink list table`: every expression, register and byte
# order, which `nft list` would hide). A refused batch (a rule naming a
# set that does not exist) changes nothing and says why; a statement of
# another shape is refused before anything is sent.
. "$(dirname "$0")/lib.sh"
NFTNL_RULES=${NFTNL_RULES:?NFTNL_RULES must name bw-nftnl-rules}
GENVPC=${GENVPC:?GENVPC must name bw-genvpc}
INSTANCES=${NFTNL_RULES_INSTANCES:-50}
require_netns
command -v python3 >/dev/null || skip_all "needs python3 to compare listings"

A="$PREFIX-nrA"
B="$PREFIX-nrB"
new_ns "$A"
new_ns "$B"
AWS="$SCRATCH/aws"

# The kernel's rules (chain by chain, handles left out) and named sets'
# elements (sorted), as `nft --debug=netlink list table` prints them.
cat >"$SCRATCH/kernel.py" <<'PY'
import re, sys
sections, cur = {}, None
for line in sys.stdin.read().split('\n'):
    m = re.match(r'^(\w+ \S+ @(\S+))$', line)
    r = re.match(r'^(\w+ \S+ \S+)( \d+)+$', line)
    if m:
        cur = None if m.group(2).startswith('__') else sections.setdefault(m.group(1), [])
    elif r:
        cur = sections.setdefault(r.group(1), [])
        cur.append('rule')
    elif line.startswith('\telement ') and cur is not None:
        cur.append(line.strip())
    elif line.startswith('  [') and cur is not None:
        cur.append(line.strip())
    elif not line.startswith('\t'):
        cur = None
for name in sorted(sections):
    print(name)
    items = sections[name]
    for e in (items if '@' not in name else sorted(items)):
        print('\t' + e)
PY

listing() {
	in_ns "$1" nft list table inet bulwark_vpc | python3 "$(dirname "$0")/nft_canon.py"
}

kernel() {
	in_ns "$1" nft --debug=netlink list table inet bulwark_vpc 2>&1 | python3 "$SCRATCH/kernel.py"
}

same() { # DESCRIPTION FUNCTION
	"$2" "$A" >"$SCRATCH/got"
	"$2" "$B" >"$SCRATCH/want"
	if [ ! -s "$SCRATCH/want" ]; then
		not_ok "$1" "nothing listed"
	elif cmp -s "$SCRATCH/got" "$SCRATCH/want"; then
		ok "$1"
	else
		not_ok "$1" "$(diff "$SCRATCH/want" "$SCRATCH/got" | head -20)"
	fi
}

mkdir -p "$AWS"
if ! "$GENVPC" "$AWS" "$INSTANCES" >/dev/null 2>&1; then
	echo "Bail out! bw-genvpc $INSTANCES failed"
	exit 1
fi
mkdir -p "$AWS/prefix-lists"
cat >"$AWS/prefix-lists/pl-0000000000000a001.json" <<'EOF'
{ "Entries": [ { "Cidr": "10.77.1.0/28" }, { "Cidr": "10.77.9.0/24" } ] }
EOF

# The groups to edit, from the model: G0 has ingress and egress rules;
# MEM has members (its member sets exist: some group names it); LAST,
# with members, is named by exactly one permission (of group OWNER, in
# direction DIR), so revoking that one deletes its member sets; BARE has
# ingress rules, all revoked at the end.
eval "$(python3 - "$AWS" <<'PY'
import json, sys, collections
d = sys.argv[1]
sgs = json.load(open(d + '/security-groups.json'))['SecurityGroups']
inst = json.dumps(json.load(open(d + '/instances.json')))
members = {s['GroupId'] for s in sgs if '"%s"' % s['GroupId'] in inst}
refs = collections.defaultdict(list)
for s in sgs:
    for key, dr in (('IpPermissions', 'ingress'), ('IpPermissionsEgress', 'egress')):
        for p in s.get(key, []):
            for u in p.get('UserIdGroupPairs', []):
                refs[u['GroupId']].append((s['GroupId'], dr, p))
g0 = next(s for s in sgs if s['GroupId'] in members and s.get('IpPermissions'))
mem = next(g for g in sorted(members) if refs.get(g) and g != g0['GroupId'])
last = next(g for g in sorted(members) if len(refs.get(g, [])) == 1 and refs[g][0][0] != g0['GroupId'])
owner, dr, p = refs[last][0]
perm = {k: v for k, v in p.items() if k in ('IpProtocol', 'FromPort', 'ToPort')}
perm['UserIdGroupPairs'] = [{'GroupId': last}]
bare = next(s for s in sgs if s['GroupId'] not in (g0['GroupId'], owner) and s.get('IpPermissions'))
print("G0=%s MEM=%s LAST=%s OWNER=%s DIR=%s BARE=%s" % (g0['GroupId'], mem, last, owner, dr, bare['GroupId']))
print("LAST_PERM='%s'" % json.dumps([perm]))
print("BARE_PERMS='%s'" % json.dumps(bare['IpPermissions']))
PY
)"
echo "# G0=$G0 MEM=$MEM LAST=$LAST OWNER=$OWNER BARE=$BARE"

for ns in "$A" "$B"; do
	if ! out=$(in_ns "$ns" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/state-$ns" 2>&1); then
		echo "Bail out! fw apply in $ns: $out"
		exit 1
	fi
done
same "the model loads the same in both" listing

# edit NAME COMMAND GROUP PERMISSIONS: the update through libnftnl in B,
# the edit through bulwark (libnftables) in A; then the same in both.
edit() {
	txn="$SCRATCH/txn.nft"
	if ! in_ns "$A" "$BULWARK" fw "$2" --aws "$AWS" --state-dir "$SCRATCH/state-$A" -n \
		--group-id "$3" --ip-permissions "$4" >"$txn" 2>"$SCRATCH/err"; then
		not_ok "$1: fw $2 --dry-run" "$(cat "$SCRATCH/err")"
		return
	fi
	if [ ! -s "$txn" ]; then
		not_ok "$1: a transaction" "fw $2 --dry-run printed nothing"
		return
	fi
	if out=$(in_ns "$B" "$NFTNL_RULES" load "$txn" 2>&1); then
		ok "$1: loads through libnftnl ($(grep -c . "$txn") lines)"
	else
		not_ok "$1: loads through libnftnl" "$out
$(head -c 2000 "$txn")"
		in_ns "$B" "$NFTNL_RULES" nft "$txn"
	fi
	if ! out=$(in_ns "$A" "$BULWARK" fw "$2" --aws "$AWS" --state-dir "$SCRATCH/state-$A" \
		--group-id "$3" --ip-permissions "$4" 2>&1); then
		not_ok "$1: fw $2" "$out"
		return
	fi
	same "$1: lists as through libnftables" listing
	same "$1: the kernel holds the same rules and elements" kernel
}

ref() { # PROTO FROM TO [GROUP]: one permission naming a group
	printf '[{"IpProtocol":"%s","FromPort":%s,"ToPort":%s,"UserIdGroupPairs":[{"GroupId":"%s"}]}]' \
		"$1" "$2" "$3" "${4:-$MEM}"
}

edit "tcp 5555 from a group" authorize-ingress "$G0" "$(ref tcp 5555 5555)"
edit "udp 1000-2000 from a group" authorize-ingress "$G0" "$(ref udp 1000 2000)"
edit "all tcp ports from a group" authorize-ingress "$G0" "$(ref tcp 0 65535)"
edit "protocol 50 from a group" authorize-ingress "$G0" "$(ref 50 -1 -1)"
edit "icmp echo from a group" authorize-ingress "$G0" "$(ref icmp 8 0)"
edit "icmp type 3, any code, from a group" authorize-ingress "$G0" "$(ref icmp 3 -1)"
edit "icmpv6 128 from a group" authorize-ingress "$G0" "$(ref icmpv6 128 -1)"
edit "all icmpv6 from a group" authorize-ingress "$G0" "$(ref icmpv6 -1 -1)"
edit "all traffic to a group" authorize-egress "$G0" "$(ref -1 -1 -1)"
edit "udp 53 to a group" authorize-egress "$G0" "$(ref udp 53 53)"
edit "a CIDR (a set refilled)" authorize-ingress "$G0" \
	'[{"IpProtocol":"tcp","FromPort":7000,"ToPort":7001,"IpRanges":[{"CidrIp":"10.9.0.0/16"}]}]'
edit "a prefix list (a set refilled)" authorize-ingress "$G0" \
	'[{"IpProtocol":"tcp","FromPort":8443,"ToPort":8443,"PrefixListIds":[{"PrefixListId":"pl-0000000000000a001"}]}]'
edit "revoke all tcp ports from a group" revoke-ingress "$G0" "$(ref tcp 0 65535)"
edit "revoke tcp 5555 from a group" revoke-ingress "$G0" "$(ref tcp 5555 5555)"
edit "revoke all traffic to a group" revoke-egress "$G0" "$(ref -1 -1 -1)"
edit "revoke the last rule naming a group (its member sets deleted)" "revoke-$DIR" "$OWNER" "$LAST_PERM"
edit "name that group again (its member sets declared anew)" "authorize-$DIR" "$OWNER" "$LAST_PERM"
edit "revoke every ingress rule of a group (an empty chain)" revoke-ingress "$BARE" "$BARE_PERMS"

# A refused batch: the kernel's answer names the rule, nothing changes.
listing "$B" >"$SCRATCH/before"
kernel "$B" >>"$SCRATCH/before"
chain=$(in_ns "$B" nft list table inet bulwark_vpc | sed -n 's/^\tchain \(sg[0-9]*_in\) {$/\1/p' | head -1)
cat >"$SCRATCH/bad.nft" <<EOF
flush chain inet bulwark_vpc $chain
table inet bulwark_vpc {
	chain $chain {
		meta l4proto 6 th dport 22 ip saddr @no_such_set accept
	}
}
EOF
out=$(in_ns "$B" "$NFTNL_RULES" load "$SCRATCH/bad.nft" 2>&1)
check_eq "a rule naming no set: refused (exit 1)" 1 "$?"
check_contains "... naming the rule" "no_such_set" "$out"
check_contains "... with the kernel's reason" "No such file or directory" "$out"
listing "$B" >"$SCRATCH/after"
kernel "$B" >>"$SCRATCH/after"
if cmp -s "$SCRATCH/before" "$SCRATCH/after"; then
	ok "... and nothing changed (the chain's flush neither)"
else
	not_ok "... and nothing changed (the chain's flush neither)" "$(diff "$SCRATCH/before" "$SCRATCH/after" | head)"
fi

# On a socket kept between loads (as a server would keep it): a refusal,
# then the chain reloaded with the rules the files say it holds (no
# change), both answered.
{
	echo "flush chain inet bulwark_vpc $chain"
	echo "table inet bulwark_vpc {"
	"$BULWARK" fw render --aws "$AWS" | awk -v c="$chain" '
		$0 == "\tchain " c " {" { on = 1 }
		on { print }
		on && $0 == "\t}" { exit }'
	echo "}"
} >"$SCRATCH/again.nft"
out=$(in_ns "$B" "$NFTNL_RULES" loads "$SCRATCH/bad.nft" "$SCRATCH/again.nft" 2>&1)
check_contains "one socket, two loads: the first refused" "bad.nft: nftnl: chain inet bulwark_vpc $chain" "$out"
check_contains "... the second loaded" "again.nft: loaded" "$out"
same "... and the table as through libnftables" listing
same "... the kernel holding the same" kernel

# Shapes the loader does not encode: refused before anything is sent.
printf 'flush chain inet bulwark_vpc %s\nadd rule inet bulwark_vpc %s accept\n' "$chain" "$chain" \
	>"$SCRATCH/other.nft"
out=$(in_ns "$B" "$NFTNL_RULES" load "$SCRATCH/other.nft" 2>&1)
check_eq "an \`add rule\`: not encoded (exit 3)" 3 "$?"
printf 'add set inet bulwark_vpc brand_new { type ipv4_addr; }\n' >"$SCRATCH/other.nft"
out=$(in_ns "$B" "$NFTNL_RULES" load "$SCRATCH/other.nft" 2>&1)
check_eq "a set declared on one line: not encoded (exit 3)" 3 "$?"
listing "$B" >"$SCRATCH/after"
kernel "$B" >>"$SCRATCH/after"
if cmp -s "$SCRATCH/before" "$SCRATCH/after"; then
	ok "... and nothing changed"
else
	not_ok "... and nothing changed" "$(diff "$SCRATCH/before" "$SCRATCH/after" | head)"
fi

finish
