from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from hris.accounts.roles import Role, ScopeType
from hris.core.models import BaseModel


class User(AbstractUser):
    """A person (or an API service account) who logs in. Linked to at most one employee."""

    email = models.EmailField(_("email address"), blank=True, db_index=True)
    is_service_account = models.BooleanField(
        _("service account"), default=False, help_text=_("Owns OAuth2 clients of external systems; cannot log in to the UI.")
    )

    @property
    def display_name(self) -> str:
        employee = getattr(self, "employee", None)
        if employee is not None:
            return employee.name
        return self.get_full_name() or self.username


class RoleAssignment(BaseModel):
    """A role granted to a user over a data scope (company, branch, department subtree or self)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_type = models.CharField(_("scope"), max_length=16, choices=ScopeType.choices)
    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    branch = models.ForeignKey(
        "org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_scope_target",
                condition=(
                    Q(scope_type=ScopeType.COMPANY, branch__isnull=True, department__isnull=True)
                    | Q(scope_type=ScopeType.SELF, branch__isnull=True, department__isnull=True)
                    | Q(scope_type=ScopeType.BRANCH, branch__isnull=False, department__isnull=True)
                    | Q(scope_type=ScopeType.DEPARTMENT, branch__isnull=True, department__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "scope_type", "company", "branch", "department"],
                name="role_assignment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.scope_type == ScopeType.BRANCH and self.branch_id:
            return str(self.branch)
        if self.scope_type == ScopeType.DEPARTMENT and self.department_id:
            return str(self.department)
        return str(self.get_scope_type_display())


class ApiClient(BaseModel):
    """The OAuth2 scopes an external system may ask for. DOT's Application has no such
    field, and without it any client could request any scope the server knows."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="renshi_api_client", verbose_name=_("OAuth2 application")
    )
    allowed_scopes = models.CharField(_("allowed scopes"), max_length=255, help_text=_("Space-separated OAuth2 scopes."))

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return str(self.application)
