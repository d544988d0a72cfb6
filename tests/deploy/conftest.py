import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "client" / "python"))

# ctest passes the binary it built; by hand, the README's build folder.
SERVER_BINARY = os.environ.get("RADLABEL_SERVER", str(REPO / "build" / "server" / "radlabel-server"))
