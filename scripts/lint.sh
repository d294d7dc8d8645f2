#!/bin/sh
# cppcheck and clang-tidy on src/ (configuration in .clang-tidy): quiet, or
# it fails. Run from anywhere; `make lint` and `make check` both run it.
set -eu
cd "$(dirname "$0")/.."
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--inline-suppr -I src src
# clang-tidy prints "N warnings generated" for headers it filters; only its
# findings matter, and WarningsAsErrors (.clang-tidy) makes any one fail.
if ! out=$(clang-tidy --quiet $(find src -name '*.c' | sort) -- -std=gnu17 -D_GNU_SOURCE -Isrc 2>&1); then
	printf '%s\n' "$out" | grep -v 'warnings\? generated\.$'
	exit 1
fi
echo "lint: cppcheck and clang-tidy are quiet on src/"
