# SPDX-License-Identifier: GPL-3.0-or-later
# latentlab_torch.py: Latent Lab models in PyTorch.
#
# Copyright (C) the Latent Lab authors
#
# This program is free software: you can redistribute it and/or modify it under the terms of
# the GNU General Public License as published by the Free Software Foundation, either version 3
# of the License, or (at your option) any later version.
#
"""Latent Lab models in PyTorch: numpy and torch only.

    import latentlab_torch
    model = latentlab_torch.load("model.safetensors")   # from `latentlab export`
    codes = model.encode(x)                               # x: N x C x H x W in [0, 1]

``load`` builds a ``torch.nn.Module`` from the architecture that ``latentlab export`` writes
into the file's metadata and loads the weights with a strict ``load_state_dict``: the tensors
carry PyTorch's own names and layouts (Linear, Conv2d, ConvTranspose2d, Conv1d,
ConvTranspose1d, LSTM). The model has

- ``encode(x)``: the code, as ``latentlab export-latent`` writes it (a VAE's mean; a
  convolutional code of feature maps flattened);
- ``decode(z)``: the output, after the output activation, shaped like the input;
- ``forward(x)``: ``decode(encode(x))``, the reconstruction.

x is N x C x H x W in [0, 1] for images and N x steps x features for sequences, in the
training data's own units when it was rescaled on loading (the file keeps the scaling).
``save(model, path)`` writes a fine-tuned model back, for ``latentlab import``; ``to_onnx``
exports it through torch.onnx.

The "architecture" metadata is JSON: ``input_kind`` ("image" or "sequence"),
``input_shape``, ``latent``, ``variational``, ``output_activation``, ``scaling`` (null or
``{"min", "max"}``), and the layers of ``encoder`` and ``decoder`` in order, each with its
``name`` (the prefix of its tensors), PyTorch ``type`` and arguments, the per-sample
``in_shape`` it is fed (the model reshapes to it; ``transpose_in`` and ``transpose_out``
swap a sequence's steps and features around a 1-D convolution; ``shared_bias`` makes the
biases of a ConvTranspose1d act as one) and its ``activation``.
A VAE's ``head`` is the ``mu`` and ``logvar`` Linear pair. ``residual`` (the photo
denoiser) makes the output the input less the decoder's output, the predicted noise, before
the output activation; such a model is fully convolutional, and ``forward`` (``denoise``)
takes images of any size.
"""

import json
import struct

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["load", "save", "to_onnx", "LatentLabModel"]

_ACTIVATIONS = {
    "identity": lambda x: x,
    "relu": F.relu,
    "leaky-relu": lambda x: F.leaky_relu(x, 0.01),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}

_HEADER_MAX = 100 << 20


class _LSTM(nn.LSTM):
    """nn.LSTM (batch first) that gives the hidden state of every step."""

    def forward(self, x):  # pylint: disable=arguments-differ
        return super().forward(x)[0]


class _ConvTranspose1dSharedBias(nn.ConvTranspose1d):
    """A ConvTranspose1d whose biases act as one (their mean), as the Latent Lab layer has a
    single bias for every feature: equal gradients keep them equal while fine-tuning."""

    def forward(self, x):  # pylint: disable=arguments-differ
        bias = self.bias.mean().expand_as(self.bias)
        return F.conv_transpose1d(x, self.weight, bias, self.stride, self.padding,
                                  self.output_padding)


class _LastStep(nn.Module):
    def forward(self, x):  # (N, T, D) -> (N, D)
        return x[:, -1, :]


class _Repeat(nn.Module):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps

    def forward(self, x):  # (N, D) -> (N, T, D)
        return x.unsqueeze(1).repeat(1, self.steps, 1)


def _layer(spec):
    kind = spec["type"]
    if kind == "Linear":
        return nn.Linear(spec["in_features"], spec["out_features"])
    if kind in ("Conv2d", "Conv1d"):
        conv = nn.Conv2d if kind == "Conv2d" else nn.Conv1d
        return conv(spec["in_channels"], spec["out_channels"], tuple(spec["kernel_size"]),
                    stride=tuple(spec["stride"]), padding=tuple(spec["padding"]))
    if kind in ("ConvTranspose2d", "ConvTranspose1d"):
        conv = nn.ConvTranspose2d if kind == "ConvTranspose2d" else nn.ConvTranspose1d
        if spec.get("shared_bias"):
            conv = _ConvTranspose1dSharedBias
        return conv(spec["in_channels"], spec["out_channels"], tuple(spec["kernel_size"]),
                    stride=tuple(spec["stride"]), padding=tuple(spec["padding"]),
                    output_padding=tuple(spec["output_padding"]))
    if kind == "LSTM":
        return _LSTM(spec["input_size"], spec["hidden_size"], batch_first=True)
    if kind == "LastStep":
        return _LastStep()
    if kind == "Repeat":
        return _Repeat(spec["steps"])
    raise ValueError(f"layer {spec.get('name')}: unknown type {kind!r}")


def _check_names(specs, part):
    for index, spec in enumerate(specs):
        if spec["name"] != f"{part}.{index}":
            raise ValueError(f"layer {spec['name']} at position {index} of the {part}")
        if spec["activation"] not in _ACTIVATIONS:
            raise ValueError(f"layer {spec['name']}: unknown activation {spec['activation']!r}")


class LatentLabModel(nn.Module):
    """An autoencoder built from a Latent Lab architecture (see the module's help)."""

    def __init__(self, architecture, config_text=""):
        super().__init__()
        if architecture.get("format") != "latentlab" or architecture.get("version") != 1:
            raise ValueError("not a Latent Lab architecture of version 1")
        self.architecture = architecture
        self.config_text = config_text
        self.input_shape = tuple(architecture["input_shape"])
        self.latent = architecture["latent"]
        self.output_activation = architecture["output_activation"]
        if self.output_activation not in _ACTIVATIONS:
            raise ValueError(f"unknown output activation {self.output_activation!r}")
        scaling = architecture.get("scaling")
        self.scale_min = float(scaling["min"]) if scaling else 0.0
        self.scale_range = float(scaling["max"]) - float(scaling["min"]) if scaling else 1.0
        self.encoder_specs = architecture["encoder"]
        self.decoder_specs = architecture["decoder"]
        _check_names(self.encoder_specs, "encoder")
        _check_names(self.decoder_specs, "decoder")
        self.encoder = nn.ModuleList([_layer(s) for s in self.encoder_specs])
        self.decoder = nn.ModuleList([_layer(s) for s in self.decoder_specs])
        self.residual = bool(architecture.get("residual", False))
        head = architecture.get("head")
        self.variational = head is not None
        if self.variational:
            self.head_in = head["in_features"]
            self.mu = nn.Linear(head["in_features"], head["latent"])
            self.logvar = nn.Linear(head["in_features"], head["latent"])

    @staticmethod
    def _run(layers, specs, x):
        for layer, spec in zip(layers, specs):
            n = x.shape[0]
            shape = spec["in_shape"]
            if spec.get("transpose_in"):
                x = x.reshape(n, shape[1], shape[0]).transpose(1, 2)
            else:
                x = x.reshape(n, *shape)
            x = layer(x)
            if spec.get("transpose_out"):
                x = x.transpose(1, 2)
            x = _ACTIVATIONS[spec["activation"]](x)
        return x

    def _hidden(self, x):
        if not torch.is_tensor(x):
            x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
        if self.scale_range != 1.0 or self.scale_min != 0.0:
            x = (x - self.scale_min) / self.scale_range
        h = self._run(self.encoder, self.encoder_specs, x)
        return h.reshape(h.shape[0], -1)

    def encode(self, x):
        """The code of each sample (a VAE's mean), N x latent."""
        h = self._hidden(x)
        return self.mu(h) if self.variational else h

    def encode_distribution(self, x):
        """A VAE's mean and log-variance of each sample's code."""
        if not self.variational:
            raise ValueError("this model is not variational")
        h = self._hidden(x)
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        """The output for each code, after the output activation, shaped like the input."""
        if not torch.is_tensor(z):
            z = torch.as_tensor(np.asarray(z), dtype=torch.float32)
        y = self._run(self.decoder, self.decoder_specs, z)
        y = _ACTIVATIONS[self.output_activation](y.reshape(y.shape[0], *self.input_shape))
        if self.scale_range != 1.0 or self.scale_min != 0.0:
            y = self.scale_min + y * self.scale_range
        return y

    def denoise(self, x):
        """The residual denoiser on images of any size (N x C x H x W): the input less the
        noise that its convolutions predict, then the output activation, as the engine runs
        a whole photo (``latentlab denoise`` also clips to [0, 1])."""
        if not torch.is_tensor(x):
            x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
        noise = x
        for layer, spec in zip([*self.encoder, *self.decoder], [*self.encoder_specs, *self.decoder_specs]):
            noise = _ACTIVATIONS[spec["activation"]](layer(noise))
        return _ACTIVATIONS[self.output_activation](x - noise)

    def forward(self, x):  # pylint: disable=arguments-differ
        if self.residual:
            return self.denoise(x)
        return self.decode(self.encode(x))


def _read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: truncated: {len(blob)} bytes")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if header_len > _HEADER_MAX or 8 + header_len > len(blob):
        raise ValueError(f"{path}: header length {header_len} beyond the file of {len(blob)} bytes")
    header = json.loads(blob[8:8 + header_len])
    data = memoryview(blob)[8 + header_len:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}; F32 expected")
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if not 0 <= begin <= end <= len(data) or end - begin != 4 * count:
            raise ValueError(f"{path}: tensor {name}: data_offsets {begin}, {end} do not hold "
                             f"{count} float32 values")
        array = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(np.float32))
    return tensors, metadata


def load(path):
    """The model of a file written by `latentlab export` (or by save), in eval mode."""
    tensors, metadata = _read_safetensors(path)
    if "architecture" not in metadata:
        raise ValueError(f"{path}: no architecture in the metadata: export it again with a "
                         "newer `latentlab export`")
    model = LatentLabModel(json.loads(metadata["architecture"]), metadata.get("config", ""))
    model.load_state_dict(tensors, strict=True)
    return model.eval()


def save(model, path):
    """Writes the model's weights as safetensors with its metadata, for `latentlab import`."""
    state = {name: t.detach().to(torch.float32).contiguous().cpu().numpy()
             for name, t in model.state_dict().items()}
    header = {"__metadata__": {"format": "pt", "config": model.config_text,
                               "architecture": json.dumps(model.architecture)}}
    offset = 0
    for name, array in state.items():
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for array in state.values():
            f.write(array.astype("<f4").tobytes())


def to_onnx(model, path, opset_version=13):
    """Exports forward (the reconstruction) through torch.onnx, any batch size."""
    example = torch.rand(1, *model.input_shape)
    if model.scale_range != 1.0 or model.scale_min != 0.0:
        example = model.scale_min + example * model.scale_range
    was_training = model.training
    model.eval()
    torch.onnx.export(model, (example,), path, input_names=["x"], output_names=["reconstruction"],
                      dynamic_axes={"x": {0: "batch"}, "reconstruction": {0: "batch"}},
                      opset_version=opset_version)
    model.train(was_training)
