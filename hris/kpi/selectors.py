"""Reads of KPI results, already restricted to the actor's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import company_ids_of, scope_q
from hris.core.errors import NotFound
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, AssessmentItem, ComputationRun, Cycle, MetricRecord, TemplateItem
from hris.kpi.permissions import ASSESSMENT_SCOPE_FIELDS, company_ids_with, may_company
from hris.kpi.rules import RuleError, describe, parse_rule


def assessments_visible_to(actor: Any) -> QuerySet[Assessment]:
    return Assessment.objects.filter(scope_q(actor, Capability.VIEW_SCORES, **ASSESSMENT_SCOPE_FIELDS)).select_related(
        "employee", "department", "cycle", "template_version__template"
    )


# While reviewers adjust and calibrate, the assessed employee sees the computed total but not the
# final score: it carries adjustments that are not decided until the results are published.
FINAL_SCORE_WITHHELD_STATES = frozenset({CycleState.REVIEW, CycleState.CALIBRATION, CycleState.APPROVED})


def final_score_withheld(actor: Any, assessment: Assessment) -> bool:
    """True when the actor is the assessed employee and the cycle is still in review."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return assessment.cycle.state in FINAL_SCORE_WITHHELD_STATES and assessment.employee.user_id == actor.pk


def assessment_get(actor: Any, assessment_id: int) -> Assessment:
    assessment = assessments_visible_to(actor).filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFound(_("Assessment not found."))
    return assessment


def cycles_visible_to(actor: Any) -> QuerySet[Cycle]:
    """Cycles of the actor's companies; drafts only to those who configure KPIs."""
    if actor is not None and actor.is_superuser:
        return Cycle.objects.select_related("company")
    configurable = company_ids_with(actor, Capability.CONFIGURE_KPI) or set()
    companies = company_ids_of(actor)
    return (
        Cycle.objects.filter(company_id__in=companies)
        .exclude(state=CycleState.DRAFT, company_id__in=companies - configurable)
        .select_related("company")
    )


def cycle_get(actor: Any, cycle_id: int) -> Cycle:
    cycle = cycles_visible_to(actor).filter(pk=cycle_id).first()
    if cycle is None:
        raise NotFound(_("Cycle not found."))
    return cycle


def computation_run_get(actor: Any, run_id: int) -> ComputationRun:
    """Run status is for those who may run computations for the whole company."""
    run = ComputationRun.objects.filter(pk=run_id, cycle__in=cycles_visible_to(actor)).select_related("cycle").first()
    if run is None or not may_company(actor, Capability.COMPUTE_KPI, run.cycle.company_id):
        raise NotFound(_("Computation run not found."))
    return run


def rule_in_words(rule: dict) -> str:
    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    try:
        return describe(parse_rule(rule), language)
    except RuleError as error:
        return error.message


def assessment_breakdown(assessment: Assessment) -> dict:
    """How the total was made: every indicator with target, actual, rule in words, score,
    weight, points and the metric records behind the actual. Three queries whatever the size."""
    items = list(AssessmentItem.objects.filter(assessment=assessment).select_related("indicator").order_by("position"))
    rules = dict(
        TemplateItem.objects.filter(version_id__in={item.template_version_id for item in items}).values_list("indicator_id", "rule")
    )
    record_ids = {record_id for item in items for record_id in item.record_ids}
    records = {
        record.pk: record
        for record in MetricRecord.objects.filter(pk__in=record_ids).only(
            "id", "metric_key", "value", "source", "external_id", "period_start", "period_end", "recorded_at", "is_current"
        )
    }
    rows = []
    for item in items:
        indicator = item.indicator
        rows.append(
            {
                "indicator_id": indicator.pk,
                "code": indicator.code,
                "name": indicator.display_name,
                "unit": indicator.unit,
                "category": indicator.get_category_display(),
                "data_source": indicator.data_source,
                "aggregation": indicator.get_aggregation_display(),
                "target": item.target,
                "actual": item.actual,
                "rule": rules.get(indicator.pk),
                "rule_in_words": rule_in_words(rules.get(indicator.pk, {})),
                "score": item.score,
                "weight": item.weight,
                "points": item.points,
                "status": item.status,
                "status_label": item.get_status_display(),
                "message": item.message,
                "records": [records[record_id] for record_id in item.record_ids if record_id in records],
            }
        )
    return {
        "assessment": assessment,
        "items": rows,
        "computed_total": assessment.computed_total,
        "final_score": assessment.final_score,
        "is_complete": assessment.is_complete,
        "computed_at": assessment.computed_at,
        "template_version": assessment.template_version,
    }
