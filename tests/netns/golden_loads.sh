#!/bin/sh
# Every golden ruleset is one the kernel accepts (nft --check in a fresh
# namespace whose devices carry the names the rulesets use).
. "$(dirname "$0")/lib.sh"
require_netns

N="$PREFIX-golden"
new_ns "$N"
ip -n "$N" link add eth0 type veth peer name eth1
ip -n "$N" link add ens5 type veth peer name ens6
has_flowtables=yes
in_ns "$N" nft -c -f - 2>/dev/null <<'NFT' || has_flowtables=no
table inet probe { flowtable f { hook ingress priority 0; devices = { lo } } }
NFT
for file in "$GOLDEN_DIR"/nat/*.nft "$GOLDEN_DIR"/vpc/*.nft "$GOLDEN_DIR"/host/*.nft; do
	name=${file#"$GOLDEN_DIR"/}
	if grep -q flowtable "$file" && [ "$has_flowtables" = no ]; then
		echo "ok $((TESTS_RUN + 1)) - $name # SKIP this kernel has no flowtables (CONFIG_NF_FLOW_TABLE)"
		TESTS_RUN=$((TESTS_RUN + 1))
		continue
	fi
	check "the kernel accepts $name" in_ns "$N" nft -c -f "$file"
done
finish
