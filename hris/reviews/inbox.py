"""Review tasks for the "my tasks" inbox: departments to review, approvals, appeals, results to
publish or acknowledge (the scopes are applied in review_tasks_for)."""

from __future__ import annotations

from typing import Any

from hris.core.inbox import InboxTask
from hris.reviews.selectors import review_tasks_for


def tasks_for(actor: Any) -> list[InboxTask]:
    return [
        InboxTask(key=f"reviews.{task.kind}", module="performance", title=str(task.label), count=task.count, url=task.link)
        for task in review_tasks_for(actor)
    ]
