#!/usr/bin/env python3
"""Whole-process timing of `sharpness uv orbit` against a vectorised numpy sweep of the same orbit diagram.

Both sides are timed as whole processes started from here, alternately, in the same run:

  toolkit  `dotnet src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll uv orbit --r-min A --r-max B
           --points P --transient T --keep K --out DIR --quiet`: start-up, the sweep (SIMD lanes on
           every core), orbit.csv (every kept iterate), orbit.png and manifest.json;
  numpy    `python3 orbit_command_side_by_side.py --numpy-worker ...`: start-up, `import numpy`, and
           the same sweep with numpy arrays over all r values (the in-place variant of
           orbit_side_by_side.py: one ufunc call per arithmetic operation, in the toolkit's order),
           keeping the last K states of every value in memory. It writes no files, so the
           comparison favours numpy.

For each process the script records the wall time (perf_counter around the process), the processor
time (user + system, from wait4) and the peak resident set size. It reports medians and the ratio
numpy / toolkit of the median wall times, and checks that the toolkit's last kept iterates of the
values that stayed bounded in the periodic part (r < 1.28) equal numpy's bit for bit.

On a machine that other jobs share, wall times stretch with the load while processor times barely
do; the ratio of processor times is printed too (the toolkit's sweep runs on every core, so its
processor time exceeds its wall time on an idle machine).

The script builds nothing: build the CLI first (dotnet build -c Release src/Sharpness.Cli), and run
this file with a Python that has numpy (Debian's /usr/bin/python3).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI_DLL = REPO_ROOT / "src" / "Sharpness.Cli" / "bin" / "Release" / "net10.0" / "sharpness.dll"
PERIODIC_R_BELOW = 1.28


def numpy_worker(args) -> int:
    """The numpy side: the sweep over every r at once, the last K states kept (runs in its own process)."""
    import numpy as np

    points, transient, keep = args.points, args.transient, args.keep
    i = np.arange(points, dtype=np.float64)
    r = args.r_min + ((args.r_max - args.r_min) * i) / (points - 1)
    g = np.full(points, args.g0)
    x = np.full(points, args.x0)
    dg = np.empty(points)
    dg2 = np.empty(points)
    a = np.empty(points)
    b = np.empty(points)
    kept_g = np.empty((keep, points))
    kept_x = np.empty((keep, points))
    with np.errstate(all="ignore"):
        for step in range(transient + keep):
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
            if step >= transient:
                kept_g[step - transient] = g
                kept_x[step - transient] = x
    if args.final:
        np.stack([r, kept_g[-1], kept_x[-1]]).astype("<f8").tofile(args.final)
    return 0


def run_process(cmd: list[str]) -> tuple[float, float, int]:
    """Runs a command to completion: (wall seconds, user + system seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0 or error.strip():
        sys.exit(f"{' '.join(cmd)}: exit {process.returncode}, standard error:\n{error}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=4000)
    parser.add_argument("--transient", type=int, default=500_000)
    parser.add_argument("--keep", type=int, default=8)
    parser.add_argument("--r-min", type=float, default=0.5)
    parser.add_argument("--r-max", type=float, default=1.99)
    parser.add_argument("--g0", type=float, default=0.2)
    parser.add_argument("--x0", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side, alternating (default 5)")
    parser.add_argument("--numpy-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--final", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.numpy_worker:
        return numpy_worker(args)

    if not CLI_DLL.is_file():
        print(f"error: {CLI_DLL.relative_to(REPO_ROOT)} not found; build it first: dotnet build -c Release src/Sharpness.Cli",
              file=sys.stderr)
        return 2
    dotnet = shutil.which("dotnet")
    if dotnet is None:
        print("error: dotnet not found on PATH", file=sys.stderr)
        return 2

    sweep = ["--points", str(args.points), "--transient", str(args.transient), "--keep", str(args.keep),
             "--r-min", repr(args.r_min), "--r-max", repr(args.r_max)]
    numpy_cmd = [sys.executable, str(Path(__file__).resolve()), "--numpy-worker", *sweep, "--g0", repr(args.g0), "--x0", repr(args.x0)]
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"{args.points} values x ({args.transient} + {args.keep}) steps = {args.points * (args.transient + args.keep):.3e} map steps", flush=True)

    toolkit, numpy = [], []
    with tempfile.TemporaryDirectory(prefix="orbit-command-") as tmp:
        out = Path(tmp) / "run"
        # One untimed run of each first (file cache).
        for timed in [False] + [True] * args.runs:
            shutil.rmtree(out, ignore_errors=True)
            t = run_process([dotnet, str(CLI_DLL), "uv", "orbit", *sweep, "--x0", repr(args.x0), "--g0", repr(args.g0), "--out", str(out), "--quiet"])
            n = run_process(numpy_cmd + (["--final", str(Path(tmp) / "final.f64")] if not timed else []))
            if timed:
                toolkit.append(t)
                numpy.append(n)
                print(f"  toolkit {t[0]:.3f} s ({t[1]:.2f} s cpu, {t[2]} MiB)   numpy {n[0]:.3f} s ({n[1]:.2f} s cpu, {n[2]} MiB)", flush=True)

        # Agreement: the toolkit's last kept iterate of each bounded value against numpy's.
        import numpy as np
        data = np.fromfile(Path(tmp) / "final.f64", dtype="<f8").reshape(3, args.points)
        last_step = args.transient + args.keep
        toolkit_last = {}
        with open(out / "orbit.csv", newline="") as f:
            for row in csv.DictReader(f):
                if int(float(row["step"])) == last_step:
                    toolkit_last[float(row["r"])] = (float(row["g"]), float(row["lr_ntk"]))
        periodic = [(r, g, x) for r, g, x in data.T if r < PERIODIC_R_BELOW and abs(g) <= 1e6 and abs(x) <= 1e6]
        same = sum(1 for r, g, x in periodic if toolkit_last.get(r) == (g, x))

    def median(values, k):
        return statistics.median(v[k] for v in values)

    tw, tc, tm = median(toolkit, 0), median(toolkit, 1), median(toolkit, 2)
    nw, nc, nm = median(numpy, 0), median(numpy, 1), median(numpy, 2)
    print()
    print("| side | wall s (median) | processor s (median) | peak RSS MiB (median) |")
    print("|---|---:|---:|---:|")
    print(f"| `sharpness uv orbit` (whole process) | {tw:.3f} | {tc:.2f} | {tm} |")
    print(f"| numpy sweep (whole process) | {nw:.3f} | {nc:.2f} | {nm} |")
    print()
    print(f"numpy / toolkit: {nw / tw:.1f}x by wall time, {nc / tc:.1f}x by processor time; "
          f"{args.runs} runs each, alternating")
    print(f"agreement: {same} of {len(periodic)} bounded values with r < {PERIODIC_R_BELOW} end on the same g and x, bit for bit")
    return 0 if same == len(periodic) else 1


if __name__ == "__main__":
    sys.exit(main())
