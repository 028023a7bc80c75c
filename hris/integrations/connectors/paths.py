"""A small path syntax for picking values out of JSON documents.

`data.items` walks object keys; `items[0]` takes one element; `items[*]` takes every element
(the result is then a list); `""` or `$` is the document itself. Keys with dots or brackets
are not supported. `resolve` answers MISSING when a key is absent.
"""

from __future__ import annotations

import re
from typing import Any

MISSING = object()
_SEGMENT = re.compile(r"^([^.\[\]]*)((?:\[(?:\d+|\*)\])*)$")
_INDEX = re.compile(r"\[(\d+|\*)\]")


class PathError(ValueError):
    pass


def parse_path(path: str) -> list[str | int]:
    """`a.b[0][*]` → ["a", "b", 0, "*"]; raises PathError for anything else."""
    text = (path or "").strip()
    if text in ("", "$"):
        return []
    if text.startswith("$."):
        text = text[2:]
    steps: list[str | int] = []
    for segment in text.split("."):
        match = _SEGMENT.match(segment)
        if not match or (not match.group(1) and not match.group(2)):
            raise PathError(f"“{path}” is not a valid path (use names separated by dots, [n] or [*]).")
        if match.group(1):
            steps.append(match.group(1))
        for index in _INDEX.findall(match.group(2)):
            steps.append("*" if index == "*" else int(index))
    return steps


def _walk(value: Any, steps: list[str | int]) -> Any:
    for position, step in enumerate(steps):
        if step == "*":
            if not isinstance(value, list):
                return MISSING
            rest = steps[position + 1 :]
            found = [_walk(item, rest) for item in value]
            return [item for item in found if item is not MISSING]
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
    return value


def resolve(document: Any, path: str) -> Any:
    return _walk(document, parse_path(path))


def resolve_or_none(document: Any, path: str) -> Any:
    value = resolve(document, path)
    return None if value is MISSING else value
