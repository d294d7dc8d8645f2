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
	all=$("$BULWARK" "$cmd" --help | sed -n 's/^  \(-., \)\{0,1\}--\([a-z-]*\).*/\2/p')
	subs=$("$BULWARK" "$cmd" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
	for sub in $subs; do
		honoured=$("$BULWARK" "$cmd" "$sub" --help | head -n 1)
		for opt in $all; do
			case $honoured in *"[--$opt"[]\ ]*) continue ;; esac
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
man=$("$BULWARK" help --man)
check_contains "the man page covers fw" "fBbulwark fw apply" "$man"
check_contains "the man page covers lab" "fBbulwark lab exec" "$man"
check_contains "the man page lists fw's options" "ct\-mark\-bits" "$man"
finish
