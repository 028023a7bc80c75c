"""One module per vendor; `adapter_for(vendor)` gives the module's adapter."""

from __future__ import annotations

from hris.integrations.connectors.vendors.base import Adapter


def adapter_for(vendor: str) -> Adapter:
    from hris.integrations.connectors.vendors import csv_upload, dingtalk_attendance, jira, rest_json

    adapters = {
        "rest_json": rest_json.RestJsonAdapter(),
        "jira": jira.JiraAdapter(),
        "dingtalk_attendance": dingtalk_attendance.DingTalkAttendanceAdapter(),
        "csv_upload": csv_upload.CsvUploadAdapter(),
    }
    return adapters[vendor]
