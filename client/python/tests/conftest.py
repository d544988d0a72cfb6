import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the package from this checkout, not an installed one

from radlabel_client.testing import LocalServer  # noqa: E402

# ctest passes the binary it built; by hand, the README's build folder.
SERVER_BINARY = os.environ.get("RADLABEL_SERVER",
                               str(HERE.parents[2] / "build" / "server" / "radlabel-server"))


@pytest.fixture(scope="session")
def server():
    with LocalServer(SERVER_BINARY) as running:
        yield running
