#!/bin/sh
# render/nftobj.c against the kernel, through bw-nftobj and the nft CLI:
# for pairs of renders of a folder from bw-genvpc and a variant of it (a
# group's rule, an instance added or removed, an instance's groups, an ACL
# entry), a kernel holding one render and given the delta lists the same
# ruleset as one loaded with the other; a delta between equal renders is
# empty; a render loaded in parts lists as when loaded whole.
# "The same": objects sorted within their table and elements within their
# set, since the kernel lists them in the order they were created, which
# is history, not policy.
. "$(dirname "$0")/lib.sh"
NFTOBJ=${NFTOBJ:?NFTOBJ must name bw-nftobj}
GENVPC=${GENVPC:?GENVPC must name bw-genvpc}
VARIANT=$(dirname "$0")/../tools/vpc_variant.py
require_netns
command -v python3 >/dev/null || skip_all "needs python3 to write the variants"

A="$PREFIX-objA"
B="$PREFIX-objB"
new_ns "$A"
new_ns "$B"



listing() {
	in_ns "$1" nft list ruleset | python3 "$(dirname "$0")/nft_canon.py"
}

# same_listing DESCRIPTION: A and B list the same ruleset.
same_listing() {
	listing "$A" >"$SCRATCH/got"
	listing "$B" >"$SCRATCH/want"
	if cmp -s "$SCRATCH/got" "$SCRATCH/want"; then
		ok "$1"
	else
		not_ok "$1" "$(diff "$SCRATCH/want" "$SCRATCH/got" | head -20)"
	fi
}

# load NS FILE: the namespace holds exactly FILE's ruleset.
load() {
	in_ns "$1" nft flush ruleset && in_ns "$1" nft -f "$2"
}

# delta_case NAME FROM TO: A holds FROM, takes the delta, lists as B with TO.
delta_case() {
	if ! load "$A" "$2" || ! load "$B" "$3"; then
		not_ok "$1: the renders load"
		return
	fi
	if ! "$NFTOBJ" delta "$2" "$3" >"$SCRATCH/delta.nft" 2>"$SCRATCH/delta.err"; then
		not_ok "$1: a delta" "$(cat "$SCRATCH/delta.err")"
		return
	fi
	if [ ! -s "$SCRATCH/delta.nft" ]; then
		not_ok "$1: the delta is not empty"
		return
	fi
	if ! out=$(in_ns "$A" nft -f "$SCRATCH/delta.nft" 2>&1); then
		not_ok "$1: the kernel takes the delta" "$out"
		return
	fi
	same_listing "$1: the delta gives the same ruleset as a fresh load"
}

# staged_case NAME FILE N: FILE loaded in parts of N elements in A lists
# as FILE loaded whole in B, and nothing hooks before the last part.
staged_case() {
	rm -rf "$SCRATCH/parts"
	mkdir "$SCRATCH/parts"
	if ! "$NFTOBJ" staged "$2" "$3" >"$SCRATCH/staged.nft"; then
		not_ok "$1: staged"
		return
	fi
	awk -v dir="$SCRATCH/parts" '
		BEGIN { n = 0; f = sprintf("%s/%05d.nft", dir, n) }
		/^# NFTOBJ_END$/ { close(f); n++; f = sprintf("%s/%05d.nft", dir, n); next }
		{ print > f }' "$SCRATCH/staged.nft"
	in_ns "$A" nft flush ruleset
	parts=0
	hooked_early=""
	for part in "$SCRATCH"/parts/*.nft; do
		if ! out=$(in_ns "$A" nft -f "$part" 2>&1); then
			not_ok "$1: the kernel takes part $parts" "$out"
			return
		fi
		parts=$((parts + 1))
		[ "$parts" -lt "$(ls "$SCRATCH/parts" | wc -l)" ] &&
			in_ns "$A" nft list ruleset | grep -q ' hook ' && hooked_early="part $parts"
	done
	load "$B" "$2"
	check_eq "$1: nothing hooks before the last of $parts parts" "" "$hooked_early"
	same_listing "$1: $parts parts give the same ruleset as one load"
}

mkdir "$SCRATCH/base"
"$GENVPC" "$SCRATCH/base" 24 >/dev/null
"$BULWARK" fw render --aws "$SCRATCH/base" >"$SCRATCH/base.nft"
for kind in rule add del groups acl; do
	python3 "$VARIANT" "$SCRATCH/base" "$SCRATCH/$kind" "$kind"
	"$BULWARK" fw render --aws "$SCRATCH/$kind" >"$SCRATCH/$kind.nft"
done

check_eq "a delta between equal renders is empty" "" "$("$NFTOBJ" delta "$SCRATCH/base.nft" "$SCRATCH/base.nft" 2>/dev/null)"
check_eq "a delta between equal renders changes nothing" "0 changed" "$("$NFTOBJ" delta "$SCRATCH/base.nft" "$SCRATCH/base.nft" 2>&1 >/dev/null)"
for kind in rule add del groups acl; do
	delta_case "$kind" "$SCRATCH/base.nft" "$SCRATCH/$kind.nft"
	delta_case "$kind, undone" "$SCRATCH/$kind.nft" "$SCRATCH/base.nft"
done
sed 's/priority filter + 10; policy accept;/priority filter + 10; policy drop;/' \
	"$GOLDEN_DIR/vpc/example.nft" >"$SCRATCH/policy.nft"
delta_case "a base chain's policy" "$GOLDEN_DIR/vpc/example.nft" "$SCRATCH/policy.nft"

staged_case "example.nft, one element a part" "$GOLDEN_DIR/vpc/example.nft" 1
staged_case "bridge.nft, one element a part" "$GOLDEN_DIR/vpc/bridge.nft" 1
staged_case "a generated VPC, 700 elements a part" "$SCRATCH/acl.nft" 700
finish
