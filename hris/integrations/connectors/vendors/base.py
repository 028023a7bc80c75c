"""What every vendor adapter offers the run engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hris.integrations.connectors.http import HttpClient


@dataclass
class Page:
    rows: int  # source rows fetched on this page
    records: list[dict]  # metric record dicts (owner maybe still an identity to resolve)
    errors: list[dict] = field(default_factory=list)  # rows that could not be mapped: {"row": …, "errors": [...]}
    next_state: dict | None = None  # where the next page starts; None on the last page
    cursor: dict = field(default_factory=dict)  # the incremental cursor once this page is in
    sample: list[Any] = field(default_factory=list)  # a few raw rows, for the dry-run preview


class Adapter:
    credential_fields: tuple[str, ...] = ()
    pulls = True  # False: records arrive by upload, not by fetching pages
    default_mapping: dict = {}
    default_options: dict = {}

    def validate(self, *, base_url: str, mapping: dict, options: dict, credentials: dict) -> dict[str, list[str]]:
        """Field → problems; empty when the connector can run."""
        return {}

    def initial_state(self, connector: Any, cursor: dict) -> dict:
        return {}

    def fetch_page(self, connector: Any, client: HttpClient, state: dict, cursor: dict) -> Page:
        # Every pulling adapter (pulls = True) overrides this; upload adapters receive files instead.
        raise TypeError(f"{type(self).__name__} does not fetch pages: its records arrive by upload")


def merge_cursor(old: dict, new: dict) -> dict:
    """The later of each cursor value (ISO strings compare in time order)."""
    merged = dict(old or {})
    for key, value in (new or {}).items():
        if value not in (None, "") and (key not in merged or str(value) > str(merged[key])):
            merged[key] = value
    return merged
