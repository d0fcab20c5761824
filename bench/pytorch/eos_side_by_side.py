#!/usr/bin/env python3
"""The edge-of-stability reference next to the same run in PyTorch: a table and a figure.

Reads, for each learning rate, the toolkit's `net eos` sub-folder (metrics.csv, manifest.json) and the
trajectory that training_oracle.py --independent wrote for the same initial weights (step, loss,
accuracy, lr, sharpness, threshold), and prints a Markdown table with, for both runs: the steps to the
accuracy goal, lambda_H(0), the first measured step with lambda_H >= 0.9 * 2/eta, and from there on the
mean, standard deviation, minimum and maximum of lambda_H/(2/eta), the fraction of measurements in
[0.9, 1.3] and the number of single-step loss rises; then where the two trajectories separate (the
first step whose losses differ by more than 1e-6, 1e-3 and 1e-1 relative, and the largest relative
sharpness difference before the 1e-3 separation). With --figure it draws lambda_H against the step for
both (one panel per learning rate, 2/eta dashed) and the losses below (needs python3-matplotlib).

Usage:
  /usr/bin/python3 bench/pytorch/eos_side_by_side.py TOOLKIT_SUBFOLDER:TORCH_CSV [...] [--figure FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np


def read_csv(path: Path) -> dict[str, np.ndarray]:
    with path.open() as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(v) if v not in ("", "nan") else math.nan for v in row] for row in reader]
    table = np.array(rows, dtype=np.float64)
    return {name: table[:, i] for i, name in enumerate(header)}


def statistics(run: dict[str, np.ndarray], threshold: float, reach_fraction=0.9, band=(0.9, 1.3)) -> dict:
    steps, loss, sharp = run["step"].astype(int), run["loss"], run["sharpness"]
    measured = ~np.isnan(sharp)
    ms, mv = steps[measured], sharp[measured] / threshold
    start = 0
    if mv[0] >= reach_fraction:  # a catapult: count only after the first drop below
        below = np.nonzero(mv < reach_fraction)[0]
        start = below[0] if len(below) else len(mv)
    reached = np.nonzero(mv[start:] >= reach_fraction)[0]
    result = {"steps": int(steps[-1]), "lambda0": float(sharp[0]), "final_accuracy": float(run["accuracy"][-1])}
    if len(reached) == 0:
        return result | {"reach": None}
    first = start + reached[0]
    after = mv[first:]
    reach_step = int(ms[first])
    at = int(np.searchsorted(steps, reach_step))
    rises = int(np.sum(np.diff(loss[at:]) > 0))
    return result | {
        "reach": reach_step, "count": len(after), "mean": float(after.mean()), "sd": float(after.std(ddof=1)) if len(after) > 1 else math.nan,
        "min": float(after.min()), "max": float(after.max()), "in_band": float(np.mean((after >= band[0]) & (after <= band[1]))),
        "loss_at_reach": float(loss[at]), "final_loss": float(loss[-1]), "rises": rises,
    }


def separation(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict:
    n = min(len(a["loss"]), len(b["loss"]))
    relative = np.abs(a["loss"][:n] - b["loss"][:n]) / np.abs(a["loss"][:n])
    first = {level: next((int(a["step"][i]) for i in range(n) if relative[i] > level), None) for level in (1e-6, 1e-3, 1e-1)}
    limit = first[1e-3] if first[1e-3] is not None else int(a["step"][n - 1])
    both = (~np.isnan(a["sharpness"][:n])) & (~np.isnan(b["sharpness"][:n])) & (a["step"][:n] < limit)
    sharp = np.abs(a["sharpness"][:n][both] - b["sharpness"][:n][both]) / a["sharpness"][:n][both]
    return {"first": first, "sharpness_before": float(sharp.max()) if len(sharp) else math.nan}


def fmt(x, digits=3):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pairs", nargs="+", help="TOOLKIT_SUBFOLDER:TORCH_CSV")
    parser.add_argument("--figure", type=Path, default=None)
    args = parser.parse_args()
    runs = []
    for pair in args.pairs:
        folder, torch_csv = pair.split(":")
        manifest = json.loads((Path(folder) / "manifest.json").read_text())
        eta = manifest["configuration"]["lr"]
        toolkit = read_csv(Path(folder) / "metrics.csv")
        torch_run = read_csv(Path(torch_csv))
        runs.append((eta, toolkit, torch_run))

    print("| η | run | steps to 99% | λ_H(0)/(2/η) | reached at step | λ_H/(2/η) after: mean ± sd | min–max | in [0.9, 1.3] | loss at reach → final (rises) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for eta, toolkit, torch_run in runs:
        threshold = 2 / eta
        for name, run in (("toolkit", toolkit), ("PyTorch", torch_run)):
            s = statistics(run, threshold)
            if s["reach"] is None:
                print(f"| 2/{2 / eta:.0f} | {name} | {s['steps']} | {s['lambda0'] / threshold:.3f} | never | – | – | – | – |")
                continue
            print(f"| 2/{2 / eta:.0f} | {name} | {s['steps']} | {s['lambda0'] / threshold:.3f} | {s['reach']} | {s['mean']:.3f} ± {s['sd']:.3f} | "
                  f"{s['min']:.3f}–{s['max']:.3f} | {100 * s['in_band']:.0f}% of {s['count']} | {s['loss_at_reach']:.4g} → {s['final_loss']:.4g} ({s['rises']}) |")
    print()
    for eta, toolkit, torch_run in runs:
        sep = separation(toolkit, torch_run)
        f = sep["first"]
        print(f"2/{2 / eta:.0f}: losses differ by more than 1e-6 from step {f[1e-6]}, 1e-3 from step {f[1e-3]}, 1e-1 from step {f[1e-1]}; "
              f"largest relative sharpness difference before the 1e-3 separation: {sep['sharpness_before']:.2e}")

    if args.figure:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(2, len(runs), figsize=(6.2 * len(runs), 6.4), sharex="col", gridspec_kw={"height_ratios": [2, 1]}, squeeze=False)
        for column, (eta, toolkit, torch_run) in enumerate(runs):
            top, bottom = axes[0][column], axes[1][column]
            for name, run, style in (("toolkit (TorchSharp)", toolkit, dict(color="#1f77b4", lw=1.2)), ("PyTorch", torch_run, dict(color="#d62728", lw=1.0, ls="--"))):
                m = ~np.isnan(run["sharpness"])
                top.plot(run["step"][m], run["sharpness"][m], label=name, **style)
                bottom.plot(run["step"], run["loss"], **style)
            top.axhline(2 / eta, color="black", lw=0.8, ls=":", label="2/η")
            top.set_title(f"η = 2/{2 / eta:.0f}")
            top.set_ylabel("λ_H (top Hessian eigenvalue)")
            bottom.set_yscale("log")
            bottom.set_ylabel("training loss")
            bottom.set_xlabel("step")
            top.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(args.figure, dpi=110)
        print(f"wrote {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
