"""Shared by the bench/cli scripts: run one `sharpness` command line as a child process and time it."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI_DLL = REPO_ROOT / "src" / "Sharpness.Cli" / "bin" / "Release" / "net10.0" / "sharpness.dll"


def find_dotnet() -> str | None:
    """The `dotnet` to run the Release build of the CLI with; None (after a one-line error) when the build or dotnet is missing."""
    if not CLI_DLL.is_file():
        print(f"error: {CLI_DLL.relative_to(REPO_ROOT)} not found. Build the CLI in Release first:\n"
              f"  dotnet build -c Release src/Sharpness.Cli/Sharpness.Cli.csproj", file=sys.stderr)
        return None
    dotnet = shutil.which("dotnet")
    if dotnet is None:
        print("error: dotnet not found on PATH", file=sys.stderr)
    return dotnet


def load() -> float:
    return os.getloadavg()[0]


def timed(dotnet: str, arguments: list[str], what: str) -> dict:
    """Runs `dotnet sharpness.dll ARGUMENTS`; exits with its output when it fails. Returns the wall time,
    the processor time (user + sys) of the child and the load average before and after."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = load()
    start = time.perf_counter()
    done = subprocess.run([dotnet, str(CLI_DLL), *arguments], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 3),
        "load_before": round(load_before, 2),
        "load_after": round(load(), 2),
    }
