#!/usr/bin/env bash
# Restores, builds and runs the test projects, then prints the plain line "N passed, N failed".
# Usage: scripts/test.sh [--all | --end-to-end] [--jobs N] [extra dotnet test arguments]
#   (default)     every test except the end-to-end group: a few minutes on two cores
#   --end-to-end  only the end-to-end group (Category=EndToEnd): whole processes killed and resumed,
#                 concurrent shards, full quick reproductions, the example programs built and run,
#                 browsers; CI runs it (.ci/run runs --all)
#   --all         both
#   --jobs N      test projects run side by side (default 3); each shows when it starts and how long
#                 it took, and its log is kept in TestResults/NAME.log
set -uo pipefail
cd "$(dirname "$0")/.."

filter="Category!=EndToEnd"
group="every test except the end-to-end group (scripts/test.sh --all runs them too)"
jobs=3
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) filter=""; group="every test"; shift ;;
    --end-to-end) filter="Category=EndToEnd"; group="the end-to-end group"; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet, version 10) is required; see README.md" >&2
  exit 2
fi

bash scripts/setup.sh
results=TestResults
rm -rf "$results"
mkdir -p "$results"
started_all=$SECONDS
echo "== build (Release)"
dotnet restore Sharpness.sln --nologo -v quiet || exit 1
dotnet build Sharpness.sln -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly || exit 1
echo "== build finished in $((SECONDS - started_all)) s; running $group, up to $jobs projects at a time"

# The longest projects first, so that the short ones fill the gaps. The browser tests (Web) wait on a real
# browser with real time-outs, so they run alone after the others rather than beside the Cli tests' many processes.
order=(Cli Experiments Nets Plots Core Runs Uv)
alone=(tests/Sharpness.Web.Tests/Sharpness.Web.Tests.csproj)
projects=()
for name in "${order[@]}"; do
  [ -f "tests/Sharpness.$name.Tests/Sharpness.$name.Tests.csproj" ] && projects+=("tests/Sharpness.$name.Tests/Sharpness.$name.Tests.csproj")
done
for project in tests/*/*.Tests.csproj; do
  case " ${projects[*]} ${alone[*]} " in *" $project "*) ;; *) projects+=("$project") ;; esac
done

# Counts of a project's trx file: "passed failed".
counts() {
  local counters
  counters=$(grep -o '<Counters [^>]*>' "$1" 2>/dev/null | head -n 1)
  echo "$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters") $(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
}

run_project() {
  local project=$1 name
  name=$(basename "$project" .csproj)
  local started=$SECONDS
  local args=(test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx"
              --logger "console;verbosity=minimal" --results-directory "$results"
              --blame-hang-timeout 10m --blame-hang-dump-type none)
  # A test that hangs (a browser that never answers, say) ends its project after 10 minutes, counted as a failure.
  [ -n "$filter" ] && args+=(--filter "$filter")
  # Each project writes its temporary run folders into a folder of its own, removed when it ends,
  # so a test run leaves nothing behind in /tmp and its disk use stays bounded.
  local scratch
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/sharpness-test.XXXXXX")
  TMPDIR=$scratch dotnet "${args[@]}" ${extra[@]+"${extra[@]}"} > "$results/$name.log" 2>&1
  local code=$? passed failed
  rm -rf "$scratch"
  read -r passed failed <<<"$(counts "$results/$name.trx")"
  echo "== $name: ${passed:-0} passed, ${failed:-0} failed in $((SECONDS - started)) s"
  if [ "$code" -ne 0 ]; then
    grep -E '^\s+(Failed|Error Message|Stack Trace)|^\s+at |error' "$results/$name.log" | head -n 40 | sed 's/^/   /'
    echo "   (full log: $results/$name.log)"
    echo "$name" >> "$results/failed-projects"
    # A project that ended without a failed test (aborted by a hang or a crash) counts as one failure.
    [ "${failed:-0}" -eq 0 ] && echo "$name" >> "$results/aborted-projects"
  fi
}

for project in "${projects[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n
  done
  echo "== $(basename "$project" .csproj): running"
  run_project "$project" &
done
wait
for project in "${alone[@]}"; do
  if [ -f "$project" ]; then
    echo "== $(basename "$project" .csproj): running (alone)"
    run_project "$project"
  fi
done

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  read -r p f <<<"$(counts "$trx")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ -s "$results/aborted-projects" ]; then
  failed=$((failed + $(wc -l < "$results/aborted-projects")))
fi
echo "== all finished in $((SECONDS - started_all)) s"
echo "${passed} passed, ${failed} failed"
if [ -s "$results/failed-projects" ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
