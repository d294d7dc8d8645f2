#!/bin/sh
# Security groups and network ACLs with real packets: the VPC of
# examples/aws as a lab (`bulwark lab up --aws`), enforced by `fw apply` on
# the host that routes between its subnets and bridges within them. For
# every packet, three answers must agree: AWS's semantics (written down here), `fw
# explain` (the model), and what the kernel did.
. "$(dirname "$0")/lib.sh"
require_netns

. "$(dirname "$0")/vpc_lab.sh"
check "fw apply again in the host that routes and bridges the VPC" fw apply
check_eq "bridged IPv4 goes through the forward hook" 1 \
	"$(sysctl_in "$R" net/bridge/bridge-nf-call-iptables)"

addr_of() { # NODE FAMILY
	case "$1/$2" in
	web1/4) echo 10.0.1.10 ;; web1/6) echo fd00:10:0:1::10 ;;
	app1/4) echo 10.0.2.20 ;; app1/6) echo fd00:10:0:2::20 ;;
	app2/4) echo 10.0.2.200 ;;
	db1/4) echo 10.0.3.30 ;;
	inet/4) echo 203.0.113.1 ;; inet/6) echo 2001:db8:113::1 ;;
	esac
}
endpoint() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }
verdict() { "$BULWARK" fw explain --aws "$AWS" "$@" 2>&1 | head -n 1; }
# denier ARGS...: the drop counter the kernel moves for the packet explain
# denies: the ACLs (chain nacl, first) before the groups, outbound before
# inbound, egress before ingress; "" when explain allows it.
denier() {
	steps=$("$BULWARK" fw explain --aws "$AWS" "$@" 2>&1 | sed -n 's/^  \([a-z]*\) of .*: denied.*/\1/p')
	for dir in outbound inbound egress ingress; do
		case " $(echo $steps) " in *" $dir "*)
			case $dir in
			outbound) echo denied_acl_outbound ;; inbound) echo denied_acl_inbound ;;
			egress) echo denied_sg_egress ;; ingress) echo denied_sg_ingress ;;
			esac
			return ;;
		esac
	done
}
counter() { in_ns "$R" nft list counter inet bulwark_vpc "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
next_sport=41000

# flow EXPECT PROTO SRC DST FAMILY PORT [SPORT]: a TCP connection or a UDP
# exchange. The model's verdict: the request as a new flow AND the reply as
# part of the tracked flow (security groups are stateful, ACLs are not).
flow() {
	expect=$1 proto=$2 src=$3 dst=$4 fam=$5 port=$6
	next_sport=$((next_sport + 1))
	sport=${7:-$next_sport}
	s=$(addr_of "$src" "$fam") d=$(addr_of "$dst" "$fam")
	request=$(verdict "$proto $(endpoint "$s" "$sport") > $(endpoint "$d" "$port")")
	reply=$(verdict --established "$proto $(endpoint "$d" "$port") > $(endpoint "$s" "$sport")")
	model=deny
	[ "$request" = allow ] && [ "$reply" = allow ] && model=allow
	# The counter of what explain says denies: the request's, else the reply's.
	by=$(denier "$proto $(endpoint "$s" "$sport") > $(endpoint "$d" "$port")")
	[ -n "$by" ] || by=$(denier --established "$proto $(endpoint "$d" "$port") > $(endpoint "$s" "$sport")")
	before=$(counter "${by:-denied_sg_egress}")
	if BW_PEER_WAIT_MS=1500 in_ns "$(ns_of "$src")" "$PEER" ask "$proto" "$d" "$port" "$sport" \
		>/dev/null 2>&1; then kernel=allow; else kernel=deny; fi
	# A denial counts only if the drop counter of what denies it moved.
	[ "$kernel" = deny ] && { [ -z "$by" ] || [ "$(counter "$by")" -le "$before" ]; } &&
		kernel="fail-without-${by:-a}-drop"
	check_eq "$proto $src > $dst:$port IPv$fam${7:+ from port $7}: want $expect; explain $model; kernel $kernel" \
		"$expect $expect" "$model $kernel"
}

# ping EXPECT SRC DST FAMILY: an echo request and its reply.
ping_case() {
	expect=$1 src=$2 dst=$3 fam=$4
	s=$(addr_of "$src" "$fam") d=$(addr_of "$dst" "$fam")
	if [ "$fam" = 4 ]; then
		request=$(verdict "icmp $s > $d type 8 code 0")
		reply=$(verdict --established "icmp $d > $s type 0 code 0")
	else
		request=$(verdict "icmpv6 $s > $d type 128 code 0")
		reply=$(verdict --established "icmpv6 $d > $s type 129 code 0")
	fi
	model=deny
	[ "$request" = allow ] && [ "$reply" = allow ] && model=allow
	if [ "$fam" = 4 ]; then
		by=$(denier "icmp $s > $d type 8 code 0")
		[ -n "$by" ] || by=$(denier --established "icmp $d > $s type 0 code 0")
	else
		by=$(denier "icmpv6 $s > $d type 128 code 0")
		[ -n "$by" ] || by=$(denier --established "icmpv6 $d > $s type 129 code 0")
	fi
	before=$(counter "${by:-denied_sg_egress}")
	if in_ns "$(ns_of "$src")" ping -"$fam" -c 1 -W 1 "$d" >/dev/null 2>&1; then
		kernel=allow; else kernel=deny; fi
	[ "$kernel" = deny ] && { [ -z "$by" ] || [ "$(counter "$by")" -le "$before" ]; } &&
		kernel="fail-without-${by:-a}-drop"
	check_eq "ping $src > $dst IPv$fam: want $expect; explain $model; kernel $kernel" \
		"$expect $expect" "$model $kernel"
}

# From outside every subnet: only the instance's ingress and its subnet's
# inbound ACL judge.
flow allow tcp inet web1 4 443
flow allow tcp inet web1 6 80
flow deny tcp inet web1 4 22         # ssh only from 10.0.1.0/24
flow deny tcp inet web1 4 8080       # no rule
ping_case deny inet db1 4            # db allows ICMP from 10.0.0.0/16 only
ping_case deny inet web1 6           # web allows ICMPv6 echo from fd00:10::/56 only

# Egress AND ingress, each the union over the ENI's groups.
flow allow tcp web1 app1 4 8080      # app: 8080 from members of sg-web
flow allow tcp web1 app1 6 8080      # ... IPv6 addresses of members too
flow allow tcp web1 app1 4 22        # app: 22 from prefix list 10.0.1.0/28
flow deny tcp web1 app1 6 22         # the prefix list has no IPv6 range
flow deny tcp db1 app1 4 8080        # db: no egress rule at all
flow allow udp web1 inet 4 5353      # web: all egress; the reply is tracked
flow deny udp app1 inet 4 5353       # app: udp egress only to 10.0.0.2
ping_case allow web1 db1 4           # ICMP allowed by both groups and ACLs

# Network ACLs: stateless, first match by rule number, replies judged too.
flow allow tcp app1 db1 4 5432       # ACL 100 in; reply to 41xxx out (1024-65535)
flow deny tcp app2 db1 4 5432        # ACL 90 denies 10.0.2.128/25 before 100 allows
flow deny tcp app1 db1 4 5432 1000   # the reply to port 1000 meets the * deny
ping_case allow app1 db1 4           # ACL 120 in, 110 out

# Within a subnet the ACL does not apply; the groups still do.
flow deny tcp app1 app2 4 8080       # app allows 8080 from sg-web only
flow deny tcp app2 app1 4 22         # 10.0.2.200 is not in the prefix list
ping_case deny app1 app2 4           # app: no ICMP ingress

check "fw delete" fw delete
check "without the table, what the ACL denied passes" \
	in_ns "$(ns_of app2)" "$PEER" ask tcp 10.0.3.30 5432
finish
