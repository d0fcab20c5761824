#!/usr/bin/env bash
# Restores, builds and runs every test project, then prints the plain line "N passed, N failed".
# Usage: scripts/test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet, version 10) is required; see README.md" >&2
  exit 2
fi

bash scripts/setup.sh
results=TestResults
rm -rf "$results"
dotnet restore Sharpness.sln --nologo -v quiet || exit 1
dotnet build Sharpness.sln -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly || exit 1
status=0
timings=()
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name: running"
  started=$SECONDS
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" "$@" || status=1
  timings+=("$name: $((SECONDS - started)) s")
  echo "== $name: finished in $((SECONDS - started)) s"
done
printf '%s\n' "time per test project:" "${timings[@]/#/  }"

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
