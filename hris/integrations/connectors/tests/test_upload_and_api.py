"""Excel/CSV uploads with saved column mappings and per-row errors; the connectors API."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import TestCase
from openpyxl import Workbook

from hris.integrations.connectors.models import Connector, MappingPreset, SyncRun
from hris.integrations.connectors.services import connector_create
from hris.integrations.connectors.tests.builders import JIRA_PAGES, jira_connector
from hris.integrations.connectors.tests.replay import Answer
from hris.kpi.models import MetricRecord

pytestmark = pytest.mark.django_db
PRESET = {
    "employee": "工号",
    "employee_system": "employee_number",
    "date": "日期",
    "external_id": "单号",
    "metrics": [{"key": "sales_amount", "value": "金额"}],
}


def upload_connector(world) -> Connector:  # noqa: ANN001
    return connector_create(actor=world.user("hr_admin"), company=world.company, name="销售台账", vendor="csv_upload", mapping=PRESET)


def csv_file(world, name: str = "sales.csv") -> io.BytesIO:  # noqa: ANN001
    number = world.employee("sales_rep").employee_number
    text = f"单号,工号,日期,金额\nS1,{number},2026-10-01,1200.50\nS2,{number},2026/10/2,800\nS3,E-NOBODY,2026-10-03,5\nS4,{number},昨天,7\n"
    file = io.BytesIO(text.encode("utf-8-sig"))
    file.name = name
    return file


def test_an_upload_stores_the_good_rows_lists_the_bad_ones_and_offers_an_error_file(world, client):  # noqa: ANN001
    connector = upload_connector(world)
    client.force_login(world.user("hr_admin"))
    url = f"/integrations/connectors/{connector.pk}/upload/"
    assert client.get(url).status_code == 200

    # Upload with the connector's mapping and save it as a preset
    response = client.post(url, {"file": csv_file(world), "save_as": "月度销售"})
    run = SyncRun.objects.get(kind="upload")
    assert response["Location"] == f"/integrations/connectors/{connector.pk}/runs/{run.pk}/"
    assert (run.state, run.fetched, run.accepted, run.rejected) == ("partial", 4, 2, 2)
    assert [(error["row"], error["errors"]) for error in run.errors] == [
        ("4", ["employee_number: No employee has the number “E-NOBODY”."]),
        ("5", ["date: “昨天” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日."]),
    ]
    rows = MetricRecord.objects.filter(source="csv-upload").order_by("external_id")
    assert list(rows.values_list("external_id", "period_start", "value")) == [
        ("S1:sales_amount", date(2026, 10, 1), Decimal("1200.5000")),
        ("S2:sales_amount", date(2026, 10, 2), Decimal("800.0000")),
    ]
    errors_file = client.get(f"/integrations/connectors/{connector.pk}/runs/{run.pk}/errors.csv")
    assert errors_file["Content-Type"] == "text/csv; charset=utf-8"
    assert errors_file.content.decode("utf-8-sig").splitlines() == [
        "Page,Row,External id,Problem",
        "1,4,S3:sales_amount,employee_number: No employee has the number “E-NOBODY”.",
        '1,5,S4:sales_amount,"date: “昨天” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日."',
    ]

    # The preset is reusable: the same file again as XLSX through it changes nothing
    preset = MappingPreset.objects.get()
    assert (preset.name, preset.mapping) == ("月度销售", PRESET)
    workbook = Workbook()
    sheet = workbook.active
    for line in csv_file(world).getvalue().decode("utf-8-sig").splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "sales.xlsx"
    client.post(url, {"file": buffer, "preset": str(preset.pk)})
    again = SyncRun.objects.filter(kind="upload").latest("pk")
    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, 2)
    assert MetricRecord.objects.filter(source="csv-upload").count() == 2


def test_an_upload_missing_a_mapped_column_is_refused_with_the_column_named(world, client):  # noqa: ANN001
    connector = upload_connector(world)
    client.force_login(world.user("hr_admin"))
    file = io.BytesIO("单号,工号,金额\nS1,E1,5\n".encode())
    file.name = "bad.csv"
    response = client.post(f"/integrations/connectors/{connector.pk}/upload/", {"file": file})
    assert response.status_code == 400 and "The file has no column “日期”." in response.content.decode()
    assert SyncRun.objects.count() == 0


def test_others_cannot_upload(world, client):  # noqa: ANN001
    connector = upload_connector(world)
    client.force_login(world.user("sales_head"))
    assert client.post(f"/integrations/connectors/{connector.pk}/upload/", {"file": csv_file(world)}).status_code == 403
    assert (SyncRun.objects.count(), MetricRecord.objects.count(), MappingPreset.objects.count()) == (0, 0, 0)


def test_the_api_lists_connectors_without_credentials_triggers_runs_and_lists_them(world, replay, client):  # noqa: ANN001
    replay.route("POST", "/rest/api/3/search/jql", [Answer(200, JIRA_PAGES[2])])
    connector = jira_connector(world, replay.url)
    client.force_login(world.user("hr_admin"))

    listed = client.get("/api/v1/connectors/").json()
    assert [item["name"] for item in listed["results"]] == ["Jira 研发"]
    detail = client.get(f"/api/v1/connectors/{connector.pk}/").json()
    assert detail["credentials_saved"] == ["api_token", "email"]
    assert "jira-secret-token" not in json.dumps(detail)

    with TestCase.captureOnCommitCallbacks(execute=True):
        triggered = client.post(f"/api/v1/connectors/{connector.pk}/run/")
    assert triggered.status_code == 202
    run_id = triggered.json()["id"]
    assert triggered["Location"] == f"/api/v1/connector-runs/{run_id}/"
    run = client.get(f"/api/v1/connector-runs/{run_id}/").json()
    assert (run["state"], run["pages"], run["accepted"]) == ("succeeded", 1, 7)
    assert [item["id"] for item in client.get(f"/api/v1/connector-runs/?connector={connector.pk}").json()["results"]] == [run_id]


@pytest.mark.parametrize("name", ["w1_worker", "prod_head", "other_hr"])
def test_the_api_hides_connectors_from_everyone_else(world, replay, client, name):  # noqa: ANN001
    connector = jira_connector(world, replay.url)
    client.force_login(world.user(name))
    assert client.get("/api/v1/connectors/").json()["results"] == []
    assert client.get(f"/api/v1/connectors/{connector.pk}/").status_code == 404
    assert client.post(f"/api/v1/connectors/{connector.pk}/run/").status_code == 404
    assert SyncRun.objects.count() == 0 and replay.requests == []
