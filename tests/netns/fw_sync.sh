#!/bin/sh
# fw sync: the VPC of examples/aws read from a test EC2 endpoint
# (tests/tools/fake_ec2.py, answering from a copy of the folder, two items
# a page) on the lab's router. It loads what fw apply --aws loads for the
# same data; a second sync changes nothing; a rule authorized or revoked on
# the endpoint (by the real AWS CLI) is enforced after the next sync, proven
# with packets and drop counters; a failed page leaves the firewall and the
# kept folder as they were; --vpc picks one VPC of two; --interval loops
# until SIGTERM. The AWS CLI reads every describe-* of the endpoint as the
# very JSON of the folder, and bulwark's converted documents are that JSON.
. "$(dirname "$0")/lib.sh"
require_netns
for tool in python3 openssl; do
	command -v $tool >/dev/null || skip_all "needs $tool"
done
TWO_VPCS=$(cd "$(dirname "$0")/../aws/two-vpcs" && pwd)

. "$(dirname "$0")/vpc_lab.sh"
connects() { BW_PEER_WAIT_MS=1500 in_ns "$(ns_of "$1")" "$PEER" ask tcp "$2" "$3" >/dev/null 2>&1; }
table_handle() { in_ns "$R" nft -a list table inet bulwark_vpc | sed -n '1s/.*# handle \([0-9]*\).*/\1/p'; }
counter() { in_ns "$R" nft list counter inet bulwark_vpc "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
set_handle() { in_ns "$R" nft -a list set inet bulwark_vpc "$1" | sed -n 's/.*set '"$1"' { # handle \([0-9]*\).*/\1/p'; }
# The kernel's ruleset generation (NFT_MSG_GETGEN): it moves with every
# transaction anyone commits, and asking changes nothing.
generation() { in_ns "$R" python3 -c '
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0))
# nlmsghdr: NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN, NLM_F_REQUEST; nfgenmsg
s.send(struct.pack("=IHHII", 20, (10 << 8) | 16, 1, 1, 0) + struct.pack("=BBH", 0, 0, 0))
reply = s.recv(65536)
at = 16 + 4
while at + 4 <= len(reply):
    length, kind = struct.unpack_from("=HH", reply, at)
    if kind & 0x7fff == 1:  # NFTA_GEN_ID
        print(struct.unpack_from(">I", reply, at + 4)[0])
        break
    at += (length + 3) & ~3
'; }
KEPT="$LAB_STATE/sync"
VPC=vpc-0a1b2c3d4e5f60000
WEB=sg-0a1b2c3d4e5f60011

. "$(dirname "$0")/fake_ec2_lib.sh"
ec2_certs

# What the endpoint serves: a copy of the VPC the lab runs.
EC2="$SCRATCH/ec2"
cp -r "$AWS" "$EC2"
MODEL="$SCRATCH/model.json"
FAULTS="$SCRATCH/faults.json"
LOG="$SCRATCH/calls.log"
write_model() { # write_model VPC_DIR
	cat >"$MODEL" <<JSON
{"instance_id": "i-0a1b2c3d4e5f60099", "region": "us-east-1", "mac": "02:00:0a:00:00:01",
 "account": "123456789012", "keys": {"$AKID": "$SECRET"},
 "role": {"name": "bulwark-fw", "AccessKeyId": "ASIABULWARKROLE00001",
          "SecretAccessKey": "$ROLE_SECRET", "Token": "$ROLE_TOKEN"},
 "enis": {"eni-0a1b2c3d4e5f60099": {"mac": "02:00:0a:00:00:01", "subnet": "subnet-0a1b2c3d4e5f60001",
          "vpc": "$VPC", "ip": "10.0.1.1", "attached_to": "i-0a1b2c3d4e5f60099", "device_index": 0}},
 "addresses": {}, "vpc_dir": "$1", "page_size": 2}
JSON
}
write_model "$EC2"
echo '{}' >"$FAULTS"
: >"$LOG"
ip -n "$R" addr add 169.254.169.254/32 dev lo
ec2_start "$R"
unset AWS_REGION AWS_DEFAULT_REGION
sync_() { in_ns "$R" "$BULWARK" fw sync --state-dir "$LAB_STATE" "$@"; }
calls() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "action" in e:
        print(e["action"], " ".join("%s=%s" % kv for kv in sorted(e["params"].items())), "signed" if e["signed"] else "UNSIGNED:" + e.get("why", ""))
' "$LOG"; }
# same_json A B [VPC]: whether two describe-* documents hold the same JSON
# (B's items of VPC only, when given).
same_json() { python3 - "$@" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
vpc = sys.argv[3] if len(sys.argv) > 3 else None
key = next(iter(a))
if vpc and key == "Reservations":
    b[key] = [dict(r, Instances=[i for i in r["Instances"] if i.get("VpcId") == vpc])
              for r in b[key]]
    b[key] = [r for r in b[key] if r["Instances"]]
elif vpc and key != "Entries":
    b[key] = [i for i in b[key] if i.get("VpcId") == vpc]
ids = {"Vpcs": "VpcId", "Subnets": "SubnetId", "SecurityGroups": "GroupId",
       "NetworkAcls": "NetworkAclId", "Reservations": "ReservationId",
       "NetworkInterfaces": "NetworkInterfaceId", "Entries": "Cidr"}
for d in (a, b):
    d[key] = sorted(d[key], key=lambda i: i.get(ids[key], ""))
if a != b:
    print(json.dumps(a, sort_keys=True, indent=1))
    print("----")
    print(json.dumps(b, sort_keys=True, indent=1))
    sys.exit(1)
PY
}
FILES="vpcs subnets security-groups network-acls instances network-interfaces"

# ---- the real AWS CLI reads the endpoint's replies as the folder's JSON ----
if command -v aws >/dev/null; then
	# Debian 12's awscli (2.9) predates AWS_ENDPOINT_URL_EC2: name the endpoint.
	awsc() { in_ns "$R" aws --region us-east-1 --endpoint-url "$AWS_ENDPOINT_URL_EC2" \
		--output json ec2 "$@"; }
	for f in $FILES; do
		awsc "describe-$f" --filters "Name=vpc-id,Values=$VPC" >"$SCRATCH/cli-$f.json" 2>&1
		check "aws ec2 describe-$f (two items a page, vpc-id filter) prints the folder's JSON" \
			same_json "$SCRATCH/cli-$f.json" "$EC2/$f.json" "$VPC"
	done
	for pl in "$EC2"/prefix-lists/pl-*.json; do
		id=$(basename "$pl" .json)
		awsc get-managed-prefix-list-entries --prefix-list-id "$id" >"$SCRATCH/cli-$id.json" 2>&1
		check "aws ec2 get-managed-prefix-list-entries $id prints the folder's JSON" \
			same_json "$SCRATCH/cli-$id.json" "$pl"
	done
	check_eq "the endpoint verified the AWS CLI's SigV4 signatures" "" "$(calls | grep -v ' signed$')"
	check_contains "... which followed NextToken" "NextToken=fake-token-2" "$(calls)"
else
	not_ok "the AWS CLI is installed (scripts/setup.sh installs awscli)"
fi

# ---- the first sync: the host's own VPC and region from IMDS ---------------
lab_ruleset=$(in_ns "$R" nft list table inet bulwark_vpc)
: >"$LOG"
sync_ >"$SCRATCH/sync1" 2>&1
check_eq "fw sync exits 0" 0 "$?"
check_contains "... the VPC and region from IMDS (no --vpc, no AWS_REGION)" \
	"fw sync: $VPC from https://localhost" "$(cat "$SCRATCH/sync1")"
check_contains "... IMDS was asked for the primary interface's VPC" \
	"/latest/meta-data/network/interfaces/macs/02:00:0a:00:00:01/vpc-id" "$(cat "$LOG")"
for action in DescribeVpcs DescribeSubnets DescribeSecurityGroups DescribeNetworkAcls \
	DescribeInstances DescribeNetworkInterfaces; do
	check_contains "$action: filtered to the VPC, MaxResults, signed" \
		"$action Filter.1.Name=vpc-id Filter.1.Value.1=$VPC MaxResults=1000 signed" "$(calls)"
done
check_contains "a later page asks with the NextToken of the one before" \
	"DescribeSecurityGroups Filter.1.Name=vpc-id Filter.1.Value.1=$VPC MaxResults=1000 NextToken=fake-token-2 signed" \
	"$(calls)"
check_contains "the referenced prefix list's entries" \
	"GetManagedPrefixListEntries MaxResults=100 PrefixListId=pl-0a1b2c3d4e5f60041 signed" "$(calls)"
for f in $FILES; do
	check "bulwark's $f.json is the JSON the AWS CLI prints" \
		same_json "$KEPT/$f.json" "$EC2/$f.json" "$VPC"
done
check "bulwark's prefix list is the JSON the AWS CLI prints" \
	same_json "$KEPT/prefix-lists/pl-0a1b2c3d4e5f60041.json" "$EC2/prefix-lists/pl-0a1b2c3d4e5f60041.json"
check_eq "what sync keeps renders the ruleset fw apply --aws renders" \
	"$(fw render 2>&1)" "$(in_ns "$R" "$BULWARK" fw render --aws "$KEPT" 2>&1)"
check_contains "fw status: loaded from the kept folder" "$KEPT" "$(fw status)"
check_eq "the loaded ruleset is the one fw apply --aws loaded (lab up)" \
	"$lab_ruleset" "$(in_ns "$R" nft list table inet bulwark_vpc)"

# ---- nothing changed: nothing loaded --------------------------------------
handle=$(table_handle)
gen=$(generation)
inodes() { for f in $FILES; do printf '%s=%s ' "$f" "$(stat -c %i "$KEPT/$f.json")"; done; }
kept_inodes=$(inodes)
kept_pl=$(stat -c %i "$KEPT/prefix-lists/pl-0a1b2c3d4e5f60041.json")
sync_ >"$SCRATCH/sync2" 2>&1
check_eq "a second sync exits 0" 0 "$?"
check_contains "... and says nothing changed" "fw: unchanged" "$(cat "$SCRATCH/sync2")"
check_eq "... no kept file written again (their inodes)" "$kept_inodes" "$(inodes)"
check_eq "... nor the kept prefix list" "$kept_pl" "$(stat -c %i "$KEPT/prefix-lists/pl-0a1b2c3d4e5f60041.json")"
check_eq "... the table was not loaded again" "$handle" "$(table_handle)"
check_eq "... no transaction at all: the ruleset's generation did not move" "$gen" "$(generation)"

# ---- through an HTTPS proxy --------------------------------------------------
# https_proxy (and http_proxy: IMDS is plain http) point at a CONNECT proxy
# on the router's loopback that records what it is asked.
proxy_start "$R"
: >"$LOG"
https_proxy="$PROXY" http_proxy="$PROXY" sync_ >"$SCRATCH/sync-proxy" 2>&1
check_eq "fw sync through https_proxy: exit 0" 0 "$?"
check_contains "... unchanged" "fw: unchanged" "$(cat "$SCRATCH/sync-proxy")"
check_eq "... the proxy was only asked to CONNECT to the endpoint (IMDS never)" \
	"CONNECT localhost:443 HTTP/1.1" "$(sort -u "$PROXY_LOG")"
check_eq "... once for each EC2 call" "$(calls | wc -l)" "$(wc -l <"$PROXY_LOG")"

# ---- the instance role's credentials; throttling retried -------------------
: >"$LOG"
echo '{"ec2": {"DescribeSubnets": ["Throttle"], "DescribeNetworkAcls": ["500"]}}' >"$FAULTS"
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	sync_ >"$SCRATCH/sync-role" 2>&1
	echo $? >"$SCRATCH/sync-role.rc"
)
check_eq "no keys in the environment, a throttled and a failed call: exit 0" 0 "$(cat "$SCRATCH/sync-role.rc")"
check_contains "... unchanged" "fw: unchanged" "$(cat "$SCRATCH/sync-role")"
check_eq "... every call signed with the role's key and token" "" "$(calls | grep -v ' signed$')"
check_eq "... the throttled DescribeSubnets tried again (two pages: three calls)" 3 \
	"$(calls | grep -c '^DescribeSubnets ')"
check_eq "... the failed DescribeNetworkAcls tried again" 2 "$(calls | grep -c '^DescribeNetworkAcls ')"
echo '{}' >"$FAULTS"
# AWS_ACCESS_KEY_ID set but empty is unset, as in the AWS SDKs: the role's.
: >"$LOG"
AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= sync_ >"$SCRATCH/sync-role-empty" 2>&1
check_eq "AWS_ACCESS_KEY_ID set but empty: the instance role's keys, exit 0" 0 "$?"
check_contains "... unchanged" "fw: unchanged" "$(cat "$SCRATCH/sync-role-empty")"
check_contains "... IMDS was asked for the role" "/latest/meta-data/iam/security-credentials/bulwark-fw" \
	"$(cat "$LOG")"
check_eq "... every call signed with the role's key and token" "" "$(calls | grep -v ' signed$')"

# ---- a rule authorized on the endpoint is enforced after the next sync ----
drops=$(counter denied_sg_ingress)
if connects inet 10.0.1.10 8080; then not_ok "before: inet cannot reach web1:8080"; else ok "before: inet cannot reach web1:8080"; fi
check "... and the group's drop counter proves it" test "$(counter denied_sg_ingress)" -gt "$drops"
if command -v aws >/dev/null; then
	check "aws ec2 authorize-security-group-ingress on the endpoint" \
		awsc authorize-security-group-ingress --group-id "$WEB" --protocol tcp --port 8080 \
		--cidr 203.0.113.0/24
else
	python3 - "$EC2/security-groups.json" "$WEB" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = next(g for g in d["SecurityGroups"] if g["GroupId"] == sys.argv[2])
g["IpPermissions"].append({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                           "IpRanges": [{"CidrIp": "203.0.113.0/24"}]})
json.dump(d, open(sys.argv[1], "w"))
PY
fi
if connects inet 10.0.1.10 8080; then not_ok "not before the next sync"; else ok "not before the next sync"; fi
handle=$(table_handle)
untouched=$(set_handle sg1_in_ports_v4)
changed=$(set_handle sg0_in_ports_v4)
gen=$(generation)
kept_inodes=$(inodes)
sync_ >"$SCRATCH/sync3" 2>&1
check_eq "the next sync exits 0" 0 "$?"
check_contains "... and loads only what changed" "loaded 1 objects changed" "$(cat "$SCRATCH/sync3")"
check_eq "... in one transaction" "$((gen + 1))" "$(generation)"
check_eq "... into the same table (its handle)" "$handle" "$(table_handle)"
check_eq "... another group's set untouched (its handle)" "$untouched" "$(set_handle sg1_in_ports_v4)"
check_eq "... the edited group's set refilled in place (its handle)" "$changed" "$(set_handle sg0_in_ports_v4)"
check "after it: inet reaches web1:8080" connects inet 10.0.1.10 8080
check_contains "... the kept file has the rule" '"CidrIp": "203.0.113.0/24"' "$(cat "$KEPT/security-groups.json")"
check_eq "... only security-groups.json written again (the kept files' inodes)" \
	"$(printf '%s\n' "$kept_inodes" | sed 's/security-groups=[0-9]*//')" "$(inodes | sed 's/security-groups=[0-9]*//')"
check "... which was (its inode)" test "$(printf '%s\n' "$kept_inodes" | sed -n 's/.*security-groups=\([0-9]*\).*/\1/p')" \
	!= "$(stat -c %i "$KEPT/security-groups.json")"
if command -v aws >/dev/null; then
	check "aws ec2 revoke-security-group-ingress on the endpoint" \
		awsc revoke-security-group-ingress --group-id "$WEB" --protocol tcp --port 8080 \
		--cidr 203.0.113.0/24
	check "the next sync" sync_
	drops=$(counter denied_sg_ingress)
	if connects inet 10.0.1.10 8080; then not_ok "after the revoke: inet cannot reach web1:8080"; else ok "after the revoke: inet cannot reach web1:8080"; fi
	check "... the drop counter moved" test "$(counter denied_sg_ingress)" -gt "$drops"
	check_eq "... and the ruleset is fw apply --aws's again" \
		"$(fw render 2>&1)" "$(in_ns "$R" "$BULWARK" fw render --aws "$KEPT" 2>&1)"
fi

# ---- a failed page leaves the firewall and the kept folder -----------------
# fail_round DESC FAULTS NEEDLE
fail_round() {
	handle=$(table_handle)
	kept=$(cat "$KEPT"/*.json | cksum)
	echo "$2" >"$FAULTS"
	sync_ >"$SCRATCH/out" 2>"$SCRATCH/err"
	check_eq "$1: exit 1" 1 "$?"
	check_contains "$1: says why" "$3" "$(cat "$SCRATCH/err")"
	check_eq "$1: the table was not touched" "$handle" "$(table_handle)"
	check_eq "$1: the kept folder is as it was" "$kept" "$(cat "$KEPT"/*.json | cksum)"
	check_eq "$1: nothing says it loaded" "" "$(grep '^fw: ' "$SCRATCH/out")"
	echo '{}' >"$FAULTS"
}
# Authorized again on the endpoint: a round that loaded anything would open 8080.
python3 - "$EC2/security-groups.json" "$WEB" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = next(g for g in d["SecurityGroups"] if g["GroupId"] == sys.argv[2])
g["IpPermissions"].append({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                           "IpRanges": [{"CidrIp": "203.0.113.0/24"}]})
json.dump(d, open(sys.argv[1], "w"))
PY
fail_round "the second page of DescribeSecurityGroups refused" \
	'{"ec2": {"DescribeSecurityGroups": ["ok", "AuthFailure"]}}' \
	"bulwark: ec2 DescribeSecurityGroups: UnauthorizedOperation: You are not authorized"
fail_round "a malformed page of DescribeInstances" \
	'{"ec2": {"DescribeInstances": ["ok", "malformed"]}}' "bulwark: ec2 DescribeInstances: "
fail_round "the prefix list's entries failing every try" \
	'{"ec2": {"GetManagedPrefixListEntries": ["500", "500", "500", "500"]}}' \
	"bulwark: ec2 GetManagedPrefixListEntries: HTTP 500"
# No reply at all, every try: each try times out (BULWARK_EC2_TRY_TIMEOUT_MS
# shortens bulwark's 15 s wait, for the test).
export BULWARK_EC2_TRY_TIMEOUT_MS=1000
: >"$LOG"
fail_round "DescribeVpcs timing out every try" \
	'{"ec2": {"DescribeVpcs": ["hang", "hang", "hang", "hang"]}}' \
	"bulwark: ec2 DescribeVpcs: https://localhost: Timeout was reached"
check_eq "... in one line" 1 "$(wc -l <"$SCRATCH/err")"
check_eq "... after four tries" 4 "$(calls | grep -c '^DescribeVpcs ')"
unset BULWARK_EC2_TRY_TIMEOUT_MS
if connects inet 10.0.1.10 8080; then not_ok "no failed round opened 8080"; else ok "no failed round opened 8080"; fi

# ---- --interval: rounds until SIGTERM; a failed round is tried again -------
echo '{"ec2": {"DescribeVpcs": ["AuthFailure"]}}' >"$FAULTS"
ip netns exec "$R" "$BULWARK" fw sync --state-dir "$LAB_STATE" --vpc "$VPC" --interval 1 \
	>"$SCRATCH/loop.out" 2>"$SCRATCH/loop.err" &
looper=$!
on_exit "kill $looper 2>/dev/null"
for _ in $(seq 600); do # polled; the deadline only stops a broken test
	grep -q '^fw: ' "$SCRATCH/loop.out" && break
	sleep 0.05
done
check_contains "--interval: the failed round is told" "; the loaded firewall is as it was; next try in 1 s" \
	"$(cat "$SCRATCH/loop.err")"
check_contains "... the next round loads" "fw: enforcing" "$(cat "$SCRATCH/loop.out")"
check "... and inet reaches web1:8080" connects inet 10.0.1.10 8080
kill -TERM "$looper"
wait "$looper"
check_eq "SIGTERM: exit 0" 0 "$?"
check_contains "... says it stops" "fw sync: SIGTERM: stopping" "$(cat "$SCRATCH/loop.out")"

# ---- --vpc: one VPC of two; --dry-run changes nothing -----------------------
write_model "$TWO_VPCS"
handle=$(table_handle)
for vpc in vpc-0a1b2c3d4e5f60000 vpc-0f1e2d3c4b5a69999; do
	: >"$LOG"
	in_ns "$R" "$BULWARK" fw sync --state-dir "$SCRATCH/dry" --vpc "$vpc" --dry-run \
		>"$SCRATCH/dry.out" 2>"$SCRATCH/dry.err"
	check_eq "--vpc $vpc --dry-run: exit 0" 0 "$?"
	check_eq "... every call filtered to it" "" \
		"$(calls | grep Describe | grep -v "Filter.1.Value.1=$vpc ")"
	sed -n '/^would load/,$p' "$SCRATCH/dry.out" | sed 1d >"$SCRATCH/dry.rules"
	check_eq "... would load what fw apply --aws --vpc would" \
		"$(in_ns "$R" "$BULWARK" fw render --aws "$TWO_VPCS" --vpc "$vpc" 2>/dev/null)" \
		"$(cat "$SCRATCH/dry.rules")"
	check_eq "... and kept nothing" "" "$(ls "$SCRATCH/dry" 2>/dev/null)"
done
check_eq "--dry-run left the loaded table" "$handle" "$(table_handle)"
out=$(in_ns "$R" "$BULWARK" fw sync --vpc vpc-nothex --state-dir "$LAB_STATE" 2>&1)
check_eq "a --vpc that is no VPC id: exit 2" 2 "$?"
check_contains "... says so" "is not a VPC id" "$out"
out=$(in_ns "$R" "$BULWARK" fw sync --interval 0 --state-dir "$LAB_STATE" 2>&1)
check_eq "--interval 0: exit 2" 2 "$?"

# ---- credentials never appear ------------------------------------------------
cat "$SCRATCH"/sync* "$SCRATCH"/out "$SCRATCH"/err "$SCRATCH"/loop.* "$KEPT"/*.json >"$SCRATCH/all" 2>/dev/null
for secret in "$SECRET" "$ROLE_SECRET" "$ROLE_TOKEN"; do
	check_eq "no output holds a secret (${secret%%0*})" 0 "$(grep -c "$secret" "$SCRATCH/all")"
done
finish
