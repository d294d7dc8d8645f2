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
		"$BULWARK" fw "$verb" --aws "$AWS" --state-dir "$STATE" --group-id "$WEB" \
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
finish
