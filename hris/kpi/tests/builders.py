"""Building KPI test data straight through the ORM: indicators, templates, cycles, recorded recompute requests."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from hris.kpi.choices import CycleState, Direction, PeriodType
from hris.kpi.models import Cycle, Indicator, Template, TemplateItem, TemplateVersion
from hris.org.models import Company

LINEAR = {"type": "linear", "floor": 0, "cap": 120}


def make_indicator(company: Company, code: str, **fields: Any) -> Indicator:
    defaults = {"name_zh": code, "metric_key": code.replace("-", "_"), "default_rule": LINEAR, "direction": Direction.HIGHER_BETTER}
    return Indicator.objects.create(company=company, code=code, **{**defaults, **fields})


def make_template(company: Company, code: str, items: list[tuple[Indicator, Any, dict | None, Any]], *, number: int = 1) -> TemplateVersion:
    """A template (reused when the code exists) with one version holding the items: (indicator, weight, rule, target)."""
    template, _created = Template.objects.get_or_create(company=company, code=code, defaults={"name_zh": code})
    version = TemplateVersion.objects.create(template=template, number=number)
    for order, (indicator, weight, rule, target) in enumerate(items):
        TemplateItem.objects.create(
            version=version,
            indicator=indicator,
            weight=Decimal(str(weight)),
            rule=rule or LINEAR,
            target=None if target is None else Decimal(str(target)),
            order=order,
        )
    return version


def make_cycle(company: Company, name: str = "2025年3月", *, state: str = CycleState.DRAFT, **fields: Any) -> Cycle:
    defaults = {"period_type": PeriodType.MONTHLY, "period_start": date(2025, 3, 1), "period_end": date(2025, 3, 31)}
    return Cycle.objects.create(company=company, name=name, state=state, **{**defaults, **fields})


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    """An XLSX file whose first sheet holds the rows (the first one is the header)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class RecomputeRequests:
    """What services asked the recompute hook for, instead of queueing computations."""

    cycles: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)


@pytest.fixture
def recompute_requests(monkeypatch) -> RecomputeRequests:  # noqa: ANN001
    requests = RecomputeRequests()
    monkeypatch.setattr("hris.kpi.recompute.request_recompute", lambda **kwargs: requests.cycles.append(kwargs))
    monkeypatch.setattr("hris.kpi.recompute.request_recompute_for_records", lambda **kwargs: requests.records.append(kwargs))
    return requests
