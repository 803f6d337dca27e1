#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every relative Markdown link of the given pages leads somewhere: the file
exists, and a #fragment names a heading of it (GitHub's anchors: lower
case, punctuation but '-' and '_' dropped, spaces to '-'). Links outside
code blocks and spans only; http(s) and mailto links are not followed.

usage: doc_links.py PAGE...   (from the source root)
Prints "PAGE:LINE: broken link TARGET (why)" per broken link; exit 1 if any.
"""
import os
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchors(path):
    out, inb = set(), False
    with open(path) as f:
        for ln in f:
            if ln.startswith("```"):
                inb = not inb
            if inb or not ln.startswith("#"):
                continue
            t = ln.lstrip("#").strip().lower()
            t = re.sub(r"[^\w\- ]", "", t).replace(" ", "-")
            out.add(t)
    return out


def main():
    bad = 0
    for page in sys.argv[1:]:
        inb = False
        with open(page) as f:
            lines = f.read().split("\n")
        for n, ln in enumerate(lines, 1):
            if ln.startswith("```"):
                inb = not inb
            if inb:
                continue
            ln = re.sub(r"`[^`]*`", "", ln)
            for target in LINK.findall(ln):
                if re.match(r"(https?|mailto):", target):
                    continue
                path, _, frag = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                why = None
                if not os.path.exists(dest):
                    why = "no such file"
                elif frag and (os.path.isdir(dest) or frag not in anchors(dest)):
                    why = f"no heading #{frag} in {dest}"
                if why:
                    print(f"{page}:{n}: broken link {target} ({why})")
                    bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
