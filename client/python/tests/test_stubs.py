"""The committed stubs are what generate_stubs.sh makes from proto/ now."""

import pathlib
import subprocess

PACKAGE = pathlib.Path(__file__).resolve().parents[1]


def test_committed_stubs_match_the_proto(tmp_path):
    subprocess.run([str(PACKAGE / "generate_stubs.sh"), str(tmp_path)], check=True)
    for name in ("labeller_pb2.py", "labeller_pb2_grpc.py"):
        committed = (PACKAGE / "radlabel_client" / "v1" / name).read_text()
        assert (tmp_path / name).read_text() == committed, (
            f"{name} is stale: run client/python/generate_stubs.sh and commit the result")
