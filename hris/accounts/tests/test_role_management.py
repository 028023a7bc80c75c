"""role_grant / role_revoke and the role management pages, for every role."""

import re

import pytest
from django.urls import reverse

from hris.accounts import services
from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Capability, Role, ScopeType
from hris.accounts.scopes import has_capability
from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.org.tests.helpers import count_queries, last_sequence, login, org_state
from hris.tests.factories import EmployeeFactory, UserFactory

ROLE_MANAGERS = {"hr_admin", "admin"}
NOT_MANAGERS = ["ceo", "prod_head", "hrbp", "sales_head", "w1_worker", "recruiter", "interviewer", "other_hr"]


def _grant_hrbp_over_sales(world, actor_key: str, **extra) -> RoleAssignment:  # noqa: ANN001, ANN003
    return services.role_grant(
        actor=world.user(actor_key),
        user=world.user("sales_rep"),
        role=Role.HRBP,
        scope_type=ScopeType.DEPARTMENT,
        company=world.company,
        department=world.sales,
        reason="覆盖销售部",
        **extra,
    )


# --- services ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*NOT_MANAGERS, *ROLE_MANAGERS])
def test_role_grant_matrix(world, key):  # noqa: ANN001
    before = org_state()
    if key in ROLE_MANAGERS:
        assignment = _grant_hrbp_over_sales(world, key)
        stored = RoleAssignment.objects.get(pk=assignment.pk)
        assert (stored.user_id, stored.role, stored.scope_type, stored.company_id, stored.branch_id, stored.department_id) == (
            world.users["sales_rep"].pk,
            "hrbp",
            "department",
            world.company.pk,
            None,
            world.sales.pk,
        )
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert (event.action, event.reason, event.company_id_ref) == ("role.grant", "覆盖销售部", world.company.pk)
        assert event.after == {
            "user": "sales_rep",
            "role": "hrbp",
            "scope_type": "department",
            "company_id": world.company.pk,
            "branch_id": None,
            "department_id": world.sales.pk,
        }
        # The grant takes effect for the user at once.
        assert has_capability(world.user("sales_rep"), Capability.VIEW_SENSITIVE)
    else:
        with pytest.raises(PermissionDenied):
            _grant_hrbp_over_sales(world, key)
        assert org_state() == before


def test_department_scoped_hr_admin_cannot_grant(world):  # noqa: ANN001
    RoleAssignment.objects.create(
        user=world.users["hrbp"], role=Role.HR_ADMIN, scope_type=ScopeType.DEPARTMENT, company=world.company, department=world.production
    )
    before = org_state()
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=world.user("hrbp"),
            user=world.user("w1_worker"),
            role=Role.DEPARTMENT_MANAGER,
            scope_type=ScopeType.DEPARTMENT,
            company=world.company,
            department=world.workshop1,
        )
    assert org_state() == before


def test_grant_refuses_duplicates_mismatched_scopes_and_foreign_targets(world):  # noqa: ANN001
    actor = world.user("hr_admin")
    _grant_hrbp_over_sales(world, "hr_admin")
    before = org_state()
    with pytest.raises(DomainError) as duplicate:
        _grant_hrbp_over_sales(world, "hr_admin")
    assert (duplicate.value.code, duplicate.value.message) == ("duplicate", "The user already has this role over this scope.")
    with pytest.raises(DomainError) as mismatch:
        services.role_grant(actor=actor, user=world.user("sales_rep"), role=Role.HRBP, scope_type=ScopeType.BRANCH, company=world.company)
    assert mismatch.value.message == "The scope does not match the scope type."
    with pytest.raises(DomainError) as foreign:
        services.role_grant(
            actor=actor,
            user=world.user("sales_rep"),
            role=Role.HRBP,
            scope_type=ScopeType.DEPARTMENT,
            company=world.company,
            department=world.other_root,
        )
    assert foreign.value.field_errors == {"scope": ["Choose a branch or department of this company."]}
    with pytest.raises(DomainError) as unknown_role:
        services.role_grant(actor=actor, user=world.user("sales_rep"), role="overlord", scope_type=ScopeType.COMPANY, company=world.company)
    assert unknown_role.value.field_errors == {"role": ["Choose a valid role."]}
    assert org_state() == before


@pytest.mark.parametrize("key", [*NOT_MANAGERS, *ROLE_MANAGERS])
def test_role_revoke_matrix(world, key):  # noqa: ANN001
    assignment = RoleAssignment.objects.get(user=world.users["prod_head"], role=Role.DEPARTMENT_MANAGER)
    assignment_id = assignment.pk
    before = org_state()
    if key in ROLE_MANAGERS:
        services.role_revoke(actor=world.user(key), assignment=assignment, reason="调岗")
        assert not RoleAssignment.objects.filter(pk=assignment_id).exists()
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert (event.action, event.target_id, event.reason) == ("role.revoke", str(assignment_id), "调岗")
        assert event.before["role"] == "department_manager" and event.after is None
        assert not has_capability(world.user("prod_head"), Capability.VIEW_EMPLOYEES)
    else:
        with pytest.raises(PermissionDenied):
            services.role_revoke(actor=world.user(key), assignment=assignment, reason="调岗")
        assert org_state() == before


def test_other_company_admin_manages_only_own_company(world):  # noqa: ANN001
    assignment = RoleAssignment.objects.get(user=world.users["other_worker"])
    services.role_revoke(actor=world.user("other_hr"), assignment=assignment, reason="离职")
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=world.user("other_hr"), assignment=RoleAssignment.objects.get(user=world.users["w1_worker"]))


# --- pages -------------------------------------------------------------------------------


def _listed_users(html: str) -> set[str]:
    return set(re.findall(r'id="assignment-\d+">\s*<td>(\w+)', html))


@pytest.mark.parametrize("key", [*NOT_MANAGERS, *ROLE_MANAGERS])
def test_roles_page_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    response = client.get(reverse("accounts:roles"))
    if key == "other_hr":
        # Manages the other company only.
        assert response.status_code == 200
        assert _listed_users(response.content.decode()) == {"other_hr", "other_worker"}
        assert client.get(reverse("accounts:roles") + f"?company={world.company.pk}").status_code == 404
    elif key in ROLE_MANAGERS:
        assert response.status_code == 200
        assert response.context["company"].pk == world.company.pk
        assert _listed_users(response.content.decode()) == {
            "ceo",
            "prod_head",
            "sales_head",
            "hr_admin",
            "hrbp",
            "recruiter",
            "interviewer",
            "w1_lead",
            "w1_worker",
            "w2_worker",
            "sales_rep",
        }
    else:
        assert response.status_code == 403


def test_roles_page_shows_employee_role_and_scope(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    html = client.get(reverse("accounts:roles")).content.decode()
    row = re.search(r'id="assignment-\d+">\s*<td>hrbp</td>(.*?)</tr>', html, flags=re.S).group(1)
    assert "冯伙伴" in row and "HR business partner" in row and "苏州工厂" in row
    production_row = re.search(r'id="assignment-\d+">\s*<td>prod_head</td>(.*?)</tr>', html, flags=re.S).group(1)
    assert "Department manager" in production_row and "生产部" in production_row


def test_roles_page_filters(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    by_role = client.get(reverse("accounts:roles") + "?role=department_manager").content.decode()
    assert _listed_users(by_role) == {"prod_head", "sales_head"}
    by_name = client.get(reverse("accounts:roles") + "?q=冯伙伴").content.decode()
    assert _listed_users(by_name) == {"hrbp"}
    by_number = client.get(reverse("accounts:roles") + f"?q={world.employees['w1_worker'].employee_number}").content.decode()
    assert _listed_users(by_number) == {"w1_worker"}


def test_superuser_switches_company(world, client):  # noqa: ANN001
    login(client, world, "admin")
    response = client.get(reverse("accounts:roles") + f"?company={world.other_company.pk}")
    assert _listed_users(response.content.decode()) == {"other_hr", "other_worker"}


def test_roles_page_query_count_does_not_grow(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    small, _response = count_queries(lambda: client.get(reverse("accounts:roles")))
    for number in range(30):
        user = UserFactory(username=f"bulk{number}")
        EmployeeFactory(department=world.sales, user=user)
        RoleAssignment.objects.create(user=user, role=Role.EMPLOYEE, scope_type=ScopeType.SELF, company=world.company)
    large, response = count_queries(lambda: client.get(reverse("accounts:roles")))
    assert len(response.context["page"].object_list) == 41
    assert large == small


@pytest.mark.parametrize("key", [*NOT_MANAGERS, "hr_admin"])
def test_grant_page_matrix(world, client, key):  # noqa: ANN001
    login(client, world, key)
    url = reverse("accounts:role_grant") + f"?company={world.company.pk}"
    before = org_state()
    get_status = client.get(url).status_code
    response = client.post(url, {"user": "sales_rep", "role": "hrbp", "scope_type": "branch", "branch": world.hq.pk, "reason": "华东"})
    if key == "hr_admin":
        assert (get_status, response.status_code) == (200, 302)
        assert response["Location"] == reverse("accounts:roles") + f"?company={world.company.pk}"
        assignment = RoleAssignment.objects.get(user=world.users["sales_rep"], role="hrbp")
        assert (assignment.scope_type, assignment.branch_id, assignment.department_id) == ("branch", world.hq.pk, None)
        assert AuditEvent.objects.get(sequence=last_sequence()).reason == "华东"
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_status, response.status_code) == (expected, expected)
        assert org_state() == before


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"user": "nobody", "role": "hrbp", "scope_type": "company"},
            {"user": ["No single user account of an employee of this company matches."]},
        ),
        (
            {"user": "other_worker", "role": "hrbp", "scope_type": "company"},
            {"user": ["No single user account of an employee of this company matches."]},
        ),
        ({"user": "sales_rep", "role": "hrbp", "scope_type": "branch"}, {"branch": ["Choose the branch of the scope."]}),
        ({"user": "sales_rep", "role": "hrbp", "scope_type": "department"}, {"department": ["Choose the department of the scope."]}),
        (
            {"user": "sales_rep", "role": "boss", "scope_type": "company"},
            {"role": ["Select a valid choice. boss is not one of the available choices."]},
        ),
    ],
)
def test_grant_form_errors(world, client, data, errors):  # noqa: ANN001
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("accounts:role_grant") + f"?company={world.company.pk}", data)
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert org_state() == before


def test_grant_by_email_and_duplicate_shown_on_form(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    url = reverse("accounts:role_grant") + f"?company={world.company.pk}"
    data = {"user": "sales_rep@acme.example.cn", "role": "executive", "scope_type": "company", "branch": world.hq.pk}
    assert client.post(url, data).status_code == 302
    # The branch given with a company scope is ignored.
    assert RoleAssignment.objects.get(user=world.users["sales_rep"], role="executive").branch_id is None
    before = org_state()
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["The user already has this role over this scope."]
    assert org_state() == before


@pytest.mark.parametrize("key", [*NOT_MANAGERS, "hr_admin"])
def test_revoke_page_matrix(world, client, key):  # noqa: ANN001
    assignment = RoleAssignment.objects.get(user=world.users["prod_head"], role=Role.DEPARTMENT_MANAGER)
    login(client, world, key)
    url = reverse("accounts:role_revoke", args=[assignment.pk])
    before = org_state()
    get_status = client.get(url).status_code
    response = client.post(url, {"reason": "调岗"})
    if key == "hr_admin":
        assert (get_status, response.status_code) == (200, 302)
        assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
        assert AuditEvent.objects.get(sequence=last_sequence()).action == "role.revoke"
    else:
        expected = 404 if key == "other_hr" else 403
        assert (get_status, response.status_code) == (expected, expected)
        assert org_state() == before


def test_revoke_needs_a_reason(world, client):  # noqa: ANN001
    assignment = RoleAssignment.objects.get(user=world.users["prod_head"], role=Role.DEPARTMENT_MANAGER)
    login(client, world, "hr_admin")
    before = org_state()
    response = client.post(reverse("accounts:role_revoke", args=[assignment.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert org_state() == before


def test_unknown_assignment_is_404(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    assert client.get(reverse("accounts:role_revoke", args=[999999])).status_code == 404


def test_roles_link_in_menu_for_hr_admin_only(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    assert reverse("accounts:roles") in client.get(reverse("org:tree")).content.decode()
    login(client, world, "ceo")
    assert reverse("accounts:roles") not in client.get(reverse("org:tree")).content.decode()
