"""Integration tasks for the "my tasks" inbox: enabled connectors whose latest sync failed."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hris.core.inbox import InboxTask
from hris.integrations.connectors.models import RunKind, RunState, SyncRun
from hris.integrations.connectors.selectors import connectors_visible_to, manageable_company_ids


def tasks_for(actor: Any) -> list[InboxTask]:
    companies = manageable_company_ids(actor)
    if companies is not None and not companies:
        return []
    latest_state = SyncRun.objects.filter(connector=OuterRef("pk")).exclude(kind=RunKind.DRY_RUN).order_by("-created_at", "-pk")
    failing = (
        connectors_visible_to(actor)
        .filter(enabled=True)
        .annotate(latest_state=Subquery(latest_state.values("state")[:1]))
        .filter(latest_state=RunState.FAILED)
        .count()
    )
    if not failing:
        return []
    return [
        InboxTask(
            key="integrations.sync_failed",
            module="integrations",
            title=_("Connectors whose last sync failed"),
            detail=ngettext("%(count)d connector needs attention.", "%(count)d connectors need attention.", failing) % {"count": failing},
            count=failing,
            url=reverse("connectors:list"),
        )
    ]
