"""A 360° cycle on the test world: one rated indicator (teamwork, all five rater roles) for
prod_head, w1_lead, w1_worker and w2_worker, plus helpers to capture emitted events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hris.core import events
from hris.kpi.choices import CycleState, PeriodType
from hris.kpi.models import Assessment, Cycle, Indicator, TemplateVersion
from hris.kpi.tests.engine.scenario import indicator, template

RULE_360 = {
    "type": "manual",
    "scale_min": 1,
    "scale_max": 5,
    "rater_weights": {"manager": 40, "skip_level": 10, "peer": 30, "subordinate": 10, "self": 10},
}
RATED = ("prod_head", "w1_lead", "w1_worker", "w2_worker")


@dataclass
class Rated360:
    cycle: Cycle
    version: TemplateVersion
    teamwork: Indicator
    output: Indicator
    assessments: dict[str, Assessment] = field(default_factory=dict)


def build_360(world, names=RATED, rule=RULE_360) -> Rated360:  # noqa: ANN001
    teamwork = indicator(world.company, "teamwork", metric_key="", measurement="qualitative", default_rule=rule)
    output = indicator(world.company, "output")
    version = template(world.company, "team-360", [(output, "80", {"type": "linear"}, "100"), (teamwork, "20", rule, None)])
    cycle = Cycle.objects.create(
        company=world.company,
        name="2026年11月",
        period_type=PeriodType.MONTHLY,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        state=CycleState.OPEN,
    )
    rated = Rated360(cycle=cycle, version=version, teamwork=teamwork, output=output)
    for name in names:
        employee = world.employee(name)
        rated.assessments[name] = Assessment.objects.create(
            cycle=cycle, employee=employee, department=employee.department, template_version=version
        )
    return rated


@pytest.fixture
def rated(world) -> Rated360:  # noqa: ANN001
    return build_360(world)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def due(today) -> date:  # noqa: ANN001
    return today + timedelta(days=7)


@pytest.fixture
def emitted():  # noqa: ANN201
    """Every event emitted during the test, through a receiver registered only for it."""
    captured: list[events.Event] = []
    receiver = captured.append
    events.register_receiver(receiver)
    yield captured
    events._receivers.remove(receiver)


def keyed(requests) -> set[tuple[str, str, str]]:  # noqa: ANN001
    """(employee rated, rater username, role) of each request."""
    return {(request.assessment.employee.name, request.rater.username, request.rater_role) for request in requests}


ZERO = Decimal(0)
