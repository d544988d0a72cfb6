"""The Dockerfile (no container engine runs here, so its parts are checked one by one): its
entrypoint takes every server flag from the environment, the Kubernetes manifests set only flags
it takes, and the runtime-packages script finds a Debian package for every library the binaries
link."""

import json
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
                assert name.startswith("FLAGS_"), f"{manifest}: {name} is not a server flag"
                assert name.removeprefix("FLAGS_") in flags, f"{manifest}: {name} is not read by the image"
                seen.append(name)
    assert "FLAGS_device" in seen and "FLAGS_shutdown_grace" in seen, seen


def test_every_linked_library_comes_from_a_debian_package():
    binaries = [SERVER_BINARY, str(pathlib.Path(SERVER_BINARY).parents[1] / "client" / "radlabel")]
    run = subprocess.run([str(REPO / "scripts" / "runtime-packages.sh"), "--strict", *binaries],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    packages = run.stdout.split()
    for expected in ("libtorch1.13", "libgrpc++1.51", "libprotobuf32", "libprometheus-cpp-core1.0"):
        assert expected in packages
