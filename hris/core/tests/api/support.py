"""Helpers and fixtures for API tests: clients signed in as world users or holding OAuth2
tokens of service accounts with the same grants, and a fingerprint of the data to prove
that a refused request changed nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from hris.accounts.api.services import api_client_create
from hris.audit.models import AuditEvent
from hris.org.models import Branch, Department, Position
from hris.people.models import Employee, EmploymentEvent
from hris.tests.world import ACME_ALL, World

ALL_SCOPES = "org:read org:write employees:read employees:write"

# What a service account sees when it holds the same grant as the world user of that key.
# It has no employee record of its own, so "self" adds nothing (hrbp's own record lies
# outside the plant branch it is granted).
TOKEN_VISIBLE_EMPLOYEES = {
    "hr_admin": ACME_ALL,
    "ceo": ACME_ALL,
    "hrbp": {"prod_head", "w1_lead", "w1_worker", "w2_worker"},
    "prod_head": {"prod_head", "w1_lead", "w1_worker", "w2_worker"},
    "sales_head": {"sales_head", "sales_rep", "interviewer"},
    "other_hr": {"other_hr", "other_worker"},
}
TOKEN_CHANGEABLE_EMPLOYEES = {
    "hr_admin": TOKEN_VISIBLE_EMPLOYEES["hr_admin"],
    "ceo": set(),
    "hrbp": {"prod_head", "w1_lead", "w1_worker", "w2_worker"},
    "prod_head": set(),
    "sales_head": set(),
    "other_hr": {"other_hr", "other_worker"},
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Throttle counters live in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


def session_client(world: World, key: str) -> APIClient:
    client = APIClient()
    client.force_login(world.user(key))
    return client


def service_account_like(world: World, key: str, scopes: str = ALL_SCOPES, name: str | None = None):  # noqa: ANN201
    """An API client whose service account holds the same (single) grant as world user `key`."""
    grant = world.user(key).role_assignments.get()
    return api_client_create(
        actor=None,
        name=name or f"client like {key}",
        company=grant.company,
        role=grant.role,
        scope_type=grant.scope_type,
        branch=grant.branch,
        department=grant.department,
        scopes=scopes.split(),
    )


def token_client(world: World, key: str, scopes: str = ALL_SCOPES) -> APIClient:
    """Bearer client for a service account like `key`; the token row is made directly
    (test_oauth2_flow obtains one from /o/token/ the way a real integration does)."""
    credentials = service_account_like(world, key, scopes)
    token = AccessToken.objects.create(
        application=credentials.application,
        user=None,
        token=f"token-{credentials.client_id}",
        scope=scopes,
        expires=timezone.now() + timedelta(hours=1),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return client


def data_fingerprint() -> tuple:
    """Everything a refused write could have touched."""
    return (
        list(Employee.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
        list(Position.objects.order_by("pk").values()),
        list(Branch.objects.order_by("pk").values()),
        EmploymentEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def keys_of(world: World, rows: list[dict]) -> set[str]:
    by_id = {employee.pk: key for key, employee in world.employees.items()}
    return {by_id[row["id"]] for row in rows}


def error_body(response) -> dict:  # noqa: ANN001
    body = response.json()
    assert set(body) == {"code", "message", "errors"}, body
    return body
