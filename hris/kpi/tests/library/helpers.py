"""Small builders for library tests; the system actor (None) sets up, the tests' actors act."""

from __future__ import annotations

from typing import Any

from hris.kpi.models import Indicator, Template, TemplateItem, TemplateVersion
from hris.kpi.services.library import indicator_create, template_create

DEFECT_RULE = {"type": "bands", "comparison": "le", "bands": [{"threshold": 1, "score": 100}, {"threshold": 2, "score": 60}]}
MANUAL_RULE = {"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 30}}


def indicator_fields(code: str = "line-defect-rate", **overrides: Any) -> dict[str, Any]:
    fields = {
        "code": code,
        "name_zh": "产线次品率",
        "name_en": "Line defect rate",
        "unit": "%",
        "direction": "lower_better",
        "aggregation": "ratio",
        "metric_key": "defective_units",
        "denominator_key": "inspected_units",
        "data_source": "QC系统",
        "default_rule": DEFECT_RULE,
        "default_target": 1,
    }
    return fields | overrides


def make_indicator(company: Any, code: str, **overrides: Any) -> Indicator:
    return indicator_create(actor=None, company=company, **indicator_fields(code, **overrides))


def make_line_library(company: Any) -> dict[str, Indicator]:
    """Three indicators: a lower-is-better ratio, a higher-is-better sum and a rated one."""
    return {
        "defects": make_indicator(company, "line-defect-rate"),
        "output": make_indicator(
            company,
            "line-output",
            name_zh="产线产量",
            name_en="Line output",
            unit="件",
            direction="higher_better",
            aggregation="sum",
            metric_key="output_units",
            denominator_key="",
            default_rule={"type": "linear", "cap": 120},
            default_target=1000,
        ),
        "teamwork": make_indicator(
            company,
            "line-teamwork",
            name_zh="班组协作",
            name_en="Crew teamwork",
            unit="分",
            direction="higher_better",
            aggregation="avg",
            metric_key="",
            denominator_key="",
            measurement="qualitative",
            category="behaviour",
            data_source="部门评价",
            default_rule=MANUAL_RULE,
            default_target=None,
        ),
    }


LINE_ITEMS = [
    {"indicator": "line-output", "weight": 50, "target": 1200},
    {"indicator": "line-defect-rate", "weight": 30},
    {"indicator": "line-teamwork", "weight": 20},
]


def make_line_template(company: Any, code: str = "line-crew") -> Template:
    return template_create(actor=None, company=company, code=code, name_zh="产线班组", items=LINE_ITEMS, job_family="production")


def version_rows(version: TemplateVersion) -> list[tuple[str, str, str | None]]:
    """(indicator code, weight, target) of each item, in order."""
    items = TemplateItem.objects.filter(version=version).select_related("indicator").order_by("order")
    return [(item.indicator.code, str(item.weight), None if item.target is None else str(item.target)) for item in items]
