"""The ordinal ladders of ``kb/common.lp``, read once.

Titles, hospital levels, clean grades… are declared once, as ``rank/3`` facts in
the knowledge base.  The profile schema takes its allowed names from here so a
ladder is never written twice.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

import clingo


def kb_path(*parts: str) -> Path:
    """Path of a file of the packaged knowledge base (``zhunru.kb``)."""
    resource = files("zhunru.kb")
    for part in parts:
        resource = resource.joinpath(part)
    with as_file(resource) as path:
        return Path(path)


@cache
def ladders() -> dict[str, dict[str, int]]:
    """``{ladder: {rung: rank}}`` from ``kb/common.lp``."""
    control = clingo.Control(["--warn=none"])
    control.load(str(kb_path("common.lp")))
    control.ground([("base", [])])
    result: dict[str, dict[str, int]] = {}
    for atom in control.symbolic_atoms.by_signature("rank", 3):
        ladder, rung, rank = atom.symbol.arguments
        result.setdefault(ladder.name, {})[rung.string] = rank.number
    return result


def rungs(ladder: str) -> tuple[str, ...]:
    """The rung names of a ladder, lowest first."""
    ranks = ladders()[ladder]
    return tuple(sorted(ranks, key=lambda rung: (ranks[rung], rung)))


def rank(ladder: str, rung: str) -> int:
    return ladders()[ladder][rung]


def rung_name(ladder: str, value: int) -> str:
    """The (first) rung name of a rank, for display."""
    names = [rung for rung, r in ladders()[ladder].items() if r == value]
    return names[0] if names else str(value)


ROLE_LADDER = {"physician": "physician_title", "nurse": "nurse_title", "technician": "technician_title"}
