#!/bin/sh
# The network ACLs of traffic an ENI with the source/destination check off
# forwards, in the VPC of examples/aws as a lab. AWS judges a packet by the
# ACLs of the subnets of the ENIs it leaves and enters, not of its
# addresses: db1 (subnet 3, check off) receiving for 10.0.9.9 (the VPC
# router's route 10.0.9.0/24 via db1) is judged by subnet 3's inbound ACL,
# and what it sends from 10.0.9.9 by subnet 3's outbound ACL; app1 (subnet
# 2) receiving for fd00:99::9 by subnet 2's. Those addresses are in no
# subnet: judged by address, no ACL would see any of it. A named counter
# proves each denial was the ACL's.
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
# reach NS PROTO ADDR PORT: allow when the exchange completes.
reach() {
	if BW_PEER_WAIT_MS=1500 in_ns "$1" "$PEER" ask "$2" "$3" "$4" >/dev/null 2>&1; then
		echo allow
	else
		echo deny
	fi
}
pings() { # NS DST
	if in_ns "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; then echo allow; else echo deny; fi
}

# The checks of db1 and (for IPv6: subnet 3 has none) app1 off, in every
# file that describes their ENIs. Subnet 3's ACL denies ICMP from app2's
# half of subnet 2 (inbound rule 80) and to subnet 1 (outbound rule 80);
# its other rules allow ICMP within 10.0.0.0/16 both ways. The ACL of
# subnets 1 and 2 (everything allowed) denies TCP 8080 from subnet 1's
# IPv6 range (inbound rule 80), ICMP to 10.0.8.0/24 (outbound rule 80) and
# from it (inbound rule 81); the app group admits ICMP from 10.0.0.0/16.
for eni in eni-0a1b2c3d4e5f60054 eni-0a1b2c3d4e5f60052; do
	for file in "$AWS"/*.json; do
		awk -v eni="$eni" '$0 ~ "\"NetworkInterfaceId\": \"" eni "\"" { found = 1 }
		     found && /"SourceDestCheck": true/ { sub(/true/, "false"); found = 0 }
		     { print }' "$file" >"$file.new" && mv "$file.new" "$file"
	done
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
    if acl["NetworkAclId"] == "acl-0a1b2c3d4e5f60031":
        acl["Entries"].append({"Ipv6CidrBlock": "fd00:10:0:1::/64", "Egress": False,
                               "Protocol": "6", "PortRange": {"From": 8080, "To": 8080},
                               "RuleAction": "deny", "RuleNumber": 80})
        for egress, number in ((True, 80), (False, 81)):
            acl["Entries"].append({"CidrBlock": "10.0.8.0/24", "Egress": egress,
                                   "Protocol": "1", "IcmpTypeCode": {"Code": -1, "Type": -1},
                                   "RuleAction": "deny", "RuleNumber": number})
json.dump(doc, open(path, "w"), indent=1)
path = path.replace("network-acls.json", "security-groups.json")
doc = json.load(open(path))
for group in doc["SecurityGroups"]:
    if group["GroupId"] == "sg-0a1b2c3d4e5f60012":
        group["IpPermissions"].append({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
                                       "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                                       "Ipv6Ranges": [], "PrefixListIds": [],
                                       "UserIdGroupPairs": []})
json.dump(doc, open(path, "w"), indent=1)
EOF
check "fw apply with the checks of db1 and app1 off and the rules 80" fw apply

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

# IPv6: the route to fd00:99::/64 targets app1's ENI (subnet 2); web1's
# TCP 8080 (which app1's group admits from sg-web) enters subnet 2.
in_ns "$R" ip -6 route add fd00:99::/64 via fd00:10:0:2::20
in_ns "$APP1" ip addr add fd00:99::9/128 dev lo
before=$(counter denied_acl_inbound)
check_eq "web1 to app1 [fd00:10:0:2::20]:8080: subnet 2's inbound rule 80 denies it" deny \
	"$(reach "$WEB1" tcp fd00:10:0:2::20 8080)"
check_eq "... by the inbound ACL (denied_acl_inbound)" moved "$(moved denied_acl_inbound "$before")"
before=$(counter denied_acl_inbound)
check_eq "web1 to [fd00:99::9]:8080 through app1: subnet 2's inbound rule 80 denies it" deny \
	"$(reach "$WEB1" tcp fd00:99::9 8080)"
check_eq "... by the inbound ACL (denied_acl_inbound)" moved "$(moved denied_acl_inbound "$before")"

# Bridged to app1's MAC, 10.0.8.8 (app2's route via app1) stays in subnet
# 2, and so does app1's reply from it: no ACL judges either, though rules
# 80 and 81 would by address.
in_ns "$APP2" ip route add 10.0.8.8/32 via 10.0.2.20
in_ns "$APP1" ip addr add 10.0.8.8/32 dev lo
before_in=$(counter denied_acl_inbound) before_out=$(counter denied_acl_outbound)
check_eq "app2 pings 10.0.8.8 through app1, bridged: no ACL judges it" allow \
	"$(pings "$APP2" 10.0.8.8)"
check_eq "... and no ACL counted a drop" "still $before_in still $before_out" \
	"$(moved denied_acl_inbound "$before_in") $(moved denied_acl_outbound "$before_out")"

# fw explain cannot know the route: it says what it assumes.
check_contains "explain says it assumes db1 and app1 forward nothing" \
	"assumes no ENI with the source/destination check off (eni-0a1b2c3d4e5f60052, eni-0a1b2c3d4e5f60054) receives it" \
	"$(fw explain icmp 10.0.2.200 to 10.0.9.9)"

check "fw delete" fw delete
finish
