#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reference models of `latentlab bench` in PyTorch, for a side-by-side ratio.

Same layer sizes, activations (ReLU hidden, sigmoid output through BCE-with-logits), Adam,
batch 128, on the embedded digits (resources/data, read with gzip + numpy; conv-rgb: the conv
preset on 32x32 RGB images; sequence: the sequence preset on windows of sines). Prints one JSON
line: {"torch_threads":T, "openblas_threads":..., "models":[{"name":..,"samples_per_s":..}]}.
Usage: torch_bench.py [--threads T] [--seconds S]"""
import argparse
import gzip
import json
import os
import pathlib
import time

import numpy as np
import torch
from torch import nn

BATCH = 128
SLICES = 3  # each model's figure is its best slice of --seconds / SLICES
ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_digits():
    files = sorted((ROOT / "resources" / "data").glob("*images*.gz"))
    if files:
        raw = gzip.open(files[0]).read()
        n, h, w = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
        x = np.frombuffer(raw, np.uint8, n * h * w, 16).reshape(n, h * w) / 255.0
        return torch.tensor(x[:8000], dtype=torch.float32)
    return torch.rand(8000, 784)  # same shape when the data is not there


def mlp(sizes, last_plain=True):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes) or not last_plain:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Dense(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = mlp([784, 512, 128, 32])
        self.dec = mlp([32, 128, 512, 784])

    def loss(self, x):
        return nn.functional.binary_cross_entropy_with_logits(
            self.dec(self.enc(x)), x, reduction="sum") / x.shape[0]


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 400), nn.ReLU())
        self.head = nn.Linear(400, 40)  # mu | logvar
        self.dec = mlp([20, 400, 784])

    def loss(self, x):
        mu, logvar = self.head(self.enc(x)).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        rec = nn.functional.binary_cross_entropy_with_logits(self.dec(z), x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp())
        return (rec + kl) / x.shape[0]


class Conv(nn.Module):
    """The conv preset: 3x3 stride-2 convolutions C-16-32, code 32, mirrored (C x side x side
    images: 1 x 28 x 28 digits, or 3 x 32 x 32 colour for conv-rgb)."""

    def __init__(self, channels=1, side=28):
        super().__init__()
        q = side // 4
        self.shape = (channels, side, side)
        self.enc = nn.Sequential(
            nn.Conv2d(channels, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * q * q, 32))
        self.dec = nn.Sequential(
            nn.Linear(32, 32 * q * q), nn.ReLU(), nn.Unflatten(1, (32, q, q)),
            nn.ConvTranspose2d(32, 16, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, channels, 3, 2, 1, output_padding=1))

    def loss(self, x):
        img = x.view(-1, *self.shape)
        return nn.functional.binary_cross_entropy_with_logits(
            self.dec(self.enc(img)), img, reduction="sum") / x.shape[0]


class Denoise(nn.Module):
    """The denoising preset, fully convolutional: 3x3 convolutions 1-8 (stride 1), 8-16 and
    16-32 (stride 2), mirrored by transposed ones; trained on noisy copies of the digits."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, 1, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 8, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 3, 1, 1))

    def loss(self, x):
        img = x.view(-1, 1, 28, 28)
        noisy = (img + 0.5 * torch.randn_like(img)).clamp(0, 1)
        return nn.functional.binary_cross_entropy_with_logits(
            self.net(noisy), img, reduction="sum") / x.shape[0]


class Sequence(nn.Module):
    """The sequence preset: 1-D convolutions of 5 taps, stride 2, 1-16-32-32 channels along
    64 steps, a code of 16, mirrored; squared error."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv1d(1, 16, 5, 2, 2), nn.ReLU(), nn.Conv1d(16, 32, 5, 2, 2), nn.ReLU(),
            nn.Conv1d(32, 32, 5, 2, 2), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 8, 16))
        self.dec = nn.Sequential(
            nn.Linear(16, 32 * 8), nn.ReLU(), nn.Unflatten(1, (32, 8)),
            nn.ConvTranspose1d(32, 32, 5, 2, 2, output_padding=1), nn.ReLU(),
            nn.ConvTranspose1d(32, 16, 5, 2, 2, output_padding=1), nn.ReLU(),
            nn.ConvTranspose1d(16, 1, 5, 2, 2, output_padding=1))

    def loss(self, x):
        seq = x.view(-1, 1, 64)
        return nn.functional.mse_loss(self.dec(self.enc(seq)), seq, reduction="sum") / x.shape[0]


def sines(n=8192, steps=64):
    """Windows of one to three sines of random frequency and phase, scaled to [0, 1]."""
    g = torch.Generator().manual_seed(1)
    t = torch.arange(steps, dtype=torch.float32) / steps
    freq = 1 + 5 * torch.rand(n, 3, 1, generator=g)
    phase = 6.2832 * torch.rand(n, 3, 1, generator=g)
    s = torch.sin(6.2832 * freq * t + phase).sum(1) / 3
    return 0.5 + 0.5 * s


def samples_per_s(model, data, seconds):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n_batches = data.shape[0] // BATCH
    step = 0

    def train_step():
        nonlocal step
        x = data[(step % n_batches) * BATCH:(step % n_batches + 1) * BATCH]
        opt.zero_grad(set_to_none=True)
        model.loss(x).backward()
        opt.step()
        step += 1

    for _ in range(5):
        train_step()
    # The best of SLICES slices, as `latentlab bench` keeps: the machine's load changes
    # within seconds.
    best = 0.0
    for _ in range(SLICES):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / SLICES:
            train_step()
            done += 1
        best = max(best, done * BATCH / (time.perf_counter() - start))
    return best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    data = load_digits()
    models = [{"name": name, "samples_per_s": samples_per_s(cls(), data, a.seconds)}
              for name, cls in (("dense", Dense), ("vae", Vae), ("conv", Conv))]
    # speed does not depend on the pixels: uniform noise of the colour images' shape
    models.append({"name": "conv-rgb",
                   "samples_per_s": samples_per_s(Conv(3, 32), torch.rand(2048, 3, 32, 32), a.seconds)})
    models.append({"name": "denoise", "samples_per_s": samples_per_s(Denoise(), data, a.seconds)})
    models.append({"name": "sequence", "samples_per_s": samples_per_s(Sequence(), sines(), a.seconds)})
    print(json.dumps({"torch_threads": a.threads,
                      "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "models": models}))


if __name__ == "__main__":
    main()
