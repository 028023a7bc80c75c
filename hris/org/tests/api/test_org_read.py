"""GET companies, branches, departments, positions: the structure of the caller's companies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hris.core.tests.api.support import TOKEN_VISIBLE_EMPLOYEES, session_client, token_client
from hris.org.models import Department
from hris.tests.factories import PositionFactory, make_department
from hris.tests.world import VISIBLE_EMPLOYEES

ACME_DEPARTMENTS = ["root", "production", "workshop1", "workshop2", "sales", "hr"]


def _codes(response, field: str = "code") -> list[str]:  # noqa: ANN001
    assert response.status_code == 200, response.content
    return [row[field] for row in response.json()["results"]]


def _expected_company_codes(actor: str) -> list[str]:
    if actor == "admin":
        return ["acme", "other"]
    return ["other"] if actor == "other_hr" else ["acme"]


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_each_user_sees_the_structure_of_its_own_companies(world, actor):  # noqa: ANN001
    client = session_client(world, actor)
    companies = _expected_company_codes(actor)
    acme_seen, other_seen = "acme" in companies, "other" in companies

    assert _codes(client.get("/api/v1/companies/")) == sorted(companies, key={"acme": 0, "other": 1}.get)
    assert _codes(client.get("/api/v1/branches/")) == (["hq", "plant"] if acme_seen else [])
    assert _codes(client.get("/api/v1/departments/")) == (ACME_DEPARTMENTS if acme_seen else []) + (["other-root"] if other_seen else [])
    assert _codes(client.get("/api/v1/positions/")) == (["operator", "team-lead"] if acme_seen else [])
    for path, row, visible in (
        ("companies", world.company, acme_seen),
        ("companies", world.other_company, other_seen),
        ("branches", world.plant, acme_seen),
        ("departments", world.workshop2, acme_seen),
        ("departments", world.other_root, other_seen),
        ("positions", world.lead_position, acme_seen),
    ):
        response = client.get(f"/api/v1/{path}/{row.pk}/")
        assert response.status_code == (200 if visible else 404), (path, row)


@pytest.mark.parametrize("like", sorted(TOKEN_VISIBLE_EMPLOYEES))
def test_token_client_sees_the_structure_of_its_service_accounts_company(world, like):  # noqa: ANN001
    client = token_client(world, like, "org:read")
    acme = like != "other_hr"
    assert _codes(client.get("/api/v1/companies/")) == (["acme"] if acme else ["other"])
    assert _codes(client.get("/api/v1/departments/")) == (ACME_DEPARTMENTS if acme else ["other-root"])
    assert client.get(f"/api/v1/departments/{world.production.pk}/").status_code == (200 if acme else 404)


def test_department_shows_its_place_in_the_tree(world):  # noqa: ANN001
    Department.objects.filter(pk=world.production.pk).update(head=world.employees["prod_head"])
    response = session_client(world, "w1_worker").get(f"/api/v1/departments/{world.production.pk}/")
    assert response.json() == {
        "id": world.production.pk,
        "company": world.company.pk,
        "code": "production",
        "name": "生产部",
        "name_en": "",
        "parent": world.root.pk,
        "depth": 2,
        "branch": {"id": world.plant.pk, "code": "plant", "name": "苏州工厂"},
        "head": {"id": world.employees["prod_head"].pk, "employee_number": world.employees["prod_head"].employee_number, "name": "钱生产"},
        "is_active": True,
        "closed_on": None,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"branch": "plant"}, ["production", "workshop1", "workshop2"]),
        ({"parent": "production"}, ["workshop1", "workshop2"]),
        ({"parent": "root"}, ["production", "sales", "hr"]),
        ({"include_closed": "true", "parent": "production"}, ["workshop1", "workshop2", "workshop3"]),
        ({"include_closed": "false", "parent": "production"}, ["workshop1", "workshop2"]),
    ],
)
def test_department_filters(world, params, expected):  # noqa: ANN001
    closed = make_department(company=world.company, name="三车间", code="workshop3", parent=world.production, branch=world.plant)
    Department.objects.filter(pk=closed.pk).update(is_active=False, closed_on="2026-01-31")
    references = {"plant": world.plant, "production": world.production, "root": world.root}
    query = {name: references[value].pk if value in references else value for name, value in params.items()}
    assert _codes(session_client(world, "hr_admin").get("/api/v1/departments/", query)) == expected


def test_branch_and_position_filters(world):  # noqa: ANN001
    PositionFactory(company=world.company, code="seller", title="销售代表", job_family="sales", level="P2")
    PositionFactory(company=world.company, code="retired-role", title="旧岗位", job_family="sales", level="P1", is_active=False)
    client = session_client(world, "admin")
    assert _codes(client.get("/api/v1/branches/", {"company": world.other_company.pk})) == []
    assert _codes(client.get("/api/v1/positions/", {"job_family": "sales"})) == ["retired-role", "seller"]
    assert _codes(client.get("/api/v1/positions/", {"job_family": "sales", "is_active": "true"})) == ["seller"]
    assert _codes(client.get("/api/v1/positions/", {"company": world.other_company.pk})) == []


def _queries(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page_size": 100}).status_code == 200
    return len(queries)


def test_org_lists_do_not_query_per_row(world, django_assert_max_num_queries):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    few = {path: _queries(client, f"/api/v1/{path}/") for path in ("departments", "positions", "branches")}
    for number in range(35):
        make_department(company=world.company, name=f"班组{number}", code=f"team-{number}", parent=world.workshop1, branch=world.plant)
        PositionFactory(company=world.company)
    many = {path: _queries(client, f"/api/v1/{path}/") for path in ("departments", "positions", "branches")}
    assert few == many
    with django_assert_max_num_queries(7):
        client.get("/api/v1/departments/", {"page_size": 100})
