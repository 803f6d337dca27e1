#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_webrtc_sip.sh's and test_webrtc_bundle.sh's browser (lib/browser_env.sh
starts it): headless Chromium (Debian's chromium, chromium-driver and
python3-selenium, started as browser.py starts it, with a fake microphone
and camera) on sip_page.html, a SIP-over-WebSocket phone
on JsSIP (--jssip) or a peer connection of the page's own, driven one line
at a time. Run it in the browser's network namespace.

Each line on stdin is "N EXPR": EXPR (JavaScript, usually a call of the
page's window.tp) is evaluated in the page and awaited; the answer is one
JSON line on stdout, {"n": N, "ok": true, "value": ...} or {"n": N, "ok":
false, "error": "..."}. "quit", or the end of stdin, closes Chromium. The
page's event log is written to LOGDIR/events.txt at the end, chromedriver's
(Chromium's own log and the page's console: JsSIP's SIP messages) to
LOGDIR/chromedriver.log."""

import argparse
import json
import os
import signal
import sys
import time
import urllib.parse

from selenium.common.exceptions import WebDriverException

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Failure, start_chromium  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def on_term(signum, frame):
    raise SystemExit(128 + signum)    # through the finally: Chromium closed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jssip", help="JsSIP's bundle (tools/bootstrap's jssip.js); without it "
                    "the page's own peer connection only (tp.pcOffer())")
    ap.add_argument("--logdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.logdir, exist_ok=True)
    signal.signal(signal.SIGTERM, on_term)
    t0 = time.monotonic()
    driver = None
    try:
        try:
            driver = start_chromium(a.logdir, extra=(
                "--use-fake-device-for-media-stream",   # a beeping microphone, a camera
                "--autoplay-policy=no-user-gesture-required",
                # (the last --vmodule counts: ICE and DTLS's steps in the log)
                "--vmodule=*dtls_transport*=1,*p2p_transport_channel*=1,*connection*=1"))
        except Failure as e:
            reply({"n": 0, "ok": False, "error": str(e)})
            return 1
        driver.get("file://%s%s" % (os.path.join(HERE, "sip_page.html"),
                                    "?jssip=" + urllib.parse.quote(a.jssip) if a.jssip else ""))
        reply({"n": 0, "ok": True, "value": "chromium %s in %.1f s" % (
            driver.capabilities.get("browserVersion"), time.monotonic() - t0)})
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            if line == "quit":
                break
            n, _, expr = line.partition(" ")
            try:
                value = driver.execute_script("return " + expr)
                reply({"n": int(n), "ok": True, "value": value})
            except WebDriverException as e:
                msg = (e.msg or str(e)).splitlines()[0].replace("javascript error: ", "")
                reply({"n": int(n), "ok": False, "error": msg})
    finally:
        if driver:
            try:
                with open(os.path.join(a.logdir, "events.txt"), "w") as f:
                    for ev in driver.execute_script("return tp.events"):
                        f.write(ev + "\n")
            except (WebDriverException, OSError):
                pass
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
