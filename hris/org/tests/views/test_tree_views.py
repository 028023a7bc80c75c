"""The department tree page and the department write pages, for every role."""

import re
from datetime import date

import pytest
from django.urls import reverse

from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Role, ScopeType
from hris.audit.models import AuditEvent
from hris.org.models import Department
from hris.org.tests.helpers import count_queries, last_sequence, login, org_state
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee
from hris.tests.factories import EmployeeFactory, UserFactory, make_department

ACME_ORG_CHANGERS = {"hr_admin", "admin"}
ACME_USERS = [
    "ceo",
    "prod_head",
    "w1_lead",
    "w1_worker",
    "w2_worker",
    "sales_head",
    "sales_rep",
    "hr_admin",
    "hrbp",
    "recruiter",
    "interviewer",
]
NOT_CHANGERS = ["ceo", "prod_head", "hrbp", "w1_worker", "sales_head", "recruiter", "interviewer"]


def _headcounts(html: str) -> dict[str, str]:
    """data-department code → "direct/subtree" as rendered."""
    return dict(re.findall(r'data-department="([^"]+)">.*?data-headcount="([^"]+)"', html, flags=re.S))


def _actionable(html: str) -> set[str]:
    """Codes of the departments rendered with change actions."""
    codes = set()
    for code, body in re.findall(r'data-department="([^"]+)">(.*?)(?=data-department="|$)', html, flags=re.S):
        if "department-actions" in body:
            codes.add(code)
    return codes


def _empty(department: Department) -> None:
    Employee.objects.filter(department=department).update(status=EmployeeStatus.TERMINATED, termination_date=date(2025, 1, 31))


# --- the tree ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*ACME_USERS, "other_hr", "other_worker", "admin"])
def test_tree_shows_own_company_and_actions_only_where_changeable(world, client, key):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("org:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    acme_codes = {"root", "production", "workshop1", "workshop2", "sales", "hr"}
    shown = set(re.findall(r'data-department="([^"]+)"', html))
    if key == "admin":
        assert shown == acme_codes | {"other-root"}
    elif key.startswith("other"):
        assert shown == {"other-root"}
    else:
        assert shown == acme_codes
    expected_actions = {"admin": acme_codes | {"other-root"}, "hr_admin": acme_codes, "other_hr": {"other-root"}}.get(key, set())
    assert _actionable(html) == expected_actions
    assert ("Add top-level department" in html) == (key in {"admin", "hr_admin", "other_hr"})


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("hr_admin", {"root": "1/11", "production": "1/4", "workshop1": "2/2", "workshop2": "1/1", "sales": "3/3", "hr": "3/3"}),
        ("prod_head", {"root": "0/4", "production": "1/4", "workshop1": "2/2", "workshop2": "1/1", "sales": "0/0", "hr": "0/0"}),
        ("w1_worker", {"root": "0/1", "production": "0/1", "workshop1": "1/1", "workshop2": "0/0", "sales": "0/0", "hr": "0/0"}),
    ],
)
def test_tree_headcount_direct_and_subtree_within_viewer_scope(world, client, key, expected):  # noqa: ANN001
    login(client, world, key)
    assert _headcounts(client.get(reverse("org:tree")).content.decode()) == expected


def test_tree_shows_head_and_branch(world, client):  # noqa: ANN001
    Department.objects.filter(pk=world.production.pk).update(head=world.employees["prod_head"])
    login(client, world, "ceo")
    html = client.get(reverse("org:tree")).content.decode()
    production = html[html.index('data-department="production"') : html.index('data-department="workshop1"')]
    assert "Head: 钱生产" in production
    assert "苏州工厂" in production


def test_closed_departments_are_hidden_unless_asked_for(world, client):  # noqa: ANN001
    _empty(world.workshop2)
    Department.objects.filter(pk=world.workshop2.pk).update(is_active=False, closed_on=date(2026, 1, 15))
    login(client, world, "hr_admin")
    default = client.get(reverse("org:tree")).content.decode()
    assert 'data-department="workshop2"' not in default
    with_closed = client.get(reverse("org:tree") + "?closed=1").content.decode()
    assert 'data-department="workshop2"' in with_closed
    assert "Closed 2026-01-15" in with_closed
    # A closed department offers no actions.
    assert "workshop2" not in _actionable(with_closed)


def test_user_without_company_sees_an_empty_page(db, client):  # noqa: ANN001
    client.force_login(UserFactory(username="stranger"))
    response = client.get(reverse("org:tree"))
    assert response.status_code == 200
    assert "You are not linked to any company yet." in response.content.decode()


def test_anonymous_is_sent_to_login(db, client):  # noqa: ANN001
    response = client.get(reverse("org:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_tree_query_count_does_not_grow_with_data(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    small, response = count_queries(lambda: client.get(reverse("org:tree")))
    assert response.status_code == 200
    # Given many more departments and people
    parent = world.sales
    for number in range(15):
        department = make_department(company=world.company, name=f"销售{number}组", code=f"sales-{number}", parent=parent, branch=world.hq)
        for _person in range(3):
            EmployeeFactory(department=department)
        parent = department if number % 3 == 0 else parent
    large, response = count_queries(lambda: client.get(reverse("org:tree")))
    assert response.status_code == 200
    assert large == small


# --- create ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr", *ACME_ORG_CHANGERS])
def test_create_sub_department_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("org:department_create") + f"?parent={world.production.pk}"
    before = org_state()
    get_status = client.get(url).status_code
    response = client.post(url, {"name": "三车间", "name_en": "Workshop 3", "code": "workshop3", "branch": ""})
    if key in ACME_ORG_CHANGERS:
        assert get_status == 200
        created = Department.objects.get(company=world.company, code="workshop3")
        assert response.status_code == 302
        assert response["Location"] == reverse("org:tree") + f"#department-{created.pk}"
        assert Department.objects.get_parent(created).pk == world.production.pk
        assert (created.name, created.name_en, created.branch_id) == ("三车间", "Workshop 3", world.plant.pk)
        assert last_sequence() == before["audit_sequence"] + 1
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_status, response.status_code) == (expected, expected)
        assert org_state() == before


@pytest.mark.parametrize("key", ["hr_admin", "ceo", "prod_head", "other_hr"])
def test_create_top_level_department_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("org:department_create") + f"?company={world.company.pk}"
    before = org_state()
    response = client.post(url, {"name": "研发中心", "code": "rnd", "branch": world.hq.pk})
    if key == "hr_admin":
        assert response.status_code == 302
        created = Department.objects.get(company=world.company, code="rnd")
        assert (created.depth, created.branch_id) == (1, world.hq.pk)
    else:
        assert response.status_code == (404 if key == "other_hr" else 403)
        assert org_state() == before


def test_create_shows_field_errors_and_duplicate_code(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    url = reverse("org:department_create") + f"?parent={world.production.pk}"
    before = org_state()
    missing = client.post(url, {"name": "", "code": "bad code"})
    assert missing.status_code == 400
    assert missing.context["form"].errors == {
        "name": ["This field is required."],
        "code": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."],
    }
    duplicate = client.post(url, {"name": "另一个一车间", "code": "workshop1"})
    assert duplicate.status_code == 400
    assert duplicate.context["form"].non_field_errors() == ["Department with this Company and Code already exists."]
    assert org_state() == before


@pytest.mark.parametrize("query", ["?parent=abc", "?parent=999999", "?company=999999", "?company=x"])
def test_create_with_unknown_parent_or_company_is_404(world, client, query):  # noqa: ANN001
    login(client, world, "hr_admin")
    assert client.get(reverse("org:department_create") + query).status_code == 404


def test_department_scoped_org_changer_gets_actions_on_own_subtree_only(world, client):  # noqa: ANN001
    RoleAssignment.objects.create(
        user=world.users["hrbp"], role=Role.HR_ADMIN, scope_type=ScopeType.DEPARTMENT, company=world.company, department=world.production
    )
    login(client, world, "hrbp")
    html = client.get(reverse("org:tree")).content.decode()
    assert _actionable(html) == {"production", "workshop1", "workshop2"}
    assert "Add top-level department" not in html
    assert client.get(reverse("org:department_edit", args=[world.workshop1.pk])).status_code == 200
    assert client.get(reverse("org:department_edit", args=[world.sales.pk])).status_code == 403


# --- edit --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr", *ACME_ORG_CHANGERS])
def test_edit_department_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("org:department_edit", args=[world.sales.pk])
    before = org_state()
    get_status = client.get(url).status_code
    head = world.employees["sales_head"]
    response = client.post(
        url, {"name": "销售中心", "name_en": "Sales", "code": "sales", "branch": world.plant.pk, "head": head.employee_number}
    )
    if key in ACME_ORG_CHANGERS:
        assert (get_status, response.status_code) == (200, 302)
        sales = Department.objects.get(pk=world.sales.pk)
        assert (sales.name, sales.name_en, sales.code, sales.branch_id, sales.head_id) == (
            "销售中心",
            "Sales",
            "sales",
            world.plant.pk,
            head.pk,
        )
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert (event.action, event.before["name"], event.after["name"]) == ("department.update", "销售部", "销售中心")
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_status, response.status_code) == (expected, expected)
        assert org_state() == before


def test_edit_prefills_and_refuses_unknown_head(world, client):  # noqa: ANN001
    Department.objects.filter(pk=world.sales.pk).update(head=world.employees["sales_head"])
    login(client, world, "hr_admin")
    url = reverse("org:department_edit", args=[world.sales.pk])
    form = client.get(url).context["form"]
    assert form.initial == {
        "name": "销售部",
        "name_en": "",
        "code": "sales",
        "branch": world.hq.pk,
        "head": world.employees["sales_head"].employee_number,
    }
    before = org_state()
    response = client.post(url, {"name": "销售部", "code": "sales", "head": world.employees["other_worker"].employee_number})
    assert response.status_code == 400
    assert response.context["form"].errors == {"head": ["No current employee of this company has this employee number."]}
    assert org_state() == before


def test_edit_with_empty_head_clears_it(world, client):  # noqa: ANN001
    Department.objects.filter(pk=world.sales.pk).update(head=world.employees["sales_head"])
    login(client, world, "hr_admin")
    response = client.post(reverse("org:department_edit", args=[world.sales.pk]), {"name": "销售部", "code": "sales", "head": ""})
    assert response.status_code == 302
    assert Department.objects.get(pk=world.sales.pk).head_id is None


# --- move --------------------------------------------------------------------------------


def test_move_subtree_through_the_page(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    url = reverse("org:department_move", args=[world.workshop2.pk])
    assert client.get(url).context["form"].initial == {"parent": world.production.pk}
    response = client.post(url, {"parent": world.sales.pk, "reason": "产线调整"})
    assert response.status_code == 302
    assert Department.objects.get_parent(Department.objects.get(pk=world.workshop2.pk)).pk == world.sales.pk
    assert AuditEvent.objects.get(sequence=last_sequence()).reason == "产线调整"


def test_move_to_top_level(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    response = client.post(reverse("org:department_move", args=[world.sales.pk]), {"parent": ""})
    assert response.status_code == 302
    assert Department.objects.get(pk=world.sales.pk).depth == 1


@pytest.mark.parametrize("target", ["production", "workshop1"])
def test_move_under_itself_shows_a_clear_error(world, client, target):  # noqa: ANN001
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("org:department_move", args=[world.production.pk]), {"parent": getattr(world, target).pk})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == ["A department cannot move under itself or its own sub-department."]
    assert form.errors["parent"] == ["Choose a department outside this subtree."]
    assert "A department cannot move under itself or its own sub-department." in response.content.decode()
    assert org_state() == before


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr"])
def test_move_forbidden(world, client, key):  # noqa: ANN001
    login(client, world, key)
    before = org_state()
    url = reverse("org:department_move", args=[world.workshop2.pk])
    expected = 404 if key == "other_hr" else 403
    assert client.get(url).status_code == expected
    assert client.post(url, {"parent": world.sales.pk}).status_code == expected
    assert org_state() == before


# --- close -------------------------------------------------------------------------------


def test_close_refused_with_members_shows_message(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("org:department_close", args=[world.workshop1.pk]), {"reason": "x"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Transfer its 2 current employees first."]
    assert org_state() == before


def test_close_refused_with_open_sub_departments_shows_message(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("org:department_close", args=[world.production.pk]), {})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Close or move its 2 open sub-departments first."]
    assert org_state() == before


@pytest.mark.parametrize("key", [*NOT_CHANGERS, "other_hr", *ACME_ORG_CHANGERS])
def test_close_matrix(world, client, key):  # noqa: ANN001
    _empty(world.workshop2)
    login(client, world, key)
    before = org_state()
    url = reverse("org:department_close", args=[world.workshop2.pk])
    response = client.post(url, {"closed_on": "2026-02-28", "reason": "并入一车间"})
    if key in ACME_ORG_CHANGERS:
        assert response.status_code == 302
        closed = Department.objects.get(pk=world.workshop2.pk)
        assert (closed.is_active, closed.closed_on) == (False, date(2026, 2, 28))
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert (event.action, event.reason) == ("department.close", "并入一车间")
    else:
        assert response.status_code == (404 if key == "other_hr" else 403)
        assert org_state() == before


def test_closed_department_cannot_get_children_through_the_page(world, client):  # noqa: ANN001
    _empty(world.workshop2)
    Department.objects.filter(pk=world.workshop2.pk).update(is_active=False, closed_on=date(2026, 1, 15))
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("org:department_create") + f"?parent={world.workshop2.pk}", {"name": "X", "code": "x"})
    assert response.status_code == 404
    assert org_state() == before
