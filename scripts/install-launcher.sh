#!/usr/bin/env bash
# Puts a `sharpness` command on PATH: a small shell launcher that runs this checkout's Release build
# (src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll) with `dotnet`. Because it runs whatever that
# build currently holds, it keeps working, up to date, after every rebuild; it never needs
# reinstalling unless the checkout moves.
#   scripts/install-launcher.sh [DIR]
# DIR defaults to /usr/local/bin as root and to ~/.local/bin otherwise. A launcher already there
# for this checkout is left alone; one for another checkout is replaced (the last set-up wins).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -gt 0 ]; then
  dir=$1
elif [ "$(id -u)" -eq 0 ]; then
  dir=/usr/local/bin
else
  dir=$HOME/.local/bin
fi

dotnet=$(command -v dotnet || true)
if [ -z "$dotnet" ]; then
  echo "error: the .NET SDK (dotnet, version 10) is required; see README.md" >&2
  exit 2
fi
dotnet=$(readlink -f "$dotnet")
# Paths inside single quotes in the launcher: a quote in them is written as '\''.
quote() { printf '%s' "$1" | sed "s/'/'\\\\''/g"; }
repo_q=$(quote "$repo")
dotnet_q=$(quote "$dotnet")

launcher=$(cat <<SCRIPT
#!/bin/sh
# The sharpness command of the toolkit in $repo (written by scripts/install-launcher.sh).
dll='$repo_q/src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll'
if [ ! -f "\$dll" ]; then
  echo "sharpness: \$dll is missing; build it with: dotnet build -c Release '$repo_q/src/Sharpness.Cli'" >&2
  exit 1
fi
dotnet=\$(command -v dotnet || echo '$dotnet_q')
exec "\$dotnet" "\$dll" "\$@"
SCRIPT
)

mkdir -p "$dir"
if [ -f "$dir/sharpness" ] && [ "$(cat "$dir/sharpness")" = "$launcher" ]; then
  exit 0
fi
temporary=$(mktemp "$dir/.sharpness.XXXXXX")
printf '%s\n' "$launcher" > "$temporary"
chmod 755 "$temporary"
mv -f "$temporary" "$dir/sharpness"
echo "installed $dir/sharpness (runs the build in $repo)"
case ":$PATH:" in
  *":$dir:"*) ;;
  *) echo "note: $dir is not on PATH; add it (export PATH=\"$dir:\$PATH\") to type sharpness" >&2 ;;
esac
