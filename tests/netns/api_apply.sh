#!/bin/sh
# bulwark serve: commit_and_apply applies first and commits only what
# applied; a change not confirmed in time rolls back; at start the host is
# brought to the live settings (what the boot unit relies on).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
command -v curl >/dev/null || skip_all "needs curl"
require_netns
api_setup
check_start "serve starts"

key() { echo "/settings?keys=settings.kernel.sysctl.%22$1%22"; }
live_of() { call GET "$(key "$1")"; echo "$BODY"; }

call PATCH /settings '{"kernel":{"sysctl":{"kernel.kptr_restrict":"1"}}}'
check_call "a first change applies" 200 '["settings.kernel.sysctl.\"kernel.kptr_restrict\""]' \
	POST /tx/commit_and_apply
check_eq "... to the fake host" 1 "$(fake kernel/kptr_restrict)"

# A change whose second step fails: net.ipv4.conf.all.mc_forwarding is
# read-only even to root (the namespace's own, through the bind mount), so
# kernel.kptr_restrict, before it in name order, is written and then undone,
# and nothing is committed.
MCF='net.ipv4.conf.all.mc_forwarding'
call PATCH /settings "{\"kernel\":{\"sysctl\":{\"kernel.kptr_restrict\":\"2\",\"$MCF\":\"1\"}}}"
call POST /tx/commit_and_apply
case $STATUS in 400 | 500) ok "a failing apply: an error status ($STATUS)" ;;
*) not_ok "a failing apply: an error status" "got $STATUS $BODY" ;; esac
check_contains "... naming the key" "$MCF" "$BODY"
check_eq "... the step done before it undone on the host" 1 "$(fake kernel/kptr_restrict)"
check_eq "... the live settings as they were" '{"kernel":{"sysctl":{"kernel.kptr_restrict":"1"}}}' \
	"$(live_of kernel.kptr_restrict)"
check_eq "... nothing of it live" '{}' "$(live_of "$MCF")"
call GET /tx
check_contains "... the transaction still pending, to be fixed" "$MCF" "$BODY"
check_call "DELETE /tx drops it" 200 \
	"[\"settings.kernel.sysctl.\\\"kernel.kptr_restrict\\\"\",\"settings.kernel.sysctl.\\\"$MCF\\\"\"]" \
	DELETE /tx

# A committed key this host cannot apply (a plain commit applies nothing;
# a kernel upgrade can drop a sysctl too) makes every later change fail
# to converge; a null takes it out.
call PATCH /settings '{"kernel":{"sysctl":{"net.ipv4.nosuch_knob":"1"}}}'
call POST /tx/commit
check_eq "a plain commit of a sysctl this host lacks: 200" 200 "$STATUS"
call PATCH /settings '{"kernel":{"sysctl":{"kernel.dmesg_restrict":"1"}}}'
call POST /tx/commit_and_apply
check_contains "... later changes fail, naming it" "nosuch_knob" "$BODY"
call DELETE /tx
call PATCH /settings '{"kernel":{"sysctl":{"net.ipv4.nosuch_knob":null}}}'
check_call "a null takes the key out" 200 '["settings.kernel.sysctl.\"net.ipv4.nosuch_knob\""]' \
	POST /tx/commit_and_apply
check_eq "... gone from the live settings" '{}' "$(live_of net.ipv4.nosuch_knob)"
call PATCH /settings '{"kernel":{"sysctl":{"kernel.dmesg_restrict":"1"}}}'
check_call "... and the next change applies" 200 \
	'["settings.kernel.sysctl.\"kernel.dmesg_restrict\""]' POST /tx/commit_and_apply
call PATCH /settings '{"kernel":{"sysctl":{"kernel.dmesg_restrict":null}}}'
call POST /tx/commit_and_apply
call PATCH /settings '{"security":{"fips-mode":null}}'
check_eq "a null on a read-only key: 400" 400 "$STATUS"

# Confirmation: not confirmed in time, the change rolls back.
call PATCH /settings '{"kernel":{"sysctl":{"kernel.kptr_restrict":"2","kernel.dmesg_restrict":"1"}}}'
call POST '/tx/commit_and_apply?confirm_within=1'
check_eq "commit_and_apply?confirm_within=1: 200" 200 "$STATUS"
check_eq "... applied at once" "2 1" "$(fake kernel/kptr_restrict) $(fake kernel/dmesg_restrict)"
call PATCH /settings '{"kernel":{"sysctl":{"vm.swappiness":"10"}}}'
call POST /tx/commit_and_apply
check_eq "another commit while one awaits confirmation: 409" 409 "$STATUS"
call DELETE /tx
for _ in $(seq 600); do # polled; the deadline only stops a broken test
	[ "$(fake kernel/kptr_restrict)" = 1 ] && break
	sleep 0.05
done
check_eq "unconfirmed, the host rolls back" "1 0" "$(fake kernel/kptr_restrict) $(fake kernel/dmesg_restrict)"
check_eq "... and the live settings" '{"kernel":{"sysctl":{"kernel.kptr_restrict":"1"}}}' \
	"$(live_of kernel.kptr_restrict)"
check_eq "... all of them" '{}' "$(live_of kernel.dmesg_restrict)"
call POST /tx/confirm
check_eq "confirming after the rollback: 422" 422 "$STATUS"

# Confirmed in time, it stays: a later unconfirmed change rolls back to it.
call PATCH /settings '{"kernel":{"sysctl":{"kernel.dmesg_restrict":"1"}}}'
call POST '/tx/commit_and_apply?confirm_within=1'
check_call "POST /tx/confirm: 204" 204 '' POST /tx/confirm
call PATCH /settings '{"kernel":{"sysctl":{"vm.swappiness":"10"}}}'
call POST '/tx/commit_and_apply?confirm_within=1'
check_eq "a second change, confirm_within=1: 200" 200 "$STATUS"
for _ in $(seq 600); do # polled; the deadline only stops a broken test
	[ "$(fake vm/swappiness)" = 60 ] && break
	sleep 0.05
done
check_eq "the unconfirmed second change rolled back, the confirmed one kept" "60 1" \
	"$(fake vm/swappiness) $(fake kernel/dmesg_restrict)"
call POST '/tx/commit_and_apply?confirm_within=0'
check_eq "confirm_within=0: 400" 400 "$STATUS"

# Raising kernel.lockdown cannot be rolled back: it cannot await confirmation.
call PATCH /settings?tx=lock '{"kernel":{"lockdown":"integrity"}}'
call POST '/tx/commit_and_apply?tx=lock&confirm_within=60'
check_eq "raising kernel.lockdown with confirm_within: 400" 400 "$STATUS"
check_contains "... saying it cannot be rolled back" "settings.kernel.lockdown: raising it cannot be rolled back" "$BODY"
call DELETE '/tx?tx=lock'

# Killed while a change awaits confirmation: rolled back at the next start.
call PATCH /settings '{"kernel":{"sysctl":{"vm.swappiness":"5"}}}'
call POST '/tx/commit_and_apply?confirm_within=600'
check_eq "a change awaiting confirmation for 600 s" 5 "$(fake vm/swappiness)"
server_kill
check_start "the server SIGKILLed, it starts again"
check_eq "... the unconfirmed change rolled back on the host" 60 "$(fake vm/swappiness)"
check_eq "... and in the datastore" '{}' "$(live_of vm.swappiness)"
check_contains "... saying so in the log" "awaited confirmation" "$(cat "$SCRATCH/server.log")"

# At start the host is brought to the live settings (the boot unit).
check_stop "SIGTERM"
echo 0 >"$ROOT/proc/sys/kernel/kptr_restrict"
echo 0 >"$ROOT/proc/sys/kernel/dmesg_restrict"
check_start "started on a host that drifted"
check_eq "... the host holds the live settings again" "1 1" \
	"$(fake kernel/kptr_restrict) $(fake kernel/dmesg_restrict)"

# A live setting the host refuses at start: logged, the steps after it
# (the host firewall) still converge, and the API still serves.
call PATCH /settings?tx=fw '{"firewall":{"host":{"enabled":true}}}'
call POST '/tx/commit_and_apply?tx=fw'
check_eq "the host firewall on" 200 "$STATUS"
check_stop "SIGTERM"
ip netns exec "$NS" nft delete table inet bulwark_host
mv "$ROOT/proc/sys/kernel/dmesg_restrict" "$SCRATCH/dmesg_restrict"
: >"$SCRATCH/server.log"
check_start "started on a host that refuses a live setting"
check_contains "... logged, naming the key" "kernel.dmesg_restrict" "$(cat "$SCRATCH/server.log")"
check "... the host firewall loaded all the same" ip netns exec "$NS" nft list table inet bulwark_host
check_call "... and serving, so it can be fixed" 204 '' PATCH /settings \
	'{"kernel":{"sysctl":{"kernel.dmesg_restrict":"0"}}}'

# A change that fails while converging back fails too (the live
# kernel.dmesg_restrict still has no file): the answer says both, and the
# journal keeps the apply, so the next start converges again.
call PATCH /settings?tx=back '{"kernel":{"sysctl":{"vm.swappiness":"7"}}}'
call POST '/tx/commit_and_apply?tx=back'
check_eq "a failing apply whose way back fails too: 500" 500 "$STATUS"
check_contains "... saying converging back failed, naming the key" \
	'; converging back failed too: settings.kernel.sysctl."kernel.dmesg_restrict"' "$BODY"
check_contains "... the journal keeps the apply" '"applying"' "$(cat "$DS/datastore.json")"
call DELETE '/tx?tx=back'
check_stop "SIGTERM"
mv "$SCRATCH/dmesg_restrict" "$ROOT/proc/sys/kernel/dmesg_restrict"
: >"$SCRATCH/server.log"
check_start "started again, the host fixed"
check_contains "... converging again for the apply in progress" "an apply was in progress" \
	"$(cat "$SCRATCH/server.log")"
check_eq "... the host at the live settings" "60 1" "$(fake vm/swappiness) $(fake kernel/dmesg_restrict)"
call PATCH /settings?tx=fw '{"firewall":{"host":{"enabled":false}}}'
call POST '/tx/commit_and_apply?tx=fw'
check_eq "the host firewall off again" 200 "$STATUS"

# A module denied while it is loaded: the rule is written, the module stays
# (unloading it would pull it from under its users), and the log says so.
printf 'sctp 409600 2 - Live 0x0000000000000000\n' >"$ROOT/proc/modules"
check_call "denying a loaded module" 204 '' PATCH /settings \
	'{"kernel":{"modules":{"sctp":{"allowed":false}}}}'
call POST /tx/commit_and_apply
check_eq "... applies" 200 "$STATUS"
check_contains "... writes the rule" "install sctp /bin/true" "$(cat "$ROOT/etc/modprobe.d/bulwark.conf")"
check_contains "... and warns it stays loaded" "denied but loaded until reboot or rmmod: sctp" \
	"$(cat "$SCRATCH/server.log")"

# The NAT's EC2 steps run through the settings too (api_nat_ec2.sh); with
# no IMDS here, they fail, named, and nothing is committed.
check_call "nat with an ENI to attach" 204 '' PATCH /settings?tx=ec2 \
	'{"nat":{"enabled":true,"interface":"lo","eni_id":"eni-0123456789abcdef0"}}'
call POST '/tx/commit_and_apply?tx=ec2'
case $STATUS in 400 | 500) ok "... with no IMDS here: an error status ($STATUS)" ;;
*) not_ok "... with no IMDS here: an error status" "got $STATUS $BODY" ;; esac
check_contains "... naming the key and IMDS" "settings.nat" "$BODY"
check_contains "... and IMDS" "imds http://169.254.169.254" "$BODY"
call GET /settings?prefix=nat
check_eq "... nothing of it live" '{}' "$BODY"
call DELETE /tx?tx=ec2

# network.https-proxy: kept for bulwark's own HTTP, which then goes through
# it (the error names the proxy's address, not the server's).
check_call "a proxy for bulwark's own HTTP" 204 '' PATCH /settings?tx=proxy \
	'{"network":{"https-proxy":"http://127.0.0.1:9","no-proxy":["localhost"]}}'
call POST '/tx/commit_and_apply?tx=proxy'
check_eq "... applies" 200 "$STATUS"
check_contains "... is recorded" '"https-proxy": "http://127.0.0.1:9"' "$(cat "$ROOT/run/bulwark/proxy.json")"
out=$(ip netns exec "$NS" env -u https_proxy -u HTTPS_PROXY "$BULWARK" --root "$ROOT" apply -s "$SOCK" \
	https://192.0.2.1/user-data 2>&1)
check_contains "... and user data over https goes through it" "127.0.0.1 port 9" "$out"
check_call "removing the proxy" 204 '' PATCH /settings?tx=proxy '{"network":{"https-proxy":""}}'
call POST '/tx/commit_and_apply?tx=proxy'
check_eq "... applies" 200 "$STATUS"
check_contains "... no-proxy alone stays recorded" '"https-proxy": ""' "$(cat "$ROOT/run/bulwark/proxy.json")"

# A lower kernel.lockdown committed for the next boot (the kernel only
# raises it) does not fail every later change: the live level waits for
# the reboot. A change that itself lowers it is still refused.
mkdir -p "$ROOT/sys/kernel/security"
echo "none [integrity] confidentiality" >"$ROOT/sys/kernel/security/lockdown"
call PATCH /settings?tx=low '{"kernel":{"lockdown":"none"}}'
check_call "lockdown=none committed, not applied, under a kernel at integrity" 200 \
	'["settings.kernel.lockdown"]' POST /tx/commit?tx=low
call PATCH /settings?tx=swap '{"kernel":{"sysctl":{"vm.swappiness":"41"}}}'
check_call "... a later unrelated change applies" 200 '["settings.kernel.sysctl.\"vm.swappiness\""]' \
	POST /tx/commit_and_apply?tx=swap
check_eq "... and is on the host" 41 "$(fake vm/swappiness)"
check_eq "... the kernel still at integrity" "none [integrity] confidentiality" \
	"$(cat "$ROOT/sys/kernel/security/lockdown")"
call PATCH /settings?tx=low2 '{"kernel":{"lockdown":"integrity"}}'
check_call "... raising it again applies" 200 '["settings.kernel.lockdown"]' \
	POST /tx/commit_and_apply?tx=low2
call PATCH /settings?tx=low3 '{"kernel":{"lockdown":"none"}}'
call POST /tx/commit_and_apply?tx=low3
check_eq "... lowering it in a change that applies: 500" 500 "$STATUS"
check_contains "... saying a reboot is needed" "needs a reboot" "$BODY"
call DELETE /tx?tx=low3
check_stop "SIGTERM"
finish
