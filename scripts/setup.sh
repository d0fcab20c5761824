#!/usr/bin/env bash
# Installs the system packages the toolkit uses, when missing and when run as root with apt:
#   dataset-fashion-mnist   Fashion-MNIST, the default dataset of the real-network commands;
#   libopenblas0-pthread    OpenBLAS, for `--blas openblas` (LibTorch's matrix products in OpenBLAS
#                           instead of its own MKL; optional, the default needs nothing);
#   nodejs, npm             Node.js 18 or later and npm, which `dotnet build` uses to build the page of
#                           `sharpness serve` (src/Sharpness.Web/Client) from its lock file;
#   fonts-dejavu-core       DejaVu Sans, the font of every figure (without a font the figures have no text);
#   python3-torch, python3-scipy
#                           PyTorch and SciPy for Debian's /usr/bin/python3: the end-to-end PyTorch
#                           oracle of the tests (bench/pytorch/training_oracle.py); without them those
#                           tests are skipped, saying so.
# Everything else comes from NuGet on the first restore. Then it puts the `sharpness` command on PATH
# (scripts/install-launcher.sh: /usr/local/bin as root, ~/.local/bin otherwise).
set -uo pipefail
missing=()
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 ] || missing+=(libopenblas0-pthread)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
python_has_torch() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import torch, scipy" >/dev/null 2>&1; }
python_has_torch || missing+=(python3-torch python3-scipy)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (Debian packages) ..."
  apt-get update -qq >/dev/null 2>&1 || true
  for package in "${missing[@]}"; do
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null 2>&1 \
      || echo "note: $package could not be installed" >&2
  done
fi
[ -d /usr/share/datasets/fashion-mnist ] \
  || echo "note: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); the real-network commands will need --data-dir" >&2
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 ] \
  || echo "note: OpenBLAS is not installed (apt-get install libopenblas0-pthread); --blas openblas will not be available" >&2
{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } \
  || echo "error: Node.js and npm are not installed (apt-get install nodejs npm); the build of sharpness serve's page needs them" >&2
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
  || echo "note: DejaVu Sans is not installed (apt-get install fonts-dejavu-core); figures will be drawn without text" >&2
bash "$(dirname "$0")/install-launcher.sh" || echo "note: the sharpness command could not be put on PATH; run dotnet src/Sharpness.Cli/bin/Release/net10.0/sharpness.dll instead" >&2
python_has_torch \
  || echo "note: /usr/bin/python3 cannot import torch and scipy (apt-get install python3-torch python3-scipy); the PyTorch oracle tests will be SKIPPED" >&2
exit 0
