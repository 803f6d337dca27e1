#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# What rtpengine-ng-client (Debian's rtpengine-utils) printed, as one JSON
# object: {"sdp": the "New SDP" block or null, "reply": the "Result
# dictionary" (Perl's Data::Dumper of the bencoded reply) or {}, "error":
# its "Error reason" or null}. The client deletes result "ok" and the sdp
# from the dictionary it prints (a reply of only those prints none), and
# dies with the error reason on result "error"; bencode's integers come
# out of its Bencode module as strings.
#   ng_client_out.py STDOUT_FILE [STDERR_FILE]
import json
import re
import sys

CUT = r"-----8<-----8<-----8<-----8<-----8<-----\n(.*?)----->8----->8----->8----->8----->8-----"


def tokens(text):
    pos = 0
    pat = re.compile(r"\s*(?:(\$VAR1\s*=)|('(?:[^'\\]|\\.)*')|(=>|[{}\[\],;\\])|([\w.+-]+))",
                     re.S)
    while True:
        m = pat.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise ValueError("Dumper: cannot read %r" % text[pos:pos + 40])
            return
        pos = m.end()
        if m.group(1):
            continue
        if m.group(2) is not None:
            yield ("s", re.sub(r"\\(.)", r"\1", m.group(2)[1:-1], flags=re.S))
        elif m.group(3):
            yield ("p", m.group(3))
        else:
            w = m.group(4)
            yield ("s", None if w == "undef" else w)


def parse(text):
    toks = list(tokens(text))
    i = 0

    def value():
        nonlocal i
        kind, v = toks[i]
        i += 1
        if kind == "s":
            return v
        if v == "\\":                       # a reference to a scalar
            return value()
        if v in "{[":
            close = "}" if v == "{" else "]"
            out = {} if v == "{" else []
            while toks[i] != ("p", close):
                if v == "{":
                    k = value()
                    if toks[i] != ("p", "=>"):
                        raise ValueError("Dumper: no => after %r" % k)
                    i += 1
                    out[k] = value()
                else:
                    out.append(value())
                if toks[i] == ("p", ","):
                    i += 1
            i += 1
            return out
        raise ValueError("Dumper: unexpected %r" % v)
    return value()


def main():
    out = open(sys.argv[1]).read()
    err = open(sys.argv[2]).read() if len(sys.argv) > 2 else ""
    res = {"sdp": None, "reply": {}, "error": None}
    m = re.search(r"New SDP:\n" + CUT, out, re.S)
    if m:
        res["sdp"] = m.group(1).replace("\r", "")
    m = re.search(r"Result dictionary:\n" + CUT, out, re.S)
    if m:
        res["reply"] = parse(m.group(1))
    m = re.search(r'Error reason: "(.*)" at ', err + out)
    if m:
        res["error"] = m.group(1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
