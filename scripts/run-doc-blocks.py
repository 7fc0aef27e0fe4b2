#!/usr/bin/env python3
"""Runs the command blocks of a Markdown file that are marked runnable, so the docs cannot rot.

A block is runnable when the line before its opening fence is `<!-- runnable -->`. Each block runs
with `bash -euo pipefail` from the repository root, in order, with the tools directory on PATH. A
block may say what its output must contain with `<!-- expect: text -->` on the line after the
marker. The first failing block fails the run (exit 1) and its output is printed.

Usage: scripts/run-doc-blocks.py README.md [docs/other.md ...]
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blocks(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "<!-- runnable -->":
            expects = []
            j = i + 1
            while j < len(lines) and lines[j].strip().startswith("<!-- expect:"):
                expects.append(re.sub(r"^<!-- expect:\s*(.*?)\s*-->$", r"\1", lines[j].strip()))
                j += 1
            if j >= len(lines) or not lines[j].startswith("```"):
                raise SystemExit(f"{path}:{i + 1}: runnable marker not followed by a code fence")
            body = []
            k = j + 1
            while k < len(lines) and not lines[k].startswith("```"):
                body.append(lines[k])
                k += 1
            yield j + 1, "\n".join(body), expects
            i = k
        i += 1


def main(paths):
    env = dict(os.environ)
    tools = env.get("MESHWORK_TOOLS", os.path.expanduser("~/.cache/meshwork/bin"))
    env["PATH"] = tools + os.pathsep + env.get("PATH", "")
    count = 0
    for path in paths:
        for line, script, expects in blocks(path):
            count += 1
            started = time.monotonic()
            proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
            took = time.monotonic() - started
            output = proc.stdout + proc.stderr
            missing = [e for e in expects if e not in output]
            ok = proc.returncode == 0 and not missing
            print(f"{'ok  ' if ok else 'FAIL'} {path}:{line} ({took:.1f}s) {script.splitlines()[0][:80]}")
            if not ok:
                print(output)
                if missing:
                    print(f"expected output to contain: {missing}")
                print(f"0 passed, 1 failed")
                return 1
    print(f"doc-blocks: {count} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["README.md"]))
