# Shared by the api_*.sh tests: `bulwark serve` inside a namespace of the
# test's own (so the host firewall and net.* sysctls it converges are the
# namespace's), against a fake root (kernel.*, fs.*, modprobe.d), with a
# temporary socket and datastore. Source it after lib.sh.

NS="$PREFIX-api"
ROOT="$SCRATCH/root"
DS="$SCRATCH/datastore"
SOCK="$SCRATCH/api.sock"
# An existing group: the tests never add one to the machine.
GROUP=$(id -gn 0)
SERVER_PID=""

# The fake host: the sysctl files the tests set, with their first values.
api_fake_root() {
	mkdir -p "$ROOT/proc/sys/kernel" "$ROOT/proc/sys/fs" "$ROOT/proc/sys/vm" "$ROOT/proc/sys/net" \
		"$ROOT/etc/modprobe.d" "$ROOT/run/bulwark"
	echo 0 >"$ROOT/proc/sys/kernel/kptr_restrict"
	echo 0 >"$ROOT/proc/sys/kernel/dmesg_restrict"
	echo 1 >"$ROOT/proc/sys/fs/suid_dumpable"
	echo 60 >"$ROOT/proc/sys/vm/swappiness"
	echo 0 >"$ROOT/proc/sys/kernel/yama_ptrace_scope"
}

api_setup() {
	new_ns "$NS"
	api_fake_root
	# Others (nobody, in the peer tests) reach the socket through it.
	chmod 0711 "$SCRATCH"
}

# in_api_ns COMMAND...: runs a command in the namespace, where the fake
# root's proc/sys/net is the namespace's own (a bind mount in the mount
# namespace ip netns exec makes for this command alone): kernel.*, fs.*
# and vm.* stay fake, net.* are real and the namespace's.
in_api_ns() {
	ip netns exec "$NS" sh -c 'mount --bind /proc/sys/net "$0/proc/sys/net" && exec "$@"' \
		"$ROOT" "$@"
}

# server_start [ARGS...]: starts the server and waits until it answers
# (polled; the deadline only stops a broken test). Fails when it exits.
server_start() {
	# Not through a function: $! must be the server itself (ip netns exec,
	# then sh, exec it in turn), so a SIGKILL hits it. It gets no
	# descriptor above 2: it must never hold flock's netns lock.
	ip netns exec "$NS" sh -c 'mount --bind /proc/sys/net "$0/proc/sys/net" && exec "$@"' \
		"$ROOT" "$BULWARK" --root "$ROOT" serve --socket-path "$SOCK" --datastore-path "$DS" \
		--group "$GROUP" "$@" >>"$SCRATCH/server.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	SERVER_PID=$!
	on_exit "kill -9 $SERVER_PID"
	for _ in $(seq 1200); do
		if curl -s -o /dev/null --unix-socket "$SOCK" http://bulwark/ 2>/dev/null; then
			return 0
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "# the server did not start:" >&2
	sed 's/^/# /' "$SCRATCH/server.log" >&2
	return 1
}

# server_stop: SIGTERM, and the exit status of the server.
server_stop() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	rc=$?
	SERVER_PID=""
	return $rc
}

server_kill() {
	kill -KILL "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# call METHOD PATH [BODY]: STATUS gets the HTTP status, BODY the answer.
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
	: >"$SCRATCH/body"
}

# check_call DESC WANT_STATUS WANT_BODY METHOD PATH [BODY]
check_call() {
	desc=$1 want_status=$2 want_body=$3
	shift 3
	call "$@"
	check_eq "$desc" "$want_status $want_body" "$STATUS $BODY"
}

fake() { cat "$ROOT/proc/sys/$1"; }

# check_start DESC [ARGS...] and check_stop DESC: as check, in this shell
# (SERVER_PID must survive).
check_start() {
	desc=$1
	shift
	if server_start "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
check_stop() {
	if server_stop; then ok "$1"; else not_ok "$1" "exit $rc: $(tail -5 "$SCRATCH/server.log")"; fi
}
