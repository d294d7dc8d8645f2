#!/bin/sh
# The command line: help, version, exit codes. Needs no namespace.
. "$(dirname "$0")/lib.sh"

check_contains "help lists the commands" "nat      NAT gateway" "$("$BULWARK" help)"
check_contains "--version prints the version" "bulwark 0." "$("$BULWARK" --version)"
check_contains "nat --help describes nat" "usage: bulwark nat" "$("$BULWARK" nat --help)"
check_contains "lab --help describes lab" "usage: bulwark lab" "$("$BULWARK" lab --help)"
out=$("$BULWARK" 2>&1)
check_eq "no command: exit 2" 2 "$?"
out=$("$BULWARK" frobnicate 2>&1)
check_eq "an unknown command: exit 2" 2 "$?"
check_eq "... with one line" "bulwark: unknown command 'frobnicate' (see 'bulwark help')" "$out"
out=$("$BULWARK" nat sideways 2>&1)
check_eq "an unknown nat subcommand: exit 2" 2 "$?"
out=$("$BULWARK" nat up --bogus 2>&1)
check_eq "an unknown option: exit 2" 2 "$?"
out=$("$BULWARK" nat up --state-dir relative 2>&1)
check_eq "a relative --state-dir: exit 2" 2 "$?"

# Each subcommand takes only the options its --help lists: every other
# option of the command is a usage error, before anything runs.
refused=0 wrong=""
for cmd in nat fw lab; do
	all=$("$BULWARK" "$cmd" --help | sed -n 's/^  \(-., \)\{0,1\}--\([a-z0-9-]*\).*/\2/p')
	subs=$("$BULWARK" "$cmd" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
	for sub in $subs; do
		honoured=$("$BULWARK" "$cmd" "$sub" --help | head -n 1)
		for opt in $all; do
			case $honoured in *" [--$opt"[]\ ]* | *" --$opt "* | *" --$opt") continue ;; esac
			out=$("$BULWARK" "$cmd" "$sub" "--$opt" x 2>&1)
			rc=$?
			case $rc/$out in
			"2/bulwark: $cmd $sub does not take --$opt"*) refused=$((refused + 1)) ;;
			*) wrong="$wrong $cmd/$sub/--$opt($rc)" ;;
			esac
		done
	done
done
check_eq "every option a subcommand does not honour is refused with exit 2" "" "$wrong"
check "... and there are many such pairs" test "$refused" -gt 40
out=$("$BULWARK" nat down --dry-run 2>&1)
check_eq "nat down --dry-run: exit 2 (down has no dry run)" 2 "$?"
check_contains "fw apply --help lists --dry-run" "[--dry-run]" "$("$BULWARK" fw apply --help)"
check_contains "fw sync --help: --vpc is the VPC read from EC2" \
	"(sync) the VPC to read from EC2, default the host's own, from IMDS" "$("$BULWARK" fw sync --help)"
check_contains "nat --help: status tells the EC2 facts" \
	"on EC2 the instance, region, credentials' source, EC2 endpoint" "$("$BULWARK" nat --help | tr -s ' \n' '  ')"
# fw explain takes the packet as words too: '->' and 'to' separate its ends.
AWS="$EXAMPLES_DIR/aws"
check_eq "explain: a packet as words with 'to'" allow \
	"$("$BULWARK" fw explain --aws "$AWS" tcp 10.0.1.10:4000 to 10.0.2.20:8080 | head -n 1)"
check_eq "explain: '->' is an arrow, not an option" allow \
	"$("$BULWARK" fw explain tcp 10.0.1.10:4000 '->' 10.0.2.20:8080 --aws "$AWS" | head -n 1)"
check_contains "explain --json names what AWS never filters" '"kind": "not-filtered"' \
	"$("$BULWARK" fw explain --aws "$AWS" --json icmp 10.0.1.10 to 169.254.169.254)"
out=$("$BULWARK" fw explain --aws "$AWS" icmp fd00:10:0:1::10 to fd00:10:0:2::20 2>&1)
check_eq "explain: icmp between IPv6 addresses is an error (exit 2)" 2 "$?"
out=$("$BULWARK" fw netpol --aws "$AWS" --namespace Not_A_Label 2>&1)
check_eq "netpol: a namespace that is not a DNS-1123 label: exit 2" 2 "$?"
check_contains "netpol --json is one JSON List" '"kind": "List"' \
	"$("$BULWARK" fw netpol --aws "$AWS" --json 2>/dev/null)"
check_contains "lab status --json" '"nodes"' "$("$BULWARK" lab --prefix clitest status --json)"
out=$("$BULWARK" fw render --aws "$(dirname "$0")/../aws/two-vpcs" 2>&1)
check_eq "files of two VPCs without --vpc: exit 2" 2 "$?"
check_contains "... naming them" "choose one with --vpc" "$out"
man=$("$BULWARK" help --man)
check_contains "the man page covers fw" "fBbulwark fw apply" "$man"
check_contains "the man page covers lab" "fBbulwark lab exec" "$man"
check_contains "the man page lists fw's options" "ct\-mark\-bits" "$man"
finish
