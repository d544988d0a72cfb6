#!/usr/bin/python3
"""Writes generated head-MRI reports as a CSV corpus (report_id, text) for benchmarks and load
tests, deterministically from a seed:

    /usr/bin/python3 model/generate_corpus.py --reports 20000 --seed 11 --out corpus.csv
"""
import argparse

from radlabel_model.generator import generate, write_reports_csv


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    write_reports_csv(args.out, generate(args.reports, seed=args.seed, id_prefix="bench"))


if __name__ == "__main__":
    main()
