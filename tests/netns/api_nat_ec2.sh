#!/bin/sh
# settings.nat.* with the EC2 keys, through bulwark serve: the same steps as
# `nat up` with a config file (here an Elastic IP associated with the
# primary ENI), against the test IMDS and EC2 endpoint; then NAT down by
# the settings forgets the EC2 record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
for tool in curl openssl python3; do
	command -v $tool >/dev/null || skip_all "needs $tool"
done
require_netns
. "$(dirname "$0")/fake_ec2_lib.sh"
api_setup
# A way out, for the NAT's interface.
ip -n "$NS" link add wan0 type veth peer name wan1
ip -n "$NS" link set wan1 up
ip -n "$NS" addr add 192.0.2.2/24 dev wan0
ip -n "$NS" link set wan0 up
ip -n "$NS" route add default via 192.0.2.1
ip -n "$NS" link set lo up
ip -n "$NS" addr add 169.254.169.254/32 dev lo

INSTANCE=i-0123456789abcdef0
PRIMARY=eni-0aaaaaaaaaaaaaaa1
EIP=eipalloc-0ccccccccccccccc3
EIP2=eipalloc-0ddddddddddddddd4
MODEL="$SCRATCH/model.json"
FAULTS="$SCRATCH/faults.json"
LOG="$SCRATCH/calls.log"
cat >"$MODEL" <<JSON
{"instance_id": "$INSTANCE", "region": "us-east-1", "mac": "02:00:0a:00:00:01",
 "account": "123456789012", "keys": {"$AKID": "$SECRET"},
 "role": {"name": "bulwark-nat", "AccessKeyId": "ASIABULWARKROLE00001",
          "SecretAccessKey": "$ROLE_SECRET", "Token": "$ROLE_TOKEN"},
 "enis": {
  "$PRIMARY": {"mac": "02:00:0a:00:00:01", "subnet": "subnet-0123456789abcdef0",
               "vpc": "vpc-0123456789abcdef0", "ip": "198.51.100.2",
               "attached_to": "$INSTANCE", "device_index": 0}},
 "addresses": {"$EIP": {"public_ip": "203.0.113.50", "association": null},
               "$EIP2": {"public_ip": "203.0.113.51", "association": null}},
 "iam_allow": ["AssociateAddress"]}
JSON
echo '{}' >"$FAULTS"
: >"$LOG"
ec2_certs
ec2_start "$NS"

check_start "serve starts"
call PATCH /settings "{\"nat\":{\"enabled\":true,\"eip_id\":\"$EIP\"}}"
check_call "nat with an Elastic IP, through the settings" 200 \
	'["settings.nat.eip_id","settings.nat.enabled"]' POST /tx/commit_and_apply
check_eq "... associated with the primary ENI, reassociation allowed, the call signed" \
	"AssociateAddress AllocationId=$EIP AllowReassociation=true NetworkInterfaceId=$PRIMARY signed" \
	"$(ec2_calls)"
check "... NAT up (table inet bulwark_nat)" in_ns "$NS" nft list table inet bulwark_nat
st=$(in_api_ns "$BULWARK" --root "$ROOT" nat status 2>&1)
check_contains "... nat status shows the EIP" "$EIP" "$st"
check "... and recorded" test -s "$ROOT/run/bulwark/ec2.json"
# Every converge (another commit, an apply) brings NAT up again: the EC2
# steps are done once for each change of them, never again on their own
# (an Elastic IP taken over by another instance stays there).
: >"$LOG"
call PATCH /settings '{"kernel":{"sysctl":{"kernel.kptr_restrict":"1"}}}'
check_call "another change committed and applied" 200 \
	'["settings.kernel.sysctl.\"kernel.kptr_restrict\""]' POST /tx/commit_and_apply
call POST /tx/apply
check_eq "... and the live settings applied again: no EC2 call" "" "$(ec2_calls)"
check "... NAT still up" in_ns "$NS" nft list table inet bulwark_nat
call PATCH /settings '{"nat":null}'
check_call "NAT down through the settings (a null takes nat out; its leaves listed)" 200 \
	'["settings.nat.eip_id","settings.nat.enabled"]' \
	POST /tx/commit_and_apply
if in_ns "$NS" nft list table inet bulwark_nat >/dev/null 2>&1; then
	not_ok "... NAT down"
else
	ok "... NAT down"
fi
check_eq "... the EC2 record goes" "" "$(ls "$ROOT/run/bulwark/ec2.json" 2>/dev/null)"

# settings.network.https-proxy in the same commit as the Elastic IP: the
# server's own EC2 call goes through that proxy (a CONNECT proxy on the
# namespace's loopback that records what it is asked), and no longer once
# the setting is taken out.
proxy_start "$NS"
: >"$LOG"
call PATCH /settings "{\"network\":{\"https-proxy\":\"$PROXY\"},\"nat\":{\"enabled\":true,\"eip_id\":\"$EIP\"}}"
check_call "nat with an Elastic IP and settings.network.https-proxy, one commit" 200 \
	'["settings.nat.eip_id","settings.nat.enabled","settings.network.https-proxy"]' \
	POST /tx/commit_and_apply
check_eq "... the EC2 call went through the proxy (CONNECT to the endpoint)" \
	"CONNECT localhost:443 HTTP/1.1" "$(cat "$PROXY_LOG")"
check_eq "... and reached the endpoint, signed" \
	"AssociateAddress AllocationId=$EIP AllowReassociation=true NetworkInterfaceId=$PRIMARY signed" \
	"$(ec2_calls)"
check_contains "... the proxy kept for bulwark's commands" "$PROXY" \
	"$(cat "$ROOT/run/bulwark/proxy.json" 2>/dev/null)"
: >"$LOG"
: >"$PROXY_LOG"
call PATCH /settings "{\"network\":null,\"nat\":{\"eip_id\":\"$EIP2\"}}"
check_call "the proxy setting taken out, another Elastic IP, one commit" 200 \
	'["settings.nat.eip_id","settings.network.https-proxy"]' POST /tx/commit_and_apply
check_eq "... the EC2 call did not go through the proxy" "" "$(cat "$PROXY_LOG")"
check_eq "... it reached the endpoint directly" \
	"AssociateAddress AllocationId=$EIP2 AllowReassociation=true NetworkInterfaceId=$PRIMARY signed" \
	"$(ec2_calls)"
check_eq "... the proxy record goes" "" "$(ls "$ROOT/run/bulwark/proxy.json" 2>/dev/null)"
check_stop "serve stops"
finish
