# SPDX-License-Identifier: BSD-3-Clause
# Headless Chromium driven from a test, one JavaScript expression at a time
# (test_webrtc_sip.sh, test_webrtc_bundle.sh): lib/webrtc/sip_browser.py on
# lib/webrtc/sip_page.html as a coprocess. Source after lib/sip_env.sh
# (its jt, SIP_PIDS).
#
#   br_need                  PY set to Debian's python3 (its selenium,
#                            whatever python3 comes first in PATH); the
#                            test bails out when Chromium, chromedriver or
#                            python3-selenium is missing
#   br_start NS [JSSIP]      the driver in namespace NS (JsSIP's bundle
#                            loaded by the page when given), Chromium's
#                            first line checked (tp_check); its log in
#                            $TP_TMP/browser.log, the page's in
#                            $TP_TMP/browser/
#   br EXPR [SECS]           EXPR evaluated in the page and awaited (30 s);
#                            its answer in $TP_TMP/br.json (the value as
#                            d['value']); true when it succeeded. After one
#                            that got no answer, none is asked again.
#   br_stop                  Chromium closed, the page's events shown
#   stats NAME               getStats() now (the page's tp.stats()), kept
#                            as $TP_TMP/stats.NAME.json
#   grew A B EXPR            python's EXPR over a (stats A) and b (stats B)

br_need() {
  PY=/usr/bin/python3
  [ -x /usr/lib/chromium/chromium ] || tp_die "chromium missing (tools/bootstrap installs it)"
  [ -x /usr/bin/chromedriver ] || tp_die "chromedriver missing (tools/bootstrap installs chromium-driver)"
  $PY -c 'import selenium' 2>/dev/null || tp_die "python3-selenium missing (tools/bootstrap installs it)"
}

br_start() {   # NS [JSSIP]
  coproc BR { exec ip netns exec "$1" timeout 170 $PY "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/webrtc/sip_browser.py" \
    ${2:+--jssip "$2"} --logdir "$TP_TMP/browser" 2>"$TP_TMP/browser.log"; }
  br_pid=$BR_PID     # (bash unsets BR_PID when the coprocess ends)
  SIP_PIDS="$SIP_PIDS $br_pid"
  exec 5<&"${BR[0]}" 6>&"${BR[1]}"
  br_n=0 br_stuck=
  tp_check "headless Chromium started (sip_browser.py)" br_first
}

br() {
  local line= n
  br_n=$((br_n + 1))
  if [ -n "$br_stuck" ]; then   # (not a timeout for every step after it)
    echo "# browser: $1 -> not asked: $br_stuck"
    return 1
  fi
  printf '%s %s\n' "$br_n" "$1" >&6 2>/dev/null
  local until=$((SECONDS + ${2:-30}))
  while [ "$SECONDS" -lt "$until" ] && IFS= read -r -t $((until - SECONDS)) line <&5; do
    n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("n"))' "$line" 2>/dev/null)
    [ "$n" = "$br_n" ] && break
    line=
  done
  if [ -z "$line" ]; then
    line="{\"n\": $br_n, \"ok\": false, \"error\": \"no answer in ${2:-30} s\"}"
    br_stuck="the browser gave no answer to '$1' in ${2:-30} s"
  fi
  printf '%s\n' "$line" >"$TP_TMP/br.json"
  echo "# browser: $(cut -c1-200 <<<"$1") -> $(cut -c1-400 <<<"$line")"
  jt "$TP_TMP/br.json" "d['ok']"
}

br_first() {   # the driver's first line: Chromium started (or not)
  local line
  IFS= read -r -t 60 line <&5 || line='{"ok": false, "error": "sip_browser.py said nothing in 60 s"}'
  echo "# browser: $line"
  python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["ok"] else 1)' "$line"
}

br_stop() {
  printf 'quit\n' >&6
  exec 5<&- 6>&-
  for _ in $(seq 50); do kill -0 "$br_pid" 2>/dev/null || break; sleep 0.1; done
  sed 's/^/# page: /' "$TP_TMP/browser/events.txt" 2>/dev/null
}

stats() { br "tp.stats()" 10 && j "$TP_TMP/br.json" 'json.dumps(d["value"])' >"$TP_TMP/stats.$1.json"; }

grew() {
  python3 -c "
import json,sys
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
sys.exit(0 if ($3) else 1)" "$TP_TMP/stats.$1.json" "$TP_TMP/stats.$2.json"
}
