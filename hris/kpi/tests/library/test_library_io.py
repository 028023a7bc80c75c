"""Export and import of the library: round trips, updates through versions, all-or-nothing with located problems."""

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from hris.audit.models import AuditEvent
from hris.core.errors import PermissionDenied
from hris.kpi.library_files import ImportProblem
from hris.kpi.library_io import library_export_data, library_export_json, library_export_xlsx, library_import
from hris.kpi.models import Cycle, CycleAssignment, Indicator, Template
from hris.kpi.services.library import library_load_standard

from .helpers import make_line_library, make_line_template, version_rows

ALL_CREATED = {"created": 0, "updated": 0, "unchanged": 0}
BAD_JSON = "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"


def _counts(indicators: dict, templates: dict) -> dict:
    return {"indicators": ALL_CREATED | indicators, "templates": ALL_CREATED | templates}


def _line_company(world):  # noqa: ANN001, ANN202
    make_line_library(world.company)
    return make_line_template(world.company)


@pytest.mark.parametrize(("file_name", "export"), [("library.json", library_export_json), ("library.xlsx", library_export_xlsx)])
def test_the_standard_library_round_trips_into_another_company_unchanged(world, file_name, export):
    library_load_standard(actor=None, company=world.company)
    exported = library_export_data(world.company)

    result = library_import(actor=world.user("other_hr"), company=world.other_company, file_name=file_name, content=export(world.company))

    assert (result.ok, result.committed, result.problems) == (True, True, [])
    assert result.counts == _counts({"created": len(exported["indicators"])}, {"created": len(exported["templates"])})
    assert library_export_data(world.other_company) == exported
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.company_id_ref, event.after["file_name"]) == ("kpi.library_imported", world.other_company.pk, file_name)


@pytest.mark.parametrize(("file_name", "export"), [("library.json", library_export_json), ("library.xlsx", library_export_xlsx)])
def test_importing_a_company_own_export_changes_nothing(world, file_name, export):
    _line_company(world)
    exported, audit_before = library_export_data(world.company), AuditEvent.objects.count()

    result = library_import(actor=world.user("hr_admin"), company=world.company, file_name=file_name, content=export(world.company))

    assert result.counts == _counts({"unchanged": 3}, {"unchanged": 1})
    assert library_export_data(world.company) == exported
    assert AuditEvent.objects.count() == audit_before + 1  # only the import itself


def test_import_updates_existing_codes_and_versions_a_template_a_cycle_uses(world):
    template = _line_company(world)
    version_1 = template.versions.get()
    cycle = Cycle.objects.create(
        company=world.company, name="2026年4月", period_type="monthly", period_start=date(2026, 4, 1), period_end=date(2026, 4, 30)
    )
    assignment = CycleAssignment.objects.create(cycle=cycle, template_version=version_1, kind="job_family", job_family="production")
    document = library_export_data(world.company)
    document["indicators"][0]["name_zh"] = "次品率（产线）"
    document["templates"][0]["items"][0]["weight"] = 40
    document["templates"][0]["items"][2]["weight"] = 30

    result = library_import(
        actor=world.user("hr_admin"), company=world.company, file_name="共享库.json", content=json.dumps(document).encode()
    )

    assert result.counts == _counts({"updated": 1, "unchanged": 2}, {"updated": 1})
    assert Indicator.objects.get(company=world.company, code="line-defect-rate").name_zh == "次品率（产线）"
    version_2 = template.versions.get(number=2)
    assert version_2.note == "Imported from 共享库.json"
    assert [row[:2] for row in version_rows(version_2)] == [
        ("line-output", "40.00"),
        ("line-defect-rate", "30.00"),
        ("line-teamwork", "30.00"),
    ]
    assignment.refresh_from_db()
    assert assignment.template_version_id == version_1.pk


def test_english_headers_are_accepted(world):
    workbook = Workbook()
    indicators = workbook.active
    indicators.title = "indicators"
    indicators.append(["code", "name_zh", "Aggregation", "metric_key", "default_rule", "default_target", "is_active"])
    indicators.append(["parts-made", "零件产量", "sum", "parts_made", '{"type": "linear"}', 500, "是"])
    templates = workbook.create_sheet("templates")
    templates.append(["code", "name_zh", "job_family", "indicator", "weight", "target", "rule"])
    templates.append(["parts-crew", "零件班组", "production", "parts-made", 100, None, None])
    content = io.BytesIO()
    workbook.save(content)

    result = library_import(actor=world.user("hr_admin"), company=world.company, file_name="parts.xlsx", content=content.getvalue())

    assert (result.problems, result.counts) == ([], _counts({"created": 1}, {"created": 1}))
    item = Template.objects.get(company=world.company, code="parts-crew").versions.get().items.get()
    assert (item.indicator.name_zh, item.weight, item.target, item.rule) == ("零件产量", 100, 500, {"type": "linear"})


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    _line_company(world)
    workbook = load_workbook(io.BytesIO(library_export_xlsx(world.company)))
    indicators, templates = workbook["indicators"], workbook["templates"]
    indicators["O2"] = "{not json"  # default rule of line-defect-rate
    indicators["G3"] = "ratio"  # line-output becomes a ratio without a denominator
    indicators.append(["new-rate", "", "", "", "%", "", "sum", "new_rate"])  # blank direction: the default
    indicators["R5"] = "maybe"  # is_active
    templates["I3"] = 35  # line-crew weights add up to 105
    templates.append(["second", "第二模板", "", "", "", "", True, "new-rate", 100, "", ""])
    templates.append(["third", "第三模板", "", "", "", "", True, "line-output", "abc", "", ""])
    content = io.BytesIO()
    workbook.save(content)
    exported, audit_before = library_export_data(world.company), AuditEvent.objects.count()

    result = library_import(actor=world.user("hr_admin"), company=world.company, file_name="坏.xlsx", content=content.getvalue())

    assert (result.ok, result.committed) == (False, False)
    assert result.problems == [
        ImportProblem("indicators", 2, "default_rule", f"The rule is not valid JSON: {BAD_JSON}"),
        ImportProblem("indicators", 5, "is_active", "Enter 是 or 否 (true or false)."),
        ImportProblem("indicators", 3, "denominator_key", "A ratio indicator needs a denominator metric key."),
        ImportProblem("indicators", 5, "default_rule", "Enter a scoring rule."),
        ImportProblem("indicators", 5, "name_zh", "This field cannot be blank."),
        ImportProblem("templates", 2, "items", "The weights must add up to exactly 100; they add up to 105."),
        ImportProblem("templates", 5, "indicator", "The indicator “new-rate” of this file was refused; see its row."),
        ImportProblem("templates", 6, "weight", "“abc” is not a number."),
    ]  # fmt: skip
    assert library_export_data(world.company) == exported
    assert AuditEvent.objects.count() == audit_before


def test_json_problems_point_at_the_entry_and_the_item(world):
    make_line_library(world.company)
    document = {
        "indicators": [{"code": "line-output", "name_zh": "产线产量", "colour": "red"}],
        "templates": [{"code": "crew", "name_zh": "班组", "items": [{"indicator": "line-output", "weight": 100, "rule": {"type": "x"}}]}],
    }

    result = library_import(actor=None, company=world.company, file_name="lib.json", content=json.dumps(document).encode())

    assert result.problems == [
        ImportProblem("indicators", 1, "colour", "Unknown field."),
        ImportProblem("templates", 1, "items.0.rule", "type: Choose one of: linear, piecewise, bands, binary, deduction, manual, formula."),
    ]
    assert Template.objects.filter(company=world.company).count() == 0


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("lib.json", b"{", f"The file is not valid JSON: {BAD_JSON}"),
        ("lib.json", b"[]", "The file has neither “indicators” nor “templates”."),
        ("lib.xlsx", b"not a zip", "The file could not be read as an Excel workbook (.xlsx): File is not a zip file"),
        ("lib.csv", b"code\n", "“lib.csv” is not a library file; upload the .json or .xlsx file an export produced."),
    ],
)
def test_unreadable_files_are_reported(world, file_name, content, message):
    result = library_import(actor=world.user("hr_admin"), company=world.company, file_name=file_name, content=content)
    assert (result.problems, result.committed) == ([ImportProblem("", None, "", message)], False)


@pytest.mark.parametrize("actor_key", ["ceo", "hrbp", "prod_head", "w1_worker", "other_hr"])
def test_import_is_refused_without_company_wide_kpi_configuration(world, actor_key):
    _line_company(world)
    exported, audit_before = library_export_data(world.company), AuditEvent.objects.count()
    changed = exported | {"indicators": [indicator | {"name_zh": "改名"} for indicator in exported["indicators"]]}

    with pytest.raises(PermissionDenied):
        library_import(actor=world.user(actor_key), company=world.company, file_name="lib.json", content=json.dumps(changed).encode())

    assert library_export_data(world.company) == exported
    assert AuditEvent.objects.count() == audit_before
