#!/usr/bin/env bash
# The main job: builds the toolkit and runs the reproduction into OUT (default runs/reproduce).
# Today it runs the UV model with its defaults and prints the summary; it grows into the full
# reproduction of the paper's phenomena with figures.
# Usage: scripts/reproduce.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/reproduce}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet, version 10) is required; see README.md" >&2
  exit 2
fi

dotnet build src/Sharpness.Cli -c Release --nologo -v quiet -clp:ErrorsOnly
cli=src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll
if [ -e "$out" ]; then
  echo "error: $out exists; give another folder or remove it" >&2
  exit 2
fi
mkdir -p "$out"
echo "== UV model, defaults (NTP, n = 100, eta = 0.5): early sharpness reduction, then convergence"
dotnet "$cli" uv simulate --out "$out/uv-default"
echo
echo "== UV model on the edge-of-stability manifold, r = eta/eta_c = 1.05 (test vector TV3): period-2 EoS"
printf '{"u": [1, 1, 1, 1], "v": [1, 1, 1, 1]}\n' > "$out/tv3-init.json"
dotnet "$cli" uv simulate --init-file "$out/tv3-init.json" --normalizer 2 --lr 2.1 --steps 400 --out "$out/uv-tv3"
echo
echo "== UV model, catapult: eta = 3/lambda_H(0), muP, width 1000"
dotnet "$cli" uv simulate --param mup --width 1000 --lr-constant 3 --steps 300 --out "$out/uv-catapult"
echo
echo "results in $out (trajectory.csv and manifest.json per run)"
