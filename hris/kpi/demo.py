"""KPI demo data for the demo company: the standard library, an October cycle in scoring and a
November cycle open for live progress, with metric records from the plant's systems and ratings.

Values are drawn around each indicator's target from one seeded random generator, so the same
seed gives the same scores. Everything goes through the services (the system is the actor).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from hris.kpi.choices import Aggregation, AssignmentKind, Direction, MetricLevel, PeriodType
from hris.kpi.models import Assessment, ComputationRun, Cycle, RatingRequest, Template, TemplateItem
from hris.kpi.rules import ManualRule, parse_rule
from hris.kpi.services.computation import computation_run_execute
from hris.kpi.services.cycle_transitions import cycle_open, cycle_start_scoring
from hris.kpi.services.cycles import assignment_add, cycle_create
from hris.kpi.services.library import library_load_standard
from hris.kpi.services.metrics import metric_records_submit
from hris.kpi.services.rating_requests import peer_rater_add, rating_requests_generate, rating_settings_set
from hris.kpi.services.ratings import rating_submit
from hris.org.models import Company, Department, Position

# Department subtrees and positions → template codes (positions are more specific and win).
DEPARTMENT_TEMPLATES = {
    "gm-office": "administration",
    "production": "manufacturing-operator",
    "warehouse": "logistics-warehouse",
    "quality": "manufacturing-quality",
    "equipment": "equipment-maintenance",
    "sales": "sales-representative",
    "rd": "rd-engineer",
    "procurement": "procurement",
    "hr-admin": "administration",
    "hr": "hr-recruiting",
    "plant-hr-admin": "hrbp",
    "finance": "finance-accounting",
}
POSITION_TEMPLATES = {
    "production-director": "manufacturing-production",
    "workshop-manager": "manufacturing-production",
    "team-leader": "manufacturing-production",
    "sales-director": "sales-manager",
    "regional-sales-manager": "sales-manager",
    "hrbp": "hrbp",
    "recruiter": "hr-recruiting",
}
SOURCES = {
    "财务系统": "finance",
    "部门评价": "evaluation",
    "QC系统": "qc",
    "客服系统": "service-desk",
    "设备管理系统": "eam",
    "项目管理系统": "pms",
    "招聘系统": "ats",
    "人事系统": "hris",
    "培训系统": "lms",
    "问卷调查": "survey",
    "考勤": "attendance",
    "业务系统": "business",
    "薪资系统": "payroll",
}
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31), (5, 15, 25))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30), (5, 15))  # the demo's "today" is late November


@dataclass
class _Plan:
    cycle: Cycle
    days: tuple[int, ...]
    tag: str


def seed_kpi_demo(company: Company, *, seed: int = 2026, log: Callable[[str], None] = print) -> dict:
    rng = random.Random(seed)
    summary = library_load_standard(actor=None, company=company)
    log(f"  KPI library: {len(summary['indicators_created'])} indicators, {len(summary['templates_created'])} templates")
    october = _cycle(company, "2026年10月 月度考核", OCTOBER)
    november = _cycle(company, "2026年11月 月度考核", NOVEMBER)
    performance = {}  # one performance factor per employee, shared by both months
    for plan in (_Plan(october, OCTOBER[2], "2026-10"), _Plan(november, NOVEMBER[2], "2026-11")):
        count = _records(company, plan, rng, performance)
        log(f"  {plan.cycle.name}: {count} metric records")
    _ratings(company, october, rng)
    requests = _rating_requests(company, november, rng)
    log(f"  {november.name}: {requests['requests']} rating requests, {requests['submitted']} already rated")
    cycle_start_scoring(actor=None, cycle=october)
    for cycle in (october, november):
        run = computation_run_execute(run_id=ComputationRun.objects.create(cycle=cycle, kind="full", reason="demo").pk)
        log(f"  {cycle.name}: computed {run.total} assessments ({run.state})")
    return {"cycles": 2, "assessments": Assessment.objects.filter(cycle__company=company).count()}


def _cycle(company: Company, name: str, period: tuple) -> Cycle:
    start, end, _days = period
    cycle = cycle_create(actor=None, company=company, name=name, period_type=PeriodType.MONTHLY, period_start=start, period_end=end)
    versions = {template.code: template.versions.order_by("-number").first() for template in Template.objects.filter(company=company)}
    departments = {department.code: department for department in Department.objects.filter(company=company)}
    for code, template_code in DEPARTMENT_TEMPLATES.items():
        if code in departments and versions.get(template_code):
            assignment_add(
                actor=None,
                cycle=cycle,
                template_version=versions[template_code],
                kind=AssignmentKind.DEPARTMENT,
                department=departments[code],
            )
    for position in Position.objects.filter(company=company, code__in=POSITION_TEMPLATES):
        version = versions.get(POSITION_TEMPLATES[position.code])
        if version:
            assignment_add(actor=None, cycle=cycle, template_version=version, kind=AssignmentKind.POSITION, position=position)
    cycle_open(actor=None, cycle=cycle)
    return cycle


def _records(company: Company, plan: _Plan, rng: random.Random, performance: dict) -> int:
    items: dict[int, list[TemplateItem]] = {}
    for item in TemplateItem.objects.filter(version__assessments__cycle=plan.cycle).select_related("indicator").distinct():
        items.setdefault(item.version_id, []).append(item)
    records, department_done = [], set()
    assessments = Assessment.objects.filter(cycle=plan.cycle).select_related("employee", "department").order_by("employee__employee_number")
    for assessment in assessments:
        factor = performance.setdefault(assessment.employee_id, min(max(rng.gauss(1.0, 0.12), 0.6), 1.35))
        for item in items.get(assessment.template_version_id, []):
            indicator = item.indicator
            if indicator.measurement == "qualitative" or not indicator.metric_key:
                continue
            if indicator.metric_level == MetricLevel.DEPARTMENT:
                owner_key = (assessment.department_id, indicator.metric_key)
                if owner_key in department_done:
                    continue
                department_done.add(owner_key)
                owner = {"department_code": assessment.department.code}
            else:
                owner = {"employee_id": assessment.employee_id}
            target = item.target if item.target is not None else indicator.default_target
            records += _values(indicator, target, factor * rng.uniform(0.93, 1.07), plan, owner, rng)
    for start in range(0, len(records), 2000):
        with transaction.atomic():
            result = metric_records_submit(actor=None, company=company, records=records[start : start + 2000], source_default="demo")
        rejected = [outcome for outcome in result.outcomes if outcome.status == "rejected"]
        if rejected:
            raise RuntimeError(f"Demo metric records rejected: {rejected[:3]}")
    return len(records)


def _values(indicator, target, factor: float, plan: _Plan, owner: dict, rng: random.Random) -> list[dict]:
    actual = _plausible_actual(indicator, target, factor, rng)
    start = plan.cycle.period_start
    ascii_name = "".join(ch for ch in indicator.data_source.lower() if ch.isascii() and ch.isalnum())
    source = SOURCES.get(indicator.data_source) or ascii_name or "system"
    owner_tag = f"e{owner['employee_id']}" if "employee_id" in owner else f"d-{owner['department_code']}"

    def record(key: str, value: Decimal, day: int, suffix: str = "") -> dict:
        when = start.replace(day=day)
        external_id = f"{plan.tag}-{key}-{owner_tag}-{day}{suffix}"
        return {
            **owner,
            "metric_key": key,
            "value": str(_round(value)),
            "date": when.isoformat(),
            "source": source,
            "external_id": external_id,
        }

    share = Decimal(len(plan.days)) / Decimal(3)  # an open month has only part of the month's data
    if indicator.aggregation == Aggregation.SUM:
        return [record(indicator.metric_key, actual * share / len(plan.days), day) for day in plan.days]
    if indicator.aggregation == Aggregation.COUNT:
        occurrences = min(int(actual * share), 6) if indicator.when_no_data == "zero" else max(int(actual * share), 1)
        return [record(indicator.metric_key, Decimal(1), plan.days[index % len(plan.days)], f"-{index}") for index in range(occurrences)]
    if indicator.aggregation == Aggregation.RATIO:
        denominator = Decimal(rng.randint(200, 1200))
        return [
            record(indicator.metric_key, actual * denominator / 100, plan.days[-1]),
            record(indicator.denominator_key, denominator, plan.days[-1]),
        ]
    # avg, last, max, min: a value on each data day close to the period's figure
    return [record(indicator.metric_key, actual * Decimal(str(round(rng.uniform(0.97, 1.03), 4))), day) for day in plan.days]


def _plausible_actual(indicator, target, factor: float, rng: random.Random) -> Decimal:
    """A period figure for a performer `factor` (1.0 = on target) that the indicator's rule can tell apart."""
    lower_better = indicator.direction == Direction.LOWER_BETTER
    if target in (None, 0):
        # incident counts with a zero target: mostly none, now and then one or two
        return Decimal(rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2])) if lower_better else Decimal(100) * Decimal(str(round(factor, 4)))
    target = Decimal(target)
    deviation = Decimal(str(round(factor - 1, 4)))
    if indicator.unit == "%" and target > 50 and not lower_better:
        # rates near 100 %: a good performer closes part of the remaining gap, a weak one widens it
        gap = max(Decimal(100) - target, Decimal(2))
        return min(max(target + deviation * gap * 3, Decimal(0)), Decimal(100))
    if lower_better:
        return max(target * (1 - deviation), Decimal(0))
    return target * (1 + deviation)


def _ratings(company: Company, cycle: Cycle, rng: random.Random) -> None:
    hr_user = get_user_model().objects.filter(username="hr").first()
    manual = [
        (item.version_id, item.indicator, parse_rule(item.rule))
        for item in TemplateItem.objects.filter(version__assessments__cycle=cycle).select_related("indicator").distinct()
    ]
    manual = [(version_id, indicator, rule) for version_id, indicator, rule in manual if isinstance(rule, ManualRule)]
    assessments = Assessment.objects.filter(cycle=cycle).select_related("employee__manager__user", "department", "cycle")
    for assessment in assessments:
        rater = getattr(assessment.employee.manager, "user", None) or hr_user
        if rater is None:
            return
        for version_id, indicator, rule in manual:
            if version_id != assessment.template_version_id:
                continue
            role = "manager" if "manager" in dict(rule.rater_weights) else rule.rater_weights[0][0]
            value = (
                Decimal(rng.choice([3, 3.5, 4, 4, 4.5, 5])) * (rule.scale_max - rule.scale_min) / 4
                + rule.scale_min
                - (rule.scale_max - rule.scale_min) / 4
            )
            value = min(max(value, rule.scale_min), rule.scale_max)
            rating_submit(actor=None, assessment=assessment, indicator=indicator, rater_role=role, value=value, rater=rater)


# Demo users who should find ratings waiting for them on /kpi/ratings/.
DEMO_RATERS = ("manager", "employee")


def _rating_requests(company: Company, cycle: Cycle, rng: random.Random) -> dict:
    """The open month collects teamwork (团队协作) ratings: managers rate their reports, chosen
    colleagues rate as anonymous peers; about half are in, and the demo raters keep some to do."""
    cycle.refresh_from_db()
    rating_settings_set(
        actor=None, cycle=cycle, due_date=cycle.period_end + timedelta(days=5), anonymous_peers=True, reminder_days_before=3
    )
    User = get_user_model()
    employee_user = User.objects.filter(username="employee").select_related("employee").first()
    colleague = getattr(employee_user, "employee", None)
    if colleague is not None:
        teammates = Assessment.objects.filter(cycle=cycle, employee__department_id=colleague.department_id).exclude(employee=colleague)
        for assessment in teammates.select_related("employee__department").order_by("employee__employee_number")[:3]:
            peer_rater_add(actor=None, cycle=cycle, employee=assessment.employee, rater=employee_user)
            if assessment.employee.user_id:
                peer_rater_add(actor=None, cycle=cycle, employee=colleague, rater=assessment.employee.user)
    rating_requests_generate(actor=None, cycle=cycle)
    demo_rater_ids = set(User.objects.filter(username__in=DEMO_RATERS).values_list("pk", flat=True))
    requests = RatingRequest.objects.filter(cycle=cycle, indicator__code="teamwork").select_related(
        "assessment__cycle", "assessment__employee", "assessment__department", "indicator", "rater"
    )
    submitted, kept_for_demo = 0, {}
    for request in requests.order_by("pk"):
        if request.rater_id in demo_rater_ids:
            # each demo rater has given one rating already and keeps the rest pending
            if kept_for_demo.get(request.rater_id):
                continue
            kept_for_demo[request.rater_id] = True
        elif rng.random() < 0.5:
            continue
        value = Decimal(rng.choice(["3", "3.5", "4", "4", "4.5", "5"]))
        rating_submit(
            actor=None,
            assessment=request.assessment,
            indicator=request.indicator,
            rater_role=request.rater_role,
            value=value,
            rater=request.rater,
            comment=rng.choice(["", "", "配合积极，交接清楚。", "能主动支援其他工序。", "沟通及时，可以更主动一些。"]),
        )
        submitted += 1
    return {"requests": RatingRequest.objects.filter(cycle=cycle).count(), "submitted": submitted}


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)
