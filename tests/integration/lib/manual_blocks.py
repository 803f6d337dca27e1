#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The manual's runnable examples (docs/README.md, "Examples that run"),
as one bash script per docs file, for test_manual.sh.

A runnable example is a fenced block opened by a line "```sh" right after
a line "<!-- manual-test -->". Each command of the block (a line, joined
with the next ones while it ends in a backslash or a pipe; blank lines and
comments skipped) runs in turn in one bash process, its output kept, and
gets a TAP line "ok - FILE:LINE: COMMAND" or "not ok - ..." with its exit
status and output. "/etc/turnpike/" in a command is the test's own folder
($TP_ETC/); turnpikectl, turnpike-dp and turnpike-cp are the prelude's
functions (the test's socket and build).

usage: manual_blocks.py OUTDIR DOCS_FILE...
Writes OUTDIR/NN.sh (one per file with blocks) and OUTDIR/commands.txt
(every command on one line), and prints, per line, the
script and the number of commands in it. Exits 1, saying where, on a
marker not followed by a "```sh" fence or a block never closed: an
example the test would skip is a defect.
"""
import os
import shlex
import sys

MARK = "<!-- manual-test -->"

PRELUDE = r'''
set -o pipefail
turnpikectl() { "$TP_CTL" --socket "$TP_SOCK" "$@"; }
turnpike-dp() { "$TP_DP" "$@"; }
turnpike-cp() { "$TP_CP" "$@"; }
__fails=0
__out=$(mktemp)
__report() {  # RC WHERE COMMAND
  if [ "$1" -eq 0 ]; then echo "ok - $2: $3"; else echo "not ok - $2: $3 (exit $1)"; __fails=$((__fails + 1)); fi
  head -n 15 "$__out" | sed 's/^/#   /'
}
'''


def blocks(path):
    """(line of the command, its text) for each command of each marked block"""
    with open(path) as f:
        lines = f.read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARK:
            i += 1
            continue
        if i + 1 >= len(lines) or lines[i + 1].strip() != "```sh":
            sys.exit(f"{path}:{i + 1}: {MARK} must be followed at once by a ```sh block")
        j = i + 2
        cmd, start = [], None
        while True:
            if j >= len(lines):
                sys.exit(f"{path}:{i + 2}: the ```sh block is never closed")
            ln = lines[j]
            if ln.strip() == "```":
                break
            if not cmd and (not ln.strip() or ln.lstrip().startswith("#")):
                j += 1
                continue
            if not cmd:
                start = j + 1
            cmd.append(ln)
            s = ln.rstrip()
            if not (s.endswith("\\") or s.endswith("|")):
                out.append((start, "\n".join(cmd)))
                cmd = []
            j += 1
        if cmd:
            sys.exit(f"{path}:{start}: the block ends inside a command")
        i = j + 1
    return out


def main():
    outdir, files = sys.argv[1], sys.argv[2:]
    listing = open(os.path.join(outdir, "commands.txt"), "w")
    for n, path in enumerate(files):
        cmds = blocks(path)
        if not cmds:
            continue
        script = os.path.join(outdir, f"{n:02d}.sh")
        with open(script, "w") as f:
            f.write(PRELUDE)
            for line, text in cmds:
                where = f"{os.path.relpath(path)}:{line}"
                shown = " ".join(text.split())  # one line for TAP
                listing.write(shown + "\n")
                body = text.replace("/etc/turnpike/", "$TP_ETC/")
                f.write(f"{{\n{body}\n}} >\"$__out\" 2>&1 </dev/null\n")
                f.write(f"__report $? {shlex.quote(where)} {shlex.quote(shown)}\n")
            f.write('rm -f "$__out"\nexit $((__fails > 0))\n')
        print(script, len(cmds))


if __name__ == "__main__":
    main()
