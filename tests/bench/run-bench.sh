#!/bin/sh
# Latent Lab against PyTorch in one go: `latentlab bench --json`, then the same models in
# PyTorch for torch threads {1,2} x OPENBLAS_NUM_THREADS {1,2}, each in its own process;
# PyTorch's best per model is kept. Prints the ratios (ours / best torch) and the fraction
# of the GEMM-only ceiling reached.
# Usage: tests/bench/run-bench.sh [BUILD_DIR] [extra latentlab bench options, e.g. --threads 2]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
[ $# -gt 0 ] && shift
python=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "latentlab bench --json $*" >&2
"$build/app/latentlab" bench --json "$@" > "$out/ours.json"
for t in 1 2; do
  for b in 1 2; do
    echo "torch_bench.py --threads $t with OPENBLAS_NUM_THREADS=$b" >&2
    OPENBLAS_NUM_THREADS=$b "$python" "$here/torch_bench.py" --threads "$t" > "$out/torch-$t-$b.json"
  done
done

"$python" - "$out" <<'PY'
import glob, json, sys
out = sys.argv[1]
ours = json.load(open(out + "/ours.json"))
best = {}
for path in sorted(glob.glob(out + "/torch-*.json")):
    run = json.load(open(path))
    for m in run["models"]:
        setting = "torch %s / openblas %s" % (run["torch_threads"], run["openblas_threads"])
        print("  torch %-5s %-26s %9.0f samples/s" % (m["name"], setting, m["samples_per_s"]))
        if m["samples_per_s"] > best.get(m["name"], (0, ""))[0]:
            best[m["name"]] = (m["samples_per_s"], setting)
print("sgemm on the models' shapes: %.1f GFLOP/s; decode p50 %.3f ms, p99 %.3f ms; peak RSS %.1f MB"
      % (ours["sgemm_gflops"], ours.get("decode_p50_ms") or float("nan"),
         ours["decode_p99_ms"] or float("nan"), ours["peak_rss_mb"]))
print("%-6s %11s %11s %-26s %7s %12s %9s" % ("model", "ours/s", "torch best", "(at)", "ratio",
                                            "ceiling/s", "fraction"))
for m in ours["models"]:
    name, sps, ceil = m["name"], m["samples_per_s"], m["gemm_ceiling_samples_per_s"]
    tb, at = best.get(name, (float("nan"), "-"))
    if sps is None:
        print("%-6s %11s %11.0f %-26s %7s %12.0f %9s  (%s)" % (name, "unavailable", tb, at, "-",
                                                          ceil, "-", m.get("unavailable", "")))
    else:
        print("%-6s %11.0f %11.0f %-26s %6.2fx %12.0f %8.0f%%" % (name, sps, tb, at, sps / tb,
                                                             ceil, 100 * sps / ceil))
PY
