#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`latentlab project --method tsne` beside scikit-learn's TSNE on the same codes, in one run.

Both embed the test split's codes of one model (by default the undercomplete preset trained
on the embedded digits, trained here when no model is given) with perplexity 30, 1000
iterations and a PCA start. For each side: wall and CPU seconds, trustworthiness (k = 5) and
5-NN accuracy in the plane, both measured by scikit-learn on the written planes, so the two
sides are scored by the same code. The machine is shared: rounds interleave the sides, and
the best time of each is kept.
Usage: [ROUNDS=2] tests/bench/bench-tsne.py [BUILD_DIR] [MODEL]
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.manifold import TSNE, trustworthiness
from sklearn.neighbors import NearestNeighbors

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build")
latentlab = os.path.join(build, "app", "latentlab")
rounds = int(os.environ.get("ROUNDS", "2"))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def knn5_accuracy(y, labels):
    """Leave-one-out 5-NN vote; a tie goes to the tied label with the nearest neighbour."""
    _, idx = NearestNeighbors(n_neighbors=6).fit(y).kneighbors(y)
    correct = 0
    for i, row in enumerate(idx):
        nbr = [j for j in row if j != i][:5]
        votes = [labels[j] for j in nbr]
        best = max(votes, key=lambda v: (votes.count(v), -votes.index(v)))
        correct += best == labels[i]
    return correct / len(labels)


def main():
    with tempfile.TemporaryDirectory(prefix="bench-tsne-") as tmp:
        model = sys.argv[2] if len(sys.argv) > 2 else os.path.join(tmp, "default.model")
        if len(sys.argv) <= 2:
            print("training the default model (undercomplete, digits)", file=sys.stderr)
            subprocess.run([latentlab, "train", "--preset", "undercomplete", "--data", "digits",
                            "--save", model], check=True, stdout=subprocess.DEVNULL)
        codes_dir = os.path.join(tmp, "codes")
        subprocess.run([latentlab, "export-latent", model, "--data", "digits", "--out", codes_dir],
                       check=True, stdout=subprocess.DEVNULL)
        codes = np.loadtxt(os.path.join(codes_dir, "vectors.tsv"), delimiter="\t", dtype=np.float32)
        labels = [int(r.split("\t")[1]) for r in
                  open(os.path.join(codes_dir, "metadata.tsv")).read().splitlines()[1:]]
        ours_tsv = os.path.join(tmp, "ours.tsv")
        best = {"ours": None, "sklearn": None}
        planes = {}
        for r in range(rounds):
            print(f"round {r + 1}/{rounds}: latentlab project --method tsne", file=sys.stderr)
            cpu0, t0 = children_cpu(), time.monotonic()
            subprocess.run([latentlab, "project", model, "--data", "digits", "--method", "tsne",
                            "--out", ours_tsv], check=True, stdout=subprocess.DEVNULL)
            wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
            if best["ours"] is None or wall < best["ours"][0]:
                best["ours"] = (wall, cpu)
            planes["ours"] = np.loadtxt(ours_tsv, delimiter="\t", skiprows=1, usecols=(0, 1))

            print(f"round {r + 1}/{rounds}: sklearn TSNE", file=sys.stderr)
            cpu0, t0 = time.process_time(), time.monotonic()
            planes["sklearn"] = TSNE(n_components=2, perplexity=30, n_iter=1000, init="pca",
                                     learning_rate="auto", random_state=r).fit_transform(codes)
            wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
            if best["sklearn"] is None or wall < best["sklearn"][0]:
                best["sklearn"] = (wall, cpu)

        print(f"{len(labels)} test codes of {codes.shape[1]} values; 5-NN accuracy in the code "
              f"{knn5_accuracy(codes, labels):.3f}")
        print(f"{'':10} {'wall s':>8} {'cpu s':>8} {'trust':>7} {'5-NN':>7}")
        for side in ("ours", "sklearn"):
            wall, cpu = best[side]
            trust = trustworthiness(codes, planes[side], n_neighbors=5)
            print(f"{side:10} {wall:8.2f} {cpu:8.2f} {trust:7.4f} {knn5_accuracy(planes[side], labels):7.4f}")
        print(f"time ratio ours / sklearn: wall {best['ours'][0] / best['sklearn'][0]:.2f}, "
              f"cpu {best['ours'][1] / best['sklearn'][1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
