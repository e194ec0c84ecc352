"""Edits of a profile at a field path: ``set``, ``add`` and ``remove``.

Paths are the ones error messages and explanations print, plus selection of list
elements by their ``id`` or ``name``:

* ``units[1].beds`` — the second unit's beds;
* ``units[icu-1].beds`` — the unit whose id is ``icu-1``;
* ``departments[医学影像科].form``, ``staff[D003].titles``, ``attestations[ci_fit].holds``.

``add`` adds to a number or appends to a list; ``remove`` deletes a key or a list
element.  Edits work on the decoded profile (plain dicts and lists) and the result
is validated again like any profile.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Literal

from zhunru.errors import InputError, Problem

_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")

Op = Literal["set", "add", "remove"]


@dataclass(frozen=True)
class Edit:
    op: Op
    path: str
    value: Any = None


def parse_path(path: str) -> list[str | int]:
    """``units[icu-1].beds`` → ``["units", "icu-1", "beds"]``; numeric selectors become ints."""
    parts: list[str | int] = []
    position = 0
    for match in _TOKEN.finditer(path):
        if match.start() != position and path[position : match.start()] != ".":
            raise ValueError(f"cannot read path {path!r} at character {position + 1}")
        key, selector = match.groups()
        if selector is not None:
            parts.append(int(selector) if selector.isdigit() else selector)
        else:
            parts.append(key)
        position = match.end()
    if not parts or position != len(path):
        raise ValueError(f"cannot read path {path!r}")
    return parts


def _child(node: Any, part: str | int, path: str) -> Any:
    if isinstance(node, list):
        if isinstance(part, int):
            if part < len(node):
                return node[part]
        else:
            for item in node:
                if isinstance(item, dict) and part in _keys(item):
                    return item
        raise KeyError(f"{path}: no element {part!r}")
    if isinstance(node, dict) and part in node:
        return node[part]
    raise KeyError(f"{path}: no field {part!r}")


def _index(node: list[Any], part: str | int) -> int:
    if isinstance(part, int):
        return part
    return next(i for i, item in enumerate(node) if isinstance(item, dict) and part in _keys(item))


def _keys(item: dict[str, Any]) -> tuple[Any, ...]:
    """What a list element can be selected by: its id, name or attested statement."""
    return (item.get("id"), item.get("name"), item.get("statement"))


def apply(data: dict[str, Any], edit: Edit) -> dict[str, Any]:
    """A copy of ``data`` with ``edit`` applied; :class:`InputError` if the path does not resolve."""
    result = copy.deepcopy(data)
    try:
        parts = parse_path(edit.path)
        parent: Any = result
        for part in parts[:-1]:
            parent = _child(parent, part, edit.path)
        _apply_at(parent, parts[-1], edit)
    except (KeyError, ValueError, TypeError, StopIteration) as error:
        message = error.args[0] if error.args else "the path does not resolve"
        raise InputError([Problem("edit", edit.path, f"cannot {edit.op}: {message}", "bad_edit")]) from None
    return result


def _apply_at(parent: Any, last: str | int, edit: Edit) -> None:
    if edit.op == "set":
        if isinstance(parent, list):
            parent[_index(parent, last)] = edit.value
        else:
            parent[last] = edit.value
    elif edit.op == "remove":
        if isinstance(parent, list):
            del parent[_index(parent, last)]
        else:
            del parent[last]
    elif edit.op == "add":
        current = _child(parent, last, edit.path) if _has(parent, last) else None
        if isinstance(current, list):
            current.append(edit.value)
        elif current is None:
            parent[last] = [edit.value] if not isinstance(edit.value, int | float) else edit.value
        elif isinstance(current, int | float) and isinstance(edit.value, int | float):
            parent[last] = current + edit.value
        else:
            raise TypeError(f"cannot add {edit.value!r} to {current!r}")
    else:
        raise ValueError(f"unknown operation {edit.op!r}; expected set, add or remove")


def _has(parent: Any, key: str | int) -> bool:
    try:
        _child(parent, key, "")
    except KeyError:
        return False
    return True


def apply_all(data: dict[str, Any], edits: list[Edit]) -> dict[str, Any]:
    for edit in edits:
        data = apply(data, edit)
    return data
