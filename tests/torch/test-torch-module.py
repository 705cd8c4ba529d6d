#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""python/latentlab_torch.py against the engine, for a small model of every family: the
loaded module's codes, reconstructions and decodes match the engine's within 1e-4
(relative, per sample), the tensors load strictly into PyTorch's own layers, forward
exports to ONNX that onnx's checker accepts, and a model fine-tuned in PyTorch comes back
through `latentlab import` computing what PyTorch computes. TAP output.
Usage: test-torch-module.py HELPER LATENTLAB (HELPER: torch-export-helper)."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as error:
    print(f"1..0 # SKIP PyTorch and numpy are needed ({error}); Debian: apt-get install python3-torch")
    sys.exit(0)

import latentlab_torch  # noqa: E402

try:
    import onnx
except ImportError:
    onnx = None

HELPER, LATENTLAB = sys.argv[1], sys.argv[2]
TOLERANCE = 1e-4
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}" + (f": {detail}" if detail else ""))
    sys.stdout.flush()


def relative(got, want):
    """The largest difference of one sample, relative to that sample's size."""
    got = np.asarray(got, dtype=np.float64).reshape(len(want), -1)
    want = np.asarray(want, dtype=np.float64).reshape(len(want), -1)
    norms = np.maximum(np.linalg.norm(want, axis=1), 1e-6)
    return float(np.max(np.linalg.norm(got - want, axis=1) / norms))


def floats(directory, name, rows):
    return np.fromfile(os.path.join(directory, name), dtype="<f4").reshape(rows, -1)


def one_case(case, directory):
    subprocess.run([HELPER, "export", directory, case], check=True)
    rows, _, latent = map(int, open(os.path.join(directory, "shape.txt")).read().split())
    model = latentlab_torch.load(os.path.join(directory, "model.safetensors"))
    x = torch.from_numpy(floats(directory, "x.f32", rows)).reshape(rows, *model.input_shape)
    codes, recon = floats(directory, "codes.f32", rows), floats(directory, "recon.f32", rows)
    with torch.no_grad():
        got_codes = model.encode(x)
        got_recon = model(x)
        got_decoded = model.decode(torch.from_numpy(codes))
    check(f"{case}: codes of shape {tuple(got_codes.shape)}", tuple(got_codes.shape) == (rows, latent))
    diff = relative(got_codes, codes)
    check(f"{case}: encode matches the engine", diff <= TOLERANCE, f"relative difference {diff:.2e}")
    diff = relative(got_recon, recon)
    check(f"{case}: forward matches the engine", diff <= TOLERANCE and got_recon.shape == x.shape,
          f"relative difference {diff:.2e}")
    diff = relative(got_decoded, recon)
    check(f"{case}: decode matches the engine", diff <= TOLERANCE, f"relative difference {diff:.2e}")

    if onnx is None:
        print(f"ok {len(results) + 1} - {case}: ONNX # SKIP onnx is not installed (python3-onnx)")
        results.append(True)
    else:
        path = os.path.join(directory, "model.onnx")
        latentlab_torch.to_onnx(model, path)
        try:
            onnx.checker.check_model(onnx.load(path), full_check=True)
            check(f"{case}: to_onnx passes onnx's checker", True)
        except onnx.checker.ValidationError as error:
            check(f"{case}: to_onnx passes onnx's checker", False, str(error).splitlines()[0])

    # Fine-tuning in PyTorch, then back through `latentlab import`.
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(5):
        optimizer.zero_grad()
        loss = ((model(x) - x) ** 2).mean()
        loss.backward()
        optimizer.step()
    model.eval()
    tuned = os.path.join(directory, "tuned.safetensors")
    latentlab_torch.save(model, tuned)
    imported = subprocess.run([LATENTLAB, "import", tuned, "--save", os.path.join(directory, "tuned.model")],
                              capture_output=True, text=True)
    check(f"{case}: latentlab import reads the fine-tuned file", imported.returncode == 0,
          imported.stderr.strip())
    if imported.returncode != 0:
        return
    subprocess.run([HELPER, "reconstruct", directory, os.path.join(directory, "tuned.model")], check=True)
    with torch.no_grad():
        tuned_recon = model(x)
    moved = relative(tuned_recon, recon)
    diff = relative(floats(directory, "recon-imported.f32", rows), tuned_recon)
    check(f"{case}: the imported model computes what PyTorch does after fine-tuning",
          diff <= TOLERANCE and moved > 100 * TOLERANCE,
          f"relative difference {diff:.2e}, fine-tuning moved the output by {moved:.2e}")


def strict_layers():
    """The sequence layers load into PyTorch's own modules with a strict state dict."""
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([HELPER, "export", directory, "sequence-lstm"], check=True)
        tensors, _ = latentlab_torch._read_safetensors(os.path.join(directory, "model.safetensors"))
        for part in ("encoder.0", "decoder.1"):
            own = {k[len(part) + 1:]: v for k, v in tensors.items() if k.startswith(part + ".")}
            lstm = nn.LSTM(own["weight_ih_l0"].shape[1], own["weight_hh_l0"].shape[1], batch_first=True)
            try:
                lstm.load_state_dict(own, strict=True)
                check(f"{part}: nn.LSTM loads its tensors strictly", sorted(own) == sorted(lstm.state_dict()))
            except RuntimeError as error:
                check(f"{part}: nn.LSTM loads its tensors strictly", False, str(error).splitlines()[0])
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([HELPER, "export", directory, "sequence"], check=True)
        tensors, _ = latentlab_torch._read_safetensors(os.path.join(directory, "model.safetensors"))
        weight = tensors["encoder.0.weight"]
        conv = nn.Conv1d(weight.shape[1], weight.shape[0], weight.shape[2], stride=2, padding=2)
        try:
            conv.load_state_dict({"weight": weight, "bias": tensors["encoder.0.bias"]}, strict=True)
            check("a sequence's first convolution is a Conv1d over its 3 features",
                  tuple(weight.shape) == (4, 3, 5))
        except RuntimeError as error:
            check("a sequence's first convolution is a Conv1d", False, str(error).splitlines()[0])


def main():
    cases = subprocess.run([HELPER, "list"], check=True, capture_output=True, text=True).stdout.split()
    for case in cases:
        with tempfile.TemporaryDirectory() as directory:
            one_case(case, directory)
    strict_layers()
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    torch.manual_seed(3)
    torch.set_num_threads(1)
    sys.exit(main())
