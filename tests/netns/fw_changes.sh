#!/bin/sh
# authorize / revoke: the file and the live sets change together, in an
# incremental transaction (no reload), and revoking a rule does not cut a
# tracked flow (security groups are stateful).
. "$(dirname "$0")/lib.sh"
require_netns

. "$(dirname "$0")/vpc_lab.sh"
connects() { BW_PEER_WAIT_MS=1500 in_ns "$(ns_of "$1")" "$PEER" ask tcp "$2" "$3" >/dev/null 2>&1; }
table_handle() { in_ns "$R" nft -a list table inet bulwark_vpc | sed -n '1s/.*# handle \([0-9]*\).*/\1/p'; }
WEB=sg-0a1b2c3d4e5f60011
DB=sg-0a1b2c3d4e5f60013
initial=$(fw render 2>/dev/null)
HTTP_ALT='[{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]'
PING='[{"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]'

check "fw apply" fw apply
handle=$(table_handle)
if connects inet 10.0.1.10 8080; then not_ok "before: inet cannot reach web1:8080"; else ok "before: inet cannot reach web1:8080"; fi

before=$(cat "$AWS/security-groups.json")
dry=$(fw authorize-ingress --dry-run --group-id "$WEB" --ip-permissions "$HTTP_ALT")
check_contains "--dry-run prints the incremental transaction" "203.0.113.0/24 . 6 . 8080" "$dry"
check_eq "--dry-run leaves the file" "$before" "$(cat "$AWS/security-groups.json")"
if connects inet 10.0.1.10 8080; then not_ok "--dry-run leaves the host"; else ok "--dry-run leaves the host"; fi
check "authorize-ingress tcp 8080 from 203.0.113.0/24 on sg-web" \
	fw authorize-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT"
check "after authorize: inet reaches web1:8080" connects inet 10.0.1.10 8080
check_contains "the file has the new rule" '"CidrIp": "203.0.113.0/24"' "$(cat "$AWS/security-groups.json")"
check_eq "the table was changed in place, not reloaded" "$handle" "$(table_handle)"
check_contains "explain agrees" allow \
	"$("$BULWARK" fw explain --aws "$AWS" 'tcp 203.0.113.1:40000 > 10.0.1.10:8080')"

out=$(fw authorize-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" 2>&1)
check_eq "authorizing it twice: exit 2" 2 "$?"
check_contains "... as EC2's duplicate error" "already exists" "$out"

# EC2 refuses a group it does not know (InvalidGroup.NotFound): so does
# the file, and the live table keeps what it had.
GHOST='[{"IpProtocol": "tcp", "FromPort": 9090, "ToPort": 9090, "UserIdGroupPairs": [{"GroupId": "sg-0000000000000dead"}]}]'
before=$(cat "$AWS/security-groups.json")
out=$(fw authorize-ingress --group-id "$WEB" --ip-permissions "$GHOST" 2>&1)
check_eq "authorizing from a group the files do not hold: exit 2" 2 "$?"
check_contains "... which it names" "names sg-0000000000000dead, which the files do not hold" "$out"
check_eq "... and the file is as it was" "$before" "$(cat "$AWS/security-groups.json")"

check "revoke-ingress the same" fw revoke-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT"
if connects inet 10.0.1.10 8080; then not_ok "after revoke: inet cannot reach web1:8080"; else ok "after revoke: inet cannot reach web1:8080"; fi
check_eq "the files render as they did before the edits" "$initial" "$(fw render 2>/dev/null)"

# wait_lines FILE PATTERN N: until FILE holds N lines matching PATTERN (a
# condition, polled; the deadline only stops a broken test from hanging).
wait_lines() {
	tries=0
	while [ "$tries" -lt 600 ]; do
		n=$(grep -c "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return
		sleep 0.05
		tries=$((tries + 1))
	done
}

# A flow the group allowed goes on after the rule is revoked: five more
# replies come after the revoke has landed, and none is missing.
ip netns exec "$(ns_of web1)" ping -O -i 0.2 10.0.3.30 >"$SCRATCH/ping" 2>&1 &
pinger=$!
on_exit "kill $pinger 2>/dev/null"
wait_lines "$SCRATCH/ping" 'bytes from' 1
check "revoke-ingress ICMP on sg-db while web1 pings db1" \
	fw revoke-ingress --group-id "$DB" --ip-permissions "$PING"
wait_lines "$SCRATCH/ping" 'bytes from' $(($(grep -c 'bytes from' "$SCRATCH/ping") + 5))
kill -INT "$pinger"
wait "$pinger"
if in_ns "$(ns_of app1)" ping -c 1 -W 1 10.0.3.30 >/dev/null 2>&1; then
	not_ok "a new flow is refused after the revoke"
else
	ok "a new flow is refused after the revoke"
fi
check_eq "the tracked flow lost no packet" 0 "$(grep -c 'no answer yet' "$SCRATCH/ping")"

# ACLs are stateless: a change to one cuts a flow it no longer allows at
# once, though the flow's earlier packets were let through.
check "authorize ICMP on sg-db again" fw authorize-ingress --group-id "$DB" --ip-permissions "$PING"
ip netns exec "$(ns_of app1)" ping -O -i 0.2 10.0.3.30 >"$SCRATCH/ping2" 2>&1 &
pinger=$!
on_exit "kill $pinger 2>/dev/null"
wait_lines "$SCRATCH/ping2" 'bytes from' 2
sed -i 's/"IcmpTypeCode": { "Code": -1, "Type": -1 }, "Protocol": "1", "RuleAction": "allow", "RuleNumber": 120/"IcmpTypeCode": { "Code": -1, "Type": -1 }, "Protocol": "1", "RuleAction": "deny", "RuleNumber": 120/' \
	"$AWS/network-acls.json"

# The files changed since fw apply: an edit now would be made against a
# table rendered from other files. It is refused; nothing changes.
live=$(in_ns "$R" nft list set inet bulwark_vpc sg0_in_ports_v4 2>&1)
groups=$(cat "$AWS/security-groups.json")
out=$(fw authorize-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" 2>&1)
check_eq "an edit against files changed since fw apply: exit 1" 1 "$?"
check_contains "... saying to run fw apply" "fw apply" "$out"
check_eq "... the file untouched" "$groups" "$(cat "$AWS/security-groups.json")"
check_eq "... the live set untouched" "$live" "$(in_ns "$R" nft list set inet bulwark_vpc sg0_in_ports_v4 2>&1)"

acl_drops() { in_ns "$R" nft list counter inet bulwark_vpc denied_acl_inbound | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
dropped=$(acl_drops)
check "fw apply with ACL rule 120 now a deny" fw apply
wait_lines "$SCRATCH/ping2" 'no answer yet' 3
kill -INT "$pinger"
wait "$pinger"
# Every reply came before the first unanswered request.
after_cut=$(sed -n '/no answer yet/,$p' "$SCRATCH/ping2" | grep -c 'bytes from')
check_eq "the flow had replies before the ACL change and none after" 0 "$after_cut"
check "... and the inbound ACL's drop counter moved" test "$(acl_drops)" -gt "$dropped"
check_contains "explain names the new deny" "denied by acl-0a1b2c3d4e5f60032 inbound rule 120" \
	"$("$BULWARK" fw explain --aws "$AWS" 'icmp 10.0.2.20 > 10.0.3.30')"

check "revoke ICMP on sg-db" fw revoke-ingress --group-id "$DB" --ip-permissions "$PING"
out=$(fw revoke-ingress --group-id "$DB" --ip-permissions "$PING" 2>&1)
check_eq "revoking what is not there: exit 2" 2 "$?"
out=$(fw authorize-ingress --group-id sg-99999999 --ip-permissions "$PING" 2>&1)
check_eq "an unknown group: exit 2" 2 "$?"
out=$(fw authorize-ingress --group-id "$WEB" --ip-permissions '[{"IpProtocol": "6", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]' 2>&1)
check_eq "protocol 6 is tcp: the example's tcp 80 rule is a duplicate (exit 2)" 2 "$?"
check_contains "... named with EC2's error code" "InvalidPermission.Duplicate" "$out"
# EC2 clears host bits: 10.0.0.1/8 is stored, and revoked, as 10.0.0.0/8.
check "a range with host bits set is accepted" fw authorize-ingress --group-id "$WEB" \
	--ip-permissions '[{"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.1/8"}]}]'
check_contains "... and stored as its network" '"CidrIp": "10.0.0.0/8"' "$(cat "$AWS/security-groups.json")"
check "... and revoked by its network" fw revoke-ingress --group-id "$WEB" \
	--ip-permissions '[{"IpProtocol": "TCP", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]'
before=$(cat "$AWS/security-groups.json")
out=$(fw authorize-ingress --group-id "$WEB" --ip-permissions '[{"IpProtocol": "tcp", "FromPort": 1, "ToPort": 70000, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]' 2>&1)
check_eq "a port out of range: exit 2" 2 "$?"
check_eq "... and the file untouched" "$before" "$(cat "$AWS/security-groups.json")"
# fw apply of changed files over its own live table loads only what
# changed: the same table (its handle), and the traffic as the new files say.
counter() { in_ns "$R" nft list counter inet bulwark_vpc "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
check "fw apply: the live table is the one the record names" fw apply
handle=$(table_handle)
cp "$AWS/security-groups.json" "$SCRATCH/sg.base"
python3 - "$AWS/security-groups.json" "$WEB" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = next(g for g in d["SecurityGroups"] if g["GroupId"] == sys.argv[2])
g["IpPermissions"].append({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                           "IpRanges": [{"CidrIp": "203.0.113.0/24"}]})
json.dump(d, open(sys.argv[1], "w"), indent=4)
PY
out=$(fw apply)
check_contains "a rule added to the files: only what changed is loaded" "objects changed" "$out"
check_eq "... into the same table (its handle)" "$handle" "$(table_handle)"
check "... inet reaches web1:8080, as the files now say" connects inet 10.0.1.10 8080
cp "$SCRATCH/sg.base" "$AWS/security-groups.json"
drops=$(counter denied_sg_ingress)
out=$(fw apply)
check_contains "the rule taken out of the files: only what changed is loaded" "objects changed" "$out"
check_eq "... into the same table" "$handle" "$(table_handle)"
if connects inet 10.0.1.10 8080; then not_ok "... inet cannot reach web1:8080"; else ok "... inet cannot reach web1:8080"; fi
check "... and the group's drop counter proves it" test "$(counter denied_sg_ingress)" -gt "$drops"

# A generation number comes back after a full cycle: a flow marked with it
# long ago must be judged afresh, not pass on its old verdict. With 4 ct
# mark bits there are 3 generations; three ACL changes bring the number
# back. The flow (web1 to inet udp 5353, one fixed source port) is quiet
# meanwhile, then meets an ACL that denies it.
cp "$AWS/network-acls.json" "$SCRATCH/acls.base"
extra_entry() { # the web subnets' ACL with one more entry first, or as it was
	cp "$SCRATCH/acls.base" "$AWS/network-acls.json"
	[ -z "$1" ] || sed -i "0,\\|\"Entries\": \\[|s||\"Entries\": [ $1,|" "$AWS/network-acls.json"
}
deny_tcp_to() { echo "{ \"CidrBlock\": \"198.51.100.0/24\", \"Egress\": true, \"Protocol\": \"6\", \"PortRange\": { \"From\": $1, \"To\": $1 }, \"RuleAction\": \"deny\", \"RuleNumber\": 50 }"; }
udp_to_inet() { BW_PEER_WAIT_MS=1500 in_ns "$(ns_of web1)" "$PEER" ask udp 203.0.113.1 5353 45000 >/dev/null 2>&1 && echo allow || echo deny; }
check "apply with 4 ct mark bits" fw apply --ct-mark-bits 0x0000f000
check_eq "web1 to inet udp 5353 from port 45000" allow "$(udp_to_inet)"
extra_entry "$(deny_tcp_to 1)"
check "an ACL change (generation +1)" fw apply
extra_entry "$(deny_tcp_to 2)"
check "another (generation +2)" fw apply
extra_entry '{ "CidrBlock": "203.0.113.0/24", "Egress": true, "Protocol": "17", "PortRange": { "From": 5353, "To": 5353 }, "RuleAction": "deny", "RuleNumber": 50 }'
out=$(fw apply)
check_contains "a third: the first generation's number again" "fw: enforcing" "$out"
dropped=$(in_ns "$R" nft list counter inet bulwark_vpc denied_acl_outbound | sed -n 's/.*packets \([0-9]*\).*/\1/p')
check_eq "the quiet flow meets the ACL that now denies it" deny "$(udp_to_inet)"
check "... and the outbound ACL's drop counter moved" test \
	"$(in_ns "$R" nft list counter inet bulwark_vpc denied_acl_outbound | sed -n 's/.*packets \([0-9]*\).*/\1/p')" -gt "$dropped"

finish
