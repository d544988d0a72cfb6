#!/usr/bin/env bash
# Installs the radlabel Python client into a virtual environment, offline, on Debian 12:
#
#   client/python/install.sh VENV_DIR        then: VENV_DIR/bin/python your_pipeline.py
#
# Debian's Python refuses `pip install` outside a virtual environment (PEP 668), and the client's
# dependencies are Debian's python3-grpcio and python3-protobuf (scripts/install-deps.sh installs
# them): so the environment sees the system's packages, and pip builds the client with Debian's
# setuptools, asking no package index. An existing environment is reused (the client upgraded).
set -euo pipefail
venv=${1:?usage: client/python/install.sh VENV_DIR}
here=$(cd "$(dirname "$0")" && pwd)
# Debian's interpreter: the one its python3-grpcio and python3-protobuf are installed for.
python=${PYTHON:-/usr/bin/python3}
[ -x "$venv/bin/python" ] || "$python" -m venv --system-site-packages "$venv"
# Built from a copy: setuptools writes build/ and *.egg-info/ beside the sources it builds.
source_copy=$(mktemp -d)
trap 'rm -rf "$source_copy"' EXIT
cp -r "$here/pyproject.toml" "$here/radlabel_client" "$source_copy/"
"$venv/bin/python" -m pip install --quiet --no-index --no-build-isolation --disable-pip-version-check \
  --upgrade "$source_copy"
"$venv/bin/python" -c 'import radlabel_client, sys; print("radlabel_client installed in", sys.prefix)'
