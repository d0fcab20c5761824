#!/usr/bin/env python3
"""Loads a `sharpness net train --checkpoint` run into PyTorch and recomputes its final loss.

Reads model.json and model.safetensors of RUN_DIR with nothing but the safetensors format itself
(8-byte little-endian header length, JSON header, raw little-endian tensors), builds the same fully
connected network in torch (x <- act(W_l (m_l x) + b_l), output times the output multiplier), loads
the weights by name, prepares the data exactly as the toolkit does for Fashion-MNIST (the first N
training images, standardised per pixel with the mean and population standard deviation of the whole
training split, constant pixels set to 0, one-hot targets) and evaluates the loss and accuracy. These must equal the run's
final_loss and final_accuracy from manifest.json (the loss at the final weights): the script prints
both and exits 1 when they differ by more than --rtol.

Usage (Debian's Python, which has torch and numpy):
  /usr/bin/python3 bench/pytorch/checkpoint_cross_check.py RUN_DIR [--data-dir /usr/share/datasets/fashion-mnist]
"""

from __future__ import annotations

import argparse
import gzip
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torchscript_checkpoint_check  # noqa: E402

def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    return {name: t.numpy() for name, t in torchscript_checkpoint_check.read_safetensors(path).items()}


def read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def find(folder: Path, stem: str) -> Path:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.exists():
            return candidate
    raise SystemExit(f"{folder}: no {stem}[.gz]")


ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "elu": torch.nn.functional.elu, "linear": lambda x: x}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path)
    parser.add_argument("--data-dir", type=Path, default=Path("/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--rtol", type=float, default=1e-5)
    args = parser.parse_args()

    arch = json.loads((args.run / "model.json").read_text())
    manifest = json.loads((args.run / "manifest.json").read_text())
    config, results = manifest["configuration"], manifest["results"]
    if arch["model"] != "fc" or config["dataset"] != "fashion-mnist" or config["classes"] is not None:
        raise SystemExit("this check covers fc networks on all Fashion-MNIST classes")
    weights = read_safetensors(args.run / "model.safetensors")
    dtype = torch.float64 if arch["dtype"] == "float64" else torch.float32

    n = config["train_size"]
    split = read_idx(find(args.data_dir, "train-images-idx3-ubyte"))
    split = split.reshape(split.shape[0], -1).astype(np.float64)
    images = split[:n]
    labels = read_idx(find(args.data_dir, "train-labels-idx1-ubyte"))[:n].astype(np.int64)
    # Statistics over the whole training split, as the toolkit (and Cohen et al.) do.
    mean = split.mean(axis=0)
    sd = split.std(axis=0)
    x = np.where(sd > 0, (images - mean) / np.where(sd > 0, sd, 1), 0.0)
    y = np.eye(arch["output_dimension"])[labels]

    h = torch.tensor(x, dtype=dtype)
    act = ACTIVATIONS[arch["activation"]]
    depth = arch["depth"]
    with torch.no_grad():
        for layer in range(depth):
            w = torch.tensor(weights[f"layers.{layer}.weight"].copy(), dtype=dtype)
            b = weights.get(f"layers.{layer}.bias")
            m = arch["weight_multipliers"][layer]
            h = (h * m if m != 1 else h) @ w.T
            if b is not None:
                h = h + torch.tensor(b.copy(), dtype=dtype)
            if layer < depth - 1:
                h = act(h)
        f = h * arch["output_multiplier"] if arch["output_multiplier"] != 1 else h
        f64, t = f.double(), torch.tensor(y)
        if config["loss"] == "mse-sum":
            loss = 0.5 * ((f64 - t) ** 2).sum(dim=1).mean()
        elif config["loss"] == "mse-mean":
            loss = 0.5 * ((f64 - t) ** 2).mean()
        else:
            loss = torch.nn.functional.cross_entropy(f64, torch.tensor(labels))
        accuracy = (f64.argmax(dim=1) == torch.tensor(labels)).double().mean()

    expected_loss, expected_accuracy = results["final_loss"], results["final_accuracy"]
    loss_error = abs(loss.item() - expected_loss) / abs(expected_loss)
    print(f"torch {torch.__version__}: {len(weights)} tensors loaded from {args.run / 'model.safetensors'}")
    print(f"loss     torch {loss.item():.10g}  toolkit {expected_loss:.10g}  relative difference {loss_error:.2e}")
    print(f"accuracy torch {accuracy.item():.6f}  toolkit {expected_accuracy:.6f}")
    ok = loss_error <= args.rtol and abs(accuracy.item() - expected_accuracy) <= 1.0 / n
    print("agree" if ok else "DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
