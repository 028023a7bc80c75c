"""Cycle pages: create, assign, open, score, weights, compute with progress, live progress, permissions."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hris.kpi.choices import AssignmentKind, CycleState
from hris.kpi.models import Assessment, ComputationRun, Cycle, CycleAssignment, CycleWeightOverride
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing
from hris.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(world):
    def make(key):
        client = Client()
        client.force_login(world.user(key))
        return client

    return make


@pytest.fixture
def versions(world):
    output = make_indicator(world.company, "output", default_target=100)
    quality = make_indicator(world.company, "quality")
    return {
        "line": make_template(world.company, "line", [(output, 70, None, 100), (quality, 30, None, 5)]),
        "lead": make_template(world.company, "lead", [(output, 100, None, 200)]),
    }


def _cycle_post(world, **overrides):
    data = {
        "company": world.company.pk, "name": "2025年4月", "period_type": "monthly", "period_start": "2025-04-01",
        "period_end": "2025-04-30", "score_floor": "0", "score_cap": "120",
    }  # fmt: skip
    return data | overrides


def _detail(client, cycle):
    return client.get(reverse("kpi:cycle_detail", args=[cycle.pk]), follow=True).content.decode()


def test_hr_admin_creates_assigns_opens_and_starts_scoring(world, client_for, versions, django_capture_on_commit_callbacks):
    client = client_for("hr_admin")

    response = client.post(reverse("kpi:cycle_create"), _cycle_post(world))
    cycle = Cycle.objects.get(name="2025年4月")
    assert response["Location"] == reverse("kpi:cycle_detail", args=[cycle.pk])
    assert (cycle.company, cycle.state, cycle.period_end) == (world.company, CycleState.DRAFT, date(2025, 4, 30))

    response = client.post(
        reverse("kpi:assignment_add", args=[cycle.pk]),
        {"kind": AssignmentKind.DEPARTMENT, "department": world.production.pk, "template_version": versions["line"].pk},
    )
    assert response.status_code == 302
    assert CycleAssignment.objects.filter(cycle=cycle, department=world.production).count() == 1
    page = _detail(client, cycle)
    assert 'id="population-assigned" data-count="4"' in page  # prod_head, w1_lead, w1_worker, w2_worker

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("kpi:cycle_transition", args=[cycle.pk, "open"]), follow=True).content.decode()
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN
    assert Assessment.objects.filter(cycle=cycle).count() == 4
    assert "The cycle is open: 4 employees are assessed." in page
    assert 'id="live-progress"' in page and reverse("kpi:plotly_js") in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("kpi:cycle_transition", args=[cycle.pk, "start_scoring"]))
    cycle.refresh_from_db()
    assert cycle.state == CycleState.SCORING

    client.post(reverse("kpi:cycle_transition", args=[cycle.pk, "reopen"]), {"reason": "late ERP data"})
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN


def test_invalid_cycle_shows_the_service_message_on_the_field(world, client_for):
    response = client_for("hr_admin").post(reverse("kpi:cycle_create"), _cycle_post(world, period_end="2025-06-30"))

    assert response.status_code == 400
    assert "A monthly cycle spans at most 31 days" in response.content.decode()
    assert not Cycle.objects.exists()


def test_opening_with_conflicting_assignments_is_refused_and_the_conflicts_are_listed(world, client_for, versions):
    cycle = make_cycle(world.company)
    for version in (versions["line"], versions["lead"]):
        CycleAssignment.objects.create(cycle=cycle, kind=AssignmentKind.DEPARTMENT, department=world.workshop1, template_version=version)
    client = client_for("hr_admin")

    page = client.post(reverse("kpi:cycle_transition", args=[cycle.pk, "open"]), follow=True).content.decode()

    cycle.refresh_from_db()
    assert cycle.state == CycleState.DRAFT
    assert "2 employees match assignments of the same specificity with different template versions" in page
    assert f'data-employee-number="{world.employees["w1_worker"].employee_number}"' in page
    assert "Department subtree: 一车间 → line v1" in page


def test_an_assignment_form_error_is_shown_and_nothing_is_added(world, client_for, versions):
    cycle = make_cycle(world.company)

    response = client_for("hr_admin").post(
        reverse("kpi:assignment_add", args=[cycle.pk]), {"kind": AssignmentKind.EMPLOYEE, "template_version": versions["line"].pk}
    )

    assert response.status_code == 400
    assert "Choose the employee." in response.content.decode()
    assert not CycleAssignment.objects.exists()


def test_weight_overrides_are_saved_or_refused_with_the_reason(world, client_for, versions):
    cycle = make_cycle(world.company)
    CycleAssignment.objects.create(
        cycle=cycle, kind=AssignmentKind.DEPARTMENT, department=world.production, template_version=versions["line"]
    )
    version = versions["line"]
    output, quality = (item.indicator for item in version.items.order_by("order"))
    url = reverse("kpi:cycle_weights", args=[cycle.pk, version.pk])
    client = client_for("hr_admin")

    bad = client.post(url, {f"v{version.pk}-weight_{output.pk}": "80", f"v{version.pk}-weight_{quality.pk}": "30"})
    assert bad.status_code == 400
    assert "The weights add up to 110.00 %; they must add up to 100 %." in bad.content.decode()
    assert not CycleWeightOverride.objects.exists()

    client.post(
        url, {f"v{version.pk}-weight_{output.pk}": "80", f"v{version.pk}-weight_{quality.pk}": "20", f"v{version.pk}-reason": "旺季"}
    )
    assert sorted(CycleWeightOverride.objects.values_list("indicator__code", "weight", "reason")) == [
        ("output", Decimal("80.00"), "旺季"),
        ("quality", Decimal("20.00"), "旺季"),
    ]


def test_compute_now_runs_and_the_progress_partial_shows_it_done(world, client_for, django_capture_on_commit_callbacks):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    client = client_for("hr_admin")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("kpi:cycle_compute", args=[scenario.cycle.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    run = ComputationRun.objects.get(cycle=scenario.cycle)
    assert f'hx-get="{reverse("kpi:run_progress", args=[run.pk])}?polling=1"' in response.content.decode()

    progress = client.get(reverse("kpi:run_progress", args=[run.pk]) + "?polling=1", HTTP_HX_REQUEST="true")

    page = progress.content.decode()
    assert 'id="run-percent">100%<' in page
    assert 'data-done="3" data-total="3"' in page
    assert 'data-state="succeeded"' in page
    assert "hx-trigger" not in page  # polling stops
    assert progress["HX-Refresh"] == "true"
    assert Assessment.objects.get(pk=scenario.assessments["w1_worker"].pk).computed_total == Decimal("90.71")
    assert 'id="run-percent">100%<' in _detail(client, scenario.cycle)


def test_compute_in_a_draft_cycle_is_refused_with_a_message(world, client_for):
    cycle = make_cycle(world.company)

    page = client_for("hr_admin").post(reverse("kpi:cycle_compute", args=[cycle.pk]), follow=True).content.decode()

    assert "Scores can only be computed while the cycle is open" in page
    assert not ComputationRun.objects.exists()


def _snapshot(cycle):
    cycle.refresh_from_db()
    return (
        cycle.state,
        CycleAssignment.objects.count(),
        CycleWeightOverride.objects.count(),
        ComputationRun.objects.count(),
        Assessment.objects.count(),
        Cycle.objects.count(),
    )


@pytest.mark.parametrize(("actor", "status"), [("prod_head", 403), ("w1_worker", 403), ("other_hr", 404), ("sales_head", 403)])
def test_others_are_refused_every_change_and_nothing_changes(world, client_for, versions, actor, status):
    draft = make_cycle(world.company, state=CycleState.DRAFT)
    cycle = make_cycle(world.company, "open", state=CycleState.OPEN)
    assignment = CycleAssignment.objects.create(
        cycle=cycle, kind=AssignmentKind.DEPARTMENT, department=world.production, template_version=versions["line"]
    )
    version = versions["line"]
    output, quality = (item.indicator for item in version.items.order_by("order"))
    before = (_snapshot(draft), _snapshot(cycle))
    client = client_for(actor)
    assignment_data = {"kind": "department", "department": world.sales.pk, "template_version": version.pk}
    weights = {f"v{version.pk}-weight_{output.pk}": "50", f"v{version.pk}-weight_{quality.pk}": "50"}
    posts = [
        (reverse("kpi:cycle_transition", args=[cycle.pk, "start_scoring"]), {}),
        (reverse("kpi:cycle_transition", args=[cycle.pk, "sync"]), {}),
        (reverse("kpi:assignment_add", args=[cycle.pk]), assignment_data),
        (reverse("kpi:assignment_remove", args=[cycle.pk, assignment.pk]), {}),
        (reverse("kpi:cycle_weights", args=[cycle.pk, version.pk]), weights),
        (reverse("kpi:cycle_compute", args=[cycle.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == status, url
    # drafts are not even visible to those who do not configure KPIs
    assert client.post(reverse("kpi:cycle_transition", args=[draft.pk, "open"])).status_code == 404
    create_status = 404 if actor == "other_hr" else 403
    assert client.post(reverse("kpi:cycle_create"), _cycle_post(world, name="偷建")).status_code == create_status

    assert (_snapshot(draft), _snapshot(cycle)) == before


def test_employees_see_the_cycle_page_without_configuration(world, client_for, versions):
    cycle = make_cycle(world.company, state=CycleState.SCORING)
    CycleAssignment.objects.create(
        cycle=cycle, kind=AssignmentKind.DEPARTMENT, department=world.production, template_version=versions["line"]
    )

    page = _detail(client_for("w1_worker"), cycle)

    assert 'id="cycle-transitions"' not in page
    assert 'id="assignments"' not in page
    assert 'id="compute-now"' not in page
    draft = make_cycle(world.company, "草稿")
    assert client_for("w1_worker").get(reverse("kpi:cycle_detail", args=[draft.pk])).status_code == 404
    assert client_for("other_hr").get(reverse("kpi:cycle_detail", args=[cycle.pk])).status_code == 404


def test_the_cycle_list_shows_state_and_assessments_in_scope(world, client_for):
    scenario = manufacturing(world)

    hr_page = client_for("hr_admin").get(reverse("kpi:cycle_list")).content.decode()
    worker_page = client_for("w1_worker").get(reverse("kpi:cycle_list")).content.decode()

    assert f'data-cycle="{scenario.cycle.pk}"' in hr_page
    assert 'data-state="scoring"' in hr_page
    assert 'data-count="assessments">3<' in hr_page
    assert 'data-count="assessments">1<' in worker_page
    assert 'id="new-cycle"' in hr_page and 'id="new-cycle"' not in worker_page


def test_the_live_progress_panel_renders_for_an_open_cycle(world, client_for):
    scenario = manufacturing(world)
    Cycle.objects.filter(pk=scenario.cycle.pk).update(state=CycleState.OPEN)
    give_worker_data(world, scenario)
    url = reverse("kpi:cycle_live_progress", args=[scenario.cycle.pk])

    panel = client_for("hr_admin").get(url, HTTP_HX_REQUEST="true")
    own = client_for("w1_worker").get(url, HTTP_HX_REQUEST="true").content.decode()

    page = panel.content.decode()
    assert panel.status_code == 200
    assert "<html" not in page
    assert 'id="live-departments"' in page and "一车间" in page and "二车间" in page
    assert "李工人" in page and "周工人" in page
    assert 'class="plotly-graph-div"' in page and "Plotly.newPlot" in page
    assert "李工人" in own and "周工人" not in own
    Cycle.objects.filter(pk=scenario.cycle.pk).update(state=CycleState.SCORING)
    assert client_for("hr_admin").get(url).status_code == 404


def test_plotly_is_served_from_the_installed_package(world, client_for):
    response = client_for("w1_worker").get(reverse("kpi:plotly_js"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"plotly.js" in response.content[:2000]


def _assessments_page_queries(client, cycle):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("kpi:cycle_assessments", args=[cycle.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_cycle_assessments_list_needs_the_same_queries_for_few_and_many(world, client_for, versions):
    few = make_cycle(world.company, "few", state=CycleState.OPEN)
    many = make_cycle(world.company, "many", state=CycleState.OPEN)
    worker = world.employee("w1_worker")
    Assessment.objects.create(cycle=few, employee=worker, department=worker.department, template_version=versions["line"])
    for index in range(12):
        employee = EmployeeFactory(department=world.workshop1 if index % 2 else world.sales)
        version = versions["line"] if index % 3 else versions["lead"]
        Assessment.objects.create(cycle=many, employee=employee, department=employee.department, template_version=version)
    client = client_for("hr_admin")
    _assessments_page_queries(client, few)

    few_count, _page = _assessments_page_queries(client, few)
    many_count, page = _assessments_page_queries(client, many)

    assert 'data-total="12"' in page
    assert many_count == few_count
