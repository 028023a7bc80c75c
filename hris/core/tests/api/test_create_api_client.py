"""manage.py create_api_client: service account, role grant, OAuth2 application, audit."""

from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from oauth2_provider.models import Application

from hris.accounts.models import ApiClient, RoleAssignment, User
from hris.audit.models import AuditEvent
from hris.core.tests.api.support import data_fingerprint

KNOWN_SCOPES = (
    "Choose one or more of: org:read, org:write, employees:read, employees:write, audit:read, kpi:read, kpi:write, metrics:write, "
    "notifications:read, notifications:write, connectors:read, connectors:write, webhooks:read, webhooks:write."
)


def run(*arguments: str) -> str:
    output = StringIO()
    call_command("create_api_client", *arguments, stdout=output)
    return output.getvalue()


def test_registers_a_department_scoped_client(world):  # noqa: ANN001
    output = run(
        "--name",
        "MES 生产系统",
        "--company",
        "acme",
        "--role",
        "department_manager",
        "--scope-type",
        "department",
        "--department",
        "production",
        "--scopes",
        "employees:read org:read",
    )

    application = Application.objects.get()
    account = application.user
    assert (account.username, account.is_service_account, account.has_usable_password()) == ("api-mes-生产系统", True, False)
    assert list(RoleAssignment.objects.filter(user=account).values_list("role", "scope_type", "department_id")) == [
        ("department_manager", "department", world.production.pk)
    ]
    assert (application.name, application.client_type, application.authorization_grant_type) == (
        "MES 生产系统",
        "confidential",
        "client-credentials",
    )
    assert ApiClient.objects.get(application=application).allowed_scopes == "employees:read org:read"
    # The secret is printed once and stored only as a hash.
    lines = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)
    assert lines["client_id"] == application.client_id
    assert lines["client_secret"] != application.client_secret
    assert check_password(lines["client_secret"], application.client_secret)
    # Every step is audited, and the audit trail never holds the secret.
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "user.create",
        "role.grant",
        "api_client.create",
    ]
    client_event = AuditEvent.objects.get(action="api_client.create")
    assert client_event.after == {
        "name": "MES 生产系统",
        "client_id": application.client_id,
        "service_account": "api-mes-生产系统",
        "scopes": ["employees:read", "org:read"],
        "role": "department_manager",
        "scope_type": "department",
        "branch_id": None,
        "department_id": world.production.pk,
    }
    assert lines["client_secret"] not in str(list(AuditEvent.objects.values()))


def test_a_second_client_of_the_same_name_gets_its_own_account(world):  # noqa: ANN001
    for _ in range(2):
        run("--name", "Jira sync", "--company", "acme", "--role", "hr_admin", "--scope-type", "company", "--scopes", "org:read")
    assert sorted(User.objects.filter(is_service_account=True).values_list("username", flat=True)) == ["api-jira-sync", "api-jira-sync-2"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--company", "nope", "--scope-type", "company", "--scopes", "org:read"], "No company with code 'nope'."),
        (["--company", "acme", "--scope-type", "branch", "--scopes", "org:read"], "--branch is required with this scope type."),
        (
            ["--company", "acme", "--scope-type", "branch", "--branch", "moon", "--scopes", "org:read"],
            "No branch with code 'moon' in acme.",
        ),
        (
            ["--company", "acme", "--scope-type", "company", "--department", "sales", "--scopes", "org:read"],
            "--department only goes with --scope-type department.",
        ),
        (
            ["--company", "acme", "--scope-type", "company", "--scopes", "org:read payroll:write"],
            f"{KNOWN_SCOPES} scopes: Unknown scope: payroll:write",
        ),
        (
            ["--company", "acme", "--scope-type", "company", "--scopes", " "],
            f"{KNOWN_SCOPES} scopes: At least one scope is required.",
        ),
    ],
)
def test_refuses_bad_arguments_and_writes_nothing(world, arguments, message):  # noqa: ANN001
    before = (data_fingerprint(), User.objects.count(), RoleAssignment.objects.count(), Application.objects.count())
    with pytest.raises(CommandError) as refused:
        run("--name", "Bad", "--role", "hr_admin", *arguments)
    assert str(refused.value) == message
    assert (data_fingerprint(), User.objects.count(), RoleAssignment.objects.count(), Application.objects.count()) == before
