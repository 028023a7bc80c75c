from rest_framework import serializers


class GradeCountSerializer(serializers.Serializer):
    letter = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    max_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    min_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(
        choices=["ok", "over", "under"], help_text="Against the target: within it, above the maximum, below the minimum."
    )
    off_by = serializers.IntegerField(help_text="People above the maximum or missing to reach the minimum.")


class PopulationSerializer(serializers.Serializer):
    name = serializers.CharField()
    total = serializers.IntegerField(help_text="People with a final score.")
    unscored = serializers.IntegerField()
    checked = serializers.BooleanField(help_text="False when the population is too small to be checked against the target.")
    mean = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    grades = GradeCountSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class DistributionSerializer(PopulationSerializer):
    departments = PopulationSerializer(many=True)
