#!/bin/sh
# The firewall through `bulwark serve`: every /fw route with curl, the fw
# commands through the server answering as they do alone, the file on
# disk following each edit, a denial proven by a drop counter, and the
# server killed mid-edit leaving the kernel and the file agreeing.
. "$(dirname "$0")/lib.sh"
require_netns

. "$(dirname "$0")/vpc_lab.sh"
SOCK="$SCRATCH/api.sock"
DS="$SCRATCH/datastore"
GROUP=$(id -gn 0)
SERVER_PID=""
WEB=sg-0a1b2c3d4e5f60011
HTTP_ALT='[{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]'
connects() { BW_PEER_WAIT_MS=1500 in_ns "$(ns_of "$1")" "$PEER" ask tcp "$2" "$3" >/dev/null 2>&1; }
counter() { in_ns "$R" nft list counter inet bulwark_vpc "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# The fw commands through the server, and alone (no server on that socket).
served() { BULWARK_SOCKET="$SOCK" fw "$@"; }
alone() { BULWARK_SOCKET="$SCRATCH/nobody.sock" fw "$@"; }

server_start() {
	ip netns exec "$R" "$BULWARK" serve --socket-path "$SOCK" --datastore-path "$DS" \
		--group "$GROUP" --state-dir "$LAB_STATE" >>"$SCRATCH/server.log" 2>&1 \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	SERVER_PID=$!
	on_exit "kill -9 $SERVER_PID 2>/dev/null"
	for _ in $(seq 1200); do
		curl -s -o /dev/null --unix-socket "$SOCK" http://bulwark/ 2>/dev/null && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	sed 's/^/# /' "$SCRATCH/server.log" >&2
	return 1
}
# call METHOD PATH [BODY]: STATUS and BODY of the answer.
call() {
	if [ $# -gt 2 ]; then
		STATUS=$(printf '%s' "$3" | curl -sS --unix-socket "$SOCK" -X "$1" \
			-H 'Content-Type: application/json' --data-binary @- \
			-o "$SCRATCH/body" -w '%{http_code}' "http://bulwark$2")
	else
		STATUS=$(curl -sS --unix-socket "$SOCK" -X "$1" -o "$SCRATCH/body" \
			-w '%{http_code}' "http://bulwark$2")
	fi
	BODY=$(cat "$SCRATCH/body" 2>/dev/null)
}
edit_body() { # VERB-less body: GroupId, permissions, the folder and the record
	printf '{"aws": "%s", "state_dir": "%s", "GroupId": "%s", "direction": "ingress", "IpPermissions": %s}' \
		"$AWS" "$LAB_STATE" "$WEB" "$HTTP_ALT"
}
file_has_rule() { grep -q '"CidrIp": "203.0.113.0/24"' "$AWS/security-groups.json"; }
kernel_has_rule() { in_ns "$R" nft list table inet bulwark_vpc | grep -Eq '203\.0\.113\.0/24 \. (6|tcp) \. 8080'; }

if server_start; then ok "serve starts beside the enforced lab"; else not_ok "serve starts"; exit 1; fi

# ---- every route, with curl ------------------------------------------------
call GET "/fw/status?state_dir=$LAB_STATE"
check_eq "GET /fw/status: 200" 200 "$STATUS"
check_contains "... enforcing" '"mode":"enforcing"' "$BODY"
call POST /fw/apply "{\"aws\": \"$AWS\", \"state_dir\": \"$LAB_STATE\", \"require\": true}"
check_eq "POST /fw/apply: 200" 200 "$STATUS"
check_contains "... nothing to load, the files unchanged" "unchanged" "$BODY"
call GET /fw/apply
check_eq "GET /fw/apply: 405" 405 "$STATUS"
call POST /fw/apply "{\"aws\": \"$AWS\", \"bogus\": 1}"
check_eq "an unknown key: 400" 400 "$STATUS"
check_contains "... naming it" bogus "$BODY"
call POST /fw/apply '{"aws": "relative"}'
check_eq "a relative folder: 400" 400 "$STATUS"

if connects inet 10.0.1.10 8080; then not_ok "before: inet cannot reach web1:8080"; else ok "before: inet cannot reach web1:8080"; fi
before=$(counter denied_sg_ingress)
if connects inet 10.0.1.10 8080; then not_ok "a denied connection"; else ok "a denied connection"; fi
after=$(counter denied_sg_ingress)
check "... moved the denied_sg_ingress counter" test "$after" -gt "$before"

call POST /fw/authorize "$(edit_body)"
check_eq "POST /fw/authorize: 200" 200 "$STATUS"
check_contains "... the live sets updated" "authorized ingress $WEB; live sets updated" "$BODY"
check "... inet reaches web1:8080" connects inet 10.0.1.10 8080
# The file follows the answer; a status call waits for it (the server
# writes it before serving the next request).
call GET "/fw/status?state_dir=$LAB_STATE"
check "... the file on disk has the rule" file_has_rule
call POST /fw/authorize "$(edit_body)"
check_eq "authorizing it twice: 400" 400 "$STATUS"
check_contains "... as EC2's duplicate error" "already exists" "$BODY"
call GET "/fw/explain?packet=tcp%20203.0.113.1:40000%20to%2010.0.1.10:8080&aws=$AWS"
check_eq "GET /fw/explain: 200" 200 "$STATUS"
check_contains "... allow" '"verdict":"allow"' "$BODY"
call GET "/fw/explain?aws=$AWS"
check_eq "explain without a packet: 400" 400 "$STATUS"
call POST /fw/revoke "$(edit_body)"
check_eq "POST /fw/revoke: 200" 200 "$STATUS"
call GET "/fw/status?state_dir=$LAB_STATE"
if file_has_rule; then not_ok "... the file lost the rule"; else ok "... the file lost the rule"; fi
before=$(counter denied_sg_ingress)
if connects inet 10.0.1.10 8080; then not_ok "after revoke: inet cannot reach web1:8080"; else ok "after revoke: inet cannot reach web1:8080"; fi
check "... proven by the denied_sg_ingress counter" test "$(counter denied_sg_ingress)" -gt "$before"

# ---- the CLI through the server answers as it does alone -------------------
same() { # DESC, then the fw arguments
	desc=$1
	shift
	a=$(alone "$@" 2>&1; echo "exit $?")
	s=$(served "$@" 2>&1; echo "exit $?")
	check_eq "$desc" "$a" "$s"
}
same "fw explain: the same answer" explain 'tcp 203.0.113.1:40000 to 10.0.1.10:80'
same "fw explain --json: the same document" explain --json 'tcp 203.0.113.1:40000 to 10.0.1.10:8080'
same "fw status: the same" status
# After edits through the server the next apply starts from them (the
# record keeps what each changed): nothing to load; then both find the
# tables unchanged. Two edits in a row, one of sets, one of a chain, add
# to the one pending record.
DB=sg-0a1b2c3d4e5f60013
served authorize-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" >/dev/null 2>&1
served authorize-ingress --group-id "$DB" --ip-permissions \
	"[{\"IpProtocol\": \"tcp\", \"FromPort\": 7070, \"ToPort\": 7070, \"UserIdGroupPairs\": [{\"GroupId\": \"$WEB\"}]}]" \
	>/dev/null 2>&1
check_contains "... two edits through the server in a row: live" "7070" \
	"$(in_ns "$R" nft list table inet bulwark_vpc)"
out=$(alone apply 2>&1)
check_contains "fw apply after the server's edits: nothing to load" \
	"loaded nothing: the tables held it already" "$out"
# The kernel's table is the files' render, as a namespace of its own loads it.
S="$PREFIX-scratch"
new_ns "$S"
"$BULWARK" fw render --aws "$AWS" >"$SCRATCH/render.nft" 2>/dev/null
in_ns "$S" nft -f "$SCRATCH/render.nft"
inet_listing() { # counters aside: the lab's have counted
	in_ns "$1" nft list table inet bulwark_vpc | grep -v 'packets [0-9]* bytes' |
		python3 "$(dirname "$0")/nft_canon.py"
}
check_eq "... and the kernel lists what the files render" "$(inet_listing "$S")" \
	"$(inet_listing "$R")"
served revoke-ingress --group-id "$DB" --ip-permissions \
	"[{\"IpProtocol\": \"tcp\", \"FromPort\": 7070, \"ToPort\": 7070, \"UserIdGroupPairs\": [{\"GroupId\": \"$WEB\"}]}]" \
	>/dev/null 2>&1
served revoke-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" >/dev/null 2>&1
alone apply >/dev/null 2>&1
same "fw apply: the same (unchanged)" apply
same "a revoke of what is not there: the same error and exit" \
	revoke-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT"
same "a bad permission: the same error" \
	authorize-ingress --group-id "$WEB" --ip-permissions '[{"IpProtocol": "tcp", "FromPort": 9}]'
served authorize-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" >"$SCRATCH/out.served" 2>&1
alone revoke-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" >/dev/null 2>&1
alone authorize-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT" >"$SCRATCH/out.alone" 2>&1
check_eq "an authorize: the same line served and alone" "$(cat "$SCRATCH/out.alone")" "$(cat "$SCRATCH/out.served")"
# The server noticed the file written behind it and reads it again.
check "fw revoke-ingress through the server after an edit alone" \
	served revoke-ingress --group-id "$WEB" --ip-permissions "$HTTP_ALT"
if connects inet 10.0.1.10 8080; then not_ok "... and the kernel has it"; else ok "... and the kernel has it"; fi

# ---- killed mid-edit: the kernel and the file agree after the restart ------
round=1
while [ "$round" -le 5 ]; do
	: >"$SCRATCH/sent"
	(
		i=0
		while :; do
			if [ $((i % 2)) -eq 0 ]; then verb=authorize; else verb=revoke; fi
			echo "$i" >>"$SCRATCH/sent"
			printf '%s' "$(edit_body)" | curl -s -o /dev/null --unix-socket "$SOCK" -X POST \
				-H 'Content-Type: application/json' --data-binary @- \
				"http://bulwark/fw/$verb" || exit 0
			i=$((i + 1))
		done
	) &
	editor=$!
	# Killed while the requests run, at a different point each round.
	until [ "$(wc -l <"$SCRATCH/sent")" -ge $((round * 2 + 1)) ]; do sleep 0.01; done
	kill -9 "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null
	wait "$editor"
	server_start || { not_ok "round $round: the server starts again"; break; }
	if file_has_rule; then file=yes; else file=no; fi
	if kernel_has_rule; then kernel=yes; else kernel=no; fi
	check_eq "killed mid-edit (round $round): kernel and file agree" "$file" "$kernel"
	round=$((round + 1))
done
if file_has_rule; then
	check "... and packets follow them: inet reaches web1:8080" connects inet 10.0.1.10 8080
else
	if connects inet 10.0.1.10 8080; then not_ok "... and packets follow them"; else ok "... and packets follow them"; fi
fi
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check_eq "serve stops cleanly" 0 "$?"
finish
