# SPDX-License-Identifier: BSD-3-Clause
# Readiness waits: what a test (or tools/demo) just started is used only
# once it is there (a socket listening, a line in its log, a file it
# makes, a condition), never after a guessed sleep, which a loaded or
# fresh machine outlasts. Each wait is bounded, looks every 0.1 s, and
# stops early when the process it waits for has exited. On failure it
# returns 1 with the reason in TP_WAIT_WHY, naming what did not come; the
# caller says what that means (tp_need in lib/dp_env.sh, a failed step in
# tools/demo). Standalone: bash and ss (iproute2); sourced by dp_env.sh
# and tools/demo.

TP_WAIT_WHY=

# tp_wait_now_ms: the wall clock in milliseconds (bash's EPOCHREALTIME)
tp_wait_now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# tp_wait_alive PID WHAT: false, with the reason, when PID (if given) is
# gone
tp_wait_alive() {
  [ -z "$1" ] || kill -0 "$1" 2>/dev/null && return 0
  TP_WAIT_WHY="$2 (pid $1) exited before it was ready"
  return 1
}

# tp_wait_until SECS WHAT CMD...: CMD until it succeeds, at most SECS
# seconds; WHAT says what is awaited. (Every SECS here is whole seconds.)
tp_wait_until() {
  local secs=$1 what=$2 end; shift 2
  end=$(( $(tp_wait_now_ms) + secs * 1000 ))
  while :; do
    "$@" && return 0
    [ "$(tp_wait_now_ms)" -lt "$end" ] || break
    sleep 0.1
  done
  TP_WAIT_WHY="$what: not so after $secs s"
  return 1
}

# tp_wait_listen NS PROTO ADDR PORT PID WHAT [SECS]: wait (default 10 s)
# until a socket of PROTO (tcp: listening; udp: bound) is on ADDR:PORT,
# or on the wildcard address, in network namespace NS ("-": this one).
# ADDR as ss prints it (10.201.0.2, fd00:201::2; "*": any). PID: the
# process that is to open it ("" when there is none to watch).
tp_wait_listen() {
  local ns=$1 proto=$2 addr=$3 port=$4 pid=$5 what=$6 secs=${7:-10} end l
  local -a ss=(ss -Hn -l)
  case "$proto" in
    tcp) ss+=(-t) ;;
    udp) ss+=(-u) ;;
    *) TP_WAIT_WHY="tp_wait_listen: tcp or udp, not '$proto'"; return 1 ;;
  esac
  [ "$ns" = - ] || ss=(ip netns exec "$ns" "${ss[@]}")
  case "$addr" in *:*) l="[$addr]:$port" ;; *) l="$addr:$port" ;; esac
  end=$(( $(tp_wait_now_ms) + secs * 1000 ))
  while :; do
    "${ss[@]}" "sport = :$port" 2>/dev/null |
      awk -v l="$l" -v p=":$port" -v any="$addr" '
        $4 == l || $4 == "0.0.0.0" p || $4 == "*" p || $4 == "[::]" p ||
        (any == "*" && substr($4, length($4) - length(p) + 1) == p) { f = 1 }
        END { exit !f }' && return 0
    tp_wait_alive "$pid" "$what" || return 1
    [ "$(tp_wait_now_ms)" -lt "$end" ] || break
    sleep 0.1
  done
  TP_WAIT_WHY="$what did not listen on $proto $l in $secs s"
  [ "$ns" = - ] || TP_WAIT_WHY="$TP_WAIT_WHY (namespace $ns)"
  return 1
}

# tp_wait_log FILE PATTERN PID WHAT [SECS]: wait (default 10 s) until a
# line of FILE matches PATTERN (grep's basic regular expression).
tp_wait_log() {
  local file=$1 pat=$2 pid=$3 what=$4 secs=${5:-10} end
  end=$(( $(tp_wait_now_ms) + secs * 1000 ))
  while :; do
    grep -q -- "$pat" "$file" 2>/dev/null && return 0
    tp_wait_alive "$pid" "$what" || { TP_WAIT_WHY="$TP_WAIT_WHY: $(tail -n 1 "$file" 2>/dev/null)"; return 1; }
    [ "$(tp_wait_now_ms)" -lt "$end" ] || break
    sleep 0.1
  done
  TP_WAIT_WHY="$what: no '$pat' in $file after $secs s"
  return 1
}

# tp_wait_file FILE PID WHAT [SECS]: wait (default 10 s) until FILE exists
# (a ready file the process makes once it listens).
tp_wait_file() {
  local file=$1 pid=$2 what=$3 secs=${4:-10} end
  end=$(( $(tp_wait_now_ms) + secs * 1000 ))
  while :; do
    [ -e "$file" ] && return 0
    tp_wait_alive "$pid" "$what" || return 1
    [ "$(tp_wait_now_ms)" -lt "$end" ] || break
    sleep 0.1
  done
  TP_WAIT_WHY="$what made no $file in $secs s"
  return 1
}
