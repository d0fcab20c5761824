#!/usr/bin/env python3
"""An end-to-end PyTorch oracle for a `sharpness net train` (or `net eos` sub-) run folder.

From the run folder alone -- model.json, the step-0 checkpoint model-step-0.safetensors, manifest.json
and metrics.csv -- it rebuilds the model from model.json's list of operations, prepares the data from
model.json's description of the preprocessing (reading the data set's own files), trains the same
steps with torch.optim.SGD (plain gradient descent or SGD, heavy-ball momentum, linear warm-up, the
same SGD mini-batches from an independent implementation of the toolkit's published sampler) and
measures the sharpness, the top eigenvalue of the Hessian of the loss on the measurement set, with
its own eigen-solver (scipy's ARPACK eigsh on PyTorch Hessian-vector products by double backward).
It then compares, step by step, the loss and accuracy with metrics.csv and, at every measured step,
the sharpness; the weights of every other checkpoint in model.json must give the loss recorded at
their step; the step-0 weights must follow the initialisation model.json declares.

Nothing here is taken from the toolkit's code: the rules come from model.json, the manifest and the
documentation (docs/real-networks.md).

Usage (Debian's Python, with python3-torch and python3-scipy):
  /usr/bin/python3 bench/pytorch/training_oracle.py RUN_DIR [RUN_DIR ...] [--steps 50]
      [--loss-rtol 1e-8] [--sharpness-rtol 1e-6] [--json FILE] [--threads N]

The loss tolerance defaults to 1e-8 (relative) for float64 runs and 1e-5 for float32 runs, where the two
implementations round differently. A run folder without model-step-0.safetensors (only --checkpoint) is
not replayed; the loss at its saved weights is still compared with metrics.csv.

Exit code 0 when every run agrees within the tolerances, 1 when one disagrees, 2 when a run folder
cannot be checked (missing files, a data set the oracle cannot read).

With --independent the oracle does not compare step by step: it trains until its own run stops by
the manifest's rules (step budget, accuracy goal, loss goal, divergence) and writes its trajectory to
--out-csv (the side-by-side edge-of-stability runs of docs/real-networks.md), reporting where the two
trajectories separate. --budget N replaces the manifest's step budget, so the PyTorch run can start
from a `--steps 0 --checkpoint-steps 0` run folder with the same settings (same initial weights)
while the toolkit's long run is still going.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy.sparse.linalg import LinearOperator, eigsh

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


# ---------------------------------------------------------------------------------------------
# The SGD sampler, implemented from its description: xoshiro256** seeded through SplitMix64, stream e
# of the seed for epoch e, a Fisher-Yates shuffle with unbiased bounded integers (rejection of the top,
# incomplete copy of [0, bound)), batches of B consecutive entries, the last one shorter.
# ---------------------------------------------------------------------------------------------

def splitmix64(state: int) -> tuple[int, int]:
    state = (state + GOLDEN) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256:
    def __init__(self, seed: int):
        x = seed & MASK
        self.s = []
        for _ in range(4):
            x, z = splitmix64(x)
            self.s.append(z)

    @staticmethod
    def for_stream(seed: int, stream: int) -> "Xoshiro256":
        x = (seed ^ ((GOLDEN * (stream + 1)) & MASK)) & MASK
        _, z = splitmix64(x)
        return Xoshiro256(z)

    def next(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def below(self, bound: int) -> int:
        limit = MASK - (MASK % bound)
        while True:
            draw = self.next()
            if draw < limit:
                return draw % bound


class Sampler:
    def __init__(self, examples: int, batch_size: int, seed: int):
        self.n = examples
        self.b = min(batch_size, examples)
        self.per_epoch = (examples + self.b - 1) // self.b
        self.seed = seed
        self.epoch = -1
        self.order: list[int] = []

    def batch(self, step: int) -> list[int]:
        epoch, position = divmod(step, self.per_epoch)
        if epoch != self.epoch:
            random = Xoshiro256.for_stream(self.seed, epoch)
            order = list(range(self.n))
            for i in range(self.n - 1, 0, -1):
                j = random.below(i + 1)
                order[i], order[j] = order[j], order[i]
            self.order, self.epoch = order, epoch
        start = position * self.b
        return self.order[start:start + min(self.b, self.n - start)]


# ---------------------------------------------------------------------------------------------
# Files: safetensors by the format alone, IDX and CIFAR-10 binaries, CSV.
# ---------------------------------------------------------------------------------------------

SAFETENSOR_TYPES = {"F32": np.float32, "F64": np.float64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    blob = path.read_bytes()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype=SAFETENSOR_TYPES[info["dtype"]]).reshape(info["shape"]).copy()
    return tensors


def read_idx(path: Path) -> np.ndarray:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def find(folder: Path, stem: str) -> Path:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.exists():
            return candidate
    raise OracleError(f"{folder}: no {stem}[.gz]")


def read_images(dataset: str, folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Raw pixels [N, C*H*W] (uint8, channel-row-column order) and labels [N] of a split."""
    if dataset in ("fashion-mnist", "mnist"):
        prefix = "train" if split == "train" else "t10k"
        images = read_idx(find(folder, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte"))
        return images.reshape(images.shape[0], -1), labels.astype(np.int64)
    if dataset == "cifar10":
        if not (folder / "data_batch_1.bin").exists() and (folder / "cifar-10-batches-bin").is_dir():
            folder = folder / "cifar-10-batches-bin"
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
        records = np.concatenate([np.frombuffer((folder / n).read_bytes(), dtype=np.uint8).reshape(-1, 3073) for n in names])
        return records[:, 1:], records[:, 0].astype(np.int64)
    raise OracleError(f"the oracle reads fashion-mnist, mnist and cifar10 files, not '{dataset}'")


def read_metrics(path: Path) -> dict[str, np.ndarray]:
    with path.open() as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(v) if v not in ("", "nan") else math.nan for v in row] for row in reader]
    table = np.array(rows, dtype=np.float64)
    return {name: table[:, i] for i, name in enumerate(header)}


class OracleError(Exception):
    """A run folder the oracle cannot check."""


# ---------------------------------------------------------------------------------------------
# Data, model and loss from the run folder's description.
# ---------------------------------------------------------------------------------------------

TORCH_TYPES = {"float32": torch.float32, "float64": torch.float64}


def prepare_data(data: dict, data_dir: Path | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Training inputs (float64, before rounding to the training type), labels and the class count."""
    dataset = data["dataset"]
    if dataset == "synthetic":
        raise OracleError("synthetic data is made by the toolkit's own generator; use an image data set")
    standardisation = data.get("standardisation")
    if standardisation not in ("per-feature", "per-example", "none"):
        raise OracleError(f"unknown standardisation '{standardisation}'")
    folder = data_dir or Path(data["directory"])
    pixels, labels = read_images(dataset, folder, "train")
    classes = data.get("classes")
    if classes is None:
        classes = list(range(int(labels.max()) + 1))
    keep = np.isin(labels, classes)
    pixels, labels = pixels[keep], labels[keep]
    relabel = {c: i for i, c in enumerate(classes)}
    labels = np.array([relabel[int(c)] for c in labels], dtype=np.int64)
    n = data["train_count"]
    if standardisation == "none":
        return data["scale"] * pixels[:n].astype(np.float64), labels[:n], len(classes)
    if standardisation == "per-example":
        raw = pixels[:n].astype(np.int64)
        d = raw.shape[1]
        s1 = raw.sum(axis=1, keepdims=True)
        s2 = (raw * raw).sum(axis=1, keepdims=True)
        mean = s1.astype(np.float64) / d
        sd = np.sqrt((d * s2 - s1 * s1).astype(np.float64)) / d
        centred = raw.astype(np.float64) - mean
        return np.where(sd > 0, centred / np.where(sd > 0, sd, 1.0), 0.0), labels[:n], len(classes)
    stats = pixels if data["statistics"] == "training-split" else pixels[:n]
    count = stats.shape[0]
    s1 = stats.astype(np.int64).sum(axis=0)
    s2 = (stats.astype(np.int64) ** 2).sum(axis=0)
    mean = s1.astype(np.float64) / count
    sd = np.sqrt((count * s2 - s1 * s1).astype(np.float64)) / count
    centred = pixels[:n].astype(np.float64) - mean
    x = np.where(sd > 0, centred / np.where(sd > 0, sd, 1.0), data["scale"] * centred)
    return x, labels[:n], len(classes)


class Rebuilt(torch.nn.Module):
    """The model of model.json's "forward" list, with its parameters by name."""

    def __init__(self, description: dict, tensors: dict[str, np.ndarray], dtype: torch.dtype):
        super().__init__()
        self.description = description
        self.ops = description["forward"]
        self.names = sorted(tensors)  # ordinal order, as the toolkit stores them
        declared = {p["name"]: p["shape"] for p in description["parameters"]}
        if sorted(declared) != self.names:
            raise OracleError(f"model.json lists parameters {sorted(declared)}, the checkpoint holds {self.names}")
        self.store = torch.nn.ParameterList()
        self.index = {}
        for name in self.names:
            if list(tensors[name].shape) != declared[name]:
                raise OracleError(f"{name}: shape {list(tensors[name].shape)} in the checkpoint, {declared[name]} in model.json")
            self.index[name] = len(self.store)
            self.store.append(torch.nn.Parameter(torch.tensor(tensors[name], dtype=dtype)))

    def copy(self, dtype: torch.dtype) -> "Rebuilt":
        """A copy with every parameter converted to dtype."""
        return Rebuilt(self.description, {n: self.p(n).detach().numpy() for n in self.names}, dtype)

    def p(self, name: str | None) -> torch.Tensor | None:
        return None if name is None else self.store[self.index[name]]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for op in self.ops:
            kind = op["op"]
            if kind == "reshape":
                x = x.reshape(x.shape[0], *op["shape"])
            elif kind == "linear":
                w = self.p(op["weight"])
                if w.dim() == 1:
                    w = w.unsqueeze(0)
                m = op.get("input_multiplier", 1.0)
                x = F.linear(x * m if m != 1 else x, w, self.p(op.get("bias")))
            elif kind == "conv2d":
                x = F.conv2d(x, self.p(op["weight"]), self.p(op.get("bias")), stride=op["stride"], padding=op["padding"])
            elif kind == "tanh":
                x = torch.tanh(x)
            elif kind == "relu":
                x = torch.relu(x)
            elif kind == "elu":
                x = F.elu(x, alpha=1.0)
            elif kind == "max_pool2d":
                x = F.max_pool2d(x, kernel_size=op["kernel_size"], stride=op["stride"])
            elif kind == "avg_pool2d":
                x = F.avg_pool2d(x, kernel_size=op["kernel_size"], stride=op["stride"])
            elif kind == "mean":
                x = x.mean(dim=op["dims"])
            elif kind == "flatten":
                x = x.flatten(op["start_dim"])
            elif kind == "scale":
                x = x * op["factor"]
            else:
                raise OracleError(f"unknown operation '{kind}' in model.json")
        return x


def make_loss(name: str):
    """Mean over examples of the per-example loss, in the manifest's convention."""
    if name == "mse-sum":
        return lambda f, t: 0.5 * ((f - t) ** 2).sum() / f.shape[0]
    if name == "mse-mean":
        return lambda f, t: 0.5 * ((f - t) ** 2).sum() / (f.shape[0] * f.shape[1])
    if name in ("cross-entropy", "ce"):
        return lambda f, t: F.cross_entropy(f, t, reduction="sum") / f.shape[0]
    raise OracleError(f"unknown loss '{name}'")


def check_initialisation(description: dict, tensors: dict[str, np.ndarray]) -> list[str]:
    """Problems of the step-0 weights against the declared distributions (exact bounds, zeros, moments)."""
    problems = []
    for name, spec in description.get("initialisation", {}).get("parameters", {}).items():
        w = tensors[name].astype(np.float64).ravel()
        kind = spec["distribution"]
        if kind == "zeros":
            if np.any(w != 0):
                problems.append(f"{name} should be zero")
        elif kind == "uniform":
            bound = spec["bound"]
            if np.abs(w).max() > bound * (1 + 1e-6):
                problems.append(f"{name} exceeds its bound {bound:g}")
            if w.size >= 1000 and abs(w.var() / (bound * bound / 3) - 1) > 0.1:
                problems.append(f"{name}: variance {w.var():.4g}, uniform(+-{bound:.4g}) has {bound * bound / 3:.4g}")
        elif kind == "normal":
            std = spec["std"]
            if w.size >= 1000 and abs(w.std() / std - 1) > 0.1:
                problems.append(f"{name}: standard deviation {w.std():.4g}, declared {std:.4g}")
    return problems


# ---------------------------------------------------------------------------------------------
# Sharpness: the top eigenvalues of the Hessian of the mean loss on the measurement set.
# ---------------------------------------------------------------------------------------------

class Sharpness:
    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor, loss, top_k: int, tol: float, ncv: int | None):
        self.inputs = inputs.to(torch.float64)
        self.targets = targets.to(torch.float64) if targets.is_floating_point() else targets
        self.loss, self.top_k, self.tol, self.ncv = loss, top_k, tol, ncv
        self.start = None
        self.products = 0

    def measure(self, model: Rebuilt) -> np.ndarray:
        copy = model.copy(torch.float64)
        params = list(copy.store)
        gradient = torch.autograd.grad(self.loss(copy(self.inputs), self.targets), params, create_graph=True)
        flat = torch.cat([g.reshape(-1) for g in gradient])
        size = flat.numel()

        def product(v):
            self.products += 1
            v = torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64).reshape(-1))
            hv = torch.autograd.grad(flat @ v, params, retain_graph=True)
            return torch.cat([h.reshape(-1) for h in hv]).numpy()

        operator = LinearOperator((size, size), matvec=product, dtype=np.float64)
        values, vectors = eigsh(operator, k=self.top_k, which="LA", tol=self.tol, v0=self.start, ncv=self.ncv)
        order = np.argsort(values)[::-1]
        self.start = vectors[:, order].sum(axis=1)
        return values[order]


def check_checkpoints(run, description, metrics, inputs, targets, loss_fn, config, dtype, stochastic, rtol) -> tuple[list[str], int]:
    """The loss at the weights of every checkpoint after step 0 equals metrics.csv's loss of its step."""
    problems, checked = [], 0
    for file, step in description.get("checkpoints", {}).items():
        if step == 0 or step >= len(metrics["loss"]):
            continue
        tensors = read_safetensors(run / file)
        at = Rebuilt(description, tensors, dtype)
        index = torch.tensor(Sampler(inputs.shape[0], config["batch_size"], config["seed"]).batch(step)) if stochastic else None
        with torch.no_grad():
            value = loss_fn(at(inputs if index is None else inputs[index]), targets if index is None else targets[index]).item()
        reference = metrics["loss"][step]
        checked += 1
        if abs(value - reference) > rtol * abs(reference):
            problems.append(f"{file}: loss {value:.12g} at its weights, metrics.csv has {reference:.12g} at step {step}")
    return problems, checked


# ---------------------------------------------------------------------------------------------
# One run folder.
# ---------------------------------------------------------------------------------------------

def check_run(run: Path, args, report: dict) -> bool:
    description = json.loads((run / "model.json").read_text())
    manifest = json.loads((run / "manifest.json").read_text())
    config, results = manifest["configuration"], manifest["results"]
    metrics_file = run / "metrics.csv"
    if not args.independent or metrics_file.exists():
        metrics = read_metrics(metrics_file)
    else:
        metrics = None
    dtype = TORCH_TYPES[description["dtype"]]
    loss_rtol = args.loss_rtol if args.loss_rtol is not None else (1e-8 if dtype == torch.float64 else 1e-5)
    start_file = run / "model-step-0.safetensors"

    x64, labels, classes = prepare_data(description["data"], args.data_dir)
    inputs = torch.tensor(x64).to(dtype)  # rounded to the training type, as the toolkit stores them
    loss_name = config["loss"]
    loss_fn = make_loss(loss_name)
    targets = torch.tensor(labels) if loss_name in ("cross-entropy", "ce") else F.one_hot(torch.tensor(labels), classes).to(dtype)
    label_tensor = torch.tensor(labels)
    stochastic = config["optimizer"] == "sgd"

    if not start_file.exists():
        if args.independent or metrics is None:
            raise OracleError(f"{start_file} is missing: train with --checkpoint-steps 0")
        # Without the initial weights the training cannot be replayed; the saved weights can still be checked.
        problems, checked = check_checkpoints(run, description, metrics, inputs, targets, loss_fn, config, dtype, stochastic, loss_rtol)
        print(f"{run}: no model-step-0.safetensors, so the training is not replayed; the loss at the weights of {checked} checkpoint(s) "
              + ("equals metrics.csv's" if not problems else "differs from metrics.csv's"))
        for p in problems:
            print(f"  {p}")
        report.update({"replayed": False, "checkpoints_checked": checked, "checkpoint_problems": problems})
        return not problems and checked > 0

    weights0 = read_safetensors(start_file)
    model = Rebuilt(description, weights0, dtype)
    init_problems = check_initialisation(description, weights0)

    eta = config["lr"]
    momentum = config["momentum"]
    warmup = config["warmup"]
    sampler = Sampler(inputs.shape[0], config["batch_size"], config["seed"]) if stochastic else None
    every = config["sharpness_every"]
    budget = args.budget if args.independent and args.budget is not None else config["steps"]
    max_steps = budget if args.steps is None else min(budget, args.steps)
    if not args.independent:
        max_steps = min(max_steps, int(metrics["step"][-1]))
    measure_count = min(config["measure_size"], inputs.shape[0])
    tracker = Sharpness(inputs[:measure_count], targets[:measure_count], loss_fn, config["top_k"], args.eig_tol, args.ncv) if every > 0 else None
    if config.get("lr_constant") is not None:
        if tracker is None:
            raise OracleError("eta = c/lambda_H(0) without sharpness tracking is not checked")
    optimiser = torch.optim.SGD(list(model.store), lr=eta, momentum=momentum, dampening=0.0, nesterov=False)

    rows = []
    measure_seconds = 0.0
    train_seconds = 0.0
    stop = "step budget"
    for step in range(max_steps + 1):
        started = time.process_time()
        index = torch.tensor(sampler.batch(step)) if sampler else None
        x = inputs if index is None else inputs[index]
        t = targets if index is None else targets[index]
        lab = label_tensor if index is None else label_tensor[index]
        last = step == max_steps
        outputs = model(x)
        loss = loss_fn(outputs, t)
        accuracy = (outputs.detach().argmax(dim=1) == lab).double().mean().item() if outputs.shape[1] >= 2 else math.nan
        loss_value = loss.item()
        if not last:
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
        train_seconds += time.process_time() - started
        rate = eta * (step + 1) / warmup if step < warmup else eta
        diverged = not math.isfinite(loss_value) or loss_value > 1e5
        sharp = math.nan
        eigenvalues = []
        if tracker is not None and not diverged and step % every == 0:
            started = time.process_time()
            eigenvalues = tracker.measure(model)
            measure_seconds += time.process_time() - started
            sharp = float(eigenvalues[0])
            if step == 0 and config.get("lr_constant") is not None:
                own = config["lr_constant"] / sharp
                if abs(own - eta) > args.sharpness_rtol * eta:
                    init_problems.append(f"eta = c/lambda_H(0): {own:.10g} from this lambda_H(0), {eta:.10g} in the manifest")
        rows.append((step, loss_value, accuracy, rate, sharp, (2 + 2 * momentum) / rate))
        if diverged:
            stop = "diverged"
            break
        if config.get("accuracy_goal") is not None and accuracy >= config["accuracy_goal"]:
            stop = "accuracy goal"
            break
        if config.get("loss_goal") is not None and loss_value <= config["loss_goal"]:
            stop = "loss goal"
            break
        if last:
            break
        started = time.process_time()
        for group in optimiser.param_groups:
            group["lr"] = rate
        optimiser.step()
        train_seconds += time.process_time() - started
        if args.independent and args.progress and step % args.progress == 0:
            print(f"  {run.name} step {step}: loss {loss_value:.6g}, accuracy {accuracy:.4f}, sharpness {sharp:.6g}", flush=True)

    if args.out_csv:
        with open(args.out_csv, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["step", "loss", "accuracy", "lr", "sharpness", "threshold"])
            for row in rows:
                writer.writerow([row[0]] + [repr(float(v)) for v in row[1:]])

    steps = len(rows)
    timing = (f"CPU time: {train_seconds / steps * 1e3:.1f} ms per training step, {measure_seconds:.1f} s in {tracker.products if tracker else 0} "
              f"Hessian-vector products ({measure_seconds / max(1, tracker.products if tracker else 0) * 1e3:.0f} ms each)")
    report.update({"steps": steps, "stop": stop, "train_seconds": train_seconds, "measure_seconds": measure_seconds,
                   "products": tracker.products if tracker else 0, "initialisation_problems": init_problems})
    if args.independent and metrics is None:
        print(f"{run}: torch run stopped after {steps - 1} steps ({stop}); {timing}")
        return not init_problems
    if args.independent:
        toolkit_loss = metrics["loss"]
        common = min(steps, len(toolkit_loss))
        ours = np.array([r[1] for r in rows[:common]])
        relative = np.abs(ours - toolkit_loss[:common]) / np.abs(toolkit_loss[:common])
        separated = {level: next((i for i in range(common) if relative[i] > level), None) for level in (1e-6, 1e-3, 1e-1)}
        print(f"{run}: torch run stopped after {steps - 1} steps ({stop}); toolkit after {int(metrics['step'][-1])} steps ({results['stop_reason']})")
        print("  first step where the losses differ by more than " + ", ".join(f"{level:g}: {separated[level]}" for level in separated))
        print(f"  {timing}")
        for p in init_problems:
            print(f"  initialisation: {p}")
        return not init_problems

    # Step by step against metrics.csv.
    toolkit_steps = metrics["step"].astype(int)
    ok = True
    worst_loss = (0.0, 0)
    worst_sharp = (0.0, 0)
    accuracy_mismatch = []
    threshold_mismatch = []
    sharp_missing = []
    for step, loss_value, accuracy, rate, sharp, threshold in rows:
        i = int(np.searchsorted(toolkit_steps, step))
        if i >= len(toolkit_steps) or toolkit_steps[i] != step:
            raise OracleError(f"metrics.csv has no row for step {step}")
        reference = metrics["loss"][i]
        relative = abs(loss_value - reference) / max(abs(reference), 1e-300)
        if not relative <= worst_loss[0]:
            worst_loss = (relative, step)
        if not (math.isnan(accuracy) and math.isnan(metrics["accuracy"][i])) and abs(accuracy - metrics["accuracy"][i]) > 0.5 / len(inputs):
            accuracy_mismatch.append(step)
        measured = metrics["sharpness"][i]
        if math.isnan(sharp) != math.isnan(measured):
            sharp_missing.append(step)
        elif not math.isnan(sharp):
            relative = abs(sharp - measured) / abs(measured)
            if not relative <= worst_sharp[0]:
                worst_sharp = (relative, step)
            if abs(threshold - metrics["threshold"][i]) > 1e-12 * threshold:
                threshold_mismatch.append(step)
    measured_steps = sum(1 for r in rows if not math.isnan(r[4]))

    checkpoint_problems, _ = check_checkpoints(run, description, metrics, inputs, targets, loss_fn, config, dtype, stochastic, loss_rtol)

    ok = bool(worst_loss[0] <= loss_rtol and worst_sharp[0] <= args.sharpness_rtol and not accuracy_mismatch
              and not threshold_mismatch and not sharp_missing and not checkpoint_problems and not init_problems)
    print(f"{run}: {steps} steps ({description['model']}, {loss_name}, {config['optimizer']}"
          f"{f', momentum {momentum:g}' if momentum else ''}{f', warm-up {warmup}' if warmup else ''}, {description['dtype']})")
    print(f"  loss: largest relative difference {worst_loss[0]:.2e} at step {worst_loss[1]} (tolerance {loss_rtol:g})")
    print(f"  accuracy: {'equal at every step' if not accuracy_mismatch else f'differs at steps {accuracy_mismatch[:10]}'}")
    print(f"  sharpness at {measured_steps} steps: largest relative difference {worst_sharp[0]:.2e} at step {worst_sharp[1]} (tolerance {args.sharpness_rtol:g})"
          + (f"; measured by one side only at steps {sharp_missing}" if sharp_missing else "")
          + (f"; threshold differs at steps {threshold_mismatch}" if threshold_mismatch else ""))
    for p in checkpoint_problems + init_problems:
        print(f"  {p}")
    report.update({
        "replayed": True,
        "loss_max_relative": worst_loss[0], "loss_worst_step": worst_loss[1],
        "sharpness_max_relative": worst_sharp[0], "sharpness_worst_step": worst_sharp[1], "measured_steps": measured_steps,
        "accuracy_mismatch_steps": accuracy_mismatch, "threshold_mismatch_steps": threshold_mismatch,
        "one_sided_measurement_steps": sharp_missing, "checkpoint_problems": checkpoint_problems,
    })
    print(f"  {timing}")
    print(f"  {'AGREE' if ok else 'DISAGREE'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder of the data set's files (default: model.json's)")
    parser.add_argument("--steps", type=int, default=None, help="compare only the first N steps (default: the whole run)")
    parser.add_argument("--loss-rtol", type=float, default=None, help="default 1e-8 for float64 runs, 1e-5 for float32")
    parser.add_argument("--sharpness-rtol", type=float, default=1e-6)
    parser.add_argument("--eig-tol", type=float, default=1e-10, help="eigsh's relative tolerance")
    parser.add_argument("--ncv", type=int, default=None, help="eigsh's Lanczos basis size (default scipy's)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--independent", action="store_true", help="train by the manifest's rules and report where the runs separate")
    parser.add_argument("--out-csv", type=Path, default=None, help="write the torch run's trajectory here (one run folder only)")
    parser.add_argument("--budget", type=int, default=None,
                        help="with --independent: the step budget instead of the manifest's (to train from a --steps 0 run folder "
                             "with the same settings and initial weights while the toolkit's own run is still going)")
    parser.add_argument("--progress", type=int, default=0, help="with --independent: print every N steps")
    parser.add_argument("--json", type=Path, default=None, help="also write one JSON object per run folder (agree, largest differences, problems) to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.out_csv and len(args.runs) > 1:
        parser.error("--out-csv takes one run folder")
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    status = 0
    reports = []
    for run in args.runs:
        report = {"run": str(run)}
        try:
            report["agree"] = bool(check_run(run, args, report))
            if not report["agree"]:
                status = max(status, 1)
        except (OracleError, FileNotFoundError, KeyError) as e:
            print(f"{run}: cannot check: {e}")
            report.update({"agree": False, "error": str(e)})
            status = 2
        reports.append(report)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2, default=float) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
