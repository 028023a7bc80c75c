"""KPI resources in and out. Numbers are strings (Decimal, never float): scores, weights,
points and totals with two places, targets, actuals and metric values as written ("93", "1.5")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hris.kpi.models import Assessment, ComputationRun, Cycle, Indicator, MetricRecord, Template
from hris.kpi.selectors import cycles_visible_to, final_score_withheld, rule_in_words
from hris.org.api.serializers import ActorScopedPrimaryKeyField, DepartmentSummarySerializer, EmployeeSummarySerializer
from hris.org.selectors import departments_visible_to
from hris.people.selectors import employees_visible_to

MAX_WHAT_IF_VALUES = 200
TWO_PLACES = Decimal("0.01")


class PlainDecimalField(serializers.DecimalField):
    """A Decimal as a string without trailing zeros: '93' for 93.0000, '1.5' for 1.500000."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=None, decimal_places=None, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        if value is None:
            return None
        return format(Decimal(value).normalize(), "f")


class ScoreField(serializers.DecimalField):
    """Scores, weights, points and totals: always two places ('27.90')."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=None, decimal_places=2, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        return None if value is None else format(Decimal(value).quantize(TWO_PLACES), "f")


class IndicatorSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language where a translation exists.")
    unit = serializers.CharField()


def _indicator_summary(indicator: Indicator) -> dict:
    return {"id": indicator.pk, "code": indicator.code, "name": indicator.display_name, "unit": indicator.unit}


# ---- library ---------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True, help_text="In the request's language where one exists.")
    default_rule = serializers.JSONField(read_only=True, help_text="The scoring rule templates start from (DESIGN.md §6).")
    default_rule_in_words = serializers.SerializerMethodField()
    default_target = PlainDecimalField(read_only=True, allow_null=True)

    class Meta:
        model = Indicator
        fields = [
            "id", "company", "code", "name", "name_zh", "name_en", "description", "unit", "direction", "aggregation", "metric_key",
            "denominator_key", "metric_level", "when_no_data", "category", "measurement", "data_source", "default_rule",
            "default_rule_in_words", "default_target", "tags", "is_active",
        ]  # fmt: skip

    def get_default_rule_in_words(self, indicator: Indicator) -> str:
        return rule_in_words(indicator.default_rule)


class TemplateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    current_version = serializers.IntegerField(read_only=True, allow_null=True, help_text="Highest version number; null before any.")

    class Meta:
        model = Template
        fields = [
            "id", "company", "code", "name", "name_zh", "name_en", "description", "industry", "job_family", "department", "position",
            "is_active", "current_version",
        ]  # fmt: skip


class TemplateItemSerializer(serializers.Serializer):
    indicator = IndicatorSummarySerializer()
    weight = ScoreField(help_text="Percent; the items of a version sum to 100.")
    target = PlainDecimalField(allow_null=True, help_text="Default target; a cycle may set one per employee.")
    rule = serializers.JSONField()
    rule_in_words = serializers.CharField()
    order = serializers.IntegerField()


class TemplateDetailSerializer(TemplateSerializer):
    """Reads the version shown from attributes the view sets: shown_version, version_numbers, item_rows."""

    version = serializers.IntegerField(
        source="shown_version.number", allow_null=True, help_text="The version shown (`?version=N`, else the current one)."
    )
    version_note = serializers.CharField(source="shown_version.note", allow_null=True)
    versions = serializers.ListField(source="version_numbers", child=serializers.IntegerField(), help_text="Every version, newest first.")
    items = TemplateItemSerializer(source="item_rows", many=True)

    class Meta(TemplateSerializer.Meta):
        fields = [*TemplateSerializer.Meta.fields, "version", "version_note", "versions", "items"]


def template_item_rows(items: list) -> list[dict]:
    return [
        {
            "indicator": _indicator_summary(item.indicator),
            "weight": item.weight,
            "target": item.target,
            "rule": item.rule,
            "rule_in_words": rule_in_words(item.rule),
            "order": item.order,
        }
        for item in items
    ]


class TemplateFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Text in code or name.")
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class TemplateVersionQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text="Show this version instead of the current one.")


class IndicatorFilterSerializer(TemplateFilterSerializer):
    category = serializers.ChoiceField(choices=Indicator._meta.get_field("category").choices, required=False)
    measurement = serializers.ChoiceField(choices=Indicator._meta.get_field("measurement").choices, required=False)


# ---- cycles and computation runs -------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    score_floor = ScoreField(read_only=True)
    score_cap = ScoreField(read_only=True)
    assessment_count = serializers.IntegerField(read_only=True, help_text="Assessments of this cycle in the caller's data scope.")
    complete_count = serializers.IntegerField(read_only=True, help_text="Of those, the ones with every indicator scored.")

    class Meta:
        model = Cycle
        fields = [
            "id", "company", "name", "period_type", "period_start", "period_end", "state", "score_floor", "score_cap", "opened_at",
            "scoring_started_at", "last_computed_at", "assessment_count", "complete_count",
        ]  # fmt: skip


class ComputationRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True, help_text="0–100; 100 once the run succeeded.")
    timings = serializers.DictField(child=serializers.FloatField(), read_only=True, help_text="Seconds per phase.")

    class Meta:
        model = ComputationRun
        fields = [
            "id", "cycle", "kind", "state", "reason", "total", "done", "progress_percent", "items_written", "timings", "created_at",
            "started_at", "finished_at", "error",
        ]  # fmt: skip


# ---- assessments -----------------------------------------------------------------------


class TemplateVersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="template.id")
    code = serializers.CharField(source="template.code")
    name = serializers.CharField(source="template.display_name")
    version = serializers.IntegerField(source="number")


class AssessmentSerializer(serializers.ModelSerializer):
    employee = EmployeeSummarySerializer(read_only=True)
    department = DepartmentSummarySerializer(read_only=True, help_text="The department the employee was assessed in.")
    template = TemplateVersionSummarySerializer(source="template_version", read_only=True)
    computed_total = ScoreField(read_only=True, allow_null=True)
    final_score = ScoreField(read_only=True, allow_null=True, help_text="Computed total plus adjustments, within the cycle's bounds.")

    class Meta:
        model = Assessment
        fields = ["id", "cycle", "employee", "department", "template", "computed_total", "final_score", "is_complete", "computed_at"]

    def to_representation(self, instance: Assessment) -> dict:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and final_score_withheld(request.user, instance):
            data["final_score"] = None  # in review: the assessed employee sees it once published
        return data


class MetricRecordSerializer(serializers.ModelSerializer):
    value = PlainDecimalField(read_only=True)

    class Meta:
        model = MetricRecord
        fields = ["id", "metric_key", "source", "external_id", "period_start", "period_end", "value", "recorded_at", "is_current"]


class BreakdownItemSerializer(serializers.Serializer):
    indicator = IndicatorSummarySerializer()
    category = serializers.CharField()
    data_source = serializers.CharField()
    aggregation = serializers.CharField()
    target = PlainDecimalField(allow_null=True)
    actual = PlainDecimalField(allow_null=True, help_text="Null while there is no data.")
    rule = serializers.JSONField(allow_null=True, help_text="The scoring rule of the template version used.")
    rule_in_words = serializers.CharField()
    score = ScoreField(allow_null=True, help_text="0–100 (or up to the rule's cap); null when not scored.")
    weight = ScoreField()
    points = ScoreField(help_text="weight × score / 100.")
    status = serializers.CharField(help_text="scored, no_data, awaiting_ratings or error.")
    status_label = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    records = MetricRecordSerializer(many=True, help_text="The metric records the actual was computed from.")


class AssessmentDetailSerializer(AssessmentSerializer):
    items = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "items"]

    @extend_schema_field(BreakdownItemSerializer(many=True))
    def get_items(self, assessment: Assessment) -> list[dict]:
        rows = [
            {**row, "indicator": {"id": row["indicator_id"], "code": row["code"], "name": row["name"], "unit": row["unit"]}}
            for row in self.context["breakdown"]["items"]
        ]
        return BreakdownItemSerializer(rows, many=True).data


class AssessmentFilterSerializer(serializers.Serializer):
    cycle = ActorScopedPrimaryKeyField(cycles_visible_to, required=False)
    department = ActorScopedPrimaryKeyField(
        lambda actor: departments_visible_to(actor, include_closed=True), required=False, help_text="This department and its subtree."
    )
    employee = ActorScopedPrimaryKeyField(employees_visible_to, required=False)
    complete = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Only complete (or incomplete) ones.")


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "nullable": True}, "example": {"12": "95"}})
class _ActualsField(serializers.DictField):
    pass


class WhatIfSerializer(serializers.Serializer):
    actuals = _ActualsField(
        help_text="Hypothetical actual per indicator id, as a decimal string (numbers are accepted); blank keeps the measured one."
    )

    def validate_actuals(self, actuals: dict) -> dict:
        if len(actuals) > MAX_WHAT_IF_VALUES:
            raise serializers.ValidationError(_("At most %(count)d values.") % {"count": MAX_WHAT_IF_VALUES})
        return actuals

    def validate(self, data: dict) -> dict:
        """Errors name the value (`actuals.<indicator id>`), like the engine's own checks."""
        actuals = data["actuals"]
        errors = {
            f"actuals.{key}": [_("Enter a number.")]
            for key, value in actuals.items()
            if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float))
        }
        if errors:
            raise serializers.ValidationError(errors)
        return {"actuals": {key: None if value is None else str(value) for key, value in actuals.items()}}


class WhatIfItemSerializer(serializers.Serializer):
    indicator = IndicatorSummarySerializer()
    target = PlainDecimalField(allow_null=True)
    actual = PlainDecimalField(allow_null=True)
    hypothetical = serializers.BooleanField(help_text="True where the actual is the one sent.")
    score = ScoreField(allow_null=True)
    weight = ScoreField()
    points = ScoreField()
    status = serializers.CharField()
    rule_in_words = serializers.CharField()


class WhatIfResultSerializer(serializers.Serializer):
    items = WhatIfItemSerializer(many=True)
    computed_total = ScoreField(allow_null=True, help_text="The hypothetical computed total.")
    final_score = ScoreField(allow_null=True, help_text="The hypothetical final score (adjustments included).")
    current_total = ScoreField(allow_null=True, help_text="The computed total saved now, for comparison.")
