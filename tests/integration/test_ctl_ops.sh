#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# turnpikectl's turnpike-cp commands (status, allocations, kill, users,
# secrets, psk) against a fake turnpike-cp: a small python server on a unix
# socket that records every request and answers with canned JSON per
# "cmd" (or misbehaves on purpose: garbage, silence, hang-up). Checks the
# exact request each command sends, the tables it prints, --json output,
# {"ok": false} handling, an unreachable socket, malformed and late
# answers, --socket / TURNPIKE_SOCKET, and the command-line contract
# (exit 1 and nothing sent for a bad command line, --help exit 0).
# The end-to-end test against the real turnpike-cp is test_turn_udp.sh.
#
# Env: TP_BUILD (build root). Prints one TAP-style line per check and
# exits non-zero if any failed.
set -uo pipefail

: "${TP_BUILD:?TP_BUILD must point at the build root}"
BIN=$TP_BUILD/cp/ctl/turnpikectl
# The build may be sanitized: a leak or UB must fail the run, not scroll by.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset TURNPIKE_SOCKET

TMP=$(mktemp -d)
SERVER_PID=
# python3 as PATH names it, asked once (lib/dp_env.sh: tp_python_pin).
. "$(dirname "$0")/lib/dp_env.sh"
tp_python_pin "$TMP"
CHECKER_PID=
# A write to a dead checker must fail that check, not kill the script.
trap '' PIPE
cleanup() {
	if [[ -n $CHECKER_PID ]]; then
		kill "$CHECKER_PID" 2>/dev/null
		wait "$CHECKER_PID" 2>/dev/null
	fi
	if [[ -n $SERVER_PID ]]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

SOCK=$TMP/cp.sock
ANSWERS=$TMP/answers.json    # {cmd: answer} for the fake server
LOG=$TMP/requests.jsonl      # one {"raw": request text} line per request
OUTF=$TMP/stdout
ERRF=$TMP/stderr
echo '{}' >"$ANSWERS"
: >"$LOG"

if [[ ! -x $BIN ]]; then
	echo "not ok - $BIN is not built"
	exit 1
fi

# ---- the fake turnpike-cp ------------------------------------------------
cat >"$TMP/fake_cp.py" <<'PY'
import json, os, socket, socketserver, sys, threading, time

sock_path, answers_path, log_path = sys.argv[1:4]
lock = threading.Lock()

class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        c.settimeout(10)
        data = b""
        try:
            # The client ends its direction after the request: read to EOF.
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        with lock:
            with open(log_path, "a") as f:
                f.write(json.dumps({"raw": data.decode("utf-8", "replace")}) + "\n")
            with open(answers_path) as f:
                answers = json.load(f)
        try:
            cmd = json.loads(data).get("cmd")
        except Exception:
            cmd = None
        ans = answers.get(cmd, {"ok": False, "error": "unknown command"})
        if isinstance(ans, dict) and "__sleep__" in ans:
            time.sleep(ans["__sleep__"])
        if isinstance(ans, dict) and ans.get("__close__"):
            return
        if isinstance(ans, dict) and "__raw__" in ans:
            text = ans["__raw__"]
        else:
            # What turnpike-cp's json-c writes: plain, no spaces.
            text = json.dumps(ans, separators=(",", ":"))
        try:
            c.sendall(text.encode())
        except OSError:
            pass

class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

srv = Server(sock_path, Handler)
srv.serve_forever()
PY

python3 "$TMP/fake_cp.py" "$SOCK" "$ANSWERS" "$LOG" &
SERVER_PID=$!
for _ in $(seq 50); do
	[[ -S $SOCK ]] && break
	sleep 0.1
done
if [[ ! -S $SOCK ]]; then
	echo "not ok - the fake turnpike-cp did not start"
	exit 1
fi

# ---- helpers ---------------------------------------------------------------
npass=0
nfail=0
RC=0
NREQ=0
ok() { echo "ok - $1"; npass=$((npass + 1)); }
not_ok() {
	echo "not ok - $1"
	nfail=$((nfail + 1))
	echo "#   rc=$RC"
	sed 's/^/#   stdout: /' "$OUTF" | head -n 20
	sed 's/^/#   stderr: /' "$ERRF" | head -n 20
}

# nrequests: sets NLOG to the requests logged so far (bash builtins: no
# process started per turnpikectl run).
nrequests() { mapfile -t _log <"$LOG"; NLOG=${#_log[@]}; }

# ---- the checker: one python process for every check ----------------------
# A python3 of its own for each check would be some 150 starts, most of
# the test's time; this one process evaluates them all, in the same way:
# a fresh namespace per check over the files as they are at that moment.
# Requests are NUL-separated fields on its stdin; it answers with any
# lines to print, then "=RC <0|1>". A checker that dies fails every check.
cat >"$TMP/checker.py" <<'PY'
import contextlib, io, json, os, re, sys
outf, errf, logf, answers_path = sys.argv[1:5]
buf = b""

def field():
    global buf
    while b"\0" not in buf:
        chunk = os.read(0, 65536)
        if not chunk:
            sys.exit(0)
        buf += chunk
    f, _, buf = buf.partition(b"\0")
    return os.fsdecode(f)

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b

def check(expr, rc, nreq):
    # check DESC PYEXPR's names, as each check's own python3 had them
    out = open(outf, encoding="utf-8", errors="replace").read()
    err = open(errf, encoding="utf-8", errors="replace").read()
    lines = out.splitlines()
    rc, nreq = int(rc), int(nreq)
    log = open(logf).read().splitlines()
    req = json.loads(json.loads(log[-1])["raw"]) if log else None
    def has(rx):
        return re.search(rx, out, re.M) is not None
    def js():
        assert len(lines) == 1, "not one line"
        return json.loads(out)
    ns = dict(json=json, re=re, sys=sys, out=out, err=err, lines=lines, rc=rc,
              nreq=nreq, log=log, req=req, has=has, same=same, js=js)
    try:
        return bool(eval(expr, ns))
    except Exception as e:
        print("#   exception: %r" % (e,))
        return False

def answer(cmd, ans):
    # what the fake server answers to CMD from now on (replaced atomically)
    d = json.load(open(answers_path))
    d[cmd] = ans
    open(answers_path + ".new", "w").write(json.dumps(d))
    os.replace(answers_path + ".new", answers_path)
    return True

def run(code, argv):
    exec(code, {"__name__": "__main__", "sys": sys, "argv": argv, "answer": answer,
                "answers_path": answers_path, "json": json})
    return True

while True:
    op = field()
    text = io.StringIO()
    try:
        with contextlib.redirect_stdout(text):
            if op == "check":
                ok = check(field(), field(), field())
            elif op == "answer":
                cmd = field()
                ok = answer(cmd, json.loads(field()))
            elif op == "answer_raw":
                cmd = field()
                ok = answer(cmd, {"__raw__": field()})
            elif op == "run":
                code, n = field(), int(field())
                ok = run(code, [field() for _ in range(n)])
            else:
                print("#   checker: unknown request %r" % op)
                ok = False
    except Exception as e:
        print("#   checker: %r" % (e,), file=text)
        ok = False
    sys.stdout.write(text.getvalue())
    sys.stdout.write("=RC %d\n" % (0 if ok else 1))
    sys.stdout.flush()
PY
coproc CHECKER { exec python3 "$TMP/checker.py" "$OUTF" "$ERRF" "$LOG" "$ANSWERS"; }
CHECKER_PID=$CHECKER_PID
CK_IN=${CHECKER[1]}
CK_OUT=${CHECKER[0]}

# checker OP FIELDS...: one request; sets CK_RC (0: held) and CK_TEXT (what
# it printed). No answer (the checker died) is CK_RC 2.
checker() {
	local line
	CK_TEXT=
	CK_RC=2
	printf '%s\0' "$@" >&"$CK_IN" 2>/dev/null || return 0
	while IFS= read -r line <&"$CK_OUT"; do
		case $line in
		"=RC "*) CK_RC=${line#=RC }; return 0 ;;
		*) CK_TEXT+=$line$'\n' ;;
		esac
	done
	CK_TEXT+="#   the checker process died"$'\n'
}

# answer CMD JSON: what the fake server answers to CMD from now on.
answer() {
	checker answer "$1" "$2"
	printf '%s' "$CK_TEXT"
	[[ $CK_RC == 0 ]] || not_ok "the fake server's answer to $1 set"
}

# pyrun CODE ARGS...: run python CODE in the checker (argv: ARGS); sets
# PY_OUT to what it printed (its last newline removed).
pyrun() {
	local code=$1; shift
	checker run "$code" $# "$@"
	PY_OUT=${CK_TEXT%$'\n'}
	[[ $CK_RC == 0 ]] || { printf '%s' "$CK_TEXT"; not_ok "python code in the checker ran"; }
}

# ctl ARGS...: run turnpikectl on the fake server's socket; sets RC, and
# NREQ (requests it sent). A sanitizer report is a failure of its own.
ctl_raw() {
	local before
	nrequests
	before=$NLOG
	"$BIN" "$@" <"${CTL_STDIN:-/dev/null}" >"$OUTF" 2>"$ERRF"
	RC=$?
	nrequests
	NREQ=$((NLOG - before))
	local errtext=
	IFS= read -r -d '' errtext <"$ERRF"
	if [[ $errtext == *Sanitizer* || $errtext == *"runtime error"* ]]; then
		not_ok "no sanitizer report: turnpikectl $*"
	fi
}
ctl() { ctl_raw --socket "$SOCK" "$@"; }

# check DESC PYEXPR: PYEXPR holds, with out/err (the last run's stdout
# and stderr), lines (out's lines), rc, nreq, has(regex) (re.M over out),
# req (the last request, parsed) and same(a, b) (equal, types included).
check() {
	local desc=$1 expr=$2
	checker check "$expr" "$RC" "$NREQ"
	printf '%s' "$CK_TEXT"
	if [[ $CK_RC == 0 ]]; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# check_req DESC JSON: exactly one request was sent, and it is JSON.
check_req() {
	check "$1" "nreq == 1 and same(req, json.loads(r'''$2'''))"
}

# check_usage DESC: a command-line error: exit 1, usage hint on stderr,
# nothing on stdout, nothing sent.
check_usage() {
	check "$1" "rc == 1 and out == '' and 'Try ' in err and nreq == 0"
}

# check_help DESC: exit 0, a usage text on stdout, nothing sent.
check_help() {
	check "$1" "rc == 0 and out.startswith('Usage: ') and nreq == 0"
}

# ---- status ----------------------------------------------------------------
STATUS='{"version":"0.1.0","uptime_s":3725,"ready":true,"dp":{"alive":true,"running":true,"pid":4242,"epoch":7,"workers":2},"allocations":2,"users":3,"secrets":1,"stats":{"challenges":5,"allocate_ok":12,"ratio":0.25},"workers":[{"id":0,"to_cp_pending":0,"to_dp_pending":1,"tcp_connections":12},{"id":1,"to_cp_pending":3,"to_dp_pending":0}],"ok":true}'
answer status "$STATUS"
ctl status
check "status exits 0" "rc == 0 and err == ''"
check_req "status sends {\"cmd\": \"status\"}" '{"cmd":"status"}'
check "status prints version, uptime and dp" \
	"has(r'^version +0\.1\.0$') and has(r'^uptime +1h 2m 5s$') and has(r'^cp +ready$') and has(r'^dp +alive, running, pid 4242, epoch 7, 2 workers$')"
check "status prints the counts" \
	"has(r'^allocations +2$') and has(r'^users +3$') and has(r'^secrets +1$')"
check "status prints the workers' rings and TCP connections ('-' from a cp without them)" \
	"has(r'^WORKER +TO_CP_PENDING +TO_DP_PENDING +TCP_CONNS$') and has(r'^0 +0 +1 +12$') and has(r'^1 +3 +0 +-$')"
check "status prints the stats as name/value columns" \
	"has(r'^STAT +VALUE$') and has(r'^challenges +5$') and has(r'^allocate_ok +12$') and has(r'^ratio +0\.25$')"
check "status aligns its first lines" \
	"len({l.index(l.split()[1]) for l in lines[:7]}) == 1"

ctl --json status
check "status --json prints the answer object on one line" \
	"rc == 0 and same(js(), json.loads(r'''$STATUS'''))"
check "status --json prints the answer as the server wrote it" \
	"out.strip() == r'''$STATUS'''"

ctl ready
check "ready: exit 0 when cp serves and dp runs" "rc == 0 and 'ready' in out"

answer status '{"version":"0.1.0","uptime_s":42,"ready":false,"dp":{"alive":false,"running":false,"pid":0,"epoch":0,"workers":1},"allocations":0,"users":0,"secrets":0,"stats":{},"workers":[],"ok":true}'
ctl status
check "status shows a dead dp and a cp not ready loudly" \
	"rc == 0 and has(r'^dp +NOT ALIVE, NOT RUNNING, pid 0, epoch 0, 1 worker$') and has(r'^cp +NOT READY') and has(r'^uptime +42s$') and 'STAT' not in out"
ctl ready
check "ready: exit 2 and why when cp is not ready" "rc == 2 and 'not ready' in err and 'taking dp' in err"
ctl ready --wait 0.5
check "ready --wait: still not ready after the wait, exit 2" "rc == 2 and 'not ready' in err"
ctl ready --wait abc
check "ready --wait abc is a usage error" "rc == 1"

# ---- allocations -------------------------------------------------------------
A1='{"id":17,"user":"alice","worker":0,"client":"192.0.2.10:50000","transport":"TCP","connection":"0:5:13","relayed":["198.51.100.1:49152","[2001:db8::1]:49153"],"lifetime_left_s":598,"peers":[{"peer":"203.0.113.5","expires_in_s":290},{"peer":"203.0.113.6","expires_in_s":12}],"channels":[{"channel":"0x4000","peer":"203.0.113.5:4000","expires_in_s":590}],"pkts_from_client":11,"bytes_from_client":1100,"pkts_to_peer":10,"bytes_to_peer":1000,"pkts_from_peer":21,"bytes_from_peer":2100,"pkts_to_client":20,"bytes_to_client":2000}'
A2='{"id":1234567,"user":"bob\u001b[31m","worker":1,"client":"[2001:db8::7]:3333","relayed":["198.51.100.1:49200"],"lifetime_left_s":5,"peers":[],"channels":[],"pkts_from_client":0,"bytes_from_client":0,"pkts_to_peer":0,"bytes_to_peer":0,"pkts_from_peer":0,"bytes_from_peer":0,"pkts_to_client":0,"bytes_to_client":0}'
ALLOCS="{\"allocations\":[$A1,$A2],\"ok\":true}"
answer allocations "$ALLOCS"
ctl allocations
check "allocations exits 0" "rc == 0 and err == ''"
check_req "allocations sends {\"cmd\": \"allocations\"}" '{"cmd":"allocations"}'
check "allocations prints the header" \
	"lines[0].split() == ['ID', 'USER', 'CLIENT', 'TRANSPORT', 'RELAYED', 'PEERS', 'CHANNELS', 'LEFT(s)', 'C->P(pkts/bytes)', 'P->C(pkts/bytes)']"
check "allocations prints one row per allocation" "len(lines) == 3"
check "allocations row: id, user, client, transport and connection, relayed, peers, channels, left, counters" \
	"lines[1].split() == ['17', 'alice', '192.0.2.10:50000', 'TCP/0:5:13', '198.51.100.1:49152,[2001:db8::1]:49153', '203.0.113.5,203.0.113.6', '0x4000=203.0.113.5:4000', '598', '10/1000', '20/2000']"
check "allocations row without peers or channels shows '-' (and UDP from a cp that names no transport)" \
	"lines[2].split() == ['1234567', 'bob?[31m', '[2001:db8::7]:3333', 'UDP', '198.51.100.1:49200', '-', '-', '5', '0/0', '0/0']"
check "allocations does not pass control characters to the terminal" "'\x1b' not in out"
check "allocations aligns its columns" \
	"lines[0].index('CLIENT') == lines[1].index('192.0.2.10') == lines[2].index('[2001:db8::7]') and lines[0].index('RELAYED') == lines[1].index('198.51.100.1') and len({len(l) - len(l.rstrip()) for l in lines}) == 1"

ctl allocations --user alice
check_req "allocations --user sends the user" '{"cmd":"allocations","user":"alice"}'
ctl allocations -u 'bob smith'
check_req "allocations -u sends the user" '{"cmd":"allocations","user":"bob smith"}'

ctl --json allocations
check "allocations --json prints the answer object" \
	"rc == 0 and same(js(), json.loads(r'''$ALLOCS'''))"

answer allocations '{"allocations":[],"ok":true}'
ctl allocations
check "allocations with none prints 'no allocations'" "rc == 0 and out == 'no allocations\n'"
ctl --json allocations --user nobody
check "allocations --json with none" \
	"rc == 0 and js() == {'allocations': [], 'ok': True} and req == {'cmd': 'allocations', 'user': 'nobody'}"

# A large answer (~1.5 MB): read in many pieces.
pyrun '
a = json.loads(argv[0])
answer("allocations", {"allocations": [dict(a, id=i + 1) for i in range(3000)], "ok": True})
' "$A1"
ctl allocations
check "allocations reads a large answer (3000 rows)" \
	"rc == 0 and len(lines) == 3001 and lines[3000].split()[0] == '3000'"
ctl --json allocations
check "allocations --json with a large answer" "rc == 0 and len(js()['allocations']) == 3000"

# ---- tenants: allocations' column and filter, the tenants command ----------------
# A box with tenants says so ("tenants": 2): a TENANT column after USER
# (an allocation of a cp that names none: "default").
A3='{"id":18,"user":"carol","tenant":"mvno-a","worker":0,"client":"192.0.2.11:5000","relayed":["198.51.100.2:49300"],"lifetime_left_s":60,"peers":[],"channels":[],"pkts_from_client":0,"bytes_from_client":0,"pkts_to_peer":1,"bytes_to_peer":100,"pkts_from_peer":0,"bytes_from_peer":0,"pkts_to_client":0,"bytes_to_client":0}'
answer allocations "{\"allocations\":[$A3,$A2],\"tenants\":2,\"ok\":true}"
ctl allocations --tenant mvno-a
check_req "allocations --tenant sends the tenant" '{"cmd":"allocations","tenant":"mvno-a"}'
check "allocations on a box with tenants: a TENANT column" \
	"rc == 0 and lines[0].split()[:3] == ['ID', 'USER', 'TENANT'] and lines[1].split()[:4] == ['18', 'carol', 'mvno-a', '192.0.2.11:5000'] and lines[2].split()[2] == 'default' and lines[0].index('CLIENT') == lines[1].index('192.0.2.11')"
ctl allocations --tenant ''
check "allocations --tenant '': a usage error" "rc == 1"
ctl allocations --tenant x --cluster
check_req "allocations --tenant with --cluster: asks where the cluster is (status)" '{"cmd":"status"}'
check "allocations --tenant with --cluster, cp in no cluster: said, exit 2" \
	"rc == 2 and 'not in a cluster' in err"
T1='{"name":"default","realm":"r.test","addresses":["10.0.0.1"],"relayed":["10.1.0.1"],"quota_total":100,"quota_user":0,"allocations":3}'
T2='{"name":"mvno-a","realm":"a.test","addresses":["10.0.0.11","fd00::11"],"relayed":[],"quota_total":50,"quota_user":5,"allocations":1}'
answer tenants "{\"tenants\":[$T1,$T2],\"ok\":true}"
ctl tenants
check_req "tenants sends {\"cmd\": \"tenants\"}" '{"cmd":"tenants"}'
check "tenants: a row each, quota_user 0 as none, no AGW column without agw_contexts" \
	"rc == 0 and lines[0].split() == ['TENANT', 'REALM', 'ADDRESSES', 'RELAYED', 'QUOTA', 'PER-USER', 'ALLOCATIONS'] and lines[1].split() == ['default', 'r.test', '10.0.0.1', '10.1.0.1', '100', 'none', '3'] and lines[2].split() == ['mvno-a', 'a.test', '10.0.0.11,fd00::11', '-', '50', '5', '1']"
ctl --json tenants
check "tenants --json prints the answer object" "rc == 0 and js()['tenants'][1]['name'] == 'mvno-a'"
answer tenants '{"tenants":[{"name":"x"}],"ok":true}'
ctl tenants
check "tenants: a missing member is a malformed answer: exit 2" "rc == 2 and 'malformed answer' in err"

# ---- kill --------------------------------------------------------------------
answer kill '{"ok":true}'
ctl kill 42
check "kill exits 0 and says so" "rc == 0 and out == 'killed allocation 42\n' and err == ''"
check_req "kill sends the id as a JSON integer" '{"cmd":"kill","id":42}'
ctl kill 9223372036854775807
check_req "kill takes the largest 64-bit id" '{"cmd":"kill","id":9223372036854775807}'
ctl --json kill 7
check "kill --json prints the answer" "rc == 0 and js() == {'ok': True} and req == {'cmd': 'kill', 'id': 7}"

for bad in abc 0 00 1.5 '' +7 ' 7' '7 ' 0x10 1e3 9223372036854775808 99999999999999999999999; do
	ctl kill "$bad"
	check "kill '$bad' is a usage error, nothing sent" \
		"rc == 1 and out == '' and 'not an allocation id' in err and nreq == 0"
done
ctl kill -3
check_usage "kill -3 is a usage error"
ctl kill
check "kill without an id is a usage error" "rc == 1 and nreq == 0 and 'missing ALLOCATION-ID' in err"
ctl kill 1 2
check_usage "kill with two ids is a usage error"

answer kill '{"ok":false,"error":"no such allocation"}'
ctl kill 5
check "kill refused: exit 2, the server's error on stderr, nothing on stdout" \
	"rc == 2 and out == '' and err == 'turnpikectl: no such allocation\n'"
ctl --json kill 5
check "kill refused with --json: exit 2, the answer on stdout too" \
	"rc == 2 and js() == {'ok': False, 'error': 'no such allocation'} and 'turnpikectl: no such allocation' in err"

# ---- users -------------------------------------------------------------------
answer users.add '{"ok":true}'
answer users.del '{"ok":true}'
ctl users add alice 's3cr3t pass'
check "users add exits 0 and says so" "rc == 0 and out == 'added user alice\n'"
check_req "users add sends name and password" '{"cmd":"users.add","name":"alice","password":"s3cr3t pass"}'
ctl users add -- -dash -pw
check_req "users add -- takes names starting with '-'" '{"cmd":"users.add","name":"-dash","password":"-pw"}'
ctl users add 'ünï' 'pä"\ss'
check_req "users add sends UTF-8 and JSON specials intact" '{"cmd":"users.add","name":"ünï","password":"pä\"\\ss"}'
ctl users del alice
check "users del exits 0 and says so" "rc == 0 and out == 'deleted user alice\n'"
check_req "users del sends the name" '{"cmd":"users.del","name":"alice"}'
ctl --json users add carol pw
check "users add --json prints the answer" "rc == 0 and js() == {'ok': True}"

answer users.list '{"users":["alice","bob"],"ok":true}'
ctl users list
check "users list prints one name per line" "rc == 0 and lines == ['alice', 'bob']"
check_req "users list sends {\"cmd\": \"users.list\"}" '{"cmd":"users.list"}'
ctl --json users list
check "users list --json prints the answer" "rc == 0 and js() == {'users': ['alice', 'bob'], 'ok': True}"
answer users.list '{"users":[],"ok":true}'
ctl users list
check "users list with none prints 'no users'" "rc == 0 and out == 'no users\n'"

answer users.del '{"ok":false,"error":"no such user"}'
ctl users del zed
check "users del refused: exit 2 with the error" "rc == 2 and out == '' and err == 'turnpikectl: no such user\n'"

# ---- secrets -------------------------------------------------------------------
answer secrets.add '{"ok":true}'
answer secrets.del '{"ok":true}'
ctl secrets add 'top-secret-value'
check "secrets add exits 0 and does not echo the secret" \
	"rc == 0 and out == 'added secret\n' and 'top-secret' not in err"
check_req "secrets add sends the secret" '{"cmd":"secrets.add","secret":"top-secret-value"}'
ctl secrets add --algorithm sha256 'top-secret-value'
check "secrets add --algorithm sha256 exits 0" "rc == 0 and out == 'added secret\n'"
check_req "... and sends the algorithm" \
	'{"cmd":"secrets.add","secret":"top-secret-value","algorithm":"sha256"}'
ctl secrets add --algorithm sha1 'top-secret-value'
check_req "secrets add --algorithm sha1 sends what secrets add always did" \
	'{"cmd":"secrets.add","secret":"top-secret-value"}'
ctl secrets del 0123456789abcdef
check "secrets del exits 0" "rc == 0 and out == 'deleted secret\n'"
check_req "secrets del sends the secret or tag" '{"cmd":"secrets.del","secret":"0123456789abcdef"}'

SECRETS='{"secrets":[{"tag":"0123456789abcdef","length":24},{"tag":"fedcba9876543210","length":7,"algorithm":"sha256"}],"ok":true}'
answer secrets.list "$SECRETS"
ctl secrets list
check "secrets list prints one line per secret: tag, length and algorithm (none said: sha1)" \
	"rc == 0 and [l.split() for l in lines] == [['0123456789abcdef', '24', 'bytes', 'sha1'], ['fedcba9876543210', '7', 'bytes', 'sha256']]"
check_req "secrets list sends {\"cmd\": \"secrets.list\"}" '{"cmd":"secrets.list"}'
ctl --json secrets list
check "secrets list --json prints the answer" "rc == 0 and same(js(), json.loads(r'''$SECRETS'''))"
answer secrets.list '{"secrets":[],"ok":true}'
ctl secrets list
check "secrets list with none prints 'no secrets'" "rc == 0 and out == 'no secrets\n'"
answer secrets.add '{"ok":false,"error":"that secret is already there"}'
ctl secrets add again
check "secrets add refused: exit 2 with the error" \
	"rc == 2 and err == 'turnpikectl: that secret is already there\n'"

# ---- psk (TLS 1.3 external PSKs) ---------------------------------------------------
KEY=00112233445566778899aabbccddeeff
printf '%s\n' "$KEY" >"$TMP/psk.key"
answer psk.add '{"ok":true}'
answer psk.del '{"ok":true}'
CTL_STDIN=$TMP/psk.key ctl psk add ue-0001
check "psk add reads the key from stdin and does not echo it" \
	"rc == 0 and out == 'added PSK ue-0001\n' and '0011' not in err"
check_req "psk add sends identity and key" "{\"cmd\":\"psk.add\",\"identity\":\"ue-0001\",\"key\":\"$KEY\"}"
ctl psk add --key-hex "$KEY" --cipher TLS_AES_256_GCM_SHA384 ue-2
check_req "psk add --key-hex --cipher sends both" \
	"{\"cmd\":\"psk.add\",\"identity\":\"ue-2\",\"key\":\"$KEY\",\"cipher\":\"TLS_AES_256_GCM_SHA384\"}"
ctl psk add ue-3
check "psk add with no key on stdin: a usage error, nothing sent" \
	"rc == 1 and out == '' and 'no key' in err and nreq == 0"
ctl psk del ue-0001
check "psk del exits 0" "rc == 0 and out == 'deleted PSK ue-0001\n'"
check_req "psk del sends the identity" '{"cmd":"psk.del","identity":"ue-0001"}'
PSKS='{"psks":[{"identity":"ue-0001","cipher":"TLS_AES_128_GCM_SHA256"},{"identity":"ue-2","cipher":"TLS_AES_256_GCM_SHA384"}],"store":null,"ok":true}'
answer psk.list "$PSKS"
ctl psk list
check "psk list prints identity and suite, one line each" \
	"rc == 0 and [l.split() for l in lines] == [['ue-0001', 'TLS_AES_128_GCM_SHA256'], ['ue-2', 'TLS_AES_256_GCM_SHA384']]"
check_req "psk list sends {\"cmd\": \"psk.list\"}" '{"cmd":"psk.list"}'
ctl --json psk list
check "psk list --json prints the answer" "rc == 0 and same(js(), json.loads(r'''$PSKS'''))"
answer psk.list '{"psks":[],"ok":true}'
ctl psk list
check "psk list with none prints 'no PSKs'" "rc == 0 and out == 'no PSKs\n'"
answer psk.add '{"ok":false,"error":"the key must be 16 to 64 bytes in hex"}'
ctl psk add --key-hex 00 ue-4
check "psk add refused: exit 2 with the error" \
	"rc == 2 and err == 'turnpikectl: the key must be 16 to 64 bytes in hex\n'"
ctl psk
check_usage "psk without a subcommand is a usage error"
ctl psk add --key-hex "$KEY"
check_usage "psk add without an identity is a usage error"
ctl psk del a b
check_usage "psk del with two arguments is a usage error"
ctl psk list extra
check_usage "psk list with an argument is a usage error"

# ---- the socket --------------------------------------------------------------------
NOPE=$TMP/nope.sock
ctl_raw --socket "$NOPE" status
check "no server: exit 2, 'cannot reach' with the path and a hint" \
	"rc == 2 and out == '' and 'turnpikectl: cannot reach turnpike-cp at $NOPE: No such file or directory (is turnpike-cp running? --socket or TURNPIKE_SOCKET)' in err"
ctl_raw --socket "$NOPE" --json users list
check "no server with --json: exit 2, nothing on stdout" "rc == 2 and out == '' and 'cannot reach' in err"
: >"$TMP/not-a-socket"
ctl_raw --socket "$TMP/not-a-socket" status
check "a path that is not a socket: exit 2, 'cannot reach'" "rc == 2 and 'cannot reach turnpike-cp at' in err"
ctl_raw --socket "$TMP/$(printf 'x%.0s' $(seq 120))" status
check "a socket path too long: exit 2 with a message" "rc == 2 and 'too long' in err"

TURNPIKE_SOCKET=$SOCK ctl_raw status
check "TURNPIKE_SOCKET is used without --socket" "rc == 0 and nreq == 1"
TURNPIKE_SOCKET=$NOPE ctl_raw --socket "$SOCK" status
check "--socket wins over TURNPIKE_SOCKET" "rc == 0 and nreq == 1"
TURNPIKE_SOCKET=$NOPE ctl_raw status
check "TURNPIKE_SOCKET's path is the one reported" "rc == 2 and 'at $NOPE:' in err"
if [[ ! -e /run/turnpike/cp.sock ]]; then
	ctl_raw status
	check "default socket /run/turnpike/cp.sock" "rc == 2 and 'at /run/turnpike/cp.sock:' in err"
	TURNPIKE_SOCKET= ctl_raw status
	check "an empty TURNPIKE_SOCKET means the default" "rc == 2 and 'at /run/turnpike/cp.sock:' in err"
fi

# ---- malformed and late answers ------------------------------------------------------
malformed() {  # DESC RAW-ANSWER EXPECTED-IN-STDERR
	checker answer_raw status "$2"
	[[ $CK_RC == 0 ]] || not_ok "the fake server's raw answer set"
	ctl status
	check "$1" "rc == 2 and out == '' and 'malformed answer' in err and r'''$3''' in err"
}
malformed "not JSON: exit 2" 'garbage' 'not JSON at byte 0 of 7'
malformed "a JSON array: exit 2" '[1,2]' 'not a JSON object'
malformed "no \"ok\": exit 2" '{"version":"x"}' 'no boolean "ok"'
malformed "a non-boolean \"ok\": exit 2" '{"ok":"yes"}' 'no boolean "ok"'
malformed "\"ok\": false without \"error\": exit 2" '{"ok":false}' 'no string "error"'
malformed "two objects: exit 2" '{"ok":true}{"ok":true}' 'not JSON at byte 11 of 22'
malformed "a truncated object: exit 2" '{"ok":true,"version":' 'truncated'
malformed "an empty answer: exit 2" '' 'without answering'
answer status '{"__close__": true}'
ctl status
check "a hang-up without an answer: exit 2" "rc == 2 and 'without answering' in err"

answer status '{"ok":true,"version":"0.1.0"}'
ctl status
check "status: an ok answer without its fields is malformed: exit 2" \
	"rc == 2 and out == '' and 'malformed answer' in err and 'uptime_s' in err"
ctl --json status
check "... but --json prints it as is" "rc == 0 and js() == {'ok': True, 'version': '0.1.0'}"
answer allocations '{"allocations":"many","ok":true}'
ctl allocations
check "allocations: \"allocations\" not an array: exit 2" "rc == 2 and out == '' and 'malformed answer' in err"
pyrun 'a = json.loads(argv[0]); del a["bytes_to_peer"]; print(json.dumps(a))' "$A1"
answer allocations "{\"allocations\":[$PY_OUT],\"ok\":true}"
ctl allocations
check "allocations: a missing counter is named with its allocation: exit 2" \
	"rc == 2 and out == '' and 'allocation 17' in err and 'bytes_to_peer' in err"
answer users.list '{"users":["a",3],"ok":true}'
ctl users list
check "users list: a non-string name: exit 2" "rc == 2 and out == '' and 'malformed answer' in err"
answer secrets.list '{"secrets":[{"tag":"ab"}],"ok":true}'
ctl secrets list
check "secrets list: a secret without length: exit 2" "rc == 2 and out == '' and 'length' in err"
answer secrets.list '{"secrets":[{"tag":"ab","length":3,"algorithm":"\u001b[2Jmd5"}],"ok":true}'
ctl secrets list
check "secrets list: an algorithm we do not know: exit 2" "rc == 2 and out == '' and 'algorithm' in err"

answer status "{\"__sleep__\": 8, \"ok\": true}"
start=$(date +%s.%N)
ctl status
pyrun 'print(float(argv[1]) - float(argv[0]))' "$start" "$(date +%s.%N)"
elapsed=$PY_OUT
check "a silent server: exit 2 after 5 s (took ${elapsed%.*} s)" \
	"rc == 2 and 'did not answer within 5 s' in err and 4.5 <= $elapsed <= 7.5"
answer status "$STATUS"

# ---- command lines -------------------------------------------------------------------
ctl status extra
check_usage "status with an argument is a usage error"
ctl status --bogus
check_usage "status --bogus is a usage error"
ctl allocations --bogus
check_usage "allocations --bogus is a usage error"
ctl allocations --user
check_usage "allocations --user without a value is a usage error"
ctl allocations stray
check_usage "allocations with an argument is a usage error"
ctl users
check_usage "users without a subcommand is a usage error"
ctl users frob
check_usage "users frob is a usage error"
ctl users add alice
check "users add without a password is a usage error" "rc == 1 and nreq == 0 and 'missing PASSWORD' in err"
ctl users add
check_usage "users add without arguments is a usage error"
ctl users add a b c
check_usage "users add with three arguments is a usage error"
ctl users del
check_usage "users del without a name is a usage error"
ctl users list extra
check_usage "users list with an argument is a usage error"
ctl secrets
check_usage "secrets without a subcommand is a usage error"
ctl secrets add
check_usage "secrets add without a secret is a usage error"
ctl secrets add --algorithm md5 s
check "secrets add --algorithm md5 is a usage error" \
	"rc == 1 and out == '' and 'sha1 or sha256' in err and nreq == 0"
ctl secrets add --algorithm sha256
check_usage "secrets add --algorithm sha256 without a secret is a usage error"
ctl secrets add a b
check_usage "secrets add with two secrets is a usage error"
ctl secrets del a b
check_usage "secrets del with two arguments is a usage error"
ctl secrets list extra
check_usage "secrets list with an argument is a usage error"
ctl status --json
check "--json after the command works as before it (options anywhere, issue 13)" \
	"rc == 0 and js()['ok'] is True and req == {'cmd': 'status'}"
ctl users add -- --json pw
check "... but not after '--': there it is the command's argument" \
	"rc == 0 and req == {'cmd': 'users.add', 'name': '--json', 'password': 'pw'}"

for cmd in status allocations kill users "users add" "users del" "users list" \
	secrets "secrets add" "secrets del" "secrets list" psk "psk add" "psk del" "psk list"; do
	# shellcheck disable=SC2086
	ctl $cmd --help
	check_help "turnpikectl $cmd --help"
done
ctl users add -h
check_help "turnpikectl users add -h"
ctl_raw --help
check "turnpikectl --help lists the commands" \
	"rc == 0 and all(has(r'^  %s ' % c) for c in ('status', 'allocations', 'kill', 'users', 'secrets', 'stun')) and '--socket' in out"

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
