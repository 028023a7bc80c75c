"""External identities: service, API and the HR page with CSV upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.core.tests.api.support import error_body, session_client, token_client
from hris.integrations.identities import external_identities_upsert, external_identity_create
from hris.people.models import ExternalIdentity

API = "/api/v1/external-identities/"


def mapping() -> list[tuple]:
    return list(
        ExternalIdentity.objects.order_by("system", "external_id").values_list("employee__employee_number", "system", "external_id")
    )


def test_hr_maps_an_employee_and_the_change_is_audited(world):  # noqa: ANN001
    worker = world.employee("w1_worker")
    identity = external_identity_create(actor=world.user("hr_admin"), employee=worker, system=" Jira ", external_id="acc-1")
    assert (identity.system, identity.external_id, identity.employee_id) == ("jira", "acc-1", worker.pk)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.after) == (
        "integrations.external_identity_created",
        {"employee_id": worker.pk, "system": "jira", "external_id": "acc-1"},
    )


@pytest.mark.parametrize("key", ["hrbp", "ceo", "prod_head", "w1_worker", "other_hr"])
def test_only_integration_managers_of_the_company_map_identities(world, key):  # noqa: ANN001
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        external_identity_create(actor=world.user(key), employee=world.employee("w1_worker"), system="jira", external_id="acc-1")
    assert (ExternalIdentity.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_an_identity_of_another_employee_is_refused(world):  # noqa: ANN001
    hr = world.user("hr_admin")
    external_identity_create(actor=hr, employee=world.employee("w1_worker"), system="jira", external_id="acc-1")
    with pytest.raises(DomainError) as refused:
        external_identity_create(actor=hr, employee=world.employee("w1_lead"), system="jira", external_id="acc-1")
    assert refused.value.code == "identity_taken"


def test_bulk_upsert_creates_changes_and_reports_rows(world):  # noqa: ANN001
    hr = world.user("hr_admin")
    worker, lead = world.employee("w1_worker"), world.employee("w1_lead")
    external_identity_create(actor=hr, employee=worker, system="jira", external_id="old")
    result = external_identities_upsert(
        actor=hr,
        company=world.company,
        rows=[
            {"employee_number": worker.employee_number, "system": "jira", "external_id": "new"},
            {"employee_number": lead.employee_number, "system": "dingtalk", "external_id": "ding-7"},
            {"employee_number": lead.employee_number, "system": "dingtalk", "external_id": "ding-7"},
            {"employee_number": "NOBODY", "system": "jira", "external_id": "x"},
            {"employee_number": lead.employee_number, "system": "jira", "external_id": "new"},
            {"employee_number": lead.employee_number, "system": "", "external_id": ""},
        ],
    )
    assert [(row.index, row.status) for row in result.rows] == [
        (0, "updated"),
        (1, "created"),
        (2, "unchanged"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "rejected"),
    ]
    assert result.rows[3].errors == {"employee_number": ["No employee has the number “NOBODY”."]}
    assert result.rows[4].errors == {"external_id": ["jira identity “new” is already mapped to another employee."]}
    assert result.rows[5].errors == {"system": ["This field is required."], "external_id": ["This field is required."]}
    assert mapping() == [(lead.employee_number, "dingtalk", "ding-7"), (worker.employee_number, "jira", "new")]


def test_api_list_create_delete_and_bulk(world):  # noqa: ANN001
    worker = world.employee("w1_worker")
    writer = token_client(world, "hr_admin", "employees:read metrics:write")
    created = writer.post(API, {"employee_number": worker.employee_number, "system": "jira", "external_id": "acc-9"}, format="json")
    assert created.status_code == 201, created.json()
    identity_id = created.json()["id"]
    listed = writer.get(API).json()
    assert [(row["employee_number"], row["system"], row["external_id"]) for row in listed["results"]] == [
        (worker.employee_number, "jira", "acc-9")
    ]
    bulk = writer.post(
        f"{API}bulk/", {"identities": [{"employee_number": worker.employee_number, "system": "wecom", "external_id": "w-1"}]}, format="json"
    )
    assert bulk.json()["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert writer.delete(f"{API}{identity_id}/").status_code == 204
    assert mapping() == [(worker.employee_number, "wecom", "w-1")]


def test_api_scopes_and_roles(world):  # noqa: ANN001
    worker = world.employee("w1_worker")
    payload = {"employee_number": worker.employee_number, "system": "jira", "external_id": "acc-9"}
    reader = token_client(world, "hr_admin", "employees:read")
    assert reader.get(API).status_code == 200
    assert error_body(reader.post(API, payload, format="json"))["code"] == "insufficient_scope"
    assert token_client(world, "hr_admin", "metrics:write").get(API).status_code == 403
    assert session_client(world, "hrbp").post(API, payload, format="json").status_code == 403
    assert ExternalIdentity.objects.count() == 0


def test_page_lists_adds_and_uploads_csv_with_row_errors(world):  # noqa: ANN001
    worker, lead = world.employee("w1_worker"), world.employee("w1_lead")
    client = session_client(world, "hr_admin")
    added = client.post(
        "/integrations/identities/",
        {"company": world.company.pk, "employee_number": worker.employee_number, "system": "jira", "external_id": "acc-1"},
    )
    assert added.status_code == 302
    content = (
        f"工号,系统,外部ID\n{lead.employee_number},dingtalk,ding-2\nNOBODY,dingtalk,ding-3\n{lead.employee_number},jira,acc-1\n"
    ).encode()
    upload = SimpleUploadedFile("ids.csv", content, content_type="text/csv")
    response = client.post("/integrations/identities/upload/", {"company": world.company.pk, "file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 added, 0 changed, 0 unchanged, 2 rejected." in page
    assert "No employee has the number “NOBODY”." in page
    assert "jira identity “acc-1” is already mapped to another employee." in page
    assert response.context["upload_result"]["errors"][0]["line"] == 3
    assert [row["line"] for row in response.context["upload_result"]["errors"]] == [3, 4]
    assert mapping() == [(lead.employee_number, "dingtalk", "ding-2"), (worker.employee_number, "jira", "acc-1")]
    listed = client.get("/integrations/identities/?system=jira").content.decode()
    assert "acc-1" in listed and "ding-2" not in listed


def test_a_csv_without_the_columns_is_refused(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    upload = SimpleUploadedFile("ids.csv", b"name,value\nx,y\n", content_type="text/csv")
    response = client.post("/integrations/identities/upload/", {"company": world.company.pk, "file": upload})
    assert response.status_code == 400
    assert "missing: employee_number, system, external_id" in response.content.decode()
    assert ExternalIdentity.objects.count() == 0


def test_page_delete(world):  # noqa: ANN001
    identity = external_identity_create(actor=world.user("hr_admin"), employee=world.employee("w1_worker"), system="jira", external_id="a")
    assert session_client(world, "hrbp").post(f"/integrations/identities/{identity.pk}/delete/").status_code == 403
    assert session_client(world, "other_hr").post(f"/integrations/identities/{identity.pk}/delete/").status_code == 404
    assert session_client(world, "hr_admin").post(f"/integrations/identities/{identity.pk}/delete/").status_code == 302
    assert ExternalIdentity.objects.count() == 0
