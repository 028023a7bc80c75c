"""Integration pages: who sees them, the batch list and drill-down, API client registration, the guide."""

from __future__ import annotations

import pytest
from oauth2_provider.models import Application

from hris.core.tests.api.support import session_client, token_client
from hris.integrations.models import IngestionBatch

PAGES = ["/integrations/", "/integrations/identities/", "/integrations/clients/"]


@pytest.mark.parametrize("key", ["hrbp", "ceo", "prod_head", "w1_worker", "recruiter"])
def test_pages_need_integration_management(world, key):  # noqa: ANN001
    client = session_client(world, key)
    assert [client.get(url).status_code for url in PAGES] == [403, 403, 403]


def test_anonymous_users_are_sent_to_login(world, client):  # noqa: ANN001
    assert all(client.get(url).status_code == 302 for url in [*PAGES, "/integrations/docs/"])


def test_home_lists_batches_and_drills_down_to_errors(world):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    records = [
        {"employee": {"number": number}, "metric_key": "output", "date": "2026-10-01", "value": 1, "external_id": "a"},
        {"employee": {"number": "NOBODY"}, "metric_key": "output", "date": "2026-10-01", "value": 1, "external_id": "b"},
    ]
    token_client(world, "hr_admin", "metrics:write").post("/api/v1/metrics/batches/", {"source": "jira", "records": records}, format="json")
    batch = IngestionBatch.objects.get()
    client = session_client(world, "hr_admin")
    home = client.get("/integrations/")
    assert home.status_code == 200
    assert list(home.context["batches"]) == [batch]
    assert f"/integrations/batches/{batch.id}/" in home.content.decode()
    detail = client.get(f"/integrations/batches/{batch.id}/")
    assert detail.status_code == 200
    assert "No employee has the number “NOBODY”." in detail.content.decode()
    assert session_client(world, "other_hr").get(f"/integrations/batches/{batch.id}/").status_code == 404


def test_hr_registers_an_api_client_and_sees_the_secret_once(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    form = {"company": world.company.pk, "name": "Jira sync", "role": "hr_admin", "scopes": ["metrics:write"]}
    registered = client.post("/integrations/clients/", form)
    # Post/Redirect/Get: the secret waits in the session, encrypted, …
    assert (registered.status_code, registered["Location"]) == (302, "/integrations/clients/")
    waiting = client.session["integrations.new_api_client"]
    response = client.get("/integrations/clients/")
    # … and is on the page the registration leads to
    credentials = response.context["credentials"]
    assert waiting["secret"] != credentials["secret"]
    assert credentials["secret"] not in str(waiting)
    assert (credentials["name"], len(credentials["secret"])) == ("Jira sync", 128)
    assert credentials["secret"] in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    application = Application.objects.get(name="Jira sync")
    assert application.client_id == credentials["client_id"]
    assert application.renshi_api_client.allowed_scopes == "metrics:write"
    # … kept encrypted in the session only until then: reloading shows it no more and registers nothing
    again = client.get("/integrations/clients/").content.decode()
    assert "Jira sync" in again and credentials["secret"] not in again
    assert Application.objects.filter(name="Jira sync").count() == 1


def test_a_client_needs_a_scope(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").post(
        "/integrations/clients/", {"company": world.company.pk, "name": "x", "role": "hr_admin"}
    )
    assert response.status_code == 400
    assert Application.objects.count() == 0


@pytest.mark.parametrize(("key", "status"), [("hr_admin", 200), ("hrbp", 200), ("ceo", 403), ("w1_worker", 403)])
def test_the_integrator_guide(world, key, status):  # noqa: ANN001
    response = session_client(world, key).get("/integrations/docs/")
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "X-Renshi-Signature" in text and "/o/token/" in text and "/api/v1/metrics/batches/" in text
        assert "/api/v1/webhooks/subscriptions/" in text and "/api/v1/webhooks/deliveries/?subscription=" in text
        assert 'hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256)' in text
