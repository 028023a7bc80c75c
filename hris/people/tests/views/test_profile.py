"""Employee profile and "my profile": scope, masking, the audited ID number reveal."""

import pytest
from django.urls import reverse

from hris.audit.models import AuditEvent
from hris.core.protected import encrypt_text, keyed_digest
from hris.people.models import Contract, Employee
from hris.people.services import employee_update
from hris.people.tests.views.helpers import MASKED_ID_NUMBER, VALID_ID_NUMBER, database_state
from hris.tests.world import VISIBLE_EMPLOYEES

WORLD_EMPLOYEES = sorted(set().union(*VISIBLE_EMPLOYEES.values()))


def detail_url(world, key):
    return reverse("people:detail", args=[world.employees[key].pk])


def give_id_number(world, key, id_number=VALID_ID_NUMBER):
    Employee.objects.filter(pk=world.employees[key].pk).update(
        id_number_encrypted=encrypt_text(id_number), id_number_digest=keyed_digest(id_number)
    )


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
@pytest.mark.parametrize("target", WORLD_EMPLOYEES)
def test_profile_is_shown_exactly_within_scope(world, client_for, actor, target):
    # Given an actor and any employee of the world, when the actor opens the profile
    response = client_for(actor).get(detail_url(world, target))
    # then it is shown if the employee is in the actor's scope, and looks missing otherwise.
    if target in VISIBLE_EMPLOYEES[actor]:
        assert response.status_code == 200
        assert response.context["employee"].pk == world.employees[target].pk
    else:
        assert response.status_code == 404


def test_missing_employee_is_404(world, client_for):
    assert client_for("admin").get(reverse("people:detail", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    "actor, masked", [("hr_admin", False), ("hrbp", False), ("admin", False), ("prod_head", True), ("ceo", True), ("w1_worker", False)]
)
def test_profile_contact_is_masked_unless_allowed(world, client_for, actor, masked):
    worker = world.employee("w1_worker")
    content = client_for(actor).get(detail_url(world, "w1_worker")).content.decode()
    masked_phone = worker.phone[:3] + "****" + worker.phone[-4:]
    masked_email = worker.email[0] + "***@" + worker.email.split("@")[1]
    if masked:
        assert f'id="contact-phone">{masked_phone}<' in content
        assert f'id="contact-email">{masked_email}<' in content
        assert worker.phone not in content
        assert worker.email not in content
    else:
        assert f'id="contact-phone">{worker.phone}<' in content
        assert f'id="contact-email">{worker.email}<' in content


@pytest.mark.parametrize("actor", ["hr_admin", "admin", "w1_worker", "prod_head"])
def test_id_number_is_always_masked_on_the_profile(world, client_for, actor):
    give_id_number(world, "w1_worker")
    content = client_for(actor).get(detail_url(world, "w1_worker")).content.decode()
    assert MASKED_ID_NUMBER in content
    assert VALID_ID_NUMBER not in content


@pytest.mark.parametrize("actor, offered", [("hr_admin", True), ("hrbp", True), ("w1_worker", True), ("prod_head", False), ("ceo", False)])
def test_reveal_is_offered_only_to_those_allowed(world, client_for, actor, offered):
    give_id_number(world, "w1_worker")
    content = client_for(actor).get(detail_url(world, "w1_worker")).content.decode()
    assert ('id="reveal-id-number-form"' in content) is offered


def reveal_url(world, key):
    return reverse("people:reveal_id_number", args=[world.employees[key].pk])


def test_reveal_with_reason_shows_the_number_once_and_audits(world, client_for):
    # Given HR and an employee with an ID number
    give_id_number(world, "w1_worker")
    before = AuditEvent.objects.count()
    # when HR reveals it with a reason through htmx
    response = client_for("hr_admin").post(reveal_url(world, "w1_worker"), {"reason": "社保登记"}, HTTP_HX_REQUEST="true")
    # then only the ID block comes back, with the full number, not cacheable
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'data-revealed="true">{VALID_ID_NUMBER}<' in content
    assert "no-store" in response["Cache-Control"]
    # and exactly one audit event records who, whose and why.
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.target_id, event.reason, event.actor_id) == (
        "employee.reveal_id_number", str(world.employees["w1_worker"].pk), "社保登记", world.users["hr_admin"].pk,
    )
    # A later visit shows it masked again.
    assert VALID_ID_NUMBER not in client_for("hr_admin").get(detail_url(world, "w1_worker")).content.decode()


def test_reveal_without_javascript_renders_the_profile(world, client_for):
    give_id_number(world, "w1_worker")
    response = client_for("hrbp").post(reveal_url(world, "w1_worker"), {"reason": "合同签订"})
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "people/detail.html"
    assert f'data-revealed="true">{VALID_ID_NUMBER}<' in response.content.decode()


def test_reveal_without_reason_is_refused_and_not_audited(world, client_for):
    give_id_number(world, "w1_worker")
    state = database_state()
    response = client_for("hr_admin").post(reveal_url(world, "w1_worker"), {"reason": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["reveal_form"].errors["reason"] == ["This field is required."]
    assert VALID_ID_NUMBER not in response.content.decode()
    assert database_state() == state


@pytest.mark.parametrize("actor, status", [("prod_head", 403), ("ceo", 403), ("sales_head", 404), ("w2_worker", 404), ("other_hr", 404)])
def test_reveal_by_others_is_refused_and_not_audited(world, client_for, actor, status):
    give_id_number(world, "w1_worker")
    state = database_state()
    response = client_for(actor).post(reveal_url(world, "w1_worker"), {"reason": "curious"})
    assert response.status_code == status
    assert VALID_ID_NUMBER not in response.content.decode()
    assert database_state() == state


def test_reveal_own_number(world, client_for):
    give_id_number(world, "w1_worker")
    response = client_for("w1_worker").post(reveal_url(world, "w1_worker"), {"reason": "办理签证"}, HTTP_HX_REQUEST="true")
    assert f'data-revealed="true">{VALID_ID_NUMBER}<' in response.content.decode()


def test_reveal_is_post_only(world, client_for):
    assert client_for("hr_admin").get(reveal_url(world, "w1_worker")).status_code == 405


def test_profile_shows_department_path_manager_reports_contracts_and_history(world, client_for):
    # Given a contract and a transfer in the history of w1_lead
    lead = world.employee("w1_lead")
    Contract.objects.create(
        employee=lead, contract_number="HT-2022-007", contract_type="fixed_term", start_date="2022-03-01", end_date="2025-02-28"
    )
    employee_update(actor=None, employee=lead, effective_date="2024-05-01", reason="产线调整", department=world.workshop2)
    employee_update(actor=None, employee=world.employee("w1_lead"), department=world.workshop1)
    # when HR opens the profile
    response = client_for("hr_admin").get(detail_url(world, "w1_lead"))
    content = response.content.decode()
    # then the department path, manager link, reports, contract and history are shown.
    assert [department.name for department in response.context["department_path"]] == ["总经办", "生产部", "一车间"]
    assert f'<a href="{detail_url(world, "prod_head")}">钱生产</a>' in content
    assert [report.pk for report in response.context["reports"]] == [world.employees["w1_worker"].pk]
    assert "HT-2022-007" in content
    assert [event.event_type for event in response.context["history"]] == ["transfer", "transfer"]
    assert "产线调整" in content
    assert "一车间 → 二车间" in content
    audit_link = f'{reverse("audit:list")}?target_type=people.employee&amp;target_id={lead.pk}'
    assert f'href="{audit_link}"' in content


def test_manager_outside_scope_is_named_but_not_linked(world, client_for):
    content = client_for("w1_worker").get(detail_url(world, "w1_worker")).content.decode()
    assert "孙班长" in content
    assert detail_url(world, "w1_lead") not in content


def test_direct_reports_are_limited_to_the_viewers_scope(world, client_for):
    # Given a plant worker who reports to a sales rep (outside the sales manager's subtree)
    Employee.objects.filter(pk=world.employees["w1_worker"].pk).update(manager=world.employees["sales_rep"])
    # when the sales manager and HR open the sales rep's profile
    manager_view = client_for("sales_head").get(detail_url(world, "sales_rep"))
    hr_view = client_for("hr_admin").get(detail_url(world, "sales_rep"))
    # then only HR sees the report.
    assert list(manager_view.context["reports"]) == []
    assert [report.pk for report in hr_view.context["reports"]] == [world.employees["w1_worker"].pk]


@pytest.mark.parametrize("actor, shown", [("hr_admin", True), ("hrbp", True), ("admin", True), ("ceo", False), ("prod_head", False)])
def test_change_actions_only_for_those_who_may_change(world, client_for, actor, shown):
    content = client_for(actor).get(detail_url(world, "w1_worker")).content.decode()
    assert ('id="edit-employee"' in content) is shown
    assert ('data-action="terminate"' in content) is shown


def test_status_actions_follow_the_status(world, client_for):
    Employee.objects.filter(pk=world.employees["w1_worker"].pk).update(status="probation")
    response = client_for("hr_admin").get(detail_url(world, "w1_worker"))
    assert [action["kind"] for action in response.context["status_actions"]] == ["confirm_probation", "start_leave", "terminate"]
    Employee.objects.filter(pk=world.employees["w1_worker"].pk).update(status="on_leave")
    response = client_for("hr_admin").get(detail_url(world, "w1_worker"))
    assert [action["kind"] for action in response.context["status_actions"]] == ["end_leave", "terminate"]


def test_my_profile_shows_the_users_own_record(world, client_for):
    response = client_for("w1_worker").get(reverse("people:me"))
    assert response.status_code == 200
    assert response.context["employee"].pk == world.employees["w1_worker"].pk
    assert response.context["is_own_profile"] is True
    assert world.employees["w1_worker"].phone in response.content.decode()


def test_my_profile_without_employee_record_explains(world, client_for):
    response = client_for("admin").get(reverse("people:me"))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="no-employee-record"' in content
    assert "admin@acme.example.cn" in content


def test_my_profile_without_employee_record_lists_roles(world, client_for):
    Employee.objects.filter(pk=world.employees["hrbp"].pk).update(user=None)
    content = client_for("hrbp").get(reverse("people:me")).content.decode()
    assert 'id="no-employee-record"' in content
    assert "HR business partner" in content
    assert "苏州工厂" in content


def test_profile_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    client = client_for("hr_admin")
    client.get(detail_url(world, "prod_head"))
    with django_assert_max_num_queries(16):
        client.get(detail_url(world, "prod_head"))
