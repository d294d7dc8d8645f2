#!/bin/sh
# How fw apply loads onto a host without bulwark's tables: in parts
# (declarations, elements a bounded number a part, base chains last), and
# the kernel then lists what one whole transaction of the same ruleset
# gives; a part the kernel refuses (here: another program put a chain in
# the way between two parts) leaves no bulwark table and says why.
. "$(dirname "$0")/lib.sh"
GENVPC=${GENVPC:?GENVPC must name bw-genvpc}
require_netns
command -v python3 >/dev/null || skip_all "needs python3"
command -v unshare >/dev/null || skip_all "needs unshare (util-linux)"

A="$PREFIX-ldA"
B="$PREFIX-ldB"
new_ns "$A"
new_ns "$B"

# Objects sorted within their table, elements within their set.
listing() { in_ns "$1" nft list ruleset | python3 "$(dirname "$0")/nft_canon.py"; }
tables() { in_ns "$1" nft list tables | grep bulwark_vpc; }

# ---- in parts, as whole ------------------------------------------------------
# 3,000 instances: more elements than one part holds.
AWS="$SCRATCH/aws"
mkdir -p "$AWS"
"$GENVPC" "$AWS" 3000 >/dev/null
out=$(in_ns "$A" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stA" 2>&1)
check_eq "fw apply onto a host without the tables: exit 0" 0 "$?"
parts=$(printf '%s\n' "$out" | sed -n 's/.*loaded in \([0-9]*\) parts.*/\1/p')
check "... loaded in parts, several of elements (${parts:-none})" test "${parts:-0}" -ge 4
in_ns "$B" "$BULWARK" fw render --aws "$AWS" >"$SCRATCH/whole.nft" 2>/dev/null
check "the same ruleset loads whole in one transaction" in_ns "$B" nft -f "$SCRATCH/whole.nft"
listing "$A" >"$SCRATCH/parts.list"
listing "$B" >"$SCRATCH/whole.list"
if cmp -s "$SCRATCH/parts.list" "$SCRATCH/whole.list"; then
	ok "the kernel lists the same ruleset for both"
else
	not_ok "the kernel lists the same ruleset for both" \
		"$(diff "$SCRATCH/whole.list" "$SCRATCH/parts.list" | head -20)"
fi
check_eq "... the render fw apply keeps is the one it loaded" \
	"$(cat "$SCRATCH/whole.nft")" "$(cat "$SCRATCH/stA/fw.nft")"

# ---- a part refused: no table left -----------------------------------------
# libnftables reads /etc/iproute2/rt_marks as each context starts: in the
# command's own mount namespace that name is a FIFO, so the command waits
# at each context until the test lets it go. At the first one after the
# tables appear (the first part committed, the next not begun), the test
# makes a regular chain of the name of a base chain the last part adds,
# as another program could.
in_ns "$A" nft delete table inet bulwark_vpc
in_ns "$A" nft delete table bridge bulwark_vpc
gated "$A" "$BULWARK" fw apply --aws "$EXAMPLES_DIR/aws" --state-dir "$SCRATCH/stB" \
	>"$SCRATCH/fail.out" 2>"$SCRATCH/fail.err"
applier=$GATED_PID
opens=$(gate "$A" block sg_ingress)
wait "$applier"
rc=$?
check_eq "a part the kernel refuses: exit 1" 1 "$rc"
check "... after the first part had loaded (the chain put in the way at context $opens)" \
	test "$opens" -ge 2
# The last part (the base chains) meets the regular chain.
err=$(cat "$SCRATCH/fail.err")
parts=$(printf '%s\n' "$err" | sed -n 's/.*part \([0-9]*\) of \([0-9]*\):.*/\1 \2/p')
check "... the error names the part: the last (${parts:-none})" \
	test -n "$parts" -a "${parts##* }" = "${parts%% *}"
check_contains "... and the kernel's reason" \
	"nftables transaction: Could not process rule: Operation not supported" "$err"
check_contains "... and says nothing stayed loaded" "nothing loaded" "$(cat "$SCRATCH/fail.err")"
check_eq "... no bulwark table is left" "" "$(tables "$A")"
check_eq "... and no record says it enforces" "" "$(cat "$SCRATCH/stB/fw.json" 2>/dev/null)"

# ---- killed between two parts: the record says so --------------------------
# At the first context once the tables are there (a part committed, the
# base chains not yet), the test kills the command, as a reboot or the OOM
# killer could.
gated "$A" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stK" >/dev/null 2>&1
applier=$GATED_PID
gate "$A" kill >/dev/null
wait "$applier" 2>/dev/null
check "killed between two parts: the tables are there, half loaded" \
	in_ns "$A" nft list table inet bulwark_vpc
out=$(in_ns "$A" "$BULWARK" fw status --state-dir "$SCRATCH/stK" 2>&1)
check_contains "... fw status says the load did not end" "loading: a load began and did not end" "$out"
mode=$(in_ns "$A" "$BULWARK" fw status --json --state-dir "$SCRATCH/stK" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["mode"])')
case $mode in
enforcing*) not_ok "... never enforcing" "$mode" ;;
loading*) ok "... never enforcing" ;;
*) not_ok "... never enforcing (mode: $mode)" ;;
esac
out=$(in_ns "$A" "$BULWARK" fw apply --aws "$AWS" --state-dir "$SCRATCH/stK" 2>&1)
check_contains "... and the next fw apply loads it whole" "loaded whole" "$out"
listing "$A" >"$SCRATCH/after.list"
check "... the kernel then lists what one whole transaction gives" \
	cmp -s "$SCRATCH/after.list" "$SCRATCH/whole.list"
finish
