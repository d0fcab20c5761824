#!/usr/bin/env python3
"""Side by side: the toolkit's `net spectrum` against PyHessian's algorithms in PyTorch, on the same model and data.

The model is the ResNet-style network of docs/torchscript.md (bench/pytorch/resnet_export.py: 19,810 parameters,
batch norm in evaluation mode) on the first N Fashion-MNIST training images (default 256), with mean softmax
cross-entropy; everything in float64 on the CPU with the same number of threads on both sides (--threads, default 1;
PyTorch's matrix products in OpenBLAS with one thread of its own, OPENBLAS_NUM_THREADS=1 unless set).

PyTorch side: PyHessian's algorithms (github.com/amirgholami/PyHessian, pyhessian/hessian.py), written out again here
as that file describes them, for its single-batch mode: the model in evaluation mode, the gradient built once with
create_graph=True and every Hessian-vector product one autograd.grad through that graph with retain_graph=True.
  * top-k eigenvalues: power iteration from a Gaussian vector, orthogonalised against the eigenvectors found so far
    before every product, stopped when the Rayleigh quotient changes by less than tol relative to the previous one
    (|a - b| / (|a| + 1e-6) < tol), at most maxIter = 100 products per eigenvalue; run at PyHessian's default
    tol = 1e-3 and at tol = 1e-6.
  * trace: Hutchinson with Rademacher probes, stopped when the running mean changes by less than tol = 1e-3 relative
    (PyHessian's default), at most 100 probes.
  * density: stochastic Lanczos quadrature, n_v = 1 Rademacher start vector, iter = 100 Lanczos steps with full
    re-orthogonalisation, nodes the eigenvalues of the tridiagonal matrix, weights the squared first components.
Toolkit side: `sharpness net spectrum --torchscript resnet.pt --data ... --loss ce --threads T`, once with
--tolerance 1e-3 (relative residual) and once with --tolerance 1e-6 plus --trace (relative standard error 0.01, at
most 100 probes) and --density (1 probe, 100 steps); its products are exact Hessian-vector products through LibTorch
2.10 (the kept single-batch graph, as PyHessian), its eigen-solver Lanczos with full re-orthogonalisation. These two
runs come first, once per --toolkit-blas choice (default auto: the toolkit's own default BLAS on this machine, which is
OpenBLAS on processors other than Intel's; libtorch: LibTorch's MKL; openblas), given to the toolkit through
SHARPNESS_BLAS; every toolkit row names the BLAS its process used, as its manifest records it.
Reference eigenvalues: scipy's eigsh (ARPACK, tol 1e-10) on the PyTorch products, both the largest (which="LA",
what the toolkit's --top-k means) and the largest in magnitude (which="LM", what power iteration converges to: a
negative eigenvalue larger in magnitude than the k-th largest takes its place in PyHessian's list).
PyHessian builds the gradient graph once per `hessian` object and each toolkit run at its first product, so the
graph's time is added to both power-iteration rows.

Reported: every answer with its error against the reference, the number of Hessian-vector products, the time
per product, wall and processor (the machine is shared, so processor time is the fairer measure), the processor time
in total, the load average along the way, and every answer in full (JSON) with the products eigsh needed. The script exits
with status 1 when an answer disagrees: the toolkit's top-k at tolerance 1e-6 against eigsh beyond 1e-6 relative,
the two trace estimates beyond 4 combined standard errors, or the largest density node against the top eigenvalue
beyond 1e-6 relative.

With --per-product ROUNDS the script times single products instead, alternating ROUNDS times: a toolkit process
(`Sharpness.Bench.dll hvp-script`: the same module and data loaded as `net spectrum` loads them, --warmup products,
then --repeats products of each of `AutogradHessianOperator.Apply` and of the bare `autograd.grad` through the kept
graph, alternately) and --repeats PyTorch products (PyHessian's, after --warmup of their own). Every product is timed
on its own, wall and processor time of the whole process (CLOCK_PROCESS_CPUTIME_ID on both sides); the medians over
all rounds and their ratios are printed, with the load average at the start of every round. With --toolkit-blas
libtorch openblas each round runs the toolkit twice, with LibTorch's MKL and with OpenBLAS for its matrix products
(default auto: the toolkit's default here; each row names the choice and, for auto, the backend it resolved to);
with --toolkit-heap tuned default, with glibc's malloc thresholds set as `sharpness` sets them (Sharpness.Nets.NativeHeap)
and with glibc's defaults (both lists combine).

Usage (Debian's Python, which has torch 1.13, numpy and scipy; build the CLI first with
`dotnet build -c Release src/Sharpness.Cli`, and for --per-product the benchmarks with
`dotnet build -c Release bench/Sharpness.Bench`):
  /usr/bin/python3 bench/pytorch/pyhessian_side_by_side.py [--examples 256] [--top-k 3] [--threads 1] [--seed 0]
      [--toolkit-blas auto|libtorch|openblas ...]
  /usr/bin/python3 bench/pytorch/pyhessian_side_by_side.py --per-product 5 [--repeats 11] [--warmup 2]
      [--toolkit-blas auto|libtorch|openblas ...] [--toolkit-heap tuned|default ...] [--examples 256] [--threads 1]
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Debian's torch does its matrix products in OpenBLAS, whose own threads would run beside torch's (and spin while
# idle, which counts as processor time): one OpenBLAS thread, torch's --threads, as bench/pytorch/hvp_side_by_side.py.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse.linalg as sla  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "src" / "Sharpness.Cli" / "bin" / "Release" / "net10.0" / "sharpness.dll"
BENCH = REPO / "bench" / "Sharpness.Bench" / "bin" / "Release" / "net10.0" / "Sharpness.Bench.dll"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from resnet_export import main as export_main  # noqa: E402
from torchscript_checkpoint_check import read_safetensors  # noqa: E402


class Products:
    """PyHessian's single-batch Hessian-vector product, counted and timed."""

    def __init__(self, model, inputs, targets):
        self.params = [p for p in model.parameters() if p.requires_grad]
        wall, cpu = time.perf_counter(), time.process_time()
        loss = F.cross_entropy(model(inputs), targets)
        self.grads = torch.autograd.grad(loss, self.params, create_graph=True)
        self.graph_wall, self.graph_cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.count = 0
        self.wall = 0.0
        self.cpu = 0.0

    def __call__(self, v):
        wall, cpu = time.perf_counter(), time.process_time()
        hv = torch.autograd.grad(self.grads, self.params, grad_outputs=v, retain_graph=True)
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.count += 1
        return [h.detach() for h in hv]

    def reset(self):
        self.count, self.wall, self.cpu = 0, 0.0, 0.0


def dot(xs, ys):
    return sum(float((x * y).sum()) for x, y in zip(xs, ys))


def normalised(v):
    norm = math.sqrt(dot(v, v))
    return [x / (norm + 1e-6) for x in v]


def orthonormalised(w, basis):
    for b in basis:
        c = dot(w, b)
        w = [x - c * y for x, y in zip(w, b)]
    return normalised(w)


def power_iteration(hvp, k, tol, max_iter=100):
    values, vectors = [], []
    for _ in range(k):
        value = None
        v = normalised([torch.randn_like(p) for p in hvp.params])
        for _ in range(max_iter):
            v = orthonormalised(v, vectors)
            hv = hvp(v)
            current = dot(hv, v)
            v = normalised(hv)
            if value is not None and abs(value - current) / (abs(value) + 1e-6) < tol:
                break
            value = current
        values.append(value)
        vectors.append(v)
    return values


def rademacher(params):
    return [torch.randint_like(p, high=2) * 2 - 1 for p in params]


def hutchinson(hvp, tol=1e-3, max_iter=100):
    samples, mean = [], 0.0
    for _ in range(max_iter):
        v = rademacher(hvp.params)
        samples.append(dot(hvp(v), v))
        if abs(np.mean(samples) - mean) / (abs(mean) + 1e-6) < tol:
            break
        mean = float(np.mean(samples))
    return samples


def slq(hvp, steps=100):
    v = normalised(rademacher(hvp.params))
    basis, alphas, betas = [v], [], []
    w = None
    for i in range(steps):
        if i > 0:
            beta = math.sqrt(dot(w, w))
            betas.append(beta)
            v = orthonormalised(w if beta != 0 else [torch.randn_like(p) for p in hvp.params], basis)
            basis.append(v)
        hv = hvp(v)
        alpha = dot(hv, v)
        alphas.append(alpha)
        w = [a - alpha * b for a, b in zip(hv, v)]
        if i > 0:
            w = [a - betas[-1] * b for a, b in zip(w, basis[-2])]
    t = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
    nodes, vectors = np.linalg.eigh(t)
    return nodes, vectors[0, :] ** 2


def toolkit(model, data, out, threads, seed, blas, *extra):
    """One `net spectrum` process with its BLAS chosen by SHARPNESS_BLAS (auto: the toolkit's default on this machine)."""
    command = ["dotnet", str(CLI), "net", "spectrum", "--torchscript", str(model), "--data", str(data), "--loss", "ce",
               "--threads", str(threads), "--seed", str(seed), "--no-gauss-newton", "--out", str(out), "--json", *extra]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "SHARPNESS_BLAS": blas})
    if done.returncode != 0:
        raise SystemExit(f"toolkit failed ({done.returncode}): {done.stderr}")
    manifest = json.loads((out / "manifest.json").read_text())
    # The BLAS the process used, as its manifest records it (builds before it was recorded: what was asked for).
    used = manifest.get("configuration", {}).get("blas") or f"{blas} (not recorded)"
    return manifest["results"], used


def process_seconds():
    return time.clock_gettime(time.CLOCK_PROCESS_CPUTIME_ID)


def median(values):
    return float(np.median(np.asarray(values)))


def per_product(args, model_file, data_file, model, inputs, targets) -> int:
    """Single products, toolkit process and PyTorch alternating, args.per_product rounds."""
    if not BENCH.exists():
        print(f"{BENCH} is missing: run `dotnet build -c Release bench/Sharpness.Bench` first", file=sys.stderr)
        return 2
    hvp = Products(model, inputs, targets)
    generator = torch.Generator().manual_seed(args.seed)
    v = normalised([torch.randn(p.shape, dtype=p.dtype, generator=generator) for p in hvp.params])
    samples = {"pytorch": ([], [])}
    variants = [(blas, heap) for blas in args.toolkit_blas for heap in args.toolkit_heap]
    loads = []
    for _ in range(args.warmup):
        hvp(v)
    for round_ in range(args.per_product):
        loads.append(os.getloadavg()[0])
        for blas, heap in variants:
            command = ["dotnet", str(BENCH), "hvp-script", "--model", str(model_file), "--data", str(data_file),
                       "--repeats", str(args.repeats), "--warmup", str(args.warmup), "--threads", str(args.threads),
                       "--blas", blas, "--heap", heap, "--seed", str(args.seed + 1)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"toolkit failed ({done.returncode}): {done.stderr}")
            result = json.loads(done.stdout)
            label = blas if blas == result["blas_backend"] else f"{blas}: {result['blas_backend']}"
            for kind in ("api", "raw"):
                wall, cpu = samples.setdefault(f"toolkit {kind} ({label}, heap {heap})", ([], []))
                wall.extend(result[f"{kind}_wall_s"])
                cpu.extend(result[f"{kind}_cpu_s"])
        for _ in range(args.repeats):
            wall, cpu = time.perf_counter(), process_seconds()
            hvp(v)
            samples["pytorch"][1].append(process_seconds() - cpu)
            samples["pytorch"][0].append(time.perf_counter() - wall)
        print(f"round {round_ + 1} of {args.per_product} done (load average at its start {loads[-1]:.1f})", file=sys.stderr)
    loads.append(os.getloadavg()[0])

    size = sum(p.numel() for p in hvp.params)
    print(f"\nResNet-style network, {size} parameters, {args.examples} Fashion-MNIST images, cross-entropy, float64, "
          f"{args.threads} thread(s) on both sides; torch {torch.__version__} (its default here: {torch.get_num_interop_threads()} "
          f"inter-op thread(s)); {args.per_product} rounds of {args.repeats} products per side, toolkit and PyTorch "
          f"alternating, after {args.warmup} warm-up products")
    print(f"1-minute load average at the start of each round and at the end: {', '.join(f'{x:.1f}' for x in loads)}\n")
    reference_wall, reference_cpu = median(samples["pytorch"][0]), median(samples["pytorch"][1])
    print("| side | products | median wall ms / product | median CPU ms / product | ratio to PyTorch, wall | ratio to PyTorch, CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (wall, cpu) in samples.items():
        print(f"| {name} | {len(cpu)} | {1e3 * median(wall):.1f} | {1e3 * median(cpu):.1f} | "
              f"{median(wall) / reference_wall:.2f} | {median(cpu) / reference_cpu:.2f} |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=256)
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-product", type=int, default=0, metavar="ROUNDS")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--toolkit-blas", nargs="+", default=["auto"], choices=["auto", "libtorch", "openblas"])
    parser.add_argument("--toolkit-heap", nargs="+", default=["tuned"], choices=["tuned", "default"])
    args = parser.parse_args()
    if not CLI.exists():
        print(f"{CLI} is missing: run `dotnet build -c Release src/Sharpness.Cli` first", file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    work = Path(tempfile.mkdtemp(prefix="pyhessian-side-by-side-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    sys.argv = [sys.argv[0], "--out", str(work), "--examples", str(args.examples)]
    export_main()
    model_file, data_file = work / "resnet.pt", work / f"fashion{args.examples}.safetensors"
    data = read_safetensors(data_file)
    model = torch.jit.load(str(model_file)).double().eval()
    inputs, targets = data["inputs"].double(), data["targets"]
    if args.per_product > 0:
        return per_product(args, model_file, data_file, model, inputs, targets)
    hvp = Products(model, inputs, targets)
    size = sum(p.numel() for p in hvp.params)
    rows = []

    def flat(v):
        return np.concatenate([x.reshape(-1).numpy() for x in v])

    def split(x):
        pieces, at = [], 0
        for p in hvp.params:
            pieces.append(torch.from_numpy(np.ascontiguousarray(x[at:at + p.numel()])).view_as(p))
            at += p.numel()
        return pieces

    # The toolkit's runs first, one pair of processes per BLAS (--toolkit-blas; auto is the toolkit's default here):
    # tolerance 1e-3 for the top k alone, tolerance 1e-6 with the trace and the density.
    loads = [os.getloadavg()[0]]
    toolkit_runs = {}
    for blas in args.toolkit_blas:
        by_tol, used = {}, None
        for tol in ("1e-3", "1e-6"):
            extra = ["--top-k", str(args.top_k), "--tolerance", tol]
            if tol == "1e-6":
                extra += ["--trace", "--trace-tolerance", "0.01", "--trace-max-probes", "100", "--density", "--density-probes", "1", "--density-steps", "100"]
            by_tol[tol], used = toolkit(model_file, data_file, work / f"toolkit-{blas}-{tol}", args.threads, args.seed, blas, *extra)
        toolkit_runs[blas] = (by_tol, used)
        print(f"toolkit runs with SHARPNESS_BLAS={blas} done ({used})", file=sys.stderr)
    loads.append(os.getloadavg()[0])

    operator = sla.LinearOperator((size, size), matvec=lambda x: flat(hvp(split(np.asarray(x).reshape(-1)))), dtype=np.float64)
    hvp.reset()
    reference = np.sort(sla.eigsh(operator, k=args.top_k, which="LA", tol=1e-10, return_eigenvectors=False))[::-1]
    eigsh_products = [hvp.count]
    hvp.reset()
    dominant = sla.eigsh(operator, k=args.top_k, which="LM", tol=1e-10, return_eigenvectors=False)
    eigsh_products.append(hvp.count)
    loads.append(os.getloadavg()[0])
    print(f"eigsh done ({eigsh_products} products)", file=sys.stderr)
    dominant = dominant[np.argsort(-np.abs(dominant))]
    print(f"reference (eigsh, tol 1e-10): largest {', '.join(f'{x:.10g}' for x in reference)}; largest in magnitude {', '.join(f'{x:.10g}' for x in dominant)}")

    def error(values, against=None):
        against = reference if against is None else against
        return max(abs(a - b) / abs(b) for a, b in zip(values, against))

    # PyHessian builds the gradient graph once per hessian object, and each toolkit run (a process of its own) builds
    # it at its first product: both power-iteration rows are charged the graph's time.
    for tol in (1e-3, 1e-6):
        hvp.reset()
        values = power_iteration(hvp, args.top_k, tol)
        wall, cpu = hvp.wall + hvp.graph_wall, hvp.cpu + hvp.graph_cpu
        rows.append((f"top-{args.top_k}", f"PyHessian power iteration, tol {tol:g}", values, (error(values), error(values, dominant)), hvp.count, wall, cpu))
    for blas, (by_tol, used) in toolkit_runs.items():
        for tol, results in by_tol.items():
            values = results["eigenvalues"]
            top = results["timing"]["top"]
            rows.append((f"top-{args.top_k}", f"toolkit Lanczos ({used}), tolerance {tol}", values, (error(values), error(values, dominant)), results["matvecs"], top["seconds"], top["cpu_seconds"]))

    hvp.reset()
    samples = hutchinson(hvp)
    py_trace, py_error = float(np.mean(samples)), float(np.std(samples, ddof=1) / math.sqrt(len(samples)))
    rows.append(("trace", "PyHessian Hutchinson, tol 1e-3", [py_trace, py_error], float("nan"), hvp.count, hvp.wall, hvp.cpu))
    for blas, (by_tol, used) in toolkit_runs.items():
        t = by_tol["1e-6"]["trace"]
        tt = by_tol["1e-6"]["timing"]["trace"]
        rows.append(("trace", f"toolkit Hutchinson ({used}), standard error < 1%", [t["estimate"], t["standard_error"]], float("nan"), t["probes"], tt["seconds"], tt["cpu_seconds"]))

    hvp.reset()
    nodes, weights = slq(hvp)
    rows.append(("density", "PyHessian SLQ, 1 x 100", [nodes.max(), nodes.min()], abs(nodes.max() - reference[0]) / reference[0], hvp.count, hvp.wall, hvp.cpu))
    for blas, (by_tol, used) in toolkit_runs.items():
        d = by_tol["1e-6"]["density"]
        dt = by_tol["1e-6"]["timing"]["density"]
        rows.append(("density", f"toolkit SLQ ({used}), 1 x 100", [d["lambda_max"], d["lambda_min"]], abs(d["lambda_max"] - reference[0]) / reference[0], d["matvecs"], dt["seconds"], dt["cpu_seconds"]))
    loads.append(os.getloadavg()[0])

    print(f"\nResNet-style network, {size} parameters, {args.examples} Fashion-MNIST images, cross-entropy, float64, {args.threads} thread(s); torch {torch.__version__}")
    print(f"1-minute load average at the start, after the toolkit runs, after eigsh, and at the end: {', '.join(f'{x:.1f}' for x in loads)}\n")
    print("| quantity | method | answer | relative error vs eigsh: largest / largest in magnitude | products | wall s / product | CPU s / product | CPU s, total |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for quantity, method, answer, err, count, wall, cpu in rows:
        shown = ", ".join(f"{x:.6g}" for x in answer)
        if quantity == "trace":
            shown = f"{answer[0]:.6g} ± {answer[1]:.3g}"
        elif quantity == "density":
            shown = f"nodes in [{answer[1]:.6g}, {answer[0]:.6g}]"
        errors = "" if isinstance(err, float) and math.isnan(err) else f"{err[0]:.1e} / {err[1]:.1e}" if isinstance(err, tuple) else f"{err:.1e}"
        print(f"| {quantity} | {method} | {shown} | {errors} | {count} | {wall / count:.3f} | {cpu / count:.3f} | {cpu:.1f} |")
    # Every answer in full, for counting agreeing digits.
    print("\nanswers in full:")
    print(json.dumps({"eigsh_largest": list(map(float, reference)), "eigsh_largest_in_magnitude": list(map(float, dominant)),
                      "eigsh_products": eigsh_products,
                      "rows": [{"quantity": q, "method": m, "answer": list(map(float, a)), "products": c, "wall_s": w, "cpu_s": u}
                               for q, m, a, _, c, w, u in rows]}, indent=1))

    failures = []
    for blas, (by_tol, used) in toolkit_runs.items():
        results = by_tol["1e-6"]
        t, d = results["trace"], results["density"]
        if error(results["eigenvalues"]) > 1e-6:
            failures.append(f"toolkit ({used}) top-k at tolerance 1e-6 differs from eigsh")
        if abs(py_trace - t["estimate"]) > 4 * math.hypot(py_error, t["standard_error"]):
            failures.append(f"the trace estimates ({used}) differ by more than 4 standard errors")
        if abs(d["lambda_max"] - reference[0]) > 1e-6 * reference[0]:
            failures.append(f"the toolkit's ({used}) largest density node is not the top eigenvalue")
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
