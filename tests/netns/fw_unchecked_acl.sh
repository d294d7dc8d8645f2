#!/bin/sh
# The network ACLs of traffic an ENI with the source/destination check off
# forwards, in the VPC of examples/aws as a lab. AWS judges a packet by the
# ACLs of the subnets of the ENIs it leaves and enters, not of its
# addresses: db1 (subnet 3, check off) receiving for 10.0.9.9 (the VPC
# router's route 10.0.9.0/24 via db1) is judged by subnet 3's inbound ACL,
# and what it sends from 10.0.9.9 by subnet 3's outbound ACL. 10.0.9.9 is
# in no subnet: judged by address, no ACL would see either. A named
# counter proves each denial was the ACL's.
. "$(dirname "$0")/lib.sh"
require_netns

. "$(dirname "$0")/vpc_lab.sh"
WEB1=$(ns_of web1) APP1=$(ns_of app1) APP2=$(ns_of app2) DB1=$(ns_of db1)

# counter NAME: packets table inet bulwark_vpc's counter NAME has counted.
counter() {
	in_ns "$R" nft list counter inet bulwark_vpc "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
moved() { if [ "$(counter "$1")" -gt "$2" ]; then echo moved; else echo "still $2"; fi; }
pings() { # NS DST
	if in_ns "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; then echo allow; else echo deny; fi
}

# db1's check off, in every file that describes its ENI; subnet 3's ACL
# denies ICMP from app2's half of subnet 2 (inbound rule 80) and to
# subnet 1 (outbound rule 80). Its other rules allow ICMP within
# 10.0.0.0/16 both ways.
for file in "$AWS"/*.json; do
	awk '/"NetworkInterfaceId": "eni-0a1b2c3d4e5f60054"/ { found = 1 }
	     found && /"SourceDestCheck": true/ { sub(/true/, "false"); found = 0 }
	     { print }' "$file" >"$file.new" && mv "$file.new" "$file"
done
python3 - "$AWS/network-acls.json" <<'EOF'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
for acl in doc["NetworkAcls"]:
    if acl["NetworkAclId"] == "acl-0a1b2c3d4e5f60032":
        for egress, cidr in ((False, "10.0.2.128/25"), (True, "10.0.1.0/24")):
            acl["Entries"].append({"CidrBlock": cidr, "Egress": egress, "Protocol": "1",
                                   "IcmpTypeCode": {"Code": -1, "Type": -1},
                                   "RuleAction": "deny", "RuleNumber": 80})
json.dump(doc, open(path, "w"), indent=1)
EOF
check "fw apply with db1's check off and subnet 3's ICMP rules 80" fw apply

# Addressed to db1 itself: judged by address, as before.
before=$(counter denied_acl_inbound)
check_eq "app2 pings db1 (10.0.3.30): subnet 3's inbound rule 80 denies it" deny \
	"$(pings "$APP2" 10.0.3.30)"
check_eq "... by the inbound ACL (denied_acl_inbound)" moved "$(moved denied_acl_inbound "$before")"

# The VPC router's route to 10.0.9.0/24 targets db1's ENI.
in_ns "$R" ip route add 10.0.9.0/24 via 10.0.3.30
in_ns "$DB1" ip addr add 10.0.9.9/32 dev lo

# Into subnet 3 through db1, found by the route's next hop.
before=$(counter denied_acl_inbound)
check_eq "app2 pings 10.0.9.9 through db1: subnet 3's inbound rule 80 denies it" deny \
	"$(pings "$APP2" 10.0.9.9)"
check_eq "... by the inbound ACL (denied_acl_inbound)" moved "$(moved denied_acl_inbound "$before")"

# Out of subnet 3 from db1, found by its MAC: the reply from 10.0.9.9 to
# web1 meets subnet 3's outbound rule 80 (the request passed: web1's
# subnet allows everything, subnet 3 admits ICMP from 10.0.0.0/16).
before=$(counter denied_acl_outbound)
check_eq "web1 pings 10.0.9.9 through db1: the reply, subnet 3's outbound rule 80 denies it" deny \
	"$(pings "$WEB1" 10.0.9.9)"
check_eq "... by the outbound ACL (denied_acl_outbound)" moved \
	"$(moved denied_acl_outbound "$before")"

# What both of subnet 3's ACLs allow still passes through db1.
before_in=$(counter denied_acl_inbound) before_out=$(counter denied_acl_outbound)
check_eq "app1 pings 10.0.9.9 through db1: subnet 3's ACLs allow it" allow \
	"$(pings "$APP1" 10.0.9.9)"
check_eq "... and no ACL counted a drop" "still $before_in still $before_out" \
	"$(moved denied_acl_inbound "$before_in") $(moved denied_acl_outbound "$before_out")"

# fw explain cannot know the route: it says what it assumes.
check_contains "explain says it assumes db1 forwards nothing" \
	"assumes no ENI with the source/destination check off (eni-0a1b2c3d4e5f60054)" \
	"$(fw explain icmp 10.0.2.200 to 10.0.9.9)"

check "fw delete" fw delete
finish
