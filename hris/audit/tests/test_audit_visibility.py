"""Who sees which audit rows, and the audit page's filters, diff, time and query count."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from hris.accounts.services import role_grant
from hris.audit.models import AuditEvent
from hris.audit.selectors import AuditFilters, audit_event_changes, audit_event_search, audit_events_visible_to
from hris.audit.services import audit_record
from hris.org import services as org_services
from hris.org.models import Department
from hris.org.tests.helpers import count_queries, login
from hris.people import services as people_services
from hris.people.models import Contract


def _add_contract(actor, employee, number: str) -> None:  # noqa: ANN001
    people_services.contract_add(
        actor=actor, employee=employee, contract_number=number, contract_type="open_ended", start_date=date(2024, 1, 1)
    )


def _write_events(world) -> dict[str, int]:  # noqa: ANN001
    """A few business changes through the services; name → audit sequence."""
    hr_admin, other_hr = world.user("hr_admin"), world.user("other_hr")
    sequences = {}

    def remember(name: str) -> None:
        sequences[name] = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    org_services.department_update(actor=hr_admin, department=world.workshop1, name="一车间（总装）", code="workshop1", branch=world.plant)
    remember("workshop1_renamed")
    org_services.department_update(actor=hr_admin, department=world.sales, name="销售中心", code="sales", branch=world.hq)
    remember("sales_renamed")
    _add_contract(hr_admin, world.employee("w1_worker"), "HT-W1")
    remember("w1_worker_changed")
    _add_contract(hr_admin, world.employee("sales_rep"), "HT-SR")
    remember("sales_rep_changed")
    org_services.position_create(actor=hr_admin, company=world.company, code="qa", title="质检员", job_family="quality", level="P2")
    remember("position_created")
    role_grant(actor=hr_admin, user=world.user("sales_rep"), role="employee", scope_type="company", company=world.company, reason="试用")
    remember("role_granted")
    org_services.department_update(actor=other_hr, department=world.other_root, name="别家总部（新）", code="other-root")
    remember("other_company_changed")
    _add_contract(hr_admin, world.employee("hrbp"), "HT-BP")
    remember("hrbp_changed")
    return sequences


ACME_EVENTS = {
    "workshop1_renamed",
    "sales_renamed",
    "w1_worker_changed",
    "sales_rep_changed",
    "position_created",
    "role_granted",
    "hrbp_changed",
}
VISIBLE_AUDIT = {
    "admin": ACME_EVENTS | {"other_company_changed"},
    "hr_admin": ACME_EVENTS,
    "ceo": ACME_EVENTS,
    # Branch scope (苏州工厂): rows recorded against the plant's departments, plus own record.
    "hrbp": {"workshop1_renamed", "w1_worker_changed", "hrbp_changed"},
    # Department scope: rows recorded against the subtree.
    "prod_head": {"workshop1_renamed", "w1_worker_changed"},
    "sales_head": {"sales_renamed", "sales_rep_changed"},
    # Self: the history of one's own record only.
    "w1_worker": {"w1_worker_changed"},
    "sales_rep": {"sales_rep_changed"},
    "w1_lead": set(),
    "recruiter": set(),
    "interviewer": set(),
    "other_hr": {"other_company_changed"},
    "other_worker": set(),
}


@pytest.mark.parametrize("key", sorted(VISIBLE_AUDIT))
def test_each_role_sees_exactly_its_audit_rows(world, key):  # noqa: ANN001
    sequences = _write_events(world)
    by_sequence = {sequence: name for name, sequence in sequences.items()}
    visible = {by_sequence[sequence] for sequence in audit_events_visible_to(world.user(key)).values_list("sequence", flat=True)}
    assert visible == VISIBLE_AUDIT[key]


@pytest.mark.parametrize("key", sorted(VISIBLE_AUDIT))
def test_audit_page_lists_exactly_the_visible_rows(world, client, key):  # noqa: ANN001
    sequences = _write_events(world)
    login(client, world, key)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    listed = [row["event"].sequence for row in response.context["rows"]]
    assert listed == sorted((sequences[name] for name in VISIBLE_AUDIT[key]), reverse=True)


def test_anonymous_cannot_see_the_audit_page(db, client):  # noqa: ANN001
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert audit_events_visible_to(None).count() == 0


def test_filters_by_target_actor_action_and_dates(world):  # noqa: ANN001
    sequences = _write_events(world)
    hr_admin = world.user("hr_admin")

    def found(**filters) -> list[int]:  # noqa: ANN003
        return list(audit_event_search(hr_admin, AuditFilters(**filters)).values_list("sequence", flat=True))

    contract_id = str(Contract.objects.get(contract_number="HT-W1").pk)
    assert found(target_type="people.contract", target_id=contract_id) == [sequences["w1_worker_changed"]]
    assert found(target_type="People.Contract ", target_id=f" {contract_id}") == [sequences["w1_worker_changed"]]
    assert found(target_type="people.contract") == [sequences[name] for name in ("hrbp_changed", "sales_rep_changed", "w1_worker_changed")]
    assert found(target_type="org.department") == [sequences["sales_renamed"], sequences["workshop1_renamed"]]
    assert found(action="position.create") == [sequences["position_created"]]
    assert found(action="department") == []
    assert found(actor="HR_ADMIN") == sorted((sequences[name] for name in ACME_EVENTS), reverse=True)
    assert found(actor=str(world.users["hr_admin"].pk)) == sorted((sequences[name] for name in ACME_EVENTS), reverse=True)
    # other_hr's own action lies outside hr_admin's scope.
    assert found(actor="other_hr") == []
    today = datetime.now(tz=ZoneInfo("Asia/Shanghai")).date()
    assert len(found(date_from=today, date_to=today)) == len(ACME_EVENTS)
    assert found(date_to=today - timedelta(days=1)) == []
    assert found(date_from=today + timedelta(days=1)) == []


def _record_at(monkeypatch, moment: datetime, **fields) -> AuditEvent:  # noqa: ANN001, ANN003
    """Write one audit event as if it happened at `moment`."""

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return moment

    monkeypatch.setattr("hris.audit.services.datetime", FrozenDatetime)
    with transaction.atomic():
        return audit_record(actor=None, target_type="x", **fields)


def test_date_range_uses_local_days(world, monkeypatch):  # noqa: ANN001
    # Given one event at 23:30 and one at 00:30 Shanghai time, either side of midnight
    late = _record_at(monkeypatch, datetime(2026, 3, 1, 15, 30, tzinfo=UTC), action="test.late", target_id="1", company_id=world.company.pk)
    early = _record_at(
        monkeypatch, datetime(2026, 3, 1, 16, 30, tzinfo=UTC), action="test.early", target_id="2", company_id=world.company.pk
    )
    hr_admin = world.user("hr_admin")

    def found(**filters) -> list[int]:  # noqa: ANN003
        return list(audit_event_search(hr_admin, AuditFilters(**filters)).values_list("pk", flat=True))

    # Then the local calendar day decides, and date_to is inclusive
    assert found(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)) == [late.pk]
    assert found(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2)) == [early.pk]
    assert found(date_from=date(2026, 3, 1), date_to=date(2026, 3, 2)) == [early.pk, late.pk]
    assert found(date_to=date(2026, 2, 28)) == []


def test_page_shows_local_time(world, client, monkeypatch):  # noqa: ANN001
    _record_at(
        monkeypatch,
        datetime(2026, 3, 1, 16, 30, 5, tzinfo=UTC),
        action="test.time",
        target_id="1",
        company_id=world.company.pk,
        target_label="时间测试",
    )
    login(client, world, "hr_admin")
    html = client.get(reverse("audit:list")).content.decode()
    assert "2026-03-02 00:30:05" in html


def test_diff_shows_changed_keys_only(world):  # noqa: ANN001
    sequences = _write_events(world)
    event = AuditEvent.objects.get(sequence=sequences["workshop1_renamed"])
    changes = [(change.key, change.old_text, change.new_text) for change in audit_event_changes(event)]
    assert changes == [("name", "一车间", "一车间（总装）")]
    created = AuditEvent.objects.get(sequence=sequences["position_created"])
    assert [(change.key, change.old_text, change.new_text) for change in audit_event_changes(created)] == [
        ("code", "—", "qa"),
        ("is_active", "—", "True"),
        ("is_managerial", "—", "False"),
        ("job_family", "—", "quality"),
        ("level", "—", "P2"),
        ("title", "—", "质检员"),
        ("title_en", "—", ""),
    ]


def test_page_shows_time_actor_action_target_reason_and_diff(world, client):  # noqa: ANN001
    # Given a department moved with a reason
    org_services.department_move(actor=world.user("hr_admin"), department=world.workshop2, new_parent=world.sales, reason="产线调整")
    event = AuditEvent.objects.get(action="department.move")
    # When the HR admin looks up the department's history
    login(client, world, "hr_admin")
    response = client.get(reverse("audit:list") + f"?target_type=org.department&target_id={world.workshop2.pk}")
    html = response.content.decode()
    # Then one row shows local time, actor, action, target, reason and the changed key only
    assert [row["event"].pk for row in response.context["rows"]] == [event.pk]
    local = event.occurred_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert f'<td class="text-nowrap">{local}</td>' in html
    assert "<td>王人事 (hr_admin)</td>" in html
    assert "<code>department.move</code>" in html
    assert f"org.department #{world.workshop2.pk}" in html
    assert "二车间</a>" in html
    assert "<td>产线调整</td>" in html
    old_path = world.production.path
    new_path = Department.objects.get(pk=world.sales.pk).path
    assert [(change.key, change.old_text, change.new_text) for change in response.context["rows"][0]["changes"]] == [
        ("parent_path", old_path, new_path)
    ]
    assert f'<del class="text-danger">{old_path}</del> → <ins class="text-success">{new_path}</ins>' in html


def test_own_record_history_is_visible_to_the_employee(world, client):  # noqa: ANN001
    _add_contract(world.user("hr_admin"), world.employee("w1_worker"), "HT-W1")
    login(client, world, "w1_worker")
    html = client.get(reverse("audit:list")).content.decode()
    assert "<code>contract.create</code>" in html
    assert '<del class="text-danger">—</del> → <ins class="text-success">HT-W1</ins>' in html


def test_invalid_date_filter_is_shown_not_a_500(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    response = client.get(reverse("audit:list") + "?date_from=2026-13-01&date_to=2026-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors == {"date_from": ["Enter a valid date."]}
    reversed_range = client.get(reverse("audit:list") + "?date_from=2026-02-01&date_to=2026-01-01")
    assert reversed_range.context["form"].errors == {"date_to": ["The end date is before the start date."]}


def test_pagination_newest_first(world, client):  # noqa: ANN001
    with transaction.atomic():
        for number in range(60):
            audit_record(actor=None, action="test.bulk", target_type="x", target_id=str(number), company_id=world.company.pk)
    login(client, world, "hr_admin")
    first = client.get(reverse("audit:list") + "?action=test.bulk")
    assert [row["event"].target_id for row in first.context["rows"]] == [str(number) for number in range(59, 9, -1)]
    second = client.get(reverse("audit:list") + "?action=test.bulk&page=2")
    assert [row["event"].target_id for row in second.context["rows"]] == [str(number) for number in range(9, -1, -1)]
    assert "action=test.bulk&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("key", ["hr_admin", "hrbp", "w1_worker"])
def test_audit_list_query_count_does_not_grow(world, client, key):  # noqa: ANN001
    _write_events(world)
    login(client, world, key)
    small, _response = count_queries(lambda: client.get(reverse("audit:list")))
    subject = world.employees[key]
    with transaction.atomic():
        for number in range(80):
            audit_record(
                actor=world.user("hr_admin"),
                action="test.bulk",
                target=subject,
                before={"n": number},
                after={"n": number + 1},
                company_id=world.company.pk,
                department_path=subject.department.path,
                subject_employee_id=subject.pk,
            )
    large, response = count_queries(lambda: client.get(reverse("audit:list")))
    assert len(response.context["rows"]) == 50
    assert large == small


def test_verify_permission_matrix(world, client):  # noqa: ANN001
    _write_events(world)
    for key, allowed in [("admin", True), ("hr_admin", True), ("other_hr", True), ("ceo", False), ("hrbp", False), ("w1_worker", False)]:
        login(client, world, key)
        get_status = client.get(reverse("audit:verify")).status_code
        post = client.post(reverse("audit:verify"))
        if allowed:
            assert (get_status, post.status_code) == (200, 200), key
            assert post.context["report"].ok is True
            assert post.context["report"].checked == 8
            assert "Audit chain intact: 8 events verified." in post.content.decode()
        else:
            assert (get_status, post.status_code) == (403, 403), key


def test_verify_link_only_for_those_allowed(world, client):  # noqa: ANN001
    login(client, world, "hr_admin")
    assert reverse("audit:verify") in client.get(reverse("audit:list")).content.decode()
    login(client, world, "ceo")
    assert reverse("audit:verify") not in client.get(reverse("audit:list")).content.decode()
