"""indicator_create / indicator_update: validation with exact messages, permissions, audit."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.models import Indicator
from hris.kpi.services.library import indicator_create, indicator_update

from .helpers import DEFECT_RULE, indicator_fields, make_indicator

DENIED = ["ceo", "hrbp", "prod_head", "w1_worker", "other_hr"]


def _last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-sequence").first()


@pytest.mark.parametrize("actor_key", ["hr_admin", "admin"])
def test_create_stores_the_indicator_and_audits_it(world, actor_key):
    indicator = indicator_create(actor=world.user(actor_key), company=world.company, **indicator_fields(description=" 不合格品 ÷ 检验数 "))

    indicator.refresh_from_db()
    assert (indicator.code, indicator.description, indicator.default_target) == ("line-defect-rate", "不合格品 ÷ 检验数", Decimal(1))
    assert (indicator.default_rule, indicator.is_active, indicator.when_no_data) == (DEFECT_RULE, True, "missing")
    event = _last_event()
    assert (event.action, event.target_id, event.actor_id) == ("kpi.indicator_created", str(indicator.pk), world.users[actor_key].pk)
    assert (event.company_id_ref, event.before, event.after["default_target"]) == (world.company.pk, None, "1")


DESCENDING_BANDS = {"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 1, "score": 60}]}
RULE_TYPES = "linear, piecewise, bands, binary, deduction, manual, formula"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"default_rule": DESCENDING_BANDS},
            {"default_rule": ["bands: For 'le' the thresholds must be strictly ascending (first band is the best)."]},
        ),
        ({"default_rule": {"type": "stars"}}, {"default_rule": [f"type: Choose one of: {RULE_TYPES}."]}),
        ({"default_rule": {"type": "linear", "cap": "lots"}}, {"default_rule": ["cap: Enter a number (expected a number, got 'lots')."]}),
        ({"denominator_key": ""}, {"denominator_key": ["A ratio indicator needs a denominator metric key."]}),
        ({"aggregation": "sum"}, {"denominator_key": ["Only a ratio indicator has a denominator metric key."]}),
        (
            {"metric_key": "", "denominator_key": "", "aggregation": "sum"},
            {"metric_key": ["A quantitative indicator needs the metric key it reads."]},
        ),
        ({"direction": "up"}, {"direction": ["Value 'up' is not a valid choice."]}),
        ({"code": "次品率"}, {"code": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]}),
        ({"name_zh": "  "}, {"name_zh": ["This field cannot be blank."]}),
        ({"default_target": "abc"}, {"default_target": ["“abc” value must be a decimal number."]}),
    ],
)
def test_create_refuses_invalid_fields_with_exact_messages_and_writes_nothing(world, overrides, expected):
    audit_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as raised:
        indicator_create(actor=world.user("hr_admin"), company=world.company, **indicator_fields(**overrides))

    assert raised.value.field_errors == expected
    assert raised.value.message == next(iter(expected.values()))[0]
    assert Indicator.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_codes_are_unique_per_company_with_a_clear_error(world):
    make_indicator(world.company, "line-defect-rate")

    with pytest.raises(DomainError) as raised:
        indicator_create(actor=world.user("hr_admin"), company=world.company, **indicator_fields())

    assert raised.value.field_errors == {"code": ["An indicator with the code “line-defect-rate” already exists."]}
    other = indicator_create(actor=world.user("other_hr"), company=world.other_company, **indicator_fields())
    assert other.company_id == world.other_company.pk


def test_unknown_field_is_a_programming_error(world):
    with pytest.raises(TypeError, match="Unknown fields: colour"):
        indicator_create(actor=None, company=world.company, **indicator_fields(colour="red"))


def test_update_changes_fields_and_audits_before_and_after(world):
    indicator = make_indicator(world.company, "line-defect-rate")

    updated = indicator_update(actor=world.user("hr_admin"), indicator=indicator, name_zh="次品率（产线）", default_target="0.5")

    assert Indicator.objects.get(pk=indicator.pk).name_zh == "次品率（产线）"
    assert updated.default_target == Decimal("0.5")
    event = _last_event()
    assert event.action == "kpi.indicator_updated"
    assert (event.before["name_zh"], event.after["name_zh"]) == ("产线次品率", "次品率（产线）")
    assert (event.before["default_target"], event.after["default_target"]) == ("1", "0.5")


def test_update_without_a_change_writes_no_audit_event(world):
    indicator = make_indicator(world.company, "line-defect-rate")
    audit_before = AuditEvent.objects.count()

    indicator_update(actor=world.user("hr_admin"), indicator=indicator, name_zh="产线次品率", default_target=1)

    assert AuditEvent.objects.count() == audit_before


def test_update_refuses_an_invalid_rule_and_a_taken_code_and_changes_nothing(world):
    make_indicator(world.company, "line-output", aggregation="sum", denominator_key="")
    indicator = make_indicator(world.company, "line-defect-rate")
    audit_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as raised:
        indicator_update(
            actor=world.user("hr_admin"), indicator=indicator, code="line-output", default_rule={"type": "deduction", "per_occurrence": 0}
        )

    assert raised.value.field_errors == {
        "default_rule": ["per_occurrence: Must be greater than 0."],
        "code": ["An indicator with the code “line-output” already exists."],
    }
    stored = Indicator.objects.get(pk=indicator.pk)
    assert (stored.code, stored.default_rule) == ("line-defect-rate", DEFECT_RULE)
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("actor_key", DENIED)
def test_create_is_refused_without_company_wide_kpi_configuration(world, actor_key):
    with pytest.raises(PermissionDenied):
        indicator_create(actor=world.user(actor_key), company=world.company, **indicator_fields())
    assert Indicator.objects.count() == 0


@pytest.mark.parametrize("actor_key", DENIED)
def test_update_is_refused_without_company_wide_kpi_configuration_and_nothing_changes(world, actor_key):
    indicator = make_indicator(world.company, "line-defect-rate")
    audit_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        indicator_update(actor=world.user(actor_key), indicator=indicator, name_zh="改名")

    assert Indicator.objects.get(pk=indicator.pk).name_zh == "产线次品率"
    assert AuditEvent.objects.count() == audit_before
