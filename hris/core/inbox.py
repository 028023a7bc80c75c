"""The "my tasks" inbox: every module lists what waits for the actor, in one place.

Each module keeps a `tasks_for(actor) -> list[InboxTask]` function next to its selectors (the
scopes stay where they are enforced); this module only gathers them in a fixed order, so the
inbox reads the same for every role: what is overdue first, then what is due, then the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import import_module
from typing import Any

PROVIDERS = (
    "hris.kpi.inbox.tasks_for",
    "hris.reviews.inbox.tasks_for",
    "hris.integrations.inbox.tasks_for",
)


@dataclass(frozen=True)
class InboxTask:
    key: str  # stable kind, e.g. "kpi.ratings_pending" (tests and styling use it)
    module: str  # navigation module key ("performance", "integrations", …)
    title: str
    count: int
    url: str
    detail: str = ""
    due: date | None = None
    overdue: bool = False


def _provider(dotted: str):  # noqa: ANN202
    module_name, _, function_name = dotted.rpartition(".")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as error:
        # Only a module that is not installed may be absent; a broken import must surface.
        missing = error.name or ""
        if missing != module_name and not module_name.startswith(missing + "."):
            raise
        return None
    return getattr(module, function_name)


def inbox_tasks(actor: Any) -> list[InboxTask]:
    tasks: list[InboxTask] = []
    for dotted in PROVIDERS:
        provider = _provider(dotted)
        if provider is not None:
            tasks.extend(task for task in provider(actor) if task.count)
    far_future = date.max
    return sorted(tasks, key=lambda task: (not task.overdue, task.due or far_future, task.module, task.key))
