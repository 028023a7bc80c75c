"""A new integration, as its developer would meet it: register, get a token, call the API."""

import base64
import re
from io import StringIO

import pytest
from django.core.management import call_command
from oauth2_provider.models import AccessToken

from hris.accounts.models import User
from hris.core.tests.api.support import data_fingerprint, error_body, keys_of, session_client, token_client
from hris.tests.world import ACME_ALL


def register(*arguments: str) -> dict[str, str]:
    output = StringIO()
    call_command("create_api_client", *arguments, stdout=output)
    return dict(re.findall(r"^(service_account|client_id|client_secret): (\S+)$", output.getvalue(), flags=re.MULTILINE))


def fetch_token(client, credentials: dict[str, str], **extra: str):  # noqa: ANN001, ANN201
    body = {
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        **extra,
    }
    return client.post("/o/token/", body)


def test_jira_sync_registers_gets_a_token_and_reads_its_scope(world, client):  # noqa: ANN001
    # Given HR registered "Jira sync" as an HR admin client of ACME with read scopes,
    credentials = register(
        "--name", "Jira sync", "--company", "acme", "--role", "hr_admin", "--scope-type", "company", "--scopes", "org:read employees:read"
    )
    # when the integration asks /o/token/ for a token with its client id and secret,
    token_response = fetch_token(client, credentials)
    # then it gets a bearer token carrying exactly the registered scopes,
    assert token_response.status_code == 200, token_response.content
    token = token_response.json()
    assert (token["token_type"], token["expires_in"], set(token["scope"].split())) == ("Bearer", 3600, {"org:read", "employees:read"})
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    # with which it lists exactly the company's employees,
    listed = client.get("/api/v1/employees/", {"page_size": 100}, **bearer)
    assert listed.status_code == 200
    assert keys_of(world, listed.json()["results"]) == ACME_ALL
    assert client.get("/api/v1/departments/", **bearer).json()["count"] == 6
    # and cannot write, since it was not given employees:write.
    before = data_fingerprint()
    refused = client.patch(
        f"/api/v1/employees/{world.employees['w1_worker'].pk}/", '{"work_location": "x"}', content_type="application/json", **bearer
    )
    assert refused.status_code == 403
    assert error_body(refused) == {
        "code": "insufficient_scope",
        "message": "The access token lacks the scope “employees:write”.",
        "errors": {},
    }
    assert data_fingerprint() == before


def test_token_by_http_basic_and_narrowed_scope(world, client):  # noqa: ANN001
    credentials = register(
        "--name",
        "考勤机",
        "--company",
        "acme",
        "--role",
        "hrbp",
        "--scope-type",
        "branch",
        "--branch",
        "plant",
        "--scopes",
        "org:read employees:read",
    )
    basic = base64.b64encode(f"{credentials['client_id']}:{credentials['client_secret']}".encode()).decode()
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "scope": "employees:read"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert (response.status_code, response.json()["scope"]) == (200, "employees:read")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}
    assert keys_of(world, client.get("/api/v1/employees/", **bearer).json()["results"]) == {
        "prod_head",
        "w1_lead",
        "w1_worker",
        "w2_worker",
    }
    assert client.get("/api/v1/departments/", **bearer).status_code == 403


def test_a_client_cannot_obtain_scopes_it_was_not_registered_with(world, client):  # noqa: ANN001
    credentials = register(
        "--name", "BI", "--company", "acme", "--role", "executive", "--scope-type", "company", "--scopes", "employees:read"
    )
    response = fetch_token(client, credentials, scope="employees:read employees:write")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_scope")
    assert AccessToken.objects.count() == 0


def test_a_wrong_secret_gets_no_token(world, client):  # noqa: ANN001
    credentials = register(
        "--name", "BI", "--company", "acme", "--role", "executive", "--scope-type", "company", "--scopes", "employees:read"
    )
    response = fetch_token(client, {**credentials, "client_secret": "guess"})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_a_deactivated_service_account_locks_its_tokens_out(world):  # noqa: ANN001
    client = token_client(world, "hr_admin", "employees:read")
    User.objects.filter(is_service_account=True).update(is_active=False)
    response = client.get("/api/v1/employees/")
    assert (response.status_code, error_body(response)["code"]) == (401, "invalid_client")


def test_a_client_credentials_app_owned_by_a_person_is_refused(world):  # noqa: ANN001
    # A client-credentials token acts as its owner; owned by a person, it would borrow that person's rights.
    client = token_client(world, "hr_admin", "employees:read")
    User.objects.filter(is_service_account=True).update(is_service_account=False)
    assert client.get("/api/v1/employees/").status_code == 401


def test_an_expired_token_is_401(world):  # noqa: ANN001
    client = token_client(world, "hr_admin", "employees:read")
    AccessToken.objects.update(expires="2000-01-01T00:00:00Z")
    response = client.get("/api/v1/employees/")
    assert (response.status_code, error_body(response)["code"]) == (401, "invalid_token")


def _scope_cases(world) -> list[tuple[str, str, dict, str]]:  # noqa: ANN001
    employee, department, position = world.employees["w2_worker"].pk, world.workshop2.pk, world.worker_position.pk
    return [
        ("get", "/api/v1/companies/", {}, "org:read"),
        ("get", f"/api/v1/branches/{world.plant.pk}/", {}, "org:read"),
        ("get", "/api/v1/departments/", {}, "org:read"),
        ("get", f"/api/v1/positions/{position}/", {}, "org:read"),
        ("post", "/api/v1/departments/", {"parent": department, "code": "team-a", "name": "甲班"}, "org:write"),
        ("patch", f"/api/v1/departments/{department}/", {"name_en": "Workshop 2"}, "org:write"),
        (
            "post",
            "/api/v1/positions/",
            {"company": world.company.pk, "code": "welder", "title": "焊工", "job_family": "production", "level": "P2"},
            "org:write",
        ),
        ("patch", f"/api/v1/positions/{position}/", {"title_en": "Operator"}, "org:write"),
        ("get", "/api/v1/employees/", {}, "employees:read"),
        ("get", f"/api/v1/employees/{employee}/", {}, "employees:read"),
        (
            "post",
            "/api/v1/employees/",
            {"employee_number": "N9", "name": "新人", "department": department, "hire_date": "2026-01-05"},
            "employees:write",
        ),
        ("patch", f"/api/v1/employees/{employee}/", {"work_location": "B"}, "employees:write"),
        ("post", f"/api/v1/employees/{employee}/terminate/", {"effective_date": "2026-06-30", "reason": "离职"}, "employees:write"),
    ]


SCOPES = ["org:read", "org:write", "employees:read", "employees:write"]


@pytest.mark.parametrize("case", range(13))
def test_each_endpoint_needs_exactly_its_scope(world, case):  # noqa: ANN001
    method, url, body, needed = _scope_cases(world)[case]
    # Given an HR-admin integration holding every scope but the one needed, the call is refused;
    without = token_client(world, "hr_admin", " ".join(scope for scope in SCOPES if scope != needed))
    before = data_fingerprint()
    refused = getattr(without, method)(url, body, format="json")
    assert (refused.status_code, error_body(refused)["code"]) == (403, "insufficient_scope")
    assert data_fingerprint() == before
    # holding only that scope, it goes through.
    only = token_client(world, "hr_admin", needed)
    assert getattr(only, method)(url, body, format="json").status_code in {200, 201}


def test_session_users_are_not_limited_by_oauth_scopes(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").patch(
        f"/api/v1/positions/{world.worker_position.pk}/", {"title_en": "Operator"}, format="json"
    )
    assert response.status_code == 200


def test_guessing_a_client_secret_is_stopped_after_the_failure_limit(world, client, settings):  # noqa: ANN001
    limit = settings.RENSHI_TOKEN_FAILURE_LIMIT = 3
    settings.RENSHI_TOKEN_FAILURE_WINDOW = 900
    credentials = register("--name", "BI", "--company", "acme", "--role", "executive", "--scope-type", "company", "--scopes", "org:read")
    wrong = {"grant_type": "client_credentials", "client_id": credentials["client_id"], "client_secret": "guess"}
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    # Each wrong guess is an ordinary OAuth2 error …
    for _attempt in range(limit):
        response = client.post("/o/token/", wrong, **attacker)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    # … until the limit: then this address is refused for the window, even with the right secret
    right = {"grant_type": "client_credentials", "client_id": credentials["client_id"], "client_secret": credentials["client_secret"]}
    refused = client.post("/o/token/", right, **attacker)
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 890 <= int(refused["Retry-After"]) <= 901
    assert AccessToken.objects.count() == 0
    # The integration itself, from its own address, is not affected; nor is another client from the same address
    allowed = client.post("/o/token/", right, REMOTE_ADDR="198.51.100.7")
    assert allowed.status_code == 200
    assert AccessToken.objects.count() == 1
    other = register("--name", "ERP", "--company", "acme", "--role", "executive", "--scope-type", "company", "--scopes", "org:read")
    other_body = {"grant_type": "client_credentials", "client_id": other["client_id"], "client_secret": other["client_secret"]}
    assert client.post("/o/token/", other_body, **attacker).status_code == 200
    # and HTTP Basic counts against the same client
    basic = base64.b64encode(f"{credentials['client_id']}:{credentials['client_secret']}".encode()).decode()
    blocked = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}", **attacker)
    assert blocked.status_code == 429


def test_a_success_before_the_limit_clears_the_count(world, client, settings):  # noqa: ANN001
    settings.RENSHI_TOKEN_FAILURE_LIMIT = 2
    credentials = register("--name", "BI", "--company", "acme", "--role", "executive", "--scope-type", "company", "--scopes", "org:read")
    wrong = {"grant_type": "client_credentials", "client_id": credentials["client_id"], "client_secret": "typo"}
    assert client.post("/o/token/", wrong).status_code == 401
    assert fetch_token(client, credentials).status_code == 200
    assert client.post("/o/token/", wrong).status_code == 401
    assert fetch_token(client, credentials).status_code == 200  # one failure since the success, not two


def test_successful_token_requests_are_not_counted_as_failures(world, client, settings):  # noqa: ANN001
    settings.RENSHI_TOKEN_FAILURE_LIMIT = 2
    credentials = register("--name", "BI", "--company", "acme", "--role", "executive", "--scope-type", "company", "--scopes", "org:read")
    statuses = [fetch_token(client, credentials).status_code for _attempt in range(5)]
    assert statuses == [200] * 5
    # an unsupported grant type is the caller's mistake, not a wrong secret: not counted either
    for _attempt in range(3):
        assert client.post("/o/token/", {"grant_type": "password", "client_id": credentials["client_id"]}).status_code in (400, 401)
    assert fetch_token(client, credentials).status_code == 200
