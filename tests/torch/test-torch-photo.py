#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""python/latentlab_torch.py on the photo denoiser: a photo-denoiser model trained briefly on
patches of generated colour pictures, exported as safetensors, loads with its residual flag
and denoises a picture of another size than its patches to what `latentlab denoise` writes
(to the 8-bit PNG's rounding). TAP output. Usage: test-torch-photo.py LATENTLAB"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError as error:
    print(f"1..0 # SKIP PyTorch, numpy and PIL are needed ({error}); Debian: apt-get install "
          "python3-torch python3-pil")
    sys.exit(0)

import latentlab_torch  # noqa: E402

LATENTLAB = sys.argv[1]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}" + (f": {detail}" if detail else ""))
    sys.stdout.flush()


def main():
    rng = np.random.default_rng(5)
    with tempfile.TemporaryDirectory() as tmp:
        photos = os.path.join(tmp, "photos")
        os.mkdir(photos)
        ys, xs = np.mgrid[0:64, 0:80]
        for i in range(3):
            # Smooth colour gradients with a few edges: something a denoiser can learn.
            picture = np.stack([(xs * (i + 1) * 3 + ys * 2) % 256, (ys * 4 + 60 * i) % 256,
                                np.where((xs // 16 + ys // 16) % 2 == 0, 200, 40)], -1).astype(np.uint8)
            Image.fromarray(picture).save(os.path.join(photos, f"{i}.png"))
        model = os.path.join(tmp, "photo.model")
        run = subprocess.run([LATENTLAB, "train", "--preset", "photo-denoiser", "--data", photos, "--patches", "300",
                              "--epochs", "2", "--save", model], capture_output=True, text=True)
        check("photo-denoiser trains on patches of colour pictures", run.returncode == 0, run.stderr.strip())
        if run.returncode != 0:
            return
        tensors = os.path.join(tmp, "photo.safetensors")
        run = subprocess.run([LATENTLAB, "export", model, "--format", "safetensors", "--out", tensors],
                             capture_output=True, text=True)
        check("export writes its safetensors", run.returncode == 0, run.stderr.strip())
        torch_model = latentlab_torch.load(tensors)
        check("the loaded module is residual", torch_model.residual)
        # Another size than the 40 x 40 patches, odd on both sides.
        clean = np.stack([(xs[:37, :53] * 5) % 256, (ys[:37, :53] * 6) % 256,
                          np.full((37, 53), 128)], -1).astype(np.float64)
        noisy = np.clip(clean + rng.normal(0, 25, clean.shape), 0, 255).round().astype(np.uint8)
        noisy_path, out_path = os.path.join(tmp, "noisy.png"), os.path.join(tmp, "out.png")
        Image.fromarray(noisy).save(noisy_path)
        run = subprocess.run([LATENTLAB, "denoise", model, "--in", noisy_path, "--out", out_path],
                             capture_output=True, text=True)
        check("latentlab denoise writes the picture", run.returncode == 0, run.stderr.strip())
        if run.returncode != 0:
            return
        ours = np.asarray(Image.open(out_path).convert("RGB")).astype(np.int32)
        with torch.no_grad():
            x = torch.from_numpy(noisy.transpose(2, 0, 1)[None].astype(np.float32) / 255)
            theirs = torch_model(x)[0].numpy().transpose(1, 2, 0)
        theirs = np.round(np.clip(theirs, 0, 1) * 255).astype(np.int32)
        moved = np.mean(ours != noisy)
        diff = np.abs(ours - theirs)
        check(f"PyTorch denoises the {noisy.shape[1]} x {noisy.shape[0]} picture as latentlab does",
              theirs.shape == ours.shape and diff.max() <= 1 and diff.mean() < 0.01 and moved > 0.5,
              f"largest difference {diff.max()} of 255, mean {diff.mean():.4f}; the model changed "
              f"{100 * moved:.0f} % of the values")


if __name__ == "__main__":
    main()
    print(f"1..{len(results)}")
    sys.exit(0 if all(results) else 1)
