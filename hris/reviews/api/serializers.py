"""Input and output shapes of the review API."""

from __future__ import annotations

from rest_framework import serializers

from hris.reviews.models import Appeal, ResultVersion, ScoreAdjustment


class AdjustmentSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    indicator = serializers.SerializerMethodField()

    class Meta:
        model = ScoreAdjustment
        fields = [
            "id",
            "assessment",
            "indicator",
            "delta",
            "reason",
            "actor",
            "role",
            "final_before",
            "final_after",
            "appeal",
            "created_at",
        ]

    def get_actor(self, adjustment: ScoreAdjustment) -> dict:
        return {"id": adjustment.actor_id, "name": adjustment.actor.display_name}

    def get_indicator(self, adjustment: ScoreAdjustment) -> dict | None:
        if adjustment.indicator_id is None:
            return None
        return {"id": adjustment.indicator_id, "code": adjustment.indicator.code, "name": adjustment.indicator.display_name}


class AdjustmentInputSerializer(serializers.Serializer):
    delta = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="Points, non-zero, e.g. 5 or -2.5.")
    reason = serializers.CharField(max_length=2000, allow_blank=True, help_text="Required (at least 2 characters).")
    indicator = serializers.IntegerField(required=False, allow_null=True, help_text="Indicator id; omit to adjust the total.")


class AdjustmentResultSerializer(serializers.Serializer):
    adjustment = AdjustmentSerializer()
    final_before = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    final_after = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    version = serializers.IntegerField(allow_null=True, help_text="The new result version after publication.")


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["review_start", "calibration_start", "approval_request", "approve", "return", "publish", "close"]
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReviewStatusSerializer(serializers.Serializer):
    state = serializers.CharField()
    awaiting_approval = serializers.BooleanField()
    assessments = serializers.IntegerField()
    adjusted = serializers.IntegerField()
    departments_total = serializers.IntegerField()
    departments_done = serializers.IntegerField()
    published = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    open_appeals = serializers.IntegerField()


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "assessment", "reason", "state", "resolution", "resolved_at", "created_at"]


class ResolveInputSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    delta = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    indicator = serializers.IntegerField(required=False, allow_null=True)


class ResultVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultVersion
        fields = [
            "id",
            "assessment",
            "number",
            "final_score",
            "computed_total",
            "adjustment_total",
            "grade",
            "items",
            "adjustments",
            "diff",
            "reason",
            "created_at",
        ]


class AcknowledgementSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="assessment_id")
    version = serializers.IntegerField(source="version.number")
    created_at = serializers.DateTimeField()
