"""The C++ client library as a user gets it: `cmake --install` of the build into a fresh prefix,
a small consumer configured against it with find_package(radlabel) and built, then run against
a real radlabel-server. ctest passes the build directory and the server binary."""

import os
import pathlib
import subprocess

from radlabel_client.testing import LocalServer

HERE = pathlib.Path(__file__).resolve().parent
BUILD = pathlib.Path(os.environ.get("RADLABEL_BUILD", HERE.parents[1] / "build"))
SERVER_BINARY = os.environ.get("RADLABEL_SERVER", str(BUILD / "server" / "radlabel-server"))


def run(argv, **kwargs):
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_a_consumer_builds_against_the_installed_package_and_labels(tmp_path):
    prefix = tmp_path / "prefix"
    run(["cmake", "--install", BUILD, "--prefix", prefix])
    for installed in ("include/radlabel/client.h", "include/radlabel/v1/labeller.grpc.pb.h",
                      "lib/cmake/radlabel/radlabelConfig.cmake", "share/radlabel/proto/radlabel/v1/labeller.proto"):
        assert (prefix / installed).is_file(), installed
    consumer = tmp_path / "consumer"
    run(["cmake", "-S", HERE / "consumer", "-B", consumer, f"-DCMAKE_PREFIX_PATH={prefix}"])
    run(["cmake", "--build", consumer, "-j2"])
    with LocalServer(SERVER_BINARY) as server:
        decisions = run([consumer / "label_one", server.target])
    assert "acute_stroke=positive" in decisions.splitlines(), decisions
