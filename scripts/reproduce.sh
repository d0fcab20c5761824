#!/usr/bin/env bash
# The main job: builds the toolkit, puts `sharpness` on PATH (scripts/setup.sh) and runs
# `sharpness reproduce` into OUT (default runs/reproduce): sharpness trajectories in each regime,
# the period-doubling cascade, the orbit diagram with a zoom near the accumulation point, the
# Lyapunov spectrum, phase diagrams, vector fields and (when Fashion-MNIST is installed) real
# networks, with the claims table measured from them (claims.json, report.md, index.html). Each run
# folder holds its CSV, figures and manifest.json. Run it again on the same OUT after an
# interruption and it resumes; a finished OUT is refused.
# Usage: scripts/reproduce.sh [OPTIONS] [OUT]
#   OPTIONS are those of `sharpness reproduce` (--quick, --no-net, --data-dir DIR, ...), passed on as
#   given; OUT may also be given as --out OUT. Example: scripts/reproduce.sh --quick runs/quick
set -euo pipefail
cd "$(dirname "$0")/.."

out=runs/reproduce
options=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    --out) [ $# -ge 2 ] || { echo "error: --out needs a folder" >&2; exit 2; }; out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    # The options of `sharpness reproduce` that take a value.
    --data-dir|--config) [ $# -ge 2 ] || { echo "error: $1 needs a value" >&2; exit 2; }; options+=("$1" "$2"); shift 2 ;;
    -*) options+=("$1"); shift ;;
    *) out=$1; shift ;;
  esac
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet, version 10) is required; see README.md" >&2
  exit 2
fi

bash scripts/setup.sh
dotnet build src/Sharpness.Cli -c Release --nologo -v quiet -clp:ErrorsOnly
cli=src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll
dotnet "$cli" reproduce --out "$out" ${options[@]+"${options[@]}"}
echo
echo "results in $out: claims.json, report.md, index.html; CSV, figures and manifest.json per run"
