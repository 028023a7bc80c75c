"""Employees in and out. Phone, email and birth date are masked unless the caller may see
sensitive data of that employee; the ID number is always masked; the encrypted column
never leaves the server."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from rest_framework import serializers

from hris.org.api.serializers import (
    ActorScopedPrimaryKeyField,
    BranchSummarySerializer,
    DepartmentSummarySerializer,
    EmployeeSummarySerializer,
    PositionSummarySerializer,
)
from hris.org.selectors import branches_visible_to, departments_visible_to, positions_visible_to
from hris.people.choices import EmployeeStatus, EmploymentType, Gender
from hris.people.models import Employee
from hris.people.selectors import can_see_sensitive, employee_contact, employees_visible_to


def _departments_including_closed(actor):  # noqa: ANN001, ANN202
    # Closed departments resolve so the service can say "the department is closed".
    return departments_visible_to(actor, include_closed=True)


# ---- output ---------------------------------------------------------------------------


class EmployeeSerializer(serializers.ModelSerializer):
    """`context["sensitive_employee_ids"]` (set by list views for a whole page at once)
    says whose contact data is shown in full; without it each row is checked."""

    department = DepartmentSummarySerializer(read_only=True)
    branch = BranchSummarySerializer(source="department.branch", read_only=True, allow_null=True)
    position = PositionSummarySerializer(read_only=True, allow_null=True)
    manager = EmployeeSummarySerializer(read_only=True, allow_null=True)
    phone = serializers.SerializerMethodField(help_text="Masked (138****5678) unless the caller may see sensitive data.")
    email = serializers.SerializerMethodField(help_text="Masked (z***@example.cn) unless the caller may see sensitive data.")
    id_number = serializers.SerializerMethodField(help_text="Always masked; revealing it is a separate, audited action.")
    birth_date = serializers.SerializerMethodField(help_text="Null unless the caller may see sensitive data.")

    class Meta:
        model = Employee
        fields = [
            "id",
            "company",
            "employee_number",
            "name",
            "english_name",
            "gender",
            "birth_date",
            "department",
            "branch",
            "position",
            "manager",
            "hire_date",
            "probation_end_date",
            "termination_date",
            "employment_type",
            "status",
            "phone",
            "email",
            "id_number",
            "work_location",
            "created_at",
            "updated_at",
        ]

    def _sensitive_allowed(self, employee: Employee) -> bool:
        known = self.context.get("sensitive_employee_ids")
        if known is not None:
            return employee.pk in known
        return can_see_sensitive(self.context["request"].user, employee)

    def _contact(self, employee: Employee) -> dict:
        cache = self.context.setdefault("_contact_by_employee", {})
        if employee.pk not in cache:
            allowed = self._sensitive_allowed(employee)
            contact = employee_contact(self.context["request"].user, employee, sensitive_allowed=allowed)
            cache[employee.pk] = {**contact, "birth_date": employee.birth_date if allowed else None}
        return cache[employee.pk]

    def get_phone(self, employee: Employee) -> str:
        return self._contact(employee)["phone"]

    def get_email(self, employee: Employee) -> str:
        return self._contact(employee)["email"]

    def get_id_number(self, employee: Employee) -> str:
        return self._contact(employee)["id_number"]

    def get_birth_date(self, employee: Employee) -> date | None:
        return self._contact(employee)["birth_date"]


# ---- query parameters -----------------------------------------------------------------


class EmployeeFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Text in name, English name, employee number or email."
    )
    department = ActorScopedPrimaryKeyField(_departments_including_closed, required=False)
    include_subdepartments = serializers.BooleanField(default=True, help_text="With `department`: also its sub-departments.")
    branch = ActorScopedPrimaryKeyField(branches_visible_to, required=False)
    position = ActorScopedPrimaryKeyField(positions_visible_to, required=False)
    status = serializers.ChoiceField(choices=EmployeeStatus.choices, required=False)
    employment_type = serializers.ChoiceField(choices=EmploymentType.choices, required=False)


# ---- input ----------------------------------------------------------------------------


class _EmployeeInputSerializer(serializers.Serializer):
    """Fields shared by create and update. Phone, email and ID number are checked by the
    service (hris.people.validation), the same rules as the web forms and the importer."""

    name = serializers.CharField(max_length=100)
    english_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.UNSPECIFIED)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    department = ActorScopedPrimaryKeyField(_departments_including_closed, help_text="Department id.")
    position = ActorScopedPrimaryKeyField(positions_visible_to, required=False, allow_null=True, default=None, help_text="Position id.")
    manager = ActorScopedPrimaryKeyField(
        employees_visible_to, required=False, allow_null=True, default=None, help_text="Manager's employee id."
    )
    manager_employee_number = serializers.CharField(
        max_length=32, required=False, write_only=True, help_text="Instead of `manager`: the manager's employee number in the same company."
    )
    hire_date = serializers.DateField()
    probation_end_date = serializers.DateField(required=False, allow_null=True, default=None)
    employment_type = serializers.ChoiceField(choices=EmploymentType.choices, required=False, default=EmploymentType.FULL_TIME)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(
        max_length=18, required=False, allow_blank=True, write_only=True, help_text="Resident ID number (stored encrypted)."
    )
    work_location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    def company_for_manager_lookup(self, data: dict):  # noqa: ANN201
        """An update looks in the employee's company, a create in the new department's."""
        return self.instance.company if self.instance is not None else data["department"].company

    def validate(self, data: dict) -> dict:
        number = data.pop("manager_employee_number", None)
        if number is None:
            return data
        if "manager" in self.initial_data:
            raise serializers.ValidationError({"manager_employee_number": [_("Send either manager or manager_employee_number, not both.")]})
        company = self.company_for_manager_lookup(data)
        manager = employees_visible_to(self.context["request"].user).filter(company=company, employee_number=number.strip()).first()
        if manager is None:
            raise serializers.ValidationError({"manager_employee_number": [_("No employee with this number.")]})
        data["manager"] = manager
        return data


class EmployeeCreateSerializer(_EmployeeInputSerializer):
    employee_number = serializers.CharField(max_length=32)
    status = serializers.ChoiceField(
        choices=[EmployeeStatus.PROBATION, EmployeeStatus.ACTIVE],
        required=False,
        allow_null=True,
        default=None,
        help_text="Defaults to probation while the probation end date lies ahead, else active.",
    )


class EmployeeUpdateSerializer(_EmployeeInputSerializer):
    """PUT replaces every editable field (omitted optional ones go back to their defaults:
    blank, null, full-time, unspecified; the ID number is kept unless sent); PATCH changes
    only the fields sent. Employee number and status
    are not edited here: status changes are actions (terminate, confirm_probation)."""

    id_number = serializers.CharField(
        max_length=18, required=False, allow_blank=True, write_only=True, help_text="Send to replace; omit to keep."
    )
    effective_date = serializers.DateField(
        required=False, write_only=True, help_text="When a transfer or manager change takes effect; defaults to today."
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, write_only=True, default="")


class EmployeeTerminateSerializer(serializers.Serializer):
    effective_date = serializers.DateField(help_text="Last working day.")
    reason = serializers.CharField(max_length=500, help_text="Required; recorded in the employment history and the audit trail.")


class EmployeeConfirmProbationSerializer(serializers.Serializer):
    effective_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="Defaults to today.")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
