#!/usr/bin/env python3
"""Loads the checkpoint of a `sharpness net train --torchscript ... --checkpoint` run back into PyTorch.

Reads RUN_DIR/model.safetensors with nothing but the safetensors format itself (8-byte little-endian header
length, JSON header, raw little-endian tensors), loads it with `load_state_dict(strict=True)` into the
TorchScript module the run started from (configuration.torchscript in manifest.json), evaluates the mean loss
on the run's training examples (configuration.data, the first train_size of them, evaluation mode) and
compares it with the run's final_loss; then does the same with the trained module the run saved
(RUN_DIR/model.pt, torch.jit.load). Prints both and exits 1 when a relative difference exceeds --rtol
(default 1e-5: training runs in float32 by default).

Usage (Debian's Python, which has torch 1.13):
  /usr/bin/python3 bench/pytorch/torchscript_checkpoint_check.py RUN_DIR
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    blob = path.read_bytes()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def mean_loss(kind: str, outputs: torch.Tensor, targets: torch.Tensor) -> float:
    if outputs.dim() == 1:
        outputs = outputs.unsqueeze(1)
    if kind == "cross-entropy":
        labels = targets if targets.dtype == torch.int64 else targets.argmax(1)
        return float(F.cross_entropy(outputs, labels))
    if targets.dtype == torch.int64:
        targets = F.one_hot(targets, outputs.shape[1])
    if targets.dim() == 1:
        targets = targets.unsqueeze(1)
    per_example = 0.5 * ((outputs - targets.to(outputs.dtype)) ** 2).sum(1)
    if kind == "mse-mean":
        per_example = per_example / outputs.shape[1]
    return float(per_example.mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--rtol", type=float, default=1e-5)
    args = parser.parse_args()
    manifest = json.loads((args.run / "manifest.json").read_text())
    configuration, results = manifest["configuration"], manifest["results"]
    data = read_safetensors(Path(configuration["data"]))
    n = configuration["train_size"]
    dtype = torch.float64 if configuration["dtype"] == "float64" else torch.float32
    inputs = data[configuration["inputs_name"]][:n].to(dtype)
    targets = data[configuration["targets_name"]][:n]
    expected = results["final_loss"]

    state = read_safetensors(args.run / "model.safetensors")
    module = torch.jit.load(configuration["torchscript"], map_location="cpu").to(dtype).eval()
    module.load_state_dict(state, strict=True)
    with torch.no_grad():
        from_state = mean_loss(configuration["loss"], module(inputs), targets)
    trained = torch.jit.load(str(args.run / "model.pt"), map_location="cpu").eval()
    with torch.no_grad():
        from_module = mean_loss(configuration["loss"], trained(inputs), targets)

    failed = False
    for label, value in (("load_state_dict(model.safetensors)", from_state), ("torch.jit.load(model.pt)", from_module)):
        difference = abs(value - expected) / max(abs(expected), 1e-300)
        print(f"{label}: loss {value:.10g}, toolkit final_loss {expected:.10g}, relative difference {difference:.2e}")
        failed |= difference > args.rtol
    print(f"state_dict keys: {len(state)} ({', '.join(sorted(state))})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
