# Shared by the netns tests: TAP output, a unique prefix, cleanup on exit.
# Source it after setting BULWARK (the binary) and PEER (bw-peer).
set -u

BULWARK=${BULWARK:?BULWARK must name the bulwark binary}
PEER=${PEER:-}
# Unique per run: namespace names carry it, so runs never collide.
PREFIX="t$$"
TESTS_RUN=0
TESTS_FAILED=0
CLEANUPS=""
SCRATCH=$(mktemp -d /tmp/bulwark-netns.XXXXXX)

ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $1"
}

not_ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
	TESTS_FAILED=$((TESTS_FAILED + 1))
	echo "not ok $TESTS_RUN - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
	return 0
}

# check DESCRIPTION COMMAND...: passes when the command exits 0.
check() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "$out"; fi
}

# check_eq DESCRIPTION WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want: $2
got:  $3"; fi
}

# check_contains DESCRIPTION NEEDLE HAYSTACK
check_contains() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) not_ok "$1" "want to find: $2
in: $3" ;;
	esac
}

on_exit() {
	CLEANUPS="$1
$CLEANUPS"
}

run_cleanups() {
	printf '%s\n' "$CLEANUPS" | while IFS= read -r cmd; do
		[ -n "$cmd" ] && sh -c "$cmd" >/dev/null 2>&1
	done
	rm -rf "$SCRATCH"
}
trap run_cleanups EXIT
trap 'exit 1' INT TERM

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# Skips where the test cannot run; under CI=true it must not skip.
require_netns() {
	reason=""
	if [ "$(id -u)" -ne 0 ]; then
		reason="needs root for network namespaces"
	elif ! command -v ip >/dev/null || ! command -v nft >/dev/null; then
		reason="needs ip (iproute2) and nft (nftables) for the test's own checks"
	elif ! ip netns add "$PREFIX-probe" 2>/dev/null; then
		reason="cannot create a network namespace"
	else
		if ! ip netns exec "$PREFIX-probe" nft add table inet probe 2>/dev/null; then
			reason="this kernel has no nftables"
		fi
		ip netns del "$PREFIX-probe"
	fi
	[ -z "$reason" ] && return 0
	if [ "${CI:-}" = "true" ]; then
		echo "Bail out! $reason (CI=true: netns tests must run)"
		exit 1
	fi
	skip_all "$reason"
}

# new_ns NAME: a namespace deleted on exit.
new_ns() {
	ip netns add "$1"
	on_exit "ip netns del $1"
	ip -n "$1" link set lo up
}

# gateway_ns NAME: a namespace with an "uplink" eth0 (a veth to NAME-up)
# holding 198.51.100.2/24 and 2001:db8:51::2/64, default routes through it.
gateway_ns() {
	new_ns "$1"
	new_ns "$1u"
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$1u"
	ip -n "$1" addr add 198.51.100.2/24 dev eth0
	ip -n "$1" addr add 2001:db8:51::2/64 dev eth0 nodad
	ip -n "$1" link set eth0 up
	ip -n "$1u" addr add 198.51.100.1/24 dev eth0
	ip -n "$1u" addr add 2001:db8:51::1/64 dev eth0 nodad
	ip -n "$1u" link set eth0 up
	ip -n "$1" route add default via 198.51.100.1
	ip -n "$1" -6 route add default via 2001:db8:51::1
}

# nat_gateway: G, a gateway_ns of the test's own, and nat, which runs
# `bulwark nat` in it with its state kept in the test's scratch folder.
nat_gateway() {
	G="$PREFIX-gw"
	gateway_ns "$G"
	STATE="$SCRATCH/state"
}
nat() { # each subcommand takes only its own options
	sub=$1
	shift
	case $sub in
	render) ip netns exec "$G" "$BULWARK" nat render "$@" ;;
	*) ip netns exec "$G" "$BULWARK" nat "$sub" "$@" --state-dir "$STATE" ;;
	esac
}

# in NS COMMAND...: runs a command inside a namespace.
in_ns() {
	ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# gated NS COMMAND...: runs a command inside a namespace, in a mount
# namespace of its own where /etc/iproute2/rt_marks is a FIFO, in the
# background ($GATED_PID; the FIFO is $GATE): each libnftables context it
# makes waits until tests/netns/nft_gate.py lets it go.
gated() {
	ns=$1
	shift
	etc="$SCRATCH/iproute2"
	if [ ! -p "$etc/rt_marks" ]; then
		mkdir -p "$etc"
		cp -r /etc/iproute2/. "$etc/" 2>/dev/null
		rm -f "$etc/rt_marks"
		mkfifo "$etc/rt_marks"
	fi
	GATE="$etc/rt_marks"
	unshare -m sh -c 'mount --bind "$1" /etc/iproute2 && shift && exec "$@"' sh "$etc" \
		ip netns exec "$ns" "$@" &
	GATED_PID=$!
	on_exit "kill -9 $GATED_PID 2>/dev/null"
}

# gate NS ACTION [ARG]: acts at the gated command's contexts (see
# tests/netns/nft_gate.py) and prints at which.
gate() {
	python3 "$(dirname "$0")/nft_gate.py" "$GATE" "$GATED_PID" "$@"
}

sysctl_in() {
	ip netns exec "$1" cat "/proc/sys/$2"
}

finish() {
	echo "1..$TESTS_RUN"
	[ "$TESTS_FAILED" -eq 0 ]
}
