#!/usr/bin/env bash
# One-shot GPU benchmark, for a host with CUDA, CMake and PyTorch but no gRPC and no package
# archive (docs/gpu.md). Unpacks the Debian packages that bench/gpu/fetch_debs.sh fetched into
# bench/gpu/debs/, builds radlabel against PyTorch's LibTorch, exports a BERT-base-sized bundle
# with random weights, and runs bench/run.py --profile gpu (offline ceiling, and end to end over
# gRPC at several stream concurrencies) on it and on the default bundle. Writes run.log and the
# benchmark JSON into RESULTS_DIR.
#
#   bench/gpu/run.sh RESULTS_DIR
#
# Environment: PYTHON (default python3, the one with PyTorch), CXX_COMPILER (/usr/bin/g++),
# DEVICE (cuda:0), REPORTS
# (100000), WORK (/tmp/radlabel-gpu: build folder and unpacked packages), BUNDLE_FLAGS (extra
# make_benchmark_bundle.py flags; a CPU check of this script uses a smaller model),
# SWEEP_REPORTS (20000: the corpus of the final batch-limit sweep).
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_DIR" >&2; exit 2; }
RESULTS=$(realpath -m "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda:0}
REPORTS=${REPORTS:-100000}
WORK=${WORK:-/tmp/radlabel-gpu}
BUNDLE_FLAGS=${BUNDLE_FLAGS:-}
mkdir -p "$RESULTS" "$WORK"
exec > >(tee -a "$RESULTS/run.log") 2>&1
cd "$ROOT"
step() { echo "== $(date +%T) $*"; }
die() { echo "FAILED: $*"; exit 1; }

step host
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "GPU", torch.cuda.is_available(), "cxx11 ABI", torch._C._GLIBCXX_USE_CXX11_ABI)' \
  || die "$PYTHON cannot import torch"
"$PYTHON" -c 'import torch, sys; sys.exit(0 if torch._C._GLIBCXX_USE_CXX11_ABI else 1)' \
  || die "this PyTorch uses the old C++ ABI; Debian's gRPC and protobuf need the C++11 ABI"
ldd --version | head -1; c++ --version | head -1; cmake --version | head -1; nproc

step "unpack $(ls bench/gpu/debs/*.deb 2>/dev/null | wc -l) Debian packages"
ls bench/gpu/debs/*.deb > /dev/null 2>&1 || die "bench/gpu/debs/ is empty: run bench/gpu/fetch_debs.sh on Debian 12 first"
PREFIX=$WORK/prefix
LIBDIR=$PREFIX/usr/lib/x86_64-linux-gnu
rm -rf "$PREFIX" "$WORK/build" && mkdir -p "$PREFIX" "$WORK/bin"  # a fresh build every time
for deb in bench/gpu/debs/*.deb; do
  if command -v dpkg-deb > /dev/null; then
    dpkg-deb -x "$deb" "$PREFIX"
  else  # a .deb is an ar archive holding data.tar.xz
    (cd "$WORK" && ar x "$(realpath "$ROOT/$deb")" data.tar.xz && tar -xJf data.tar.xz -C "$PREFIX" && rm data.tar.xz)
  fi || die "cannot unpack $deb"
done
# Debian's programs run with Debian's libraries; nothing else sees them.
cat > "$WORK/bin/protoc" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH=$LIBDIR exec $PREFIX/usr/bin/protoc "\$@"
WRAP
cat > "$WORK/bin/pkg-config" <<WRAP
#!/bin/sh
export LD_LIBRARY_PATH=$LIBDIR PKG_CONFIG_SYSROOT_DIR=$PREFIX
export PKG_CONFIG_LIBDIR=$LIBDIR/pkgconfig:$PREFIX/usr/share/pkgconfig
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
exec $PREFIX/usr/bin/pkgconf "\$@"
WRAP
chmod +x "$WORK/bin/protoc" "$WORK/bin/pkg-config"
"$WORK/bin/protoc" --version || die "Debian's protoc does not run here"

step "configure against PyTorch's LibTorch"
TORCH_PREFIX=$("$PYTHON" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
TORCH_LIB=$("$PYTHON" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
TORCH_INCLUDE=$("$PYTHON" -c 'import torch.utils.cpp_extension as e; print(";".join(e.include_paths()))')
# LibTorch 2.12 and later need C++20.
CXX_STANDARD=$("$PYTHON" -c 'import torch; v = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]); print(20 if v >= (2, 12) else 17)')
# The system's compiler, which links libstdc++ as a shared library like LibTorch does. A toolchain
# that links parts of its own libstdc++ statically (seen: /opt/gcc on a CUDA image) puts a second
# std::locale into the executable, which then frees LibTorch's: "free(): invalid pointer".
CXX_COMPILER=${CXX_COMPILER:-$(command -v /usr/bin/g++ || command -v /usr/bin/c++ || command -v c++)}
echo "C++ compiler: $CXX_COMPILER ($("$CXX_COMPILER" --version | head -1))"
GENERATOR=()
command -v ninja > /dev/null && GENERATOR=(-G Ninja)
# -include cstdint: Debian's Abseil 20220623 predates GCC 13, whose headers stopped including it.
# --allow-shlib-undefined: the libraries' own dependencies resolve at run time (LD_LIBRARY_PATH).
configure() {
  CMAKE_POLICY_VERSION_MINIMUM=3.5 cmake -S . -B "$WORK/build" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DRADLABEL_BUILD_TESTS=OFF -DCMAKE_CXX_STANDARD="$CXX_STANDARD" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" \
    -DCMAKE_PREFIX_PATH="$PREFIX/usr;$TORCH_PREFIX" -DCMAKE_LIBRARY_ARCHITECTURE=x86_64-linux-gnu \
    -DProtobuf_PROTOC_EXECUTABLE="$WORK/bin/protoc" -DPKG_CONFIG_EXECUTABLE="$WORK/bin/pkg-config" \
    -DOPENSSL_ROOT_DIR="$PREFIX/usr" -DZLIB_ROOT="$PREFIX/usr" \
    -DCMAKE_CXX_FLAGS="-include cstdint" \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,--allow-shlib-undefined -Wl,-rpath-link,$LIBDIR -Wl,-rpath-link,$TORCH_LIB" "$@"
}
if ! configure; then
  step "TorchConfig.cmake failed (above); configuring with LibTorch's folders named directly"
  rm -rf "$WORK/build"
  configure -DRADLABEL_TORCH_INCLUDE_DIRS="$TORCH_INCLUDE" -DRADLABEL_TORCH_LIBRARY_DIR="$TORCH_LIB" \
    || die "cmake configure"
fi
grep -E "^(Protobuf_INCLUDE_DIR|Protobuf_LIBRARY_RELEASE|gRPC_DIR|absl_DIR|Torch_DIR|OPENSSL_CRYPTO_LIBRARY|CMAKE_CXX_COMPILER):" "$WORK/build/CMakeCache.txt"

step build
cmake --build "$WORK/build" -j"$(nproc)" --target radlabel-server radlabel radlabel-offline-ceiling \
  || die "build"
export LD_LIBRARY_PATH=$LIBDIR:$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

step "export the BERT-base-sized benchmark bundle"
"$PYTHON" model/make_benchmark_bundle.py --out "$WORK/bert_base" $BUNDLE_FLAGS || die "benchmark bundle"

step "smoke test: the default bundle on $DEVICE (200 reports)"
"$PYTHON" model/generate_corpus.py --reports 200 --seed 5 --out "$WORK/corpus_smoke.csv" > /dev/null
smoke() {
  timeout 120 "$WORK/build/bench/radlabel-offline-ceiling" --input="$WORK/corpus_smoke.csv" --id_column=report_id \
    --device="$DEVICE" "$@"
}
if ! smoke; then
  echo "protobuf symbols that LibTorch exports: $(nm -D --defined-only "$TORCH_LIB"/libtorch_cpu.so | grep -c ' _ZN6google8protobuf')"
  echo "before LibTorch runs (a missing bundle):"; "$WORK/build/server/radlabel-server" --bundle=/nonexistent 2>&1 | tail -2
  if command -v cuda-gdb > /dev/null; then
    timeout 120 cuda-gdb -q -batch -ex run -ex bt --args "$WORK/build/bench/radlabel-offline-ceiling" \
      --input="$WORK/corpus_smoke.csv" --id_column=report_id --device="$DEVICE" 2>&1 | grep -E "^#|signal" | head -40
  fi
  die "the offline ceiling does not run on $DEVICE"
fi

step "benchmark: BERT-base (12 x 768), $REPORTS reports, $DEVICE"
BENCH=("$PYTHON" bench/run.py --profile gpu --build "$WORK/build" --reports "$REPORTS"
       --corpus "$WORK/corpus_$REPORTS.csv" --model-flag="--device=$DEVICE")
timeout 240 "${BENCH[@]}" --results "$RESULTS/bert_base" --bundle "$WORK/bert_base" --streams 8,32
cp "$RESULTS/bert_base/bench.json" "$RESULTS/bert_base.json" 2> /dev/null

step "benchmark: the default bundle, $REPORTS reports, $DEVICE"
timeout 120 "${BENCH[@]}" --results "$RESULTS/default" --streams 32
cp "$RESULTS/default/bench.json" "$RESULTS/default.json" 2> /dev/null
SWEEP_REPORTS=${SWEEP_REPORTS:-20000}
step "offline ceiling of the BERT-base bundle by batch limits and workers ($SWEEP_REPORTS reports)"
"$PYTHON" model/generate_corpus.py --reports "$SWEEP_REPORTS" --seed 11 --out "$WORK/corpus_sweep.csv" > /dev/null
for config in "4 65536 256" "2 65536 256" "8 65536 256" "4 131072 512"; do
  set -- $config
  echo "workers $1, max_batch_tokens $2, max_batch_size $3: $(timeout 60 "$WORK/build/bench/radlabel-offline-ceiling" \
    --bundle="$WORK/bert_base" --input="$WORK/corpus_sweep.csv" --id_column=report_id --json --device="$DEVICE" \
    --model_workers="$1" --max_batch_tokens="$2" --max_batch_size="$3" 2>&1 | tail -1)"
done
step done
