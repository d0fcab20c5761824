#!/usr/bin/env bash
# Installs the system packages the toolkit uses, when missing and when run as root with apt:
# Fashion-MNIST (the default dataset of the real-network commands, Debian's dataset-fashion-mnist).
# Everything else comes from NuGet on the first restore.
set -uo pipefail
if [ -d /usr/share/datasets/fashion-mnist ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing dataset-fashion-mnist (Debian package) ..."
  apt-get update -qq >/dev/null 2>&1 || true
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; then
    exit 0
  fi
fi
echo "note: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); the real-network commands will need --data-dir" >&2
exit 0
