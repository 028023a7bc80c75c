"""Export of the directory's filtered list to XLSX, within the actor's export scope.

Phone and email are masked unless the actor may see that employee's sensitive fields; ID
numbers are never exported in clear. Every export is audited with its filter and row
count. Set-based: one query for the rows (sensitivity decided in SQL), one for department
paths; openpyxl's write-only mode streams the rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from hris.accounts.roles import Capability
from hris.accounts.scopes import NOTHING, company_ids_of, has_capability, scope_q
from hris.audit.services import audit_record
from hris.core.errors import PermissionDenied
from hris.core.protected import decrypt_text, mask_email, mask_id_number, mask_phone
from hris.org.models import Department
from hris.people.choices import EmployeeStatus, EmploymentType, Gender
from hris.people.importing.values import CHINESE_LABELS
from hris.people.importing.workbooks import HEADER_FONT, write_only_cell
from hris.people.selectors import employee_search

# (key, Chinese header, English header): the Chinese and English headers are those the
# importer reads, so an exported file can be edited and imported again to update.
EXPORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("employee_number", "工号", "Employee number"),
    ("name", "姓名", "Name"),
    ("english_name", "英文名", "English name"),
    ("gender", "性别", "Gender"),
    ("department", "部门", "Department"),
    ("position", "职位", "Position"),
    ("manager", "直属上级", "Manager"),
    ("hire_date", "入职日期", "Hire date"),
    ("probation_end_date", "转正日期", "Probation end"),
    ("employment_type", "用工类型", "Employment type"),
    ("status", "状态", "Status"),
    ("phone", "手机", "Mobile"),
    ("email", "邮箱", "Email"),
    ("id_number", "身份证号", "ID number"),
    ("birth_date", "出生日期", "Birth date"),
    ("work_location", "工作地点", "Work location"),
)
VALUE_FIELDS = (
    "id",
    "company_id",
    "employee_number",
    "name",
    "english_name",
    "gender",
    "department__path",
    "position__title",
    "manager__employee_number",
    "hire_date",
    "probation_end_date",
    "employment_type",
    "status",
    "phone",
    "email",
    "id_number_encrypted",
    "birth_date",
    "work_location",
    "sensitive_allowed",
)


@dataclass
class Export:
    content: bytes
    filename: str
    row_count: int


def _chinese_headers() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def _labels(chinese: bool) -> dict[str, dict[str, str]]:
    if chinese:
        return CHINESE_LABELS
    return {
        "employment_type": {code: str(label) for code, label in EmploymentType.choices},
        "status": {code: str(label) for code, label in EmployeeStatus.choices},
        "gender": {code: str(label) for code, label in Gender.choices},
    }


def _with_sensitivity(queryset, actor: Any):  # noqa: ANN001, ANN202
    """Annotate each row with whether the actor may see it unmasked: own record, or within a
    VIEW_SENSITIVE scope. Decided in the same query, not one query per row."""
    if actor.is_superuser:
        return queryset.annotate(sensitive_allowed=Value(True, output_field=BooleanField()))
    condition = Q(user_id=actor.pk)
    if has_capability(actor, Capability.VIEW_SENSITIVE):
        sensitive_scope = scope_q(actor, Capability.VIEW_SENSITIVE)
        if sensitive_scope != NOTHING:
            condition |= sensitive_scope
    return queryset.annotate(sensitive_allowed=Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()))


def _department_names(company_ids: set[int]) -> dict[str, str]:
    return dict(Department.objects.filter(company_id__in=company_ids).values_list("path", "name"))


def export_employees(*, actor: Any, filters: dict[str, Any], filter_description: dict[str, Any] | None = None) -> Export:
    """The filtered list as XLSX, audited as "employees.export" with the filter and row count."""
    if not has_capability(actor, Capability.EXPORT_EMPLOYEES):
        raise PermissionDenied(_("You are not allowed to export employees."))
    chinese = _chinese_headers()
    labels = _labels(chinese)
    queryset = _with_sensitivity(employee_search(actor, **filters, capability=Capability.EXPORT_EMPLOYEES), actor)
    rows = list(queryset.values(*VALUE_FIELDS))
    names_by_path = _department_names({row["company_id"] for row in rows})
    step = Department.steplen

    def department_path(path: str | None) -> str:
        if not path:
            return ""
        return "/".join(names_by_path.get(path[:end], "?") for end in range(step, len(path) + 1, step))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Employees"))
    sheet.freeze_panes = "A2"
    sheet.append(
        [
            write_only_cell(sheet, chinese_header if chinese else english_header, font=HEADER_FONT)
            for _key, chinese_header, english_header in EXPORT_COLUMNS
        ]
    )
    for row in rows:
        allowed = bool(row["sensitive_allowed"])
        id_number = decrypt_text(row["id_number_encrypted"]) if allowed and row["id_number_encrypted"] else ""
        values: dict[str, object] = {
            "employee_number": row["employee_number"],
            "name": row["name"],
            "english_name": row["english_name"],
            "gender": "" if row["gender"] == Gender.UNSPECIFIED else labels["gender"].get(row["gender"], row["gender"]),
            "department": department_path(row["department__path"]),
            "position": row["position__title"] or "",
            "manager": row["manager__employee_number"] or "",
            "hire_date": row["hire_date"],
            "probation_end_date": row["probation_end_date"],
            "employment_type": labels["employment_type"].get(row["employment_type"], row["employment_type"]),
            "status": labels["status"].get(row["status"], row["status"]),
            "phone": row["phone"] if allowed else mask_phone(row["phone"]),
            "email": row["email"] if allowed else mask_email(row["email"]),
            "id_number": mask_id_number(id_number),
            "birth_date": row["birth_date"] if allowed else None,
            "work_location": row["work_location"],
        }
        sheet.append([write_only_cell(sheet, values[key]) for key, _chinese, _english in EXPORT_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    companies = company_ids_of(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="employees.export",
            target_type="people.employee",
            target_label=_("Employee list export"),
            after={"filter": filter_description if filter_description is not None else _describe(filters), "rows": len(rows)},
            company_id=min(companies) if len(companies) == 1 else None,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(content=buffer.getvalue(), filename=f"employees-{stamp}.xlsx", row_count=len(rows))


def _describe(filters: dict[str, Any]) -> dict[str, Any]:
    return {key: (value.isoformat() if isinstance(value, date) else value) for key, value in filters.items() if value not in (None, "")}
