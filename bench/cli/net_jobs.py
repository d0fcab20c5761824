#!/usr/bin/env python3
"""Speed-up of `sharpness net eos|early-phase|predict --jobs N` over `--jobs 1`, at small sizes.

For every round and every job count (alternating, so that a change of load hits both alike) the script
runs the same command into a fresh folder,
    dotnet sharpness.dll net COMMAND ARGS --out DIR --jobs N --quiet
and records the wall time of the whole command (process start-up included), the CPU time of the
process (user + system) and the 1-minute load average before and after. It checks that every job
count wrote the same files: figures and tables byte for byte, apart from what holds times (a table's
`seconds` column; manifests and summary.md, which record the command line and times, are left out).
It prints one JSON line per run and a Markdown table of medians: wall time, speed-up (time of
--jobs 1 / time of --jobs N), the ratio (time of --jobs N / time of --jobs 1) and CPU time.

The commands (--command):
  eos          net eos on 500 Fashion-MNIST examples, width 64, 300 steps, sharpness every 10, two
               learning rates (2/30 and 2/60): one learning rate per job;
  early-phase  net early-phase on 200 synthetic examples, depths 2 and 3, widths 32 and 64, 2 seeds
               (8 initialisations), c from 0.5 to 32 in steps of 2^0.25, 6 steps per probe, float64;
  predict      net predict on 200 synthetic examples, sp and mup-out at widths 32 and 64 (6
               configurations with the zero-readout ones), 4 oscillation runs of 200 steps.

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
import time
from pathlib import Path

from child_timing import find_dotnet, load, timed

COMMANDS = {
    "eos": ["net", "eos", "--dataset", "fashion-mnist", "--train-size", "500", "--width", "64", "--steps", "300",
            "--sharpness-every", "10", "--lrs", "2/30,2/60"],
    "early-phase": ["net", "early-phase", "--dataset", "synthetic", "--train-size", "200", "--depths", "2,3",
                    "--widths", "32,64", "--seeds", "2", "--c-min", "0.5", "--c-max", "32", "--x-step", "0.25",
                    "--early-steps", "6", "--dtype", "float64"],
    "predict": ["net", "predict", "--dataset", "synthetic", "--train-size", "200", "--params", "sp,mup-out",
                "--widths", "32,64", "--late-steps", "200", "--late-window", "40"],
}


def run(dotnet: str, command: str, out: Path, jobs: int) -> dict:
    timing = timed(dotnet, [*COMMANDS[command], "--out", str(out), "--jobs", str(jobs), "--quiet"], f"net {command} --jobs {jobs}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {"command": command, "jobs": jobs, "jobs_used": manifest["execution"]["jobs_used"], **timing}


def contents(folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        if file.name in ("manifest.json", "summary.md"):
            continue
        data = file.read_bytes()
        if file.suffix == ".csv":
            lines = data.decode().split("\n")
            header = lines[0].split(",")
            if "seconds" in header:
                k = header.index("seconds")
                data = "\n".join(",".join(c for i, c in enumerate(l.split(",")) if i != k) for l in lines).encode()
        files[str(file.relative_to(folder))] = data
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--command", choices=sorted(COMMANDS), default="eos")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts to compare; the first is the reference")
    parser.add_argument("--rounds", type=int, default=3, help="runs per job count (alternating)")
    parser.add_argument("--max-load", type=float, default=1.0, help="warn when the 1-minute load average exceeds this before a run")
    args = parser.parse_args()

    dotnet = find_dotnet()
    if dotnet is None:
        return 2

    work = Path(tempfile.mkdtemp(prefix="net-jobs-"))
    print(f"cores: {os.cpu_count()} (affinity {len(os.sched_getaffinity(0))}); net {args.command}", flush=True)
    runs: list[dict] = []
    reference: dict[str, bytes] | None = None
    try:
        for round_ in range(args.rounds):
            for jobs in args.jobs:
                if load() > args.max_load:
                    print(f"warning: load average {load():.2f} > {args.max_load} before this run; the times are not those of an idle machine", file=sys.stderr)
                out = work / f"round{round_}-jobs{jobs}"
                record = run(dotnet, args.command, out, jobs) | {"round": round_}
                print(json.dumps(record), flush=True)
                runs.append(record)
                files = contents(out)
                if reference is None:
                    reference = files
                elif files != reference:
                    differing = sorted(k for k in set(files) | set(reference) if files.get(k) != reference.get(k))
                    sys.exit(f"--jobs {jobs} wrote different files from --jobs {args.jobs[0]}: {differing[:5]}")
                shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(r["wall_s"] for r in runs if r["jobs"] == args.jobs[0])
    print()
    print(f"identical files for every job count: yes ({len(reference or {})} files)")
    print(f"load average during the runs: {min(r['load_before'] for r in runs):.2f}–{max(max(r['load_before'], r['load_after']) for r in runs):.2f}")
    print()
    print("| --jobs | used | wall time (median) | speed-up | time / time of --jobs 1 | CPU time (median) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for jobs in args.jobs:
        mine = [r for r in runs if r["jobs"] == jobs]
        wall = statistics.median(r["wall_s"] for r in mine)
        cpu = statistics.median(r["cpu_s"] for r in mine)
        print(f"| {jobs} | {mine[0]['jobs_used']} | {wall:.2f} s | {base / wall:.2f}× | {wall / base:.3f} | {cpu:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
