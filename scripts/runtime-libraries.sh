#!/usr/bin/env bash
# Copies every shared library BINARY... load at start (ldd's whole closure, what the dynamic
# loader maps before main) into DIR, each under the name the loader asks for, with symlinks
# resolved: Debian's BLAS alternative libblas.so.3 arrives as the OpenBLAS it points to. This is
# what a runtime image must carry, and no more: installing the Debian packages that hold these
# libraries would bring whole packages (LLVM, GDAL, Qt, codecs) that LibTorch links for one
# library each. glibc's own libraries are left out (every Debian 12 base image has the same
# ones), and so is any library under --provided DIR (a LibTorch unpacked by hand, which the image
# carries whole because CUDA LibTorch loads some of its libraries with dlopen). Fails, naming the
# library, when one cannot be found.
#   scripts/runtime-libraries.sh [--provided DIR] OUTPUT_DIR BINARY...
set -euo pipefail
provided=""
if [ "${1:-}" = "--provided" ]; then provided=$(realpath -m "$2"); shift 2; fi
output=$1; shift
mkdir -p "$output"
closure=$(for binary in "$@"; do ldd "$binary"; done | sort -u)
if missing=$(grep 'not found' <<< "$closure"); then
  echo "runtime-libraries: the loader cannot find: $missing" >&2
  exit 1
fi
# The BLAS must be OpenBLAS's OpenMP build (scripts/install-deps.sh selects it): the pthread
# build that Debian's alternatives prefer is about 3x slower under LibTorch.
for library in libblas.so.3 liblapack.so.3; do
  path=$(awk -v name="$library" '$1 == name {print $3}' <<< "$closure")
  if [ -n "$path" ] && [[ "$(realpath "$path")" != */openblas-openmp/* ]]; then
    echo "runtime-libraries: $library is $(realpath "$path"), not OpenBLAS's OpenMP build;" \
         "run scripts/install-deps.sh, which selects it" >&2
    exit 1
  fi
done
awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' <<< "$closure" | sort -u |
  while read -r name path; do
    case "$name" in
      ld-linux*|libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|libutil.so.*)
        continue ;;
    esac
    real=$(realpath "$path")
    if [ -n "$provided" ] && [ "${real#"$provided"/}" != "$real" ]; then continue; fi
    cp "$real" "$output/$name"
  done
