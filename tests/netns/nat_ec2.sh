#!/bin/sh
# nat up on EC2 against a test IMDS and EC2 endpoint (tests/tools/fake_ec2.py)
# inside the gateway's namespace: IMDS at 169.254.169.254, EC2 at
# https://localhost with a CA made here. The static ENI is a veth the test
# server moves into the gateway's namespace when it is "attached"; bulwark
# must find it by its MAC. Retries, every error path (one line, exit 1, the
# host as it was, EC2 changes named; an ENI held for good and a link that
# never shows up given up on in bounded time), credentials never shown, the
# EC2 calls through an HTTPS proxy and IMDS never, the real AWS CLI parsing
# every kind of reply of the test endpoint and taking the instance role and
# region from the test IMDS.
. "$(dirname "$0")/lib.sh"
require_netns
for tool in python3 openssl; do
	command -v $tool >/dev/null || skip_all "needs $tool"
done
. "$(dirname "$0")/fake_ec2_lib.sh"

nat_gateway
H="$PREFIX-hold" # where the ENI waits to be attached
P="$PREFIX-pv"   # a private instance behind the ENI
new_ns "$H"
new_ns "$P"
ENI_MAC=02:00:0e:00:00:01
# The ENI's end has a name nobody would guess: bulwark finds it by MAC.
ip link add ens9zz address $ENI_MAC netns "$H" type veth peer name eth0 netns "$P"
ip -n "$P" addr add 10.0.1.10/24 dev eth0
ip -n "$P" link set eth0 up
ip -n "$P" route add default via 10.0.1.1
# A link of the gateway's own with the ENI's MAC whose peer is here too (as
# a stacked link would): listed first, it must never be taken, even when
# the ENI's own link does not show up.
ip -n "$G" link add aa0 address $ENI_MAC type veth peer name aa1
ip -n "$G" addr add 169.254.169.254/32 dev lo
for k in all default eth0; do
	ip netns exec "$G" sh -c "echo 1 >/proc/sys/net/ipv4/conf/$k/rp_filter"
done

ec2_certs ec2-fips.us-east-1.amazonaws.com

INSTANCE=i-0123456789abcdef0
PRIMARY=eni-0aaaaaaaaaaaaaaa1
ENI=eni-0bbbbbbbbbbbbbbb2
EIP=eipalloc-0ccccccccccccccc3
MODEL="$SCRATCH/model.json"
FAULTS="$SCRATCH/faults.json"
LOG="$SCRATCH/calls.log"

# What terraform-aws-fck-nat, cdk-fck-nat and fck-nat's docs grant the
# instance role: no Describe* at all.
IAM_ALLOW='["AttachNetworkInterface", "ModifyNetworkInterfaceAttribute", "AssociateAddress", "DisassociateAddress"]'
# write_model: the ENI detached and waiting in H, the EIP unassociated.
write_model() {
	cat >"$MODEL" <<JSON
{"instance_id": "$INSTANCE", "region": "us-east-1", "mac": "02:00:0a:00:00:01",
 "account": "123456789012", "keys": {"$AKID": "$SECRET"},
 "role": {"name": "bulwark-nat", "AccessKeyId": "ASIABULWARKROLE00001",
          "SecretAccessKey": "$ROLE_SECRET", "Token": "$ROLE_TOKEN"},
 "enis": {
  "$PRIMARY": {"mac": "02:00:0a:00:00:01", "subnet": "subnet-0123456789abcdef0",
               "vpc": "vpc-0123456789abcdef0", "ip": "198.51.100.2",
               "attached_to": "$INSTANCE", "device_index": 0},
  "$ENI": {"mac": "$ENI_MAC", "subnet": "subnet-0123456789abcdef1",
           "vpc": "vpc-0123456789abcdef0", "ip": "10.0.1.1", "attached_to": null,
           "on_attach": "ip -n $H link set ens9zz netns $G && ip addr add 10.0.1.1/24 dev ens9zz && ip link set ens9zz up && echo 1 >/proc/sys/net/ipv4/conf/ens9zz/rp_filter"}},
 "addresses": {"$EIP": {"public_ip": "203.0.113.50", "association": null}},
 "iam_allow": $IAM_ALLOW}
JSON
	echo '{}' >"$FAULTS"
	: >"$LOG"
}
write_model
# The ENI back where it waits (after a test that attached it).
detach() {
	ip -n "$G" link set ens9zz netns "$H" 2>/dev/null
	write_model
}

ec2_start "$G"
cat >"$SCRATCH/ha.conf" <<EOF2
eni_id=$ENI
eip_id=$EIP
EOF2
calls() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "action" in e:
        print(e["action"], " ".join("%s=%s" % kv for kv in sorted(e["params"].items())), "signed" if e["signed"] else "UNSIGNED:" + e.get("why", ""))
' "$LOG"; }
host_state() {
	in_ns "$G" nft list ruleset
	for k in all default eth0 lo; do
		printf '%s=%s\n' "$k" "$(sysctl_in "$G" net/ipv4/conf/$k/rp_filter 2>/dev/null)"
	done
	printf 'ip_forward=%s\n' "$(sysctl_in "$G" net/ipv4/ip_forward)"
	ls "$STATE" 2>/dev/null
}

# ---- the whole HA bring-up, through a retry at every step ---------------
cat >"$FAULTS" <<'JSON'
{"imds": {"/latest/api/token": ["500"], "/latest/meta-data/mac": ["drop"],
          "/latest/meta-data/placement/region": ["401"]},
 "ec2": {"ModifyNetworkInterfaceAttribute": ["Throttle"],
         "AttachNetworkInterface": ["InUse", "IncorrectState"],
         "AssociateAddress": ["500", "drop"]}}
JSON
nat up --config "$SCRATCH/ha.conf" >"$SCRATCH/up.out" 2>"$SCRATCH/up.err"
check_eq "HA bring-up under fck-nat's IAM policy (no Describe*): nat up exits 0" 0 "$?"
cat "$SCRATCH/up.out" "$SCRATCH/up.err" >"$SCRATCH/all-output"
check_eq "every EC2 call is signed with SigV4, retried calls included" \
"ModifyNetworkInterfaceAttribute NetworkInterfaceId=$PRIMARY SourceDestCheck.Value=false signed
ModifyNetworkInterfaceAttribute NetworkInterfaceId=$PRIMARY SourceDestCheck.Value=false signed
AttachNetworkInterface DeviceIndex=1 InstanceId=$INSTANCE NetworkInterfaceId=$ENI signed
DescribeNetworkInterfaces NetworkInterfaceId.1=$ENI signed
AttachNetworkInterface DeviceIndex=1 InstanceId=$INSTANCE NetworkInterfaceId=$ENI signed
DescribeNetworkInterfaces NetworkInterfaceId.1=$ENI signed
AttachNetworkInterface DeviceIndex=1 InstanceId=$INSTANCE NetworkInterfaceId=$ENI signed
AssociateAddress AllocationId=$EIP AllowReassociation=true NetworkInterfaceId=$PRIMARY signed
AssociateAddress AllocationId=$EIP AllowReassociation=true NetworkInterfaceId=$PRIMARY signed
AssociateAddress AllocationId=$EIP AllowReassociation=true NetworkInterfaceId=$PRIMARY signed" \
	"$(calls)"
check_contains "IMDS at its default address (AWS_EC2_METADATA_SERVICE_ENDPOINT unset)" \
	'{"imds": "PUT /latest/api/token"}' "$(cat "$LOG")"
check_eq "an expired IMDS token (401) is replaced: a third PUT after the 500 and its retry" 3 \
	"$(grep -c '"PUT /latest/api/token"' "$LOG")"
check_contains "the InUse retries are told on stderr" "$ENI is still held (InvalidNetworkInterface.InUse)" \
	"$(cat "$SCRATCH/up.err")"
check_contains "the attached ENI was found by its MAC, not aa0 sharing the MAC" \
	"attached at device index 1 as ens9zz" "$(cat "$SCRATCH/up.out")"
check_eq "rp_filter 0 on every link, aa0 too" 0 \
	"$(sysctl_in "$G" net/ipv4/conf/aa0/rp_filter)"
check_eq "rp_filter 0 on the attached ENI" 0 "$(sysctl_in "$G" net/ipv4/conf/ens9zz/rp_filter)"
check_eq "rp_filter 0 on all" 0 "$(sysctl_in "$G" net/ipv4/conf/all/rp_filter)"
check_eq "rp_filter 0 on default" 0 "$(sysctl_in "$G" net/ipv4/conf/default/rp_filter)"
check_eq "source/dest check is off on the primary ENI (as the endpoint holds it)" False \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["enis"][sys.argv[2]].get("source_dest_check", True))' "$MODEL" "$PRIMARY")"

# Traffic from behind the ENI leaves masqueraded: the uplink has no route
# back to 10.0.1.0/24, so a reply comes back only through the NAT.
in_ns "${G}u" nft -f - <<'NFT'
table inet seen {
	chain input {
		type filter hook input priority 0;
		ip saddr 198.51.100.2 icmp type echo-request counter name from_gateway
		ip saddr 10.0.1.10 icmp type echo-request counter name from_private
	}
	counter from_gateway { }
	counter from_private { }
}
NFT
packets_of() {
	in_ns "${G}u" nft list counter inet seen "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
check "a private instance behind the attached ENI reaches the uplink" \
	in_ns "$P" ping -c 2 -W 2 198.51.100.1
check_eq "... masqueraded to the gateway's address" 2 "$(packets_of from_gateway)"
check_eq "... never with its own" 0 "$(packets_of from_private)"

nat status >"$SCRATCH/status" 2>&1
cat "$SCRATCH/status" >>"$SCRATCH/all-output"
st=$(cat "$SCRATCH/status")
check_contains "status: the instance" "$INSTANCE" "$st"
check_contains "status: the endpoint and why" "https://localhost (AWS_ENDPOINT_URL_EC2 is set)" "$st"
check_contains "status: the ENI and its link" "$ENI attached at device index 1 as ens9zz" "$st"
check_contains "status: the EIP" "$EIP associated with the primary eni (eipassoc-" "$st"
check_contains "status: the primary ENI" "$PRIMARY, source/dest check off" "$st"
nat status --json >"$SCRATCH/status.json" 2>&1
# While up: the state files and status --json, for the secrets check below.
cat "$SCRATCH/status.json" "$STATE"/* >>"$SCRATCH/all-output" 2>/dev/null
check "the state files are there to be checked for secrets" test -s "$STATE/ec2.json"
check_eq "status --json: ec2.eni_link" ens9zz \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ec2"]["eni_link"])' "$SCRATCH/status.json")"

# ---- already attached is fine -------------------------------------------
nat down >/dev/null 2>&1
check_eq "nat down puts rp_filter back on the attached ENI" 1 \
	"$(sysctl_in "$G" net/ipv4/conf/ens9zz/rp_filter)"
check_eq "... and on all" 1 "$(sysctl_in "$G" net/ipv4/conf/all/rp_filter)"
: >"$LOG"
nat up --config "$SCRATCH/ha.conf" >"$SCRATCH/up2.out" 2>&1
check_eq "nat up again, the ENI already attached: exit 0" 0 "$?"
cat "$SCRATCH/up2.out" >>"$SCRATCH/all-output"
check_contains "... says so" "$ENI was already attached at device index 1 as ens9zz" \
	"$(cat "$SCRATCH/up2.out")"
check_eq "... and does not attach it again" 0 "$(calls | grep -c AttachNetworkInterface)"
check_eq "... nor call EC2 to find it (IMDS knows)" 0 "$(calls | grep -c DescribeNetworkInterfaces)"

# ---- nat up again without EC2 keys: the EC2 record goes -------------------
: >"$SCRATCH/plain.conf"
nat up --config "$SCRATCH/plain.conf" >/dev/null 2>&1
check_eq "nat up with a configuration without EC2 keys: exit 0" 0 "$?"
check_eq "... status shows no ENI left from the earlier up" "" \
	"$(nat status 2>&1 | grep -E '^(eni|eip|instance) ')"
check_eq "... status --json: ec2 is null" None \
	"$(nat status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ec2"])')"
nat down >/dev/null 2>&1

# ---- the instance role's credentials ------------------------------------
detach
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	nat up --config "$SCRATCH/ha.conf" >"$SCRATCH/role.out" 2>&1
	echo $? >"$SCRATCH/role.rc"
)
cat "$SCRATCH/role.out" >>"$SCRATCH/all-output"
check_eq "with no keys in the environment, the instance role's: exit 0" 0 "$(cat "$SCRATCH/role.rc")"
check_eq "... every call signed with the role's key and token" "" "$(calls | grep -v ' signed$')"
nat status >>"$SCRATCH/all-output" 2>&1
check_contains "... status names the source" "instance role bulwark-nat" "$(nat status 2>&1)"
nat status --json >>"$SCRATCH/all-output" 2>&1
cat "$STATE"/* >>"$SCRATCH/all-output" 2>/dev/null

# ---- the ENI's link gone before nat down (HA takeover moved it away) ----
ip -n "$G" link set ens9zz netns "$H"
nat down >"$SCRATCH/down.out" 2>"$SCRATCH/down.err"
check_eq "nat down after the ENI's link left: exit 0" 0 "$?"
check_contains "... says what it could not restore" \
	"/proc/sys/net/ipv4/conf/ens9zz/rp_filter not restored: its link is gone" \
	"$(cat "$SCRATCH/down.err")"
check_eq "... the rest restored" 1 "$(sysctl_in "$G" net/ipv4/conf/all/rp_filter)"
check_eq "... and the state removed" "" "$(ls "$STATE" 2>/dev/null)"
check_eq "... the table gone" "" "$(in_ns "$G" nft list ruleset | grep bulwark_nat)"

# ---- the real AWS CLI reads every kind of reply of the test endpoint ----
if command -v aws >/dev/null; then
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.pop("iam_allow"); json.dump(m, open(sys.argv[1], "w"))' "$MODEL"
	awsc() { in_ns "$G" aws --region us-east-1 --endpoint-url https://localhost \
		--ca-bundle "$SCRATCH/ca.pem" --output json ec2 "$@"; }
	: >"$LOG"
	out=$(awsc describe-network-interfaces --network-interface-ids "$ENI" 2>&1)
	check_contains "aws ec2 describe-network-interfaces parses the reply" \
		"\"MacAddress\": \"$ENI_MAC\"" "$out"
	check_contains "... attachment included" "\"InstanceId\": \"$INSTANCE\"" "$out"
	out=$(awsc attach-network-interface --network-interface-id "$ENI" \
		--instance-id "$INSTANCE" --device-index 1 2>&1)
	check_contains "aws ec2 attach-network-interface: the error reply parses" \
		"An error occurred (InvalidNetworkInterface.InUse) when calling the AttachNetworkInterface operation: Interface: [$ENI] in use." "$out"
	out=$(awsc associate-address --allocation-id "$EIP" --network-interface-id "$PRIMARY" \
		--allow-reassociation 2>&1)
	check_contains "aws ec2 associate-address parses the reply" '"AssociationId": "eipassoc-' "$out"
	check "aws ec2 modify-network-interface-attribute parses the reply" \
		awsc modify-network-interface-attribute --network-interface-id "$PRIMARY" \
		--no-source-dest-check
	out=$(awsc describe-addresses 2>&1)
	check_contains "aws ec2 describe-addresses parses the reply" '"AllocationId": "'"$EIP"'"' "$out"
	check_eq "the test endpoint verified the AWS CLI's SigV4 signatures" "" \
		"$(calls | grep -v ' signed$')"
	check_eq "... of five calls" 5 "$(calls | wc -l)"
	detach
	out=$(awsc attach-network-interface --network-interface-id "$ENI" \
		--instance-id "$INSTANCE" --device-index 1 2>&1)
	check_contains "aws ec2 attach-network-interface parses the reply" '"AttachmentId": "eni-attach-' "$out"
	check_eq "... signed" "AttachNetworkInterface signed" "$(calls | sed 's/ .* / /')"
	# The CLI on its own (Debian's, when the PATH has another first): no
	# credentials, region, config or proxy but what the test IMDS gives.
	# AWS CLI 2.9 joins "latest/..." to the endpoint as it is: the slash.
	cli=aws
	[ -x /usr/bin/aws ] && cli=/usr/bin/aws
	mkdir -p "$SCRATCH/home"
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.pop("iam_allow"); json.dump(m, open(sys.argv[1], "w"))' "$MODEL"
	awsimds() { in_ns "$G" env -i PATH="$PATH" HOME="$SCRATCH/home" AWS_PAGER= \
		AWS_CONFIG_FILE="$SCRATCH/home/config" \
		AWS_SHARED_CREDENTIALS_FILE="$SCRATCH/home/credentials" \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=http://169.254.169.254/ \
		AWS_CA_BUNDLE="$SCRATCH/ca.pem" "$cli" "$@"; }
	: >"$LOG"
	out=$(awsimds configure list 2>&1)
	check_contains "aws configure list: the instance role's key, from the test IMDS" \
		"****************0001         iam-role" "$out"
	check_contains "... the region too (placement/availability-zone/)" "us-east-1             imds" "$out"
	out=$(awsimds ec2 describe-network-interfaces --network-interface-ids "$PRIMARY" \
		--endpoint-url https://localhost --output json 2>&1)
	check_contains "aws ec2 with the role's credentials and region from the test IMDS" \
		"\"NetworkInterfaceId\": \"$PRIMARY\"" "$out"
	check_eq "... the call signed with the role's key and token (the endpoint checked both)" \
		"DescribeNetworkInterfaces ASIABULWARKROLE00001 signed" \
		"$(python3 -c 'import json,sys; [print(e["action"], e.get("akid"), "signed" if e["signed"] else "UNSIGNED") for e in map(json.loads, open(sys.argv[1])) if "action" in e]' "$LOG")"
	check_contains "... the role's credentials asked of IMDS with a session token" \
		'{"imds": "PUT /latest/api/token"}
{"imds": "GET /latest/meta-data/iam/security-credentials/"}
{"imds": "GET /latest/meta-data/iam/security-credentials/bulwark-nat"}' "$(cat "$LOG")"
else
	not_ok "the AWS CLI is installed (scripts/setup.sh installs awscli)"
fi

# ---- every error path: one line, exit 1, the host as it was -------------
# expect_failure DESC CODE NEEDLE [ENV...]: nat up with ha.conf fails.
expect_failure() {
	desc=$1
	want=$2
	needle=$3
	shift 3
	before=$(host_state)
	env "$@" ip netns exec "$G" "$BULWARK" nat up --config "$SCRATCH/ha.conf" \
		--state-dir "$STATE" >"$SCRATCH/out" 2>"$SCRATCH/err"
	code=$?
	cat "$SCRATCH/out" "$SCRATCH/err" >>"$SCRATCH/all-output"
	check_eq "$desc: exit $want" "$want" "$code"
	check_contains "$desc: says why" "$needle" "$(cat "$SCRATCH/err")"
	check_eq "$desc: one line on stderr" 1 "$(grep -vc 'is still held' "$SCRATCH/err")"
	check_eq "$desc: the host is as it was" "$before" "$(host_state)"
}
detach
echo '{"ec2": {"AttachNetworkInterface": ["AuthFailure"]}}' >"$FAULTS"
expect_failure "attach refused" 1 \
	"bulwark: ec2 AttachNetworkInterface: UnauthorizedOperation: You are not authorized to perform this operation.; already done on EC2: source/dest check off on $PRIMARY"
detach
echo '{"ec2": {"ModifyNetworkInterfaceAttribute": ["multiline"]}}' >"$FAULTS"
expect_failure "an error Message with a newline, a tab and 2 kB" 1 \
	"bulwark: ec2 ModifyNetworkInterfaceAttribute: Odd.Code: line one line two three xxx"
check "... cut short" test "$(wc -c <"$SCRATCH/err")" -lt 500
detach
echo '{"ec2": {"ModifyNetworkInterfaceAttribute": ["malformed"]}}' >"$FAULTS"
expect_failure "a malformed XML reply" 1 \
	"bulwark: ec2 ModifyNetworkInterfaceAttribute: malformed XML reply at line 1"
detach
echo '{"ec2": {"ModifyNetworkInterfaceAttribute": ["500", "500", "Throttle", "500"]}}' >"$FAULTS"
expect_failure "HTTP 500 on every try" 1 \
	"bulwark: ec2 ModifyNetworkInterfaceAttribute: HTTP 500 without an EC2 error reply"
check_eq "... tried four times" 4 "$(calls | grep -c ModifyNetworkInterfaceAttribute)"
detach
expect_failure "a wrong secret key" 1 \
	"bulwark: ec2 ModifyNetworkInterfaceAttribute: SignatureDoesNotMatch: signature does not match" \
	AWS_SECRET_ACCESS_KEY=wrongwrongwrongwrongwrongwrongwrongwron
detach
expect_failure "a certificate no CA vouches for (TLS is always verified)" 1 \
	"bulwark: ec2 ModifyNetworkInterfaceAttribute: https://localhost: SSL peer certificate" \
	AWS_CA_BUNDLE=
check_eq "... and no request reached the endpoint" 0 "$(calls | wc -l)"
detach
expect_failure "plain http refused as an endpoint" 2 "AWS_ENDPOINT_URL_EC2 must be an https:// URL" \
	AWS_ENDPOINT_URL_EC2=http://localhost
detach
# IMDS is tried for 20 s; BULWARK_IMDS_BUDGET_MS=1000 (for tests) makes it
# four tries (0.1, 0.2, 0.4 s apart) in 1 s.
echo '{"imds": {"/latest/api/token": ["500", "500", "500", "500", "500"]}}' >"$FAULTS"
expect_failure "IMDS failing every try" 1 \
	"bulwark: imds http://169.254.169.254: no session token after 4 tries in " \
	BULWARK_IMDS_BUDGET_MS=1000
check_contains "... the last try's answer" " s: HTTP 500" "$(cat "$SCRATCH/err")"
detach
expect_failure "IMDS moved by AWS_EC2_METADATA_SERVICE_ENDPOINT to where nothing listens" 1 \
	"bulwark: imds http://127.0.0.1:9: no session token after 4 tries in " \
	AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 BULWARK_IMDS_BUDGET_MS=1000
detach
sed -i "s/$EIP/eipalloc-0ddddddddddddddd4/" "$SCRATCH/ha.conf"
expect_failure "an unknown Elastic IP, after the ENI was attached" 1 \
	"bulwark: ec2 AssociateAddress: InvalidAllocationID.NotFound: The allocation ID 'eipalloc-0ddddddddddddddd4' does not exist; already done on EC2: source/dest check off on $PRIMARY, $ENI attached to $INSTANCE"
sed -i "s/eipalloc-0ddddddddddddddd4/$EIP/" "$SCRATCH/ha.conf"
detach

# The old instance never lets the ENI go: InUse (it is attached to another
# instance) on every try, then IncorrectState on every try. The retries are
# bounded (90 s; BULWARK_ENI_ATTACH_WAIT_MS=1000, for tests, makes it 1 s).
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["enis"][sys.argv[2]]["attached_to"]="i-0fffffffffffffff9"; json.dump(m, open(sys.argv[1], "w"))' "$MODEL" "$ENI"
expect_failure "the ENI held by another instance for good" 1 \
	"bulwark: $ENI was still held after 1 s of retries (ec2 AttachNetworkInterface: InvalidNetworkInterface.InUse: Interface: [$ENI] in use.); already done on EC2: source/dest check off on $PRIMARY" \
	BULWARK_ENI_ATTACH_WAIT_MS=1000
check_eq "... tried, then tried again, then gave up" 2 "$(calls | grep -c '^AttachNetworkInterface ')"
check_eq "... nat status: down, no EC2 record" "state              down" \
	"$(nat status 2>&1 | grep -E '^(state|instance|eni) ')"
detach
python3 -c 'import json; json.dump({"ec2": {"AttachNetworkInterface": ["IncorrectState"] * 20}}, open("'"$FAULTS"'", "w"))'
expect_failure "IncorrectState on every try (the message does not name the ENI: the line does)" 1 \
	"bulwark: $ENI was still held after 1 s of retries (ec2 AttachNetworkInterface: IncorrectState: The interface is being detached.); already done on EC2: source/dest check off on $PRIMARY" \
	BULWARK_ENI_ATTACH_WAIT_MS=1000
# Attached, but its link never shows up here (the test server moves no
# veth; aa0, which shares its MAC, must still not be taken), or IMDS never
# lists it: each waited for 30 s (BULWARK_ENI_LINK_WAIT_MS=1000: 1 s).
detach
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["enis"][sys.argv[2]]["on_attach"]="true"; json.dump(m, open(sys.argv[1], "w"))' "$MODEL" "$ENI"
expect_failure "the attached ENI's link never appears" 1 \
	"bulwark: $ENI is attached, but no link with its MAC $ENI_MAC showed up within 1 s; already done on EC2: source/dest check off on $PRIMARY, $ENI attached to $INSTANCE" \
	BULWARK_ENI_LINK_WAIT_MS=1000
check_eq "... nat status: down, no EC2 record" "state              down" \
	"$(nat status 2>&1 | grep -E '^(state|instance|eni) ')"
detach
python3 -c 'import json; json.dump({"imds": {"/latest/meta-data/network/interfaces/macs/": ["404"] * 20}}, open("'"$FAULTS"'", "w"))'
expect_failure "IMDS never lists the attached ENI" 1 \
	"bulwark: $ENI is attached, but IMDS did not list it among the instance's interfaces within 1 s; already done on EC2: source/dest check off on $PRIMARY, $ENI attached to $INSTANCE" \
	BULWARK_ENI_LINK_WAIT_MS=1000
detach

# ---- the CloudWatch agent ------------------------------------------------
printf 'cwagent_enabled=yes\ncwagent_cfg_param_name=/fck-nat/cw\n' >"$SCRATCH/cw.conf"
nat up --config "$SCRATCH/cw.conf" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "cwagent_enabled without the agent installed: nat up still exits 0" 0 "$?"
check_contains "... with a clear warning" \
	"bulwark: warning: cwagent_enabled is set, but the CloudWatch agent is not installed" \
	"$(cat "$SCRATCH/err")"
nat down >/dev/null 2>&1
# The agent's control program, faked in a mount namespace of its own.
cat >"$SCRATCH/ctl" <<EOF2
#!/bin/sh
echo "\$@" >"$SCRATCH/ctl.args"
EOF2
chmod +x "$SCRATCH/ctl"
ip netns exec "$G" unshare -m sh -c "mount -t tmpfs none /opt &&
	mkdir -p /opt/aws/amazon-cloudwatch-agent/bin &&
	cp '$SCRATCH/ctl' /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl &&
	'$BULWARK' nat up --config '$SCRATCH/cw.conf' --state-dir '$STATE'" >"$SCRATCH/out" 2>&1
check_eq "cwagent with the agent installed: exit 0" 0 "$?"
check_eq "... the agent started with the SSM parameter" "-a fetch-config -m ec2 -s -c ssm:/fck-nat/cw" \
	"$(cat "$SCRATCH/ctl.args" 2>/dev/null)"
st=$(nat status 2>&1)
check_contains "cwagent only: status tells the agent" "cloudwatch agent   started with ssm:/fck-nat/cw" "$st"
check_eq "... and no instance, endpoint or primary ENI lines (IMDS and EC2 were not asked)" "" \
	"$(printf '%s\n' "$st" | grep -E '^(instance|region|credentials|ec2 endpoint|primary eni) ')"
nat down >/dev/null 2>&1
# An agent control that hangs: killed after 60 s, a warning, nat up goes on.
printf '#!/bin/sh\nexec sleep 3600\n' >"$SCRATCH/ctl"
ip netns exec "$G" unshare -m sh -c "mount -t tmpfs none /opt &&
	mkdir -p /opt/aws/amazon-cloudwatch-agent/bin &&
	cp '$SCRATCH/ctl' /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl &&
	'$BULWARK' nat up --config '$SCRATCH/cw.conf' --state-dir '$STATE'" >"$SCRATCH/out" 2>&1
check_eq "a hung agent control: nat up still exits 0" 0 "$?"
check_contains "... with a warning" "amazon-cloudwatch-agent-ctl did not finish within 60 s and was killed" \
	"$(cat "$SCRATCH/out")"
check_contains "... status says so" "agent control hung; killed after 60 s" "$(nat status 2>&1)"
nat down >/dev/null 2>&1

# ---- timeouts: an IMDS answer too slow, an EC2 call with no reply ----------
# IMDS's slow fault answers after 3 s, past bulwark's 2 s a try; the EC2
# call's hang holds until bulwark gives up, after BULWARK_EC2_TRY_TIMEOUT_MS.
detach
echo '{"imds": {"/latest/meta-data/instance-id": ["slow"]},
       "ec2": {"ModifyNetworkInterfaceAttribute": ["hang"]}}' >"$FAULTS"
BULWARK_EC2_TRY_TIMEOUT_MS=1000 nat up --config "$SCRATCH/ha.conf" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "a slow IMDS answer and an EC2 call that timed out, both tried again: exit 0" 0 "$?"
cat "$SCRATCH/out" "$SCRATCH/err" >>"$SCRATCH/all-output"
check_eq "... IMDS was asked for the instance id again after the slow answer" 2 \
	"$(grep -c '"GET /latest/meta-data/instance-id"' "$LOG")"
check_eq "... the call that got no reply was sent again" 2 \
	"$(calls | grep -c '^ModifyNetworkInterfaceAttribute ')"
check_contains "... and the bring-up went on" "attached at device index 1 as ens9zz" "$(cat "$SCRATCH/out")"
nat down >/dev/null 2>&1

# ---- IMDS listening only 2 s after nat up starts (a boot race) -----------
# Refused connections fail fast; IMDS is tried again for 20 s, not 5 times.
detach
(sleep 2; exec ip netns exec "$G" python3 "$FAKE" --model "$MODEL" --faults "$FAULTS" \
	--log "$LOG" --address 127.0.0.1 --imds-port 8099 --ec2-port 0 \
	--cert "$SCRATCH/server.pem" --key "$SCRATCH/server.key" --ready "$SCRATCH/late.ready") \
	>"$SCRATCH/late.out" 2>&1 &
late=$!
on_exit "kill $late 2>/dev/null"
AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:8099 \
	nat up --config "$SCRATCH/ha.conf" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "IMDS answering only after 2 s: nat up exits 0" 0 "$?"
check "... the only IMDS it could reach had started late" test -s "$SCRATCH/late.ready"
check_contains "... and the bring-up went on" "attached at device index 1 as ens9zz" "$(cat "$SCRATCH/out")"
kill "$late" 2>/dev/null
nat down >/dev/null 2>&1

# ---- an attach that went through but whose reply was lost ----------------
detach
echo '{"ec2": {"AttachNetworkInterface": ["lost-reply"]}}' >"$FAULTS"
nat up --config "$SCRATCH/ha.conf" >"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "an attach whose reply was lost, retried into InUse: exit 0 at once" 0 "$?"
check_eq "... no waiting for ourselves to let go" "" "$(grep 'is still held' "$SCRATCH/err")"
check_contains "... the ENI is in place" "attached at device index 1 as ens9zz" "$(cat "$SCRATCH/out")"
nat down >/dev/null 2>&1

# ---- the FIPS endpoint chosen from AWS_USE_FIPS_ENDPOINT and the region ----
# No endpoint override: ec2-fips.us-east-1.amazonaws.com, resolved to the
# test endpoint by /etc/hosts in a mount namespace of its own.
detach
printf 'eip_id=%s\n' "$EIP" >"$SCRATCH/eip.conf"
printf '127.0.0.1 ec2-fips.us-east-1.amazonaws.com\n' >"$SCRATCH/hosts"
ip netns exec "$G" env -u AWS_ENDPOINT_URL_EC2 AWS_USE_FIPS_ENDPOINT=true unshare -m sh -c \
	"mount --bind '$SCRATCH/hosts' /etc/hosts &&
	'$BULWARK' nat up --config '$SCRATCH/eip.conf' --state-dir '$STATE'" >"$SCRATCH/out" 2>&1
check_eq "eip only, FIPS asked by AWS_USE_FIPS_ENDPOINT: exit 0" 0 "$?"
cat "$SCRATCH/out" >>"$SCRATCH/all-output"
check_eq "... the FIPS endpoint reached, the call signed" \
	"AssociateAddress AllocationId=$EIP AllowReassociation=true NetworkInterfaceId=$PRIMARY signed" \
	"$(calls)"
st=$(nat status 2>&1)
check_contains "... status: the FIPS endpoint and why" \
	"https://ec2-fips.us-east-1.amazonaws.com (fips_endpoints=auto and AWS_USE_FIPS_ENDPOINT=true)" "$st"
check_contains "... eip only: source/dest check left as EC2 has it" \
	"$PRIMARY, source/dest check as EC2 has it" "$st"
nat down >/dev/null 2>&1

# ---- status looks at the ENI's link now ------------------------------------
# Another instance took the ENI over: its link left this host. nat status
# says so rather than what nat up recorded.
detach
nat up --config "$SCRATCH/ha.conf" >/dev/null 2>&1
check_eq "nat up with the ENI again: exit 0" 0 "$?"
ip -n "$G" link set ens9zz netns "$H"
st=$(nat status 2>&1)
check_contains "status once the ENI's link is gone: says so" \
	"$ENI: no link here has its MAC now (attached as ens9zz at nat up" "$st"
check_eq "... and --json: ec2.eni_link_now null" None \
	"$(nat status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ec2"]["eni_link_now"])')"
nat down >/dev/null 2>&1

# ---- the EC2 API through an HTTPS proxy, IMDS never ---------------------
# A CONNECT proxy on the gateway's loopback records what it is asked. The
# EC2 calls go through it (https_proxy, as libcurl and the AWS SDKs take
# it); IMDS, plain http to a link-local address, never does, even with
# http_proxy and all_proxy set: the proxy would answer with its own
# instance's metadata and role (the AWS SDK for Java v2 opens IMDS with no
# proxy too). This proxy refuses plain http, so nat up would fail.
proxy_start "$G"
detach
env https_proxy="$PROXY" http_proxy="$PROXY" all_proxy="$PROXY" \
	ip netns exec "$G" "$BULWARK" nat up --config "$SCRATCH/ha.conf" --state-dir "$STATE" \
	>"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "nat up with https_proxy, http_proxy and all_proxy set: exit 0" 0 "$?"
cat "$SCRATCH/out" "$SCRATCH/err" >>"$SCRATCH/all-output"
check_eq "... the proxy was only asked to CONNECT to the EC2 endpoint" \
	"CONNECT localhost:443 HTTP/1.1" "$(sort -u "$PROXY_LOG")"
check_eq "... once for each EC2 call" "$(calls | wc -l)" "$(wc -l <"$PROXY_LOG")"
check_eq "... the calls (ModifyNetworkInterfaceAttribute, AttachNetworkInterface, AssociateAddress) signed" \
	"3 signed" "$(calls | grep -c ' signed$') signed"
check_contains "... IMDS asked directly" '{"imds": "PUT /latest/api/token"}' "$(cat "$LOG")"
nat down >/dev/null 2>&1
detach
: >"$PROXY_LOG"
env https_proxy="$PROXY" no_proxy=localhost \
	ip netns exec "$G" "$BULWARK" nat up --config "$SCRATCH/ha.conf" --state-dir "$STATE" \
	>"$SCRATCH/out" 2>"$SCRATCH/err"
check_eq "nat up with https_proxy and no_proxy naming the endpoint: exit 0" 0 "$?"
check_eq "... the proxy was not asked" "" "$(cat "$PROXY_LOG")"
check_eq "... the calls reached the endpoint directly" 3 "$(calls | grep -c ' signed$')"
nat down >/dev/null 2>&1
detach

# ---- credentials never appear in any output ------------------------------
cat "$STATE"/* >>"$SCRATCH/all-output" 2>/dev/null
for secret in "$SECRET" "$ROLE_SECRET" "$ROLE_TOKEN"; do
	check_eq "no output holds a secret (${secret%%0*})" 0 "$(grep -c "$secret" "$SCRATCH/all-output")"
done
finish
