#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries BINARY... link directly (their ELF
# NEEDED entries), one per line: what a runtime image must install (the Dockerfile's runtime
# stage); apt brings those packages' own dependencies. Libraries that no package holds (a
# LibTorch unpacked by hand) are left out; --strict makes them an error instead.
#   scripts/runtime-packages.sh [--strict] BINARY...
set -euo pipefail
strict=0
if [ "${1:-}" = "--strict" ]; then strict=1; shift; fi
declare -A packages=()
unowned=0
while read -r library; do
  # Debian 12 has merged /usr: dpkg may record a library under /lib or /usr/lib, and the BLAS
  # that ldd names is an alternatives link to the real one (libopenblas0-openmp).
  real=$(realpath "$library")
  owner=""
  for path in "$library" "$real" "${real#/usr}" "/usr$real"; do
    owner=$(dpkg-query -S "$path" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$owner" ] && break
  done
  if [ -n "$owner" ]; then
    packages[$owner]=1
  else
    echo "runtime-packages: no Debian package holds $library" >&2
    unowned=1
  fi
done < <(for binary in "$@"; do
           needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
           ldd "$binary" | awk -v needed=" $(echo $needed) " \
             '$2 == "=>" && $3 ~ /^\// && index(needed, " " $1 " ") {print $3}'
         done | sort -u)
printf '%s\n' "${!packages[@]}" | sort
[ $strict -eq 0 ] || [ $unowned -eq 0 ]
