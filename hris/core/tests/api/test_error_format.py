"""Every error the API gives is {"code", "message", "errors"}; bad input is never a 500."""

import json

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.test import override_settings

from hris.core.tests.api.support import data_fingerprint, error_body, session_client, token_client

READ_ENDPOINTS = ["/api/v1/companies/", "/api/v1/branches/", "/api/v1/departments/", "/api/v1/positions/", "/api/v1/employees/"]


def _every_endpoint(world) -> list[tuple[str, str]]:  # noqa: ANN001
    employee, department, position = world.employees["w1_worker"].pk, world.workshop1.pk, world.worker_position.pk
    return [
        *(("get", url) for url in READ_ENDPOINTS),
        ("get", f"/api/v1/companies/{world.company.pk}/"),
        ("get", f"/api/v1/branches/{world.plant.pk}/"),
        ("get", f"/api/v1/departments/{department}/"),
        ("post", "/api/v1/departments/"),
        ("patch", f"/api/v1/departments/{department}/"),
        ("put", f"/api/v1/departments/{department}/"),
        ("post", f"/api/v1/departments/{department}/move/"),
        ("post", f"/api/v1/departments/{department}/close/"),
        ("get", f"/api/v1/positions/{position}/"),
        ("post", "/api/v1/positions/"),
        ("patch", f"/api/v1/positions/{position}/"),
        ("get", f"/api/v1/employees/{employee}/"),
        ("post", "/api/v1/employees/"),
        ("patch", f"/api/v1/employees/{employee}/"),
        ("put", f"/api/v1/employees/{employee}/"),
        ("post", f"/api/v1/employees/{employee}/terminate/"),
        ("post", f"/api/v1/employees/{employee}/confirm_probation/"),
    ]


def test_every_endpoint_answers_401_without_credentials_and_changes_nothing(world, client):  # noqa: ANN001
    for method, url in _every_endpoint(world):
        before = data_fingerprint()
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 401, (method, url)
        assert error_body(response) == {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "errors": {},
        }
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert data_fingerprint() == before, (method, url)


def test_an_unknown_token_is_401_invalid_token(world, client):  # noqa: ANN001
    response = client.get("/api/v1/employees/", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert (response.status_code, error_body(response)["code"]) == (401, "invalid_token")


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page=abc", {"page": ["A whole number of at least 1 is required."]}),
        ("page=0", {"page": ["A whole number of at least 1 is required."]}),
        ("page=-1", {"page": ["A whole number of at least 1 is required."]}),
        ("page=%C2%B2", {"page": ["A whole number of at least 1 is required."]}),
        ("page_size=abc", {"page_size": ["A whole number of at least 1 is required."]}),
        ("department=xyz", {"department": ["Incorrect type. Expected pk value, received str."]}),
        ("department=999999", {"department": ['Invalid pk "999999" - object does not exist.']}),
        ("department=99999999999999999999999", {"department": ['Invalid pk "99999999999999999999999" - object does not exist.']}),
        ("branch=1.5", {"branch": ["Incorrect type. Expected pk value, received str."]}),
        ("status=retired", {"status": ['"retired" is not a valid choice.']}),
        ("employment_type=slave", {"employment_type": ['"slave" is not a valid choice.']}),
        ("include_subdepartments=maybe", {"include_subdepartments": ["Must be a valid boolean."]}),
        (f"q={'x' * 101}", {"q": ["Ensure this field has no more than 100 characters."]}),
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(world, query, errors):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(f"/api/v1/employees/?{query}")
    assert response.status_code == 400
    assert error_body(response) == {"code": "validation_error", "message": "The data is not valid.", "errors": errors}


def test_empty_filter_values_mean_no_filter(world):  # noqa: ANN001
    # As an HTML form sends them for untouched selects.
    response = session_client(world, "hr_admin").get("/api/v1/employees/?q=&department=&branch=&position=&status=&employment_type=")
    assert (response.status_code, response.json()["count"]) == (200, 11)


@pytest.mark.parametrize(
    "url", ["/api/v1/departments/?include_closed=perhaps", "/api/v1/positions/?job_family=pirates", "/api/v1/branches/?company=x"]
)
def test_bad_org_filters_are_400(world, url):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(url)
    assert (response.status_code, error_body(response)["code"]) == (400, "validation_error")


def test_a_page_past_the_end_is_404(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").get("/api/v1/employees/?page=99")
    assert (response.status_code, error_body(response)) == (404, {"code": "not_found", "message": "Invalid page.", "errors": {}})


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nothing-here/",
        "/api/v1/employees/abc/",
        "/api/v1/employees/-1/",
        "/api/v2/employees/",
        "/api/",
        "/api/v1/employees/1/fire/",
    ],
)
def test_unknown_paths_under_api_are_json_404(world, url):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(url)
    assert (response.status_code, error_body(response)["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    "url", ["/api/v1/employees/99999999999999999999999/", "/api/v1/departments/9223372036854775808/", "/api/v1/positions/0/"]
)
def test_huge_or_missing_ids_are_404(world, url):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(url)
    assert (response.status_code, error_body(response)["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/v1/employees/{employee}/"),
        ("delete", "/api/v1/departments/{department}/"),
        ("put", "/api/v1/companies/{company}/"),
        ("post", "/api/v1/branches/"),
        ("get", "/api/v1/employees/{employee}/terminate/"),
    ],
)
def test_unsupported_methods_are_405(world, method, url):  # noqa: ANN001
    target = url.format(employee=world.employees["w1_worker"].pk, department=world.sales.pk, company=world.company.pk)
    before = data_fingerprint()
    response = getattr(session_client(world, "hr_admin"), method)(target)
    assert (response.status_code, error_body(response)["code"]) == (405, "method_not_allowed")
    assert data_fingerprint() == before


def test_malformed_json_is_a_parse_error(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").post("/api/v1/employees/", '{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert error_body(response)["code"] == "parse_error"


def test_unsupported_media_type_is_415(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").post("/api/v1/employees/", "name=x", content_type="text/plain")
    assert (response.status_code, error_body(response)["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    "body",
    [
        [],
        "just a string",
        42,
        None,
        {"name": {"nested": "object"}, "department": [1], "hire_date": 20260101, "employee_number": None},
        {"name": "x", "department": True, "hire_date": "yesterday", "employee_number": "E1", "manager": "boss"},
        {"name": "x" * 10_000, "department": -1, "hire_date": "2026-01-01", "employee_number": "E" * 100, "phone": 13812345678},
    ],
)
def test_garbage_bodies_are_400_never_500(world, body):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    before = data_fingerprint()
    for method, url in (
        ("post", "/api/v1/employees/"),
        ("patch", f"/api/v1/employees/{world.employees['w1_worker'].pk}/"),
        ("post", "/api/v1/departments/"),
        ("post", f"/api/v1/employees/{world.employees['w1_worker'].pk}/terminate/"),
    ):
        response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (method, url, response.content)
        assert error_body(response)["code"] in {"validation_error", "parse_error"}
    assert data_fingerprint() == before


def test_a_lost_race_with_the_database_constraint_is_409(world, monkeypatch):  # noqa: ANN001
    # Given a concurrent writer that takes the employee number between our check and insert,
    def collide(**kwargs):  # noqa: ANN003, ANN202
        raise IntegrityError("UNIQUE constraint failed: people_employee.company_id, people_employee.employee_number")

    monkeypatch.setattr("hris.people.services.employee_create", collide)
    payload = {"employee_number": "N1", "name": "x", "department": world.sales.pk, "hire_date": "2026-01-05"}
    response = session_client(world, "hr_admin").post("/api/v1/employees/", payload, format="json")
    assert (response.status_code, error_body(response)["code"]) == (409, "conflict")


def test_token_clients_are_throttled_per_application(world):  # noqa: ANN001
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api_client": "2/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        first_client = token_client(world, "hr_admin", "org:read")
        second_client = token_client(world, "ceo", "org:read")
        statuses = [first_client.get("/api/v1/companies/").status_code for _ in range(3)]
        throttled = first_client.get("/api/v1/companies/")
        # Another application has its own bucket, and people in the UI are not limited by it.
        other_status = second_client.get("/api/v1/companies/").status_code
        session_statuses = [session_client(world, "hr_admin").get("/api/v1/companies/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert throttled.status_code == 429
    assert error_body(throttled)["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert other_status == 200
    assert session_statuses == [200, 200, 200]


def test_options_and_head_never_fail(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    for method, url in _every_endpoint(world):
        if method != "get":
            continue
        assert client.options(url).status_code == 200, url
        assert client.head(url).status_code == 200, url
