"""radlabel's Python client: label head-MRI reports with a radlabel-server from a pipeline.

    from radlabel_client import Client
    with Client("localhost:50051") as client:
        for result in client.label_csv(open("reports.csv", newline="")):
            print(result.id, result.decisions if result.ok else result.error)
"""

from .client import AsyncClient, Client, Label, Result, csv_reports

__all__ = ["AsyncClient", "Client", "Label", "Result", "csv_reports"]
