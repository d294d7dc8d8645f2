#!/bin/sh
# Installs the Debian packages bulwark needs to build, test, fuzz and run
# its lab, when they are missing. Safe to run again: it installs nothing
# that is already there. Needs root (or sudo) only when something is missing.
set -eu

PACKAGES="
gcc clang make pkg-config meson ninja-build
libnftables-dev libnftnl-dev libjansson-dev libmnl-dev libcmocka-dev libyaml-dev
libcurl4-openssl-dev curl
libclang-rt-14-dev cppcheck clang-tidy
libmicrohttpd-dev libsystemd-dev libexpat1-dev openssl awscli
nftables iproute2 iputils-ping iperf3 procps kmod util-linux
python3
"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Bridged subnets (the lab, the firewall's tests) need br_netfilter, as a
# host that runs bulwark's firewall over bridges does: loaded here, once,
# by the set-up (the tests never load modules themselves).
if [ ! -e /proc/sys/net/bridge ] && command -v modprobe >/dev/null; then
	$SUDO modprobe br_netfilter 2>/dev/null ||
		echo "setup: br_netfilter could not be loaded: the bridged tests will say so"
fi

[ -z "$missing" ] && exit 0

echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
