"""Data pages: targets and metric files (upload → preview → commit), hand entry, the record list and history."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from hris.kpi.models import MetricRecord, Target
from hris.kpi.tests.builders import workbook_bytes
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client_for(world):
    def make(key):
        client = Client()
        client.force_login(world.user(key))
        return client

    return make


def _upload(rows, name="data.xlsx"):
    return SimpleUploadedFile(name, workbook_bytes(rows), content_type=XLSX)


def _number(world, key):
    return world.employees[key].employee_number


def _metrics_rows(world):
    return [
        ["工号", "指标键", "日期", "数值", "来源", "外部编号"],
        [_number(world, "w1_worker"), "output", "2026-10-12", 120, "erp", "ERP-1"],
        [_number(world, "w2_worker"), "output", "2026-10-13", 80, "erp", "ERP-2"],
        ["NOPE", "output", "2026-10-13", 5, "erp", "ERP-3"],
    ]


def _upload_metrics(client, world, rows=None):
    response = client.post(
        reverse("kpi:metrics_import"), {"company": world.company.pk, "source": "excel", "file": _upload(rows or _metrics_rows(world))}
    )
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_metrics_file_preview_lists_each_row_and_commit_stores_the_valid_ones(world, client_for, django_capture_on_commit_callbacks):
    client = client_for("hr_admin")
    preview_url = _upload_metrics(client, world)

    preview = client.get(preview_url).content.decode()
    assert "工号: No employee has the number “NOPE”." in preview
    assert 'data-row="4" data-action="error"' in preview
    assert 'data-count="create">2<' in preview and 'data-count="error">1<' in preview
    assert not MetricRecord.objects.exists()
    errors = client.get(preview_url + "errors.xlsx")
    assert errors["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(errors.content)).active
    assert sheet.cell(row=4, column=7).value == "工号: No employee has the number “NOPE”."

    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(preview_url).content.decode()

    assert MetricRecord.objects.count() == 2
    assert sorted(MetricRecord.objects.values_list("external_id", "value", "source")) == [
        ("ERP-1", Decimal("120.0000"), "erp"),
        ("ERP-2", Decimal("80.0000"), "erp"),
    ]
    assert 'id="import-committed" data-stored="2"' in committed
    assert "Stored 2 records: 2 new, 0 replacing an earlier value; 0 duplicates were already stored." in committed
    assert "1 row with errors was not stored" in committed


def test_a_changed_value_supersedes_and_the_same_again_is_a_duplicate(world, client_for):
    client = client_for("hr_admin")
    client.post(_upload_metrics(client, world))
    rows = _metrics_rows(world)[:3]
    rows[1][3] = 125

    page = client.post(_upload_metrics(client, world, rows)).content.decode()

    assert 'data-row="2" data-action="update"' in page and 'data-row="3" data-action="unchanged"' in page
    assert "Stored 1 records: 0 new, 1 replacing an earlier value; 1 duplicates were already stored." in page
    current = MetricRecord.objects.get(external_id="ERP-1", is_current=True)
    history = client.get(reverse("kpi:metric_record_history", args=[current.pk])).content.decode()
    assert history.index(">120<") < history.index(">125<")
    assert "Superseded" in history


def test_targets_file_with_bad_rows_is_refused_with_its_errors(world, client_for):
    scenario = manufacturing(world)
    client = client_for("hr_admin")
    rows = [
        ["工号", "指标编码", "目标值"],
        [_number(world, "w1_worker"), "production_efficiency", 95],
        [_number(world, "w1_worker"), "no_such_indicator", 10],
        [_number(world, "sales_rep"), "production_efficiency", "many"],
    ]
    upload = client.post(reverse("kpi:targets_import", args=[scenario.cycle.pk]), {"file": _upload(rows)})
    preview_url = upload["Location"]

    preview = client.get(preview_url).content.decode()
    assert "指标编码: The indicator “no_such_indicator” is not in the template of 李工人" in preview
    assert "is not assessed in this cycle." in preview
    assert "目标值: “many” is not a number." in preview
    assert 'id="import-commit" disabled' in preview

    refused = client.post(preview_url)

    assert refused.status_code == 400
    assert "Nothing was saved: every row must be valid." in refused.content.decode()
    assert not Target.objects.exists()


def test_targets_file_is_saved_when_every_row_is_valid(world, client_for, django_capture_on_commit_callbacks):
    scenario = manufacturing(world)
    client = client_for("hr_admin")
    template = client.get(reverse("kpi:targets_template", args=[scenario.cycle.pk]))
    sheet = load_workbook(io.BytesIO(template.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["工号", "指标编码", "目标值", "姓名", "指标名称", "单位"]
    assert [_number(world, "w1_worker"), "production_efficiency", 100, "李工人", "production_efficiency", "%"] in rows
    assert len(rows) == 1 + 3 * 5

    edited = [rows[0], [_number(world, "w1_worker"), "production_efficiency", 90]]
    preview_url = client.post(reverse("kpi:targets_import", args=[scenario.cycle.pk]), {"file": _upload(edited)})["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url, follow=True)

    assert "Targets saved: 1 new, 0 changed, 0 unchanged." in response.content.decode()
    assert list(Target.objects.values_list("employee__employee_number", "indicator__code", "value")) == [
        (_number(world, "w1_worker"), "production_efficiency", Decimal("90.0000"))
    ]
    assert client.get(preview_url).status_code == 404  # the upload is gone once committed


def test_an_upload_belongs_to_its_uploader(world, client_for):
    preview_url = _upload_metrics(client_for("hr_admin"), world)

    assert client_for("hrbp").get(preview_url).status_code == 404
    assert client_for("hrbp").post(preview_url).status_code == 404
    assert not MetricRecord.objects.exists()


@pytest.mark.parametrize("actor", ["w1_worker", "prod_head", "ceo"])
def test_readers_may_not_upload_or_enter_data(world, client_for, actor):
    scenario = manufacturing(world)
    client = client_for(actor)

    assert (
        client.post(reverse("kpi:metrics_import"), {"company": world.company.pk, "file": _upload(_metrics_rows(world))}).status_code == 403
    )
    assert client.post(reverse("kpi:targets_import", args=[scenario.cycle.pk]), {"file": _upload([["工号"]])}).status_code == 403
    assert client.post(reverse("kpi:metric_record_create"), {"employee_number": "x", "metric_key": "m", "value": "1"}).status_code == 403
    assert client_for("other_hr").get(reverse("kpi:targets_import", args=[scenario.cycle.pk])).status_code == 404
    assert not MetricRecord.objects.exists()


def test_a_value_entered_by_hand_is_stored_and_a_new_value_replaces_it(world, client_for):
    client = client_for("hr_admin")
    data = {
        "company": world.company.pk,
        "employee_number": _number(world, "w1_worker"),
        "metric_key": "output",
        "date": "2026-10-12",
        "value": "12",
    }

    first = client.post(reverse("kpi:metric_record_create"), data)
    second = client.post(reverse("kpi:metric_record_create"), data | {"value": "15", "note": "复核"}, follow=True)

    record = MetricRecord.objects.get(is_current=True)
    assert first.status_code == 302
    assert (record.value, record.source, record.note, record.employee_id) == (
        Decimal("15.0000"),
        "manual",
        "复核",
        world.employees["w1_worker"].pk,
    )
    assert MetricRecord.objects.count() == 2
    page = second.content.decode()
    assert "The value was recorded." in page and ">12<" in page and ">15<" in page


def test_a_bad_hand_entry_is_shown_on_its_fields(world, client_for):
    data = {"company": world.company.pk, "employee_number": "NOPE", "metric_key": "output", "value": "much"}

    response = client_for("hr_admin").post(reverse("kpi:metric_record_create"), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "No employee has the number “NOPE”." in page
    assert "“much” is not a number." in page
    assert "Give a date, or both period start and end." in page
    assert not MetricRecord.objects.exists()


def test_the_record_list_is_scoped_and_filtered(world, client_for):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)

    everything = client_for("hr_admin").get(reverse("kpi:metric_records")).content.decode()
    efficiency = client_for("hr_admin").get(reverse("kpi:metric_records"), {"metric_key": "production_efficiency", "date": "2026-10-20"})
    own = client_for("w1_worker").get(reverse("kpi:metric_records")).content.decode()
    outsider = client_for("sales_head").get(reverse("kpi:metric_records")).content.decode()

    assert 'data-total="8"' in everything
    assert 'data-total="1"' in efficiency.content.decode() and ">96<" in efficiency.content.decode()
    assert 'data-total="6"' in own  # own records, not the department's
    assert 'data-total="0"' in outsider
    record = MetricRecord.objects.filter(employee=world.employee("w1_worker")).first()
    assert client_for("sales_head").get(reverse("kpi:metric_record_history", args=[record.pk])).status_code == 404
    assert client_for("w1_worker").get(reverse("kpi:metric_record_history", args=[record.pk])).status_code == 200
