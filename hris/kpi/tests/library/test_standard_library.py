"""The curated library shipped in library_data/: complete, valid, sensible, and loadable."""

import re
from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import PermissionDenied
from hris.kpi.choices import Aggregation, Category, Direction, Measurement, MetricLevel, WhenNoData
from hris.kpi.models import Indicator, Template, TemplateVersion
from hris.kpi.rules import parse_rule, score, weighted_points
from hris.kpi.services.library import INDICATOR_FIELDS, indicator_create, library_load_standard, standard_library
from hris.org.choices import JobFamily

INDICATORS, TEMPLATES = standard_library()
BY_CODE = {indicator["code"]: indicator for indicator in INDICATORS}
TEMPLATE_BY_CODE = {template["code"]: template for template in TEMPLATES}
REQUIRED_NAMES = [
    "产量达标率", "次品率", "设备利用率", "设备故障率", "业绩达成率", "新客户数量", "回款率", "项目交付周期", "缺陷修复时效",
    "客户满意度", "投诉率", "成本控制率", "招聘及时率", "到面率", "到岗率", "培训完成率", "账务处理正确率", "预算编制合规性",
]  # fmt: skip
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def test_library_has_enough_distinct_indicators_and_templates():
    assert len(INDICATORS) >= 120
    assert len(TEMPLATES) >= 12
    assert len(BY_CODE) == len(INDICATORS)
    assert len({indicator["name_zh"] for indicator in INDICATORS}) == len(INDICATORS)
    assert len(TEMPLATE_BY_CODE) == len(TEMPLATES)


def test_required_chinese_names_are_present():
    names = {indicator["name_zh"] for indicator in INDICATORS}
    assert [name for name in REQUIRED_NAMES if name not in names] == []


def test_every_indicator_is_complete_and_consistent():
    problems = []
    for indicator in INDICATORS:
        code = indicator["code"]
        parse_rule(indicator["default_rule"])  # raises on an invalid rule
        checks = {
            "fields": set(indicator) == set(INDICATOR_FIELDS) - {"is_active"},
            "slug": bool(SLUG.match(code)),
            "choices": indicator["direction"] in Direction.values
            and indicator["aggregation"] in Aggregation.values
            and indicator["metric_level"] in MetricLevel.values
            and indicator["when_no_data"] in WhenNoData.values
            and indicator["category"] in Category.values
            and indicator["measurement"] in Measurement.values,
            "texts": all(indicator[name] for name in ("name_zh", "name_en", "description", "unit", "data_source", "tags")),
            "denominator": bool(indicator["denominator_key"]) == (indicator["aggregation"] == Aggregation.RATIO),
            "ratio is a percentage": indicator["aggregation"] != Aggregation.RATIO or indicator["unit"] == "%",
            "metric key": all(IDENTIFIER.match(key) for key in (indicator["metric_key"], indicator["denominator_key"]) if key)
            and bool(indicator["metric_key"]) == (indicator["measurement"] == Measurement.QUANTITATIVE),
            "qualitative is rated": (indicator["measurement"] == Measurement.QUALITATIVE)
            == (indicator["default_rule"]["type"] == "manual"),
        }
        problems += [f"{code}: {name}" for name, passed in checks.items() if not passed]
    assert problems == []


def test_lower_better_indicators_reward_low_values():
    problems = []
    for indicator in (indicator for indicator in INDICATORS if indicator["direction"] == Direction.LOWER_BETTER):
        rule = parse_rule(indicator["default_rule"])
        low, high = (Decimal(0), Decimal(1000)) if rule.type != "piecewise" else (rule.knots[0][0], rule.knots[-1][0])
        if rule.type in ("linear", "binary") or score(rule, actual=low, target=indicator["default_target"]) <= score(
            rule, actual=high, target=indicator["default_target"]
        ):
            problems.append(indicator["code"])
    assert problems == []


def test_only_incident_counts_treat_missing_data_as_zero():
    zero = [indicator for indicator in INDICATORS if indicator["when_no_data"] == WhenNoData.ZERO]
    assert {indicator["code"] for indicator in zero} >= {"safety-incidents", "valid-complaints", "production-defects", "payment-errors"}
    assert all(indicator["aggregation"] == "sum" and indicator["direction"] == "lower_better" for indicator in zero)


def test_every_template_has_5_to_8_known_items_weighing_exactly_100():
    problems = []
    for template in TEMPLATES:
        items = template["items"]
        codes = [item["indicator"] for item in items]
        if not 5 <= len(items) <= 8 or len(set(codes)) != len(codes) or not set(codes) <= set(BY_CODE):
            problems.append(f"{template['code']}: items")
        if sum(Decimal(str(item["weight"])) for item in items) != 100:
            problems.append(f"{template['code']}: weights")
        if template["job_family"] not in ["", *JobFamily.values] or not template["name_zh"] or not template["industry"]:
            problems.append(f"{template['code']}: fields")
        for item in items:
            if "rule" in item:
                parse_rule(item["rule"])
    assert problems == []


def test_manufacturing_production_template_is_pinned():
    template = TEMPLATE_BY_CODE["manufacturing-production"]
    rows = [
        (BY_CODE[item["indicator"]]["name_zh"], item["weight"], BY_CODE[item["indicator"]]["data_source"]) for item in template["items"]
    ]

    assert template["name_zh"] == "生产制造（生产部）"
    assert rows == [
        ("生产效率", 30, "ERP"),
        ("产品质量", 25, "QC系统"),
        ("销售业绩", 20, "业务系统"),
        ("出勤", 10, "考勤"),
        ("团队协作", 15, "部门评价"),
    ]
    assert BY_CODE["teamwork"]["default_rule"]["type"] == "manual"


def test_recruiting_template_weighs_onboard_rate_40():
    template = TEMPLATE_BY_CODE["hr-recruiting"]
    weights = {BY_CODE[item["indicator"]]["name_zh"]: item["weight"] for item in template["items"]}
    assert weights["到岗率"] == 40
    assert BY_CODE["onboard-rate"]["name_en"] == "Onboard rate"


@pytest.mark.parametrize(
    ("code", "actual", "weight", "points"),
    [
        ("equipment-failure-rate", 2, 10, "10.00"),  # DESIGN.md §6: 2 % against ≤ 3 %, weight 10 % → 10 points
        ("rd-project-progress", 80, 25, "20.00"),  # DESIGN.md §6: 80 % against 100 %, weight 25 % → 20 points
    ],
)
def test_library_rules_reproduce_the_pinned_design_examples(code, actual, weight, points):
    indicator = BY_CODE[code]
    indicator_score = score(parse_rule(indicator["default_rule"]), actual=actual, target=indicator["default_target"])
    assert weighted_points(weight, indicator_score) == Decimal(points)


def test_loading_creates_the_library_once_and_never_overwrites(world):
    # Given the company already has its own "defect-rate"
    own = indicator_create(
        actor=None,
        company=world.company,
        code="defect-rate",
        name_zh="我们的次品率",
        aggregation="sum",
        metric_key="defects",
        default_rule={"type": "deduction", "per_occurrence": 5},
    )
    audit_before = AuditEvent.objects.count()

    summary = library_load_standard(actor=world.user("hr_admin"), company=world.company)

    assert summary["indicators_skipped"] == ["defect-rate"]
    assert len(summary["indicators_created"]) == len(INDICATORS) - 1
    assert summary["templates_created"] == [template["code"] for template in TEMPLATES]
    assert (summary["templates_skipped"], summary["templates_refused"]) == ([], {})
    assert Indicator.objects.get(pk=own.pk).name_zh == "我们的次品率"
    assert Indicator.objects.filter(company=world.company).count() == len(INDICATORS)
    version = TemplateVersion.objects.get(template__company=world.company, template__code="manufacturing-production")
    items = list(version.items.select_related("indicator").order_by("order"))
    assert [(item.indicator.name_zh, item.weight) for item in items] == [
        ("生产效率", 30), ("产品质量", 25), ("销售业绩", 20), ("出勤", 10), ("团队协作", 15),
    ]  # fmt: skip
    assert items[4].rule == BY_CODE["teamwork"]["default_rule"]
    actions = list(AuditEvent.objects.filter(sequence__gt=audit_before).order_by("sequence").values_list("action", flat=True))
    assert actions.count("kpi.indicator_created") == len(INDICATORS) - 1
    assert actions.count("kpi.template_created") == len(TEMPLATES)
    assert actions[-1] == "kpi.standard_library_loaded"

    again = library_load_standard(actor=world.user("hr_admin"), company=world.company)

    assert (again["indicators_created"], again["templates_created"]) == ([], [])
    assert sorted(again["indicators_skipped"]) == sorted(BY_CODE)
    assert Template.objects.filter(company=world.company).count() == len(TEMPLATES)


def test_a_deactivated_indicator_refuses_only_the_templates_using_it(world):
    indicator_create(actor=None, company=world.company, **(BY_CODE["onboard-rate"] | {"is_active": False}))

    summary = library_load_standard(actor=None, company=world.company)

    assert list(summary["templates_refused"]) == ["hr-recruiting"]
    assert summary["templates_refused"]["hr-recruiting"] == ["The indicator “到岗率” is no longer active."]
    assert len(summary["templates_created"]) == len(TEMPLATES) - 1


@pytest.mark.parametrize("actor_key", ["ceo", "hrbp", "prod_head", "w1_worker", "other_hr"])
def test_loading_is_refused_without_company_wide_kpi_configuration(world, actor_key):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        library_load_standard(actor=world.user(actor_key), company=world.company)
    assert Indicator.objects.filter(company=world.company).count() == 0
    assert AuditEvent.objects.count() == audit_before
