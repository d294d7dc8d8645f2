# The test EC2 and IMDS endpoint (tests/tools/fake_ec2.py) for netns tests:
# sourced after lib.sh.
FAKE=${FAKE_EC2:-$(dirname "$0")/../tools/fake_ec2.py}
# The credentials the endpoint checks each request's signature against.
AKID=AKIDBULWARKTEST00001
SECRET=bUlWaRkTeStSeCrEt0000000000000000000001
ROLE_SECRET=RoLeSeCrEtBuLwArK000000000000000000002
ROLE_TOKEN=RoLeToKeNbUlWaRk0000000000000000000003

# ec2_certs [SAN...]: a CA and a certificate for localhost (and the names
# given), made for this run: $SCRATCH/ca.pem, server.pem, server.key.
ec2_certs() {
	san="DNS:localhost"
	for name in "$@"; do
		san="$san,DNS:$name"
	done
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bulwark-test-ca \
		-keyout "$SCRATCH/ca.key" -out "$SCRATCH/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
		-keyout "$SCRATCH/server.key" -out "$SCRATCH/server.csr" 2>/dev/null
	printf 'subjectAltName=%s,IP:127.0.0.1\n' "$san" >"$SCRATCH/san.ext"
	openssl x509 -req -in "$SCRATCH/server.csr" -CA "$SCRATCH/ca.pem" -CAkey "$SCRATCH/ca.key" \
		-CAcreateserial -days 1 -extfile "$SCRATCH/san.ext" -out "$SCRATCH/server.pem" 2>/dev/null
}

# ec2_start NS: serves $MODEL in NS (faults from $FAULTS, calls logged to
# $LOG), until the test ends; returns once it answers. Then the
# environment points bulwark at it with the test credentials.
ec2_start() {
	ip netns exec "$1" python3 "$FAKE" --model "$MODEL" --faults "$FAULTS" --log "$LOG" \
		--cert "$SCRATCH/server.pem" --key "$SCRATCH/server.key" --ready "$SCRATCH/ready" \
		>"$SCRATCH/fake.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	on_exit "kill $! 2>/dev/null"
	for _ in $(seq 600); do # polled; the deadline only stops a broken test
		[ -s "$SCRATCH/ready" ] && break
		sleep 0.05
	done
	export AWS_ENDPOINT_URL_EC2=https://localhost AWS_CA_BUNDLE="$SCRATCH/ca.pem"
	export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET
	unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_USE_FIPS_ENDPOINT \
		AWS_EC2_METADATA_SERVICE_ENDPOINT
	# No proxy but the one a test starts (proxy_start) and names itself.
	unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
}

# ec2_calls: the EC2 calls the endpoint logged, one a line: the action, its
# parameters sorted, and whether the signature was good.
ec2_calls() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "action" in e:
        print(e["action"], " ".join("%s=%s" % kv for kv in sorted(e["params"].items())), "signed" if e["signed"] else "UNSIGNED:" + e.get("why", ""))
' "$LOG"; }

# proxy_start NS: an HTTPS proxy (tests/tools/connect_proxy.py) on loopback
# in NS until the test ends, recording each request's first line to
# $PROXY_LOG; returns once it listens, with PROXY=http://127.0.0.1:PORT.
proxy_start() {
	PROXY_LOG="$SCRATCH/proxy.log"
	: >"$PROXY_LOG"
	ip netns exec "$1" python3 "$(dirname "$FAKE")/connect_proxy.py" --log "$PROXY_LOG" \
		--ready "$SCRATCH/proxy.ready" >"$SCRATCH/proxy.out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	on_exit "kill $! 2>/dev/null"
	for _ in $(seq 600); do # polled; the deadline only stops a broken test
		[ -s "$SCRATCH/proxy.ready" ] && break
		sleep 0.05
	done
	PROXY=http://127.0.0.1:$(cat "$SCRATCH/proxy.ready")
}
