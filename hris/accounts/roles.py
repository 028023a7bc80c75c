"""Roles, the scopes they are granted with, and what each role may do."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    EXECUTIVE = "executive", _("Executive")
    HR_ADMIN = "hr_admin", _("HR admin")
    HRBP = "hrbp", _("HR business partner")
    RECRUITER = "recruiter", _("Recruiter")
    INTERVIEWER = "interviewer", _("Interviewer")


class ScopeType(models.TextChoices):
    COMPANY = "company", _("Whole company")
    BRANCH = "branch", _("Branch")
    DEPARTMENT = "department", _("Department subtree")
    SELF = "self", _("Self only")


class Capability(StrEnum):
    VIEW_EMPLOYEES = "employees.view"
    CHANGE_EMPLOYEES = "employees.change"
    VIEW_SENSITIVE = "employees.view_sensitive"
    EXPORT_EMPLOYEES = "employees.export"
    IMPORT_EMPLOYEES = "employees.import"
    CHANGE_ORG = "org.change"
    VIEW_AUDIT = "audit.view"
    MANAGE_ROLES = "accounts.manage_roles"
    CONFIGURE_KPI = "kpi.configure"
    COMPUTE_KPI = "kpi.compute"
    VIEW_SCORES = "kpi.view_scores"
    WRITE_METRICS = "kpi.write_metrics"
    # Review workflow: HR runs it (submit for review, calibration, publication, close, policies and
    # grade bands); adjusting is also limited by the cycle's adjustment policy per role.
    MANAGE_REVIEW = "kpi.manage_review"
    ADJUST_SCORES = "kpi.adjust_scores"
    APPROVE_RESULTS = "kpi.approve_results"
    # Integration hub and notification channels: connectors, webhooks, robots, API clients.
    MANAGE_INTEGRATIONS = "integrations.manage"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Approving results is the executive step of the approval chain, so HR cannot approve its own submission.
    Role.HR_ADMIN: frozenset(Capability) - {Capability.APPROVE_RESULTS},
    Role.HRBP: frozenset(
        {
            Capability.VIEW_EMPLOYEES,
            Capability.CHANGE_EMPLOYEES,
            Capability.VIEW_SENSITIVE,
            Capability.EXPORT_EMPLOYEES,
            Capability.IMPORT_EMPLOYEES,
            Capability.VIEW_AUDIT,
            Capability.CONFIGURE_KPI,
            Capability.COMPUTE_KPI,
            Capability.VIEW_SCORES,
            Capability.WRITE_METRICS,
            Capability.MANAGE_REVIEW,
            Capability.ADJUST_SCORES,
        }
    ),
    Role.EXECUTIVE: frozenset(
        {
            Capability.VIEW_EMPLOYEES,
            Capability.EXPORT_EMPLOYEES,
            Capability.VIEW_AUDIT,
            Capability.VIEW_SCORES,
            Capability.ADJUST_SCORES,
            Capability.APPROVE_RESULTS,
        }
    ),
    Role.DEPARTMENT_MANAGER: frozenset(
        {Capability.VIEW_EMPLOYEES, Capability.EXPORT_EMPLOYEES, Capability.VIEW_AUDIT, Capability.VIEW_SCORES, Capability.ADJUST_SCORES}
    ),
    Role.EMPLOYEE: frozenset(),
    Role.RECRUITER: frozenset(),
    Role.INTERVIEWER: frozenset(),
}

# Everyone may see their own employee record and its audit history, whatever roles they hold.
SELF_CAPABILITIES = frozenset({Capability.VIEW_EMPLOYEES, Capability.VIEW_AUDIT, Capability.VIEW_SCORES})
