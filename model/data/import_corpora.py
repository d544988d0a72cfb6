#!/usr/bin/python3
"""Imports the public medical text that the default model's build reads into model/data/, from a
folder holding the gathered corpora (mtsamples_all.jsonl.gz, roco_captions.jsonl.gz,
medquad_qa.jsonl.gz). Run once by a maintainer; the build itself reads only model/data/.

    /usr/bin/python3 model/data/import_corpora.py CORPORA_DIR

What it keeps (model/data/SOURCES.md has sources, licences and counts):
- mtsamples.jsonl.gz: the MTSamples transcriptions, one row per unique text (copies filed under
  several specialties are dropped), with the scrape's commas at section breaks turned back into
  line breaks and the publisher's boiler-plate note removed.
- roco_captions.jsonl.gz: the CC-licensed ROCO figure captions, with the article they come from.
- medquad_qa.jsonl.gz: the MedQuAD question-answer pairs, with the page each comes from.
"""
import argparse
import gzip
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
BOILERPLATE = re.compile(r"NOTE,?:\s*These\s*transcribed medical transcription sample reports.*", re.S)
# The scrape wrote "HEADER:,text" and ".,NEXT HEADER: ," where the original broke lines.
SECTION_BREAK = re.compile(r"\s*,\s*(?=[A-Z][A-Z0-9 /&()#-]{2,}:)")
HEADER_COMMA = re.compile(r"(?<=[A-Z]):\s*,\s*")


def read_jsonl_gz(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl_gz(path, rows):
    # mtime 0: the same input gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
        for row in rows:
            f.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))


def clean_mtsamples(text):
    text = BOILERPLATE.sub("", text or "")
    text = SECTION_BREAK.sub("\n", text)
    text = HEADER_COMMA.sub(": ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", help="folder with the gathered corpora")
    args = parser.parse_args()
    mtsamples = []
    for r in read_jsonl_gz(os.path.join(args.corpora, "mtsamples_all.jsonl.gz")):
        if r.get("dup_of") or not (r.get("text") or "").strip():
            continue
        mtsamples.append({"id": r["id"], "specialty": r["specialty"], "sample_name": r["sample_name"].strip(),
                          "description": (r.get("description") or "").strip(), "text": clean_mtsamples(r["text"])})
    roco = [{"id": r["id"], "pmc_image": r["pmc_image"], "license": r["license"], "head_mri": r["head_mri"],
             "caption": r["caption"].strip()}
            for r in read_jsonl_gz(os.path.join(args.corpora, "roco_captions.jsonl.gz"))
            if r["license"] in ("CC BY", "CC BY-SA", "CC0")]
    medquad = [{"id": r["id"], "collection": r["collection"], "url": r["url"], "question": r["question"],
                "answer": r["answer"]}
               for r in read_jsonl_gz(os.path.join(args.corpora, "medquad_qa.jsonl.gz")) if r.get("answer")]
    for name, rows in [("mtsamples", mtsamples), ("roco_captions", roco), ("medquad_qa", medquad)]:
        write_jsonl_gz(os.path.join(HERE, f"{name}.jsonl.gz"), rows)
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
