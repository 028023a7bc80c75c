"""The audit trail page and the chain verification page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from hris.accounts.roles import Role, ScopeType
from hris.accounts.scopes import grants_of
from hris.audit.selectors import AuditFilters, audit_event_changes, audit_event_search
from hris.audit.verification import verify_audit_chain

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    target_type = forms.CharField(label=_("Target type"), required=False, max_length=80)
    target_id = forms.CharField(label=_("Target id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor (username or id)"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=80)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters()
    if form.is_bound and form.is_valid():
        filters = AuditFilters(**form.cleaned_data)
    paginator = Paginator(audit_event_search(request.user, filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [{"event": event, "changes": audit_event_changes(event)} for event in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "can_verify": can_verify_chain(request.user)},
    )


def can_verify_chain(user: Any) -> bool:
    """A company-wide HR admin or a superuser may run the (whole-trail) chain check."""
    if user.is_superuser:
        return True
    return any(grant.role == Role.HR_ADMIN and grant.scope_type == ScopeType.COMPANY for grant in grants_of(user))


@login_required
@require_http_methods(["GET", "POST"])
def audit_verify(request: HttpRequest) -> HttpResponse:
    if not can_verify_chain(request.user):
        raise PermissionDenied(_("Only a company-wide HR admin may verify the audit chain."))
    report = verify_audit_chain() if request.method == "POST" else None
    return render(request, "audit/verify.html", {"report": report})
