"""GET /api/v1/kpi/assessments/: each caller sees its data scope; the detail is the full breakdown."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.fields import DateTimeField

from hris.core.tests.api.support import _fresh_throttle_counters, error_body, session_client, token_client  # noqa: F401
from hris.kpi.models import Assessment, MetricRecord
from hris.kpi.tests.api import ASSESSED, BASE, TOKEN_VISIBLE_ASSESSMENTS, VISIBLE_ASSESSMENTS, assessment_url, keys_of, scored_cycle
from hris.tests.factories import EmployeeFactory

LIST = f"{BASE}/assessments/"


@pytest.fixture
def scenario(world):  # noqa: ANN001, ANN201
    return scored_cycle(world)


@pytest.mark.parametrize("actor", sorted(VISIBLE_ASSESSMENTS))
def test_session_user_lists_exactly_its_scope_and_gets_404_outside(world, scenario, actor):  # noqa: ANN001
    client = session_client(world, actor)
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert keys_of(scenario, listed.json()["results"]) == VISIBLE_ASSESSMENTS[actor]
    for target in ASSESSED:
        response = client.get(assessment_url(scenario, target))
        if target in VISIBLE_ASSESSMENTS[actor]:
            assert (response.status_code, response.json()["employee"]["id"]) == (200, world.employees[target].pk), target
        else:
            assert (response.status_code, error_body(response)) == (
                404,
                {"code": "not_found", "message": "Assessment not found.", "errors": {}},
            ), target


@pytest.mark.parametrize("like", sorted(TOKEN_VISIBLE_ASSESSMENTS))
def test_token_client_with_kpi_read_sees_its_service_accounts_scope(world, scenario, like):  # noqa: ANN001
    client = token_client(world, like, "kpi:read")
    assert keys_of(scenario, client.get(LIST).json()["results"]) == TOKEN_VISIBLE_ASSESSMENTS[like]
    for target in ASSESSED:
        expected = 200 if target in TOKEN_VISIBLE_ASSESSMENTS[like] else 404
        assert client.get(assessment_url(scenario, target)).status_code == expected, target


@pytest.mark.parametrize("path", ["", "w1_worker"])
def test_token_client_without_kpi_read_is_refused(world, scenario, path):  # noqa: ANN001
    client = token_client(world, "hr_admin", "employees:read kpi:write")
    response = client.get(assessment_url(scenario, path) if path else LIST)
    assert (response.status_code, error_body(response)["code"]) == (403, "insufficient_scope")
    assert error_body(response)["message"] == "The access token lacks the scope “kpi:read”."


def test_anonymous_caller_is_401(client, scenario):  # noqa: ANN001
    assert client.get(LIST).status_code == 401


def test_list_rows_are_ordered_by_employee_number_with_summary_fields(world, scenario):  # noqa: ANN001
    rows = session_client(world, "hr_admin").get(LIST).json()["results"]

    numbers = sorted(world.employees[key].employee_number for key in ASSESSED)
    assert [row["employee"]["employee_number"] for row in rows] == numbers
    worker = next(row for row in rows if row["id"] == scenario.assessments["w1_worker"].pk)
    computed_at = Assessment.objects.get(pk=worker["id"]).computed_at
    assert worker == {
        "id": scenario.assessments["w1_worker"].pk,
        "cycle": scenario.cycle.pk,
        "employee": {
            "id": world.employees["w1_worker"].pk,
            "employee_number": world.employees["w1_worker"].employee_number,
            "name": "李工人",
        },
        "department": {"id": world.workshop1.pk, "code": "workshop1", "name": "一车间"},
        "template": {
            "id": scenario.version.template_id,
            "code": "manufacturing-production",
            "name": "manufacturing-production",
            "version": 1,
        },
        "computed_total": "90.71",
        "final_score": "90.71",
        "is_complete": True,
        "computed_at": DateTimeField().to_representation(computed_at),
    }
    others = {row["employee"]["name"]: (row["computed_total"], row["is_complete"]) for row in rows if row["id"] != worker["id"]}
    # the lead shares workshop1's department-level sales (22 points) and has no late arrivals (10)
    assert others == {"孙班长": ("32.00", False), "周工人": ("10.00", False)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "workshop1"}, {"w1_lead", "w1_worker"}),
        ({"department": "workshop2"}, {"w2_worker"}),
        ({"department": "production"}, set(ASSESSED)),
        ({"department": "sales"}, set()),
        ({"employee": "w2_worker"}, {"w2_worker"}),
        ({"complete": "true"}, {"w1_worker"}),
        ({"complete": "false"}, {"w1_lead", "w2_worker"}),
        ({"cycle": "pinned"}, set(ASSESSED)),
        ({"cycle": "pinned", "department": "workshop1", "complete": "false"}, {"w1_lead"}),
    ],
)
def test_filters_narrow_the_scope_exactly(world, scenario, params, expected):  # noqa: ANN001
    references = {
        "workshop1": world.workshop1.pk,
        "workshop2": world.workshop2.pk,
        "production": world.production.pk,
        "sales": world.sales.pk,
        "w2_worker": world.employees["w2_worker"].pk,
        "pinned": scenario.cycle.pk,
    }
    query = {name: references.get(value, value) for name, value in params.items()}
    response = session_client(world, "hr_admin").get(LIST, query)
    assert response.status_code == 200
    assert keys_of(scenario, response.json()["results"]) == expected


def test_filters_never_widen_a_scope(world, scenario):  # noqa: ANN001
    response = session_client(world, "w1_worker").get(LIST, {"department": world.production.pk})
    assert keys_of(scenario, response.json()["results"]) == {"w1_worker"}


def test_filter_by_a_cycle_of_another_company_is_an_unknown_cycle(world, scenario):  # noqa: ANN001
    response = session_client(world, "other_hr").get(LIST, {"cycle": scenario.cycle.pk, "complete": "maybe"})
    assert response.status_code == 400
    assert error_body(response)["errors"] == {
        "cycle": [f'Invalid pk "{scenario.cycle.pk}" - object does not exist.'],
        "complete": ["Must be a valid boolean."],
    }


def test_list_query_count_does_not_grow_with_the_rows(world, scenario):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    with CaptureQueriesContext(connection) as three:
        assert client.get(LIST).json()["count"] == 3
    for employee in EmployeeFactory.create_batch(17, department=world.workshop2):
        Assessment.objects.create(cycle=scenario.cycle, employee=employee, department=world.workshop2, template_version=scenario.version)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(LIST).json()["count"] == 20
    assert len(twenty) == len(three)


def test_list_of_twenty_stays_within_a_fixed_number_of_queries(world, scenario, django_assert_max_num_queries):  # noqa: ANN001
    for employee in EmployeeFactory.create_batch(17, department=world.workshop1):
        Assessment.objects.create(cycle=scenario.cycle, employee=employee, department=world.workshop1, template_version=scenario.version)
    client = session_client(world, "prod_head")
    # session, user, grants, own employee record, count, page
    with django_assert_max_num_queries(6):
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) == 20


def test_breakdown_pins_every_item_of_the_manufacturing_worker(world, scenario):  # noqa: ANN001
    # Given the worker's computed assessment, when they open it through the API,
    body = session_client(world, "w1_worker").get(assessment_url(scenario, "w1_worker")).json()
    # then the totals and every item match the hand calculation of DESIGN.md §6.
    assert (body["computed_total"], body["final_score"], body["is_complete"]) == ("90.71", "90.71", True)
    rows = {item["indicator"]["code"]: item for item in body["items"]}
    assert [item["indicator"]["code"] for item in body["items"]] == [
        "production_efficiency",
        "defect_rate",
        "sales_amount",
        "late_count",
        "teamwork",
    ]
    expected = {
        # code: (target, actual, score, weight, points)
        "production_efficiency": ("100", "93", "93.00", "30.00", "27.90"),
        "defect_rate": ("1", "1.5", "80.00", "25.00", "20.00"),
        "sales_amount": ("500000", "550000", "110.00", "20.00", "22.00"),
        "late_count": (None, "2", "90.00", "10.00", "9.00"),
        "teamwork": (None, "4.15", "78.75", "15.00", "11.81"),
    }
    for code, numbers in expected.items():
        row = rows[code]
        assert (row["target"], row["actual"], row["score"], row["weight"], row["points"]) == numbers, code
        assert (row["status"], row["message"]) == ("scored", ""), code
    assert rows["production_efficiency"]["rule"] == {"type": "linear", "floor": 0, "cap": 120}
    assert rows["production_efficiency"]["rule_in_words"] == "score = actual ÷ target × 100, at least 0 points, at most 120 points"
    assert rows["defect_rate"]["rule_in_words"] == "≤ 1: 100 points; 1–2: 80 points; otherwise 50 points"
    assert rows["late_count"]["rule"] == {"type": "deduction", "per_occurrence": 5, "full": 100, "floor": 0}
    indicator = scenario.indicators["efficiency"]
    assert rows["production_efficiency"]["indicator"] == {
        "id": indicator.pk,
        "code": "production_efficiency",
        "name": "production_efficiency",
        "unit": "%",
    }


def test_breakdown_lists_the_source_records_behind_each_actual(world, scenario):  # noqa: ANN001
    body = session_client(world, "prod_head").get(assessment_url(scenario, "w1_worker")).json()
    rows = {item["indicator"]["code"]: item for item in body["items"]}

    efficiency = MetricRecord.objects.filter(metric_key="production_efficiency").order_by("period_start")
    assert rows["production_efficiency"]["records"] == [
        {
            "id": record.pk,
            "metric_key": "production_efficiency",
            "source": "test",
            "external_id": record.external_id,
            "period_start": str(record.period_start),
            "period_end": str(record.period_end),
            "value": value,
            "recorded_at": f"{record.period_start}T09:00:00+08:00",
            "is_current": True,
        }
        for record, value in zip(efficiency, ["90", "96"], strict=True)
    ]
    assert [record["period_start"] for record in rows["production_efficiency"]["records"]] == [
        str(date(2026, 10, 10)),
        str(date(2026, 10, 20)),
    ]
    assert sorted((r["metric_key"], r["value"]) for r in rows["defect_rate"]["records"]) == [("defects", "3"), ("output", "200")]
    assert sorted(r["value"] for r in rows["sales_amount"]["records"]) == ["250000", "300000"]
    assert [(r["metric_key"], r["value"]) for r in rows["late_count"]["records"]] == [("late", "1"), ("late", "1")]
    assert rows["teamwork"]["records"] == []


def test_breakdown_shows_missing_data_as_missing(world, scenario):  # noqa: ANN001
    body = session_client(world, "hr_admin").get(assessment_url(scenario, "w2_worker")).json()
    rows = {item["indicator"]["code"]: item for item in body["items"]}
    assert (body["computed_total"], body["is_complete"]) == ("10.00", False)
    efficiency = rows["production_efficiency"]
    assert (efficiency["actual"], efficiency["score"], efficiency["points"], efficiency["status"]) == (None, None, "0.00", "no_data")
    assert efficiency["records"] == []
    assert rows["teamwork"]["status"] == "awaiting_ratings"
