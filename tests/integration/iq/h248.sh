# SPDX-License-Identifier: BSD-3-Clause
# Drive tp_mgc.escript (the test MGC, or its stand-in gateway role) from
# bash, and check a capture of H.248 with tshark. Source it; set H248_DIR
# to a scratch directory first. See README.md for the command language.
#
#   h248_start NAME ARGS...   start one instance (fifos in $H248_DIR),
#                             wait for its READY line (in $H248_LINE)
#   h248_cmd NAME LINE [SECS] send one command, its answer in $H248_LINE;
#                             rc 0 if the answer came, 1 if not in SECS
#   h248_expect NAME LINE ERE send, rc 0 if the answer matches ERE
#   h248_stop NAME            quit it (kill after 5 s)
#   h248_pcap_check FILE PORT [tcp]
#                             decode FILE with H.248 on PORT, print the
#                             commands seen; rc 1 on any malformed packet
#                             or if there is no H.248 in it at all
# Event lines (REGISTERED, NOTIFY, ...) arriving between answers are
# appended to $H248_DIR/NAME.events; the program's stderr goes to
# $H248_DIR/NAME.log.

H248_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H248_ESCRIPT=${H248_ESCRIPT:-$H248_HERE/tp_mgc.escript}
H248_EVENTS='^(REGISTERED|NOTIFY|DISCONNECTED|UNEXPECTED|SYNTAX|MSGERROR|REQUEST) '

h248_start() {
  local name=$1; shift
  local d=${H248_DIR:?H248_DIR not set} fin fout
  rm -f "$d/$name.in" "$d/$name.out"
  mkfifo "$d/$name.in" "$d/$name.out" || return 1
  escript "$H248_ESCRIPT" "$@" <"$d/$name.in" >"$d/$name.out" 2>"$d/$name.log" &
  printf -v "H248_PID_$name" %s $!
  # Opened in the order the child opens them, or both sides block.
  exec {fin}>"$d/$name.in"
  exec {fout}<"$d/$name.out"
  printf -v "H248_IN_$name" %s "$fin"
  printf -v "H248_OUT_$name" %s "$fout"
  h248_read "$name" 20 && [[ $H248_LINE == READY* ]]
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
  printf '%s\n' "$cmd" >&"$fd" || return 1
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

h248_stop() {
  local name=$1 pid fin fout i
  pid=H248_PID_$name; pid=${!pid}
  fin=H248_IN_$name; fin=${!fin}
  fout=H248_OUT_$name; fout=${!fout}
  printf 'quit\n' >&"$fin" 2>/dev/null
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  exec {fin}>&- {fout}<&-
}

# A gateway that dies without a word: its socket goes away with it.
h248_kill() {
  local name=$1 pid fin fout
  pid=H248_PID_$name; pid=${!pid}
  fin=H248_IN_$name; fin=${!fin}
  fout=H248_OUT_$name; fout=${!fout}
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  exec {fin}>&- {fout}<&-
}

# tshark's H.248 dissector as an independent check of the encoding: every
# frame on PORT must decode as MEGACO with no malformed mark (tshark's
# _ws.malformed or "[Malformed Packet]", and _ws.expert errors of the
# megaco dissector). Prints one line per H.248 message: frame number,
# source port, destination port, then the message's transactions and
# commands as tshark names them.
h248_pcap_check() {
  local file=$1 port=$2 proto=${3:-udp} n bad frames
  local d=(-d "$proto.port==$port,megaco")
  n=$(tshark -r "$file" "${d[@]}" -Y megaco 2>/dev/null | wc -l)
  frames=$(tshark -r "$file" -Y "udp.port==$port && udp.length > 8" 2>/dev/null | wc -l)
  [ "$proto" = tcp ] && frames=$(tshark -r "$file" -Y "tcp.port==$port && tcp.len > 0" 2>/dev/null | wc -l)
  bad=$(tshark -r "$file" "${d[@]}" -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l)
  bad=$((bad + $(tshark -r "$file" "${d[@]}" -V 2>/dev/null | grep -c 'Malformed Packet')))
  tshark -r "$file" "${d[@]}" -Y megaco -T fields -E separator=' ' -E aggregator=, \
    -e frame.number -e "$proto.srcport" -e "$proto.dstport" \
    -e megaco.transaction -e megaco.transid -e megaco.context -e megaco.command 2>/dev/null
  echo "# h248_pcap_check: $n H.248 frames of $frames on $proto port $port, $bad malformed"
  [ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$n" -ge "$frames" ]
}
