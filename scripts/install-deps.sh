#!/usr/bin/env bash
# Installs every Debian 12 package radlabel needs to build, test and train its default model.
# Idempotent; run as root (or through sudo). libopenblas0-openmp is not optional: LibTorch's
# BLAS is chosen at run time, and Debian's default reference BLAS is many times slower.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libssl-dev openssl
  libtorch-dev python3-torch libopenblas0-openmp
  prometheus-cpp-dev libcpp-httplib-dev libutf8proc-dev
  prometheus curl
  libgtest-dev libgmock-dev googletest
  clang libclang-rt-14-dev
  python3-grpcio python3-protobuf python3-venv python3-setuptools python3-wheel
  python3-pytest python3-yaml python3-jsonschema python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js runs the tokenizer conformance test's reference (npm @huggingface/tokenizers). Debian's
# nodejs and npm, unless a Node.js with npm is already installed (e.g. NodeSource's, which
# conflicts with Debian's npm package).
command -v npm > /dev/null 2>&1 || missing+=(nodejs npm)
# kubectl renders the Kubernetes overlays in the deployment tests: Debian's (1.20), unless one is
# already installed (e.g. the Kubernetes project's package, which conflicts with Debian's).
command -v kubectl > /dev/null 2>&1 || missing+=(kubernetes-client)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
else
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

# libtorch-dev brings libopenblas0-pthread too, and Debian's alternatives then prefer it as
# libblas.so.3: under LibTorch's own thread pool it is about 3x slower than the OpenMP build.
# Select the OpenMP build for BLAS and LAPACK (every program that loads them, Python's torch
# included).
multiarch=$(gcc -print-multiarch)
for library in libblas.so.3 liblapack.so.3; do
  openmp=/usr/lib/$multiarch/openblas-openmp/$library
  if [ "$(readlink -f "/usr/lib/$multiarch/$library")" != "$(readlink -f "$openmp")" ]; then
    $sudo update-alternatives --set "$library-$multiarch" "$openmp"
  fi
done
