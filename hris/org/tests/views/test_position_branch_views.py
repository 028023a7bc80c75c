"""Positions and companies/branches pages, for every role."""

import re

import pytest
from django.urls import reverse

from hris.audit.models import AuditEvent
from hris.org.models import Branch, Position
from hris.org.tests.helpers import count_queries, login, org_state
from hris.tests.factories import EmployeeFactory, PositionFactory

NOT_CHANGERS = ["ceo", "prod_head", "hrbp", "w1_worker", "sales_head", "recruiter", "interviewer"]


def _position_headcounts(html: str) -> dict[str, str]:
    return dict(re.findall(r'<td><code>([^<]+)</code></td>.*?data-headcount="(\d+)"', html, flags=re.S))


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("hr_admin", {"operator": "2", "team-lead": "1"}),
        ("prod_head", {"operator": "2", "team-lead": "1"}),
        ("sales_head", {"operator": "0", "team-lead": "0"}),
        ("w1_worker", {"operator": "1", "team-lead": "0"}),
        ("other_hr", {}),
    ],
)
def test_positions_list_with_headcount_in_viewer_scope(world, client, key, expected):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("org:positions"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _position_headcounts(html) == expected
    assert ("Add position" in html) == (key in {"hr_admin", "other_hr"})
    if expected:
        assert "班组长" in html and "M1" in html and "Production" in html


def test_positions_query_count_does_not_grow(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    small, _response = count_queries(lambda: client.get(reverse("org:positions")))
    for number in range(20):
        position = PositionFactory(company=world.company, level=f"P{number}")
        EmployeeFactory(department=world.sales, position=position)
    large, _response = count_queries(lambda: client.get(reverse("org:positions")))
    assert large == small


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr", "hr_admin", "admin"])
def test_position_create_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("org:position_create") + f"?company={world.company.pk}"
    before = org_state()
    get_status = client.get(url).status_code
    response = client.post(
        url, {"code": "qa", "title": "质检员", "title_en": "QA", "job_family": "quality", "level": "P2", "is_managerial": "on"}
    )
    if key in {"hr_admin", "admin"}:
        assert (get_status, response.status_code) == (200, 302)
        position = Position.objects.get(company=world.company, code="qa")
        assert (position.title, position.title_en, position.job_family, position.level, position.is_managerial) == (
            "质检员",
            "QA",
            "quality",
            "P2",
            True,
        )
        assert AuditEvent.objects.filter(action="position.create", target_id=str(position.pk)).count() == 1
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_status, response.status_code) == (expected, expected)
        assert org_state() == before


def test_position_create_duplicate_code_is_a_form_error(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(
        reverse("org:position_create") + f"?company={world.company.pk}",
        {"code": "operator", "title": "操作工2", "job_family": "production", "level": "P1"},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Position with this Company and Code already exists."]
    assert org_state() == before


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr", "hr_admin"])
def test_position_edit_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("org:position_edit", args=[world.worker_position.pk])
    before = org_state()
    get_response = client.get(url)
    data = {"code": "operator", "title": "高级操作工", "title_en": "", "job_family": "production", "level": "P2", "is_active": "on"}
    response = client.post(url, data)
    if key == "hr_admin":
        assert get_response.status_code == 200
        assert get_response.context["form"].initial["title"] == "操作工"
        assert response.status_code == 302
        position = Position.objects.get(pk=world.worker_position.pk)
        assert (position.title, position.level, position.is_active, position.is_managerial) == ("高级操作工", "P2", True, False)
        event = AuditEvent.objects.get(action="position.update")
        assert (event.before["title"], event.after["title"]) == ("操作工", "高级操作工")
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_response.status_code, response.status_code) == (expected, expected)
        assert org_state() == before


@pytest.mark.parametrize("key", ["hr_admin", "ceo", "w1_worker", "other_hr", "admin"])
def test_branches_page(world, client, key):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("org:branches"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = set(re.findall(r'id="branch-(\d+)"', html))
    acme = {str(world.hq.pk), str(world.plant.pk)}
    assert shown == (set() if key == "other_hr" else acme)
    assert ("Add branch" in html) == (key in {"hr_admin", "other_hr", "admin"})
    assert ("ACME 制造有限公司" in html) == (key != "other_hr")
    assert ("别家科技有限公司" in html) == (key in {"other_hr", "admin"})


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr", "hr_admin"])
def test_branch_create_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("org:branch_create") + f"?company={world.company.pk}"
    before = org_state()
    get_status = client.get(url).status_code
    response = client.post(url, {"name": "北京办事处", "code": "bj", "city": "北京", "address": "朝阳区"})
    if key == "hr_admin":
        assert (get_status, response.status_code) == (200, 302)
        branch = Branch.objects.get(company=world.company, code="bj")
        assert (branch.name, branch.city, branch.address) == ("北京办事处", "北京", "朝阳区")
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_status, response.status_code) == (expected, expected)
        assert org_state() == before


def test_branch_create_duplicate_code_is_a_form_error(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("org:branch_create") + f"?company={world.company.pk}", {"name": "又一个工厂", "code": "plant"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Branch with this Company and Code already exists."]
    assert org_state() == before
