# SPDX-License-Identifier: BSD-3-Clause
# Drive tp_mgc.erl (the test MGC, or its stand-in gateway role) from
# bash, and check a capture of H.248 with tshark. Source it; set H248_DIR
# to a scratch directory first. See README.md for the command language.
#
#   h248_start NAME ARGS...   start one instance (fifos in $H248_DIR),
#                             wait for its READY line (in $H248_LINE);
#                             h248_spawn + h248_ready NAME do the same in
#                             two steps, to start several VMs at once
#   h248_cmd NAME LINE [SECS] send one command, its answer in $H248_LINE;
#                             rc 0 if the answer came, 1 if not in SECS
#   h248_expect NAME LINE ERE send, rc 0 if the answer matches ERE
#   h248_grab ERE             print ERE's first group in $H248_LINE
#                             (rc 1 if no match), e.g. our port:
#                             h248_grab 'm=message ([0-9]+) '
#   h248_stop NAME            quit it (kill after 5 s)
#   h248_kill NAME            kill -9 it (a gateway or MGC gone silent)
#   h248_pcap_check FILE PORT [tcp]
#                             decode FILE with H.248 on PORT, print the
#                             commands seen; rc 1 on any malformed packet
#                             or if there is no H.248 in it at all
# Event lines (REGISTERED, NOTIFY, ...) arriving between answers are
# appended to $H248_DIR/NAME.events; the program's stderr goes to
# $H248_DIR/NAME.log.

#   h248_require_megaco       exit 77 (a TAP skip) without Erlang's megaco
#   h248_sdp LINE...          an SDP body as the MGC's commands write it
#                             (v=0 first, each line ended by \r\n escapes)

H248_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H248_SRC=$H248_HERE/tp_mgc.erl
H248_EVENTS='^(REGISTERED|NOTIFY|DISCONNECTED|UNEXPECTED|SYNTAX|MSGERROR|REQUEST) '

h248_build() {
  local d=${H248_DIR:?H248_DIR not set}
  [ "$d/tp_mgc.beam" -nt "$H248_SRC" ] ||
    erlc +warnings_as_errors -o "$d" "$H248_SRC" >"$d/erlc.log" 2>&1 || { cat "$d/erlc.log" >&2; return 1; }
}

h248_start() {
  h248_spawn "$@" && h248_ready "$1"
}

h248_ready() {
  h248_read "$1" 20 && [[ $H248_LINE == READY* ]]
}

h248_spawn() {
  local name=$1; shift
  local d=${H248_DIR:?H248_DIR not set} fin fout
  h248_build || return 1
  rm -f "$d/$name.in" "$d/$name.out"
  mkfifo "$d/$name.in" "$d/$name.out" || return 1
  ERL_CRASH_DUMP=$d/$name.crash erl -noshell -pa "$d" -run tp_mgc main -extra "$@" \
    <"$d/$name.in" >"$d/$name.out" 2>"$d/$name.log" &
  printf -v "H248_PID_$name" %s $!
  # Opened in the order the child opens them, or both sides block.
  exec {fin}>"$d/$name.in"
  exec {fout}<"$d/$name.out"
  printf -v "H248_IN_$name" %s "$fin"
  printf -v "H248_OUT_$name" %s "$fout"
}

# Next answer line (events set aside). rc 1 on timeout or EOF.
h248_read() {
  local name=$1 secs=${2:-30} fd line end=$((SECONDS + ${2:-30}))
  fd=H248_OUT_$name; fd=${!fd}
  H248_LINE=
  while :; do
    secs=$((end - SECONDS)); ((secs > 0)) || return 1
    IFS= read -r -t "$secs" -u "$fd" line || return 1
    if [[ $line =~ $H248_EVENTS ]]; then
      printf '%s\n' "$line" >>"$H248_DIR/$name.events"
      continue
    fi
    H248_LINE=$line
    return 0
  done
}

h248_cmd() {
  local name=$1 cmd=$2 secs=${3:-30} fd
  fd=H248_IN_$name; fd=${!fd}
  H248_LINE=
  # In a subshell: if the program died, SIGPIPE ends that, not the test.
  (printf '%s\n' "$cmd" >&"$fd") 2>/dev/null ||
    { echo "# $name: gone, cannot send: $cmd" >&2; return 1; }
  h248_read "$name" "$secs"
}

h248_expect() {
  local name=$1 cmd=$2 ere=$3
  h248_cmd "$name" "$cmd" "${4:-30}" || { echo "# $name: no answer to: $cmd" >&2; return 1; }
  [[ $H248_LINE =~ $ere ]] && return 0
  echo "# $name: $cmd" >&2
  echo "#   answered: $H248_LINE" >&2
  echo "#   expected: $ere" >&2
  return 1
}

h248_grab() {
  [[ $H248_LINE =~ $1 ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

h248_stop() {
  local name=$1 pid fin fout i
  pid=H248_PID_$name; pid=${!pid}
  fin=H248_IN_$name; fin=${!fin}
  fout=H248_OUT_$name; fout=${!fout}
  (printf 'quit\n' >&"$fin") 2>/dev/null
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # (it may be gone already: callers may run under set -e)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  exec {fin}>&- {fout}<&-
}

# A gateway that dies without a word: its socket goes away with it.
h248_kill() {
  local name=$1 pid fin fout
  pid=H248_PID_$name; pid=${!pid}
  fin=H248_IN_$name; fin=${!fin}
  fout=H248_OUT_$name; fout=${!fout}
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  exec {fin}>&- {fout}<&-
}

# tshark's H.248 dissector as an independent check of the encoding: every
# frame with a payload on PORT must decode as MEGACO with no malformed
# mark (_ws.malformed, tshark's "[Malformed Packet]") and no expert error
# (the megaco dissector's parse errors are those). Prints one line per
# H.248 frame: number, source port, destination port, transaction kinds,
# transaction ids, contexts, commands (as tshark names them; lists
# comma-separated), then a summary. One pass over the file. A message
# with neither a transaction nor an error descriptor counts as malformed
# (tshark dissects any text on the port as H.248 without complaint).
h248_pcap_check() {
  local file=$1 port=$2 proto=${3:-udp} len
  [ "$proto" = tcp ] && len=tcp.len || len=udp.length
  tshark -r "$file" -d "$proto.port==$port,megaco" -Y "$proto.port==$port" \
    -T fields -E separator='|' -E aggregator=, -E occurrence=a \
    -e frame.number -e "$proto.srcport" -e "$proto.dstport" -e "$len" \
    -e frame.protocols -e _ws.malformed -e _ws.expert.severity \
    -e megaco.transaction -e megaco.transid -e megaco.context -e megaco.command \
    -e megaco.error_code \
    2>/dev/null |
  awk -F'|' -v proto="$proto" -v port="$port" '
    { pay = (proto == "tcp") ? $4 + 0 > 0 : $4 + 0 > 8 }
    !pay { next }
    { frames++ }
    $5 ~ /(^|:)megaco(:|$)/ { h248++; print $1, $2, $3, $8, $9, $10, $11 }
    $5 !~ /(^|:)megaco(:|$)/ { print "# not H.248: frame " $1 }
    # a message is transactions or, alone, an error descriptor
    $5 ~ /(^|:)megaco(:|$)/ && $8 == "" && $12 == "" {
      bad++; print "# neither transaction nor error: frame " $1 }
    $6 != "" || $5 ~ /malformed/ || $7 ~ /(^|,)(8388608|error)(,|$)/ {
      bad++; print "# malformed: frame " $1 }
    END {
      printf "# h248_pcap_check: %d H.248 frames of %d with a payload on %s port %d, %d malformed\n",
        h248, frames, proto, port, bad
      exit !(h248 > 0 && h248 == frames && bad == 0) }'
}

h248_require_megaco() {
  command -v erl >/dev/null && [ -d "$(ls -d /usr/lib/erlang/lib/megaco-* 2>/dev/null | head -1)" ] ||
    { echo "1..0 # SKIP no Erlang megaco (tools/bootstrap installs erlang-megaco)"; exit 77; }
}

h248_sdp() { local s='\nv=0\r\n' l; for l in "$@"; do s="$s$l"'\r\n'; done; printf '%s' "$s"; }
