#!/usr/bin/python3
"""Prints deploy/prometheus/radlabel.rules.yml wrapped as a PrometheusRule (Prometheus Operator):
    python3 deploy/k8s/make_prometheusrule.py > deploy/k8s/base/prometheusrule.yaml
One source for the rules; tests/deploy/test_k8s.py checks the committed file is this output."""
import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
HEADER = """\
# Generated from deploy/prometheus/radlabel.rules.yml by deploy/k8s/make_prometheusrule.py: edit
# the rules there, then regenerate. Add the labels your Prometheus' ruleSelector asks for;
# without the Prometheus Operator remove this from kustomization.yaml and load the rules file.
"""


class _Dumper(yaml.SafeDumper):
    """Writes multi-line expressions as block literals, as the rules file does."""


_Dumper.add_representer(str, lambda dumper, s: dumper.represent_scalar(
    "tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))


def prometheus_rule() -> str:
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "radlabel.rules.yml").read_text())
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "radlabel", "labels": {"app.kubernetes.io/name": "radlabel"}},
            "spec": {"groups": rules["groups"]}}
    return HEADER + yaml.dump(rule, Dumper=_Dumper, sort_keys=False, width=100)


if __name__ == "__main__":
    sys.stdout.write(prometheus_rule())
