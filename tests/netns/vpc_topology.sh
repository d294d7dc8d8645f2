# Builds the VPC of examples/aws in network namespaces, as a test's own:
#   $PREFIX-vpc     the host that enforces: a bridge per subnet (b1, b2,
#                   b3, the router on .1 and ::1) and a link to the internet
#   $PREFIX-inet    an "internet" host, 203.0.113.1 and 2001:db8:113::1
#   $PREFIX-web1, -app1, -app2, -db1: one namespace per running instance
# Sourced by the fw netns tests after lib.sh.
R="$PREFIX-vpc"

vpc_subnet() { # BRIDGE V4/LEN [V6/LEN]
	ip -n "$R" link add "$1" type bridge
	ip -n "$R" addr add "$2" dev "$1"
	[ -n "${3:-}" ] && ip -n "$R" addr add "$3" dev "$1" nodad
	ip -n "$R" link set "$1" up
}

vpc_instance() { # NAME BRIDGE V4 GW4 [V6 GW6]
	ns="$PREFIX-$1"
	new_ns "$ns"
	ip link add eth0 netns "$ns" type veth peer name "$1" netns "$R"
	ip -n "$R" link set "$1" master "$2" up
	ip -n "$ns" addr add "$3" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "$4"
	if [ -n "${5:-}" ]; then
		ip -n "$ns" addr add "$5" dev eth0 nodad
		ip -n "$ns" -6 route add default via "$6"
	fi
}

new_ns "$R"
in_ns "$R" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
vpc_subnet b1 10.0.1.1/24 fd00:10:0:1::1/64
vpc_subnet b2 10.0.2.1/24 fd00:10:0:2::1/64
vpc_subnet b3 10.0.3.1/24
new_ns "$PREFIX-inet"
ip link add eth0 netns "$PREFIX-inet" type veth peer name inet netns "$R"
ip -n "$R" addr add 203.0.113.254/24 dev inet
ip -n "$R" addr add 2001:db8:113::fe/64 dev inet nodad
ip -n "$R" link set inet up
ip -n "$PREFIX-inet" addr add 203.0.113.1/24 dev eth0
ip -n "$PREFIX-inet" addr add 2001:db8:113::1/64 dev eth0 nodad
ip -n "$PREFIX-inet" link set eth0 up
ip -n "$PREFIX-inet" route add default via 203.0.113.254
ip -n "$PREFIX-inet" -6 route add default via 2001:db8:113::fe
vpc_instance web1 b1 10.0.1.10/24 10.0.1.1 fd00:10:0:1::10/64 fd00:10:0:1::1
vpc_instance app1 b2 10.0.2.20/24 10.0.2.1 fd00:10:0:2::20/64 fd00:10:0:2::1
vpc_instance app2 b2 10.0.2.200/24 10.0.2.1
vpc_instance db1 b3 10.0.3.30/24 10.0.3.1

# Servers on every instance and the internet host, for the life of the test.
for node in web1 app1 app2 db1 inet; do
	for port in 22 80 443 5432 8080; do
		in_ns "$PREFIX-$node" "$PEER" serve tcp "$port" 0 >/dev/null 2>&1 &
		on_exit "kill $! 2>/dev/null"
	done
	in_ns "$PREFIX-$node" "$PEER" serve udp 5353 0 >/dev/null 2>&1 &
	on_exit "kill $! 2>/dev/null"
done

# IPv6 needs a moment after the links come up (routes, neighbours): wait,
# with a deadline, until the internet host reaches every instance.
for target in 10.0.1.10 10.0.2.20 10.0.2.200 10.0.3.30 fd00:10:0:1::10 fd00:10:0:2::20; do
	tries=0
	until in_ns "$PREFIX-inet" ping -c 1 -W 1 "$target" >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ "$tries" -ge 20 ] && break
		sleep 0.2
	done
done
