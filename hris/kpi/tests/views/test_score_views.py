"""Score pages: home, my scores, the breakdown (transparency), what-if, and who may see what."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hris.audit.models import AuditEvent
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, AssessmentItem, ComputationRun, MetricRecord
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def client_for(world):
    def make(key):
        client = Client()
        client.force_login(world.user(key))
        return client

    return make


@pytest.fixture
def computed(world):
    """The manufacturing scenario with w1_worker's data, computed for all three assessed."""
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    employee_ids = [world.employees[name].pk for name in ("w1_worker", "w1_lead", "w2_worker")]
    compute_assessments_now(cycle=scenario.cycle, employee_ids=employee_ids)
    return scenario


def _detail(client, assessment):
    return client.get(reverse("kpi:assessment_detail", args=[assessment.pk]))


def test_home_sends_hr_to_the_cycles_and_employees_to_their_scores(world, client_for):
    assert client_for("hr_admin").get(reverse("kpi:home"))["Location"] == reverse("kpi:cycle_list")
    assert client_for("prod_head").get(reverse("kpi:home"))["Location"] == reverse("kpi:cycle_list")
    assert client_for("w1_worker").get(reverse("kpi:home"))["Location"] == reverse("kpi:my_scores")


def test_the_breakdown_shows_total_points_rule_and_source_records(world, client_for, computed):
    response = _detail(client_for("hr_admin"), computed.assessments["w1_worker"])

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="computed-total">90.71<' in page
    assert 'id="final-score">90.71<' in page
    assert "27.90" in page  # efficiency: 30 % of 93.00
    assert "Complete: every indicator is scored." in page
    for record in MetricRecord.objects.filter(employee=world.employee("w1_worker")):
        assert record.external_id in page
    for record in MetricRecord.objects.filter(department=world.workshop1):  # department sales behind the actual
        assert record.external_id in page
    assert 'data-indicator="production_efficiency"' in page


def test_incomplete_assessment_says_so_and_names_the_missing_data(world, client_for, computed):
    page = _detail(client_for("hr_admin"), computed.assessments["w2_worker"]).content.decode()

    assert 'id="computed-total">10.00<' in page
    assert "Incomplete: some indicators have no data or await ratings" in page
    assert 'data-status="no_data"' in page
    assert 'data-status="awaiting_ratings"' in page


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        ("w1_worker", {"w1_worker"}),
        ("prod_head", {"w1_worker", "w1_lead", "w2_worker"}),
        ("hr_admin", {"w1_worker", "w1_lead", "w2_worker"}),
        ("ceo", {"w1_worker", "w1_lead", "w2_worker"}),
        ("sales_head", set()),
        ("other_hr", set()),
    ],
)
def test_who_may_open_which_breakdown(world, client_for, computed, viewer, visible):
    client = client_for(viewer)
    for owner, assessment in computed.assessments.items():
        assert _detail(client, assessment).status_code == (200 if owner in visible else 404), (viewer, owner)


def test_what_if_scores_hypothetical_actuals_and_writes_nothing(world, client_for, computed):
    assessment = computed.assessments["w1_worker"]
    efficiency = computed.indicators["efficiency"]
    items_before = list(AssessmentItem.objects.order_by("assessment_id", "indicator_id").values_list("actual", "score", "points"))
    audit_before, runs_before = AuditEvent.objects.count(), ComputationRun.objects.count()

    response = client_for("w1_worker").post(
        reverse("kpi:assessment_what_if", args=[assessment.pk]), {f"actual_{efficiency.pk}": "100"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="what-if-total" data-total="92.81"' in page
    assert '<strong class="fs-5">92.81</strong>' in page
    assert "(now 90.71, +2.10)" in page
    assert "hypothetical" in page
    assert list(AssessmentItem.objects.order_by("assessment_id", "indicator_id").values_list("actual", "score", "points")) == items_before
    assert Assessment.objects.get(pk=assessment.pk).computed_total == Decimal("90.71")
    assert (AuditEvent.objects.count(), ComputationRun.objects.count()) == (audit_before, runs_before)


def test_what_if_with_every_field_prefilled_changes_only_the_edited_one(world, client_for, computed):
    assessment = computed.assessments["w1_worker"]
    page = _detail(client_for("w1_worker"), assessment).content.decode()
    efficiency = computed.indicators["efficiency"]
    assert f'name="actual_{efficiency.pk}" id="what-if-{efficiency.pk}" value="93"' in page
    prefilled = {
        f"actual_{item.indicator_id}": format(item.actual.normalize(), "f") for item in AssessmentItem.objects.filter(assessment=assessment)
    }

    unchanged = client_for("w1_worker").post(reverse("kpi:assessment_what_if", args=[assessment.pk]), prefilled)

    assert unchanged.status_code == 200
    assert 'data-total="90.71"' in unchanged.content.decode()
    assert "hypothetical</span>" not in unchanged.content.decode()


def test_a_bad_what_if_value_is_shown_on_its_field(world, client_for, computed):
    assessment = computed.assessments["w1_worker"]
    efficiency = computed.indicators["efficiency"]

    response = client_for("hr_admin").post(
        reverse("kpi:assessment_what_if", args=[assessment.pk]), {f"actual_{efficiency.pk}": "lots"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="what-if-{efficiency.pk}-errors"><div>Enter a number.</div>' in page
    assert "Some hypothetical values are not valid." in page
    assert "what-if-result" not in page
    full = client_for("hr_admin").post(reverse("kpi:assessment_what_if", args=[assessment.pk]), {f"actual_{efficiency.pk}": "lots"})
    assert full.status_code == 400


def test_what_if_on_someone_elses_assessment_is_404(world, client_for, computed):
    response = client_for("w1_worker").post(reverse("kpi:assessment_what_if", args=[computed.assessments["w2_worker"].pk]), {})
    assert response.status_code == 404


def test_my_scores_lists_only_my_own_assessments(world, client_for, computed):
    page = client_for("w1_worker").get(reverse("kpi:my_scores")).content.decode()

    assert f'data-assessment="{computed.assessments["w1_worker"].pk}"' in page
    assert f'data-assessment="{computed.assessments["w2_worker"].pk}"' not in page
    assert "90.71" in page
    assert "You have no assessments yet." in client_for("sales_head").get(reverse("kpi:my_scores")).content.decode()


def test_cycle_assessments_are_filtered_by_department_and_scope(world, client_for, computed):
    url = reverse("kpi:cycle_assessments", args=[computed.cycle.pk])

    whole = client_for("hr_admin").get(url).content.decode()
    workshop2 = client_for("hr_admin").get(url, {"department": world.workshop2.pk}, HTTP_HX_REQUEST="true").content.decode()
    own = client_for("w1_worker").get(url).content.decode()

    assert 'data-total="3"' in whole
    assert 'data-total="1"' in workshop2 and "周工人" in workshop2 and "<html" not in workshop2
    assert 'data-total="1"' in own and "李工人" in own


def _cycle_with(world, *, indicators: int, records_each: int, name: str):
    """One assessment of w1_worker with `indicators` items, each fed by `records_each` records; computed."""
    company, worker = world.company, world.employee("w1_worker")
    items = [(make_indicator(company, f"{name}-i{index}"), Decimal(100) / indicators, None, 10) for index in range(indicators)]
    version = make_template(company, f"{name}-template", items)
    cycle = make_cycle(company, name, state=CycleState.SCORING)
    assessment = Assessment.objects.create(cycle=cycle, employee=worker, department=worker.department, template_version=version)
    for indicator, *_rest in items:
        for day in range(1, records_each + 1):
            MetricRecord.objects.create(
                company=company,
                employee=worker,
                metric_key=indicator.metric_key,
                period_start=date(2025, 3, day),
                period_end=date(2025, 3, day),
                value=Decimal(day),
                source="erp",
                external_id=f"{name}-{indicator.code}-{day}",
                recorded_at=datetime(2025, 3, day, 9, tzinfo=SHANGHAI),
            )
    compute_assessments_now(cycle=cycle, employee_ids=[worker.pk])
    return assessment


def test_the_breakdown_needs_the_same_queries_for_few_and_many_items_and_records(world, client_for):
    few = _cycle_with(world, indicators=1, records_each=1, name="few")
    many = _cycle_with(world, indicators=5, records_each=6, name="many")
    client = client_for("hr_admin")
    _detail(client, few)  # warm up session and caches

    with CaptureQueriesContext(connection) as few_queries:
        assert _detail(client, few).status_code == 200
    with CaptureQueriesContext(connection) as many_queries:
        page = _detail(client, many).content.decode()

    assert "many-i4-6" in page
    assert len(many_queries) == len(few_queries)
