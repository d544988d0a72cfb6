"""make_benchmark_bundle.py writes a bundle that the offline labeller (as the server) runs."""
import json
import os
import subprocess
import sys

from radlabel_model.bundle import BUNDLE_FILES, OfflineLabeller, sha256_file

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "make_benchmark_bundle.py")


def test_a_small_benchmark_bundle_is_complete_and_runs(tmp_path):
    out = str(tmp_path / "bench")
    subprocess.run([sys.executable, SCRIPT, "--out", out, "--layers", "2", "--hidden", "32", "--heads", "2",
                    "--max-tokens", "128"], check=True, capture_output=True)
    with open(os.path.join(out, "labels.json")) as f:
        config = json.load(f)
    assert config["max_tokens"] == 128 and config["chunk_overlap"] == 32
    assert len(config["labels"]) == 8
    with open(os.path.join(out, "MANIFEST.sha256")) as f:
        manifest = dict(reversed(line.split()) for line in f)
    assert manifest == {name: sha256_file(os.path.join(out, name)) for name in BUNDLE_FILES}
    labeller = OfflineLabeller(out, threads=1)
    for text in ["No acute infarct. " * 60, "Small vessel disease."]:  # several windows, one
        probabilities = labeller.probabilities(text)
        assert tuple(probabilities.shape) == (8, 3)
        assert abs(float(probabilities.sum()) - 8.0) < 1e-3
