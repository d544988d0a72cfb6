#!/usr/bin/env bash
# Downloads, on a Debian 12 machine with its package archive, the Debian packages that
# bench/gpu/run.sh unpacks on a GPU host that has CUDA, CMake and PyTorch but no gRPC and no
# package archive: gRPC, Protocol Buffers, Abseil, prometheus-cpp, cpp-httplib, utf8proc and
# what they need to build and link (about 21 MB). They land in bench/gpu/debs/, which git
# ignores; carry that folder to the GPU host with the working tree.
#
#   bench/gpu/fetch_debs.sh
#
# The C library, the C++ runtime and the compilers are not fetched: the host's are used (a
# Debian 12 build needs glibc >= 2.36 and libstdc++ >= GCC 12's, which current CUDA images have).
set -euo pipefail
cd "$(dirname "$0")"
PACKAGES=(
  # gRPC and Protocol Buffers: headers, libraries, protoc and the gRPC C++ plugin
  libgrpc++-dev libgrpc++1.51 libgrpc-dev libgrpc29 protobuf-compiler-grpc
  libprotobuf-dev libprotobuf32 libprotobuf-lite32 libprotoc32 protobuf-compiler
  libabsl-dev libabsl20220623 libc-ares-dev libc-ares2 libre2-dev libre2-9
  libssl-dev libssl3 zlib1g-dev zlib1g
  # metrics: prometheus-cpp (its CMake config also asks for civetweb and curl) and cpp-httplib
  prometheus-cpp-dev libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libprometheus-cpp-push1.0
  libcivetweb-dev libcivetweb1 civetweb libcurl4-openssl-dev libcurl4
  libcpp-httplib-dev libcpp-httplib0.11 libbrotli-dev libbrotli1
  # the tokenizer's Unicode tables
  libutf8proc-dev libutf8proc2
  # pkg-config, which finds utf8proc, cpp-httplib and re2
  pkgconf-bin libpkgconf3
)
rm -rf debs.partial && mkdir debs.partial
(cd debs.partial && apt-get download "${PACKAGES[@]}")
rm -rf debs && mv debs.partial debs
echo "fetched $(ls debs | wc -l) packages ($(du -sh debs | cut -f1)) into $(pwd)/debs"
