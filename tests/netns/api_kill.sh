#!/bin/sh
# bulwark serve SIGKILLed at random instants during commit_and_apply, many
# times: after each restart the datastore holds the old live settings or
# the new ones, never a mix, an unconfirmed change is rolled back, and the
# fake host's files agree with the live settings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
command -v curl >/dev/null || skip_all "needs curl"
require_netns
api_setup
ROUNDS=${API_KILL_ROUNDS:-150}
KNOBS="kernel.kptr_restrict kernel.dmesg_restrict vm.swappiness fs.suid_dumpable kernel.yama_ptrace_scope"
rnd() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }
path_of() { echo "$1" | tr . /; }
original() { cat "$SCRATCH/orig/$1"; }
mkdir -p "$SCRATCH/orig"
for k in $KNOBS; do fake "$(path_of "$k")" >"$SCRATCH/orig/$k"; done

# live: the live value of each knob, or "-" when unset, space-separated.
live() {
	line=""
	for k in $KNOBS; do
		call GET "/settings?keys=settings.kernel.sysctl.%22$k%22"
		v=$(printf '%s' "$BODY" | sed -n 's/.*":"\([^"]*\)".*/\1/p')
		line="$line ${v:--}"
	done
	echo "${line# }"
}

# host: what the fake host holds for each knob, "-" where it holds the
# original value and the live settings name no value.
host_agrees() {
	set -- $(live)
	for k in $KNOBS; do
		want=$1
		shift
		[ "$want" = - ] && want=$(original "$k")
		[ "$(fake "$(path_of "$k")")" = "$want" ] || return 1
	done
	return 0
}

check_start "serve starts"
# How long a request takes here, so the kills spread over all of it.
span=1
for v in 1 2 3 0 1; do
	call PATCH /settings "{\"kernel\":{\"sysctl\":{\"vm.swappiness\":\"$v\"}}}"
	t0=$(date +%s%N)
	call POST /tx/commit_and_apply
	t=$((($(date +%s%N) - t0) / 1000000))
	[ "$t" -gt "$span" ] && span=$t
done
span=$((span * 3 / 2 + 1))
echo "# a commit_and_apply takes up to $((span * 2 / 3)) ms here: kills within $span ms"
bad="" interrupted=0 committed=0 rolled=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	i=$((i + 1))
	old=$(live)
	new="" body="" sep=""
	for k in $KNOBS; do
		v=$(($(rnd) % 4))
		new="$new $v"
		body="$body$sep\"$k\":\"$v\""
		sep=,
	done
	new=${new# }
	call PATCH /settings "{\"kernel\":{\"sysctl\":{$body}}}"
	confirm=""
	[ $(($(rnd) % 3)) -eq 0 ] && confirm="?confirm_within=600"
	curl -s -o /dev/null --unix-socket "$SOCK" -X POST "http://bulwark/tx/commit_and_apply$confirm" &
	client=$!
	# A random instant: from before the request arrives to after the reply.
	ms=$(($(rnd) % span))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	server_kill
	wait $client
	grep -rqs '"applying"' "$DS" && interrupted=$((interrupted + 1))
	if ! server_start; then
		bad="$bad
round $i: the server did not start again"
		break
	fi
	now=$(live)
	if [ "$now" = "$new" ] && [ -z "$confirm" ]; then
		committed=$((committed + 1))
	elif [ "$now" != "$old" ]; then
		bad="$bad
round $i: live is neither the old nor the new settings${confirm:+ (an unconfirmed change must roll back)}: old $old, new $new, live $now"
	fi
	[ -n "$confirm" ] && grep -q 'awaited confirmation' "$SCRATCH/server.log" && rolled=$((rolled + 1))
	if ! host_agrees; then
		bad="$bad
round $i: the host does not hold the live settings ($now): $(for k in $KNOBS; do fake "$(path_of "$k")"; done | tr '\n' ' ')"
	fi
	call DELETE /tx
	: >"$SCRATCH/server.log"
done
echo "# $ROUNDS kills: $interrupted mid-apply (journal open), $committed after the commit, $rolled unconfirmed rolled back"
check_eq "after every kill and restart, datastore and host agree" "" "$bad"
check "some kills landed mid-apply (the test reaches the window it is for)" test "$interrupted" -gt 0
check "some landed after the commit" test "$committed" -gt 0
check_stop "SIGTERM"
finish
