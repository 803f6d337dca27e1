#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The asynchronous test provider under the openssl command line tools:
# `openssl s_server -async` (which waits on the provider's wait fd, having set
# no async callback) loads tpasync next to the default provider with
# -propquery ?provider=tpasync; `openssl s_client` completes a handshake
# (TLS 1.3 and 1.2, ECDSA P-256 and RSA-2048 certificates); the counters the
# provider prints at unload (TP_ASYNCPROV_STATS) show its signature and key
# exchange ran paused and were woken through the fd. The same run without
# the property query leaves them at zero: the check cannot pass vacuously.
#
# Environment: TP_ASYNCPROV_SO, the path of tp_asyncprov.so (set by meson).
set -u

so=${TP_ASYNCPROV_SO:?TP_ASYNCPROV_SO is not set}
provdir=$(dirname "$so")
provname=$(basename "$so" .so)
tmp=$(mktemp -d /tmp/tpasync-sh.XXXXXX)
srv_pid=
fails=0
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkfifo "$tmp/stdin" && exec 3<>"$tmp/stdin" || { echo "cannot make a FIFO"; exit 1; }

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/ec.key" -out "$tmp/ec.crt" -subj /CN=ec.tpasync.test -days 1 \
	2>/dev/null || { echo "cannot make the EC certificate"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout "$tmp/rsa.key" -out "$tmp/rsa.crt" -subj /CN=rsa.tpasync.test -days 1 \
	2>/dev/null || { echo "cannot make the RSA certificate"; exit 1; }

port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# One handshake: run_one NAME CERT VERSION-FLAG S_SERVER-OPTIONS...
# The remaining arguments go to s_server (providers, query). Leaves the
# server's stderr in $tmp/NAME.srv and the client's output in $tmp/NAME.cli;
# returns 1 if no server could be started (3 ports tried).
run_one() {
	local name=$1 cert=$2 ver=$3 port attempt tries
	shift 3
	for attempt in 1 2 3; do
		port=$((20000 + (RANDOM % 30000)))
		port_listening "$port" && continue
		# s_server's stdin is a FIFO that never ends: at end of input
		# it would drop the connection. (Not -www: its read loop
		# sleeps 1 s whenever a job is paused.)
		TP_ASYNCPROV_STATS=1 TP_ASYNCPROV_DELAY_US=200 \
		openssl s_server -async -naccept 1 -accept "127.0.0.1:$port" \
			-cert "$tmp/$cert.crt" -key "$tmp/$cert.key" \
			-provider-path "$provdir" "$@" \
			>"$tmp/$name.srvout" 2>"$tmp/$name.srv" <&3 &
		srv_pid=$!
		for tries in $(seq 1 50); do
			kill -0 "$srv_pid" 2>/dev/null || break  # bind failed
			port_listening "$port" && break
			sleep 0.1
		done
		kill -0 "$srv_pid" 2>/dev/null && port_listening "$port" && break
		kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=
	done
	if [ -z "$srv_pid" ]; then
		cat "$tmp/$name.srv"
		return 1
	fi
	echo "hello-$name" | timeout 10 openssl s_client \
		-connect "127.0.0.1:$port" "$ver" >"$tmp/$name.cli" 2>&1
	# -naccept 1: the server exits after the connection, unloading the
	# provider, which prints its counters.
	for tries in $(seq 1 50); do
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
	srv_pid=
	return 0
}

# stat NAME KEY: a counter from the provider's line in the server's stderr.
stat() { sed -n "s/^tpasync: .*\b$2=\([0-9]*\).*/\1/p" "$tmp/$1.srv" | tail -1; }

# "The provider was used", as every case below checks it: one signature and
# one derivation, both paused and woken through the wait fd, none slept.
# (pauses is large here: s_server's handshake loop, init_ssl_connection(),
# calls SSL_accept() again at once while SSL_waiting_for_async(), without
# waiting on the fd; each early resume finds the delay not over and pauses
# again. test_asyncprov's fd test waits on the fd: one pause per operation.)
provider_used() {
	awk '/^tpasync: / { for (i = 2; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] } }
	     END { exit !(c["ops"] == 2 && c["signs"] == 1 && c["derives"] == 1 &&
			  c["pauses"] >= 2 && c["fd_wakes"] >= 2 && c["sync_ops"] == 0 &&
			  c["abandoned"] == 0) }' \
		"$tmp/$1.srv"
}

for cert in ec rsa; do
	for ver in -tls1_3 -tls1_2; do
		name=$cert$ver
		if ! run_one "$name" "$cert" "$ver" -provider "$provname" \
				-provider default -propquery '?provider=tpasync'; then
			fail "$name: s_server did not start"
			continue
		fi
		want=TLSv1.3; [ "$ver" = -tls1_2 ] && want=TLSv1.2
		if ! grep -q "^New, $want, Cipher is" "$tmp/$name.cli"; then
			fail "$name: no $want handshake"; sed 's/^/  cli: /' "$tmp/$name.cli" | head -20
		fi
		grep -q "^hello-$name\$" "$tmp/$name.srvout" ||
			fail "$name: the client's line did not reach the server"
		if ! provider_used "$name"; then
			fail "$name: the provider's counters do not show its use"
			sed 's/^/  srv: /' "$tmp/$name.srv"
		fi
		echo "$name: $(grep -m1 '^New,' "$tmp/$name.cli"); $(grep '^tpasync:' "$tmp/$name.srv")"
	done
done

# The same without the property query: the handshake works, the counters
# stay 0, "used" is false. (Without a query, OpenSSL takes the provider
# loaded first, so the default provider is loaded first here; loaded after
# tpasync, it would not be chosen: README.md.)
name=noprop
if run_one "$name" ec -tls1_3 -provider default -provider "$provname"; then
	grep -q '^New, TLSv1.3, Cipher is' "$tmp/$name.cli" || fail "$name: no handshake"
	[ "$(stat "$name" ops)" = 0 ] || fail "$name: ops counted without the property query"
	provider_used "$name" && fail "$name: the 'provider used' check passes without it"
	echo "$name: $(grep '^tpasync:' "$tmp/$name.srv")"
else
	fail "$name: s_server did not start"
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "all passed"
