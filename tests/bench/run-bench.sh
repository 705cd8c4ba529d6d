#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Latent Lab against PyTorch in one go. Each round runs `latentlab bench --json`, then the
# same models in PyTorch for torch threads {1,2} x OPENBLAS_NUM_THREADS {1,2}, each in its
# own process. The machine is shared, so its load drifts within minutes: rounds interleave
# the two sides, each side keeps its best per model over all rounds, and each round's own
# ratio (ours / PyTorch's best in that round) is printed too, to show the spread. Within a
# run, both sides time each model in three slices and keep the best slice.
# Prints the ratios and the fraction reached of the GEMM-only ceiling (the fastest any round found).
# Usage: [ROUNDS=3] tests/bench/run-bench.sh [BUILD_DIR] [extra latentlab bench options]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
[ $# -gt 0 ] && shift
rounds=${ROUNDS:-3}
python=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

r=1
while [ "$r" -le "$rounds" ]; do
  echo "round $r/$rounds: latentlab bench --json $*" >&2
  "$build/app/latentlab" bench --json "$@" > "$out/ours-$r.json"
  for t in 1 2; do
    for b in 1 2; do
      echo "round $r/$rounds: torch_bench.py --threads $t with OPENBLAS_NUM_THREADS=$b" >&2
      OPENBLAS_NUM_THREADS=$b "$python" "$here/torch_bench.py" --threads "$t" > "$out/torch-$r-$t-$b.json"
    done
  done
  r=$((r + 1))
done

"$python" - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
ours_best, torch_best, per_round, ceiling_best = {}, {}, {}, {}
decode = []
for r in range(1, rounds + 1):
    ours = json.load(open("%s/ours-%d.json" % (out, r)))
    decode.append((ours.get("decode_p50_ms"), ours.get("decode_p99_ms"), ours["peak_rss_mb"],
                   ours["sgemm_gflops"]))
    round_torch = {}
    for t in (1, 2):
        for b in (1, 2):
            run = json.load(open("%s/torch-%d-%d-%d.json" % (out, r, t, b)))
            for m in run["models"]:
                setting = "torch %s / openblas %s" % (run["torch_threads"], run["openblas_threads"])
                sps = m["samples_per_s"]
                if sps > round_torch.get(m["name"], 0):
                    round_torch[m["name"]] = sps
                if sps > torch_best.get(m["name"], (0, ""))[0]:
                    torch_best[m["name"]] = (sps, setting)
    for m in ours["models"]:
        name = m["name"]
        # the machine's limit is the fastest ceiling any round found
        ceiling = m.get("gemm_ceiling_samples_per_s")
        if ceiling is not None and ceiling > ceiling_best.get(name, 0):
            ceiling_best[name] = ceiling
        if m["samples_per_s"] is None:
            ours_best.setdefault(name, (None, m))
            continue
        if ours_best.get(name, (None,))[0] is None or m["samples_per_s"] > ours_best[name][0]:
            ours_best[name] = (m["samples_per_s"], m)
        if name in round_torch:
            per_round.setdefault(name, []).append(m["samples_per_s"] / round_torch[name])
    print("round %d: sgemm %.1f GFLOP/s; %s" % (r, ours["sgemm_gflops"], "  ".join(
        "%s %.0f/s vs torch %.0f/s" % (m["name"], m["samples_per_s"] or float("nan"),
                                       round_torch.get(m["name"], float("nan")))
        for m in ours["models"])))
for i, (p50, p99, rss, gflops) in enumerate(decode, 1):
    print("round %d: decode p50 %.3f ms, p99 %.3f ms; peak RSS %.1f MB"
          % (i, p50 if p50 is not None else float("nan"), p99 if p99 is not None else float("nan"), rss))
print("%-8s %11s %11s %-26s %7s %-17s %12s %9s" % ("model", "ours best/s", "torch best", "(at)",
                                                  "ratio", "per round", "ceiling/s", "fraction"))
for name, (sps, m) in ours_best.items():
    tb, at = torch_best.get(name, (float("nan"), "-"))
    ceil = ceiling_best.get(name, float("nan"))
    if sps is None:
        print("%-8s %11s %11.0f %-26s %7s %-17s %12.0f %9s  (%s)" % (name, "unavailable", tb, at, "-", "-",
                                                               ceil, "-", m.get("unavailable", "")))
    else:
        spread = per_round.get(name, [])
        spread_text = "%.2f-%.2fx" % (min(spread), max(spread)) if spread else "-"
        print("%-8s %11.0f %11.0f %-26s %6.2fx %-17s %12.0f %8.0f%%" % (name, sps, tb, at, sps / tb,
                                                                   spread_text, ceil, 100 * sps / ceil))
PY
