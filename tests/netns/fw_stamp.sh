#!/bin/sh
# fw apply trusts the tables the kernel holds as the ones it recorded only
# when they are exactly those: the same boot, the same network namespace,
# and not one transaction of anyone's since. Else it loads whole.
#  - a record read in another namespace whose ruleset generation happens to
#    be the recorded one is not "unchanged" there;
#  - another program's commit that lands between the check and the delta
#    is found after it (the generation moved by two), and the tables are
#    loaded whole: nothing of the other program's stays.
. "$(dirname "$0")/lib.sh"
GENVPC=${GENVPC:?GENVPC must name bw-genvpc}
require_netns
command -v python3 >/dev/null || skip_all "needs python3"
command -v unshare >/dev/null || skip_all "needs unshare (util-linux)"

A="$PREFIX-stA"
B="$PREFIX-stB"
C="$PREFIX-stC"
new_ns "$A"
new_ns "$B"
new_ns "$C"

listing() { in_ns "$1" nft list ruleset | python3 "$(dirname "$0")/nft_canon.py"; }
recorded_gen() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nft_generation"])' "$1"; }

AWS="$SCRATCH/aws"
OTHER="$SCRATCH/other"
mkdir -p "$AWS" "$OTHER"
"$GENVPC" "$AWS" 60 >/dev/null
"$GENVPC" "$OTHER" 40 >/dev/null

# ---- the record of another namespace -----------------------------------------
in_ns "$A" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stA" >/dev/null 2>&1
check_eq "fw apply in namespace A: exit 0" 0 "$?"
gen_a=$(recorded_gen "$SCRATCH/stA/fw.json")
# B holds bulwark's tables of other files, at the generation A recorded.
in_ns "$B" "$BULWARK" fw apply --aws "$OTHER" --state-dir "$SCRATCH/stB" >/dev/null 2>&1
gen_b=$(recorded_gen "$SCRATCH/stB/fw.json")
check "... B loaded other files at a generation no later (B $gen_b, A $gen_a)" \
	test "$gen_b" -le "$gen_a"
i=$gen_b
while [ "$i" -lt "$gen_a" ]; do
	in_ns "$B" nft add table ip pad_$i
	i=$((i + 1))
done
in_ns "$A" "$BULWARK" fw render --aws "$AWS" >/dev/null 2>&1
out=$(in_ns "$B" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stA" 2>&1)
check_eq "A's record in B, at A's generation: exit 0" 0 "$?"
case $out in
*unchanged*) not_ok "... not taken for unchanged" "$out" ;;
*) ok "... not taken for unchanged" ;;
esac
check_contains "... loaded whole" "loaded whole" "$out"
listing "$A" >"$SCRATCH/a.list"
listing "$B" | grep -v 'table ip pad_' >"$SCRATCH/b.list"
if cmp -s "$SCRATCH/a.list" "$SCRATCH/b.list"; then
	ok "... and B now lists what A does"
else
	not_ok "... and B now lists what A does" \
		"$(diff "$SCRATCH/a.list" "$SCRATCH/b.list" | head -20)"
fi

# ---- a commit between the check and the delta --------------------------------
in_ns "$C" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stC" >/dev/null 2>&1
check_eq "fw apply in namespace C: exit 0" 0 "$?"
# A changed file: the next apply loads a delta. Every libnftables context
# it makes first reads /etc/iproute2/rt_marks, a FIFO in the command's own
# mount namespace: at each, the test adds a chain to bulwark's table, as
# another program could, and lets the context go on.
python3 - "$AWS/security-groups.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["SecurityGroups"][0]["IpPermissions"].append({
    "IpProtocol": "tcp", "FromPort": 4711, "ToPort": 4711,
    "IpRanges": [{"CidrIp": "10.47.11.0/24"}], "Ipv6Ranges": [],
    "PrefixListIds": [], "UserIdGroupPairs": []})
json.dump(doc, open(path, "w"), indent=4)
PY
gated "$C" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stC" \
	>"$SCRATCH/race.out" 2>"$SCRATCH/race.err"
applier=$GATED_PID
opens=$(gate "$C" intrude)
wait "$applier"
check_eq "a commit of another program at each of its $opens contexts: exit 0" 0 "$?"
check "... the delta's, then the whole load's: two or more contexts" test "$opens" -ge 2
check "... loaded whole after the delta met a moved generation" \
	grep -q "loaded whole" "$SCRATCH/race.out"
check_eq "... no chain of the other program's is left" "" \
	"$(in_ns "$C" nft list chains inet | grep intruder)"
in_ns "$A" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stA2" >/dev/null 2>&1
listing "$A" >"$SCRATCH/a2.list"
listing "$C" >"$SCRATCH/c.list"
if cmp -s "$SCRATCH/a2.list" "$SCRATCH/c.list"; then
	ok "... and C lists what the files give in a namespace of their own"
else
	not_ok "... and C lists what the files give in a namespace of their own" \
		"$(diff "$SCRATCH/a2.list" "$SCRATCH/c.list" | head -20)"
fi
# A commit came between the whole load's check and its commit too: the
# record keeps no stamp, and the next apply loads whole again.
out=$(in_ns "$C" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stC" 2>&1)
check_contains "the apply after it, over tables it cannot vouch for: whole again" \
	"loaded whole" "$out"
out=$(in_ns "$C" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stC" 2>&1)
check_contains "... and after that one, unchanged" "fw: unchanged" "$out"

# ---- edits since the apply: the next one starts from them --------------------
D="$PREFIX-stD"
new_ns "$D"
EDITED="$SCRATCH/edited"
cp -r "$AWS" "$EDITED"
fwd() { in_ns "$D" "$BULWARK" fw "$@" --state-dir "$SCRATCH/stD"; }
group_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecurityGroups"][int(sys.argv[2])]["GroupId"])' "$EDITED/security-groups.json" "$1"; }
# A group that has members: its member set exists, a reference to it is a
# chain change.
MEMBER=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["Reservations"]:
    for i in r["Instances"]:
        for n in i["NetworkInterfaces"]:
            print(n["Groups"][0]["GroupId"]); sys.exit()' "$EDITED/instances.json")
G0=$(group_of 0)
fwd apply --aws "$EDITED" >/dev/null 2>&1
check "an edit of sets (a CIDR)" fwd authorize-ingress --aws "$EDITED" --group-id "$G0" \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 5555, "ToPort": 5555, "IpRanges": [{"CidrIp": "10.9.9.0/24"}]}]'
check "an edit of a chain (a group reference)" fwd authorize-egress --aws "$EDITED" --group-id "$G0" \
	--ip-permissions "[{\"IpProtocol\": \"udp\", \"FromPort\": 5353, \"ToPort\": 5353, \"UserIdGroupPairs\": [{\"GroupId\": \"$MEMBER\"}]}]"
out=$(fwd apply --aws "$EDITED" 2>&1)
check_contains "fw apply after two edits: nothing to load, the tables held it" \
	"loaded nothing: the tables held it already" "$out"
check "a revoke after it" fwd revoke-ingress --aws "$EDITED" --group-id "$G0" \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 5555, "ToPort": 5555, "IpRanges": [{"CidrIp": "10.9.9.0/24"}]}]'
# A change to the files by hand: only it is loaded, over the edited tables.
python3 - "$EDITED/security-groups.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["SecurityGroups"][1]["IpPermissions"].append({
    "IpProtocol": "tcp", "FromPort": 6666, "ToPort": 6666,
    "IpRanges": [{"CidrIp": "10.66.0.0/16"}], "Ipv6Ranges": [],
    "PrefixListIds": [], "UserIdGroupPairs": []})
json.dump(doc, open(path, "w"), indent=4)
PY
out=$(fwd apply --aws "$EDITED" 2>&1)
check_contains "the files changed by hand after the edits: only what changed loads" \
	"objects changed" "$out"
E2="$PREFIX-stE"
new_ns "$E2"
in_ns "$E2" "$BULWARK" fw apply --aws "$EDITED" --state-dir "$SCRATCH/stE" >/dev/null 2>&1
listing "$D" >"$SCRATCH/d.list"
listing "$E2" >"$SCRATCH/e.list"
if cmp -s "$SCRATCH/e.list" "$SCRATCH/d.list"; then
	ok "... and the kernel lists what a whole load of the files gives"
else
	not_ok "... and the kernel lists what a whole load of the files gives" \
		"$(diff "$SCRATCH/e.list" "$SCRATCH/d.list" | head -20)"
fi
# An edit, then another program's commit: the edits no longer vouch.
check "one more edit" fwd authorize-ingress --aws "$EDITED" --group-id "$G0" \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 5556, "ToPort": 5556, "IpRanges": [{"CidrIp": "10.9.9.0/24"}]}]'
in_ns "$D" nft add chain inet bulwark_vpc intruder
out=$(fwd apply --aws "$EDITED" 2>&1)
check_contains "... another program's commit after it: loaded whole" "loaded whole" "$out"
check_eq "... and its chain is gone" "" "$(in_ns "$D" nft list chains inet | grep intruder)"
# ---- another state folder's load replaced the tables --------------------------
# The edit's sets are named by the render its record loaded: over tables
# another load made they would refill another group's. The kernel numbers
# each table it makes, so the record knows its own.
F="$PREFIX-stF"
new_ns "$F"
fwf() { in_ns "$F" "$BULWARK" fw "$@"; }
fwf apply --aws "$AWS" --state-dir "$SCRATCH/stF1" >/dev/null 2>&1
fwf apply --aws "$OTHER" --state-dir "$SCRATCH/stF2" >/dev/null 2>&1
out=$(fwf status --state-dir "$SCRATCH/stF1" 2>&1)
check_contains "status of the first folder after another folder's load: not enforcing" \
	"enforcing no more: the tables are not the ones this state folder loaded" "$out"
listing "$F" >"$SCRATCH/f-before.list"
cp "$AWS/security-groups.json" "$SCRATCH/f-groups.json"
out=$(fwf authorize-ingress --aws "$AWS" --state-dir "$SCRATCH/stF1" --group-id "$(python3 -c '
import json, sys
print(json.load(open(sys.argv[1]))["SecurityGroups"][0]["GroupId"])' "$AWS/security-groups.json")" \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 9999, "ToPort": 9999, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]' 2>&1)
check_eq "an edit against the replaced tables: exit 1" 1 "$?"
check_contains "... it says why" "not the ones this state folder loaded" "$out"
listing "$F" >"$SCRATCH/f-after.list"
check "... the kernel's tables as they were" cmp -s "$SCRATCH/f-before.list" "$SCRATCH/f-after.list"
check "... and the file as it was" cmp -s "$AWS/security-groups.json" "$SCRATCH/f-groups.json"
out=$(fwf status --state-dir "$SCRATCH/stF2" 2>&1)
check_contains "the second folder's status: enforcing, nothing since" "nothing committed" "$out"
# Another program's commit in a table of its own: the tables are still the
# ones loaded, and status says what it cannot vouch for.
in_ns "$F" nft add table ip someone_else
out=$(fwf status --state-dir "$SCRATCH/stF2" 2>&1)
check_contains "... after another program's commit: still enforcing" "mode               enforcing" "$out"
check_contains "... and says the contents are not checked since" "other transactions came" "$out"
finish
