"""department_create / update / move / close: permissions, tree rules, audit events."""

from datetime import date

import pytest

from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Role, ScopeType
from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.org import services
from hris.org.models import Department
from hris.org.tests.helpers import last_sequence, org_state
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee

ACME_ORG_CHANGERS = {"hr_admin", "admin"}
EVERYONE = ["admin", "hr_admin", "ceo", "hrbp", "prod_head", "sales_head", "w1_lead", "w1_worker", "recruiter", "interviewer", "other_hr"]


def _fresh(department: Department) -> Department:
    return Department.objects.get(pk=department.pk)


def _grant_department_hr_admin(world, key: str, department: Department) -> None:  # noqa: ANN001
    RoleAssignment.objects.create(
        user=world.users[key], role=Role.HR_ADMIN, scope_type=ScopeType.DEPARTMENT, company=world.company, department=department
    )


# --- create ------------------------------------------------------------------------------


def test_create_sub_department_writes_node_and_audit_event(world):  # noqa: ANN001
    # Given an HR admin of the whole company
    actor = world.user("hr_admin")
    # When she adds a sub-department under production without naming a branch
    department = services.department_create(
        actor=actor, company=world.company, parent=world.production, name="三车间", name_en="Workshop 3", code="workshop3"
    )
    # Then it is a child of production, inherits the plant branch, and the audit trail says so
    department = _fresh(department)
    assert Department.objects.get_parent(department).pk == world.production.pk
    assert department.depth == 3
    assert department.branch_id == world.plant.pk
    assert (department.name, department.name_en, department.code, department.is_active) == ("三车间", "Workshop 3", "workshop3", True)
    event = AuditEvent.objects.get(sequence=last_sequence())
    assert event.action == "department.create"
    assert event.target_type == "org.department"
    assert event.target_id == str(department.pk)
    assert event.actor_id == actor.pk
    assert event.company_id_ref == world.company.pk
    assert event.department_path == department.path
    assert event.before is None
    assert event.after == {
        "name": "三车间",
        "name_en": "Workshop 3",
        "code": "workshop3",
        "branch_id": world.plant.pk,
        "head_id": None,
        "parent_path": world.production.path,
        "is_active": True,
        "closed_on": None,
    }


@pytest.mark.parametrize("actor_key", EVERYONE)
def test_create_top_level_department_needs_company_wide_grant(world, actor_key):  # noqa: ANN001
    before = org_state()
    if actor_key in ACME_ORG_CHANGERS:
        department = services.department_create(actor=world.user(actor_key), company=world.company, name="研发部", code="rnd")
        assert _fresh(department).depth == 1
        assert Department.objects.filter(company=world.company, depth=1).count() == 2
        assert last_sequence() == before["audit_sequence"] + 1
    else:
        with pytest.raises(PermissionDenied):
            services.department_create(actor=world.user(actor_key), company=world.company, name="研发部", code="rnd")
        assert org_state() == before


def test_department_scoped_hr_admin_creates_inside_subtree_only(world):  # noqa: ANN001
    # Given hrbp additionally holds HR admin over the production subtree
    _grant_department_hr_admin(world, "hrbp", world.production)
    actor = world.user("hrbp")
    # When adding under workshop1 it works
    child = services.department_create(actor=actor, company=world.company, parent=world.workshop1, name="一车间A班", code="w1-a")
    assert Department.objects.get_parent(_fresh(child)).pk == world.workshop1.pk
    # But under sales, or at the top, it is refused and nothing changes
    before = org_state()
    with pytest.raises(PermissionDenied):
        services.department_create(actor=actor, company=world.company, parent=world.sales, name="销售二部", code="sales2")
    with pytest.raises(PermissionDenied):
        services.department_create(actor=actor, company=world.company, name="新公司部", code="top2")
    assert org_state() == before


def test_create_refuses_closed_parent_and_foreign_branch(world):  # noqa: ANN001
    actor = world.user("hr_admin")
    world.workshop2.refresh_from_db()
    services.department_close(actor=actor, department=_empty(world, world.workshop2), reason="merged")
    before = org_state()
    with pytest.raises(DomainError) as closed_parent:
        services.department_create(actor=actor, company=world.company, parent=_fresh(world.workshop2), name="X", code="x")
    assert closed_parent.value.field_errors == {"parent": ["Choose an active department."]}
    from hris.tests.factories import BranchFactory

    foreign_branch = BranchFactory(company=world.other_company, code="other-branch")
    before = org_state()
    with pytest.raises(DomainError) as foreign:
        services.department_create(actor=actor, company=world.company, parent=world.sales, name="X", code="x", branch=foreign_branch)
    assert foreign.value.field_errors == {"branch": ["Choose a branch of the same company."]}
    assert org_state() == before


# --- update ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_key", EVERYONE)
def test_update_matrix(world, actor_key):  # noqa: ANN001
    before = org_state()
    head = world.employee("w1_lead")
    call = lambda: services.department_update(  # noqa: E731
        actor=world.user(actor_key),
        department=world.workshop1,
        name="一车间（总装）",
        code="workshop1",
        name_en="Assembly",
        branch=world.plant,
        head=head,
    )
    if actor_key in ACME_ORG_CHANGERS:
        call()
        department = _fresh(world.workshop1)
        assert (department.name, department.name_en, department.head_id) == ("一车间（总装）", "Assembly", head.pk)
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert event.action == "department.update"
        assert event.before["name"] == "一车间" and event.after["name"] == "一车间（总装）"
        assert event.before["head_id"] is None and event.after["head_id"] == head.pk
        assert event.before["name_en"] == "" and event.after["name_en"] == "Assembly"
        assert event.department_path == department.path
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert org_state() == before


def test_update_refuses_head_from_other_company(world):  # noqa: ANN001
    before = org_state()
    with pytest.raises(DomainError) as refused:
        services.department_update(
            actor=world.user("hr_admin"), department=world.sales, name="销售部", code="sales", head=world.employee("other_worker")
        )
    assert refused.value.field_errors == {"head": ["Choose an employee of this company."]}
    assert org_state() == before


# --- move --------------------------------------------------------------------------------


def test_move_subtree_under_new_parent(world):  # noqa: ANN001
    # When workshop2 moves under sales
    services.department_move(actor=world.user("hr_admin"), department=world.workshop2, new_parent=world.sales, reason="reorg")
    # Then it is sales' child, production keeps only workshop1, its people follow
    moved = _fresh(world.workshop2)
    assert Department.objects.get_parent(moved).pk == world.sales.pk
    assert [child.code for child in Department.objects.get_children(_fresh(world.production))] == ["workshop1"]
    assert world.employee("w2_worker").department.path.startswith(_fresh(world.sales).path)
    event = AuditEvent.objects.get(sequence=last_sequence())
    assert event.action == "department.move"
    assert event.reason == "reorg"
    assert event.before["parent_path"] == world.production.path
    assert event.after["parent_path"] == _fresh(world.sales).path


def test_move_whole_subtree_keeps_descendants(world):  # noqa: ANN001
    services.department_move(actor=world.user("hr_admin"), department=world.production, new_parent=world.hr)
    production = _fresh(world.production)
    assert Department.objects.get_parent(production).pk == world.hr.pk
    assert sorted(child.code for child in Department.objects.get_children(production)) == ["workshop1", "workshop2"]
    assert _fresh(world.workshop1).path.startswith(production.path)


@pytest.mark.parametrize("target", ["production", "workshop1"])
def test_move_under_itself_or_own_descendant_is_refused(world, target):  # noqa: ANN001
    before = org_state()
    with pytest.raises(DomainError) as refused:
        services.department_move(actor=world.user("hr_admin"), department=world.production, new_parent=getattr(world, target))
    assert refused.value.code == "tree_cycle"
    assert refused.value.message == "A department cannot move under itself or its own sub-department."
    assert refused.value.field_errors == {"parent": ["Choose a department outside this subtree."]}
    assert org_state() == before


@pytest.mark.parametrize("actor_key", [key for key in EVERYONE if key not in ACME_ORG_CHANGERS])
def test_move_forbidden_changes_nothing(world, actor_key):  # noqa: ANN001
    before = org_state()
    with pytest.raises(PermissionDenied):
        services.department_move(actor=world.user(actor_key), department=world.workshop2, new_parent=world.sales)
    assert org_state() == before


def test_department_scoped_hr_admin_cannot_move_out_of_subtree(world):  # noqa: ANN001
    _grant_department_hr_admin(world, "hrbp", world.production)
    actor = world.user("hrbp")
    services.department_move(actor=actor, department=world.workshop2, new_parent=world.workshop1)
    assert Department.objects.get_parent(_fresh(world.workshop2)).pk == world.workshop1.pk
    before = org_state()
    with pytest.raises(PermissionDenied):
        services.department_move(actor=world.user("hrbp"), department=world.workshop1, new_parent=world.sales)
    with pytest.raises(PermissionDenied):
        services.department_move(actor=world.user("hrbp"), department=world.workshop1, new_parent=None)
    assert org_state() == before


# --- close -------------------------------------------------------------------------------


def _empty(world, department: Department) -> Department:  # noqa: ANN001
    """Terminate the people of a department (outside the services: test set-up)."""
    Employee.objects.filter(department=department).update(status=EmployeeStatus.TERMINATED, termination_date=date(2025, 1, 31))
    return _fresh(department)


def test_close_refused_while_it_has_current_employees(world):  # noqa: ANN001
    before = org_state()
    with pytest.raises(DomainError) as refused:
        services.department_close(actor=world.user("hr_admin"), department=world.workshop1)
    assert refused.value.code == "has_members"
    assert refused.value.message == "Transfer its 2 current employees first."
    assert org_state() == before


def test_close_refused_while_it_has_open_sub_departments(world):  # noqa: ANN001
    before = org_state()
    with pytest.raises(DomainError) as refused:
        services.department_close(actor=world.user("hr_admin"), department=world.production)
    assert refused.value.code == "has_open_children"
    assert refused.value.message == "Close or move its 2 open sub-departments first."
    assert org_state() == before


def test_close_empty_department(world):  # noqa: ANN001
    department = _empty(world, world.workshop2)
    services.department_close(
        actor=world.user("hr_admin"), department=department, closed_on=date(2026, 3, 31), reason="merged into workshop1"
    )
    closed = _fresh(world.workshop2)
    assert (closed.is_active, closed.closed_on) == (False, date(2026, 3, 31))
    event = AuditEvent.objects.get(sequence=last_sequence())
    assert event.action == "department.close"
    assert event.reason == "merged into workshop1"
    assert (event.before["is_active"], event.before["closed_on"]) == (True, None)
    assert (event.after["is_active"], event.after["closed_on"]) == (False, "2026-03-31")
    with pytest.raises(DomainError) as again:
        services.department_close(actor=world.user("hr_admin"), department=closed)
    assert again.value.code == "already_closed"


@pytest.mark.parametrize("actor_key", [key for key in EVERYONE if key not in ACME_ORG_CHANGERS])
def test_close_forbidden_changes_nothing(world, actor_key):  # noqa: ANN001
    department = _empty(world, world.workshop2)
    before = org_state()
    with pytest.raises(PermissionDenied):
        services.department_close(actor=world.user(actor_key), department=department)
    assert org_state() == before
