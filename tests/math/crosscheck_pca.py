#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-checks the engine's PCA and metrics against scikit-learn, scipy and numpy.

The C tests check hand-worked cases; this checks the same code on real data (the embedded
digits) and on random cases with many ties, against independent implementations.

    /usr/bin/python3 crosscheck_pca.py BUILD/tests/math/math-crosscheck-tool [SOURCE_ROOT]

Prints TAP. Deterministic: fixed seeds, fixed data.
"""
import gzip
import os
import subprocess
import sys
import tempfile
import time

# One BLAS thread each: the test suite already runs tests side by side, and waiting threads
# on a busy machine cost more than they gain on these sizes. Set before numpy loads OpenBLAS.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

TOOL = sys.argv[1]
ROOT = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
    "LATENTLAB_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
results = []


def check(name, ok, detail):
    results.append((name, bool(ok), detail))


def run(*args):
    out = subprocess.run([TOOL, *map(str, args)], check=True, capture_output=True, text=True)
    words = out.stdout.split()
    return [float(w) for w in words[1:]]


def load_digits():
    path = os.path.join(ROOT, "resources", "data", "images-idx3-ubyte.gz")
    raw = gzip.open(path).read()
    return (np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784) / np.float32(255)).astype(
        np.float32)


def crosscheck_pca(tmp):
    # As the app does: fit on the first 7,200 digits (training without validation), measure
    # on the last 2,000 (the test split).
    x = load_digits()
    train, test, k = x[:7200], x[8000:], 32
    train.tofile(os.path.join(tmp, "train.f32"))
    test.tofile(os.path.join(tmp, "test.f32"))
    prefix = os.path.join(tmp, "pca")
    (sse,) = run("pca", os.path.join(tmp, "train.f32"), os.path.join(tmp, "test.f32"),
                 len(train), len(test), 784, k, prefix)
    comps = np.fromfile(prefix + ".components", np.float32).reshape(k, 784).astype(np.float64)
    var = np.fromfile(prefix + ".variance", np.float32).astype(np.float64)
    mean = np.fromfile(prefix + ".mean", np.float32).astype(np.float64)

    ref = PCA(k, svd_solver="full").fit(train.astype(np.float64))
    t64 = test.astype(np.float64)
    ref_sse = ((ref.inverse_transform(ref.transform(t64)) - t64) ** 2).sum(1).mean()
    check("pca/digits-test-sse", abs(sse - ref_sse) < 1e-4 * ref_sse,
          f"engine {sse:.6f}, sklearn {ref_sse:.6f} per image")
    check("pca/digits-variances", np.allclose(var, ref.explained_variance_, rtol=1e-4),
          f"largest relative difference "
          f"{np.max(np.abs(var / ref.explained_variance_ - 1)):.2e}")
    check("pca/digits-mean", np.allclose(mean, ref.mean_, atol=1e-6),
          f"largest difference {np.max(np.abs(mean - ref.mean_)):.2e}")
    # Each component up to sign, where its eigenvalue is apart from its neighbours (a near
    # double eigenvalue lets the pair rotate freely within their plane).
    gaps = np.abs(np.diff(ref.explained_variance_))
    separated = [i for i in range(k) if min(gaps[i - 1] if i > 0 else np.inf,
                                            gaps[i] if i < k - 1 else np.inf)
                 > 1e-2 * ref.explained_variance_[i]]
    cosines = np.abs(np.sum(comps * ref.components_, axis=1))
    check("pca/digits-components", len(separated) > k // 2 and np.all(cosines[separated] > 0.9999),
          f"{len(separated)} separated, smallest |cos| {cosines[separated].min():.6f}")
    largest = comps[np.arange(k), np.argmax(np.abs(comps), axis=1)]
    check("pca/digits-sign", np.all(largest > 0),
          f"{np.sum(largest > 0)} of {k} components have their largest entry positive")
    # The 32-dimensional subspaces agree as a whole, even where single components rotate.
    angle = np.degrees(scipy.linalg.subspace_angles(comps.T, ref.components_.T).max())
    check("pca/digits-subspace", angle < 0.5, f"largest principal angle {angle:.4f} degrees")


def crosscheck_auroc(tmp):
    rng = np.random.default_rng(1)
    for trial in range(5):
        n = int(rng.integers(10, 3000))
        labels = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(np.uint8)
        labels[:2] = [0, 1]
        # Coarse scores give many ties, the case sorting-based AUROC gets wrong most easily.
        scores = (rng.integers(0, int(rng.integers(2, 50)), n) + labels * rng.uniform(0, 5)).astype(
            np.float32)
        scores.tofile(os.path.join(tmp, "s.f32"))
        labels.tofile(os.path.join(tmp, "l.u8"))
        (auc,) = run("auroc", os.path.join(tmp, "s.f32"), os.path.join(tmp, "l.u8"), n)
        ref = roc_auc_score(labels, scores)
        check(f"auroc/random-ties-{trial}", abs(auc - ref) < 1e-9, f"engine {auc}, sklearn {ref}")


def crosscheck_angles(tmp):
    rng = np.random.default_rng(2)
    for trial, (dim, ka, kb) in enumerate([(10, 3, 3), (50, 4, 7), (784, 16, 16)]):
        a = rng.standard_normal((dim, ka)).astype(np.float32)
        # Part of b shares a's space, so the angles spread from small to large.
        b = (a[:, :1] @ rng.standard_normal((1, kb))
             + 0.5 * rng.standard_normal((dim, kb))).astype(np.float32)
        a.tofile(os.path.join(tmp, "a.f32"))
        b.tofile(os.path.join(tmp, "b.f32"))
        angles = run("angles", os.path.join(tmp, "a.f32"), os.path.join(tmp, "b.f32"), dim, ka, kb)
        ref = np.sort(np.degrees(scipy.linalg.subspace_angles(a.astype(np.float64),
                                                              b.astype(np.float64))))
        check(f"angles/random-{dim}-{ka}-{kb}", np.allclose(angles, ref, atol=1e-4),
              f"largest difference {np.max(np.abs(np.array(angles) - ref)):.2e} degrees, "
              f"angles {ref[0]:.3f} to {ref[-1]:.3f}")


def crosscheck_knn(tmp):
    rng = np.random.default_rng(3)
    n, dim, k = 600, 6, 5
    labels = rng.integers(0, 2, n).astype(np.int32)
    x = (rng.standard_normal((n, dim)) + labels[:, None] * 1.2).astype(np.float32)
    x.tofile(os.path.join(tmp, "x.f32"))
    labels.tofile(os.path.join(tmp, "y.i32"))
    (acc,) = run("knn", os.path.join(tmp, "x.f32"), os.path.join(tmp, "y.i32"), n, dim, k)
    # Leave-one-out, brute force in double; k odd with two classes, so no vote is tied.
    x64 = x.astype(np.float64)
    d = ((x64[:, None, :] - x64[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
    predicted = (labels[nearest].sum(1) * 2 > k).astype(np.int32)
    ref = float(np.mean(predicted == labels))
    check("knn/leave-one-out", abs(acc - ref) < 1e-12 and 0.6 < ref < 0.95,
          f"engine {acc}, numpy {ref}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for part in (crosscheck_pca, crosscheck_auroc, crosscheck_angles, crosscheck_knn):
            start = time.perf_counter()
            part(tmp)
            print(f"# {part.__name__}: {time.perf_counter() - start:.2f} s")
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"# {name}: {detail}")
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
