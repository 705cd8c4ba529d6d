#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""For undercomplete, sparse, vae and conv models trained briefly on the embedded digits,
latentlab_torch.load of the exported file gives the codes `latentlab export-latent` writes
for the test split (the last 2,000 digits) within 1e-4, relative per sample. TAP output.
The sequence preset (1-D convolutions, and LSTM) likewise on sines.
Usage: test-torch-digits.py LATENTLAB HELPER (HELPER: torch-export-helper)"""
import gzip
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
try:
    import numpy as np
    import torch
except ImportError as error:
    print(f"1..0 # SKIP PyTorch and numpy are needed ({error}); Debian: apt-get install python3-torch")
    sys.exit(0)
import latentlab_torch  # noqa: E402

LATENTLAB = sys.argv[1]


def digits_test_split():
    with gzip.open(os.path.join(ROOT, "resources", "data", "images-idx3-ubyte.gz")) as f:
        blob = f.read()
    images = np.frombuffer(blob[16:], dtype=np.uint8).reshape(-1, 1, 28, 28)
    return torch.from_numpy(images[-2000:].astype(np.float32) / 255.0)


def main():
    x = digits_test_split()
    results = []
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.argv[2], "dataset", d, "sines", "1"], check=True)
        n, steps, features = map(int, open(os.path.join(d, "test-shape.txt")).read().split())
        sines = torch.from_numpy(np.fromfile(os.path.join(d, "test.f32"), dtype="<f4").reshape(n, steps, features))
    runs = [(p, "digits", x, []) for p in ("undercomplete", "sparse", "vae", "conv")]
    runs += [("sequence", "sines", sines, []), ("sequence", "sines", sines, ["--sequence-layer", "lstm"])]
    for preset, data, x, extra in runs:
        with tempfile.TemporaryDirectory() as d:
            model, st = os.path.join(d, "m.model"), os.path.join(d, "m.safetensors")
            for args in (["train", "--preset", preset, "--data", data, "--epochs", "1", "--save", model, *extra],
                         ["export", model, "--out", st],
                         ["export-latent", model, "--data", data, "--out", os.path.join(d, "latent")]):
                subprocess.run([LATENTLAB, *args], check=True, capture_output=True)
            want = np.loadtxt(os.path.join(d, "latent", "vectors.tsv"), ndmin=2)
            with torch.no_grad():
                got = latentlab_torch.load(st).encode(x).numpy().astype(np.float64)
            diff = np.max(np.linalg.norm(got - want, axis=1) / np.maximum(np.linalg.norm(want, axis=1), 1e-6))
            ok = got.shape == want.shape and diff <= 1e-4
            results.append(ok)
            print(f"{'ok' if ok else 'not ok'} {len(results)} - {preset} {' '.join(extra)} on {data}: codes of the test split "
                  f"match export-latent: relative difference {diff:.2e}")
            sys.stdout.flush()
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    torch.set_num_threads(1)
    sys.exit(main())
