#!/usr/bin/env bash
# Regenerates the committed Python stubs of proto/radlabel/v1/labeller.proto in
# radlabel_client/v1/ with Debian's protoc and grpc_python_plugin. The stubs are committed so that
# the package installs without a compiler; a test (test_stubs.py) fails when they are stale.
#   client/python/generate_stubs.sh [OUT_DIR]   (default: radlabel_client/v1 next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/radlabel_client/v1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
protoc -I "$here/../../proto" --python_out="$work" --grpc_out="$work" \
  --plugin=protoc-gen-grpc="$(command -v grpc_python_plugin)" radlabel/v1/labeller.proto
mkdir -p "$out"
cp "$work/radlabel/v1/labeller_pb2.py" "$out/"
# protoc writes an absolute import of the message module; inside this package it is a sibling.
sed 's/^from radlabel\.v1 import labeller_pb2 as /from . import labeller_pb2 as /' \
  "$work/radlabel/v1/labeller_pb2_grpc.py" > "$out/labeller_pb2_grpc.py"
