#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Replays an exported dense model in PyTorch and compares its reconstructions with the
engine's. Usage: test-safetensors-torch.py HELPER (the safetensors-torch-helper program).
Reads the safetensors file by hand (8-byte header length, JSON, little-endian F32) so that
the layout itself is under test. TAP output."""
import json
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_len])
    data = blob[8 + header_len:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


ACTIVATIONS = {
    "identity": lambda x: x,
    "relu": F.relu,
    "leaky-relu": lambda x: F.leaky_relu(x, 0.01),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


def main():
    helper = sys.argv[1]
    cases = ["undercomplete", "vae", "sparse"]
    print(f"1..{len(cases)}")
    failed = 0
    for number, preset in enumerate(cases, 1):
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([helper, d, preset], check=True)
            tensors, meta = read_safetensors(f"{d}/model.safetensors")
            config = {}
            for line in meta["config"].splitlines():
                if "=" in line:
                    key, value = line.split("=", 1)
                    config[key.strip()] = value.strip()
            B, dim = map(int, open(f"{d}/shape.txt").read().split())
            x = torch.from_numpy(np.fromfile(f"{d}/inputs.f32", dtype="<f4").reshape(B, dim))
            expected = np.fromfile(f"{d}/recon.f32", dtype="<f4").reshape(B, dim)
            act = ACTIVATIONS[config["activation"]]
            code_act = ACTIVATIONS[config["code-activation"]]
            out_act = ACTIVATIONS[config["output-activation"]]
            enc = sorted(int(k.split(".")[1]) for k in tensors
                         if k.startswith("encoder.") and k.endswith(".weight"))
            dec = sorted(int(k.split(".")[1]) for k in tensors
                         if k.startswith("decoder.") and k.endswith(".weight"))
            h = x
            variational = "mu.weight" in tensors
            for i in enc:
                h = F.linear(h, tensors[f"encoder.{i}.weight"], tensors[f"encoder.{i}.bias"])
                last = i == enc[-1] and not variational
                h = code_act(h) if last else act(h)
            if variational:
                h = F.linear(h, tensors["mu.weight"], tensors["mu.bias"])  # z = mu
            for i in dec:
                h = F.linear(h, tensors[f"decoder.{i}.weight"], tensors[f"decoder.{i}.bias"])
                h = out_act(h) if i == dec[-1] else act(h)
            worst = float(np.max(np.abs(h.numpy() - expected)))
            ok = worst <= 1e-5 and len(enc) >= 2 and len(dec) >= 2
            failed += not ok
            print(f"{'ok' if ok else 'not ok'} {number} {preset}: worst difference {worst:.2e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
