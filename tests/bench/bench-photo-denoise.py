#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The photo-denoiser preset beside classical denoisers, on a colour photo it never saw.

`latentlab train --preset photo-denoiser` learns for SECONDS (default 120) of wall time from
random patches of a few colour photos (scikit-image's coffee, chelsea and rocket, written
as PNG into a temporary folder; python3-skimage); `latentlab denoise` then cleans another
photo (astronaut, 512 x 512) corrupted with Gaussian noise of sigma 0.1 (seeded, clipped to
[0, 1] and written as an 8-bit PNG, as a camera would), whole, into an RGB PNG. Beside it,
on the same noisy PNG: a per-channel 3x3 median, scikit-image's non-local means (sigma
known, h = 0.8 sigma, fast mode) and total variation (Chambolle, the best of three
weights). Prints PSNR and SSIM against the clean photo (the model's also with `denoise
--ensemble`, the mean over the photo's eight flips and quarter turns), the load of the
machine, and whether the model, in one pass, is 2 dB above the median and at least as good
as non-local means.
Usage: [SECONDS=120] [HIDDEN=16,16,16,16] tests/bench/bench-photo-denoise.py [BUILD_DIR]
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import skimage.data
import skimage.io
from scipy.ndimage import median_filter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.restoration import denoise_nl_means, denoise_tv_chambolle

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build")
latentlab = os.path.join(build, "app", "latentlab")
seconds = float(os.environ.get("SECONDS_BUDGET", os.environ.get("SECONDS", "120")))
hidden = os.environ.get("HIDDEN")
SIGMA = 0.1
TRAIN = ["coffee", "chelsea", "rocket"]
TEST = "astronaut"


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def scores(clean, image):
    return (peak_signal_noise_ratio(clean, image, data_range=1.0),
            structural_similarity(clean, image, channel_axis=-1, data_range=1.0))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "photos")
        os.mkdir(folder)
        for name in TRAIN:
            skimage.io.imsave(os.path.join(folder, name + ".png"), getattr(skimage.data, name)())
        clean8 = getattr(skimage.data, TEST)()
        clean = clean8.astype(np.float64) / 255
        rng = np.random.default_rng(1)
        noisy8 = np.round(np.clip(clean + rng.normal(0, SIGMA, clean.shape), 0, 1) * 255).astype(np.uint8)
        noisy_path, out_path = os.path.join(tmp, "noisy.png"), os.path.join(tmp, "denoised.png")
        skimage.io.imsave(noisy_path, noisy8)
        noisy = noisy8.astype(np.float64) / 255
        model = os.path.join(tmp, "photo.lab")

        load = os.getloadavg()[0]
        train = [latentlab, "train", "--preset", "photo-denoiser", "--data", folder,
                 "--seconds", str(seconds), "--save", model, "--json"]
        if hidden:
            train += ["--hidden", hidden]
        start, cpu = time.monotonic(), children_cpu()
        lines = subprocess.run(train, check=True, capture_output=True, text=True).stdout.splitlines()
        train_wall, train_cpu = time.monotonic() - start, children_cpu() - cpu
        done = json.loads(lines[-1])
        start = time.monotonic()
        subprocess.run([latentlab, "denoise", model, "--in", noisy_path, "--out", out_path],
                       check=True, capture_output=True)
        denoise_wall = time.monotonic() - start
        denoised8 = skimage.io.imread(out_path)
        assert denoised8.shape == clean8.shape, f"{denoised8.shape} out for {clean8.shape} in"
        results = {"noisy": scores(clean, noisy), "model": scores(clean, denoised8 / 255.0)}
        start = time.monotonic()
        subprocess.run([latentlab, "denoise", model, "--in", noisy_path, "--out", out_path, "--ensemble"],
                       check=True, capture_output=True)
        ensemble_wall = time.monotonic() - start
        results["model, 8 views"] = scores(clean, skimage.io.imread(out_path) / 255.0)

        median = np.stack([median_filter(noisy[..., c], size=3, mode="nearest") for c in range(3)], -1)
        results["median 3x3"] = scores(clean, median)
        start = time.monotonic()
        nlm = denoise_nl_means(noisy, h=0.8 * SIGMA, sigma=SIGMA, patch_size=5, patch_distance=6,
                               channel_axis=-1, fast_mode=True)
        nlm_wall = time.monotonic() - start
        results["non-local means"] = scores(clean, nlm)
        results["total variation"] = max(
            (scores(clean, denoise_tv_chambolle(noisy, weight=w, channel_axis=-1)) for w in (0.05, 0.08, 0.1)),
            key=lambda s: s[0])

    print(f"load average {load:.1f} on {os.cpu_count()} cores at the start")
    print(f"trained {done['seconds']:.1f} s ({train_wall:.1f} s with loading, {train_cpu:.1f} s of CPU), "
          f"{done['parameters']} parameters; denoised {clean8.shape[1]} x {clean8.shape[0]} "
          f"in {denoise_wall:.2f} s, {ensemble_wall:.2f} s with --ensemble (non-local means {nlm_wall:.2f} s)")
    print(f"{TEST}, Gaussian sigma {SIGMA}:")
    for name, (psnr, ssim) in results.items():
        print(f"  {name:16s} PSNR {psnr:6.2f} dB  SSIM {ssim:.3f}")
    gain = results["model"][0] - results["median 3x3"][0]
    versus_nlm = results["model"][0] - results["non-local means"][0]
    met = gain >= 2.0 and versus_nlm >= 0.0
    print(f"model - median {gain:+.2f} dB (target +2), model - non-local means {versus_nlm:+.2f} dB "
          f"(target >= 0): {'met' if met else 'not met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
