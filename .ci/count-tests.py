#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts test results in meson's testlog.json files and prints "N passed, N failed".

A TAP test counts each of its "ok"/"not ok" lines; any other test counts as one. A test
that crashed or timed out counts as a failure even when its TAP lines said ok."""
import json
import re
import sys

passed = failed = skipped = 0
paths = sys.argv[1:]
if paths[:1] == ["--extra"]:  # results counted outside meson: --extra PASSED FAILED
    passed, failed = int(paths[1]), int(paths[2])
    paths = paths[3:]
for path in paths:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"{path}: {e}")
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        result = t.get("result", "")
        out = t.get("stdout") or ""
        oks = len(re.findall(r"^ok \d+", out, re.M))
        skips = len(re.findall(r"^ok \d+.*# ?SKIP", out, re.M | re.I))
        nots = len(re.findall(r"^not ok \d+", out, re.M))
        if oks + nots > 0:
            passed += oks - skips
            skipped += skips
            failed += nots
            if result not in ("OK", "EXPECTEDFAIL", "SKIP") and nots == 0:
                failed += 1  # crashed or timed out after its last TAP line
        elif result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
