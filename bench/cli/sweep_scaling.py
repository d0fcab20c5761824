#!/usr/bin/env python3
"""Speed-up of `sharpness sweep run --jobs N` over `--jobs 1` on a sweep of many small runs, and the per-run cost.

For every round and every job count (alternating, so that a change of load hits both alike) the script
runs the same sweep into a fresh folder,
    dotnet sharpness.dll sweep run SPEC --out DIR --jobs N --quiet
and records the wall time of the whole command (process start-up included), the CPU time of the
process (user + system) and the 1-minute load average before and after. It then checks that every
job count wrote the same files: every run folder's files byte for byte, manifests apart from their
start and end times. It prints one JSON line per run and a Markdown table of medians: wall time,
speed-up (time of --jobs 1 / time of --jobs N), the ratio (time of --jobs N / time of --jobs 1;
the target for N = 2 is at most 0.65), CPU time, and the cost per run (wall time of --jobs 1 /
points, which includes the process start-up spread over the points).

The sweeps (--sweep):
  uv   48 points of `uv simulate` (width 64 and 1024, muP, c = 0.8 … 4.5, 4 seeds, 3000 steps):
       each run computes its trajectory and renders trajectory.png and .svg;
  net  12 points of `net train` on synthetic data (width 64 and 128, 6 seeds, 60 steps, sharpness
       every 10 steps): each run trains a small network with LibTorch and measures its Hessian.

A speed-up measured while other work loads the machine says little: the script prints the load
average with every run and warns when it exceeds --max-load at the start of a run.

The script builds nothing: build the CLI first,
  dotnet build -c Release src/Sharpness.Cli/Sharpness.Cli.csproj
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from child_timing import find_dotnet, load, timed
TARGET_RATIO_TWO_JOBS = 0.65

SPECS = {
    "uv": """command = "uv simulate"
[base]
steps = 3000
param = "mup"
[grid]
width = [64, 1024]
lr_constant = [0.8, 1.5, 1.9, 2.6, 3.2, 4.5]
seed = { range = [0, 4] }
""",
    "net": """command = "net train"
[base]
dataset = "synthetic"
train-size = 400
test-size = 100
steps = 60
sharpness-every = 10
lr-constant = 1.5
dtype = "float64"
[grid]
width = [64, 128]
seed = { range = [0, 6] }
""",
}


def run_sweep(dotnet: str, spec: Path, out: Path, jobs: int) -> dict:
    timing = timed(dotnet, ["sweep", "run", str(spec), "--out", str(out), "--jobs", str(jobs), "--quiet"], f"sweep run --jobs {jobs}")
    record = json.loads((out / "sweep-run.json").read_text())
    return {"jobs": jobs, "jobs_used": record["execution"]["jobs_used"], **timing, "points": record["points"]}


def contents(results: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for folder in sorted(p for p in results.iterdir() if p.is_dir()):
        for file in sorted(folder.iterdir()):
            data = file.read_bytes()
            if file.name == "manifest.json":
                # The arguments name the results folder, which differs between the runs.
                data = data.replace(str(results).encode(), b"OUT")
                data = b"\n".join(line for line in data.split(b"\n") if b'_utc"' not in line)
            files[f"{folder.name}/{file.name}"] = data
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", choices=sorted(SPECS), default="uv")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts to compare; the first is the reference")
    parser.add_argument("--rounds", type=int, default=3, help="runs per job count (alternating)")
    parser.add_argument("--max-load", type=float, default=1.0, help="warn when the 1-minute load average exceeds this before a run")
    parser.add_argument("--keep", action="store_true", help="keep the result folders")
    args = parser.parse_args()

    dotnet = find_dotnet()
    if dotnet is None:
        return 2

    work = Path(tempfile.mkdtemp(prefix="sweep-scaling-"))
    spec = work / "sweep.toml"
    spec.write_text(SPECS[args.sweep])
    print(f"cores: {os.cpu_count()} (affinity {len(os.sched_getaffinity(0))}); sweep {args.sweep}; results in {work}", flush=True)
    runs: list[dict] = []
    reference: dict[str, bytes] | None = None
    for round_ in range(args.rounds):
        for jobs in args.jobs:
            if load() > args.max_load:
                print(f"warning: load average {load():.2f} > {args.max_load} before this run; the times are not those of an idle machine", file=sys.stderr)
            out = work / f"round{round_}-jobs{jobs}"
            run = run_sweep(dotnet, spec, out, jobs) | {"round": round_}
            print(json.dumps(run), flush=True)
            runs.append(run)
            files = contents(out)
            if reference is None:
                reference = files
            elif files != reference:
                differing = sorted(k for k in set(files) | set(reference) if files.get(k) != reference.get(k))
                sys.exit(f"--jobs {jobs} wrote different files from --jobs {args.jobs[0]}: {differing[:5]}")
            if not args.keep:
                shutil.rmtree(out)

    base = statistics.median(r["wall_s"] for r in runs if r["jobs"] == args.jobs[0])
    points = runs[0]["points"]
    print()
    print(f"identical files for every job count: yes ({len(reference or {})} files)")
    print(f"load average during the runs: {min(r['load_before'] for r in runs):.2f}–{max(max(r['load_before'], r['load_after']) for r in runs):.2f}")
    print()
    print("| --jobs | used | wall time (median) | speed-up | time / time of --jobs 1 | CPU time (median) | wall time per run |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for jobs in args.jobs:
        mine = [r for r in runs if r["jobs"] == jobs]
        wall = statistics.median(r["wall_s"] for r in mine)
        cpu = statistics.median(r["cpu_s"] for r in mine)
        ratio = wall / base
        target = f" (target ≤ {TARGET_RATIO_TWO_JOBS}: {'met' if ratio <= TARGET_RATIO_TWO_JOBS else 'not met'})" if jobs == 2 else ""
        print(f"| {jobs} | {mine[0]['jobs_used']} | {wall:.2f} s | {base / wall:.2f}× | {ratio:.3f}{target} | {cpu:.2f} s | {1000 * wall / points:.0f} ms |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
