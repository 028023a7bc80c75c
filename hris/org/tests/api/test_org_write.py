"""Writes to departments and positions go through the org services; refusals change nothing."""

import pytest

from hris.audit.models import AuditEvent
from hris.core.tests.api.support import data_fingerprint, error_body, session_client, token_client
from hris.org.models import Department, Position
from hris.tests.world import VISIBLE_EMPLOYEES

ACME_USERS = sorted(set(VISIBLE_EMPLOYEES) - {"admin", "other_hr"})


def _status_for(actor: str, *, acme_object: bool = True) -> int:
    """Only HR admins (company-wide) and superusers may change the structure."""
    if actor == "admin":
        return 200
    sees = (actor != "other_hr") == acme_object
    if not sees:
        return 404
    return 200 if actor in {"hr_admin", "other_hr"} else 403


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_department_and_position_update_matrix(world, actor):  # noqa: ANN001
    client = session_client(world, actor)
    for url, payload, acme_object in (
        (f"/api/v1/departments/{world.workshop1.pk}/", {"name": "一车间（新）"}, True),
        (f"/api/v1/departments/{world.other_root.pk}/", {"name": "别家总部（新）"}, False),
        (f"/api/v1/positions/{world.worker_position.pk}/", {"title": "操作员"}, True),
    ):
        before = data_fingerprint()
        response = client.patch(url, payload, format="json")
        expected = _status_for(actor, acme_object=acme_object)
        assert response.status_code == expected, url
        if expected != 200:
            assert error_body(response)["code"] == ("permission_denied" if expected == 403 else "not_found")
            assert data_fingerprint() == before, url


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_department_create_move_close_matrix(world, actor):  # noqa: ANN001
    client = session_client(world, actor)
    expected = _status_for(actor)
    before = data_fingerprint()
    created = client.post("/api/v1/departments/", {"parent": world.production.pk, "code": "workshop3", "name": "三车间"}, format="json")
    moved = client.post(f"/api/v1/departments/{world.workshop2.pk}/move/", {"parent": world.root.pk, "reason": "扁平化"}, format="json")
    closed = client.post(f"/api/v1/departments/{world.workshop2.pk}/close/", {"reason": "撤销"}, format="json")
    if actor == "other_hr":
        # Another company's admin cannot even name ACME's departments.
        assert [created.status_code, moved.status_code, closed.status_code] == [400, 404, 404]
    elif expected == 200:
        assert [created.status_code, moved.status_code] == [201, 200]
        assert moved.json()["parent"] == world.root.pk
        assert (closed.status_code, error_body(closed)["code"]) == (400, "has_members")  # w2_worker still works there
        return
    else:
        assert [created.status_code, moved.status_code, closed.status_code] == [403, 403, 403]
    assert data_fingerprint() == before


def test_token_with_org_write_follows_the_service_accounts_grant(world):  # noqa: ANN001
    hr_client = token_client(world, "hr_admin", "org:read org:write")
    executive_client = token_client(world, "ceo", "org:read org:write")
    before = data_fingerprint()
    assert executive_client.patch(f"/api/v1/positions/{world.worker_position.pk}/", {"level": "P2"}, format="json").status_code == 403
    assert data_fingerprint() == before
    response = hr_client.patch(f"/api/v1/positions/{world.worker_position.pk}/", {"level": "P2"}, format="json")
    assert (response.status_code, response.json()["level"]) == (200, "P2")


def test_create_top_level_department_needs_a_company(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    before = data_fingerprint()
    missing = client.post("/api/v1/departments/", {"code": "rd", "name": "研发中心"}, format="json")
    assert (missing.status_code, error_body(missing)["errors"]) == (400, {"company": ["This field is required."]})
    assert data_fingerprint() == before
    created = client.post(
        "/api/v1/departments/", {"company": world.company.pk, "code": "rd", "name": "研发中心", "branch": world.hq.pk}, format="json"
    )
    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("code", "parent", "depth", "branch")} == {
        "code": "rd",
        "parent": None,
        "depth": 1,
        "branch": {"id": world.hq.pk, "code": "hq", "name": "上海总部"},
    }
    assert AuditEvent.objects.filter(action="department.create", target_id=str(created.json()["id"])).count() == 1


def test_child_department_inherits_company_and_branch_from_its_parent(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").post(
        "/api/v1/departments/", {"parent": world.production.pk, "code": "qa", "name": "质检"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["company"], response.json()["parent"], response.json()["branch"]["code"]) == (
        world.company.pk,
        world.production.pk,
        "plant",
    )


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"code": "sales", "name": "重复"}, {"non_field_errors": ["Department with this Company and Code already exists."]}),
        ({"code": "有 空格", "name": "x"}, {"code": ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.']}),
        ({"code": "qa", "name": ""}, {"name": ["This field may not be blank."]}),
        ({"code": "qa", "name": "x", "branch": 999_999}, {"branch": ['Invalid pk "999999" - object does not exist.']}),
    ],
)
def test_invalid_department_is_refused(world, payload, errors):  # noqa: ANN001
    before = data_fingerprint()
    response = session_client(world, "hr_admin").post("/api/v1/departments/", {"parent": world.root.pk, **payload}, format="json")
    assert response.status_code == 400
    assert error_body(response)["errors"] == errors
    assert data_fingerprint() == before


def test_moving_a_department_under_its_own_child_is_a_tree_cycle(world):  # noqa: ANN001
    before = data_fingerprint()
    response = session_client(world, "hr_admin").post(
        f"/api/v1/departments/{world.production.pk}/move/", {"parent": world.workshop1.pk}, format="json"
    )
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "tree_cycle",
        "message": "A department cannot move under itself or its own sub-department.",
        "errors": {"parent": ["Choose a department outside this subtree."]},
    }
    assert data_fingerprint() == before


def test_closing_an_empty_department(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    created = client.post(
        "/api/v1/departments/", {"parent": world.production.pk, "code": "workshop3", "name": "三车间"}, format="json"
    ).json()
    response = client.post(f"/api/v1/departments/{created['id']}/close/", {"closed_on": "2026-12-31", "reason": "产线合并"}, format="json")
    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["closed_on"]) == (False, "2026-12-31")
    assert (
        AuditEvent.objects.filter(action="department.close", target_id=str(created["id"])).values_list("reason", flat=True).get()
        == "产线合并"
    )


def test_put_department_replaces_branch_and_head(world):  # noqa: ANN001
    Department.objects.filter(pk=world.sales.pk).update(head=world.employees["sales_head"], name_en="Sales")
    response = session_client(world, "hr_admin").put(
        f"/api/v1/departments/{world.sales.pk}/", {"code": "sales", "name": "销售部"}, format="json"
    )
    assert response.status_code == 200
    sales = Department.objects.get(pk=world.sales.pk)
    assert (sales.head_id, sales.branch_id, sales.name_en) == (None, None, "")


def test_patch_department_keeps_what_is_not_sent(world):  # noqa: ANN001
    Department.objects.filter(pk=world.sales.pk).update(head=world.employees["sales_head"])
    response = session_client(world, "hr_admin").patch(f"/api/v1/departments/{world.sales.pk}/", {"name_en": "Sales"}, format="json")
    assert response.status_code == 200
    sales = Department.objects.get(pk=world.sales.pk)
    assert (sales.head_id, sales.branch_id, sales.name, sales.name_en) == (world.employees["sales_head"].pk, world.hq.pk, "销售部", "Sales")


def test_position_create_and_duplicate_code(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    payload = {"company": world.company.pk, "code": "welder", "title": "焊工", "job_family": "production", "level": "P2"}
    created = client.post("/api/v1/positions/", payload, format="json")
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "company": world.company.pk,
        "code": "welder",
        "title": "焊工",
        "title_en": "",
        "job_family": "production",
        "level": "P2",
        "is_managerial": False,
        "is_active": True,
    }
    before = data_fingerprint()
    duplicate = client.post("/api/v1/positions/", payload, format="json")
    assert (duplicate.status_code, error_body(duplicate)["errors"]) == (
        400,
        {"non_field_errors": ["Position with this Company and Code already exists."]},
    )
    assert data_fingerprint() == before


@pytest.mark.parametrize("actor", ACME_USERS)
def test_position_create_needs_org_change_rights(world, actor):  # noqa: ANN001
    before = data_fingerprint()
    payload = {"company": world.company.pk, "code": "welder", "title": "焊工", "job_family": "production", "level": "P2"}
    response = session_client(world, actor).post("/api/v1/positions/", payload, format="json")
    assert response.status_code == (201 if actor == "hr_admin" else 403)
    if actor != "hr_admin":
        assert data_fingerprint() == before
        assert not Position.objects.filter(code="welder").exists()
