#!/usr/bin/env bash
# Writes the reference ids for the tokenizer conformance test: a tokenizer.json built from the
# default bundle's vocab.txt, and the ids Hugging Face's JavaScript tokenizer gives each string.
#   tests/tokenizer_conformance/reference_ids.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$1"
mkdir -p "$out"
if [ ! -d "$here/node_modules/@huggingface/tokenizers" ]; then
  echo "@huggingface/tokenizers is not installed: run 'npm ci --prefix tests/tokenizer_conformance'" \
       "(scripts/test.sh does)" >&2
  exit 1
fi
/usr/bin/python3 - "$root" "$out" <<'PY'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, "model"))
from radlabel_model.tokenizer_json import write_tokenizer_json
with open(os.path.join(root, "model", "default", "labels.json")) as f:
    config = json.load(f)
write_tokenizer_json(os.path.join(root, "model", "default", "vocab.txt"), os.path.join(out, "tokenizer.json"),
                     config["do_lower_case"], config["max_input_chars_per_word"])
PY
node "$here/hf_ids.mjs" "$out/tokenizer.json" "$out/tokenizer_config.json" \
  "$root/tests/data/tokenizer_conformance_strings.jsonl" "$out/hf_ids.jsonl"
