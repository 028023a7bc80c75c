"""Template helpers of the spreadsheet import/export: may the user do X?"""

from __future__ import annotations

from typing import Any

from django import template

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability

register = template.Library()


@register.filter
def may(user: Any, capability: str) -> bool:
    """`{% if user|may:"employees.export" %}`: the user holds the capability over some scope."""
    try:
        return has_capability(user, Capability(capability))
    except ValueError:
        return False
