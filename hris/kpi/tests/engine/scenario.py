"""A hand-checked manufacturing scenario built straight through the ORM (engine tests only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hris.kpi.choices import Aggregation, CycleState, Direction, MetricLevel, PeriodType, WhenNoData
from hris.kpi.models import Assessment, Cycle, Indicator, MetricRecord, Rating, Template, TemplateItem, TemplateVersion

SHANGHAI = ZoneInfo("Asia/Shanghai")
LINEAR_120 = {"type": "linear", "floor": 0, "cap": 120}
QUALITY_BANDS = {
    "type": "bands",
    "comparison": "le",
    "bands": [{"threshold": 1, "score": 100}, {"threshold": 2, "score": 80}],
    "otherwise": 50,
}
LATE_DEDUCTION = {"type": "deduction", "per_occurrence": 5, "full": 100, "floor": 0}
TEAMWORK_MANUAL = {"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 30}}


@dataclass
class Scenario:
    cycle: Cycle
    version: TemplateVersion
    indicators: dict[str, Indicator]
    assessments: dict[str, Assessment] = field(default_factory=dict)


def indicator(company, code: str, **fields) -> Indicator:
    defaults = {"name_zh": code, "metric_key": code, "default_rule": {"type": "linear"}, "direction": Direction.HIGHER_BETTER}
    defaults.update(fields)
    return Indicator.objects.create(company=company, code=code, **defaults)


def template(company, code: str, items: list[tuple[Indicator, str, dict, str | None]]) -> TemplateVersion:
    created = Template.objects.create(company=company, code=code, name_zh=code)
    version = TemplateVersion.objects.create(template=created, number=1)
    for order, (item_indicator, weight, rule, target) in enumerate(items):
        TemplateItem.objects.create(
            version=version,
            indicator=item_indicator,
            weight=Decimal(weight),
            rule=rule,
            target=None if target is None else Decimal(target),
            order=order,
        )
    return version


def record(company, key: str, value: str, *, employee=None, department=None, day: int = 15, external_id: str | None = None) -> MetricRecord:
    when = date(2026, 10, day)
    return MetricRecord.objects.create(
        company=company,
        employee=employee,
        department=department,
        metric_key=key,
        period_start=when,
        period_end=when,
        value=Decimal(value),
        source="test",
        external_id=external_id or f"{key}-{getattr(employee, 'pk', None)}-{getattr(department, 'pk', None)}-{day}-{value}",
        recorded_at=datetime(2026, 10, day, 9, tzinfo=SHANGHAI),
    )


def manufacturing(world) -> Scenario:
    """The pinned manufacturing template: efficiency 30, quality 25, sales 20, attendance 10, teamwork 15."""
    company = world.company
    indicators = {
        "efficiency": indicator(company, "production_efficiency", aggregation=Aggregation.AVG, data_source="ERP", unit="%"),
        "quality": indicator(
            company,
            "defect_rate",
            aggregation=Aggregation.RATIO,
            metric_key="defects",
            denominator_key="output",
            direction=Direction.LOWER_BETTER,
            data_source="QC",
        ),
        "sales": indicator(company, "sales_amount", aggregation=Aggregation.SUM, metric_level=MetricLevel.DEPARTMENT, unit="元"),
        "attendance": indicator(company, "late_count", aggregation=Aggregation.COUNT, when_no_data=WhenNoData.ZERO, metric_key="late"),
        "teamwork": indicator(company, "teamwork", metric_key="", measurement="qualitative", default_rule=TEAMWORK_MANUAL),
    }
    version = template(
        company,
        "manufacturing-production",
        [
            (indicators["efficiency"], "30", LINEAR_120, "100"),
            (indicators["quality"], "25", QUALITY_BANDS, "1"),
            (indicators["sales"], "20", LINEAR_120, "500000"),
            (indicators["attendance"], "10", LATE_DEDUCTION, None),
            (indicators["teamwork"], "15", TEAMWORK_MANUAL, None),
        ],
    )
    cycle = Cycle.objects.create(
        company=company,
        name="2026年10月",
        period_type=PeriodType.MONTHLY,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        state=CycleState.SCORING,
    )
    scenario = Scenario(cycle=cycle, version=version, indicators=indicators)
    for name in ("w1_worker", "w1_lead", "w2_worker"):
        employee = world.employee(name)
        scenario.assessments[name] = Assessment.objects.create(
            cycle=cycle, employee=employee, department=employee.department, template_version=version
        )
    return scenario


def give_worker_data(world, scenario: Scenario) -> None:
    """w1_worker: efficiency avg(90, 96) = 93; defects 3 / output 200 = 1.5 %; workshop sales 550,000;
    2 late arrivals; manager rates 4, peers 5 and 4."""
    company, worker = world.company, world.employee("w1_worker")
    record(company, "production_efficiency", "90", employee=worker, day=10)
    record(company, "production_efficiency", "96", employee=worker, day=20)
    record(company, "defects", "3", employee=worker)
    record(company, "output", "200", employee=worker)
    record(company, "sales_amount", "300000", department=worker.department, day=5)
    record(company, "sales_amount", "250000", department=worker.department, day=25)
    record(company, "late", "1", employee=worker, day=3)
    record(company, "late", "1", employee=worker, day=4)
    assessment = scenario.assessments["w1_worker"]
    teamwork = scenario.indicators["teamwork"]
    Rating.objects.create(assessment=assessment, indicator=teamwork, rater_role="manager", rater=world.user("w1_lead"), value=4)
    Rating.objects.create(assessment=assessment, indicator=teamwork, rater_role="peer", rater=world.user("w2_worker"), value=5)
    Rating.objects.create(assessment=assessment, indicator=teamwork, rater_role="peer", rater=world.user("sales_rep"), value=4)
