#!/usr/bin/env bash
# The README's second command (and CI's): installs the packages, builds, runs every test
# (GoogleTest batcher, unit and integration suites, the tokenizer conformance test against
# Hugging Face's JavaScript tokenizer, the Python model and client tests, the HTTP/JSON API tests
# (curl, urllib, the OpenAPI document) and the deployment tests (Prometheus, Kubernetes,
# Dockerfile) through pytest) via ctest; then scripts/test-image.sh: the container image built
# with podman, started, and labelling through gRPC and HTTP; then scripts/sanitize.sh: the C++
# suites again under ASan + UBSan, the fuzzers for a minute each, and the batcher's tests under
# TSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
# From the npm registry, pinned by package-lock.json: the conformance test's reference tokenizer,
# the Kubernetes schemas the deployment tests validate against, and the OpenAPI validator.
npm ci --prefix tests/tokenizer_conformance --no-audit --no-fund --loglevel=error
npm ci --prefix tests/deploy --no-audit --no-fund --loglevel=error
npm ci --prefix tests/http --no-audit --no-fund --loglevel=error
cd build
ctest --output-on-failure -j2 --timeout 600
cd ..
./scripts/test-image.sh
./scripts/sanitize.sh 60
