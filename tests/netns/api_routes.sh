#!/bin/sh
# bulwark serve: every route of the settings API over a real Unix socket
# with curl, status codes and bodies as Bottlerocket's apiserver answers,
# the peer check (SO_PEERCRED), body limits, and the socket's life.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
command -v curl >/dev/null || skip_all "needs curl"
require_netns
api_setup
check_start "serve starts and answers on its socket"

check_eq "the socket is mode 0660, group $GROUP" "660 $GROUP" "$(stat -c '%a %G' "$SOCK")"
# security.fips-mode is read from the kernel (the fake root has no
# crypto/fips_enabled: false), never stored.
NOFIPS='{"security":{"fips-mode":false}}'
# The model's os part, as Bottlerocket's: from the root's os-release,
# uname and bulwark's version.
printf 'NAME=Test\nPRETTY_NAME="Test OS 1.2 (\\"lab\\")"\nID=testos\nVERSION_ID=1.2\n' \
	>"$ROOT/etc/os-release"
VERSION=$("$BULWARK" --version | cut -d' ' -f2)
OS="{\"pretty_name\":\"Test OS 1.2 (\\\"lab\\\")\",\"variant_id\":\"testos\",\"version_id\":\"1.2\",\"build_id\":\"$VERSION\",\"arch\":\"$(uname -m)\"}"
check_call "GET /: the whole model, the (empty) live settings, fips-mode and os" 200 \
	"{\"settings\":$NOFIPS,\"os\":$OS}" GET /
check_call "GET /os: the os part" 200 "$OS" GET /os
check_call "GET /?prefix=os.arch: only that field, under os" 200 "{\"os\":{\"arch\":\"$(uname -m)\"}}" \
	GET '/?prefix=os.arch'
check_call "GET /os?prefix=version: os. implied" 200 '{"version_id":"1.2"}' GET '/os?prefix=version'
check_call "GET /?prefix=settings.security: no os part" 200 "{\"settings\":$NOFIPS}" \
	GET '/?prefix=settings.security'
check_call "GET /settings: the live settings and fips-mode" 200 "$NOFIPS" GET /settings
mkdir -p "$ROOT/proc/sys/crypto"
echo 1 >"$ROOT/proc/sys/crypto/fips_enabled"
check_call "GET /settings: fips-mode true when fips_enabled is 1" 200 '{"security":{"fips-mode":true}}' \
	GET /settings
check_call "GET /?prefix=settings.security: the same" 200 '{"settings":{"security":{"fips-mode":true}}}' \
	GET '/?prefix=settings.security'
check_call "GET /settings?keys=settings.security.fips-mode" 200 '{"security":{"fips-mode":true}}' \
	GET '/settings?keys=settings.security.fips-mode'
echo 0 >"$ROOT/proc/sys/crypto/fips_enabled"
check_call "... false when it is 0" 200 "$NOFIPS" GET /settings
rm "$ROOT/proc/sys/crypto/fips_enabled"
check_call "PATCH /settings: 204" 204 '' PATCH /settings '{"kernel":{"sysctl":{"kernel.kptr_restrict":"2"}}}'
check_call "GET /tx: the default transaction's pending settings" 200 \
	'{"kernel":{"sysctl":{"kernel.kptr_restrict":"2"}}}' GET /tx
check_call "PATCH /settings/keypair?tx=other: 204" 204 '' PATCH '/settings/keypair?tx=other' \
	'{"request_payload":["kernel.sysctl.\"kernel.dmesg_restrict\"=1"]}'
check_call "GET /tx?tx=other: the keypair as a tree" 200 \
	'{"kernel":{"sysctl":{"kernel.dmesg_restrict":"1"}}}' GET '/tx?tx=other'
check_call "GET /tx/list: both transactions" 200 '["default","other"]' GET /tx/list
check_call "DELETE /tx?tx=other: its keys" 200 '["settings.kernel.sysctl.\"kernel.dmesg_restrict\""]' \
	DELETE '/tx?tx=other'
check_call "GET /tx/list: only default left" 200 '["default"]' GET /tx/list
check_call "GET /tx of an unknown transaction: {}" 200 '{}' GET '/tx?tx=none'
call GET '/tx?tx=a%2Fb'
check_eq "a transaction name with a slash: 400" 400 "$STATUS"
check_contains "... naming it" 'a/b' "$BODY"
check_call "GET /settings: nothing live before a commit" 200 "$NOFIPS" GET /settings
check_call "POST /tx/commit: 200 with the changed keys" 200 \
	'["settings.kernel.sysctl.\"kernel.kptr_restrict\""]' POST /tx/commit
check_eq "a plain commit does not apply" 0 "$(fake kernel/kptr_restrict)"
call POST /tx/commit
check_eq "POST /tx/commit with nothing pending: 422" 422 "$STATUS"
check_contains "... saying so" "no pending settings" "$BODY"
call PATCH /settings '{"kernel":{"sysctl":{"kernel.kptr_restrict":"2"}}}'
check_call "POST /tx/commit of a value already live: 200 with the pending keys" 200 \
	'["settings.kernel.sysctl.\"kernel.kptr_restrict\""]' POST /tx/commit
check_call "POST /tx/apply: 204" 204 '' POST /tx/apply
check_eq "... and the host holds the live settings" 2 "$(fake kernel/kptr_restrict)"
check_call "POST /tx/apply?keys=: 204" 204 '' POST '/tx/apply?keys=settings.kernel.sysctl.%22kernel.kptr_restrict%22'
call POST '/tx/apply?keys='
check_eq "POST /tx/apply?keys= (empty): 400" 400 "$STATUS"

LIVE='{"kernel":{"sysctl":{"kernel.kptr_restrict":"2"}}}'
check_call "GET /settings?keys=full names" 200 "$LIVE" GET \
	'/settings?keys=settings.kernel.sysctl.%22kernel.kptr_restrict%22,settings.nothing'
check_call "GET /settings?keys= naming nothing: {}" 200 '{}' GET '/settings?keys=settings.kernel.lockdown'
check_call "GET /settings?prefix= implies settings." 200 "$LIVE" GET '/settings?prefix=kernel.sys'
check_call "GET /settings?prefix=settings.… as given" 200 "$LIVE" GET '/settings?prefix=settings.kern'
check_call "GET /settings?prefix= matching nothing: {}" 200 '{}' GET '/settings?prefix=firewall'
call GET '/settings?prefix='
check_eq "GET /settings?prefix= (empty): 400" 400 "$STATUS"
check_call "GET /?prefix=" 200 "{\"settings\":$LIVE}" GET '/?prefix=settings.kernel'

call PATCH /settings/keypair '{"request_payload":["settings.kernel.sysctl.\"kernel.dmesg_restrict\"=1"]}'
check_call "POST /tx/commit_and_apply: 200 with the changed keys" 200 \
	'["settings.kernel.sysctl.\"kernel.dmesg_restrict\""]' POST /tx/commit_and_apply
check_eq "... applied to the host" 1 "$(fake kernel/dmesg_restrict)"
check_call "... and live" 200 '{"kernel":{"sysctl":{"kernel.dmesg_restrict":"1"}}}' GET \
	'/settings?keys=settings.kernel.sysctl.%22kernel.dmesg_restrict%22'
call POST /tx/commit_and_apply
check_eq "POST /tx/commit_and_apply with nothing pending: 422" 422 "$STATUS"
call PATCH /settings/keypair '{"request_payload":["settings.kernel.sysctl.\"kernel.dmesg_restrict\"=1","settings.kernel.sysctl.\"kernel.kptr_restrict\"=2"]}'
check_call "POST /tx/commit_and_apply of values already live: 200 with the pending keys, sorted" 200 \
	'["settings.kernel.sysctl.\"kernel.dmesg_restrict\"","settings.kernel.sysctl.\"kernel.kptr_restrict\""]' \
	POST /tx/commit_and_apply
check_call "... nothing left pending" 200 '{}' GET /tx
call POST /tx/confirm
check_eq "POST /tx/confirm with nothing awaiting: 422" 422 "$STATUS"

call PATCH /settings '{"kernel": '
check_eq "PATCH /settings with bad JSON: 400" 400 "$STATUS"
check_contains "... the line names the body" "request body:" "$BODY"
call PATCH /settings '{"kernel":{"lockdown":"bogus"}}'
check_eq "PATCH /settings with a bad value: 400" 400 "$STATUS"
check_contains "... naming the key" "settings.kernel.lockdown" "$BODY"
call PATCH /settings '{"security":{"fips-mode":true}}'
check_eq "PATCH of a read-only key: 400" 400 "$STATUS"
check_contains "... saying read-only" "read-only" "$BODY"
call PATCH /settings/keypair '{"request_payload":["kernel.lockdown"]}'
check_eq "PATCH /settings/keypair without '=': 400" 400 "$STATUS"
call PATCH /settings/keypair '{"payload":[]}'
check_eq "PATCH /settings/keypair of another shape: 400" 400 "$STATUS"
call PATCH /settings '[1]'
check_eq "PATCH /settings of an array: 400" 400 "$STATUS"
check_call "nothing of the refused writes is pending" 200 '{}' GET /tx
call PATCH /settings '{"security":null}'
check_eq "PATCH taking out the table of a read-only key: 400" 400 "$STATUS"
check_contains "... naming the key, read-only" "settings.security.fips-mode: read-only" "$BODY"
call PATCH /settings '{"security":{"fips-mode":null}}'
check_eq "PATCH taking out the read-only key: 400" 400 "$STATUS"
check_call "... nothing pending" 200 '{}' GET /tx

# A table taken out with null: the commit lists the leaves it removed.
call PATCH /settings '{"network":{"https-proxy":"http://p.example:3128","no-proxy":["a"]}}'
call POST /tx/commit
check_call "PATCH of a table to null: 204" 204 '' PATCH /settings '{"network":null}'
check_call "... its commit lists the leaves removed, not the table" 200 \
	'["settings.network.https-proxy","settings.network.no-proxy"]' POST /tx/commit
check_call "... and they are gone" 200 '{}' GET '/settings?prefix=network'
check_call "a null taking out nothing live: 204" 204 '' PATCH /settings '{"network":null}'
check_call "... its commit: 200, nothing listed" 200 '[]' POST /tx/commit

call GET /nope
check_eq "an unknown route: 404" 404 "$STATUS"
call DELETE /settings
check_eq "a known route, wrong method: 405" 405 "$STATUS"
call GET /tx/commit
check_eq "GET /tx/commit: 405" 405 "$STATUS"

head -c 2000000 /dev/zero | tr '\0' ' ' >"$SCRATCH/big"
STATUS=$(curl -sS --unix-socket "$SOCK" -X PATCH --data-binary @"$SCRATCH/big" -o /dev/null \
	-w '%{http_code}' http://bulwark/settings)
check_eq "a 2 MB body (Content-Length): 413" 413 "$STATUS"
STATUS=$(curl -sS --unix-socket "$SOCK" -X PATCH -H 'Transfer-Encoding: chunked' \
	--data-binary @"$SCRATCH/big" -o /dev/null -w '%{http_code}' http://bulwark/settings)
check_eq "a 2 MB body (chunked, no length): 413 once read" 413 "$STATUS"
head -c 1000000 /dev/zero | tr '\0' ' ' >"$SCRATCH/under"
printf '{}' >>"$SCRATCH/under"
STATUS=$(curl -sS --unix-socket "$SOCK" -X PATCH -H 'Transfer-Encoding: chunked' \
	--data-binary @"$SCRATCH/under" -o /dev/null -w '%{http_code}' http://bulwark/settings)
check_eq "a body under 1 MiB (chunked): taken" 204 "$STATUS"
check_call "nothing of the refused bodies is pending" 200 '{}' GET /tx

# The peer check itself: the socket opened to all, callers judged by
# their credentials.
chmod 0666 "$SOCK"
as() { setpriv "$@" curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' http://bulwark/settings; }
GID=$(getent group "$GROUP" | cut -d: -f3)
check_eq "a user outside the group: 403" 403 "$(as --reuid=nobody --regid=nogroup --clear-groups)"
check_eq "a user with the group as a supplementary group: 200" 200 \
	"$(as --reuid=nobody --regid=nogroup --groups="$GID")"
check_eq "a user with the group as its primary group: 200" 200 \
	"$(as --reuid=nobody --regid="$GID" --clear-groups)"
STATUS=$(setpriv --reuid=nobody --regid=nogroup --clear-groups curl -s --unix-socket "$SOCK" \
	-X PATCH --data-binary '{"kernel":{"lockdown":"none"}}' -o /dev/null -w '%{http_code}' \
	http://bulwark/settings)
check_eq "a write from outside the group: 403" 403 "$STATUS"
check_call "... and nothing was written" 200 '{}' GET /tx
chmod 0660 "$SOCK"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BULWARK" -s "$SOCK" get 2>&1)
check_eq "the client refused by the socket's mode: exit 1" 1 "$?"
check_eq "... naming the socket's real group and mode" \
	"bulwark: cannot connect to $SOCK: Permission denied (mode 0660, group $GROUP: root and the members of $GROUP may)" \
	"$out"

out=$(in_api_ns "$BULWARK" --root "$ROOT" serve --socket-path "$SOCK" \
	--datastore-path "$SCRATCH/other-ds" --group "$GROUP" 2>&1)
check_eq "a second server refuses a live socket (exit 1)" 1 "$?"
check_contains "... saying another answers" "another server answers" "$out"
call GET /
check_contains "... and the first still serves" '"kernel.kptr_restrict":"2"' "$STATUS $BODY"
out=$(in_api_ns "$BULWARK" --root "$ROOT" serve --socket-path "$SCRATCH/x.sock" \
	--datastore-path "$SCRATCH/other-ds" --group "no-such-group-$$" 2>&1)
check_eq "an unknown group: exit 2" 2 "$?"
check_contains "... named" "no-such-group-$$" "$out"

check_stop "SIGTERM stops it cleanly (exit 0)"
check "... and removes its socket" test ! -e "$SOCK"
check_start "it starts again"
server_kill
check "a stale socket (the server SIGKILLed) is still there" test -S "$SOCK"
# READY=1 once serving: a datagram socket of our own as NOTIFY_SOCKET.
if command -v python3 >/dev/null; then
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
print(s.recv(4096).decode(), flush=True)' "$SCRATCH/notify" >"$SCRATCH/notified" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	LISTENER=$!
	for _ in $(seq 600); do [ -S "$SCRATCH/notify" ] && break; sleep 0.05; done
	export NOTIFY_SOCKET="$SCRATCH/notify"
	check_start "a stale socket is replaced"
	unset NOTIFY_SOCKET
	wait $LISTENER
	check_contains "sd_notify: READY=1 once serving" "READY=1" "$(cat "$SCRATCH/notified")"
else
	check_start "a stale socket is replaced"
fi
call GET /settings
check_contains "the live settings survived a SIGKILL" '"kernel.dmesg_restrict":"1"' "$BODY"
check_stop "SIGTERM again"

# -s before serve: the socket serve binds, as it is the one clients use.
# (/run is a tmpfs of its own there: a server that bound its default
# socket instead would not touch the machine's.)
GLOBAL="$SCRATCH/global.sock"
ip netns exec "$NS" sh -c 'mount --bind /proc/sys/net "$0/proc/sys/net" && mount -t tmpfs none /run &&
	exec "$@"' "$ROOT" "$BULWARK" --root "$ROOT" -s "$GLOBAL" serve --datastore-path "$DS" \
	--group "$GROUP" >>"$SCRATCH/server.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
SERVER_PID=$!
on_exit "kill -9 $SERVER_PID"
for _ in $(seq 1200); do # polled; the deadline only stops a broken test
	[ -S "$GLOBAL" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.05
done
call_global=$(curl -sS --unix-socket "$GLOBAL" -o /dev/null -w '%{http_code}' http://bulwark/settings)
check_eq "bulwark -s PATH serve: serves on PATH" 200 "$call_global"
# While that server holds the datastore, so a serve that went on would
# stop at its lock (exit 1) rather than serve.
out=$(in_api_ns "$BULWARK" --root "$ROOT" -s "$SCRATCH/other.sock" serve --socket-path "$SOCK" \
	--datastore-path "$DS" --group "$GROUP" 2>&1)
check_eq "-s and --socket-path naming two sockets: exit 2" 2 "$?"
check_eq "... one line naming both" \
	"bulwark: serve: -s $SCRATCH/other.sock and --socket-path $SOCK differ: give one" "$out"
out=$(in_api_ns "$BULWARK" -s "$SCRATCH/other.sock" get -s "$SOCK" 2>&1)
check_eq "a client given -s and --socket-path naming two sockets: exit 2" 2 "$?"
check_eq "... one line naming both" \
	"bulwark: get: -s $SCRATCH/other.sock and --socket-path $SOCK differ: give one" "$out"
check_stop "... SIGTERM"

# Socket activation: the socket systemd passes is served, the peer still
# checked (tests/tools/socket_activate.py passes it as systemd does).
{
	ACT="$SCRATCH/activated.sock"
	ip netns exec "$NS" sh -c 'mount --bind /proc/sys/net "$0/proc/sys/net" && exec "$@"' \
		"$ROOT" python3 "$(dirname "$0")/../tools/socket_activate.py" "$ACT" "$BULWARK" --root "$ROOT" serve \
		--socket-path "$SCRATCH/unused.sock" --datastore-path "$DS" --group "$GROUP" \
		>>"$SCRATCH/server.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	SERVER_PID=$!
	on_exit "kill -9 $SERVER_PID"
	for _ in $(seq 1200); do # polled; the deadline only stops a broken test
		[ -S "$ACT" ] && break
		sleep 0.05
	done
	STATUS=$(curl -sS --unix-socket "$ACT" -o /dev/null -w '%{http_code}' http://bulwark/settings)
	check_eq "socket activation: the passed socket answers" 200 "$STATUS"
	check "... and no other socket is bound" test ! -e "$SCRATCH/unused.sock"
	chmod 0666 "$ACT"
	STATUS=$(setpriv --reuid=nobody --regid=nogroup --clear-groups curl -s --unix-socket "$ACT" \
		-o /dev/null -w '%{http_code}' http://bulwark/settings)
	check_eq "... a user outside the group: 403" 403 "$STATUS"
	check_stop "... SIGTERM"
}
finish
