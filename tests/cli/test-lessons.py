#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`latentlab lesson`: the list of bundled lessons, every bundled lesson's checks holding on
this machine (one JSON object per check), a false claim failing, and bad lesson files refused
with the file, the line and the problem named. Prints TAP. Usage: test-lessons.py PATH/TO/latentlab"""

import json
import os
import subprocess
import sys
import tempfile
import time

LATENTLAB = sys.argv[1] if len(sys.argv) > 1 else "latentlab"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
    if not ok and detail:
        for d in str(detail).splitlines()[:20]:
            print(f"# {d}")
    sys.stdout.flush()


def run(*args):
    return subprocess.run([LATENTLAB, *args], capture_output=True, text=True, timeout=600)


EXPECTED = ["pca", "sparse", "contractive", "denoising", "variational", "anomaly"]

r = run("lesson", "--list")
lines = r.stdout.splitlines()
names = [line.split("\t")[0] for line in lines]
check("lesson --list exits 0", r.returncode == 0, r.stderr)
check("lesson --list names the six bundled lessons in order", names == EXPECTED, r.stdout)
check("lesson --list gives each a title after a tab",
      all(len(line.split("\t")) == 2 and line.split("\t")[1].strip() for line in lines), r.stdout)

total_seconds = 0.0
for name in EXPECTED:
    t0 = time.monotonic()
    r = run("lesson", name, "--check", "--json")
    seconds = time.monotonic() - t0
    total_seconds += seconds
    objects = []
    try:
        objects = [json.loads(line) for line in r.stdout.splitlines()]
    except ValueError as e:
        check(f"{name}: every line is JSON", False, f"{e}\n{r.stdout}")
    failed = [o for o in objects if not o.get("passed")]
    check(f"{name}: every check holds, exit 0 ({seconds:.1f} s)", r.returncode == 0 and objects and not failed,
          r.stderr + "\n" + "\n".join(json.dumps(o) for o in failed))
    check(f"{name}: each object has lesson, step, check, value, passed",
          objects and all({"lesson", "step", "check", "value", "passed"} <= o.keys() and o["lesson"] == name
                          and isinstance(o["step"], int) and isinstance(o["passed"], bool) for o in objects),
          r.stdout)
print(f"# all six lessons checked in {total_seconds:.1f} s")

HEADER = "[lesson]\ntitle = A test\n"
STEP = "[step 1]\ntitle = One\ntext = Some text.\npreset = linear\noptions = latent=2 epochs=1\naction = run-epochs=1\n"


def lesson_file(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".lesson", delete=False)
    f.write(text)
    f.close()
    return f.name


# A claim that cannot hold: the exit status is 1 and the check is reported as failing.
path = lesson_file(HEADER + STEP + "checks = test_error < 0.001;test_error > 0\n")
r = run("lesson", path, "--check", "--json")
objects = [json.loads(line) for line in r.stdout.splitlines()] if r.returncode in (0, 1) else []
check("a false claim: exit 1", r.returncode == 1, r.stdout + r.stderr)
check("a false claim: that check fails, the true one holds",
      [o["passed"] for o in objects] == [False, True] and objects[0]["step"] == 1, r.stdout)
os.unlink(path)

# Bad files: refused before any training, with FILE:LINE: and the problem.
BAD = [
    ("an unknown preset", HEADER + STEP.replace("preset = linear", "preset = linaer"), 6, "unknown preset 'linaer'"),
    ("an unknown option", HEADER + STEP.replace("latent=2", "latnet=2"), 7, "latnet"),
    ("a bad option value", HEADER + STEP.replace("latent=2", "latent=many"), 7, "latent"),
    ("an unknown metric", HEADER + STEP + "checks = test_eror < 1\n", 9, "unknown metric 'test_eror'"),
    ("a check without spaces", HEADER + STEP + "checks = test_error<1\n", 9, "metric op value"),
    ("a later step referred to", HEADER + STEP + "checks = test_error < step2.test_error\n", 9,
     "not an earlier step"),
    ("an unknown view", HEADER + STEP + "views = training;lattent\n", 9, "unknown name 'lattent'"),
    ("an unknown key", HEADER + STEP + "colour = blue\n", 9, "unknown key 'colour'"),
    ("a step out of order", HEADER + STEP.replace("[step 1]", "[step 2]"), 3, "expected [step 1]"),
    ("an answer beyond the choices", HEADER + STEP + "predict = Which?\nchoices = A;B\nanswer = 3\n", 3,
     "only 2 choices"),
    ("a line that is not key = value", HEADER + STEP + "just words\n", 9, "expected key = value"),
]
for what, text, line, message in BAD:
    path = lesson_file(text)
    t0 = time.monotonic()
    r = run("lesson", path, "--check")
    seconds = time.monotonic() - t0
    check(f"{what}: exit 1 with {os.path.basename(path)}:{line}: and the problem",
          r.returncode == 1 and f"{path}:{line}:" in r.stderr and message in r.stderr and seconds < 5,
          f"exit {r.returncode}, {seconds:.1f} s: {r.stderr}")
    os.unlink(path)

r = run("lesson", "no-such-lesson", "--check")
check("an unknown lesson name: exit 2, names it", r.returncode == 2 and "no-such-lesson" in r.stderr, r.stderr)
r = run("lesson", "/nonexistent/x.lesson", "--check")
check("a missing file: exit 1, names it", r.returncode == 1 and "/nonexistent/x.lesson" in r.stderr, r.stderr)
r = run("lesson", "pca")
check("a lesson without --check: usage error", r.returncode == 2, r.stderr)

print(f"1..{len(results)}")
sys.exit(0 if all(results) else 1)
