"""Templates: items validated as a whole, versions pinned by cycles never change, permissions, audit."""

from datetime import date

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.models import Cycle, CycleAssignment, Template, TemplateItem, TemplateVersion
from hris.kpi.services.library import indicator_update, template_create, template_set_items, template_update

from .helpers import DEFECT_RULE, LINE_ITEMS, MANUAL_RULE, make_indicator, make_line_library, make_line_template, version_rows

DENIED = ["ceo", "hrbp", "prod_head", "w1_worker", "other_hr"]
NEW_ITEMS = [{"indicator": "line-output", "weight": 60}, {"indicator": "line-defect-rate", "weight": 40, "target": "0.8"}]


def _counts() -> tuple[int, int, int, int]:
    return Template.objects.count(), TemplateVersion.objects.count(), TemplateItem.objects.count(), AuditEvent.objects.count()


def _assign(version: TemplateVersion, world) -> CycleAssignment:  # noqa: ANN001
    cycle = Cycle.objects.create(
        company=world.company, name="2026年3月", period_type="monthly", period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
    )
    return CycleAssignment.objects.create(cycle=cycle, template_version=version, kind="department", department=world.production)


def test_create_makes_version_1_copying_default_rules_and_targets(world):
    library = make_line_library(world.company)
    items = [LINE_ITEMS[0] | {"indicator": library["output"]}, *LINE_ITEMS[1:]]  # an Indicator or its code

    template = template_create(actor=world.user("hr_admin"), company=world.company, code="line-crew", name_zh="产线班组", items=items)

    version = template.versions.get()
    assert (version.number, version.created_by_id) == (1, world.users["hr_admin"].pk)
    assert version_rows(version) == [
        ("line-output", "50.00", "1200.0000"),
        ("line-defect-rate", "30.00", "1.0000"),
        ("line-teamwork", "20.00", None),
    ]
    assert [item.rule for item in version.items.order_by("order")] == [{"type": "linear", "cap": 120}, DEFECT_RULE, MANUAL_RULE]
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.target_id) == ("kpi.template_created", str(template.pk))
    assert event.after["items"][0] == {"indicator": "line-output", "weight": "50", "target": "1200", "rule": {"type": "linear", "cap": 120}}


def test_an_item_rule_overrides_the_indicator_default(world):
    make_line_library(world.company)
    strict = {"type": "bands", "comparison": "le", "bands": [{"threshold": "0.5", "score": 100}], "otherwise": 0}
    items = [LINE_ITEMS[0], LINE_ITEMS[1] | {"rule": strict}, LINE_ITEMS[2]]

    template = template_create(actor=None, company=world.company, code="strict-crew", name_zh="严格班组", items=items)

    assert template.versions.get().items.get(indicator__code="line-defect-rate").rule == strict


def test_weights_not_adding_up_to_100_are_refused_with_the_sum_and_nothing_is_written(world):
    make_line_library(world.company)
    before = _counts()
    items = [LINE_ITEMS[0] | {"weight": "40.5"}, *LINE_ITEMS[1:]]

    with pytest.raises(DomainError) as raised:
        template_create(actor=world.user("hr_admin"), company=world.company, code="line-crew", name_zh="产线班组", items=items)

    assert raised.value.field_errors == {"items": ["The weights must add up to exactly 100; they add up to 90.5."]}
    assert _counts() == before


def test_every_item_problem_is_reported_at_once(world):
    library = make_line_library(world.company)
    indicator_update(actor=None, indicator=library["teamwork"], is_active=False)
    foreign = make_indicator(world.other_company, "foreign-rate")
    items = [
        {"indicator": "line-output", "weight": 0},
        {"indicator": "line-output", "weight": 20},
        {"indicator": "no-such-code", "weight": 20},
        {"indicator": "line-teamwork", "weight": 20},
        {"indicator": foreign, "weight": "20.001"},
        {"indicator": "line-defect-rate", "weight": 20, "target": "x", "rule": {"type": "binary"}, "colour": "red"},
    ]

    with pytest.raises(DomainError) as raised:
        template_create(actor=world.user("hr_admin"), company=world.company, code="Bad Code", name_zh="", items=items)

    assert raised.value.field_errors == {
        "items.0.weight": ["A weight must be greater than 0 and at most 100."],
        "items.1.indicator": ["The indicator “产线产量” is already item 1."],
        "items.2.indicator": ["There is no indicator with the code “no-such-code”."],
        "items.3.indicator": ["The indicator “班组协作” is no longer active."],
        "items.4.indicator": ["This indicator belongs to another company."],
        "items.4.weight": ["Use at most 2 decimal places."],
        "items.5.colour": ["Unknown field."],
        "items.5.target": ["“x” is not a number."],
        "items.5.rule": ["comparison: This field is required."],
        "code": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."],
        "name_zh": ["This field cannot be blank."],
    }


@pytest.mark.parametrize("items", [[], None])
def test_a_template_needs_at_least_one_item(world, items):
    with pytest.raises(DomainError) as raised:
        template_create(actor=None, company=world.company, code="empty", name_zh="空模板", items=items)
    assert raised.value.field_errors == {"items": ["A template needs at least one indicator."]}


def test_template_codes_are_unique_per_company(world):
    make_line_library(world.company)
    make_line_template(world.company)

    with pytest.raises(DomainError) as raised:
        make_line_template(world.company)

    assert raised.value.field_errors == {"code": ["A template with the code “line-crew” already exists."]}


def test_editing_an_unused_template_replaces_the_items_of_its_latest_version(world):
    make_line_library(world.company)
    template = make_line_template(world.company)
    version_1 = template.versions.get()

    version = template_set_items(actor=world.user("hr_admin"), template=template, items=NEW_ITEMS, note="去掉协作")

    assert (version.pk, version.number, version.note) == (version_1.pk, 1, "去掉协作")
    assert version_rows(version) == [("line-output", "60.00", "1000.0000"), ("line-defect-rate", "40.00", "0.8000")]
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.reason) == ("kpi.template_items_replaced", "去掉协作")
    assert (event.before["version"], event.after["version"]) == (1, 1)
    assert [item["indicator"] for item in event.before["items"]] == ["line-output", "line-defect-rate", "line-teamwork"]


def test_editing_a_template_a_cycle_uses_creates_version_2_and_the_cycle_keeps_version_1(world):
    make_line_library(world.company)
    template = make_line_template(world.company)
    version_1 = template.versions.get()
    assignment = _assign(version_1, world)
    rows_1 = version_rows(version_1)

    version_2 = template_set_items(actor=world.user("hr_admin"), template=template, items=NEW_ITEMS, note="旺季调整")

    assert (version_2.number, version_2.note, version_2.created_by_id) == (2, "旺季调整", world.users["hr_admin"].pk)
    assert version_rows(version_2) == [("line-output", "60.00", "1000.0000"), ("line-defect-rate", "40.00", "0.8000")]
    assignment.refresh_from_db()
    assert assignment.template_version_id == version_1.pk
    assert version_rows(version_1) == rows_1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.before["version"], event.after["version"]) == ("kpi.template_version_created", 1, 2)

    # version 2 is not used yet: editing it again changes it in place
    again = template_set_items(actor=world.user("hr_admin"), template=template, items=LINE_ITEMS)
    assert (again.pk, TemplateVersion.objects.filter(template=template).count()) == (version_2.pk, 2)


def test_setting_the_same_items_again_changes_nothing(world):
    make_line_library(world.company)
    template = make_line_template(world.company)
    before = _counts()

    version = template_set_items(actor=world.user("hr_admin"), template=template, items=LINE_ITEMS)

    assert version.number == 1
    assert _counts() == before


def test_invalid_items_leave_the_template_as_it_was(world):
    make_line_library(world.company)
    template = make_line_template(world.company)
    rows, before = version_rows(template.versions.get()), _counts()

    with pytest.raises(DomainError) as raised:
        template_set_items(actor=world.user("hr_admin"), template=template, items=NEW_ITEMS[:1])

    assert raised.value.message == "The weights must add up to exactly 100; they add up to 60."
    assert (version_rows(template.versions.get()), _counts()) == (rows, before)


def test_update_changes_names_and_audits(world):
    make_line_library(world.company)
    template = make_line_template(world.company)

    updated = template_update(actor=world.user("hr_admin"), template=template, name_en="Line crew", department=world.production)

    assert (updated.name_en, updated.department_id) == ("Line crew", world.production.pk)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.before["name_en"], event.after["department_id"]) == ("kpi.template_updated", "", world.production.pk)


def test_update_refuses_a_department_of_another_company(world):
    make_line_library(world.company)
    template = make_line_template(world.company)

    with pytest.raises(DomainError) as raised:
        template_update(actor=world.user("hr_admin"), template=template, department=world.other_root)

    assert raised.value.field_errors == {"department": ["It belongs to another company."]}
    assert Template.objects.get(pk=template.pk).department_id is None


@pytest.mark.parametrize("actor_key", DENIED)
def test_template_changes_are_refused_without_company_wide_kpi_configuration(world, actor_key):
    make_line_library(world.company)
    template = make_line_template(world.company)
    rows, before = version_rows(template.versions.get()), _counts()
    actor = world.user(actor_key)

    for change in (
        lambda: template_create(actor=actor, company=world.company, code="other", name_zh="其他", items=LINE_ITEMS),
        lambda: template_update(actor=actor, template=template, name_zh="改名"),
        lambda: template_set_items(actor=actor, template=template, items=NEW_ITEMS),
    ):
        with pytest.raises(PermissionDenied):
            change()

    assert Template.objects.get(pk=template.pk).name_zh == "产线班组"
    assert (version_rows(template.versions.get()), _counts()) == (rows, before)
