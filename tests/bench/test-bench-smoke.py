#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Smoke test of `latentlab bench --quick --json` (TAP): it runs and prints the keys of
CLI.md, each model's figure the best of its slices. Not a timed test: the figures are only
checked to be numbers where present."""
import json
import subprocess
import sys

binary = sys.argv[1]
print("1..3")
run = subprocess.run([binary, "bench", "--quick", "--json"], capture_output=True, text=True,
                     timeout=300)
ok = run.returncode == 0
print(("ok" if ok else "not ok") + " 1 - bench exits 0" + ("" if ok else " # " + run.stderr.strip()))
try:
    result = json.loads(run.stdout.strip().splitlines()[-1])
except (ValueError, IndexError) as e:
    result = {}
    print("# not JSON: %s: %r" % (e, run.stdout))
keys = ["models", "sgemm_gflops", "decode_p99_ms", "peak_rss_mb"]
missing = [k for k in keys if k not in result]
print(("ok" if not missing else "not ok") + " 2 - top-level keys" +
      ("" if not missing else " # missing " + ", ".join(missing)))
models = result.get("models", [])
names = [m.get("name") for m in models]
bad = []
for m in models:
    for k in ("samples_per_s", "gemm_ceiling_samples_per_s"):
        if k not in m:
            bad.append("%s.%s missing" % (m.get("name"), k))
        elif m[k] is None and "unavailable" not in m:
            bad.append("%s.%s null without a reason" % (m.get("name"), k))
        elif m[k] is not None and not m[k] > 0:
            bad.append("%s.%s=%r" % (m.get("name"), k, m[k]))
    # samples_per_s is the best of the slices, each timed on its own
    slices = m.get("slice_samples_per_s")
    if not isinstance(slices, list) or len(slices) < 2:
        bad.append("%s.slice_samples_per_s=%r" % (m.get("name"), slices))
    elif m.get("samples_per_s") is not None and (
            not all(isinstance(v, (int, float)) and v > 0 for v in slices)
            or max(slices) != m["samples_per_s"]):
        bad.append("%s: samples_per_s %r is not the best of its slices %r"
                   % (m.get("name"), m.get("samples_per_s"), slices))
good = names == ["dense", "vae", "conv", "conv-rgb", "denoise", "sequence"] and not bad and result.get("sgemm_gflops", 0) > 0
print(("ok" if good else "not ok") + " 3 - models dense, vae, conv, conv-rgb, denoise, sequence with figures" +
      ("" if good else " # %r %s" % (names, "; ".join(bad))))
sys.exit(0)
