#!/usr/bin/env python3
"""Makes the TorchScript fixtures of the toolkit's tests and their PyTorch reference values.

Run with Debian's Python, which has torch 1.13, numpy and scipy:

    /usr/bin/python3 tests/Fixtures/TorchScript/make_fixtures.py

For each of four small networks (an MLP, a CNN with pooling and batch norm, a residual block, an
attention block) it writes, next to this file:

  NAME.pt             the module, exported with torch.jit.script (the residual block with
                      torch.jit.trace), float32 parameters as a user would save them;
  NAME.safetensors    the data: tensors "inputs" and "targets" (float32 inputs; float32 one-hot or
                      real targets for squared error, int64 class indices for cross-entropy);
  NAME.json           the reference values, computed in float64 by PyTorch in evaluation mode:
                      the loss, the gradient norm, the exact Hessian spectrum (dense Hessian from
                      P Hessian-vector products, eigh), the top and bottom eigenvalues from scipy's
                      eigsh on PyTorch Hessian-vector products, the exact trace, Hutchinson's
                      estimate with Rademacher probes that are stored in the file, the quadratic
                      forms v'Hv of those probes and of Gaussian directions, the exact moments
                      tr(H^k)/P, the top eigenvalue of the Gauss-Newton matrix, the state_dict's
                      names, types and shapes, and (for the MLP and the CNN) the losses of a few steps
                      of full-batch gradient descent, with and without heavy-ball momentum
                      (torch.optim.SGD), with the top Hessian eigenvalue at the last step.

Vectors are in the toolkit's parameter layout: parameters sorted by name (ordinal order), each
flattened row-major. Losses follow the toolkit's conventions: mse-sum = 0.5 sum over outputs of
(f - y)^2, mean over examples; mse-mean = the same divided by the output count; ce = mean softmax
cross-entropy.

For the .npy reader it saves the MLP's inputs and class indices with numpy.save (mlp_inputs.npy,
mlp_labels.npy) and one array in Fortran order and one big-endian (fortran.npy, big_endian.npy).

It also writes the modules the toolkit must refuse with a clear message: needs_gpu.pt (forward
creates a tensor on CUDA), cdist.pt (torch.cdist, whose backward LibTorch cannot differentiate
again), random_output.pt (dropout left in training mode by tracing), two_outputs.pt (forward
returns a tuple) and unused_parameter.pt (a parameter forward never uses).

The output is deterministic: fixed seeds, one thread, and Python's string hashing fixed (the script
restarts itself with PYTHONHASHSEED=0, because TorchScript writes a module's constants in set order).
"""

from __future__ import annotations

import copy
import json
import os
import struct
import sys
import zipfile
from pathlib import Path

if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})

import numpy as np
import scipy.sparse.linalg as sla
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
torch.set_num_threads(1)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 12)
        self.fc2 = nn.Linear(12, 12)
        self.out = nn.Linear(12, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.conv2 = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Linear(4 * 2 * 2, 3)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.bn(self.conv1(x))), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        return self.head(x.flatten(1))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(5, 8)
        self.a = nn.Linear(8, 8)
        self.b = nn.Linear(8, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        h = torch.tanh(self.inp(x))
        h = h + self.b(F.elu(self.a(h)))
        return self.out(h)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        a, _ = self.attn(x, x, x, need_weights=False)
        h = self.norm(x + a)
        return self.head(h.mean(dim=1))


class NeedsGpu(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc(x) + torch.zeros(3, device=torch.device("cuda"))


class Cdist(nn.Module):
    def __init__(self):
        super().__init__()
        self.centres = nn.Parameter(torch.randn(4, 6))
        self.out = nn.Linear(4, 3)

    def forward(self, x):
        return self.out(torch.exp(-torch.cdist(x, self.centres)))


class Dropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.fc(self.drop(x))


class UnusedParameter(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)
        self.extra = nn.Parameter(torch.zeros(3))

    def forward(self, x):
        return self.fc(x)


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        y = self.fc(x)
        return y, y


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    codes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def save(module: torch.jit.ScriptModule, name: str) -> None:
    """Saves a TorchScript module without its source debug information (file names and line numbers of this
    script), so the files do not depend on where they were made; LibTorch loads them the same."""
    path = HERE / name
    module.save(str(path))
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist() if not info.filename.endswith(".debug_pkl")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:
        for info, data in entries:
            target.writestr(info, data)


def mean_loss(kind: str, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    if kind == "ce":
        return F.cross_entropy(outputs, targets)
    per_example = 0.5 * ((outputs - targets) ** 2).sum(dim=1)
    if kind == "mse-mean":
        per_example = per_example / outputs.shape[1]
    return per_example.mean()


def reference(name: str, module: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, loss: str, seed: int) -> dict:
    model = module.double().eval()
    named = sorted(model.named_parameters(), key=lambda p: p[0])
    params = [p for _, p in named]
    sizes = [p.numel() for p in params]
    count = sum(sizes)
    x = inputs.double()
    y = targets if loss == "ce" else targets.double()

    def split(v: np.ndarray):
        pieces, at = [], 0
        for p, n in zip(params, sizes):
            pieces.append(torch.from_numpy(v[at:at + n].copy()).view_as(p))
            at += n
        return pieces

    value = mean_loss(loss, model(x), y)
    grads = torch.autograd.grad(value, params, create_graph=True)
    gradient = torch.cat([g.reshape(-1) for g in grads]).detach().numpy()

    def hvp(v: np.ndarray) -> np.ndarray:
        out = torch.autograd.grad(grads, params, grad_outputs=split(np.asarray(v, dtype=np.float64).reshape(-1)), retain_graph=True)
        return torch.cat([o.reshape(-1) for o in out]).detach().numpy()

    dense = np.stack([hvp(e) for e in np.eye(count)], axis=1)
    asymmetry = float(np.abs(dense - dense.T).max())
    dense = 0.5 * (dense + dense.T)
    spectrum = np.linalg.eigvalsh(dense)

    operator = sla.LinearOperator((count, count), matvec=hvp, dtype=np.float64)
    start = np.random.default_rng(seed).standard_normal(count)
    top = np.sort(sla.eigsh(operator, k=3, which="LA", tol=1e-13, v0=start, return_eigenvectors=False))[::-1]
    bottom = np.sort(sla.eigsh(operator, k=2, which="SA", tol=1e-13, v0=start, return_eigenvectors=False))

    rng = np.random.default_rng(seed + 1)
    rademacher = rng.choice([-1.0, 1.0], size=(20, count))
    gaussian = rng.standard_normal((3, count))
    rademacher_forms = [float(v @ hvp(v)) for v in rademacher]
    gaussian_forms = [float(v @ hvp(v)) for v in gaussian]

    # Gauss-Newton G = J' (d2l/df2) J / N: build the output Jacobian [N*k, P] and the loss's output Hessian.
    with torch.no_grad():
        pass
    out = model(x)
    k = out.shape[1]
    rows = []
    for i in range(out.shape[0]):
        for c in range(k):
            g = torch.autograd.grad(out[i, c], params, retain_graph=True)
            rows.append(torch.cat([t.reshape(-1) for t in g]).detach().numpy())
    jacobian = np.stack(rows)
    f = out.detach().numpy()
    n = f.shape[0]
    blocks = np.zeros((n * k, n * k))
    for i in range(n):
        if loss == "ce":
            p = np.exp(f[i] - f[i].max())
            p /= p.sum()
            h = np.diag(p) - np.outer(p, p)
        else:
            h = np.eye(k) / (k if loss == "mse-mean" else 1)
        blocks[i * k:(i + 1) * k, i * k:(i + 1) * k] = h
    gauss_newton = jacobian.T @ blocks @ jacobian / n
    gauss_newton_top = float(np.linalg.eigvalsh(0.5 * (gauss_newton + gauss_newton.T))[-1])

    return {
        "name": name,
        "loss_kind": loss,
        "parameter_names": [n for n, _ in named],
        "parameter_count": count,
        "examples": int(x.shape[0]),
        "loss": float(value),
        "gradient_norm": float(np.linalg.norm(gradient)),
        "hessian_asymmetry": asymmetry,
        "spectrum": spectrum.tolist(),
        "eigsh_top": top.tolist(),
        "eigsh_bottom": bottom.tolist(),
        "trace": float(np.trace(dense)),
        "moments": [float(np.sum(spectrum ** m) / count) for m in range(1, 7)],
        "rademacher_probes": rademacher.tolist(),
        "rademacher_forms": rademacher_forms,
        "hutchinson_mean": float(np.mean(rademacher_forms)),
        "hutchinson_standard_error": float(np.std(rademacher_forms, ddof=1) / np.sqrt(len(rademacher_forms))),
        "gaussian_directions": gaussian.tolist(),
        "gaussian_forms": gaussian_forms,
        "gauss_newton_top": gauss_newton_top,
    }


def state_dict_entries(module: nn.Module) -> list[dict]:
    names = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
    return [{"name": k, "dtype": names[v.dtype], "shape": list(v.shape)} for k, v in module.state_dict().items()]


def gradient_descent(module: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, loss: str, lr: float, momentum: float, steps: int) -> dict:
    """Full-batch GD in float64 and evaluation mode with torch.optim.SGD: the mean loss at steps 0..T (before each
    update; T + 1 values) and the top Hessian eigenvalue at step T (dense, from Hessian-vector products)."""
    model = copy.deepcopy(module).double().eval()
    x = inputs.double()
    y = targets if loss == "ce" else targets.double()
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for step in range(steps + 1):
        optimiser.zero_grad()
        value = mean_loss(loss, model(x), y)
        losses.append(float(value))
        if step < steps:
            value.backward()
            optimiser.step()
    params = [p for _, p in sorted(model.named_parameters(), key=lambda p: p[0])]
    grads = torch.autograd.grad(mean_loss(loss, model(x), y), params, create_graph=True)
    rows = []
    for i in range(sum(p.numel() for p in params)):
        e = torch.zeros(sum(p.numel() for p in params), dtype=torch.float64)
        e[i] = 1
        pieces, at = [], 0
        for p in params:
            pieces.append(e[at:at + p.numel()].view_as(p))
            at += p.numel()
        hv = torch.autograd.grad(grads, params, grad_outputs=pieces, retain_graph=True)
        rows.append(torch.cat([h.reshape(-1) for h in hv]).detach().numpy())
    dense = np.stack(rows)
    top = float(np.linalg.eigvalsh(0.5 * (dense + dense.T))[-1])
    return {"lr": lr, "momentum": momentum, "steps": steps, "losses": losses, "final_top_eigenvalue": top}


def make(name, module, inputs, targets, loss, seed, trace=False, training=None):
    module.eval()
    state = state_dict_entries(module)
    exported = torch.jit.trace(module, inputs) if trace else torch.jit.script(module)
    save(exported, f"{name}.pt")
    write_safetensors(HERE / f"{name}.safetensors", {"inputs": inputs, "targets": targets})
    ref = reference(name, copy.deepcopy(module), inputs, targets, loss, seed)
    ref["export"] = "trace" if trace else "script"
    ref["state_dict"] = state
    for key, (lr, momentum, steps) in (training or {}).items():
        ref[key] = gradient_descent(module, inputs, targets, loss, lr, momentum, steps)
    lines = [f" {json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}" for key, value in ref.items()]
    (HERE / f"{name}.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    top, tr = ref["spectrum"][-1], ref["trace"]
    print(f"{name}: P = {ref['parameter_count']}, loss {ref['loss']:.6g}, top {top:.6g}, trace {tr:.6g}, asymmetry {ref['hessian_asymmetry']:.1e}")


def one_hot(labels: torch.Tensor, k: int) -> torch.Tensor:
    return F.one_hot(labels, k).to(torch.float32)


def main() -> None:
    torch.manual_seed(0)
    n = 24
    x = torch.randn(n, 6)
    mlp = Mlp()
    labels = torch.randint(0, 3, (n,))
    make("mlp", mlp, x, one_hot(labels, 3), "mse-sum", 10,
         training={"gradient_descent": (0.3, 0.0, 5), "momentum": (0.1, 0.9, 5)})
    np.save(HERE / "mlp_inputs.npy", x.numpy())
    np.save(HERE / "mlp_labels.npy", labels.numpy())
    np.save(HERE / "fortran.npy", np.asfortranarray(x.numpy()[:4]))
    np.save(HERE / "big_endian.npy", x.numpy()[:4].astype(">f8"))

    torch.manual_seed(1)
    cnn = Cnn()
    with torch.no_grad():  # running statistics as after some training, so evaluation mode is not the identity
        cnn.bn.running_mean.copy_(torch.tensor([0.1, -0.2, 0.05]))
        cnn.bn.running_var.copy_(torch.tensor([0.8, 1.3, 0.6]))
    make("cnn", cnn, torch.randn(16, 1, 8, 8), torch.randint(0, 3, (16,)), "ce", 20,
         training={"gradient_descent": (0.5, 0.0, 5)})

    torch.manual_seed(2)
    make("residual", Residual(), torch.randn(20, 5), torch.randn(20, 2), "mse-mean", 30, trace=True)

    torch.manual_seed(3)
    make("attention", Attention(), torch.randn(12, 4, 8), torch.randint(0, 3, (12,)), "ce", 40)

    torch.manual_seed(4)
    save(torch.jit.script(NeedsGpu()), "needs_gpu.pt")
    save(torch.jit.script(Cdist()), "cdist.pt")
    save(torch.jit.trace(Dropout().train(), torch.randn(2, 6), check_trace=False), "random_output.pt")
    save(torch.jit.script(TwoOutputs()), "two_outputs.pt")
    save(torch.jit.script(UnusedParameter()), "unused_parameter.pt")


if __name__ == "__main__":
    main()
