"""The org chart: who appears for whom, level-by-level loading, filters, query counts."""

import re

import pytest
from django.urls import reverse

from hris.org.tests.helpers import count_queries, login
from hris.tests.factories import EmployeeFactory, UserFactory


def _shown(world, html: str) -> list[str]:  # noqa: ANN001
    """World keys of the employee cards, in page order."""
    by_id = {str(employee.pk): key for key, employee in world.employees.items()}
    return [by_id.get(pk, pk) for pk in re.findall(r'data-employee="(\d+)"', html)]


def _report_badges(world, html: str) -> dict[str, int]:  # noqa: ANN001
    by_id = {str(employee.pk): key for key, employee in world.employees.items()}
    cards = re.findall(r'data-employee="(\d+)"(.*?)(?=data-employee="|$)', html, flags=re.S)
    counts = {}
    for pk, body in cards:
        badge = re.search(r'data-reports="(\d+)"', body)
        counts[by_id.get(pk, pk)] = int(badge.group(1)) if badge else 0
    return counts


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # A single top opens its first level at once.
        ("hr_admin", ["ceo", "prod_head", "sales_head", "hr_admin"]),
        ("ceo", ["ceo", "prod_head", "sales_head", "hr_admin"]),
        # The manager above is out of scope, so the viewer's own top starts the chart.
        ("prod_head", ["prod_head", "w1_lead", "w2_worker"]),
        ("sales_head", ["sales_head", "sales_rep", "interviewer"]),
        # Two tops: neither is opened.
        ("hrbp", ["prod_head", "hrbp"]),
        ("w1_worker", ["w1_worker"]),
        ("other_hr", ["other_hr", "other_worker"]),
        ("admin", ["ceo", "other_hr"]),
    ],
)
def test_chart_starts_from_the_top_of_the_viewers_scope(world, client, key, expected):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("org:chart"))
    assert response.status_code == 200
    assert _shown(world, response.content.decode()) == expected


def test_chart_cards_show_name_position_department_and_report_count(world, client):  # noqa: ANN001
    login(client, world, "prod_head")
    html = client.get(reverse("org:chart")).content.decode()
    assert _report_badges(world, html) == {"prod_head": 2, "w1_lead": 1, "w2_worker": 0}
    lead_card = html[html.index(f'data-employee="{world.employees["w1_lead"].pk}"') :]
    assert "孙班长" in lead_card and "班组长" in lead_card and "一车间" in lead_card
    assert f'hx-get="{reverse("org:chart_reports", args=[world.employees["w1_lead"].pk])}"' in lead_card


@pytest.mark.parametrize(
    ("key", "manager", "expected"),
    [
        ("hr_admin", "prod_head", ["w1_lead", "w2_worker"]),
        ("hr_admin", "w1_lead", ["w1_worker"]),
        ("hr_admin", "w1_worker", []),
        ("prod_head", "w1_lead", ["w1_worker"]),
        ("hrbp", "prod_head", ["w1_lead", "w2_worker"]),
        ("admin", "other_hr", ["other_worker"]),
    ],
)
def test_chart_level_partial_lists_direct_reports(world, client, key, manager, expected):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("org:chart_reports", args=[world.employees[manager].pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert _shown(world, html) == expected


@pytest.mark.parametrize(
    ("key", "manager"), [("sales_head", "prod_head"), ("w1_worker", "w1_lead"), ("other_hr", "ceo"), ("prod_head", "ceo")]
)
def test_chart_level_of_someone_out_of_scope_is_404(world, client, key, manager):  # noqa: ANN001
    login(client, world, key)
    assert client.get(reverse("org:chart_reports", args=[world.employees[manager].pk])).status_code == 404


def test_chart_hides_reports_outside_the_viewers_scope(world, client):  # noqa: ANN001
    # sales_head sees the sales people only; the ceo's other reports never appear.
    login(client, world, "sales_head")
    html = client.get(reverse("org:chart")).content.decode()
    assert set(_shown(world, html)) == {"sales_head", "sales_rep", "interviewer"}


def test_terminated_people_are_not_on_the_chart(world, client):  # noqa: ANN001
    from hris.people.models import Employee

    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(status="terminated", termination_date="2025-12-31")
    login(client, world, "prod_head")
    html = client.get(reverse("org:chart")).content.decode()
    assert _shown(world, html) == ["prod_head", "w1_lead"]
    assert _report_badges(world, html)["prod_head"] == 1


@pytest.mark.parametrize(
    ("department", "expected"),
    [
        ("production", ["prod_head", "w1_lead", "w2_worker"]),
        ("workshop1", ["w1_lead", "w1_worker"]),
        ("sales", ["sales_head", "sales_rep", "interviewer"]),
    ],
)
def test_department_filter_shows_that_departments_people_by_reporting_line(world, client, department, expected):  # noqa: ANN001
    login(client, world, "hr_admin")
    response = client.get(reverse("org:chart") + f"?department={getattr(world, department).pk}")
    assert response.status_code == 200
    assert _shown(world, response.content.decode()) == expected


def test_department_filter_applies_to_level_loads(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    url = reverse("org:chart_reports", args=[world.employees["prod_head"].pk])
    # Within workshop2 only, prod_head (in production) is not part of the chart.
    assert client.get(url + f"?department={world.workshop2.pk}").status_code == 404
    # Within production, the level lists production people.
    response = client.get(url + f"?department={world.production.pk}")
    assert _shown(world, response.content.decode()) == ["w1_lead", "w2_worker"]


def test_department_filter_on_another_company_is_404(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    assert client.get(reverse("org:chart") + f"?department={world.other_root.pk}").status_code == 404


@pytest.mark.parametrize(
    ("key", "root", "expected"),
    [("hr_admin", "w1_lead", ["w1_lead", "w1_worker"]), ("ceo", "sales_head", ["sales_head", "sales_rep", "interviewer"])],
)
def test_chart_from_a_chosen_root(world, client, key, root, expected):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("org:chart") + f"?root={world.employees[root].pk}")
    assert response.status_code == 200
    assert _shown(world, response.content.decode()) == expected


@pytest.mark.parametrize(("key", "root"), [("prod_head", "ceo"), ("w1_worker", "w1_lead"), ("other_hr", "ceo")])
def test_chosen_root_out_of_scope_is_404(world, client, key, root):  # noqa: ANN001
    login(client, world, key)
    assert client.get(reverse("org:chart") + f"?root={world.employees[root].pk}").status_code == 404


def test_user_without_employee_record_sees_an_empty_chart(db, client):  # noqa: ANN001
    client.force_login(UserFactory(username="stranger"))
    response = client.get(reverse("org:chart"))
    assert response.status_code == 200
    assert "Nobody to show." in response.content.decode()


def test_level_load_query_count_is_constant(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    url = reverse("org:chart_reports", args=[world.employees["prod_head"].pk])
    small, response = count_queries(lambda: client.get(url))
    assert len(_shown(world, response.content.decode())) == 2
    # Given 30 more direct reports, each with reports of their own
    manager = world.employee("prod_head")
    for _number in range(30):
        report = EmployeeFactory(department=world.workshop2, manager=manager)
        EmployeeFactory(department=world.workshop2, manager=report)
    large, response = count_queries(lambda: client.get(url))
    assert len(_shown(world, response.content.decode())) == 32
    assert large == small


def test_chart_page_query_count_is_constant(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    small, _response = count_queries(lambda: client.get(reverse("org:chart")))
    ceo = world.employee("ceo")
    for _number in range(25):
        report = EmployeeFactory(department=world.sales, manager=ceo)
        EmployeeFactory(department=world.sales, manager=report)
    large, response = count_queries(lambda: client.get(reverse("org:chart")))
    assert len(_shown(world, response.content.decode())) == 1 + 3 + 25
    assert large == small
