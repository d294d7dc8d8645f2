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
finish
