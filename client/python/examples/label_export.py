#!/usr/bin/env python3
"""Labels a CSV export of any length into a CSV of CheXpert-style labels, with bounded memory.

    python label_export.py reports.csv labels.csv [--target localhost:50051]
                           [--id-column id] [--text-column text]

Reads the export one row at a time through one LabelStream and writes each result as it
arrives, so memory stays the same for 1,000 rows or 10 million: neither the export nor the
results are ever held whole. The output has a row per report, in input order: the id, one column
per label (1 positive, 0 negative, -1 uncertain, as CheXpert writes them; empty for a report
that failed) and `error` (empty when the report was labelled; otherwise why, naming the id).
The exit status is 0 when every report was labelled, 3 when some failed (they are in the output
with their error), 1 when the job could not run.
"""

import argparse
import csv
import sys

from radlabel_client import Client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", help="CSV export with a header row")
    parser.add_argument("output", help="CSV to write")
    parser.add_argument("--target", default="localhost:50051", help="radlabel-server's gRPC address")
    parser.add_argument("--id-column", default="id")
    parser.add_argument("--text-column", default="text")
    args = parser.parse_args()

    failed = 0
    with Client(args.target) as client:
        labels = [label.name for label in client.model_info().labels]
        try:
            results = client.label_csv(args.export, id_column=args.id_column, text_column=args.text_column)
        except ValueError as error:  # the header lacks a column: says which, and which there are
            print(f"label_export: {error}", file=sys.stderr)
            return 1
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([args.id_column, *labels, "error"])
            for result in results:
                if result.ok:
                    writer.writerow([result.id, *(result.labels[name].chexpert for name in labels), ""])
                else:
                    failed += 1
                    writer.writerow([result.id, *([""] * len(labels)), result.error])
    print(f"label_export: wrote {args.output}; {failed} reports failed", file=sys.stderr)
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
