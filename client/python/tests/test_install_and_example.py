"""The documented install command on a clean virtual environment, and the pipeline example
(examples/label_export.py) run from that environment against a live server: every row labelled
in order, and memory that does not grow with the export's length."""

import csv
import os
import pathlib
import subprocess

import pytest

from conftest import HERE

PACKAGE = HERE.parent
TEXTS = ["Normal MRI brain.", "Acute infarct in the left MCA territory.", "Mild generalised atrophy.",
         "Large mass in the right frontal lobe.", ""]


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment with the client installed by the README's command, run with
    no PYTHONPATH: what a user's pipeline gets."""
    path = tmp_path_factory.mktemp("venv") / "radlabel"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    installed = subprocess.run([str(PACKAGE / "install.sh"), str(path)], capture_output=True, text=True,
                               env=env, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return path, env


def test_the_install_command_gives_an_importable_client_outside_the_checkout(venv, tmp_path):
    path, env = venv
    imported = subprocess.run([str(path / "bin" / "python"), "-c",
                               "import radlabel_client; print(radlabel_client.__file__)"],
                              cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(str(path)), imported.stdout  # not this checkout's copy


def write_export(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["accession", "report_text"])
        for i in range(rows):
            writer.writerow([f"A{i}", TEXTS[i % len(TEXTS)]])


def label_export(venv, server, export, output):
    """(exit code, peak resident memory in KiB) of the example labelling `export`."""
    path, env = venv
    process = subprocess.Popen([str(path / "bin" / "python"), str(PACKAGE / "examples" / "label_export.py"),
                                str(export), str(output), "--target", server.target,
                                "--id-column", "accession", "--text-column", "report_text"],
                               cwd=export.parent, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss


def test_the_pipeline_example_labels_an_export_in_order_with_bounded_memory(venv, server, tmp_path):
    peaks = {}
    for rows in (1000, 20000):
        export, output = tmp_path / f"export{rows}.csv", tmp_path / f"labels{rows}.csv"
        write_export(export, rows)
        code, peaks[rows] = label_export(venv, server, export, output)
        assert code == 3  # the empty reports failed, and said so
        with open(output, newline="") as f:
            written = list(csv.DictReader(f))
        assert [row["accession"] for row in written] == [f"A{i}" for i in range(rows)]
        assert written[1]["acute_stroke"] == "1" and written[0]["abnormal"] == "0"
        assert written[4]["abnormal"] == "" and "empty" in written[4]["error"]
    # 19,000 more rows, read, labelled and written: memory must not follow them.
    assert peaks[20000] - peaks[1000] < 4 * 1024, peaks
