"""Field rules for people data, shared by services, forms, the API and importers."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MOBILE_PATTERN = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
INTERNATIONAL_PATTERN = re.compile(r"^\+[1-9]\d{6,14}$")
ID_NUMBER_PATTERN = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"


def normalize_phone(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "")


def phone_error(phone: str) -> str | None:
    if not phone:
        return None
    if MOBILE_PATTERN.match(phone) or INTERNATIONAL_PATTERN.match(phone):
        return None
    return _("“%(phone)s” is not a valid mobile number (11 digits starting with 1, or +country code).") % {"phone": phone}


def email_error(email: str) -> str | None:
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not a valid email address.") % {"email": email}
    return None


def id_number_error(id_number: str) -> str | None:
    """Mainland resident ID: 18 characters with the GB 11643 check digit."""
    if not id_number:
        return None
    value = id_number.strip().upper()
    if not ID_NUMBER_PATTERN.match(value):
        return _("An ID number has 17 digits followed by a digit or X.")
    checksum = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11
    if _ID_CHECK_CHARACTERS[checksum] != value[17]:
        return _("The ID number's check digit is wrong.")
    return None


def reporting_cycle(employee_key: object, manager_key: object, manager_of: Mapping[object, object | None]) -> list[object] | None:
    """The cycle that `employee → manager` would close, or None.

    `manager_of` maps each employee key to its manager key (the current or proposed
    reporting lines); the walk is bounded so bad data cannot loop forever.
    """
    if manager_key is None:
        return None
    chain = [employee_key]
    current = manager_key
    seen = {employee_key}
    for _step in range(len(manager_of) + 2):
        if current is None:
            return None
        if current in seen:
            return [*chain, current] if current == employee_key else None
        chain.append(current)
        seen.add(current)
        current = manager_of.get(current)
    return None
