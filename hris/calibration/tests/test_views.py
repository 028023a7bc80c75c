import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hris.audit.models import AuditEvent
from hris.calibration.models import CalibrationNote, GradeScale, PotentialRating
from hris.calibration.services import calibration_note_add
from hris.calibration.tests.helpers import add_items, make_population, make_scale
from hris.kpi.choices import CycleState

pytestmark = pytest.mark.django_db

SCORES = {
    "w1_lead": (96, 90, 6),
    "w1_worker": (88, 88, 0),
    "w2_worker": 72,
    "prod_head": 50,
    "sales_head": 97,
    "sales_rep": (99, 100, -1),
    "hr_admin": None,
}


def login(client, world, who):
    client.force_login(world.user(who))
    return client


def test_calibration_page_for_hr(client, world):
    cycle, assessments, _t = make_population(world, SCORES)
    response = login(client, world, "hr_admin").get(reverse("calibration:cycle", args=[cycle.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "S: 50 % (target ≤ 10 %) — 3 people above target" in html
    assert "D: 16.7 % (target ≥ 5 %)" not in html  # D holds 1 of 6, above its minimum
    assert 'id="distribution-chart"' in html and "Plotly.newPlot" in html
    assert f'href="/kpi/assessments/{assessments["w1_worker"].pk}/"' in html
    overall = response.context["overall"]
    assert [(g.letter, g.count, g.percent) for g in overall.grades] == [
        ("S", 3, Decimal("50.0")), ("A", 1, Decimal("16.7")), ("B", 1, Decimal("16.7")), ("C", 0, Decimal("0.0")), ("D", 1, Decimal("16.7"))
    ]  # fmt: skip
    groups = {band.letter: [r.employee_name for r in rows] for band, rows in response.context["grade_groups"]}
    assert groups == {"S": ["郑业务", "吴销售", "孙班长"], "A": ["李工人"], "B": ["周工人"], "C": [], "D": ["钱生产"]}
    assert [r.employee_name for r in response.context["unscored"]] == ["王人事"]
    assert [r.employee_name for r in response.context["outliers"].adjustments] == ["孙班长"]


def test_department_check_uses_configured_size(client, world):
    cycle, _a, _t = make_population(world, SCORES)
    make_scale(world.company, bands=[("A", 90, 10, None), ("B", 0, None, None)], size=2)
    response = login(client, world, "ceo").get(reverse("calibration:cycle", args=[cycle.pk]))
    departments = {d.name: (d.total, d.checked, d.warnings) for d in response.context["departments"]}
    assert departments["一车间"] == (2, True, ["A: 50 % (target ≤ 10 %) — 1 person above target"])
    assert departments["销售部"] == (2, True, ["A: 100 % (target ≤ 10 %) — 2 people above target"])
    assert departments["二车间"] == (1, False, [])


def test_manager_sees_only_subtree(client, world):
    cycle, _a, _t = make_population(world, SCORES)
    response = login(client, world, "prod_head").get(reverse("calibration:cycle", args=[cycle.pk]))
    assert response.status_code == 200
    names = {r.employee_name for _band, rows in response.context["grade_groups"] for r in rows}
    assert names == {"孙班长", "李工人", "周工人", "钱生产"}
    assert "吴销售" not in response.content.decode()
    department_param = login(client, world, "prod_head").get(reverse("calibration:cycle", args=[cycle.pk]), {"department": world.sales.pk})
    assert department_param.status_code == 200 and department_param.context["overall"].total == 0


@pytest.mark.parametrize("who", ["w1_worker", "recruiter", "other_hr"])
def test_employees_and_outsiders_are_denied(client, world, who):
    cycle, _a, _t = make_population(world, SCORES)
    response = login(client, world, who).get(reverse("calibration:cycle", args=[cycle.pk]))
    assert response.status_code in (403, 404)
    assert response.status_code == (404 if who == "other_hr" else 403)
    export = client.get(reverse("calibration:export_results", args=[cycle.pk]))
    assert export.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="kpi.results_exported").exists()


def test_calibration_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    cycle, _a, _t = make_population(world, SCORES)
    login(client, world, "hr_admin")
    client.post(reverse("calibration:note_add", args=[cycle.pk]), {"text": "first"})
    url = reverse("calibration:cycle", args=[cycle.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    # double the population (another 5 people) and the notes: the same number of queries
    for key in ("ceo", "hrbp", "recruiter", "interviewer"):
        employee = world.employee(key)
        cycle.assessments.create(
            employee=employee, department=employee.department, template_version=_a["w1_worker"].template_version, final_score=80
        )
    client.post(reverse("calibration:note_add", args=[cycle.pk]), {"text": "second", "department": world.workshop1.pk})
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["overall"].total == 10
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(20):
        client.get(url)


def test_notes_page_flow(client, world):
    cycle, _a, _t = make_population(world, SCORES)
    login(client, world, "prod_head")
    url = reverse("calibration:note_add", args=[cycle.pk])
    response = client.post(url, {"text": "车间分数偏高", "department": world.workshop1.pk})
    assert response.status_code == 302
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    outside = client.post(url, {"text": "x", "department": world.sales.pk})  # not among the manager's choices
    assert outside.status_code == 400
    assert list(CalibrationNote.objects.values_list("text", "department_id")) == [("车间分数偏高", world.workshop1.pk)]
    page = client.get(reverse("calibration:cycle", args=[cycle.pk]))
    assert "车间分数偏高" in page.content.decode()
    # a note on the production workshop is not shown to the sales manager
    sales_page = login(client, world, "sales_head").get(reverse("calibration:cycle", args=[cycle.pk]))
    assert "车间分数偏高" not in sales_page.content.decode()
    # HR's note on the top department is for company-wide readers, not for a subtree's manager
    login(client, world, "hr_admin").post(url, {"text": "总经办层面复核", "department": world.root.pk})
    assert CalibrationNote.objects.filter(department=world.root).count() == 0  # root holds no assessment: not a choice
    calibration_note_add(actor=world.user("hr_admin"), cycle=cycle, text="总经办层面复核", department=world.root)
    assert "总经办层面复核" in client.get(reverse("calibration:cycle", args=[cycle.pk])).content.decode()
    assert "总经办层面复核" not in login(client, world, "prod_head").get(reverse("calibration:cycle", args=[cycle.pk])).content.decode()


def test_nine_box_page_and_potential(client, world):
    cycle, assessments, _t = make_population(world, SCORES)
    login(client, world, "prod_head")
    page_url = reverse("calibration:nine_box", args=[cycle.pk])
    response = client.post(reverse("calibration:potential_set", args=[assessments["w1_lead"].pk]), {"potential": "high", "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    client.post(reverse("calibration:potential_set", args=[assessments["prod_head"].pk]), {"potential": "high"})  # own: refused
    outside = client.post(reverse("calibration:potential_set", args=[assessments["sales_rep"].pk]), {"potential": "low"})
    assert outside.status_code == 404
    bad = client.post(reverse("calibration:potential_set", args=[assessments["w1_worker"].pk]), {"potential": "x"})
    assert bad.status_code == 400
    assert list(PotentialRating.objects.values_list("assessment_id", "potential")) == [(assessments["w1_lead"].pk, "high")]
    page = client.get(page_url)
    star = page.context["box"]["grid"][0][2]
    assert (star.label, [r.employee_name for r in star.people]) == ("Star", ["孙班长"])
    assert sorted(r.employee_name for r in page.context["box"]["unrated"]) == sorted(["李工人", "周工人", "钱生产"])
    assert 'data-potential="high" data-performance="high"' in page.content.decode()


def test_scale_page_per_field_errors_and_save(client, world):
    cycle, _a, _t = make_population(world, SCORES)
    login(client, world, "hr_admin")
    url = reverse("calibration:cycle_scale", args=[cycle.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["formset"].initial[0]["letter"] == "S"
    data = {
        "bands-TOTAL_FORMS": "4",
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "10",
        "min_department_size": "4",
    }
    rows = [("优", "", "80", "15", ""), ("良", "", "90", "", ""), ("", "", "", "", ""), ("差", "", "0", "", "120")]
    for index, row in enumerate(rows):
        for field, value in zip(("letter", "label", "min_score", "max_percent", "min_percent"), row, strict=True):
            data[f"bands-{index}-{field}"] = value
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert bad.context["formset"].forms[3].errors == {"min_percent": ["Ensure this value is less than or equal to 100."]}
    data["bands-3-min_percent"] = "5"
    descending = client.post(url, data)
    assert descending.status_code == 400
    forms = descending.context["formset"].forms
    assert forms[1].errors == {"min_score": ["Each grade's minimum score must be lower than the one above it (80)."]}
    assert 'class="invalid-feedback">Each grade' in descending.content.decode()
    assert not GradeScale.objects.exists()
    data["bands-1-min_score"] = "60"
    good = client.post(url, data)
    assert good.status_code == 302
    scale = GradeScale.objects.get(cycle=cycle)
    assert list(scale.bands.values_list("letter", flat=True)) == ["优", "良", "差"] and scale.min_department_size == 4
    assert client.post(url, {"action": "reset"}).status_code == 302 and not GradeScale.objects.exists()
    assert login(client, world, "prod_head").get(url).status_code == 403
    assert login(client, world, "hr_admin").get(reverse("calibration:company_scale")).status_code == 200


def test_export_contents_and_audit(client, world, django_assert_max_num_queries):
    cycle, assessments, (version, output, quality) = make_population(world, SCORES)
    add_items(assessments["w1_worker"], version, [(output, 100, 110, "110.00", 60, "66.00"), (quality, 98, "97.5", "99.49", 40, "39.80")])
    login(client, world, "prod_head")
    with django_assert_max_num_queries(20):  # session, user, grants, cycle, scale, scope, rows, ratings, items + audit
        response = client.get(reverse("calibration:export_results", args=[cycle.pk]))
    assert response.status_code == 200 and response["Content-Disposition"] == f'attachment; filename="results-cycle-{cycle.pk}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["By department", "By employee", "By indicator"]
    assert [list(r) for r in workbook["By department"].iter_rows(values_only=True)] == [
        ["Department", "Headcount", "Mean final score", "S", "A", "B", "C", "D", "Not scored"],
        ["生产部", 1, 50, 0, 0, 0, 0, 1, 0],
        ["一车间", 2, 92, 1, 1, 0, 0, 0, 0],
        ["二车间", 1, 72, 0, 0, 1, 0, 0, 0],
    ]
    employees = [list(r) for r in workbook["By employee"].iter_rows(values_only=True)]
    numbers = {key: world.employee(key).employee_number for key in SCORES}
    assert employees == [
        ["Employee number", "Name", "Department", "Computed total", "Adjustments", "Final score", "Grade"],
        [numbers["prod_head"], "钱生产", "生产部", 50, 0, 50, "D"],
        *sorted([[numbers["w1_lead"], "孙班长", "一车间", 90, 6, 96, "S"], [numbers["w1_worker"], "李工人", "一车间", 88, 0, 88, "A"]]),
        [numbers["w2_worker"], "周工人", "二车间", 72, 0, 72, "B"],
    ]
    assert [list(r) for r in workbook["By indicator"].iter_rows(values_only=True)] == [
        [
            "Employee number",
            "Name",
            "Department",
            "Indicator code",
            "Indicator",
            "Unit",
            "Target",
            "Actual",
            "Score",
            "Weight (%)",
            "Points",
        ],
        [numbers["w1_worker"], "李工人", "一车间", output.code, "Output", "件", 100, 110, 110, 60, 66],
        [numbers["w1_worker"], "李工人", "一车间", quality.code, "Quality rate", "%", 98, 97.5, 99.49, 40, 39.8],
    ]
    event = AuditEvent.objects.get(action="kpi.results_exported")
    assert (
        event.after == {"format": "xlsx", "rows": 4} and event.target_id == str(cycle.pk) and event.actor_id == world.user("prod_head").pk
    )


def test_result_sheet_permissions(client, world):
    cycle, assessments, (version, output, quality) = make_population(world, SCORES, state=CycleState.PUBLISHED)
    add_items(assessments["w1_worker"], version, [(output, 100, 110, "110.00", 60, "66.00")])
    audit_before = AuditEvent.objects.count()
    own = login(client, world, "w1_worker").get(reverse("calibration:result_sheet", args=[assessments["w1_worker"].pk]))
    assert own.status_code == 200
    html = own.content.decode()
    for text in (
        "ACME 制造有限公司",
        cycle.name,
        "李工人",
        "Output",
        "@media print",
        "window.print()",
        "Employee signature",
        "Manager signature",
    ):
        assert text in html
    assert 'id="sheet-final">88.00<' in html and 'id="sheet-grade">A<' in html
    other = client.get(reverse("calibration:result_sheet", args=[assessments["w1_lead"].pk]))
    assert other.status_code == 403
    assert client.get(reverse("calibration:result_sheet", args=[999999])).status_code == 404
    assert AuditEvent.objects.count() == audit_before
    manager = login(client, world, "prod_head").get(reverse("calibration:result_sheet", args=[assessments["w1_worker"].pk]))
    assert manager.status_code == 200
    assert (
        login(client, world, "sales_head").get(reverse("calibration:result_sheet", args=[assessments["w1_worker"].pk])).status_code == 403
    )


def test_result_sheet_withholds_final_score_from_employee_during_review(client, world):
    _cycle, assessments, _t = make_population(world, SCORES, state=CycleState.CALIBRATION)
    html = login(client, world, "w1_lead").get(reverse("calibration:result_sheet", args=[assessments["w1_lead"].pk])).content.decode()
    assert "In review: published when the review ends" in html and 'id="sheet-grade"' not in html and 'id="sheet-computed">90.00<' in html


def test_index_lists_cycles(client, world):
    cycle, _a, _t = make_population(world, SCORES)
    response = login(client, world, "hr_admin").get(reverse("calibration:index"))
    assert (
        response.status_code == 200 and cycle.name in response.content.decode() and response.context["scale_companies"] == [world.company]
    )
    assert login(client, world, "w1_worker").get(reverse("calibration:index")).status_code == 403
