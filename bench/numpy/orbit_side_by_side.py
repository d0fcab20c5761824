#!/usr/bin/env python3
"""Side-by-side timing of an orbit-diagram sweep of the UV model's scaled map: numpy against the Sharpness toolkit.

The map (state (g, x), parameter r), written with the operations in this order:
  dg = g - r
  g' = (g - x*dg) + (dg*dg)*g
  x' = (x - (4*g)*dg) + (dg*dg)*x
The sweep: P values of r evenly spaced in [r_min, r_max] (ends included,
r_i = r_min + ((r_max - r_min)*i)/(P - 1), the grid of `sharpness uv orbit`), every value started
from (g, x) = (g0, x0), iterated T + 1 times (T transient steps and one kept step, as
`uv orbit --keep 1`). Map steps = P*(T + 1).

numpy (float64) iterates all r values at once as arrays, one array operation per arithmetic
operation above, in the same order. Two variants are timed:
  in-place:  preallocated arrays and ufuncs with out= (no allocation per step);
  plain:     the formula written directly on arrays (temporaries allocated every step).
numpy's elementwise ufuncs run on one thread. The faster variant (by median) is the reference.

The toolkit side runs `Sharpness.Bench.dll orbit-sweep` (OrbitDiagram.ComputeIndependent: 512-bit
SIMD lanes, in parallel over cores), once with all cores and once with one thread, and reads the
final states it writes with --final.

Agreement check (per size): the values that diverged (|g| or x above 1e6, or not finite) must be
the same; for r < 1.28 (the periodic part of the diagram, below the period-8 flip near 1.288) the
final g and x must agree to 1e-9 relative. The toolkit's SIMD kernel does the same operations in
the same order without fused multiply-adds, so the two are expected to agree bit for bit for
every r, also in the chaotic part; the script reports how many values are bit-identical. It exits
with status 1 if a required check fails.

Times are medians over repeats of the wall time of one whole sweep, after a warm-up. The script
builds nothing: build the bench project first,
  dotnet build -c Release bench/Sharpness.Bench/Sharpness.Bench.csproj
and run this file with a Python that has numpy.
"""

from __future__ import annotations

import argparse
import json
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

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_PROJECT = REPO_ROOT / "bench" / "Sharpness.Bench"
BENCH_DLL = BENCH_PROJECT / "bin" / "Release" / "net10.0" / "Sharpness.Bench.dll"

DIVERGENCE_THRESHOLD = 1e6
PERIODIC_R_BELOW = 1.28
PERIODIC_RTOL = 1e-9
SPEEDUP_TARGET = 10.0
STEPS_PER_SECOND_TARGET = 1e9


def grid(points: int, r_min: float, r_max: float) -> np.ndarray:
    """r_i = r_min + ((r_max - r_min) * i) / (points - 1), as the toolkit computes it."""
    if points == 1:
        return np.array([r_min])
    i = np.arange(points, dtype=np.float64)
    return r_min + ((r_max - r_min) * i) / (points - 1)


def sweep_in_place(r: np.ndarray, g0: float, x0: float, steps: int):
    """`steps` iterations of the map for every r, with preallocated arrays (ufuncs with out=)."""
    n = r.shape[0]
    g = np.full(n, g0)
    x = np.full(n, x0)
    dg = np.empty(n)
    dg2 = np.empty(n)
    a = np.empty(n)
    b = np.empty(n)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            np.subtract(g, r, out=dg)        # dg = g - r
            np.multiply(dg, dg, out=dg2)     # dg*dg
            np.multiply(x, dg, out=a)        # x*dg
            np.multiply(g, 4.0, out=b)       # 4*g
            np.multiply(b, dg, out=b)        # (4*g)*dg
            np.subtract(x, b, out=b)         # x - (4*g)*dg
            np.multiply(dg2, x, out=x)       # (dg*dg)*x
            np.add(b, x, out=x)              # x' = (x - (4*g)*dg) + (dg*dg)*x
            np.subtract(g, a, out=a)         # g - x*dg
            np.multiply(dg2, g, out=g)       # (dg*dg)*g
            np.add(a, g, out=g)              # g' = (g - x*dg) + (dg*dg)*g
    return g, x


def sweep_plain(r: np.ndarray, g0: float, x0: float, steps: int):
    """`steps` iterations of the map for every r, written directly (temporaries every step)."""
    g = np.full(r.shape[0], g0)
    x = np.full(r.shape[0], x0)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            dg = g - r
            dg2 = dg * dg
            g, x = (g - x * dg) + dg2 * g, (x - 4 * g * dg) + dg2 * x
    return g, x


def median_seconds(fn, repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def diverged_mask(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return ~((np.abs(g) <= DIVERGENCE_THRESHOLD) & (np.abs(x) <= DIVERGENCE_THRESHOLD))


def sequential_sum(values: np.ndarray) -> float:
    """Sum in index order (as the toolkit's checksum), not numpy's pairwise sum."""
    total = 0.0
    for v in values.tolist():
        total += v
    return total


def run_toolkit(dotnet: str, points: int, transient: int, threads: int | None, final: Path | None, args) -> dict:
    cmd = [dotnet, str(BENCH_DLL), "orbit-sweep", "--points", str(points), "--transient", str(transient),
           "--repeats", str(args.toolkit_repeats), "--r-min", repr(args.r_min), "--r-max", repr(args.r_max),
           "--g0", repr(args.g0), "--x0", repr(args.x0)]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    if final is not None:
        cmd += ["--final", str(final)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"toolkit orbit-sweep mode failed (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def rel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)


def parse_size(text: str) -> tuple[int, int]:
    try:
        p, t = text.lower().split("x")
        return int(p), int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected PxT (values x transient steps), got {text!r}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=parse_size, nargs="+", default=[(4096, 20_000), (65_536, 20_000)],
                        metavar="PxT", help="values of r x transient steps (default: 4096x20000 65536x20000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of the numpy in-place sweep")
    parser.add_argument("--plain-repeats", type=int, default=3, help="timed repeats of the plain numpy sweep (0: skip)")
    parser.add_argument("--toolkit-repeats", type=int, default=21, help="timed repeats of the toolkit sweep")
    parser.add_argument("--r-min", type=float, default=0.8)
    parser.add_argument("--r-max", type=float, default=1.6)
    parser.add_argument("--g0", type=float, default=0.2)
    parser.add_argument("--x0", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=None,
                        help="toolkit threads for the parallel run (default: all cores)")
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

    dotnet_version = subprocess.run([dotnet, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"numpy {np.__version__}, Python {platform.python_version()}, dotnet {dotnet_version}, "
          f"{os.cpu_count()} CPUs", flush=True)

    rows = []
    checks = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="orbit-side-by-side-") as tmp:
        for points, transient in args.sizes:
            steps = transient + 1
            map_steps = points * steps
            r = grid(points, args.r_min, args.r_max)

            print(f"{points} x {transient}: numpy in-place, {args.repeats} repeats ...", flush=True)
            t_in_place = median_seconds(lambda: sweep_in_place(r, args.g0, args.x0, steps), args.repeats, warmup=1)
            t_plain = None
            if args.plain_repeats > 0:
                print(f"{points} x {transient}: numpy plain, {args.plain_repeats} repeats ...", flush=True)
                t_plain = median_seconds(lambda: sweep_plain(r, args.g0, args.x0, steps), args.plain_repeats, warmup=1)

            print(f"{points} x {transient}: toolkit, all cores and 1 thread, {args.toolkit_repeats} repeats each ...",
                  flush=True)
            final = Path(tmp) / f"final-{points}-{transient}.f64"
            parallel = run_toolkit(dotnet, points, transient, args.threads, final, args)
            single = run_toolkit(dotnet, points, transient, 1, None, args)

            # Agreement: numpy's final states against the toolkit's.
            g_np, x_np = sweep_in_place(r, args.g0, args.x0, steps)
            data = np.fromfile(final, dtype="<f8")
            if data.shape[0] != 2 * points:
                sys.exit(f"{final}: expected {2 * points} float64 values, found {data.shape[0]}")
            g_cs, x_cs = data[:points], data[points:]
            div_np = diverged_mask(g_np, x_np)
            div_cs = diverged_mask(g_cs, x_cs)
            alive = ~div_np & ~div_cs
            periodic = alive & (r < PERIODIC_R_BELOW)
            same_bits = alive & (g_np.view(np.int64) == g_cs.view(np.int64)) & (x_np.view(np.int64) == x_cs.view(np.int64))
            rel_all = np.maximum(rel(g_np, g_cs), rel(x_np, x_cs))
            check = {
                "points": points,
                "transient": transient,
                "diverged_np": int(div_np.sum()),
                "diverged_cs": int(div_cs.sum()),
                "diverged_same": bool(np.array_equal(div_np, div_cs)),
                "periodic": int(periodic.sum()),
                "periodic_max_rel": float(rel_all[periodic].max()) if periodic.any() else 0.0,
                "alive": int(alive.sum()),
                "all_max_rel": float(rel_all[alive].max()) if alive.any() else 0.0,
                "same_bits": int(same_bits.sum()),
                "checksum_cs": parallel["final_g_finite_sum"],
                "checksum_file": sequential_sum(g_cs[~div_cs]),
                "checksum_np": sequential_sum(g_np[~div_np]),
            }
            check["pass"] = (check["diverged_same"] and check["periodic_max_rel"] <= PERIODIC_RTOL
                             and check["checksum_cs"] == check["checksum_file"]
                             and parallel["diverged"] == check["diverged_cs"])
            ok &= check["pass"]
            checks.append(check)
            rows.append((points, transient, map_steps, t_in_place, t_plain, parallel, single))

    print()
    print("| values of r | transient | map steps | numpy s (in-place) | numpy steps/s | numpy s (plain) "
          "| toolkit s (all cores) | toolkit steps/s | toolkit s (1 thread) | toolkit steps/s (1 thread) "
          "| ratio (all cores) | ratio (1 thread) | ≥ 1e9 steps/s? | ≥ 10×? |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|")
    for points, transient, map_steps, t_in_place, t_plain, parallel, single in rows:
        t_numpy = min(t_in_place, t_plain) if t_plain is not None else t_in_place
        t_par = parallel["seconds_median"]
        t_one = single["seconds_median"]
        ratio = t_numpy / t_par
        ratio_one = t_numpy / t_one
        plain = f"{t_plain:.4g}" if t_plain is not None else "–"
        print(f"| {points:,} | {transient:,} | {map_steps:.3e} | {t_in_place:.4g} | {map_steps / t_numpy:.3e} | {plain} "
              f"| {t_par:.4g} | {map_steps / t_par:.3e} | {t_one:.4g} | {map_steps / t_one:.3e} "
              f"| {ratio:,.1f}× | {ratio_one:,.1f}× | {'yes' if map_steps / t_par >= STEPS_PER_SECOND_TARGET else 'no'} "
              f"| {'yes' if ratio >= SPEEDUP_TARGET else 'no'} |")
    print()
    print(f"numpy steps/s and the ratios use the faster numpy variant (one thread); toolkit threads: "
          f"{rows[0][5]['threads']} (all cores) and {rows[0][6]['threads']}; "
          f"Vector512 hardware-accelerated: {rows[0][5]['vector512_hardware_accelerated']}")

    print()
    print(f"Agreement (final g and x after T + 1 steps; required: same diverged values, r < {PERIODIC_R_BELOW} "
          f"within {PERIODIC_RTOL:g} relative):")
    print()
    print("| values of r | transient | diverged (numpy / toolkit) | r < 1.28: values, max rel. diff | "
          "all finite: values, max rel. diff | bit-identical (g and x) | checksum Σg (numpy / toolkit) | pass |")
    print("|---:|---:|---|---|---|---|---|:---:|")
    for c in checks:
        print(f"| {c['points']:,} | {c['transient']:,} | {c['diverged_np']} / {c['diverged_cs']} "
              f"| {c['periodic']}, {c['periodic_max_rel']:.1e} | {c['alive']}, {c['all_max_rel']:.1e} "
              f"| {c['same_bits']} of {c['alive']} | {c['checksum_np']!r} / {c['checksum_cs']!r} "
              f"| {'yes' if c['pass'] else 'NO'} |")
    if not ok:
        print("\nNUMERICAL CHECK FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
