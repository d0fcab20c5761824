#!/usr/bin/env bash
# The main job: builds the toolkit and runs `sharpness reproduce` into OUT (default
# runs/reproduce): sharpness trajectories in each regime, the period-doubling cascade, the orbit
# diagram with a zoom near the accumulation point, the Lyapunov spectrum, phase diagrams, vector
# fields and (when Fashion-MNIST is installed) a real network, with the claims table measured from
# them (claims.json, report.md, index.html). Each run folder holds its CSV, figures and manifest.json.
# Run it again on the same OUT after an interruption and it resumes; a finished OUT is refused.
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
dotnet "$cli" reproduce --out "$out"
echo
echo "results in $out: claims.json, report.md, index.html; CSV, figures and manifest.json per run"
