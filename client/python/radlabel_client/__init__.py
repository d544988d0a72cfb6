"""radlabel's Python client: label head-MRI reports with a radlabel-server from a pipeline.

    from radlabel_client import Client
    with Client("localhost:50051") as client:
        for result in client.label_csv("reports.csv"):
            print(result.id, result.decisions if result.ok else result.error)
"""

from .client import CHEXPERT_VALUES, AsyncClient, Client, Evidence, Label, Result, csv_reports

__all__ = ["AsyncClient", "CHEXPERT_VALUES", "Client", "Evidence", "Label", "Result", "csv_reports"]
