"""Registering a system integration: service account, role grant, OAuth2 client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application
from oauth2_provider.settings import oauth2_settings

from hris.accounts.models import ApiClient, User
from hris.accounts.services import role_grant, user_create
from hris.audit.services import audit_record
from hris.core.errors import DomainError
from hris.org.models import Branch, Company, Department


@dataclass(frozen=True)
class ApiClientCredentials:
    application: Application
    service_account: User
    client_id: str
    # Only here, once: the database keeps a hash.
    client_secret: str


def _free_username(name: str) -> str:
    base = f"api-{slugify(name, allow_unicode=True) or 'client'}"[:140]
    username, counter = base, 1
    while User.objects.filter(username=username).exists():
        counter += 1
        username = f"{base}-{counter}"
    return username


def _checked_scopes(scopes: list[str]) -> list[str]:
    known = oauth2_settings.SCOPES
    unknown = [scope for scope in scopes if scope not in known]
    if unknown or not scopes:
        raise DomainError(
            _("Choose one or more of: %(known)s.") % {"known": ", ".join(known)},
            field_errors={
                "scopes": [_("Unknown scope: %(scope)s") % {"scope": scope} for scope in unknown] or [_("At least one scope is required.")]
            },
        )
    return list(dict.fromkeys(scopes))


@transaction.atomic
def api_client_create(
    *,
    actor: Any,
    name: str,
    company: Company,
    role: str,
    scope_type: str,
    scopes: list[str],
    branch: Branch | None = None,
    department: Department | None = None,
) -> ApiClientCredentials:
    """The service account's role grant sets which data the client sees; the scopes set
    which operations it may call."""
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field_errors={"name": [_("This field is required.")]})
    scopes = _checked_scopes(scopes)
    account = user_create(actor=actor, username=_free_username(name), password=None, first_name=name[:150], is_service_account=True)
    role_grant(
        actor=actor,
        user=account,
        role=role,
        scope_type=scope_type,
        company=company,
        branch=branch,
        department=department,
        reason=_("API client %(name)s") % {"name": name},
    )
    client_secret = generate_client_secret()
    application = Application(
        name=name,
        user=account,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=client_secret,
        hash_client_secret=True,
    )
    application.full_clean()
    application.save()
    ApiClient.objects.create(application=application, allowed_scopes=" ".join(scopes))
    audit_record(
        actor=actor,
        action="api_client.create",
        target=application,
        after={
            "name": name,
            "client_id": application.client_id,
            "service_account": account.username,
            "scopes": scopes,
            "role": role,
            "scope_type": scope_type,
            "branch_id": branch.pk if branch else None,
            "department_id": department.pk if department else None,
        },
        company_id=company.pk,
    )
    return ApiClientCredentials(
        application=application, service_account=account, client_id=application.client_id, client_secret=client_secret
    )
