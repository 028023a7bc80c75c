"""Turning spreadsheet cells into typed values: text, dates, choices."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from hris.people.choices import EmployeeStatus, EmploymentType, Gender

_DATE_PATTERN = re.compile(
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_PATTERN = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
# Excel's serial day numbers for 1900-01-01 … 2100-12-31.
_EXCEL_SERIAL_RANGE = (1, 73415)


class CellError(ValueError):
    """A cell's value is not acceptable; str(error) is the message for the user."""


def cell_text(value: object) -> str:
    """A cell as text: numbers Excel stored as floats (1001.0, 1.38e10) come back as digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _checked_date(year: int, month: int, day: int, original: object) -> date:
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a valid date.") % {"value": cell_text(original)})
    if not 1900 <= parsed.year <= 2100:
        raise CellError(_("“%(value)s” is outside the years 1900–2100.") % {"value": cell_text(original)})
    return parsed


def parse_date(value: object) -> date | None:
    """2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301 and Excel date cells (also
    date cells Excel lost the format of, which arrive as serial day numbers)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _checked_date(value.year, value.month, value.day, value)
    if isinstance(value, date):
        return _checked_date(value.year, value.month, value.day, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and _COMPACT_DATE_PATTERN.match(str(int(value))):
            text = str(int(value))
            return _checked_date(int(text[:4]), int(text[4:6]), int(text[6:]), value)
        if _EXCEL_SERIAL_RANGE[0] <= value <= _EXCEL_SERIAL_RANGE[1]:
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(value)
            return _checked_date(converted.year, converted.month, converted.day, value)
        raise CellError(_("“%(value)s” is not a date.") % {"value": cell_text(value)})
    text = cell_text(value)
    match = _DATE_PATTERN.match(text) or _COMPACT_DATE_PATTERN.match(text)
    if match is None:
        raise CellError(_("“%(value)s” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日.") % {"value": text})
    return _checked_date(int(match["year"]), int(match["month"]), int(match["day"]), value)


_CHOICE_TABLES: dict[tuple[str, str], dict[str, str]] = {}


def _choice_table(kind: str, choices: type, extra: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Every accepted spelling → code; built once per kind and language (a file has
    thousands of cells and translating labels is not free)."""
    key = (kind, translation.get_language() or "")
    table = _CHOICE_TABLES.get(key)
    if table is not None:
        return table
    table = {}
    for code, label in choices.choices:
        table[code.lower()] = code
        table[code.replace("_", " ").lower()] = code
        table[str(label).lower().replace("-", " ")] = code
        with translation.override(None):  # the English source label, whatever the active language
            table[str(label).lower().replace("-", " ")] = code
    for code, words in extra.items():
        for word in words:
            table[word.lower()] = code
    _CHOICE_TABLES[key] = table
    return table


EMPLOYMENT_TYPE_WORDS = {
    EmploymentType.FULL_TIME: ("全职", "全日制", "正式", "full time", "fulltime"),
    EmploymentType.PART_TIME: ("兼职", "非全日制", "part time", "parttime"),
    EmploymentType.INTERN: ("实习", "实习生"),
    EmploymentType.DISPATCHED: ("劳务派遣", "派遣", "dispatched"),
    EmploymentType.CONTRACTOR: ("外包", "外包人员"),
    EmploymentType.RETIREE_REHIRE: ("退休返聘", "返聘", "retiree rehire", "rehired retiree"),
}
STATUS_WORDS = {
    EmployeeStatus.PROBATION: ("试用", "试用期", "试用中"),
    EmployeeStatus.ACTIVE: ("在职", "正式", "已转正", "转正"),
    EmployeeStatus.ON_LEAVE: ("休假", "休假中", "长假", "leave"),
    EmployeeStatus.TERMINATED: ("离职", "已离职"),
}
GENDER_WORDS = {
    Gender.FEMALE: ("女", "f", "女性"),
    Gender.MALE: ("男", "m", "男性"),
    Gender.UNSPECIFIED: ("未知", "不详", "保密"),
}
CHINESE_LABELS = {
    "employment_type": {code: words[0] for code, words in EMPLOYMENT_TYPE_WORDS.items()},
    "status": {code: words[0] for code, words in STATUS_WORDS.items()},
    "gender": {code: words[0] for code, words in GENDER_WORDS.items()},
}


def parse_choice(value: object, kind: str) -> str | None:
    """The code of a choice written as a Chinese label, an English label or the code."""
    text = cell_text(value)
    if not text:
        return None
    choices, words = {
        "employment_type": (EmploymentType, EMPLOYMENT_TYPE_WORDS),
        "status": (EmployeeStatus, STATUS_WORDS),
        "gender": (Gender, GENDER_WORDS),
    }[kind]
    table = _choice_table(kind, choices, words)
    code = table.get(re.sub(r"\s+", " ", text.lower().replace("-", " ")))
    if code is None:
        accepted = ", ".join(CHINESE_LABELS[kind][code] for code, _label in choices.choices if code in CHINESE_LABELS[kind])
        codes = ", ".join(code for code, _label in choices.choices)
        raise CellError(
            _("“%(value)s” is not one of: %(accepted)s (or %(codes)s).") % {"value": text, "accepted": accepted, "codes": codes}
        )
    return code
