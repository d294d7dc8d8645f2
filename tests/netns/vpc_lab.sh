# The VPC of examples/aws as a lab, from a copy in $AWS the test may edit:
# `bulwark lab up --aws` builds it and has `fw apply` enforce it on the host
# that routes between its subnets and bridges within them ($PREFIX-vpc).
# The tests name the instances web1, app1, app2, db1 and the internet host
# inet, and run `fw` on that host with fw. Sourced after lib.sh.
AWS="$SCRATCH/aws"
cp -r "$EXAMPLES_DIR/aws" "$AWS"
R="$PREFIX-vpc"
LAB_STATE="/run/bulwark/lab-$PREFIX"
fw() { # each subcommand takes only its own options
	sub=$1
	shift
	case $sub in
	delete | status) in_ns "$R" "$BULWARK" fw "$sub" "$@" --state-dir "$LAB_STATE" ;;
	render | check | explain | netpol) in_ns "$R" "$BULWARK" fw "$sub" "$@" --aws "$AWS" ;;
	*) in_ns "$R" "$BULWARK" fw "$sub" "$@" --aws "$AWS" --state-dir "$LAB_STATE" ;;
	esac
}
on_exit "$BULWARK lab --prefix $PREFIX down"
"$BULWARK" lab --prefix "$PREFIX" up --aws "$AWS" >"$SCRATCH/lab-up" 2>&1 ||
	{ echo "Bail out! lab up --aws failed: $(cat "$SCRATCH/lab-up")"; exit 1; }

ns_of() {
	case $1 in
	web1) echo "$PREFIX-i-0a1b2c3d4e5f60051" ;;
	app1) echo "$PREFIX-i-0a1b2c3d4e5f60052" ;;
	app2) echo "$PREFIX-i-0a1b2c3d4e5f60053" ;;
	db1) echo "$PREFIX-i-0a1b2c3d4e5f60054" ;;
	*) echo "$PREFIX-$1" ;;
	esac
}

# Servers on every instance and the internet host, for the life of the test
# (started directly: $! of a backgrounded shell function is a subshell).
for node in web1 app1 app2 db1 inet; do
	for port in 22 80 443 5432 8080; do
		ip netns exec "$(ns_of "$node")" "$PEER" serve tcp "$port" 0 >/dev/null 2>&1 &
		on_exit "kill $! 2>/dev/null"
	done
	ip netns exec "$(ns_of "$node")" "$PEER" serve udp 5353 0 >/dev/null 2>&1 &
	on_exit "kill $! 2>/dev/null"
done

# IPv6 needs a moment after the links come up (routes, neighbours): wait,
# with a deadline, until web1 (whose group allows ping from the VPC)
# answers the router over both families.
for target in 10.0.1.10 fd00:10:0:1::10; do
	tries=0
	until in_ns "$R" ping -c 1 -W 1 "$target" >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ "$tries" -ge 20 ] && break
		sleep 0.2
	done
done
