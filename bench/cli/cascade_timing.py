#!/usr/bin/env python3
"""Wall-clock timing of `sharpness uv cascade` (manifold map and --full-map), process start-up included.

For each variant the script
  1. times the whole command (`dotnet sharpness.dll uv cascade --max-period P [--full-map] --json`)
     with hyperfine if it is on PATH (warm-up runs, then --runs timed runs, median reported),
     otherwise with repeated runs timed here;
  2. runs the command --runs more times and collects the in-process `seconds` field of the JSON
     (the cascade computation alone, without start-up), median reported; these runs' wall times
     are reported too.
Then it prints a Markdown table and whether each median is under the target (10 s).

The script builds nothing: build the CLI first,
  dotnet build -c Release src/Sharpness.Cli/Sharpness.Cli.csproj
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI_DLL = REPO_ROOT / "src" / "Sharpness.Cli" / "bin" / "Release" / "net10.0" / "sharpness.dll"
TARGET_SECONDS = 10.0


def command(dotnet: str, max_period: int, full_map: bool) -> list[str]:
    cmd = [dotnet, str(CLI_DLL), "uv", "cascade", "--max-period", str(max_period), "--json"]
    if full_map:
        cmd.append("--full-map")
    return cmd


def run_once(cmd: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {done.returncode}):\n{done.stderr}")
    return wall, json.loads(done.stdout)


def hyperfine_median(hyperfine: str, cmd: list[str], runs: int, warmup: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="cascade-timing-") as tmp:
        export = Path(tmp) / "hyperfine.json"
        subprocess.run([hyperfine, "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                        "--export-json", str(export), shlex.join(cmd)], check=True, stdout=subprocess.DEVNULL)
        result = json.loads(export.read_text())["results"][0]
    return result["median"], result["min"], result["max"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-period", type=int, default=64)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per variant (hyperfine and in-process)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (file cache, disk)")
    parser.add_argument("--no-hyperfine", action="store_true", help="time the whole command here even if hyperfine exists")
    args = parser.parse_args()

    if not CLI_DLL.is_file():
        print(f"error: {CLI_DLL.relative_to(REPO_ROOT)} not found. Build the CLI in Release first:\n"
              f"  dotnet build -c Release src/Sharpness.Cli/Sharpness.Cli.csproj", file=sys.stderr)
        return 2
    dotnet = shutil.which("dotnet")
    if dotnet is None:
        print("error: dotnet not found on PATH", file=sys.stderr)
        return 2
    hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
    if hyperfine:
        version = subprocess.run([hyperfine, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"whole-command times: {version}", flush=True)
    else:
        print("whole-command times: repeated runs timed by this script (hyperfine not used)", flush=True)

    rows = []
    for full_map in (False, True):
        cmd = command(dotnet, args.max_period, full_map)
        label = "full map (g, x)" if full_map else "manifold map"
        print(f"{label}: {' '.join(cmd[1:])} ...", flush=True)
        if hyperfine:
            wall_median, wall_min, wall_max = hyperfine_median(hyperfine, cmd, args.runs, args.warmup)
        for _ in range(0 if hyperfine else args.warmup):
            run_once(cmd)
        walls, inner, last = [], [], None
        for _ in range(args.runs):
            wall, result = run_once(cmd)
            walls.append(wall)
            inner.append(result["seconds"])
            last = result
        if not hyperfine:
            wall_median, wall_min, wall_max = statistics.median(walls), min(walls), max(walls)
        rows.append((label, wall_median, wall_min, wall_max, statistics.median(walls), statistics.median(inner),
                     min(inner), max(inner), last))

    print()
    print(f"| `uv cascade --max-period {args.max_period}` | whole command, median (min–max) | "
          "whole command, plain runs median | in-process `seconds`, median (min–max) | periods found | complete | "
          f"< {TARGET_SECONDS:g} s? |")
    print("|---|---:|---:|---:|---|:---:|:---:|")
    for label, med, lo, hi, plain, inner, ilo, ihi, last in rows:
        periods = ", ".join(str(f["to"]) for f in last["flip_points"])
        print(f"| {label} | {med:.3f} s ({lo:.3f}–{hi:.3f}) | {plain:.3f} s | {inner:.3f} s ({ilo:.3f}–{ihi:.3f}) "
              f"| {periods} | {'yes' if last.get('complete') else 'no'} | {'yes' if med < TARGET_SECONDS else 'no'} |")
    print()
    for label, *_, last in rows:
        flips = ", ".join(f"{f['r']:.12g}" for f in last["flip_points"])
        print(f"{label}: flip points {flips}; accumulation {last.get('accumulation')!r}; "
              f"bounded until {last.get('bounded_until')!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
