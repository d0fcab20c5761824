#!/usr/bin/env bash
# Redraws the figures of docs/ from fresh runs with the current build: the UV figures of
# docs/dynamics.md with the commands that page shows, and the gallery of docs/figures.md (one
# figure of every kind, taken from a quick reproduction). The real-network figures of
# docs/real-networks.md come from long runs (their commands are on that page) and are not redrawn.
# Usage: docs/figures/regenerate.sh [--no-gallery]
set -euo pipefail
cd "$(dirname "$0")/../.."
if command -v sharpness >/dev/null 2>&1; then
  sharpness() { command sharpness "$@"; }
else
  sharpness() { dotnet src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll "$@"; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
figures=docs/figures

# docs/dynamics.md
sharpness uv orbit --r-min 0.8 --r-max 1.8 --points 2000 --transient 3000 --keep 200 --quiet --out "$work/orbit" >/dev/null
sharpness uv orbit --r-min 1.28 --r-max 1.31 --points 1500 --transient 20000 --keep 200 \
    --value-min 0.7 --value-max 3.7 --quiet --out "$work/orbit-zoom" >/dev/null
sharpness uv lyapunov --r-min 0.8 --r-max 1.9 --points 800 --quiet --out "$work/lyapunov" >/dev/null
sharpness uv phase --quiet --out "$work/phase" >/dev/null
sharpness uv phase --output-ratio 2 --quiet --out "$work/phase-large" >/dev/null
sharpness uv phase --mode physical --log-x --c-min 0.25 --c-max 8 --c-points 48 \
    --y-axis width --y-values 1,2,4,8,16,32,64,128,256,1024 --seeds 5 --steps 1000 --quiet --out "$work/phase-width" >/dev/null
sharpness uv field --r 0.5 --trajectory 0.02,1.5 --trajectory 1.5,3.2 --trajectory -0.3,2.5 --quiet --out "$work/field" >/dev/null
sharpness uv field --r 1.1 --trajectory 0.2,1.0 --trajectory-steps 60 --quiet --out "$work/field-eos" >/dev/null
cp "$work/orbit/orbit.png" "$figures/orbit.png"
cp "$work/orbit-zoom/orbit.png" "$figures/orbit-zoom.png"
cp "$work/lyapunov/lyapunov.png" "$figures/lyapunov.png"
cp "$work/phase/phase.png" "$figures/phase-scaled.png"
cp "$work/phase-large/phase.png" "$figures/phase-scaled-large-output.png"
cp "$work/phase-width/phase.png" "$figures/phase-width.png"
cp "$work/field/field.png" "$figures/field.png"
cp "$work/field-eos/field.png" "$figures/field-eos.png"
echo "redrew the figures of docs/dynamics.md"

[ "${1:-}" = "--no-gallery" ] && exit 0

# docs/figures.md: one figure of each kind, from a quick reproduction (and the quickstart's run).
sharpness uv simulate --width 1000 --param mup --lr-constant 1.8 --steps 60 --quiet --out "$work/mup" >/dev/null
sharpness reproduce --quick --out "$work/quick" > "$work/quick.log"
gallery=$figures/gallery
mkdir -p "$gallery"
cp "$work/mup/trajectory.png" "$gallery/uv-simulate-trajectory.png"
cp "$work/quick/uv-default/trajectory.png" "$gallery/uv-simulate-trajectory-wide.png"
cp "$work/quick/orbit/orbit.png" "$gallery/uv-orbit.png"
cp "$work/quick/lyapunov/lyapunov.png" "$gallery/uv-lyapunov.png"
cp "$work/quick/phase-scaled/phase.png" "$gallery/uv-phase-scaled.png"
cp "$work/quick/phase-width/phase.png" "$gallery/uv-phase-physical.png"
cp "$work/quick/field-eos/field.png" "$gallery/uv-field.png"
eos_run=$(find "$work/quick/net-eos" -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
cp "$eos_run/sharpness.png" "$gallery/net-train-sharpness.png"
cp "$eos_run/lr_sharpness.png" "$gallery/net-train-lr-sharpness.png"
cp "$work/quick/net-eos/eos.png" "$gallery/net-eos.png"
cp "$work/quick/net-early-phase/phase.png" "$gallery/net-early-phase.png"
cp "$work/quick/net-predict/prediction_sharpness.png" "$gallery/net-predict-prediction.png"
cp "$work/quick/net-predict/oscillation.png" "$gallery/net-predict-oscillation.png"
cp "$work/quick/net-predict/oscillation_late.png" "$gallery/net-predict-oscillation-late.png"
cp "$work/quick/net-fit-uv/fit.png" "$gallery/net-fit-uv.png"
cp "$work/quick/net-fit-uv/effective.png" "$gallery/net-fit-uv-effective.png"
echo "redrew the gallery of docs/figures.md"
