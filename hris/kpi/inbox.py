"""KPI tasks for the "my tasks" inbox: the ratings the actor still has to give."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hris.core.inbox import InboxTask
from hris.kpi.selectors_ratings import pending_requests_of


def tasks_for(actor: Any) -> list[InboxTask]:
    """One task per cycle with pending ratings (one query), dated by its earliest deadline."""
    today = timezone.localdate()
    rows = (
        pending_requests_of(actor)
        .order_by()
        .values("cycle_id", "cycle__name")
        .annotate(pending=Count("id"), first_due=Min("due_date"))
        .order_by("first_due", "cycle_id")
    )
    return [
        InboxTask(
            key="kpi.ratings_pending",
            module="performance",
            title=_("Ratings to give in %(cycle)s") % {"cycle": row["cycle__name"]},
            detail=ngettext("%(count)d rating is waiting for you.", "%(count)d ratings are waiting for you.", row["pending"])
            % {"count": row["pending"]},
            count=row["pending"],
            url=reverse("kpi:my_ratings"),
            due=row["first_due"],
            overdue=row["first_due"] < today,
        )
        for row in rows
    ]
