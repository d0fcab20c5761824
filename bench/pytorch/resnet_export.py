#!/usr/bin/env python3
"""The worked example of docs/torchscript.md: a small ResNet-style network on Fashion-MNIST, exported for the toolkit.

Writes to OUT (default runs/resnet-example):
  resnet.pt              the network as TorchScript (torch.jit.script), float32, evaluation mode;
  fashion1000.safetensors  the first N training images (default 1000) as 'inputs' [N, 1, 28, 28] (pixels / 255,
                         then standardised with the training split's mean 0.2860 and standard deviation 0.3530)
                         and their class indices as 'targets' [N] (int64).

The network: a 3x3 stem convolution to 8 channels with batch norm and ReLU, three residual blocks (8 -> 8, 8 -> 16
with stride 2, 16 -> 32 with stride 2; each two 3x3 convolutions with batch norm, a 1x1 convolution with batch norm
on the shortcut when the shape changes), global average pooling and a linear readout to 10 classes: 20,850
parameters. PyTorch's default initialisation from torch.manual_seed(SEED); the batch-norm running statistics are
calibrated with 20 forward passes in training mode over the data (no weight changes), so that evaluation mode
normalises as a trained network would.

The safetensors file is written by hand (8-byte header length, JSON header, raw data), so the script needs
nothing beyond torch and numpy; with the safetensors package, safetensors.torch.save_file does the same.

Usage (Debian's Python, which has torch 1.13 and numpy):
  /usr/bin/python3 bench/pytorch/resnet_export.py [--out DIR] [--examples N] [--seed S] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from training_oracle import find, read_idx  # noqa: E402


class Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.layers = nn.Sequential(Block(8, 8, 1), Block(8, 16, 2), Block(16, 32, 2))
        self.fc = nn.Linear(32, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn(self.stem(x)))
        x = self.layers(x)
        return self.fc(x.mean(dim=(2, 3)))


def save_safetensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    codes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/resnet-example"))
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=Path("/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)

    images = read_idx(find(args.data_dir, "train-images-idx3-ubyte"))[: args.examples]
    labels = read_idx(find(args.data_dir, "train-labels-idx1-ubyte"))[: args.examples]
    inputs = torch.from_numpy(((images.astype(np.float32) / 255) - 0.2860) / 0.3530).unsqueeze(1)
    targets = torch.from_numpy(labels.astype(np.int64))

    torch.manual_seed(args.seed)
    model = ResNet()
    model.train()
    with torch.no_grad():  # calibrate the batch-norm running statistics; the weights do not change
        for _ in range(20):
            model(inputs)
    model.eval()
    torch.jit.script(model).save(str(args.out / "resnet.pt"))
    save_safetensors(args.out / f"fashion{args.examples}.safetensors", {"inputs": inputs, "targets": targets})
    parameters = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out / 'resnet.pt'} ({parameters} parameters) and {args.out / f'fashion{args.examples}.safetensors'} ({args.examples} images)")


if __name__ == "__main__":
    main()
