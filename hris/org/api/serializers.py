"""Organisation resources in and out. Inputs look references up through the actor's
selectors, so an id outside the caller's companies reads as "does not exist"."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hris.org.choices import JobFamily
from hris.org.models import Branch, Company, Department, Position
from hris.org.selectors import branches_visible_to, companies_visible_to, departments_visible_to
from hris.people.models import Employee
from hris.people.selectors import employees_visible_to


@extend_schema_field(OpenApiTypes.INT)
class ActorScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up in `selector(actor)`: the queryset is the caller's view of the data."""

    def __init__(self, selector, **kwargs):  # noqa: ANN001, ANN003
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):  # noqa: ANN201
        return self.selector(self.context["request"].user)


# ---- output ---------------------------------------------------------------------------


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "code", "name", "short_name", "unified_social_credit_code", "is_active"]


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "company", "code", "name", "city", "address", "is_active"]


class BranchSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "code", "name"]


class DepartmentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class PositionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "code", "title", "level"]


class EmployeeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "employee_number", "name"]


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(
        source="parent_id", read_only=True, allow_null=True, help_text="Parent department id; null at the top."
    )
    branch = BranchSummarySerializer(read_only=True, allow_null=True)
    head = EmployeeSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "company", "code", "name", "name_en", "parent", "depth", "branch", "head", "is_active", "closed_on"]


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "company", "code", "title", "title_en", "job_family", "level", "is_managerial", "is_active"]


# ---- query parameters -----------------------------------------------------------------


class BranchFilterSerializer(serializers.Serializer):
    company = ActorScopedPrimaryKeyField(companies_visible_to, required=False, help_text="Only branches of this company.")


class DepartmentFilterSerializer(serializers.Serializer):
    company = ActorScopedPrimaryKeyField(companies_visible_to, required=False, help_text="Only departments of this company.")
    branch = ActorScopedPrimaryKeyField(branches_visible_to, required=False, help_text="Only departments of this branch.")
    parent = ActorScopedPrimaryKeyField(
        lambda actor: departments_visible_to(actor, include_closed=True),
        required=False,
        help_text="Only direct sub-departments of this one.",
    )
    include_closed = serializers.BooleanField(default=False, help_text="Also list closed departments.")


class PositionFilterSerializer(serializers.Serializer):
    company = ActorScopedPrimaryKeyField(companies_visible_to, required=False)
    job_family = serializers.ChoiceField(choices=JobFamily.choices, required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


# ---- input ----------------------------------------------------------------------------


class DepartmentCreateSerializer(serializers.Serializer):
    company = ActorScopedPrimaryKeyField(
        companies_visible_to, required=False, help_text="Required for a top-level department; else the parent's."
    )
    parent = ActorScopedPrimaryKeyField(
        lambda actor: departments_visible_to(actor, include_closed=True), required=False, allow_null=True, default=None
    )
    branch = ActorScopedPrimaryKeyField(branches_visible_to, required=False, allow_null=True, default=None)
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data: dict) -> dict:
        parent = data.get("parent")
        if data.get("company") is None:
            if parent is None:
                raise serializers.ValidationError({"company": [serializers.Field.default_error_messages["required"]]})
            data["company"] = parent.company
        return data


class DepartmentUpdateSerializer(serializers.Serializer):
    """PUT replaces every field (an omitted branch or head is cleared); PATCH changes only those sent."""

    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    branch = ActorScopedPrimaryKeyField(branches_visible_to, required=False, allow_null=True, default=None)
    head = ActorScopedPrimaryKeyField(employees_visible_to, required=False, allow_null=True, default=None, help_text="Employee id.")


class DepartmentMoveSerializer(serializers.Serializer):
    parent = ActorScopedPrimaryKeyField(
        lambda actor: departments_visible_to(actor, include_closed=True), allow_null=True, help_text="New parent; null moves it to the top."
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DepartmentCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Defaults to today.")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PositionCreateSerializer(serializers.Serializer):
    company = ActorScopedPrimaryKeyField(companies_visible_to)
    code = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=120)
    title_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    job_family = serializers.ChoiceField(choices=JobFamily.choices)
    level = serializers.CharField(max_length=16)
    is_managerial = serializers.BooleanField(required=False, default=False)


class PositionUpdateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=120)
    title_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    job_family = serializers.ChoiceField(choices=JobFamily.choices)
    level = serializers.CharField(max_length=16)
    is_managerial = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)
