"""Register a system integration and print its OAuth2 credentials once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hris.accounts.api.services import api_client_create
from hris.accounts.roles import Role, ScopeType
from hris.core.errors import DomainError
from hris.org.models import Branch, Company, Department


class Command(BaseCommand):
    help = (
        "Create a service account with a role over a data scope and an OAuth2 client-credentials "
        "application for it; prints client_id and client_secret (the secret is shown only now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help='What the client is, e.g. "Jira sync".')
        parser.add_argument("--company", required=True, help="Company code.")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--scope-type", required=True, choices=[ScopeType.COMPANY, ScopeType.BRANCH, ScopeType.DEPARTMENT])
        parser.add_argument("--branch", help="Branch code (with --scope-type branch).")
        parser.add_argument("--department", help="Department code (with --scope-type department).")
        parser.add_argument("--scopes", required=True, help='Space-separated OAuth2 scopes, e.g. "org:read employees:read".')

    def handle(self, *args: object, **options: object) -> None:
        company = Company.objects.filter(code=options["company"]).first()
        if company is None:
            raise CommandError(f"No company with code {options['company']!r}.")
        scope_type = options["scope_type"]
        branch = self._scope_target(Branch, company, options["branch"], needed=scope_type == ScopeType.BRANCH, flag="--branch")
        department = self._scope_target(
            Department, company, options["department"], needed=scope_type == ScopeType.DEPARTMENT, flag="--department"
        )
        try:
            credentials = api_client_create(
                actor=None,
                name=options["name"],
                company=company,
                role=options["role"],
                scope_type=scope_type,
                scopes=str(options["scopes"]).split(),
                branch=branch,
                department=department,
            )
        except DomainError as error:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.field_errors.items())
            raise CommandError(f"{error.message} {details}".strip()) from error
        self.stdout.write(f"service_account: {credentials.service_account.username}")
        self.stdout.write(f"client_id: {credentials.client_id}")
        self.stdout.write(f"client_secret: {credentials.client_secret}")
        self.stdout.write(self.style.WARNING("Store the client secret now: it is stored hashed and cannot be shown again."))

    @staticmethod
    def _scope_target(model, company: Company, code: object, *, needed: bool, flag: str):  # noqa: ANN001, ANN205
        if not needed:
            if code:
                raise CommandError(f"{flag} only goes with --scope-type {flag.lstrip('-')}.")
            return None
        if not code:
            raise CommandError(f"{flag} is required with this scope type.")
        target = model.objects.filter(company=company, code=code).first()
        if target is None:
            raise CommandError(f"No {model._meta.verbose_name} with code {code!r} in {company.code}.")
        return target
