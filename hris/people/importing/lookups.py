"""Set-based look-ups for validation: the company's departments, positions and branches,
each loaded with one query and matched in memory (no query per row)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hris.org.models import Branch, Company, Department, Position

PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\]\s*")


@dataclass(frozen=True)
class DepartmentEntry:
    id: int
    code: str
    name: str
    name_en: str
    path: str
    is_active: bool
    branch_id: int | None
    names: tuple[str, ...]  # names from the top of the tree down to this department

    @property
    def full_name(self) -> str:
        return "/".join(self.names)


class NotResolved(Exception):
    """A reference in a cell matches nothing, or more than one thing; str() says which."""


class DepartmentIndex:
    def __init__(self, company: Company):
        rows = list(
            Department.objects.filter(company=company)
            .order_by("path")
            .values_list("id", "code", "name", "name_en", "path", "is_active", "branch_id")
        )
        name_by_path = {row[4]: row[2] for row in rows}
        step = Department.steplen
        self.by_id: dict[int, DepartmentEntry] = {}
        self.by_code: dict[str, DepartmentEntry] = {}
        self.by_name: dict[str, list[DepartmentEntry]] = {}
        self._resolved: dict[str, DepartmentEntry | NotResolved] = {}
        for department_id, code, name, name_en, path, is_active, branch_id in rows:
            names = tuple(name_by_path.get(path[:end], "?") for end in range(step, len(path) + 1, step))
            entry = DepartmentEntry(department_id, code, name, name_en, path, is_active, branch_id, names)
            self.by_id[department_id] = entry
            self.by_code[code.lower()] = entry
            self.by_name.setdefault(name.strip().lower(), []).append(entry)
            if name_en:
                self.by_name.setdefault(name_en.strip().lower(), []).append(entry)

    def resolve(self, text: str) -> DepartmentEntry:
        """Memoised: a file names the same few departments over and over."""
        key = text.strip()
        if key not in self._resolved:
            try:
                self._resolved[key] = self._resolve(key)
            except NotResolved as problem:
                self._resolved[key] = problem
        result = self._resolved[key]
        if isinstance(result, NotResolved):
            raise result
        return result

    def _resolve(self, text: str) -> DepartmentEntry:
        """By code, by name, or by path ("生产部/一车间", the end of the full path).
        Raises NotResolved with a message that lists the candidates when ambiguous."""
        wanted = text.strip()
        entry = self.by_code.get(wanted.lower())
        if entry is not None:
            return self._usable(entry, wanted)
        parts = [part for part in PATH_SEPARATORS.split(wanted) if part]
        if len(parts) > 1:
            tail = tuple(part.lower() for part in parts)
            candidates = [
                candidate
                for candidate in self.by_name.get(tail[-1], [])
                if tuple(name.lower() for name in candidate.names[-len(tail) :]) == tail
            ]
        else:
            candidates = list(dict.fromkeys(self.by_name.get(wanted.lower(), [])))
        active = [candidate for candidate in candidates if candidate.is_active]
        if len(active) == 1:
            return active[0]
        if len(active) > 1:
            listed = "; ".join(f"{candidate.full_name} ({candidate.code})" for candidate in active)
            raise NotResolved(
                _("“%(value)s” matches several departments: %(candidates)s. Write the department code or its path, e.g. “%(example)s”.")
                % {"value": wanted, "candidates": listed, "example": "/".join(active[0].names[-2:])}
            )
        if candidates:
            return self._usable(candidates[0], wanted)
        raise NotResolved(_("Unknown department “%(value)s”: no department has this code, name or path.") % {"value": wanted})

    @staticmethod
    def _usable(entry: DepartmentEntry, wanted: str) -> DepartmentEntry:
        if not entry.is_active:
            raise NotResolved(_("The department “%(value)s” is closed.") % {"value": wanted})
        return entry


@dataclass(frozen=True)
class PositionEntry:
    id: int
    code: str
    title: str
    is_active: bool


class PositionIndex:
    def __init__(self, company: Company):
        self.by_id: dict[int, PositionEntry] = {}
        self.by_code: dict[str, PositionEntry] = {}
        self.by_title: dict[str, list[PositionEntry]] = {}
        for position_id, code, title, title_en, is_active in Position.objects.filter(company=company).values_list(
            "id", "code", "title", "title_en", "is_active"
        ):
            entry = PositionEntry(position_id, code, title, is_active)
            self.by_id[position_id] = entry
            self.by_code[code.lower()] = entry
            self.by_title.setdefault(title.strip().lower(), []).append(entry)
            if title_en:
                self.by_title.setdefault(title_en.strip().lower(), []).append(entry)

    def resolve(self, text: str) -> PositionEntry:
        wanted = text.strip()
        entry = self.by_code.get(wanted.lower())
        candidates = [entry] if entry is not None else list(dict.fromkeys(self.by_title.get(wanted.lower(), [])))
        active = [candidate for candidate in candidates if candidate.is_active]
        if len(active) == 1:
            return active[0]
        if len(active) > 1:
            listed = ", ".join(f"{candidate.title} ({candidate.code})" for candidate in active)
            raise NotResolved(
                _("“%(value)s” matches several positions: %(candidates)s. Write the position code.")
                % {"value": wanted, "candidates": listed}
            )
        if candidates:
            raise NotResolved(_("The position “%(value)s” is no longer in use.") % {"value": wanted})
        raise NotResolved(_("Unknown position “%(value)s”: no position has this code or title.") % {"value": wanted})


class BranchIndex:
    def __init__(self, company: Company):
        self.by_key: dict[str, list[tuple[int, str]]] = {}
        for branch_id, code, name in Branch.objects.filter(company=company).values_list("id", "code", "name"):
            self.by_key.setdefault(code.lower(), []).append((branch_id, code))
            self.by_key.setdefault(name.strip().lower(), []).append((branch_id, code))

    def resolve(self, text: str) -> int:
        matches = list(dict.fromkeys(self.by_key.get(text.strip().lower(), [])))
        if len(matches) == 1:
            return matches[0][0]
        if matches:
            raise NotResolved(
                _("“%(value)s” matches several branches: %(codes)s. Write the branch code.")
                % {"value": text, "codes": ", ".join(code for _id, code in matches)}
            )
        raise NotResolved(_("Unknown branch “%(value)s”: no branch has this code or name.") % {"value": text})
