#!/bin/sh
# host/nftnl_elems.c against the kernel and nft itself: a render's
# declarations loaded through nft (nftobj_staged's first part), then its
# elements through bw-nftnl-elems (libnftnl, no text), then its base
# chains, lists in namespace A as the whole render loaded by `nft -f` in
# namespace B: the same `nft list ruleset` (objects and elements sorted:
# the kernel lists them in creation order, which differs between the two
# ways), and the same elements as the kernel holds them (`nft
# --debug=netlink list ruleset`: keys, key ends, interval-end flags, user
# data, verdicts), for every golden render, a hand-made file with every
# element form, and a generated VPC of NFTNL_ELEMS_INSTANCES (10,000)
# instances. A refused element is an error naming its set, and nothing of
# its transaction is loaded.
. "$(dirname "$0")/lib.sh"
NFTNL_ELEMS=${NFTNL_ELEMS:?NFTNL_ELEMS must name bw-nftnl-elems}
NFTOBJ=${NFTOBJ:?NFTOBJ must name bw-nftobj}
GENVPC=${GENVPC:?GENVPC must name bw-genvpc}
INSTANCES=${NFTNL_ELEMS_INSTANCES:-10000}
require_netns
command -v python3 >/dev/null || skip_all "needs python3 to compare listings"

A="$PREFIX-nlA"
B="$PREFIX-nlB"
new_ns "$A"
new_ns "$B"

# The named sets' elements as `nft --debug=netlink list ruleset` prints
# the kernel's dump: one section a set ("inet t @name"), its elements
# sorted. Anonymous sets (__set0…) are numbered in creation order, and
# rules are not this loader's: both left out.
cat >"$SCRATCH/kernel.py" <<'PY'
import re, sys
sections, cur = {}, None
for line in sys.stdin.read().split('\n'):
    m = re.match(r'^(\w+ \S+ @(\S+))$', line)
    if m:
        cur = None if m.group(2).startswith('__') else sections.setdefault(m.group(1), [])
    elif line.startswith('\telement ') and cur is not None:
        cur.append(line.strip())
    elif not line.startswith('\t'):
        cur = None
for name in sorted(sections):
    print(name)
    for e in sorted(sections[name]):
        print('\t' + e)
PY

listing() {
	in_ns "$1" nft list ruleset | python3 "$(dirname "$0")/nft_canon.py"
}

kernel_elements() {
	in_ns "$1" nft --debug=netlink list ruleset 2>&1 | python3 "$SCRATCH/kernel.py"
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

# loads_as_nft NAME FILE MAX: FILE's declarations, then its elements in
# transactions of at most MAX through the loader, then its base chains,
# in A; FILE whole in B.
loads_as_nft() {
	rm -rf "$SCRATCH/parts"
	mkdir "$SCRATCH/parts"
	# One part of declarations, one of all elements, one of base chains.
	if ! "$NFTOBJ" staged "$2" 100000000 >"$SCRATCH/staged.nft"; then
		not_ok "$1: staged"
		return
	fi
	awk -v dir="$SCRATCH/parts" '
		BEGIN { n = 0; f = sprintf("%s/%05d.nft", dir, n) }
		/^# NFTOBJ_END$/ { close(f); n++; f = sprintf("%s/%05d.nft", dir, n); next }
		{ print > f }' "$SCRATCH/staged.nft"
	n=$(ls "$SCRATCH/parts" | wc -l)
	in_ns "$A" nft flush ruleset
	in_ns "$B" nft flush ruleset
	if ! out=$(in_ns "$A" nft -f "$SCRATCH/parts/00000.nft" 2>&1); then
		not_ok "$1: nft takes the declarations" "$out"
		return
	fi
	if ! out=$(in_ns "$A" "$NFTNL_ELEMS" load "$2" "$3" 2>&1); then
		not_ok "$1: the elements load through libnftnl" "$out"
		return
	fi
	ok "$1: the elements load through libnftnl"
	if [ "$n" -gt 2 ] && ! out=$(in_ns "$A" nft -f "$SCRATCH/parts/$(printf %05d $((n - 1))).nft" 2>&1); then
		not_ok "$1: nft takes the base chains" "$out"
		return
	fi
	if ! out=$(in_ns "$B" nft -f "$2" 2>&1); then
		not_ok "$1: nft takes the whole render" "$out"
		return
	fi
	same "$1: lists as loaded whole by nft" listing
	same "$1: the kernel holds the same elements as from nft" kernel_elements
}

# staged_as_nft NAME FILE MAX: FILE onto A as fw apply loads it onto a
# host without its tables (bw-nftnl-elems staged: declarations and base
# chains through libnftables, elements through libnftnl); whole in B.
staged_as_nft() {
	in_ns "$A" nft flush ruleset
	in_ns "$B" nft flush ruleset
	if ! out=$(in_ns "$A" "$NFTNL_ELEMS" staged "$2" "$3" 2>&1); then
		not_ok "$1: loads staged" "$out"
		return
	fi
	ok "$1: loads staged ($out)"
	if ! out=$(in_ns "$B" nft -f "$2" 2>&1); then
		not_ok "$1: nft takes the whole render" "$out"
		return
	fi
	same "$1: lists as loaded whole by nft" listing
	same "$1: the kernel holds the same elements as from nft" kernel_elements
}

# Every element form the loader encodes, beyond what the goldens hold.
cat >"$SCRATCH/forms.nft" <<'EOF'
table inet nl_forms {
	set adjacent {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.1, 10.0.0.2, 10.0.0.3-10.0.0.5 }
	}

	set merged {
		typeof ip saddr
		flags interval
		auto-merge
		elements = { 10.0.0.1, 10.0.0.2, 10.0.0.0/8, 11.0.0.0/8 }
	}

	set top_v4 {
		typeof ip saddr
		flags interval
		elements = { 255.255.255.255, 0.0.0.0-1.2.3.4 }
	}

	set top_v6 {
		typeof ip6 saddr
		flags interval
		elements = { ffff::/16, ::-::5, 2001:db8::1-2001:db8::ff }
	}

	set everything_v4 {
		typeof ip daddr
		flags interval
		elements = { 0.0.0.0/0 }
	}

	set ports {
		typeof ip saddr . meta l4proto . th dport
		flags interval
		elements = { 0.0.0.0/0 . 6 . 0-65535, 255.255.255.255 . 17 . 1, 10.0.0.0/16 . 17 . 80 }
	}

	set icmp6 {
		typeof ip6 saddr . icmpv6 type . icmpv6 code
		flags interval
		elements = { fd00:10::/56 . 128 . 0-255, ::/0 . 0-7 . 3 }
	}

	set mac_prefix {
		typeof ether saddr . ip6 saddr
		flags interval
		elements = { 0a:00:00:00:00:01 . fd00:10:0:1:5::/80 }
	}

	set names {
		typeof iifname
		elements = { "v0", "averyveryverylo" }
	}

	set protos {
		typeof meta l4proto
		elements = { 6, 17, 255 }
	}

	chain x {
	}

	map verdicts {
		typeof ip saddr : verdict
		elements = { 10.0.0.1 : goto x, 10.0.0.2 : accept, 10.0.0.3 : drop, 10.0.0.4 : continue, 10.0.0.5 : jump x, 10.0.0.6 : return }
	}

	map ranges {
		typeof ip6 daddr : verdict
		flags interval
		elements = { ::/0 : goto x }
	}

	map by_mac {
		typeof ether daddr : verdict
		size 4
		elements = { 0a:00:00:00:00:02 : goto x }
	}
}
EOF

for golden in "$GOLDEN_DIR"/vpc/*.nft; do
	loads_as_nft "$(basename "$golden")" "$golden" 100000000
	loads_as_nft "$(basename "$golden"), 3 elements a transaction" "$golden" 3
	staged_as_nft "$(basename "$golden"), staged" "$golden" 50000
done
loads_as_nft "every element form" "$SCRATCH/forms.nft" 100000000

mkdir "$SCRATCH/vpc"
"$GENVPC" "$SCRATCH/vpc" "$INSTANCES" >/dev/null
"$BULWARK" fw render --aws "$SCRATCH/vpc" >"$SCRATCH/vpc.nft"
staged_as_nft "$INSTANCES instances, staged, 50,000 elements a transaction" "$SCRATCH/vpc.nft" 50000

# A refused element: the kernel's answer names the set and the element,
# and nothing of the transaction stays (the good set before it is empty).
cat >"$SCRATCH/refused.nft" <<'EOF'
table inet nl_refused {
	set good {
		typeof ip saddr
		elements = { 10.9.9.9 }
	}

	set overlapping {
		typeof ip saddr . meta l4proto . th dport
		flags interval
		elements = { 10.0.0.0/8 . 6 . 80, 10.1.0.0/16 . 6 . 80-90 }
	}
}
EOF
sed '/elements = /d' "$SCRATCH/refused.nft" >"$SCRATCH/refused-decl.nft"
in_ns "$A" nft flush ruleset
in_ns "$A" nft -f "$SCRATCH/refused-decl.nft"
out=$(in_ns "$A" "$NFTNL_ELEMS" load "$SCRATCH/refused.nft" 2>&1)
check_eq "a partly overlapping element is refused by the kernel (exit 1)" 1 "$?"
check_contains "the refusal names the set" "set inet nl_refused overlapping" "$out"
check_contains "the refusal names the element" "10.1.0.0/16 . 6 . 80-90" "$out"
check_eq "nothing of the refused transaction is loaded" "" \
	"$(in_ns "$A" nft list set inet nl_refused good | grep elements)"

# An element overlapping one already in the kernel (rbtree), refused.
cat >"$SCRATCH/first.nft" <<'EOF'
table inet nl_refused {
	set good {
		typeof ip saddr
		elements = { 10.9.9.9 }
	}

	set overlapping {
		typeof ip saddr
		flags interval
		elements = { 10.0.0.0/8 }
	}
}
EOF
sed 's|10.0.0.0/8|10.1.0.0/16|; s|10.9.9.9|10.9.9.10|' "$SCRATCH/first.nft" >"$SCRATCH/second.nft"
in_ns "$A" nft flush ruleset
sed '/elements = /d' "$SCRATCH/first.nft" | in_ns "$A" nft -f -
check "a first load of an interval set" in_ns "$A" "$NFTNL_ELEMS" load "$SCRATCH/first.nft"
out=$(in_ns "$A" "$NFTNL_ELEMS" load "$SCRATCH/second.nft" 2>&1)
check_eq "an interval overlapping one in the kernel is refused (exit 1)" 1 "$?"
check_contains "that refusal names the set" "set inet nl_refused overlapping" "$out"
check_eq "nothing of that transaction is loaded" "elements = { 10.9.9.9 }" \
	"$(in_ns "$A" nft list set inet nl_refused good | grep elements | tr -s '\t ' ' ' | sed 's/^ //')"

# Overlapping intervals in one set without auto-merge: refused before
# anything is sent, as nft refuses them.
sed 's|elements = { 10.0.0.0/8 }|elements = { 10.0.0.0/8, 10.1.0.0/16 }|' "$SCRATCH/first.nft" \
	>"$SCRATCH/conflict.nft"
out=$(in_ns "$A" "$NFTNL_ELEMS" load "$SCRATCH/conflict.nft" 2>&1)
check_eq "conflicting intervals are refused as input (exit 2)" 2 "$?"
check_contains "that refusal names the set and the element" \
	"set inet nl_refused overlapping: element \`10.1.0.0/16\`" "$out"
finish
