#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Drive headless Chromium (Debian's chromium, chromium-driver and
python3-selenium) through one WebRTC case of test_webrtc_browser.sh.
Run it inside the clients' network namespace: chromedriver and Chromium
start here, so every packet of theirs goes to the TURN server.

  --case aiortc    page.html's relay-only peer connection calls an aiortc
                   peer (aiortc_peer.py, started here with `ip netns exec
                   PEER_NS`, signalling over its stdin/stdout): a canvas
                   video track and data-channel messages echoed back.
  --case loopback  two relay-only peer connections in the page, both on the
                   same TURN server: the relay-relay pair carries it all.

Checks: the selected candidate pair's local candidate (both ends' for
loopback) is of type relay, MESSAGES messages came back, and the receiving
end decoded at least FRAMES video frames. Prints what getStats() saw as
"# " lines, then one TAP line, "ok - NAME" or "not ok - NAME: why"; exits
0 or 1 accordingly."""

import argparse
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = time.monotonic()


def say(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line, flush=True)


def step(msg):
    say("[%5.1fs] %s" % (time.monotonic() - T0, msg))


class Failure(Exception):
    pass


def chromium_binary():
    # The real binary, not /usr/bin/chromium: Debian's wrapper sources
    # /etc/chromium.d (extensions, API keys, flags) we do not want here.
    for b in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if os.access(b, os.X_OK):
            return b
    raise Failure("chromium not installed (tools/bootstrap installs it)")


def start_chromium(logdir, extra=()):
    """Headless Chromium under chromedriver, its log in LOGDIR; EXTRA: more
    of Chromium's flags (test_webrtc_sip.sh's fake microphone)."""
    profile = tempfile.mkdtemp(prefix="chromium-profile.", dir=logdir)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium_binary()
    for a in ("--headless=new",
              "--no-sandbox",            # we are root
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--no-default-browser-check",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-extensions",
              "--disable-dev-shm-usage",
              "--use-fake-ui-for-media-stream",
              # A headless page in a test must not have its timers or
              # its renderer slowed down as a hidden one would.
              "--disable-background-timer-throttling",
              "--disable-renderer-backgrounding",
              "--disable-backgrounding-occluded-windows",
              "--user-data-dir=" + profile,
              "--enable-logging=stderr",
              "--v=0",
              "--vmodule=*turn_port*=3,*stun_port*=2,*p2p_transport_channel*=1,"
              "*connection*=1,*basic_port_allocator*=1",
              "--window-size=640,480") + tuple(extra):
        opts.add_argument(a)
    # --enable-chrome-logs: Chromium's stderr (all its processes) into
    # chromedriver's log, which is where --enable-logging=stderr sends it.
    service = Service("/usr/bin/chromedriver", service_args=["--enable-chrome-logs"],
                      log_path=os.path.join(logdir, "chromedriver.log"))
    try:
        driver = webdriver.Chrome(service=service, options=opts)
    except WebDriverException as e:
        raise Failure("chromium/chromedriver did not start: %s" % e.msg)
    driver.set_script_timeout(90)
    return driver


def js(driver, expr, *args):
    try:
        return driver.execute_script("return " + expr, *args)
    except WebDriverException as e:
        raise Failure("page: %s" % (e.msg or str(e)).splitlines()[0].replace("javascript error: ", ""))


def print_stats(stats):
    """What getStats() saw, one connection after the other."""
    for name, s in stats.items():
        say("getStats %s: ice=%s connection=%s" % (name, s["ice"], s["connection"]))
        for c in s["candidates"]:
            say("  local candidate: " + c)
        for e in s["errors"]:
            say("  " + e)
        for p in s["pairs"]:
            sel = " SELECTED" if s["selected"] and p["id"] == s["selected"]["id"] else ""
            loc, rem = p["local"] or {}, p["remote"] or {}
            say("  pair %s%s %s:%s -> %s %s:%s state=%s nominated=%s rtt=%s "
                "requests=%s responses=%s bytes sent/recv=%s/%s%s" % (
                    loc.get("type"),
                    "/" + loc["relayProtocol"] if loc.get("relayProtocol") else "",
                    loc.get("address"), loc.get("port"),
                    rem.get("type"), rem.get("address"), rem.get("port"),
                    p["state"], p["nominated"], p["rtt"], p["requestsSent"],
                    p["responsesReceived"], p["bytesSent"], p["bytesReceived"], sel))
        if not s["pairs"]:
            say("  no candidate pair")
        for o in s["outbound"]:
            say("  video out: %s frames encoded %s sent %s, %s packets %s bytes" % (
                o["codec"], o["framesEncoded"], o["framesSent"], o["packetsSent"],
                o["bytesSent"]))
        for i in s["inbound"]:
            say("  video in: %s frames received %s decoded %s, %s packets %s bytes, %s lost" % (
                i["codec"], i["framesReceived"], i["framesDecoded"], i["packetsReceived"],
                i["bytesReceived"], i["packetsLost"]))
        for d in s["channels"]:
            say("  data channel %s %s: messages sent %s received %s, bytes %s/%s" % (
                d["label"], d["state"], d["messagesSent"], d["messagesReceived"],
                d["bytesSent"], d["bytesReceived"]))


def selected_types(s):
    sel = s.get("selected")
    if not sel:
        return None
    return ((sel["local"] or {}).get("type"), (sel["remote"] or {}).get("type"))


def check_relay_protocol(s, a):
    """The selected relay candidate reaches the server over the url's
    transport (RTCIceCandidateStats.relayProtocol)."""
    want = re.search(r"transport=(\w+)", a.turn)
    sel = s.get("selected")
    if not want or not sel or (sel["local"] or {}).get("type") != "relay":
        return []
    got = sel["local"].get("relayProtocol")
    if got != want.group(1):
        return ["%s: selected relay candidate's relayProtocol is %s, want %s" %
                (s["name"], got, want.group(1))]
    return []


def chromium_turn_errors(logdir):
    """TURN error responses that Chromium logged (turn_port.cc, at INFO and
    WARNING), counted by request and code, so that a failure names what
    the server refused. An Allocate's first 401 is the usual challenge."""
    path = os.path.join(logdir, "chromedriver.log")
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return [], []
    seen = {}
    for m in re.finditer(r"Received TURN (\S.+?) error response, id=\S+, code=(\d+)", text):
        seen[(m.group(1), m.group(2))] = seen.get((m.group(1), m.group(2)), 0) + 1
    out = ["TURN %s error %s: %d time(s)%s" % (
        what, code, n, " (the challenge)" if what == "allocate" and code == "401" else "")
        for (what, code), n in sorted(seen.items())]
    pruned = sorted(set(l.split("] ", 1)[-1]
                        for l in re.findall(r".*turn_port.cc.*pruned connection.*", text)))
    return out + pruned, ["%s %s (%dx)" % (what, code, n) for (what, code), n in sorted(seen.items())
                          if not (what == "allocate" and code == "401")]


class AiortcPeer:
    def __init__(self, ns, logdir):
        cmd = ["/usr/bin/python3", os.path.join(HERE, "aiortc_peer.py")]
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        self.err = open(os.path.join(logdir, "aiortc.log"), "w")
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)

    def ask(self, obj, timeout=15):
        self.p.stdin.write(json.dumps(obj) + "\n")
        self.p.stdin.flush()
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            raise Failure("aiortc peer did not answer %s in %d s" % (list(obj)[0], timeout))
        line = self.p.stdout.readline()
        if not line:
            raise Failure("aiortc peer exited (see aiortc.log)")
        return json.loads(line)

    def close(self):
        try:
            self.p.stdin.write('{"bye": true}\n')
            self.p.stdin.flush()
            self.p.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()
        self.err.close()


def case_aiortc(driver, a):
    got, ps, stats = 0, {"frames": 0}, None
    peer = AiortcPeer(a.peer_ns, a.logdir)
    try:
        step("browser: creating a relay-only offer (%s)" % a.turn)
        off = js(driver, "tp.offer(arguments[0], arguments[1])", a.turn, 10000)
        step("browser: offer gathered, candidates %s" % off["types"])
        if not off["types"].get("relay"):
            raise Failure("Chromium gathered no relay candidate (%s)" %
                          ("; ".join(off["errors"]) or "no icecandidateerror event"))
        ans = peer.ask({"offer": off["sdp"]})
        step("aiortc: answered, candidates %s" %
             sorted(set(re.findall(r"typ (\w+)", ans["answer"]))))
        js(driver, "tp.answer(arguments[0], arguments[1])", ans["answer"], 10000)
        step("browser: data channel open")
        got = js(driver, "tp.echo(arguments[0], arguments[1])", a.messages, 10000)
        step("browser: %d of %d messages echoed by aiortc" % (got, a.messages))
        deadline = time.monotonic() + 10
        while True:
            ps = peer.ask({"stats": True})
            if ps["frames"] >= a.frames or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        step("aiortc: %d video frames decoded (%s), %d messages, ice %s, pair %s" % (
            ps["frames"], ps["frame_size"], ps["messages"], ps["ice"], ps["selected"]))
    except Failure as e:
        step("stopped: %s" % e)
        raise
    finally:
        try:
            stats = js(driver, "tp.stats()")
        except Failure as e:
            say("getStats failed: %s" % e)
        if stats:
            print_stats(stats)
        peer.close()
    if not stats:
        return ["no getStats() result"]
    why = []
    types = selected_types(stats["browser"])
    if not types or types[0] != "relay":
        why.append("selected pair local candidate is %s, want relay" %
                   (types[0] if types else "none (no pair selected)"))
    why += check_relay_protocol(stats["browser"], a)
    if got != a.messages:
        why.append("%d of %d messages echoed" % (got, a.messages))
    if ps["frames"] < a.frames:
        why.append("aiortc decoded %d video frames, want >= %d" % (ps["frames"], a.frames))
    return why


def case_loopback(driver, a):
    got, frames, stats = 0, 0, None
    try:
        step("browser: two relay-only peer connections on %s" % a.turn)
        r = js(driver, "tp.loopback(arguments[0], arguments[1])", a.turn, 10000)
        step("browser: offer/answer done, candidates %s" % r["types"])
        if not r["types"]["a"].get("relay") or not r["types"]["b"].get("relay"):
            raise Failure("Chromium gathered no relay candidate (%s)" %
                          ("; ".join(r["errors"]) or "no icecandidateerror event"))
        js(driver, "tp.opened(arguments[0])", 10000)
        step("browser: data channel open")
        got = js(driver, "tp.echo(arguments[0], arguments[1])", a.messages, 10000)
        step("browser: %d of %d messages echoed by the second connection" % (got, a.messages))
        frames = js(driver, "tp.framesDecoded('b', arguments[0], arguments[1])", a.frames, 10000)
        step("browser: second connection decoded %d video frames" % frames)
    except Failure as e:
        step("stopped: %s" % e)
        raise
    finally:
        try:
            stats = js(driver, "tp.stats()")
        except Failure as e:
            say("getStats failed: %s" % e)
        if stats:
            print_stats(stats)
    if not stats:
        return ["no getStats() result"]
    why = []
    for name in ("a", "b"):
        types = selected_types(stats[name])
        if types != ("relay", "relay"):
            why.append("%s: selected pair is %s, want relay -> relay" %
                       (name, "%s -> %s" % types if types else "none"))
        why += check_relay_protocol(stats[name], a)
    if got != a.messages:
        why.append("%d of %d messages echoed" % (got, a.messages))
    if frames < a.frames:
        why.append("%d video frames decoded, want >= %d" % (frames, a.frames))
    return why


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=("aiortc", "loopback"), required=True)
    ap.add_argument("--name", required=True, help="TAP test name")
    ap.add_argument("--turn", required=True, help="TURN url, e.g. turn:10.210.0.1:3478?transport=udp")
    ap.add_argument("--peer-ns", default="", help="network namespace of the aiortc peer")
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--logdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.logdir, exist_ok=True)

    driver = None
    why = []
    try:
        driver = start_chromium(a.logdir)
        step("chromium %s started" % driver.capabilities.get("browserVersion"))
        driver.get("file://" + os.path.join(HERE, "page.html"))
        why = (case_aiortc if a.case == "aiortc" else case_loopback)(driver, a)
    except Failure as e:
        why = [str(e)]
    except Exception as e:  # a defect of this script: still one TAP line
        say(traceback.format_exc())
        why = ["browser.py: %s: %s" % (type(e).__name__, e)]
    finally:
        if driver:
            try:
                for ev in driver.execute_script("return tp.events"):
                    say("page: " + ev)
            except WebDriverException:
                pass
            driver.quit()
    lines, refused = chromium_turn_errors(a.logdir)
    for e in lines:
        say("chromium log: " + e)
    if why and refused:
        why.append("the TURN server refused: " + ", ".join(refused))
    if why:
        print("not ok - %s: %s (%.1f s)" % (a.name, "; ".join(why), time.monotonic() - T0),
              flush=True)
        return 1
    print("ok - %s (%.1f s)" % (a.name, time.monotonic() - T0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
