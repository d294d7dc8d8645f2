#!/bin/sh
# bulwark serve: the report routes (GET /report, /report/cis, /report/fips)
# answer as Bottlerocket's apiserver does, with the very report that
# `bulwark report` prints for the same root in the same namespace; bad
# parameters are 400; a report where every check is SKIP is 200 (where
# the apiserver answers 500).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
command -v curl >/dev/null || skip_all "needs curl"
require_netns
api_setup
check_start "serve starts"

# The start time is the only line that differs between two runs.
same() { sed -e '/^Start time:/d' -e 's/"timestamp":"[^"]*"//'; }
cli() { in_api_ns "$BULWARK" --root "$ROOT" report "$@" 2>/dev/null | same; }

# check_report DESC PATH CLI-ARGS...: 200, typed application/text, and
# the body is what the command prints.
check_report() {
	desc=$1 path=$2
	shift 2
	STATUS=$(curl -sS --unix-socket "$SOCK" -D "$SCRATCH/headers" -o "$SCRATCH/body" \
		-w '%{http_code}' "http://bulwark$path")
	check_eq "GET $path: 200, as application/text" "200 application/text" \
		"$STATUS $(sed -n 's/^Content-Type: \([^\r]*\).*/\1/ip' "$SCRATCH/headers")"
	check_eq "... $desc, as \`bulwark report $*\` prints it" "$(cli "$@")" \
		"$(same <"$SCRATCH/body")"
}

check_call "GET /report lists the reports" 200 \
	'[{"name":"cis","description":"CIS Bottlerocket Benchmark"},{"name":"fips","description":"FIPS Security Policy"}]' \
	GET /report
check_report "defaults: Bottlerocket, level 1, text" /report/cis cis
check_contains "... a real report" "Benchmark name:  CIS Bottlerocket Benchmark" "$(cat "$SCRATCH/body")"
check_report "level 2, JSON" '/report/cis?type=bottlerocket&level=2&format=json' cis -l 2 -f json
check_contains "... one line of JSON at level 2" '{"level":2,' "$(cat "$SCRATCH/body")"
check_report "Kubernetes, level 2" '/report/cis?type=kubernetes&level=2' cis-k8s -l 2
check_contains "... the Kubernetes benchmark" "Benchmark name:  CIS Kubernetes Benchmark" \
	"$(cat "$SCRATCH/body")"
check_report "format in any case, as bloodhound reads it" '/report/cis?type=kubernetes&format=JSON' \
	cis-k8s -f json
check_report "FIPS, text" /report/fips fips
check_contains "... the FIPS report" "Benchmark name:  FIPS Security Policy" "$(cat "$SCRATCH/body")"
check_report "FIPS, JSON" '/report/fips?format=json' fips -f json

# Every check SKIP: bloodhound exits 4 and the apiserver answers 500.
mkdir -p "$ROOT/etc/bulwark/exceptions.d"
for name in fips01000000 fips01010000 fips01020000; do
	echo '{"status": "SKIP", "reason": "not a FIPS host"}' \
		>"$ROOT/etc/bulwark/exceptions.d/$name.json"
done
check_report "every check SKIP: still the report" /report/fips fips
check_contains "... its result SKIP" "Compliance check result: SKIP" "$(cat "$SCRATCH/body")"
check_contains "... and the server's log says why" "every check SKIP" "$(cat "$SCRATCH/server.log")"
rm -r "$ROOT/etc/bulwark/exceptions.d"

# Parameters bloodhound would refuse (or the apiserver would ignore): 400.
for q in 'level=3' 'level=' 'level=1x' 'format=yaml' 'format=' 'type=windows' 'type=' \
	'type=kubernetes&level=0'; do
	call GET "/report/cis?$q"
	check_eq "GET /report/cis?$q: 400" 400 "$STATUS"
done
call GET '/report/cis?type=windows'
check_contains "... naming the parameter" "type: must be bottlerocket or kubernetes" "$BODY"
call GET '/report/fips?format=xml'
check_eq "GET /report/fips?format=xml: 400" 400 "$STATUS"
check_contains "... naming the formats" "options are 'text' or 'json'" "$BODY"
call GET '/report/cis?tx=a%2Fb'
check_eq "a bad transaction name is 400 here too" 400 "$STATUS"

call POST /report/cis
check_eq "POST /report/cis: 405" 405 "$STATUS"
check_eq "... Allow: GET" "GET" \
	"$(curl -sS --unix-socket "$SOCK" -X POST -D - -o /dev/null http://bulwark/report/cis |
		sed -n 's/^Allow: \([^\r]*\).*/\1/ip')"
call GET /report/cis-k8s
check_eq "GET /report/cis-k8s (no such route): 404" 404 "$STATUS"

# The socket opened to all, so that the server's own check answers.
chmod 0666 "$SOCK"
STATUS=$(setpriv --reuid=nobody --regid=nogroup --clear-groups curl -s --unix-socket "$SOCK" \
	-o /dev/null -w '%{http_code}' http://bulwark/report/cis)
check_eq "a user outside the group: 403" 403 "$STATUS"
check_stop "SIGTERM stops the server"
finish
