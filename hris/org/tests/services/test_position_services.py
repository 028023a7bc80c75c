"""position_create / position_update and branch_create: permissions and audit events."""

import pytest
from django.core.exceptions import ValidationError

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.org import services
from hris.org.models import Branch, Position
from hris.org.tests.helpers import last_sequence, org_state

ACME_ORG_CHANGERS = {"hr_admin", "admin"}
EVERYONE = ["admin", "hr_admin", "ceo", "hrbp", "prod_head", "sales_head", "w1_worker", "recruiter", "interviewer", "other_hr"]


@pytest.mark.parametrize("actor_key", EVERYONE)
def test_position_create_matrix(world, actor_key):  # noqa: ANN001
    before = org_state()
    call = lambda: services.position_create(  # noqa: E731
        actor=world.user(actor_key),
        company=world.company,
        code="qa-engineer",
        title="质量工程师",
        title_en="QA engineer",
        job_family="quality",
        level="P4",
    )
    if actor_key in ACME_ORG_CHANGERS:
        position = call()
        stored = Position.objects.get(pk=position.pk)
        assert (stored.company_id, stored.code, stored.title, stored.title_en, stored.job_family, stored.level, stored.is_managerial) == (
            world.company.pk,
            "qa-engineer",
            "质量工程师",
            "QA engineer",
            "quality",
            "P4",
            False,
        )
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert (event.action, event.target_id, event.company_id_ref) == ("position.create", str(position.pk), world.company.pk)
        assert event.after == {
            "code": "qa-engineer",
            "title": "质量工程师",
            "title_en": "QA engineer",
            "job_family": "quality",
            "level": "P4",
            "is_managerial": False,
            "is_active": True,
        }
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert org_state() == before


@pytest.mark.parametrize("actor_key", EVERYONE)
def test_position_update_matrix(world, actor_key):  # noqa: ANN001
    before = org_state()
    call = lambda: services.position_update(actor=world.user(actor_key), position=world.worker_position, level="P2", is_managerial=False)  # noqa: E731
    if actor_key in ACME_ORG_CHANGERS:
        call()
        assert Position.objects.get(pk=world.worker_position.pk).level == "P2"
        event = AuditEvent.objects.get(sequence=before["audit_sequence"] + 1)
        assert event.action == "position.update"
        assert (event.before["level"], event.after["level"]) == ("P1", "P2")
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert org_state() == before


def test_position_update_refuses_unknown_fields_and_duplicate_codes(world):  # noqa: ANN001
    before = org_state()
    with pytest.raises(DomainError) as unknown:
        services.position_update(actor=world.user("hr_admin"), position=world.worker_position, company=world.other_company)
    assert unknown.value.message == "Unknown fields: company"
    with pytest.raises(ValidationError):
        services.position_update(actor=world.user("hr_admin"), position=world.worker_position, code="team-lead")
    assert org_state() == before


@pytest.mark.parametrize("actor_key", EVERYONE)
def test_branch_create_matrix(world, actor_key):  # noqa: ANN001
    before = org_state()
    call = lambda: services.branch_create(actor=world.user(actor_key), company=world.company, name="北京办事处", code="bj", city="北京")  # noqa: E731
    if actor_key in ACME_ORG_CHANGERS:
        branch = call()
        assert Branch.objects.filter(company=world.company, code="bj", name="北京办事处", city="北京").count() == 1
        assert AuditEvent.objects.get(sequence=last_sequence()).target_id == str(branch.pk)
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert org_state() == before
