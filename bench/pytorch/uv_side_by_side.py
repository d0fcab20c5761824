#!/usr/bin/env python3
"""Side-by-side timing of the UV model: a plain PyTorch implementation against the Sharpness toolkit.

The model is the reduced UV model f = u.v / s with s = sqrt(n) (NTP, x = [1]), target y = 1,
learning rate eta = 0.5, initial u, v ~ N(0, 1) drawn here with numpy from a seed.

Per gradient-descent step, PyTorch (float64) does what one would write by hand:
  forward f = u.v / s, loss = 1/2 (f - y)^2, autograd gradient (create_graph=True), the
  sharpness (top Hessian eigenvalue) by 20 power-iteration steps on autograd Hessian-vector
  products (double backward: grad of g.w), then the GD update.
The power iteration is warm-started from the previous step's vector (cheaper and better
converged than a fresh random start, so this favours PyTorch). PyTorch's time for the bare GD
step (no sharpness) is reported as well, for context.

The toolkit side runs `Sharpness.Bench.dll side-by-side`, which does GD steps plus the
closed-form sharpness on the same initial weights (passed as raw little-endian float64 u then v)
and prints JSON. The script checks that both agree (f and NTK after T steps to 1e-10 relative;
power-iteration sharpness against the closed form to 1e-6 relative, at the initial and the final
weights), then prints Markdown tables.

Times are the median over repeats of (wall time of T steps) / T, each repeat starting from the
same initial weights after a warm-up. The script builds nothing: build the bench project first,
  dotnet build -c Release bench/Sharpness.Bench/Sharpness.Bench.csproj
and run this file with a Python that has torch and numpy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_PROJECT = REPO_ROOT / "bench" / "Sharpness.Bench"
BENCH_DLL = BENCH_PROJECT / "bin" / "Release" / "net10.0" / "Sharpness.Bench.dll"

POWER_ITERATIONS = 20
OUTPUT_NTK_RTOL = 1e-10
SHARPNESS_RTOL = 1e-6
SPEEDUP_TARGET = 100.0


def loss_and_grad(u: torch.Tensor, v: torch.Tensor, s: float, y: float, create_graph: bool):
    f = torch.dot(u, v) / s
    loss = 0.5 * (f - y) ** 2
    gu, gv = torch.autograd.grad(loss, (u, v), create_graph=create_graph)
    return f, loss, gu, gv


def power_iteration(u, v, gu, gv, wu, wv, iterations: int = POWER_ITERATIONS):
    """Top Hessian eigenvalue by power iteration on Hessian-vector products.

    (gu, gv) must be the gradient built with create_graph=True; (wu, wv) is a unit start vector.
    Returns the Rayleigh quotient of the last iterate and the next (normalised) vector.
    """
    eig = torch.zeros((), dtype=u.dtype)
    for _ in range(iterations):
        hu, hv = torch.autograd.grad(torch.dot(gu, wu) + torch.dot(gv, wv), (u, v), retain_graph=True)
        eig = torch.dot(hu, wu) + torch.dot(hv, wv)
        norm = torch.sqrt(torch.dot(hu, hu) + torch.dot(hv, hv))
        wu, wv = hu / norm, hv / norm
    return eig, wu, wv


def unit_start_vector(n: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(2 * n, dtype=torch.float64, generator=gen)
    w /= torch.linalg.vector_norm(w)
    return w[:n].clone(), w[n:].clone()


def train_with_sharpness(u0, v0, s, y, eta, steps, w0):
    """T steps of GD with per-step power-iteration sharpness; returns the final (u, v) and the last sharpness."""
    u = u0.clone().requires_grad_(True)
    v = v0.clone().requires_grad_(True)
    wu, wv = w0
    eig = None
    for _ in range(steps):
        _, _, gu, gv = loss_and_grad(u, v, s, y, create_graph=True)
        eig, wu, wv = power_iteration(u, v, gu, gv, wu, wv)
        with torch.no_grad():
            u -= eta * gu
            v -= eta * gv
    return u.detach(), v.detach(), eig


def train_plain(u0, v0, s, y, eta, steps):
    """T steps of GD only."""
    u = u0.clone().requires_grad_(True)
    v = v0.clone().requires_grad_(True)
    for _ in range(steps):
        _, _, gu, gv = loss_and_grad(u, v, s, y, create_graph=False)
        with torch.no_grad():
            u -= eta * gu
            v -= eta * gv
    return u.detach(), v.detach()


def time_per_step(fn, steps: int, repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    per_step = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        per_step.append((time.perf_counter() - start) / steps)
    return statistics.median(per_step)


def state_of(u, v, s, y, w0):
    """f, NTK and power-iteration sharpness at (u, v)."""
    u = u.clone().requires_grad_(True)
    v = v.clone().requires_grad_(True)
    f, _, gu, gv = loss_and_grad(u, v, s, y, create_graph=True)
    eig, _, _ = power_iteration(u, v, gu, gv, *w0)
    with torch.no_grad():
        ntk = (torch.dot(u, u) + torch.dot(v, v)) / (s * s)
    return float(f), float(ntk), float(eig)


def run_toolkit(dotnet: str, weights: Path, n: int, args) -> dict:
    cmd = [dotnet, str(BENCH_DLL), "side-by-side", "--width", str(n), "--steps", str(args.steps_for(n)),
           "--repeats", str(args.toolkit_repeats), "--eta", repr(args.eta), "--target", repr(args.target),
           "--weights", str(weights)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"toolkit side-by-side mode failed (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=None,
                        help="GD steps per timed repeat (default: 100 for n <= 1e5, else 20)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of the PyTorch loops")
    parser.add_argument("--toolkit-repeats", type=int, default=21, help="timed repeats of the toolkit loop")
    parser.add_argument("--eta", type=float, default=0.5)
    parser.add_argument("--target", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: the CPUs this process may run on)")
    args = parser.parse_args()
    args.steps_for = lambda n: args.steps if args.steps is not None else (100 if n <= 100_000 else 20)

    if not BENCH_DLL.is_file():
        print(f"error: {BENCH_DLL.relative_to(REPO_ROOT)} not found. Build the bench project in Release first:\n"
              f"  dotnet build -c Release bench/Sharpness.Bench/Sharpness.Bench.csproj", file=sys.stderr)
        return 2
    newest_source = max(p.stat().st_mtime for p in BENCH_PROJECT.glob("*.cs"))
    if newest_source > BENCH_DLL.stat().st_mtime:
        print("warning: bench sources are newer than the Release build; rebuild for current numbers", file=sys.stderr)
    dotnet = shutil.which("dotnet")
    if dotnet is None:
        print("error: dotnet not found on PATH", file=sys.stderr)
        return 2

    threads = args.threads or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    dotnet_version = subprocess.run([dotnet, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {np.__version__}, "
          f"Python {platform.python_version()}, dotnet {dotnet_version}, {os.cpu_count()} CPUs", flush=True)

    rows = []
    checks = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="uv-side-by-side-") as tmp:
        for n in args.widths:
            steps = args.steps_for(n)
            s = math.sqrt(n)
            rng = np.random.default_rng(args.seed)
            u_np = rng.standard_normal(n)
            v_np = rng.standard_normal(n)
            weights = Path(tmp) / f"uv-{n}.f64"
            np.concatenate([u_np, v_np]).astype("<f8").tofile(weights)
            u0 = torch.from_numpy(u_np.copy())
            v0 = torch.from_numpy(v_np.copy())
            w0 = unit_start_vector(n, args.seed + 1)

            print(f"n = {n}: PyTorch, {steps} steps x {args.repeats} repeats ...", flush=True)
            t_sharp = time_per_step(lambda: train_with_sharpness(u0, v0, s, args.target, args.eta, steps, w0),
                                    steps, args.repeats, warmup=1)
            t_plain = time_per_step(lambda: train_plain(u0, v0, s, args.target, args.eta, steps),
                                    steps, args.repeats, warmup=1)
            print(f"n = {n}: toolkit, {steps} steps x {args.toolkit_repeats} repeats ...", flush=True)
            toolkit = run_toolkit(dotnet, weights, n, args)
            t_toolkit = toolkit["seconds_per_step_median"]

            # Numerical agreement: the same T steps from the same weights.
            u_T, v_T, _ = train_with_sharpness(u0, v0, s, args.target, args.eta, steps, w0)
            f0, ntk0, eig0 = state_of(u0, v0, s, args.target, w0)
            fT, ntkT, eigT = state_of(u_T, v_T, s, args.target, w0)
            check = {
                "n": n,
                "f0": rel(f0, toolkit["initial_output"]),
                "ntk0": rel(ntk0, toolkit["initial_ntk"]),
                "fT": rel(fT, toolkit["output"]),
                "ntkT": rel(ntkT, toolkit["ntk"]),
                "sharp0": rel(eig0, toolkit["initial_sharpness"]),
                "sharpT": rel(eigT, toolkit["sharpness"]),
                "values": (f0, ntk0, eig0, fT, ntkT, eigT, toolkit["initial_sharpness"], toolkit["sharpness"]),
            }
            check["pass"] = (max(check["f0"], check["ntk0"], check["fT"], check["ntkT"]) <= OUTPUT_NTK_RTOL
                             and max(check["sharp0"], check["sharpT"]) <= SHARPNESS_RTOL)
            ok &= check["pass"]
            checks.append(check)
            rows.append((n, steps, t_plain, t_sharp, t_toolkit))

    print()
    print("| n | steps x repeats (PyTorch / toolkit) | PyTorch GD only (ms/step) | PyTorch GD + 20-step power-iteration λ_H (ms/step) "
          "| Sharpness GD + closed-form λ_H (ms/step) | speed-up | ≥ 100×? |")
    print("|---:|---|---:|---:|---:|---:|:---:|")
    for n, steps, t_plain, t_sharp, t_toolkit in rows:
        ratio = t_sharp / t_toolkit
        print(f"| {n:,} | {steps} x {args.repeats} / {steps} x {args.toolkit_repeats} | {t_plain * 1e3:.4g} | {t_sharp * 1e3:.4g} "
              f"| {t_toolkit * 1e3:.4g} | {ratio:,.0f}× | {'yes' if ratio >= SPEEDUP_TARGET else 'no'} |")

    print()
    print(f"Agreement (relative differences; f, λ within {OUTPUT_NTK_RTOL:g}, power iteration vs closed form within {SHARPNESS_RTOL:g}):")
    print()
    print("| n | f at init | λ at init | f after T | λ after T | λ_H at init (PI vs closed form) | λ_H after T (PI vs closed form) | pass |")
    print("|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for c in checks:
        print(f"| {c['n']:,} | {c['f0']:.1e} | {c['ntk0']:.1e} | {c['fT']:.1e} | {c['ntkT']:.1e} "
              f"| {c['sharp0']:.1e} | {c['sharpT']:.1e} | {'yes' if c['pass'] else 'NO'} |")
    print()
    for c in checks:
        f0, ntk0, eig0, fT, ntkT, eigT, h0, hT = c["values"]
        print(f"n = {c['n']:,}: init f = {f0:.12g}, λ = {ntk0:.12g}, λ_H = {eig0:.12g} (PI) / {h0:.12g} (closed form); "
              f"after T: f = {fT:.12g}, λ = {ntkT:.12g}, λ_H = {eigT:.12g} (PI) / {hT:.12g} (closed form)")
    if not ok:
        print("\nNUMERICAL CHECK FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
