#!/usr/bin/env python3
"""Side-by-side timing of one Hessian-vector product: plain PyTorch against the Sharpness toolkit.

The network is the MLP 784-W-W-10 (default W = 512) with biases and tanh, the loss
L = (1/N) sum_i 1/2 sum_classes (f(x_i) - y_i)^2 on N = 1000 examples (one batch), and one HVP is
H v by double backward: g = grad(L, theta, create_graph=True), H v = grad(g, theta, grad_outputs=v)
(the vector-Jacobian product of g with v, which equals grad(g . v, theta) without the dot product's graph).

This script draws the weights (W ~ N(0, 1/fan_in), biases ~ N(0, 0.1^2)), Gaussian inputs, one-hot
targets and a random unit vector v with numpy from a seed and writes them as raw little-endian
float64 files in the toolkit's parameter layout (parameters sorted by name: layers.0.bias,
layers.0.weight [out, in], layers.1.bias, ...). Both sides cast the same float64 values to the
dtype under test.

The toolkit side runs `Sharpness.Bench.dll hvp`, which times
  api  AutogradHessianOperator.Apply(double[] v, double[] Hv): what the toolkit's eigen-solvers
       pay per product, including copying v into LibTorch tensors and H v back into a double[];
  raw  the same double backward on tensors that stay in LibTorch (no copies),
alternately, one product each. PyTorch times the double backward on tensors (no copies). The
script checks that both give the same H v (relative 2-norm difference <= 1e-10 in float64,
<= 1e-4 in float32) and prints Markdown tables of median milliseconds per product and ratios.

Both sides use the same number of intra-op threads (--threads, default 1). With --rounds R the
two sides are run alternately R times and the medians are taken over all pooled samples.

The script builds nothing: build the bench project first,
  dotnet build -c Release bench/Sharpness.Bench/Sharpness.Bench.csproj
and run this file with a Python that has torch and numpy (on Debian 12: /usr/bin/python3).

Debian's torch 1.13 is built with BLAS_INFO=generic and calls whatever libblas.so.3 the system
alternative points at; with the reference (netlib) BLAS every matrix product is several times
slower than with an optimised one. The script prints the BLAS library it loaded. For a fair
comparison install Debian's libopenblas0-pthread (which becomes the libblas.so.3 alternative), or unpack
it and run
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=<dir with its libblas.so.3> /usr/bin/python3 hvp_side_by_side.py
The toolkit side uses its default BLAS (--toolkit-blas auto: OpenBLAS when it is installed and the processor is
not Intel's, LibTorch's own MKL otherwise; the row says which it chose); --toolkit-blas libtorch openblas (or any
of the three) times each choice, one row each.
Keep OPENBLAS_NUM_THREADS=1 also with --threads 2: torch calls the BLAS from its own threads, and
OpenBLAS threads nested inside them oversubscribe the cores (measured: slower than one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
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

INPUTS = 784
OUTPUTS = 10
RATIO_TARGET = 1.1
HV_RTOL = {"float64": 1e-10, "float32": 1e-4}
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def draw(width: int, examples: int, seed: int):
    """Layers as (weight [out, in], bias [out]) in float64, inputs, one-hot targets and a unit v."""
    rng = np.random.default_rng(seed)
    dims = [INPUTS, width, width, OUTPUTS]
    layers = []
    for fan_in, fan_out in zip(dims[:-1], dims[1:]):
        w = rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)
        b = 0.1 * rng.standard_normal(fan_out)
        layers.append((w, b))
    x = rng.standard_normal((examples, INPUTS))
    y = np.zeros((examples, OUTPUTS))
    y[np.arange(examples), rng.integers(0, OUTPUTS, examples)] = 1.0
    count = sum(w.size + b.size for w, b in layers)
    v = rng.standard_normal(count)
    v /= np.linalg.norm(v)
    return layers, x, y, v


def flat_layout(layers):
    """The toolkit's flat order: parameters sorted by name (layers.{l}.bias before layers.{l}.weight)."""
    pieces = []
    for w, b in layers:
        pieces += [b.ravel(), w.ravel()]
    return np.concatenate(pieces)


def split_like(vector: np.ndarray, layers):
    """Inverse of flat_layout for a vector: [(w-shaped, b-shaped), ...]."""
    out, offset = [], 0
    for w, b in layers:
        vb = vector[offset:offset + b.size].reshape(b.shape)
        offset += b.size
        vw = vector[offset:offset + w.size].reshape(w.shape)
        offset += w.size
        out.append((vw, vb))
    return out


class TorchHvp:
    """H v of the mean half squared error of the tanh MLP, by double backward, all in tensors."""

    def __init__(self, layers, x, y, v, dtype):
        self.params = []
        for w, b in layers:
            self.params += [torch.tensor(w, dtype=dtype, requires_grad=True),
                            torch.tensor(b, dtype=dtype, requires_grad=True)]
        self.x = torch.tensor(x, dtype=dtype)
        self.y = torch.tensor(y, dtype=dtype)
        self.v = []
        for vw, vb in split_like(v, layers):
            self.v += [torch.tensor(vw, dtype=dtype), torch.tensor(vb, dtype=dtype)]

    def loss(self):
        h = self.x
        n_layers = len(self.params) // 2
        for l in range(n_layers):
            w, b = self.params[2 * l], self.params[2 * l + 1]
            h = torch.nn.functional.linear(h, w, b)
            if l < n_layers - 1:
                h = torch.tanh(h)
        return 0.5 * (h - self.y).square().sum() / self.x.shape[0]

    def apply(self):
        g = torch.autograd.grad(self.loss(), self.params, create_graph=True)
        return torch.autograd.grad(g, self.params, grad_outputs=self.v)

    def flat(self, product) -> np.ndarray:
        """H v in the toolkit's flat layout, as float64."""
        pieces = []
        for l in range(len(product) // 2):
            pieces += [product[2 * l + 1].detach().double().numpy().ravel(),
                       product[2 * l].detach().double().numpy().ravel()]
        return np.concatenate(pieces)


def time_torch(hvp: TorchHvp, repeats: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        hvp.apply()
    ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        hvp.apply()
        ms.append(1e3 * (time.perf_counter() - start))
    return ms


def run_toolkit(dotnet: str, dtype: str, blas: str, files: dict, output: Path, args) -> dict:
    cmd = [dotnet, str(BENCH_DLL), "hvp", "--dtype", dtype, "--blas", blas, "--repeats", str(args.repeats),
           "--warmup", str(args.warmup), "--threads", str(args.threads), "--width", str(args.width),
           "--weights", str(files["weights"]), "--data", str(files["data"]), "--vector", str(files["vector"]),
           "--output", str(output)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"toolkit hvp mode failed (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def libtorch_version() -> str:
    props = (REPO_ROOT / "Directory.Packages.props").read_text()
    ts = re.search(r'Include="TorchSharp" Version="([^"]+)"', props)
    lt = re.search(r'Include="libtorch-cpu-linux-x64" Version="([^"]+)"', props)
    return f"TorchSharp {ts.group(1) if ts else '?'} on LibTorch {lt.group(1) if lt else '?'}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def blas_library() -> str:
    """The BLAS shared library this process has loaded (after a matrix product), from /proc/self/maps."""
    torch.ones(2, 2, dtype=torch.float64) @ torch.ones(2, 2, dtype=torch.float64)
    try:
        paths = {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
                 if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(paths)) or "none found"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"], choices=list(DTYPES))
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=51, help="timed products per side and round")
    parser.add_argument("--warmup", type=int, default=5, help="untimed products per side and round")
    parser.add_argument("--rounds", type=int, default=1, help="alternate toolkit and PyTorch this many times")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads on both sides")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--toolkit-blas", nargs="+", default=["auto"], choices=["auto", "libtorch", "openblas"],
                        help="the toolkit's BLAS (its --blas): its default, LibTorch's own MKL, OpenBLAS, one row each")
    args = parser.parse_args()

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

    torch.set_num_threads(args.threads)
    dotnet_version = subprocess.run([dotnet, "--version"], capture_output=True, text=True).stdout.strip()
    blas = blas_library()
    if "openblas" in blas and os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("warning: OpenBLAS is loaded without OPENBLAS_NUM_THREADS=1; its threads nest inside torch's "
              "and oversubscribe the cores", file=sys.stderr)
    print(f"{cpu_model()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"torch {torch.__version__}, numpy {np.__version__}, Python {platform.python_version()}; "
          f"dotnet {dotnet_version}, {libtorch_version()}; {args.threads} thread(s) on both sides; "
          f"PyTorch BLAS: {blas}", flush=True)

    layers, x, y, v = draw(args.width, args.examples, args.seed)
    rows, checks, ok = [], [], True
    with tempfile.TemporaryDirectory(prefix="hvp-side-by-side-") as tmp:
        files = {"weights": Path(tmp) / "weights.f64", "data": Path(tmp) / "data.f64", "vector": Path(tmp) / "v.f64"}
        flat_layout(layers).astype("<f8").tofile(files["weights"])
        np.concatenate([x.ravel(), y.ravel()]).astype("<f8").tofile(files["data"])
        v.astype("<f8").tofile(files["vector"])

        for dtype in args.dtypes:
            hvp = TorchHvp(layers, x, y, v, DTYPES[dtype])
            api = {b: [] for b in args.toolkit_blas}
            raw = {b: [] for b in args.toolkit_blas}
            py, toolkit = [], {}
            for _ in range(args.rounds):
                for b in args.toolkit_blas:
                    toolkit[b] = run_toolkit(dotnet, dtype, b, files, Path(tmp) / f"hv-{dtype}-{b}.f64", args)
                    api[b] += toolkit[b]["api_ms"]
                    raw[b] += toolkit[b]["raw_ms"]
                py += time_torch(hvp, args.repeats, args.warmup)
            hv_torch = hvp.flat(hvp.apply())
            py_m = statistics.median(py)
            for b in args.toolkit_blas:
                hv_toolkit = np.fromfile(Path(tmp) / f"hv-{dtype}-{b}.f64", dtype="<f8")
                rel = float(np.linalg.norm(hv_toolkit - hv_torch) / np.linalg.norm(hv_torch))
                passed = rel <= HV_RTOL[dtype]
                ok &= passed
                checks.append((f"{dtype}, {b}", toolkit[b]["parameters"], rel, HV_RTOL[dtype], passed))
                api_m, raw_m = statistics.median(api[b]), statistics.median(raw[b])
                rows.append((f"{dtype} | {b}", api_m, raw_m, py_m, api_m / py_m, raw_m / py_m, len(py)))
                print(f"toolkit {dtype} --blas {b}: {toolkit[b].get('blas', '?')}; {toolkit[b].get('blas_reason') or ''}; {toolkit[b].get('blas_check') or ''}", flush=True)

    print()
    print(f"MLP {INPUTS}-{args.width}-{args.width}-{OUTPUTS} (tanh, bias), {args.examples} examples in one batch, "
          f"loss mean 1/2 sum (f - y)^2, one HVP = double backward; {args.threads} thread(s) each side; "
          f"median of {rows[0][6] if rows else 0} products per side")
    print()
    print("| dtype | toolkit BLAS | toolkit `Apply` (ms, incl. copies) | TorchSharp raw (ms, no copies) | PyTorch (ms) "
          "| ratio `Apply` / PyTorch | ratio raw / PyTorch | target ≤ 1.1 |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for dtype, api_m, raw_m, py_m, ratio, raw_ratio, _ in rows:
        met = "met" if ratio <= RATIO_TARGET else "not met"
        print(f"| {dtype} | {api_m:.1f} | {raw_m:.1f} | {py_m:.1f} | {ratio:.2f} | {raw_ratio:.2f} | {met} |")
    print()
    print("| dtype, toolkit BLAS | parameters | ‖Hv_toolkit − Hv_torch‖ / ‖Hv_torch‖ | tolerance | agrees |")
    print("|---|---:|---:|---:|---|")
    for dtype, p, rel, tol, passed in checks:
        print(f"| {dtype} | {p} | {rel:.2e} | {tol:.0e} | {'yes' if passed else 'NO'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
