"""The Dockerfile's parts, checked without a container engine (scripts/test-image.sh builds and
runs the image itself): its entrypoint takes every server flag from the environment, the
Kubernetes manifests set only flags it takes, and the runtime-libraries script carries every
library the binaries load, with OpenBLAS's OpenMP build as the BLAS."""

import json
import os
import re
import subprocess
import pathlib

import yaml

from conftest import REPO, SERVER_BINARY


def entrypoint_flags() -> set:
    dockerfile = (REPO / "Dockerfile").read_text()
    (entrypoint,) = re.findall(r"^ENTRYPOINT (\[.*\])$", dockerfile, re.M)
    binary, tryfromenv = json.loads(entrypoint)
    assert binary == "radlabel-server"
    return set(tryfromenv.removeprefix("--tryfromenv=").split(","))


def server_flags() -> set:
    help_text = subprocess.run([SERVER_BINARY, "--helpfull"], capture_output=True, text=True).stdout
    flags, ours = set(), False
    for line in help_text.splitlines():
        if line.startswith("  Flags from "):
            ours = "/server/" in line
        elif ours and (match := re.match(r"    --(\w+) ", line)):
            flags.add(match.group(1))
    return flags


def test_the_entrypoint_takes_every_server_flag_from_the_environment():
    flags = server_flags()
    assert len(flags) > 20
    assert entrypoint_flags() == flags


def env_names(node) -> list:
    """Every container env variable name anywhere in a parsed manifest."""
    if isinstance(node, dict):
        found = [e["name"] for e in node.get("env", [])] if "image" in node or "env" in node else []
        return found + [n for value in node.values() for n in env_names(value)]
    if isinstance(node, list):
        return [n for item in node for n in env_names(item)]
    return []


def test_the_manifests_set_only_flags_the_entrypoint_reads():
    flags = entrypoint_flags()
    seen = []
    for manifest in (REPO / "deploy" / "k8s").rglob("*.yaml"):
        for document in yaml.safe_load_all(manifest.read_text()):
            for name in env_names(document):
                if name == "POD_IP":  # the downward API's address, for FLAGS_metrics_listen
                    continue
                assert name.startswith("FLAGS_"), f"{manifest}: {name} is not a server flag"
                assert name.removeprefix("FLAGS_") in flags, f"{manifest}: {name} is not read by the image"
                seen.append(name)
    assert "FLAGS_device" in seen and "FLAGS_shutdown_grace" in seen, seen


def binaries() -> list:
    return [SERVER_BINARY, str(pathlib.Path(SERVER_BINARY).parents[1] / "client" / "radlabel")]


def test_the_runtime_libraries_are_every_library_the_binaries_load_and_no_more(tmp_path):
    script = str(REPO / "scripts" / "runtime-libraries.sh")
    run = subprocess.run([script, str(tmp_path / "lib"), *binaries()], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    copied = {path.name for path in (tmp_path / "lib").iterdir()}
    loaded = set()
    for binary in binaries():
        ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
        loaded |= {line.split()[0] for line in ldd.splitlines() if " => /" in line}
    glibc = {name for name in loaded if re.match(r"(libc|libm|libdl|libpthread|librt|libresolv)\.so", name)}
    assert glibc and copied == loaded - glibc
    for expected in ("libtorch_cpu.so.1.13", "libgrpc++.so.1.51", "libprotobuf.so.32", "libblas.so.3"):
        assert expected in copied
    openmp_blas = pathlib.Path("/usr/lib") / subprocess.run(
        ["gcc", "-print-multiarch"], capture_output=True, text=True, check=True).stdout.strip() / \
        "openblas-openmp" / "libblas.so.3"
    assert (tmp_path / "lib" / "libblas.so.3").read_bytes() == openmp_blas.resolve().read_bytes()


def test_a_blas_other_than_openblas_openmp_is_refused(tmp_path):
    # The loader finds libblas.so.3 in a folder of its own first: not the OpenMP build's path.
    (tmp_path / "blas").mkdir()
    ldd = subprocess.run(["ldd", SERVER_BINARY], capture_output=True, text=True, check=True).stdout
    (blas,) = [line.split()[2] for line in ldd.splitlines() if line.split()[0] == "libblas.so.3"]
    (tmp_path / "blas" / "libblas.so.3").write_bytes(pathlib.Path(blas).resolve().read_bytes())
    run = subprocess.run([str(REPO / "scripts" / "runtime-libraries.sh"), str(tmp_path / "lib"),
                          SERVER_BINARY], capture_output=True, text=True,
                         env={**os.environ, "LD_LIBRARY_PATH": str(tmp_path / "blas")})
    assert run.returncode == 1
    assert "not OpenBLAS's OpenMP build" in run.stderr and "install-deps.sh" in run.stderr
