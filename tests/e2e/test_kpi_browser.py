"""The KPI module tried as a new HR admin would (issue 3), end to end in the browser:
load the standard library → build a template → create and open a cycle → upload metric
data → compute → read one employee's breakdown → try a what-if.

Every expected score is computed here from first principles (DESIGN.md §6): linear rule
score = actual ÷ target × 100 clamped to [floor, cap] and rounded once to 2 places half-up;
points = weight × score ÷ 100, rounded the same way; total = Σ points.
"""

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from hris.kpi.models import Assessment, ComputationRun, Cycle, Indicator, Template
from hris.tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CYCLE_NAME = "2026年10月 一车间"
TEMPLATE_CODE = "workshop1-monthly"


@dataclass(frozen=True)
class Pick:
    """One template item: a standard indicator whose default rule is linear, with our weight and target."""

    code: str
    weight: Decimal
    target: Decimal


# Three standard indicators aggregated by sum over employee-level records, all scored linearly.
PICKS = (
    Pick("output-volume", Decimal(50), Decimal(1000)),
    Pick("improvement-proposals", Decimal(30), Decimal(3)),
    Pick("training-hours", Decimal(20), Decimal(12)),
)
# The uploaded values per employee and indicator: (external id, day in October 2026, value).
UPLOADED = {
    "w1_worker": {
        "output-volume": [("E2E-W-OUT-1", 10, Decimal("480")), ("E2E-W-OUT-2", 20, Decimal("455.5"))],
        "improvement-proposals": [("E2E-W-IMP-1", 15, Decimal("2"))],
        "training-hours": [("E2E-W-TRN-1", 28, Decimal("13"))],
    },
    "w1_lead": {
        "output-volume": [("E2E-L-OUT-1", 12, Decimal("1200"))],
        "improvement-proposals": [("E2E-L-IMP-1", 16, Decimal("4"))],
        "training-hours": [("E2E-L-TRN-1", 29, Decimal("10"))],
    },
}
WHAT_IF_CODE, WHAT_IF_ACTUAL = "output-volume", Decimal(1300)


def _log_in(page, live_server, username: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _choose_language(page, live_server, language: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator(f"button[name=language][value={language}]").click()


# --- the hand calculation ---------------------------------------------------------------------


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _linear_score(actual: Decimal, target: Decimal, rule: dict) -> Decimal:
    assert rule["type"] == "linear", rule
    floor, cap = Decimal(str(rule.get("floor", 0))), Decimal(str(rule.get("cap", 100)))
    return _round(min(max(actual * HUNDRED / target, floor), cap))


def _total(actuals: dict[str, Decimal], rules: dict[str, dict]) -> Decimal:
    points = [_round(pick.weight * _linear_score(actuals[pick.code], pick.target, rules[pick.code]) / HUNDRED) for pick in PICKS]
    return sum(points, Decimal(0))


def _actuals(person: str) -> dict[str, Decimal]:
    return {code: sum((value for _id, _day, value in rows), Decimal(0)) for code, rows in UPLOADED[person].items()}


def _metric_file(world, metric_keys: dict[str, str]) -> bytes:  # noqa: ANN001
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "指标键", "数值", "日期", "外部编号"])
    for person, by_code in UPLOADED.items():
        number = world.employees[person].employee_number
        for code, rows in by_code.items():
            for external_id, day, value in rows:
                sheet.append([number, metric_keys[code], float(value), date(2026, 10, day), external_id])
    worker_number = world.employees["w1_worker"].employee_number
    sheet.append(["NO-SUCH-404", metric_keys["output-volume"], 100, date(2026, 10, 5), "E2E-BAD-1"])
    sheet.append([worker_number, metric_keys["training-hours"], "abc", date(2026, 10, 6), "E2E-BAD-2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_hr_admin_runs_a_monthly_kpi_cycle_end_to_end(page, live_server):  # noqa: ANN001
    world = build_world()
    worker, lead = world.employees["w1_worker"], world.employees["w1_lead"]
    _choose_language(page, live_server, "en")
    _log_in(page, live_server, "hr_admin")
    expect(page.locator("#user-menu")).to_be_visible()

    # 1. The library starts empty; loading the standard library fills it.
    page.goto(f"{live_server.url}/kpi/library/")
    expect(page.locator("#empty-library")).to_be_visible()
    page.locator("#load-standard").click()
    expect(page.locator(".alert-success")).to_contain_text("Standard library loaded")
    expect(page.locator("#library-total")).to_have_attribute("data-total", re.compile(r"^\d+$"))
    assert int(page.locator("#library-total").get_attribute("data-total")) >= 120
    picked = Indicator.objects.filter(company=world.company, code__in=[pick.code for pick in PICKS])
    indicators = {indicator.code: indicator for indicator in picked}
    assert set(indicators) == {pick.code for pick in PICKS}
    rules = {code: indicator.default_rule for code, indicator in indicators.items()}
    metric_keys = {code: indicator.metric_key for code, indicator in indicators.items()}
    for indicator in indicators.values():  # the hand calculation below assumes these
        assert indicator.default_rule["type"] == "linear" and indicator.aggregation == "sum" and indicator.metric_level == "employee"

    # 2. The template builder: three indicators, 50/30/20, the live total turns to 100 / 100.
    page.goto(f"{live_server.url}/kpi/templates/new/")
    page.fill("#id_code", TEMPLATE_CODE)
    page.fill("#id_name_zh", "一车间月度考核")
    page.fill("#id_name_en", "Workshop 1 monthly")
    page.select_option("#id_department", str(world.workshop1.pk))
    total = page.locator("#weights-total")
    for index, pick in enumerate(PICKS):
        page.select_option(f"#id_items-{index}-indicator", pick.code)
        page.fill(f"#id_items-{index}-weight", str(pick.weight))
        page.fill(f"#id_items-{index}-target", str(pick.target))
        if index == 0:
            expect(total).to_have_text("50 / 100 (50 missing)")
    expect(total).to_have_text("100 / 100")
    expect(total).to_have_class(re.compile(r"\btext-success\b"))
    page.locator("#template-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("created as version 1")
    expect(page.locator("#template-versions li[data-version]")).to_have_count(1)
    expect(page.locator("#template-versions li[data-version='1']")).to_be_visible()
    for pick in PICKS:
        expect(page.locator(f"#template-items tr[data-indicator-code='{pick.code}'] td").nth(1)).to_have_text(str(pick.weight))
    template = Template.objects.get(company=world.company, code=TEMPLATE_CODE)
    version = template.versions.get(number=1)

    # 3. A monthly cycle for October 2026, the template assigned to 一车间, opened.
    page.goto(f"{live_server.url}/kpi/cycles/new/")
    page.fill("#id_name", CYCLE_NAME)
    page.select_option("#id_period_type", "monthly")
    page.fill("#id_period_start", "2026-10-01")
    page.fill("#id_period_end", "2026-10-31")
    page.locator("#cycle-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(CYCLE_NAME)
    expect(page.locator("#cycle-state")).to_have_attribute("data-state", "draft")
    cycle = Cycle.objects.get(company=world.company, name=CYCLE_NAME)
    page.select_option("#id_kind", "department")
    page.select_option("#id_department", str(world.workshop1.pk))
    page.select_option("#id_template_version", str(version.pk))
    page.locator("#assignment-form button[type=submit]").click()
    expect(page.locator("#assignment-table tbody tr[data-assignment]")).to_have_count(1)
    expect(page.locator("#assignment-table")).to_contain_text("一车间")
    page.locator("#cycle-open").click()
    expect(page.locator("#cycle-state")).to_have_attribute("data-state", "open")
    expect(page.locator("#assessment-total")).to_have_attribute("data-total", "2")
    for employee in (worker, lead):
        expect(page.locator("#assessment-table")).to_contain_text(employee.employee_number)

    # 4. Metric data: 7 good rows and 2 bad ones; the preview lists the bad ones, then the good ones are stored.
    page.goto(f"{live_server.url}/kpi/metrics/import/")
    page.set_input_files("#id_file", {"name": "october.xlsx", "mimeType": XLSX_TYPE, "buffer": _metric_file(world, metric_keys)})
    page.locator("#import-check").click()
    good_rows = sum(len(rows) for by_code in UPLOADED.values() for rows in by_code.values())
    expect(page.locator("#import-summary [data-count=total]")).to_have_text(str(good_rows + 2))
    expect(page.locator("#import-summary [data-count=create]")).to_have_text(str(good_rows))
    expect(page.locator("#import-summary [data-count=error]")).to_have_text("2")
    bad = page.locator("#import-rows tr[data-action=error]")
    expect(bad).to_have_count(2)
    expect(bad.nth(0)).to_contain_text("No employee has the number “NO-SUCH-404”")
    expect(bad.nth(1)).to_contain_text("“abc” is not a number")
    page.locator("#import-commit").click()
    expect(page.locator("#import-committed")).to_have_attribute("data-stored", str(good_rows))
    expect(page.locator("#import-committed")).to_contain_text(f"Stored {good_rows} records")

    # 5. Compute now: the progress bar reaches 100 % and the run succeeds; the table shows totals.
    worker_total, lead_total = _total(_actuals("w1_worker"), rules), _total(_actuals("w1_lead"), rules)
    page.goto(f"{live_server.url}/kpi/cycles/{cycle.pk}/")
    runs_before = ComputationRun.objects.filter(cycle=cycle).count()  # the upload already queued an automatic recompute
    # Mark the progress panel on screen, so that only a newly rendered one (htmx swap, then the page reload) can satisfy the wait.
    page.locator("#run-progress").evaluate("element => element.setAttribute('data-before-click', '')")
    page.locator("#compute-now").click()
    fresh_state = page.locator("#run-progress:not([data-before-click]) #run-state")
    expect(fresh_state).to_have_attribute("data-state", "succeeded", timeout=30_000)
    expect(page.locator("#run-percent")).to_have_text("100%")
    expect(page.locator("#run-counts")).to_have_attribute("data-done", "2")
    latest_run = ComputationRun.objects.filter(cycle=cycle).first()
    assert ComputationRun.objects.filter(cycle=cycle).count() == runs_before + 1
    assert (latest_run.kind, latest_run.state, latest_run.requested_by_id) == ("full", "succeeded", world.users["hr_admin"].pk)
    worker_row = page.locator("#assessment-table tr[data-assessment]").filter(has_text=worker.employee_number)
    lead_row = page.locator("#assessment-table tr[data-assessment]").filter(has_text=lead.employee_number)
    expect(worker_row.locator("td").nth(3)).to_have_text(str(worker_total))
    expect(lead_row.locator("td").nth(3)).to_have_text(str(lead_total))

    # 6. The worker's breakdown: the hand-computed total, the rule in words, the source records.
    worker_row.get_by_role("link", name=worker.name).click()
    expect(page.locator("h1")).to_contain_text(worker.name)
    expect(page.locator("#computed-total")).to_have_text(str(worker_total))
    expect(page.locator("#completeness")).to_contain_text("Complete")
    for pick in PICKS:
        row = page.locator(f"#breakdown-table tr[data-indicator='{pick.code}']")
        rule = rules[pick.code]
        words = f"score = actual ÷ target × 100, at least {rule.get('floor', 0)} points, at most {rule['cap']} points"
        expect(row).to_contain_text(words)
        records = row.locator(f"details[data-records='{pick.code}']")
        records.locator("summary").click()
        for external_id, _day, _value in UPLOADED["w1_worker"][pick.code]:
            expect(records).to_contain_text(external_id)
    expect(page.locator("#breakdown-table")).not_to_contain_text("E2E-BAD")

    # 7. What-if: another output actual gives the hand-computed hypothetical total; nothing is stored.
    hypothetical = {**_actuals("w1_worker"), WHAT_IF_CODE: WHAT_IF_ACTUAL}
    expected_what_if = _total(hypothetical, rules)
    assert expected_what_if != worker_total
    page.fill(f"#what-if-{indicators[WHAT_IF_CODE].pk}", str(WHAT_IF_ACTUAL))
    page.locator("#what-if-submit").click()
    expect(page.locator("#what-if-total")).to_have_attribute("data-total", str(expected_what_if))
    expect(page.locator("#what-if-result tr.table-info")).to_have_count(1)
    page.reload()
    expect(page.locator("#computed-total")).to_have_text(str(worker_total))
    expect(page.locator("#what-if-total")).to_have_count(0)
    assert Assessment.objects.get(cycle=cycle, employee=worker).computed_total == worker_total
