#!/bin/sh
# authorize / revoke run at once on one --aws folder: each waits for the
# folder's lock, so every change lands and none is lost. No live table is
# needed (the state folder is the test's own, with no fw apply in it).
. "$(dirname "$0")/lib.sh"

AWS="$SCRATCH/aws"
cp -r "${EXAMPLES_DIR:?}/aws" "$AWS"
STATE="$SCRATCH/state"
WEB=sg-0a1b2c3d4e5f60011
N=20
initial=$("$BULWARK" fw render --aws "$AWS" 2>/dev/null)

edit_all() {
	verb=$1
	pids=""
	i=1
	while [ "$i" -le "$N" ]; do
		port=$((10000 + i))
		${IN_NS:-} "$BULWARK" fw "$verb" --aws "$AWS" --state-dir "$STATE" --group-id "$WEB" \
			--ip-permissions "[{\"IpProtocol\": \"tcp\", \"FromPort\": $port, \"ToPort\": $port, \"IpRanges\": [{\"CidrIp\": \"198.51.100.0/24\"}]}]" \
			>"$SCRATCH/out.$verb.$i" 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
	failed=0
	for pid in $pids; do
		wait "$pid" || failed=$((failed + 1))
	done
	echo "$failed"
}
ports_in_file() {
	grep -o '"FromPort": 100[0-9][0-9]' "$AWS/security-groups.json" | sort -u | wc -l
}

check_eq "$N authorize-ingress at once all succeed" 0 "$(edit_all authorize-ingress)"
check_eq "... and all $N rules are in security-groups.json" "$N" "$(ports_in_file)"
check "... which is still a valid model" "$BULWARK" fw render --aws "$AWS"
check_eq "$N revoke-ingress at once all succeed" 0 "$(edit_all revoke-ingress)"
check_eq "... and none of the rules is left" 0 "$(ports_in_file)"
check_eq "the files render as they did before the edits" "$initial" \
	"$("$BULWARK" fw render --aws "$AWS" 2>/dev/null)"
leftover=$(find "$AWS" -name '.*.tmp' | wc -l)
check_eq "no temporary is left in the folder" 0 "$leftover"

# The same with a live table: every edit lands in the file and in the
# live sets, none lost, each under the folder's lock.
require_netns
NS="$PREFIX-conc"
new_ns "$NS"
IN_NS="ip netns exec $NS"
check "fw apply in a namespace of its own" $IN_NS "$BULWARK" fw apply --aws "$AWS" --state-dir "$STATE"
# The live elements of the edited rules (consecutive ports merge into
# one range: all 20 is 10001-10020).
live_ports() {
	$IN_NS nft list table inet bulwark_vpc | grep -o '198.51.100.0/24 . tcp . 100[0-9-]*' | sort -u
}
check_eq "$N authorize-ingress at once, live: all succeed" 0 "$(edit_all authorize-ingress)"
check_eq "... all $N rules in the file" "$N" "$(ports_in_file)"
check_eq "... and all $N in the live sets" "198.51.100.0/24 . tcp . 10001-10020" "$(live_ports)"
check_eq "$N revoke-ingress at once, live: all succeed" 0 "$(edit_all revoke-ingress)"
check_eq "... none left in the file" 0 "$(ports_in_file)"
check_eq "... nor in the live sets" "" "$(live_ports)"

# fw apply of two folders at once on one state folder: one after the
# other, so the record names what the kernel holds (re-applying what it
# names finds the tables unchanged).
# Models large enough that the two loads overlap.
ONE="$SCRATCH/one"
OTHER="$SCRATCH/other"
mkdir -p "$ONE" "$OTHER"
"${GENVPC:?GENVPC must name bw-genvpc}" "$ONE" 1500 >/dev/null
"$GENVPC" "$OTHER" 1400 >/dev/null
round=1 agreed=0
while [ "$round" -le 6 ]; do
	$IN_NS "$BULWARK" fw apply --aws "$ONE" --state-dir "$STATE" >/dev/null 2>&1 &
	a=$!
	$IN_NS "$BULWARK" fw apply --aws "$OTHER" --state-dir "$STATE" >/dev/null 2>&1 &
	b=$!
	wait "$a"; ra=$?
	wait "$b"; rb=$?
	named=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aws"])' "$STATE/fw.json")
	out=$($IN_NS "$BULWARK" fw apply --aws "$named" --state-dir "$STATE" 2>&1)
	[ "$ra$rb" = 00 ] && case $out in *"fw: unchanged"*) agreed=$((agreed + 1)) ;; esac
	round=$((round + 1))
done
check_eq "two fw apply at once, 6 rounds: both succeed, and the record names what is loaded" \
	6 "$agreed"
finish
