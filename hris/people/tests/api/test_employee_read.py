"""GET /api/v1/employees/: each caller sees exactly its data scope, masked as its role requires."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hris.core.protected import encrypt_text
from hris.core.tests.api.support import TOKEN_VISIBLE_EMPLOYEES, keys_of, session_client, token_client
from hris.people.models import Employee
from hris.tests.factories import EmployeeFactory
from hris.tests.world import VISIBLE_EMPLOYEES

LIST = "/api/v1/employees/"
EVERYONE = sorted(
    {"ceo", "prod_head", "w1_lead", "w1_worker", "w2_worker", "sales_head", "sales_rep", "hr_admin", "hrbp", "recruiter", "interviewer"}
    | {"other_hr", "other_worker"}
)


def detail(world, key: str) -> str:  # noqa: ANN001
    return f"{LIST}{world.employees[key].pk}/"


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_session_user_lists_exactly_its_scope(world, actor):  # noqa: ANN001
    # Given a person signed in to the web UI, when they list employees,
    response = session_client(world, actor).get(LIST, {"page_size": 100})
    # then exactly the employees of their data scope come back.
    assert response.status_code == 200
    assert response.json()["count"] == len(VISIBLE_EMPLOYEES[actor])
    assert keys_of(world, response.json()["results"]) == VISIBLE_EMPLOYEES[actor]


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_session_user_reads_details_in_scope_and_gets_404_outside(world, actor):  # noqa: ANN001
    client = session_client(world, actor)
    for target in EVERYONE:
        response = client.get(detail(world, target))
        if target in VISIBLE_EMPLOYEES[actor]:
            assert (response.status_code, response.json()["employee_number"]) == (200, world.employees[target].employee_number), target
        else:
            assert (response.status_code, response.json()) == (
                404,
                {"code": "not_found", "message": "Employee not found.", "errors": {}},
            ), target


@pytest.mark.parametrize("like", sorted(TOKEN_VISIBLE_EMPLOYEES))
def test_token_client_lists_and_reads_exactly_its_service_accounts_scope(world, like):  # noqa: ANN001
    # Given an integration whose service account holds the same grant as `like`,
    client = token_client(world, like, "employees:read")
    # when it lists employees, then it sees its scope; details outside are 404.
    listed = client.get(LIST, {"page_size": 100})
    assert listed.status_code == 200
    assert keys_of(world, listed.json()["results"]) == TOKEN_VISIBLE_EMPLOYEES[like]
    for target in EVERYONE:
        expected = 200 if target in TOKEN_VISIBLE_EMPLOYEES[like] else 404
        assert client.get(detail(world, target)).status_code == expected, target


def test_list_is_ordered_by_employee_number_and_paginated(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    numbers = sorted(world.employees[key].employee_number for key in VISIBLE_EMPLOYEES["hr_admin"])

    first = client.get(LIST, {"page_size": 4}).json()
    third = client.get(LIST, {"page_size": 4, "page": 3}).json()

    assert first["count"] == 11
    assert [row["employee_number"] for row in first["results"]] == numbers[:4]
    assert first["next"] == "http://testserver/api/v1/employees/?page=2&page_size=4"
    assert first["previous"] is None
    assert [row["employee_number"] for row in third["results"]] == numbers[8:]
    assert third["next"] is None
    assert third["previous"] == "http://testserver/api/v1/employees/?page=2&page_size=4"


def test_page_size_above_the_maximum_is_capped(world):  # noqa: ANN001
    EmployeeFactory.create_batch(495, department=world.sales)
    response = session_client(world, "hr_admin").get(LIST, {"page_size": 10_000})
    assert (response.json()["count"], len(response.json()["results"])) == (506, 500)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "工人"}, {"w1_worker", "w2_worker"}),
        ({"q": "number of prod_head, lower case"}, {"prod_head"}),
        ({"q": "email of sales_rep"}, {"sales_rep"}),
        ({"department": "production"}, {"prod_head", "w1_lead", "w1_worker", "w2_worker"}),
        ({"department": "production", "include_subdepartments": "false"}, {"prod_head"}),
        ({"department": "root", "include_subdepartments": "true", "q": "销售"}, {"sales_head"}),
        ({"branch": "plant"}, {"prod_head", "w1_lead", "w1_worker", "w2_worker"}),
        ({"branch": "hq", "q": "人事"}, {"hr_admin"}),
        ({"position": "worker_position"}, {"w1_worker", "w2_worker"}),
        ({"status": "probation"}, {"sales_rep"}),
        ({"status": "active", "department": "sales"}, {"sales_head", "interviewer"}),
        ({"employment_type": "intern"}, {"interviewer"}),
        ({"q": "不存在的人"}, set()),
    ],
)
def test_filters_narrow_the_scope_exactly(world, params, expected):  # noqa: ANN001
    # Given one employee on probation and one intern,
    Employee.objects.filter(pk=world.employees["sales_rep"].pk).update(status="probation")
    Employee.objects.filter(pk=world.employees["interviewer"].pk).update(employment_type="intern")
    references = {"production": world.production, "root": world.root, "sales": world.sales, "plant": world.plant, "hq": world.hq}
    references["worker_position"] = world.worker_position
    texts = {
        "number of prod_head, lower case": world.employees["prod_head"].employee_number.lower(),
        "email of sales_rep": world.employees["sales_rep"].email,
    }
    query = {name: (references[value].pk if value in references else texts.get(value, value)) for name, value in params.items()}
    # when HR filters the directory, then exactly the matching employees come back.
    response = session_client(world, "hr_admin").get(LIST, query)
    assert response.status_code == 200
    assert keys_of(world, response.json()["results"]) == expected


def test_filters_never_widen_a_scope(world):  # noqa: ANN001
    # Given a production manager, when they filter by the sales department, then nothing.
    response = session_client(world, "prod_head").get(LIST, {"department": world.sales.pk})
    assert (response.status_code, response.json()["count"]) == (200, 0)


def test_filter_by_a_department_of_another_company_is_an_unknown_department(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(LIST, {"department": world.other_root.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"department": [f'Invalid pk "{world.other_root.pk}" - object does not exist.']}


def _give_sensitive_data(world) -> None:  # noqa: ANN001
    Employee.objects.filter(pk=world.employees["w1_worker"].pk).update(
        phone="13912345678",
        email="li.gongren@acme.example.cn",
        birth_date=date(1990, 5, 17),
        id_number_encrypted=encrypt_text("11010519491231002X"),
        id_number_digest="x",
    )


@pytest.mark.parametrize(
    ("actor", "sees_full"),
    [("hr_admin", True), ("hrbp", True), ("w1_worker", True), ("admin", True), ("ceo", False), ("prod_head", False)],
)
def test_contact_data_is_masked_unless_the_role_needs_it(world, actor, sees_full):  # noqa: ANN001
    # Given an employee with phone, email, birth date and ID number,
    _give_sensitive_data(world)
    client = session_client(world, actor)
    # when someone who may see that employee reads the record (detail and list),
    from_detail = client.get(detail(world, "w1_worker")).json()
    from_list = next(row for row in client.get(LIST, {"q": "李工人"}).json()["results"])
    # then phone, email and birth date are full only for roles that need them,
    expected = (
        {"phone": "13912345678", "email": "li.gongren@acme.example.cn", "birth_date": "1990-05-17"}
        if sees_full
        else {"phone": "139****5678", "email": "l***@acme.example.cn", "birth_date": None}
    )
    for body in (from_detail, from_list):
        assert {field: body[field] for field in expected} == expected
        # and the ID number is always masked; the encrypted column never leaves the server.
        assert body["id_number"] == "110105********002X"
        assert "id_number_encrypted" not in body and "id_number_digest" not in body


def test_token_client_sees_contact_data_as_its_service_accounts_role_allows(world):  # noqa: ANN001
    _give_sensitive_data(world)
    hr_body = token_client(world, "hr_admin", "employees:read").get(detail(world, "w1_worker")).json()
    executive_body = token_client(world, "ceo", "employees:read").get(detail(world, "w1_worker")).json()
    assert (hr_body["phone"], executive_body["phone"]) == ("13912345678", "139****5678")


def _list_queries(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("actor", ["hr_admin", "ceo", "hrbp"])
def test_list_queries_do_not_grow_with_rows(world, actor, django_assert_max_num_queries):  # noqa: ANN001
    # Given a page of 5 more employees, then one of 40 more, each with position and manager,
    client = session_client(world, actor)
    EmployeeFactory.create_batch(5, department=world.workshop1, position=world.worker_position, manager=world.employees["w1_lead"])
    with_few = _list_queries(client, LIST)
    EmployeeFactory.create_batch(35, department=world.workshop1, position=world.worker_position, manager=world.employees["w1_lead"])
    with_many = _list_queries(client, LIST)
    # then the number of queries is the same (no query per row), and small.
    assert with_few == with_many
    with django_assert_max_num_queries(8):
        client.get(LIST, {"page_size": 100})


def test_token_list_queries_do_not_grow_with_rows(world):  # noqa: ANN001
    client = token_client(world, "hr_admin", "employees:read")
    EmployeeFactory.create_batch(5, department=world.workshop1, position=world.worker_position)
    with_few = _list_queries(client, LIST)
    EmployeeFactory.create_batch(35, department=world.workshop1, position=world.worker_position)
    assert _list_queries(client, LIST) == with_few
