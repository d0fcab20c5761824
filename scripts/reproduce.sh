#!/usr/bin/env bash
# The main job: builds the toolkit and reproduces the UV-model phenomena with figures into OUT
# (default runs/reproduce): sharpness trajectories in each regime, the period-doubling cascade,
# the orbit diagram with a zoom near the accumulation point, the Lyapunov spectrum, phase diagrams
# and vector fields. Each run folder holds its CSV, figures and manifest.json.
# Usage: scripts/reproduce.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/reproduce}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet, version 10) is required; see README.md" >&2
  exit 2
fi

bash scripts/setup.sh
dotnet build src/Sharpness.Cli -c Release --nologo -v quiet -clp:ErrorsOnly
cli=src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll
if [ -e "$out" ]; then
  echo "error: $out exists; give another folder or remove it" >&2
  exit 2
fi
mkdir -p "$out"
run() { echo; echo "== $1"; shift; dotnet "$cli" "$@"; }

run "UV model, defaults (NTP, n = 100, eta = 0.5): early sharpness reduction, then convergence" \
  uv simulate --out "$out/uv-default"
printf '{"u": [1, 1, 1, 1], "v": [1, 1, 1, 1]}\n' > "$out/tv3-init.json"
run "UV model on the EoS manifold, r = 1.05 (test vector TV3): period-2 edge of stability" \
  uv simulate --init-file "$out/tv3-init.json" --normalizer 2 --lr 2.1 --steps 400 --out "$out/uv-tv3"
run "UV model, muP, eta = 1.8/lambda_H(0): progressive sharpening, self-stabilised EoS" \
  uv simulate --param mup --width 1000 --lr-constant 1.8 --steps 500 --out "$out/uv-mup-sharpening"
run "UV model, catapult: eta = 3/lambda_H(0), muP, width 1000" \
  uv simulate --param mup --width 1000 --lr-constant 3 --steps 300 --out "$out/uv-catapult"
run "Period-doubling cascade on the EoS manifold" uv cascade --out "$out/cascade"
run "Orbit diagram against r = eta/eta_c" \
  uv orbit --r-min 0.8 --r-max 1.8 --points 2000 --transient 3000 --keep 200 --out "$out/orbit"
run "Orbit diagram, zoom near the accumulation point" \
  uv orbit --r-min 1.28 --r-max 1.31 --points 1500 --transient 20000 --keep 200 --value-min 0.7 --value-max 3.7 --out "$out/orbit-zoom"
run "Lyapunov spectrum against r" uv lyapunov --r-min 0.8 --r-max 1.9 --points 800 --out "$out/lyapunov"
run "Phase diagram, c = eta*lambda_0 against r, zero initial output" uv phase --out "$out/phase-scaled"
run "Phase diagram over width (NTP, 5 seeds)" \
  uv phase --mode physical --log-x --c-min 0.25 --c-max 8 --c-points 48 --y-axis width --y-values 1,2,4,8,16,32,64,128,256,1024 --seeds 5 --steps 1000 --out "$out/phase-width"
run "Vector field at r = 0.5 with trajectories" \
  uv field --r 0.5 --trajectory 0.02,1.5 --trajectory 1.5,3.2 --trajectory -0.3,2.5 --out "$out/field"
run "Vector field at r = 1.1 (above the critical learning rate)" \
  uv field --r 1.1 --trajectory 0.2,1.0 --trajectory-steps 60 --out "$out/field-eos"
echo
echo "results in $out (CSV, PNG/SVG figures and manifest.json per run)"
